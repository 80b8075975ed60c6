package cron

import (
	"fmt"
	"strconv"
	"strings"

	describer "github.com/lnquy/cron"

	"github.com/flowform/flowform/internal/i18n"
)

var weekdayNames = [8]i18n.Text{1: {EN: "Monday", ZH: "周一"}, {EN: "Tuesday", ZH: "周二"}, {EN: "Wednesday", ZH: "周三"},
	{EN: "Thursday", ZH: "周四"}, {EN: "Friday", ZH: "周五"}, {EN: "Saturday", ZH: "周六"}, {EN: "Sunday", ZH: "周日"}}

var monthNames = [13]string{1: "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"}

// custom describes expressions no cycle expresses. Its descriptions are
// read-only after construction, so one instance serves all goroutines.
var custom = func() *describer.ExpressionDescriptor {
	d, err := describer.NewDescriptor(describer.Use24HourTimeFormat(true),
		describer.SetLocales(describer.Locale_en, describer.Locale_zh_CN))
	if err != nil {
		panic(err) // the two locales are compiled in; failure is a build defect
	}
	return d
}()

// Describe says in words when the expression runs, in English and Chinese.
func (e *Expr) Describe() i18n.Text {
	c := e.Cycle()
	at := fmt.Sprintf("%02d:%02d", c.Hour, c.Minute)
	switch c.Kind {
	case CycleDay:
		return i18n.Sprintf("At %s every day", "每天 %s", at)
	case CycleMinute:
		if c.StartHour == 0 && c.EndHour == 23 {
			return i18n.Sprintf("Every %d minutes every day", "每天每 %d 分钟", c.Every)
		}
		// The last run is the last step inside the end hour: 18:45 for
		// every 15 minutes until 18:59.
		from, to := fmt.Sprintf("%02d:00", c.StartHour), fmt.Sprintf("%02d:%02d", c.EndHour, 59/c.Every*c.Every)
		return i18n.Text{EN: fmt.Sprintf("Every %d minutes from %s to %s every day", c.Every, from, to),
			ZH: fmt.Sprintf("每天 %s 至 %s 每 %d 分钟", from, to, c.Every)}
	case CycleHour:
		if len(c.Hours) > 0 {
			times := make([]i18n.Text, len(c.Hours))
			for i, h := range c.Hours {
				s := fmt.Sprintf("%02d:%02d", h, c.Minute)
				times[i] = i18n.Text{EN: s, ZH: s}
			}
			return i18n.Text{EN: fmt.Sprintf("At %s every day", joinEN(times)), ZH: fmt.Sprintf("每天 %s", joinZH(times))}
		}
		last := c.StartHour + (c.EndHour-c.StartHour)/c.Every*c.Every
		from, to := fmt.Sprintf("%02d:%02d", c.StartHour, c.Minute), fmt.Sprintf("%02d:%02d", last, c.Minute)
		if c.Every == 1 {
			return i18n.Text{EN: fmt.Sprintf("Every hour from %s to %s every day", from, to),
				ZH: fmt.Sprintf("每天 %s 至 %s 每小时", from, to)}
		}
		return i18n.Text{EN: fmt.Sprintf("Every %d hours from %s to %s every day", c.Every, from, to),
			ZH: fmt.Sprintf("每天 %s 至 %s 每 %d 小时", from, to, c.Every)}
	case CycleWeek:
		days := make([]i18n.Text, len(c.Weekdays))
		for i, d := range c.Weekdays {
			days[i] = weekdayNames[d]
		}
		return i18n.Text{EN: fmt.Sprintf("At %s every %s", at, joinEN(days)),
			ZH: fmt.Sprintf("每%s %s", joinZH(days), at)}
	case CycleMonth:
		var days []i18n.Text
		for _, d := range c.Days {
			days = append(days, i18n.Text{EN: strconv.Itoa(d), ZH: fmt.Sprintf("%d 日", d)})
		}
		if c.LastDay {
			days = append(days, i18n.Text{EN: "the last day", ZH: "最后一天"})
		}
		if len(c.Days) == 0 {
			return i18n.Text{EN: fmt.Sprintf("At %s on the last day of every month", at), ZH: fmt.Sprintf("每月最后一天 %s", at)}
		}
		return i18n.Text{EN: fmt.Sprintf("At %s on day %s of every month", at, joinEN(days)),
			ZH: fmt.Sprintf("每月 %s %s", joinZH(days), at)}
	case CycleYear:
		months := make([]i18n.Text, len(c.Months))
		for i, m := range c.Months {
			months[i] = i18n.Text{EN: monthNames[m], ZH: fmt.Sprintf("%d 月", m)}
		}
		return i18n.Text{EN: fmt.Sprintf("At %s on day %d of %s every year", at, c.Day, joinEN(months)),
			ZH: fmt.Sprintf("每年 %s的 %d 日 %s", joinZH(months), c.Day, at)}
	}
	return e.describeCustom()
}

func (e *Expr) describeCustom() i18n.Text {
	text := e.describerText()
	en, errEN := custom.ToDescription(text, describer.Locale_en)
	zh, errZH := custom.ToDescription(text, describer.Locale_zh_CN)
	if errEN != nil || errZH != nil {
		return i18n.Sprintf("Runs on the schedule %s", "按 %s 调度运行", e.Canonical())
	}
	return i18n.Text{EN: en, ZH: zh}
}

// describerText rewrites the expression for lnquy/cron: no zero padding
// (which degrades its sentences) and its day-of-week numbering, 0 = Sunday.
func (e *Expr) describerText() string {
	var b strings.Builder
	b.WriteString("0")
	for f := minute; f < fieldCount; f++ {
		b.WriteByte(' ')
		items := e.items[f]
		if f != dayOfWeek {
			writeItems(&b, f, items, false, false)
			continue
		}
		for i, it := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			switch it.kind {
			case itemLastWeekday:
				fmt.Fprintf(&b, "%dL", it.lo%7)
			case itemNthWeekday:
				fmt.Fprintf(&b, "%d#%d", it.lo%7, it.nth)
			case itemValues:
				writeItems(&b, f, expandDow([]item{it}), false, true)
			default:
				writeItems(&b, f, []item{it}, false, false)
			}
		}
	}
	return b.String()
}

// joinEN joins "a", "a and b", "a, b and c".
func joinEN(parts []i18n.Text) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.EN
	}
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// joinZH joins with the Chinese enumeration comma.
func joinZH(parts []i18n.Text) string {
	s := make([]string, len(parts))
	for i, p := range parts {
		s[i] = p.ZH
	}
	return strings.Join(s, "、")
}
