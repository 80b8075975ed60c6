// Package cron implements the DataWorks cron dialect: six fields
// (second minute hour day-of-month month day-of-week), seconds fixed at 00,
// no year, "?" in one day field, L and # specials, and day-of-week numbered
// 1 = Monday … 7 = Sunday. It parses and validates expressions with
// bilingual messages, maps them to and from the console's scheduling cycles,
// describes them in words and lists their next runs in a time zone.
//
// Schedules are computed by github.com/netresearch/go-cron and custom
// expressions are described by github.com/lnquy/cron; this package is the
// adapter that translates the DataWorks dialect at their boundary.
package cron

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	gocron "github.com/netresearch/go-cron"

	"github.com/flowform/flowform/internal/i18n"
)

// MinInterval is the shortest gap DataWorks allows between two runs, in minutes.
const MinInterval = 5

// Field positions in an expression.
const (
	second = iota
	minute
	hour
	dayOfMonth
	month
	dayOfWeek
	fieldCount
)

type fieldInfo struct {
	name    i18n.Text // "minute" / "分钟"
	min     int
	max     int
	names   []string // MON…SUN or JAN…DEC, index 0 = min
	allowed i18n.Text
}

var fields = [fieldCount]fieldInfo{
	second: {i18n.Text{EN: "second", ZH: "秒"}, 0, 0, nil,
		i18n.Text{EN: "only 00: DataWorks schedules on whole minutes", ZH: "只能为 00：DataWorks 按整分钟调度"}},
	minute: {i18n.Text{EN: "minute", ZH: "分钟"}, 0, 59, nil,
		i18n.Text{EN: "0–59, *, ranges a-b, steps */n a/n a-b/n, lists a,b", ZH: "0–59、*、范围 a-b、步长 */n a/n a-b/n、列表 a,b"}},
	hour: {i18n.Text{EN: "hour", ZH: "小时"}, 0, 23, nil,
		i18n.Text{EN: "0–23, *, ranges a-b, steps */n a/n a-b/n, lists a,b", ZH: "0–23、*、范围 a-b、步长 */n a/n a-b/n、列表 a,b"}},
	dayOfMonth: {i18n.Text{EN: "day-of-month", ZH: "日"}, 1, 31, nil,
		i18n.Text{EN: "1–31, L (last day of the month), ?, *, ranges a-b, steps a/n, lists a,b", ZH: "1–31、L（每月最后一天）、?、*、范围 a-b、步长 a/n、列表 a,b"}},
	month: {i18n.Text{EN: "month", ZH: "月"}, 1, 12,
		[]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"},
		i18n.Text{EN: "1–12 or JAN–DEC, *, ranges a-b, steps a/n, lists a,b", ZH: "1–12 或 JAN–DEC、*、范围 a-b、步长 a/n、列表 a,b"}},
	dayOfWeek: {i18n.Text{EN: "day-of-week", ZH: "星期"}, 1, 7,
		[]string{"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"},
		i18n.Text{EN: "1–7 (1 = Monday … 7 = Sunday) or MON–SUN, ?, *, ranges a-b, lists a,b, nL (last weekday n of the month), n#k (k-th weekday n)", ZH: "1–7（1 = 星期一 … 7 = 星期日）或 MON–SUN、?、*、范围 a-b、列表 a,b、nL（每月最后一个星期 n）、n#k（每月第 k 个星期 n）"}},
}

// Error is a problem with an expression. Field is empty when the problem is
// with the expression as a whole.
type Error struct {
	Code    string    // stable identifier, e.g. "cron_value"
	Field   string    // "minute", "day-of-week", … or ""
	Text    string    // the offending text
	Message i18n.Text // full sentence naming the field, the text and what is allowed
}

func (e *Error) Error() string { return e.Message.EN }

func fieldError(f int, code, text string, what i18n.Text) *Error {
	info := fields[f]
	return &Error{
		Code:  code,
		Field: info.name.EN,
		Text:  text,
		Message: i18n.Text{
			EN: fmt.Sprintf("%s field: %q %s; allowed: %s", info.name.EN, text, what.EN, info.allowed.EN),
			ZH: fmt.Sprintf("%s字段：「%s」%s；允许：%s", info.name.ZH, text, what.ZH, info.allowed.ZH),
		},
	}
}

