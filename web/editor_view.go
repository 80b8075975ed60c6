package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// live is everything that follows the form as the user types: findings
// mapped to fields, the schedule explained, and the preview.
type live struct {
	errs    map[string][]string
	explain components.ExplainView
	preview components.PreviewView
}

// liveView computes the live parts for a document.
func (s *Server) liveView(lang i18n.Lang, doc *flowspec.Document, projectID, region, viewerZone string, formErrs map[string][]string) live {
	d := &draft.Draft{Spec: doc, ProjectID: projectID, Region: region}
	report := d.Validate(s.now())
	l := live{errs: map[string][]string{}}
	for k, v := range formErrs {
		l.errs[k] = append(l.errs[k], v...)
	}
	finding := func(f flowspec.Finding) components.Finding {
		return components.Finding{Path: f.Path, Field: fieldFor(f.Path), Message: f.Message.In(lang)}
	}
	for _, f := range report.Errors {
		cf := finding(f)
		l.preview.Errors = append(l.preview.Errors, cf)
		if cf.Field != "" {
			l.errs[cf.Field] = append(l.errs[cf.Field], cf.Message)
		}
	}
	for _, f := range report.Warnings {
		l.preview.Warnings = append(l.preview.Warnings, finding(f))
	}
	for field, msgs := range formErrs {
		for _, m := range msgs {
			l.preview.Errors = append(l.preview.Errors, components.Finding{Field: field, Message: field + ": " + m})
		}
	}
	indented := doc.Indented()
	l.preview.Highlighted = highlightJSON(indented)
	l.preview.Compact = string(doc.Canonical())
	form := doc.Form()
	l.preview.FileName = fileName(form.Name) + ".flowspec.json"
	if form.TriggerType != flowspec.TriggerManual {
		l.explain = s.explainSchedule(lang, form, viewerZone)
	}
	return l
}

// fileName keeps letters, digits and -_. of a workflow name.
// attachment is a Content-Disposition for a download named name: an ASCII
// fallback for old clients and the UTF-8 name (RFC 6266, RFC 8187).
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x80 {
			return r
		}
		return '_'
	}, name)
	if ascii == name {
		return `attachment; filename="` + name + `"`
	}
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}

func fileName(name string) string {
	out := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, name)
	if out == "" {
		return "workflow"
	}
	return out
}

// explainSchedule describes the schedule, lists the next runs in its zone,
// the viewer's and UTC, and says when the first run is expected.
func (s *Server) explainSchedule(lang i18n.Lang, f flowspec.Form, viewerZone string) components.ExplainView {
	zone := f.Timezone
	if zone == "" {
		zone = cron.DefaultTimezone
	}
	x := components.ExplainView{Expr: f.Cron, Timezone: zone}
	e, err := cron.Parse(f.Cron)
	if err != nil {
		return x // the error is shown at the cron field
	}
	loc, _, err := cron.LoadZone(zone)
	if err != nil {
		return x
	}
	start, end, err := cron.ParseWindow(f.StartTime, f.EndTime, loc)
	if err != nil {
		return x
	}
	var viewer *time.Location
	if viewerZone != "" && viewerZone != zone {
		if vl, _, err := cron.LoadZone(viewerZone); err == nil {
			viewer, x.ViewerZone = vl, viewerZone
		}
	}
	now := s.now()
	runs, err := e.Next(cron.Query{Location: loc, Now: now, Start: start, End: end, Count: defaultRuns})
	if err != nil {
		x.Errors = append(x.Errors, errText(err).In(lang))
		return x
	}
	x.Description, x.CycleType = e.Describe().In(lang), e.CycleType()
	for _, w := range e.Warnings() {
		x.Warnings = append(x.Warnings, w.Message.In(lang))
	}
	for _, r := range runs {
		rv := components.RunView{Local: r.At.Format("Mon 2006-01-02 15:04 ") + cron.FormatOffset(r.At),
			UTC: r.At.UTC().Format("2006-01-02 15:04"), Flag: r.Flag, Note: r.Note.In(lang)}
		if viewer != nil {
			rv.Viewer = r.At.In(viewer).Format("Mon 2006-01-02 15:04")
		}
		x.Runs = append(x.Runs, rv)
	}
	x.FirstRun = s.firstRun(lang, e, loc, start, end, f.InstanceMode, now)
	return x
}

// firstRun applies the console's instance-generation rules to "deploy now":
// T+1 instances start tomorrow (the day after when deployed after 23:30);
// Immediately runs today's schedule times more than 10 minutes away.
func (s *Server) firstRun(lang i18n.Lang, e *cron.Expr, loc *time.Location, start, end time.Time, mode string, now time.Time) string {
	local := now.In(loc)
	from, rule := now, i18n.Text{}
	switch mode {
	case "Immediately":
		from = now.Add(10 * time.Minute)
		rule = i18n.Text{EN: "Immediately: runs more than 10 minutes after deploying happen today", ZH: "即时生成：发布 10 分钟后的运行当天执行"}
	default:
		days := 1
		if local.Hour() == 23 && local.Minute() >= 30 {
			days = 2
		}
		y, m, d := local.Date()
		from = time.Date(y, m, d+days, 0, 0, 0, 0, loc)
		rule = i18n.Text{EN: "T+1: instances start the day after deploying (two days after, past 23:30)", ZH: "T+1：发布次日开始生成实例（23:30 后发布则为第三天）"}
	}
	if start.After(from) {
		from = start
	}
	runs, err := e.Next(cron.Query{Location: loc, Now: from, End: end, Count: 1})
	if err != nil {
		return i18n.Text{EN: "No run is expected: the effective window ends first.", ZH: "不会运行：生效期先结束了。"}.In(lang)
	}
	at := runs[0].At.Format("Mon 2006-01-02 15:04 ") + cron.FormatOffset(runs[0].At)
	return fmt.Sprintf(i18n.Text{EN: "First run expected %s if deployed now (%s).", ZH: "若现在发布，预计首次运行：%s（%s）。"}.In(lang), at, rule.In(lang))
}

// zoneOptions is the searchable zone list with current offsets, computed
// once an hour (offsets change only with daylight saving time).
func (s *Server) zoneOptions() []components.Option {
	now := s.now()
	hour := now.Truncate(time.Hour)
	s.zones.Lock()
	defer s.zones.Unlock()
	if s.zones.hour.Equal(hour) && s.zones.list != nil {
		return s.zones.list
	}
	out := make([]components.Option, 0, len(commonZones))
	for _, z := range commonZones {
		loc, _, err := cron.LoadZone(z)
		if err != nil {
			continue
		}
		out = append(out, components.Option{Value: z, Label: cron.FormatOffset(now.In(loc))})
	}
	s.zones.hour, s.zones.list = hour, out
	return out
}
