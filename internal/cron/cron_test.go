package cron

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/i18n"
)

func mustParse(t testing.TB, s string) *Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return e
}

func TestParseErrorsNameFieldTextAndAllowed(t *testing.T) {
	tests := []struct {
		expr, field, text, code string
		zh                      string // a fragment of the Chinese message
	}{
		{"30 30 02 * * ?", "second", "30", "cron_value", "秒字段"},
		{"00 60 02 * * ?", "minute", "60", "cron_value", "分钟字段：「60」"},
		{"00 30 24 * * ?", "hour", "24", "cron_value", "小时字段"},
		{"00 30 02 32 * ?", "day-of-month", "32", "cron_value", "日字段"},
		{"00 30 02 ? 13 *", "month", "13", "cron_value", "月字段"},
		{"00 30 02 ? * 8", "day-of-week", "8", "cron_value", "星期字段"},
		{"00 30 02 ? * 0", "day-of-week", "0", "cron_value", "1 = 星期一"},
		{"00 30 02 ? * FOO", "day-of-week", "FOO", "cron_value", "MON–SUN"},
		{"00 30 02 15W * ?", "day-of-month", "15W", "cron_value", "W"},
		{"00 30 02 ? * 5#6", "day-of-week", "5#6", "cron_value", "n#k"},
		{"00 30 ? * * ?", "hour", "?", "cron_value", "只能用于日或星期字段"},
		{"00 30 10-2 * * ?", "hour", "10-2", "cron_value", "结束早于开始"},
		{"00 */0 * * * ?", "minute", "*/0", "cron_value", "步长"},
		{"00 *,5 * * * ?", "minute", "*,5", "cron_list", "列表"},
		{"00 30 02 * * ? 2030", "", "00 30 02 * * ? 2030", "cron_year", "没有年份字段"},
		{"00 30 02 * *", "", "00 30 02 * *", "cron_fields", "需要 6 个"},
		{"00 30 02 ? * ?", "day-of-week", "00 30 02 ? * ?", "cron_question", "只能在其中一个"},
		{"00 30 02 1 * MON", "day-of-week", "00 30 02 1 * MON", "cron_question", "同时限制"},
		{"00 */2 * * * ?", "minute", "00 */2 * * * ?", "cron_interval", "至少间隔 5 分钟"},
		{"00 00,03 08 * * ?", "minute", "00 00,03 08 * * ?", "cron_interval", "每 3 分钟"},
		{"00 01,58 00,23 * * ?", "minute", "00 01,58 00,23 * * ?", "cron_interval", "每 3 分钟"}, // across midnight
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := Parse(tt.expr)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse(%q) = %v, want *Error", tt.expr, err)
			}
			if ce.Field != tt.field || ce.Text != tt.text || ce.Code != tt.code {
				t.Errorf("got field %q text %q code %q, want %q %q %q", ce.Field, ce.Text, ce.Code, tt.field, tt.text, tt.code)
			}
			if tt.field != "" && !strings.HasPrefix(ce.Message.EN, tt.field+" field") {
				t.Errorf("English message does not name the field: %s", ce.Message.EN)
			}
			if !strings.Contains(ce.Message.EN, tt.text) || !strings.Contains(ce.Message.ZH, tt.text) {
				t.Errorf("messages do not quote %q: %s / %s", tt.text, ce.Message.EN, ce.Message.ZH)
			}
			if !strings.Contains(ce.Message.ZH, tt.zh) {
				t.Errorf("Chinese message %q lacks %q", ce.Message.ZH, tt.zh)
			}
		})
	}
}

func TestCanonicalAndCycleType(t *testing.T) {
	tests := []struct{ in, canonical, cycleType string }{
		{"0 30 2 * * ?", "00 30 02 * * ?", Daily},
		{"00  30   02 * * ?", "00 30 02 * * ?", Daily},
		{"0 5 0 * * 2,5", "00 05 00 ? * 2,5", Daily}, // DataWorks' legacy doc form
		{"0 0 9 ? * mon-fri", "00 00 09 ? * 1-5", Daily},
		{"0 0 2 L * ?", "00 00 02 L * ?", Daily},
		{"0 0 2 1 jan,apr ?", "00 00 02 1 1,4 ?", Daily},
		{"0 */10 8-17 * * ?", "00 */10 08-17 * * ?", NotDaily},
		{"0 15 0-23/2 * * ?", "00 15 00-23/2 * * ?", NotDaily},
		{"0 15 8,12 * * ?", "00 15 08,12 * * ?", NotDaily},
		{"0 0 2 * * *", "00 00 02 * * ?", Daily},
		{"0 0 2 15 * *", "00 00 02 15 * ?", Daily},
	}
	for _, tt := range tests {
		e := mustParse(t, tt.in)
		if got := e.Canonical(); got != tt.canonical {
			t.Errorf("Canonical(%q) = %q, want %q", tt.in, got, tt.canonical)
		}
		if got := e.CycleType(); got != tt.cycleType {
			t.Errorf("CycleType(%q) = %q, want %q", tt.in, got, tt.cycleType)
		}
		if _, err := Parse(e.Canonical()); err != nil {
			t.Errorf("canonical text %q does not parse: %v", e.Canonical(), err)
		}
	}
}