type itemKind uint8

const (
	itemAll         itemKind = iota // *  or */n
	itemAny                         // ?
	itemValues                      // n, a-b, a/n, a-b/n
	itemLastDay                     // L in day-of-month
	itemLastWeekday                 // nL in day-of-week
	itemNthWeekday                  // n#k in day-of-week
)

type item struct {
	kind         itemKind
	lo, hi, step int // itemValues and itemAll; step 0 means none written
	nth          int // itemNthWeekday: k
	startOnly    bool
}

// Expr is a parsed, valid DataWorks cron expression.
type Expr struct {
	text     string
	items    [fieldCount][]item
	sets     [fieldCount]uint64 // plain values each field matches (bit n = value n)
	warnings []*Error
	schedule gocron.Schedule
}

// engine is the schedule parser behind the adapter: Quartz-style fields with
// the extended specials, fed only with expressions this package rewrote.
// It searches 28 years ahead (the calendar's weekday-and-leap-year cycle) so
// rare schedules such as a fifth Monday in February (2044) are found.
var engine = gocron.MustNewParser(gocron.Second | gocron.Minute | gocron.Hour | gocron.Dom | gocron.Month | gocron.Dow | gocron.Extended).
	WithMaxSearchYears(searchYears)

const searchYears = 28

// parsed caches valid expressions by text: an Expr is immutable, and the
// same few schedules are parsed on every validation and page. The cache is
// emptied when full, so any input keeps it bounded.
var parsed = struct {
	sync.RWMutex
	m map[string]*Expr
}{m: map[string]*Expr{}}

const parsedCacheSize = 1024

// Parse validates s as a DataWorks cron expression. The error, when not nil,
// is an *Error naming the field, the offending text and what is allowed.
func Parse(s string) (*Expr, error) {
	parsed.RLock()
	e, ok := parsed.m[s]
	parsed.RUnlock()
	if ok {
		return e, nil
	}
	e, err := parse(s)
	if err != nil {
		return nil, err
	}
	parsed.Lock()
	if len(parsed.m) >= parsedCacheSize {
		clear(parsed.m)
	}
	parsed.m[s] = e
	parsed.Unlock()
	return e, nil
}

func parse(s string) (*Expr, error) {
	text := strings.TrimSpace(s)
	parts := strings.Fields(text)
	if len(parts) != fieldCount {
		return nil, countError(text, len(parts))
	}
	e := &Expr{text: text}
	for f, part := range parts {
		items, err := parseField(f, part)
		if err != nil {
			return nil, err
		}
		e.items[f] = items
		e.sets[f] = valueSet(f, items)
	}
	if err := e.checkDayFields(); err != nil {
		return nil, err
	}
	if err := e.checkInterval(); err != nil {
		return nil, err
	}
	e.checkEarlyDaily()
	sched, err := engine.Parse(e.engineText())
	if err != nil {
		// The dialect checks above should make this unreachable; report it
		// rather than guess.
		return nil, &Error{Code: "cron_unsupported", Text: text, Message: i18n.Sprintf(
			"cron expression %q cannot be scheduled: %v", "cron 表达式「%s」无法调度：%v", text, err)}
	}
	e.schedule = sched
	return e, nil
}

func countError(text string, n int) *Error {
	if n == fieldCount+1 {
		return &Error{Code: "cron_year", Text: text, Message: i18n.Sprintf(
			"cron expression %q has 7 fields: DataWorks has no year field; use 6 fields: second minute hour day-of-month month day-of-week",
			"cron 表达式「%s」有 7 个字段：DataWorks 没有年份字段；请使用 6 个字段：秒 分 时 日 月 星期", text)}
	}
	return &Error{Code: "cron_fields", Text: text, Message: i18n.Sprintf(
		"cron expression %q has %d fields; DataWorks needs 6: second minute hour day-of-month month day-of-week, e.g. 00 30 02 * * ?",
		"cron 表达式「%s」有 %d 个字段；DataWorks 需要 6 个：秒 分 时 日 月 星期，例如 00 30 02 * * ?", text, n)}
}

