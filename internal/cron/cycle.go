package cron

import (
	"fmt"
	"github.com/flowform/flowform/internal/i18n"
	"slices"
	"strconv"
	"strings"
)

// CycleKind is a scheduling cycle of the DataWorks console.
type CycleKind string

// The console's cycles, plus Custom for expressions no cycle can express.
const (
	CycleMinute CycleKind = "Minute"
	CycleHour   CycleKind = "Hour"
	CycleDay    CycleKind = "Day"
	CycleWeek   CycleKind = "Week"
	CycleMonth  CycleKind = "Month"
	CycleYear   CycleKind = "Year"
	CycleCustom CycleKind = "Custom"
)

// Cycles lists the kinds in the console's order.
var Cycles = []CycleKind{CycleMinute, CycleHour, CycleDay, CycleWeek, CycleMonth, CycleYear, CycleCustom}

// Cycle is the schedule builder's model. Which fields matter depends on Kind:
//
//	Minute: Every minutes, from StartHour:00 to EndHour:59
//	Hour:   Every hours from StartHour to EndHour at Minute, or at each of Hours
//	Day:    Hour:Minute
//	Week:   Weekdays (1 = Monday … 7 = Sunday) at Hour:Minute
//	Month:  Days and/or LastDay at Hour:Minute
//	Year:   Months on Day at Hour:Minute
//	Custom: Expr, kept exactly as written
type Cycle struct {
	Kind      CycleKind
	Every     int
	StartHour int
	EndHour   int
	Hours     []int
	Hour      int
	Minute    int
	Weekdays  []int
	Days      []int
	LastDay   bool
	Months    []int
	Day       int
	Expr      string
}

// Cycle maps the expression to the console cycle that writes it, or to
// Custom with the expression untouched.
func (e *Expr) Cycle() Cycle {
	custom := Cycle{Kind: CycleCustom, Expr: e.text}
	single := func(f int) (int, bool) {
		it := e.items[f]
		if len(it) == 1 && it[0].kind == itemValues && it[0].lo == it[0].hi && it[0].step == 0 {
			return it[0].lo, true
		}
		return 0, false
	}
	m, mOK := single(minute)
	h, hOK := single(hour)
	dom, dow, mon := e.restricted(dayOfMonth), e.restricted(dayOfWeek), e.restricted(month)

	switch {
	case !dom && !dow && !mon && !mOK:
		// Minute: 0-59/N (or */N, 0/N) inside an hour range.
		it := e.items[minute]
		if len(it) != 1 || it[0].step < 2 || it[0].lo != 0 || it[0].hi != 59 {
			return custom
		}
		lo, hi, ok := e.hourRange()
		if !ok {
			return custom
		}
		return Cycle{Kind: CycleMinute, Every: it[0].step, StartHour: lo, EndHour: hi}
	case !dom && !dow && !mon && mOK && hOK:
		return Cycle{Kind: CycleDay, Hour: h, Minute: m}
	case !dom && !dow && !mon && mOK:
		it := e.items[hour]
		if len(it) == 1 && (it[0].kind == itemAll || it[0].lo != it[0].hi) {
			return Cycle{Kind: CycleHour, Every: max(it[0].step, 1), StartHour: it[0].lo, EndHour: it[0].hi, Minute: m}
		}
		hours := bits(e.sets[hour])
		for _, x := range it {
			if x.lo != x.hi || x.step != 0 {
				return custom
			}
		}
		return Cycle{Kind: CycleHour, Hours: hours, Minute: m}
	case !mOK || !hOK:
		return custom
	case dow && !dom && !mon:
		for _, it := range e.items[dayOfWeek] {
			if it.kind != itemValues {
				return custom
			}
		}
		return Cycle{Kind: CycleWeek, Weekdays: bits(e.sets[dayOfWeek]), Hour: h, Minute: m}
	case dom && !dow && !mon:
		c := Cycle{Kind: CycleMonth, Hour: h, Minute: m}
		for _, it := range e.items[dayOfMonth] {
			switch {
			case it.kind == itemLastDay:
				c.LastDay = true
			case it.kind != itemValues:
				return custom
			}
		}
		c.Days = bits(e.sets[dayOfMonth])
		return c
	case dom && !dow && mon:
		d, ok := single(dayOfMonth)
		if !ok {
			return custom
		}
		return Cycle{Kind: CycleYear, Months: bits(e.sets[month]), Day: d, Hour: h, Minute: m}
	}
	return custom
}

// hourRange reads an hour field that is *, one hour, or one range.
func (e *Expr) hourRange() (lo, hi int, ok bool) {
	it := e.items[hour]
	if len(it) != 1 || it[0].step != 0 {
		return 0, 0, false
	}
	return it[0].lo, it[0].hi, true
}

func bits(set uint64) []int {
	var out []int
	for v := range 64 {
		if set&(1<<v) != 0 {
			out = append(out, v)
		}
	}
	return out
}

// Expression writes the cycle as a canonical DataWorks cron expression and
// checks it. A Custom cycle returns its Expr unchanged once it parses.
func (c Cycle) Expression() (string, error) {
	text, err := c.text()
	if err != nil {
		return "", err
	}
	if _, err := Parse(text); err != nil {
		return "", err
	}
	return text, nil
}