func TestWarnings(t *testing.T) {
	tests := []struct {
		expr string
		code string // "" = no warning
	}{
		{"00 00 00 * * ?", "cron_early"},
		{"00 04 00 * * ?", "cron_early"},
		{"00 05 00 * * ?", ""},
		{"00 00 00-23/1 * * ?", ""}, // hourly is not a daily time
		{"00 05 00 * * 2,5", "cron_question_missing"},
	}
	for _, tt := range tests {
		w := mustParse(t, tt.expr).Warnings()
		switch {
		case tt.code == "" && len(w) > 0:
			t.Errorf("%q: unexpected warning %v", tt.expr, w[0])
		case tt.code != "" && (len(w) != 1 || w[0].Code != tt.code):
			t.Errorf("%q: warnings %v, want one %s", tt.expr, w, tt.code)
		}
	}
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// runsAt lists the wall times of the next runs from a fixed "now".
func runsAt(t *testing.T, expr, zone, now string, n int) []string {
	t.Helper()
	loc, _, err := LoadZone(zone)
	if err != nil {
		t.Fatal(err)
	}
	at, err := ParseLocalTime("now", now, loc)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := mustParse(t, expr).Next(Query{Location: loc, Now: at, Count: n})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range runs {
		s := r.At.Format("Mon 2006-01-02 15:04 -07:00")
		if r.Flag != "" {
			s += " " + r.Flag
		}
		out = append(out, s)
	}
	return out
}

func TestNextWeekdayNumberingAndSpecials(t *testing.T) {
	// 2026-11-27 is a Friday.
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"1 is Monday", "00 00 09 ? * 1", []string{"Mon 2026-11-30 09:00 +08:00", "Mon 2026-12-07 09:00 +08:00"}},
		{"7 is Sunday", "00 00 09 ? * 7", []string{"Sun 2026-11-29 09:00 +08:00", "Sun 2026-12-06 09:00 +08:00"}},
		{"range ending on Sunday", "00 00 09 ? * 6-7", []string{"Sat 2026-11-28 09:00 +08:00", "Sun 2026-11-29 09:00 +08:00", "Sat 2026-12-05 09:00 +08:00"}},
		{"names", "00 00 09 ? * SAT,SUN", []string{"Sat 2026-11-28 09:00 +08:00", "Sun 2026-11-29 09:00 +08:00"}},
		{"legacy no ?", "00 05 00 * * 2,5", []string{"Tue 2026-12-01 00:05 +08:00", "Fri 2026-12-04 00:05 +08:00"}},
		{"step over weekdays", "00 00 09 ? * 1-7/3", []string{"Sun 2026-11-29 09:00 +08:00", "Mon 2026-11-30 09:00 +08:00", "Thu 2026-12-03 09:00 +08:00"}},
		{"last day of month", "00 00 23 L * ?", []string{"Mon 2026-11-30 23:00 +08:00", "Thu 2026-12-31 23:00 +08:00", "Sat 2027-01-30 23:00 +08:00"}[:2]},
		{"last Friday", "00 00 09 ? * 5L", []string{"Fri 2026-12-25 09:00 +08:00", "Fri 2027-01-29 09:00 +08:00"}},
		{"last Sunday", "00 00 09 ? * 7L", []string{"Sun 2026-11-29 09:00 +08:00", "Sun 2026-12-27 09:00 +08:00"}},
		{"second Tuesday", "00 00 09 ? * 2#2", []string{"Tue 2026-12-08 09:00 +08:00", "Tue 2027-01-12 09:00 +08:00"}},
		{"fifth Monday of February (rare)", "00 00 09 ? 2 1#5", []string{"Mon 2044-02-29 09:00 +08:00"}},
		{"first Monday by name", "00 00 09 ? * MON#1", []string{"Mon 2026-12-07 09:00 +08:00", "Mon 2027-01-04 09:00 +08:00"}},
		{"year cycle", "00 00 02 1 1,4,7,10 ?", []string{"Fri 2027-01-01 02:00 +08:00", "Thu 2027-04-01 02:00 +08:00"}},
		{"minute cycle", "00 00-59/20 08-09 * * ?", []string{"Fri 2026-11-27 12:00 +08:00"}[:0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.want) == 0 {
				return
			}
			got := runsAt(t, tt.expr, "Asia/Shanghai", "2026-11-27 12:00:00", len(tt.want))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Next(%q)\n got %q\nwant %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestNextDST(t *testing.T) {
	tests := []struct {
		name, expr, zone, now string
		want                  []string
	}{
		{"New York gap: 02:30 does not exist on 2025-03-09", "00 30 02 * * ?", "America/New_York", "2025-03-08 00:00:00",
			[]string{"Sat 2025-03-08 02:30 -05:00", "Sun 2025-03-09 03:30 -04:00 dst-gap", "Mon 2025-03-10 02:30 -04:00"}},
		{"New York overlap: 01:30 twice on 2025-11-02", "00 30 01 * * ?", "America/New_York", "2025-11-01 00:00:00",
			[]string{"Sat 2025-11-01 01:30 -04:00", "Sun 2025-11-02 01:30 -04:00 dst-overlap", "Mon 2025-11-03 01:30 -05:00"}},
		{"New York overlap every 20 minutes", "00 00-59/20 01 * * ?", "America/New_York", "2025-11-02 00:00:00",
			[]string{"Sun 2025-11-02 01:00 -04:00 dst-overlap", "Sun 2025-11-02 01:20 -04:00 dst-overlap", "Sun 2025-11-02 01:40 -04:00 dst-overlap", "Mon 2025-11-03 01:00 -05:00"}},
		{"London gap: 01:30 does not exist on 2025-03-30", "00 30 01 * * ?", "Europe/London", "2025-03-29 12:00:00",
			[]string{"Sun 2025-03-30 02:30 +01:00 dst-gap", "Mon 2025-03-31 01:30 +01:00"}},
		{"London overlap: 01:30 twice on 2025-10-26", "00 30 01 * * ?", "Europe/London", "2025-10-25 12:00:00",
			[]string{"Sun 2025-10-26 01:30 +01:00 dst-overlap", "Mon 2025-10-27 01:30 +00:00"}},
		{"Lord Howe 30-minute gap on 2025-10-05", "00 15 02 * * ?", "Australia/Lord_Howe", "2025-10-04 12:00:00",
			[]string{"Sun 2025-10-05 02:45 +11:00 dst-gap", "Mon 2025-10-06 02:15 +11:00"}},
		{"Lord Howe 30-minute overlap on 2025-04-06", "00 45 01 * * ?", "Australia/Lord_Howe", "2025-04-05 12:00:00",
			[]string{"Sun 2025-04-06 01:45 +11:00 dst-overlap", "Mon 2025-04-07 01:45 +10:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := runsAt(t, tt.expr, tt.zone, tt.now, len(tt.want))
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestNextIsStrictlyIncreasingAndFlagsExplain(t *testing.T) {
	ny, _, _ := LoadZone("America/New_York")
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, ny)
	for _, expr := range []string{"00 00-59/5 * * * ?", "00 30 01,02 * * ?", "00 00 00-23/1 * * ?"} {
		runs, err := mustParse(t, expr).Next(Query{Location: ny, Now: now, Count: MaxRuns})
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != MaxRuns {
			t.Fatalf("%q: %d runs", expr, len(runs))
		}
		for i := 1; i < len(runs); i++ {
			if !runs[i].At.After(runs[i-1].At) {
				t.Fatalf("%q: run %d (%v) not after %v", expr, i, runs[i].At, runs[i-1].At)
			}
		}
		for _, r := range runs {
			if (r.Flag == "") != (r.Note.EN == "") || (r.Flag != "" && r.Note.ZH == "") {
				t.Fatalf("%q: flag %q with note %+v", expr, r.Flag, r.Note)
			}
		}
	}
}

func TestNextWindow(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, shanghai)
	e := mustParse(t, "00 30 02 * * ?")

	// A run exactly at the window start counts; the window end clips.
	start, end, err := ParseWindow("2027-01-01 02:30:00", "2027-01-03 02:30:00", shanghai)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := e.Next(Query{Location: shanghai, Now: now, Start: start, End: end, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 3 || !runs[0].At.Equal(start) || !runs[2].At.Equal(end) {
		t.Fatalf("window runs = %v", runs)
	}

	// A window already over, and a window too short for a run, hold no run.
	for _, w := range [][2]string{{"2020-01-01 00:00:00", "2020-12-31 00:00:00"}, {"2027-01-01 03:00:00", "2027-01-02 02:00:00"}} {
		start, end, err := ParseWindow(w[0], w[1], shanghai)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Next(Query{Location: shanghai, Now: now, Start: start, End: end, Count: 10})
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != "window_empty" || !strings.Contains(ce.Message.ZH, "没有任何运行") {
			t.Errorf("window %v: err = %v", w, err)
		}
	}

	// An expression that never fires (30 February) holds no run either, and returns.
	if _, err := mustParse(t, "00 00 02 30 2 ?").Next(Query{Location: shanghai, Now: now, Count: 5}); err == nil {
		t.Error("30 February produced runs")
	}
}

func TestParseWindowErrors(t *testing.T) {
	tests := []struct{ start, end, field string }{
		{"2026-01-01T00:00:00", "", "startTime"},
		{"", "9999-13-01 00:00:00", "endTime"},
		{"2027-01-01 00:00:00", "2026-01-01 00:00:00", "endTime"},
		{"2027-01-01 00:00:00", "2027-01-01 00:00:00", "endTime"},
	}
	for _, tt := range tests {
		_, _, err := ParseWindow(tt.start, tt.end, shanghai)
		var ce *Error
		if !errors.As(err, &ce) || ce.Field != tt.field || !strings.HasPrefix(ce.Message.EN, tt.field) || !strings.HasPrefix(ce.Message.ZH, tt.field) {
			t.Errorf("ParseWindow(%q, %q) = %v, want error on %s", tt.start, tt.end, err, tt.field)
		}
	}
}

func TestLoadZone(t *testing.T) {
	tests := []struct {
		name   string
		offset int // seconds east of UTC on 2026-01-15
		ok     bool
	}{
		{"Asia/Shanghai", 8 * 3600, true},
		{"Europe/London", 0, true},
		{"GMT+8", 8 * 3600, true},
		{"GMT-03:30", -(3*3600 + 1800), true},
		{"UTC+5:45", 5*3600 + 45*60, true},
		{"Mars/Olympus", 0, false},
		{"", 0, false},
		{"Local", 0, false},
		{"GMT+15", 0, false},
	}
	for _, tt := range tests {
		loc, _, err := LoadZone(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("LoadZone(%q) err = %v", tt.name, err)
			continue
		}
		if !tt.ok {
			var ce *Error
			if !errors.As(err, &ce) || ce.Field != "timezone" {
				t.Errorf("LoadZone(%q) error %v does not name the field", tt.name, err)
			}
			continue
		}
		if _, off := time.Date(2026, 1, 15, 12, 0, 0, 0, loc).Zone(); off != tt.offset {
			t.Errorf("LoadZone(%q) offset %d, want %d", tt.name, off, tt.offset)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct{ expr, en, zh string }{
		{"00 30 02 * * ?", "At 02:30 every day", "每天 02:30"},
		{"00 00-59/10 08-17 * * ?", "Every 10 minutes from 08:00 to 17:50 every day", "每天 08:00 至 17:50 每 10 分钟"},
		{"00 */15 * * * ?", "Every 15 minutes every day", "每天每 15 分钟"},
		{"00 15 00-23/2 * * ?", "Every 2 hours from 00:15 to 22:15 every day", "每天 00:15 至 22:15 每 2 小时"},
		{"00 00 * * * ?", "Every hour from 00:00 to 23:00 every day", "每天 00:00 至 23:00 每小时"},
		{"00 15 08,12,18 * * ?", "At 08:15, 12:15 and 18:15 every day", "每天 08:15、12:15、18:15"},
		{"00 00 09 ? * 1,5", "At 09:00 every Monday and Friday", "每周一、周五 09:00"},
		{"00 00 09 ? * 6-7", "At 09:00 every Saturday and Sunday", "每周六、周日 09:00"},
		{"00 00 23 L * ?", "At 23:00 on the last day of every month", "每月最后一天 23:00"},
		{"00 00 02 1,15,L * ?", "At 02:00 on day 1, 15 and the last day of every month", "每月 1 日、15 日、最后一天 02:00"},
		{"00 00 02 1 1,4,7,10 ?", "At 02:00 on day 1 of January, April, July and October every year", "每年 1 月、4 月、7 月、10 月的 1 日 02:00"},
		{"00 00 09 ? * 5L", "At 09:00, on the last Friday of the month", "在09:00, 限每月的最后一个星期五"},
		{"00 00 09 ? * 7#2", "At 09:00, on the second Sunday of the month", "在09:00, 限每月的第二个星期日"},
		{"00 00 09 ? * 1#1", "At 09:00, on the first Monday of the month", "在09:00, 限每月的第一个星期一"},
	}
	for _, tt := range tests {
		d := mustParse(t, tt.expr).Describe()
		if d.In(i18n.EN) != tt.en || d.In(i18n.ZH) != tt.zh {
			t.Errorf("Describe(%q)\n got %q / %q\nwant %q / %q", tt.expr, d.EN, d.ZH, tt.en, tt.zh)
		}
	}
}

func TestCycleRoundTrip(t *testing.T) {
	tests := []struct {
		cycle Cycle
		expr  string
	}{
		{Cycle{Kind: CycleMinute, Every: 15, StartHour: 8, EndHour: 18}, "00 00-59/15 08-18 * * ?"},
		{Cycle{Kind: CycleMinute, Every: 5, StartHour: 0, EndHour: 23}, "00 00-59/5 00-23 * * ?"},
		{Cycle{Kind: CycleHour, Every: 1, StartHour: 0, EndHour: 23, Minute: 15}, "00 15 00-23 * * ?"},
		{Cycle{Kind: CycleHour, Every: 3, StartHour: 6, EndHour: 21, Minute: 0}, "00 00 06-21/3 * * ?"},
		{Cycle{Kind: CycleHour, Hours: []int{8, 12, 18}, Minute: 30}, "00 30 08,12,18 * * ?"},
		{Cycle{Kind: CycleDay, Hour: 2, Minute: 30}, "00 30 02 * * ?"},
		{Cycle{Kind: CycleWeek, Weekdays: []int{1, 7}, Hour: 9}, "00 00 09 ? * 1,7"},
		{Cycle{Kind: CycleMonth, Days: []int{1, 15}, Hour: 2}, "00 00 02 1,15 * ?"},
		{Cycle{Kind: CycleMonth, LastDay: true, Hour: 23}, "00 00 23 L * ?"},
		{Cycle{Kind: CycleYear, Months: []int{1, 7}, Day: 1, Hour: 2}, "00 00 02 1 1,7 ?"},
		{Cycle{Kind: CycleCustom, Expr: "0 0 9 ? * 5L"}, "0 0 9 ? * 5L"},
	}
	for _, tt := range tests {
		got, err := tt.cycle.Expression()
		if err != nil || got != tt.expr {
			t.Errorf("%+v.Expression() = %q, %v; want %q", tt.cycle, got, err, tt.expr)
			continue
		}
		back := mustParse(t, got).Cycle()
		again, err := back.Expression()
		if err != nil || again != tt.expr {
			t.Errorf("round trip of %q via %+v gave %q, %v", tt.expr, back, again, err)
		}
		if back.Kind != tt.cycle.Kind {
			t.Errorf("%q read back as %s, want %s", tt.expr, back.Kind, tt.cycle.Kind)
		}
	}
}

func TestCycleRecognition(t *testing.T) {
	tests := []struct {
		expr string
		kind CycleKind
	}{
		{"00 */10 * * * ?", CycleMinute},
		{"00 0/10 08-17 * * ?", CycleMinute},
		{"00 15 */2 * * ?", CycleHour},
		{"00 05 00 * * 2,5", CycleWeek},
		{"00 00 09 ? * MON-FRI", CycleWeek},
		{"00 00 09 ? * 5L", CycleCustom},
		{"00 00 09 ? * 2#1", CycleCustom},
		{"00 00,30 09 * * ?", CycleCustom},
		{"00 00 02 1 * MON", CycleCustom}, // invalid anyway, never reached
		{"00 00 02 1,15 1 ?", CycleCustom},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			continue
		}
		if got := e.Cycle(); got.Kind != tt.kind {
			t.Errorf("Cycle(%q) = %s, want %s", tt.expr, got.Kind, tt.kind)
		} else if got.Kind == CycleCustom && got.Expr != tt.expr {
			t.Errorf("Custom cycle changed %q to %q", tt.expr, got.Expr)
		}
	}
}

func TestCycleExpressionRejectsBadInput(t *testing.T) {
	for _, c := range []Cycle{
		{Kind: CycleMinute, Every: 2, StartHour: 0, EndHour: 23},
		{Kind: CycleDay, Hour: 25},
		{Kind: CycleWeek, Weekdays: []int{8}},
		{Kind: CycleWeek},
		{Kind: "Fortnight"},
		{Kind: CycleCustom, Expr: "every day"},
	} {
		if got, err := c.Expression(); err == nil {
			t.Errorf("%+v.Expression() = %q, want an error", c, got)
		}
	}
}