func parseField(f int, text string) ([]item, error) {
	var items []item
	for tok := range strings.SplitSeq(text, ",") {
		it, err := parseItem(f, tok)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	if len(items) > 1 {
		for _, it := range items {
			if it.kind == itemAll || it.kind == itemAny {
				return nil, fieldError(f, "cron_list", text, i18n.Text{EN: "mixes * or ? into a list", ZH: "在列表中混用了 * 或 ?"})
			}
		}
	}
	return items, nil
}

func parseItem(f int, tok string) (item, error) {
	bad := func(what i18n.Text) (item, error) { return item{}, fieldError(f, "cron_value", tok, what) }
	invalid := i18n.Text{EN: "is not valid", ZH: "无效"}
	up := strings.ToUpper(tok)
	if f == second {
		if tok == "0" || tok == "00" {
			return item{kind: itemValues}, nil
		}
		return bad(i18n.Text{EN: "is not allowed", ZH: "不允许"})
	}
	switch {
	case up == "":
		return bad(i18n.Text{EN: "is empty", ZH: "为空"})
	case up == "?":
		if f != dayOfMonth && f != dayOfWeek {
			return bad(i18n.Text{EN: "is only allowed in day-of-month or day-of-week", ZH: "只能用于日或星期字段"})
		}
		return item{kind: itemAny}, nil
	case up == "L" && f == dayOfMonth:
		return item{kind: itemLastDay}, nil
	case f == dayOfMonth && strings.HasSuffix(up, "W"):
		return bad(i18n.Text{EN: "uses W (nearest weekday), which DataWorks does not support", ZH: "使用了 W（最近工作日），DataWorks 不支持"})
	case f == dayOfWeek && strings.HasSuffix(up, "L"):
		v, err := value(f, strings.TrimSuffix(up, "L"))
		if err != nil {
			return bad(invalid)
		}
		return item{kind: itemLastWeekday, lo: v, hi: v}, nil
	case f == dayOfWeek && strings.Contains(up, "#"):
		day, nth, _ := strings.Cut(up, "#")
		v, err := value(f, day)
		k, kerr := strconv.Atoi(nth)
		if err != nil || kerr != nil || k < 1 || k > 5 {
			return bad(i18n.Text{EN: "is not valid: use n#k with n 1–7 and k 1–5", ZH: "无效：请用 n#k，n 为 1–7，k 为 1–5"})
		}
		return item{kind: itemNthWeekday, lo: v, hi: v, nth: k}, nil
	}

	base, stepText, hasStep := strings.Cut(up, "/")
	it := item{kind: itemValues}
	if hasStep {
		step, err := strconv.Atoi(stepText)
		if err != nil || step < 1 || step > fields[f].max {
			return bad(i18n.Sprintf("has an invalid step (1–%d)", "步长无效（1–%d）", fields[f].max))
		}
		it.step = step
	}
	switch {
	case base == "*":
		it.kind, it.lo, it.hi = itemAll, fields[f].min, fields[f].max
	case strings.Contains(base, "-"):
		a, b, _ := strings.Cut(base, "-")
		lo, err1 := value(f, a)
		hi, err2 := value(f, b)
		if err1 != nil || err2 != nil {
			return bad(invalid)
		}
		if lo > hi {
			return bad(i18n.Text{EN: "is a range that ends before it starts", ZH: "范围的结束早于开始"})
		}
		it.lo, it.hi = lo, hi
	default:
		v, err := value(f, base)
		if err != nil {
			return bad(invalid)
		}
		it.lo, it.hi = v, v
		if hasStep { // "a/n" runs from a to the end of the field
			it.hi, it.startOnly = fields[f].max, true
		}
	}
	return it, nil
}

// value reads one number or name of field f.
func value(f int, s string) (int, error) {
	info := fields[f]
	if i := slices.Index(info.names, s); i >= 0 {
		return info.min + i, nil
	}
	if s == "" || len(s) > 2 {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < info.min || n > info.max {
		return 0, strconv.ErrRange
	}
	return n, nil
}

func valueSet(f int, items []item) uint64 {
	var set uint64
	for _, it := range items {
		if it.kind != itemValues && it.kind != itemAll {
			continue
		}
		step := max(it.step, 1)
		for v := it.lo; v <= it.hi; v += step {
			set |= 1 << v
		}
	}
	return set
}

// restricted reports whether day field f limits the days (it is not * or ?).
func (e *Expr) restricted(f int) bool {
	it := e.items[f]
	return !(len(it) == 1 && (it[0].kind == itemAny || (it[0].kind == itemAll && it[0].step == 0)))
}

func (e *Expr) isAny(f int) bool { return len(e.items[f]) == 1 && e.items[f][0].kind == itemAny }

// checkDayFields enforces "? in exactly one day field". DataWorks' own legacy
// documentation writes "00 05 00 * * 2,5" (no ?), so a * beside a restricted
// field is accepted with a warning and Canonical writes it as ?.
func (e *Expr) checkDayFields() error {
	domAny, dowAny := e.isAny(dayOfMonth), e.isAny(dayOfWeek)
	switch {
	case domAny && dowAny:
		return &Error{Code: "cron_question", Field: fields[dayOfWeek].name.EN, Text: e.text, Message: i18n.Sprintf(
			"day-of-week field: %q has ? in both day-of-month and day-of-week; use ? in exactly one of them",
			"星期字段：「%s」的日和星期字段都是 ?；只能在其中一个使用 ?", e.text)}
	case domAny || dowAny:
		return nil
	case e.restricted(dayOfMonth) && e.restricted(dayOfWeek):
		return &Error{Code: "cron_question", Field: fields[dayOfWeek].name.EN, Text: e.text, Message: i18n.Sprintf(
			"day-of-week field: %q restricts both day-of-month and day-of-week; set one of them to ?",
			"星期字段：「%s」同时限制了日和星期；请将其中一个设为 ?", e.text)}
	}
	e.warnings = append(e.warnings, &Error{Code: "cron_question_missing", Field: fields[dayOfWeek].name.EN, Text: e.text, Message: i18n.Sprintf(
		"day-of-week field: %q has no ?; DataWorks writes ? in the unused day field (read as %q)",
		"星期字段：「%s」没有 ?；DataWorks 在不用的日/星期字段写 ?（按「%s」理解）", e.text, e.Canonical())})
	return nil
}

// minutesOfDay lists the minutes after midnight at which the expression runs
// on a day it runs at all.
func (e *Expr) minutesOfDay() []int {
	var out []int
	for h := 0; h < 24; h++ {
		if e.sets[hour]&(1<<h) == 0 {
			continue
		}
		for m := 0; m < 60; m++ {
			if e.sets[minute]&(1<<m) != 0 {
				out = append(out, h*60+m)
			}
		}
	}
	return out
}

func (e *Expr) everyDay() bool {
	return !e.restricted(dayOfMonth) && !e.restricted(dayOfWeek) && !e.restricted(month)
}

// checkInterval enforces DataWorks' minimum of 5 minutes between runs.
func (e *Expr) checkInterval() error {
	mins := e.minutesOfDay()
	gap := 24 * 60
	for i := 1; i < len(mins); i++ {
		gap = min(gap, mins[i]-mins[i-1])
	}
	if e.everyDay() && len(mins) > 0 {
		gap = min(gap, mins[0]+24*60-mins[len(mins)-1])
	}
	if gap >= MinInterval {
		return nil
	}
	return &Error{Code: "cron_interval", Field: fields[minute].name.EN, Text: e.text, Message: i18n.Sprintf(
		"minute field: %q runs every %d minute(s); DataWorks needs at least %d minutes between runs",
		"分钟字段：「%s」每 %d 分钟运行一次；DataWorks 要求两次运行至少间隔 %d 分钟", e.text, gap, MinInterval)}
}

// checkEarlyDaily warns about a once-a-day time before 00:05, which the
// legacy DataWorks documentation forbids but every workflow example uses.
func (e *Expr) checkEarlyDaily() {
	mins := e.minutesOfDay()
	if e.CycleType() == Daily && len(mins) == 1 && mins[0] < MinInterval {
		t := fmt.Sprintf("%02d:%02d", mins[0]/60, mins[0]%60)
		e.warnings = append(e.warnings, &Error{Code: "cron_early", Field: fields[hour].name.EN, Text: e.text, Message: i18n.Sprintf(
			"hour field: runs at %s; DataWorks recommends a daily time of 00:05 or later",
			"小时字段：在 %s 运行；DataWorks 建议每日时间不早于 00:05", t)})
	}
}

// Cycle types as FlowSpec's trigger.cycleType writes them.
const (
	Daily    = "Daily"
	NotDaily = "NotDaily"
)

// CycleType derives trigger.cycleType the way DataWorks does: NotDaily when
// the minute or hour field uses *, /, "," or -; Daily otherwise.
func (e *Expr) CycleType() string {
	for _, f := range []int{minute, hour} {
		if len(e.items[f]) > 1 {
			return NotDaily
		}
		if it := e.items[f][0]; it.kind == itemAll || it.lo != it.hi || it.step != 0 {
			return NotDaily
		}
	}
	return Daily
}

// String returns the expression as it was written (trimmed).
func (e *Expr) String() string { return e.text }

// Warnings lists problems that do not make the expression invalid.
func (e *Expr) Warnings() []*Error { return e.warnings }

// Canonical writes the expression as the DataWorks console does: single
// spaces, the first three fields zero-padded, names upper-case, and ? in the
// day field that does not restrict.
func (e *Expr) Canonical() string {
	var b strings.Builder
	for f := range fieldCount {
		if f > 0 {
			b.WriteByte(' ')
		}
		if f == second {
			b.WriteString("00")
			continue
		}
		items := e.items[f]
		if f == dayOfMonth && !e.isAny(dayOfWeek) && !e.restricted(dayOfMonth) && !e.isAny(dayOfMonth) {
			if e.restricted(dayOfWeek) {
				b.WriteByte('?')
				continue
			}
		}
		if f == dayOfWeek && !e.isAny(dayOfMonth) && !e.restricted(dayOfWeek) && !e.isAny(dayOfWeek) {
			b.WriteByte('?')
			continue
		}
		writeItems(&b, f, items, f <= hour, false)
	}
	return b.String()
}

// writeItems renders a field. pad zero-pads numbers; names writes
// day-of-week numbers as MON…SUN (the engine's unambiguous form).
func writeItems(b *strings.Builder, f int, items []item, pad, names bool) {
	num := func(v int) {
		switch {
		case names && f == dayOfWeek:
			b.WriteString(fields[f].names[v-1])
		case pad:
			fmt.Fprintf(b, "%02d", v)
		default:
			b.WriteString(strconv.Itoa(v))
		}
	}
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		switch it.kind {
		case itemAny:
			b.WriteByte('?')
		case itemAll:
			b.WriteByte('*')
		case itemLastDay:
			b.WriteByte('L')
		case itemLastWeekday:
			num(it.lo)
			if names {
				b.WriteString("#L")
			} else {
				b.WriteByte('L')
			}
		case itemNthWeekday:
			num(it.lo)
			fmt.Fprintf(b, "#%d", it.nth)
		case itemValues:
			num(it.lo)
			if it.hi != it.lo && !it.startOnly {
				b.WriteByte('-')
				num(it.hi)
			}
		}
		// A one-value range with a step ("0-0/1") is that value; written
		// as "00/1" it would read back as "from 0, every minute".
		single := it.kind == itemValues && !it.startOnly && it.lo == it.hi
		if it.step > 0 && !single {
			fmt.Fprintf(b, "/%d", it.step)
		}
	}
}

// engineText rewrites the expression for go-cron: day-of-week as names, so
// the engine's Sunday = 0 numbering never sees a DataWorks number, and
// day-of-week ranges expanded into lists (a range ending on Sunday would
// otherwise wrap around in the engine).
func (e *Expr) engineText() string {
	var b strings.Builder
	b.WriteString("0 ")
	for f := minute; f < fieldCount; f++ {
		items := e.items[f]
		if f == dayOfWeek {
			items = expandDow(items)
		}
		if f == dayOfMonth && !e.isAny(dayOfWeek) && !e.restricted(dayOfMonth) && e.restricted(dayOfWeek) {
			items = []item{{kind: itemAny}}
		}
		writeItems(&b, f, items, false, true)
		if f < dayOfWeek {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// expandDow turns day-of-week ranges and steps into single values.
func expandDow(items []item) []item {
	var out []item
	for _, it := range items {
		ranged := it.kind == itemValues || (it.kind == itemAll && it.step > 0)
		if !ranged || (it.lo == it.hi && it.step == 0) {
			out = append(out, it)
			continue
		}
		for v := it.lo; v <= it.hi; v += max(it.step, 1) {
			out = append(out, item{kind: itemValues, lo: v, hi: v})
		}
	}
	return out
}