func (c Cycle) text() (string, error) {
	at := fmt.Sprintf("%02d %02d", c.Minute, c.Hour)
	switch c.Kind {
	case CycleMinute:
		return fmt.Sprintf("00 00-59/%d %s * * ?", c.Every, hourSpan(c.StartHour, c.EndHour)), nil
	case CycleHour:
		if len(c.Hours) > 0 {
			return fmt.Sprintf("00 %02d %s * * ?", c.Minute, list(c.Hours, 2)), nil
		}
		span := hourSpan(c.StartHour, c.EndHour)
		if c.Every > 1 {
			span = fmt.Sprintf("%02d-%02d/%d", c.StartHour, c.EndHour, c.Every)
		}
		return fmt.Sprintf("00 %02d %s * * ?", c.Minute, span), nil
	case CycleDay:
		return fmt.Sprintf("00 %s * * ?", at), nil
	case CycleWeek:
		return fmt.Sprintf("00 %s ? * %s", at, list(c.Weekdays, 0)), nil
	case CycleMonth:
		days := list(c.Days, 0)
		if c.LastDay {
			days = strings.TrimPrefix(days+",L", ",")
		}
		return fmt.Sprintf("00 %s %s * ?", at, days), nil
	case CycleYear:
		return fmt.Sprintf("00 %s %d %s ?", at, c.Day, list(c.Months, 0)), nil
	case CycleCustom:
		return strings.TrimSpace(c.Expr), nil
	}
	return "", &Error{Code: "cycle", Field: "cycle", Text: string(c.Kind), Message: cycleKindMessage(c.Kind)}
}

func hourSpan(lo, hi int) string {
	if lo == hi {
		return fmt.Sprintf("%02d", lo)
	}
	return fmt.Sprintf("%02d-%02d", lo, hi)
}

// list writes sorted, de-duplicated values separated by commas, padded to
// width digits.
func list(values []int, width int) string {
	v := slices.Clone(values)
	slices.Sort(v)
	v = slices.Compact(v)
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%0*d", width, x)
	}
	return strings.Join(parts, ",")
}

// ParseCycleKind reads a cycle name case-insensitively.
func ParseCycleKind(s string) (CycleKind, bool) {
	for _, k := range Cycles {
		if strings.EqualFold(string(k), s) {
			return k, true
		}
	}
	return "", false
}

// ParseInts reads a comma-separated list of integers, as a form posts it.
func ParseInts(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func cycleKindMessage(k CycleKind) i18n.Text {
	return i18n.Text{EN: fmt.Sprintf("cycle: %q is not a scheduling cycle; use Minute, Hour, Day, Week, Month, Year or Custom", string(k)),
		ZH: fmt.Sprintf("周期：「%s」不是调度周期；请选择分钟、小时、日、周、月、年或自定义", string(k))}
}

// Check reports the first builder input that is out of range, before any
// expression is written: Error.Field names the Cycle input ("hour",
// "minute", "every", "start_hour", "end_hour", "hours", "weekday", "days",
// "months", "day"), so the message can stand beside it.
func (c Cycle) Check() *Error {
	bad := func(field, en, zh string) *Error {
		return &Error{Code: "cycle_input", Field: field, Message: i18n.Text{EN: en, ZH: zh}}
	}
	inRange := func(field string, v, lo, hi int, en, zh string) *Error {
		if v < lo || v > hi {
			return bad(field, fmt.Sprintf("%s must be %d–%d (you entered %d)", en, lo, hi, v),
				fmt.Sprintf("%s须为 %d–%d（当前为 %d）", zh, lo, hi, v))
		}
		return nil
	}
	all := func(field string, vs []int, lo, hi int, en, zh string) *Error {
		for _, v := range vs {
			if err := inRange(field, v, lo, hi, en, zh); err != nil {
				return err
			}
		}
		return nil
	}
	var checks []*Error
	switch c.Kind {
	case CycleMinute:
		checks = append(checks, inRange("every", c.Every, 1, 59, "Every (minutes)", "间隔（分钟）"))
	case CycleHour:
		checks = append(checks, inRange("every", c.Every, 1, 23, "Every (hours)", "间隔（小时）"),
			all("hours", c.Hours, 0, 23, "Each hour", "小时"))
	}
	if c.Kind == CycleMinute || c.Kind == CycleHour {
		checks = append(checks, inRange("start_hour", c.StartHour, 0, 23, "From hour", "开始小时"),
			inRange("end_hour", c.EndHour, 0, 23, "To hour", "结束小时"))
		if c.StartHour > c.EndHour && len(c.Hours) == 0 {
			checks = append(checks, bad("end_hour", fmt.Sprintf("To hour (%d) must not be before From hour (%d)", c.EndHour, c.StartHour),
				fmt.Sprintf("结束小时（%d）不能早于开始小时（%d）", c.EndHour, c.StartHour)))
		}
	}
	if c.Kind != CycleMinute && c.Kind != CycleCustom {
		checks = append(checks, inRange("minute", c.Minute, 0, 59, "Minute", "分钟"))
	}
	if c.Kind == CycleDay || c.Kind == CycleWeek || c.Kind == CycleMonth || c.Kind == CycleYear {
		checks = append(checks, inRange("hour", c.Hour, 0, 23, "Hour", "小时"))
	}
	switch c.Kind {
	case CycleWeek:
		if len(c.Weekdays) == 0 {
			checks = append(checks, bad("weekday", "Pick at least one day of the week", "请至少选择一个星期几"))
		}
		checks = append(checks, all("weekday", c.Weekdays, 1, 7, "Day of the week", "星期"))
	case CycleMonth:
		if len(c.Days) == 0 && !c.LastDay {
			checks = append(checks, bad("days", "Enter at least one day of the month, or tick the last day", "请至少填写一个日期，或勾选每月最后一天"))
		}
		checks = append(checks, all("days", c.Days, 1, 31, "Day of the month", "日期"))
	case CycleYear:
		if len(c.Months) == 0 {
			checks = append(checks, bad("months", "Pick at least one month", "请至少选择一个月份"))
		}
		checks = append(checks, all("months", c.Months, 1, 12, "Month", "月份"), inRange("day", c.Day, 1, 31, "Day of the month", "日期"))
	}
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}
