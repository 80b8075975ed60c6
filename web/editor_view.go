package web

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
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
// mapped to fields, the schedule explained, the summary and the preview.
type live struct {
	errs     map[string][]string
	nodeErrs map[int]int // errors per inner node
	explain  components.ExplainView
	summary  components.SummaryView
	preview  components.PreviewView
}

// storedInput is a draft as the editor shows it before any edit.
func storedInput(d *draft.Draft) editorInput {
	return editorInput{draftID: d.ID, doc: d.Spec, projectID: d.ProjectID, region: d.Region, view: formView(d.Spec.Form(), d.ProjectID, d.Region), node: -1}
}

// liveView computes the live parts for an editor input.
func (s *Server) liveView(lang i18n.Lang, in editorInput) live {
	d := &draft.Draft{Spec: in.doc, ProjectID: in.projectID, Region: in.region}
	report := d.Validate(s.now())
	l := live{errs: map[string][]string{}, nodeErrs: map[int]int{}}
	for k, v := range in.errs {
		l.errs[k] = append(l.errs[k], v...)
	}
	for _, f := range report.Errors {
		cf, node := s.formFinding(lang, f, in)
		l.preview.Errors = append(l.preview.Errors, cf)
		if cf.Field != "" {
			l.errs[cf.Field] = append(l.errs[cf.Field], cf.Message)
		}
		if node >= 0 {
			l.nodeErrs[node]++
		}
	}
	for _, f := range report.Warnings {
		cf, _ := s.formFinding(lang, f, in)
		l.preview.Warnings = append(l.preview.Warnings, cf)
	}
	for _, field := range slices.Sorted(maps.Keys(in.errs)) {
		for _, m := range in.errs[field] {
			l.preview.Errors = append(l.preview.Errors, components.Finding{Field: field, Message: m})
		}
	}
	l.preview.Highlighted = highlightJSON(in.doc.Indented())
	l.preview.Compact = string(in.doc.Canonical())
	form := in.doc.Form()
	l.preview.FileName = fileName(form.Name) + ".flowspec.json"
	if form.TriggerType != flowspec.TriggerManual {
		l.explain = s.explainSchedule(lang, form, in.region, in.view.ViewerZone, true)
	}
	l.summary = summarize(lang, form, l.explain, in)
	if in.doc.NodeCount() > 0 {
		l.summary.Nodes = shapeText(lang, in.doc.Graph())
	}
	l.summary.Errors, l.summary.Warnings = l.preview.Errors, l.preview.Warnings
	seen := map[string]bool{}
	for _, f := range l.summary.Warnings {
		seen[f.Message] = true
	}
	for _, w := range l.explain.Warnings { // the schedule's own: DST, the region's zone
		if !seen[w] {
			seen[w] = true
			l.summary.Warnings = append(l.summary.Warnings, components.Finding{Field: "timezone", Message: w})
		}
	}
	return l
}

// formFinding places a validation finding at the input it is about, in the
// form's words. A finding about an inner node stands at its input when
// that node's form is open, and links to the node's form otherwise; node
// is that node's index (-1 for the workflow's own findings).
func (s *Server) formFinding(lang i18n.Lang, fd flowspec.Finding, in editorInput) (f components.Finding, node int) {
	if fl, row, ok := flowspec.FieldAt(fd.Path); ok {
		return components.Finding{Path: fd.Path, Field: fl.Input(row), Message: fl.Say(fd, in.view.Values[fl.Name]).In(lang)}, -1
	}
	i, fl, row, ok := in.doc.NodeFieldAt(fd.Path)
	switch {
	case !ok:
		return components.Finding{Path: fd.Path, Message: fd.Message.In(lang)}, -1
	case in.draftID == "": // the read-only page: the node's section
		return components.Finding{Path: fd.Path, Message: fd.Message.In(lang), Href: "#node-" + strconv.Itoa(i)}, i
	case fl == nil:
		return components.Finding{Path: fd.Path, Message: fd.Message.In(lang), Href: nodeHref(in.draftID, i)}, i
	case i == in.node && (fl.Kind != flowspec.KindRows || row >= 0):
		return components.Finding{Path: fd.Path, Field: fl.Input(row), Message: fl.Say(fd, in.nodeTyped[fl.Name]).In(lang)}, i
	}
	return components.Finding{Path: fd.Path, Message: fl.Say(fd, "").In(lang), Href: strings.TrimSuffix(nodeHref(in.draftID, i), "#node-form") + "#" + fl.Input(max(row, 0))}, i
}

// summarize says what the workflow will do, in words.
func summarize(lang i18n.Lang, f flowspec.Form, x components.ExplainView, in editorInput) components.SummaryView {
	t := func(en, zh string) string { return i18n.Text{EN: en, ZH: zh}.In(lang) }
	field := func(name string) *flowspec.Field { fl, _ := flowspec.FieldNamed(name); return fl }
	sv := components.SummaryView{Name: f.Name, Stale: len(in.errs) > 0}
	switch {
	case f.TriggerType == flowspec.TriggerManual:
		sv.Schedule = t("Runs only when someone starts it by hand: no instances are generated on a schedule.", "仅在手动启动时运行：不会按调度生成实例。")
	case in.scheduleProblem != "":
		sv.Problem = in.scheduleProblem
	case x.Description == "":
		sv.Problem = t("The schedule cannot be read: see Cron expression.", "无法解读调度：请查看 Cron 表达式。")
	default:
		sv.Schedule = x.Description
		sv.FirstRun = x.FirstRun
		sv.Next = x.Runs[:min(3, len(x.Runs))]
		sv.Zone = x.Timezone
		if len(x.Runs) > 0 {
			sv.Zone += " (" + x.Runs[0].Offset + ")"
		}
		sv.Window = windowText(lang, f.StartTime, f.EndTime)
	}
	sv.RunState = map[string]string{
		"Skip":  t("Dry run: instances are marked successful without running.", "空跑：实例直接置为成功，不实际运行。"),
		"Pause": t("Paused: instances are generated but do not run, and hold back what depends on them.", "暂停：生成实例但不运行，并阻塞下游。"),
	}[f.RecurrenceType]
	if sv.RunState == "" {
		sv.RunState = t("Runs normally.", "正常运行。")
	}
	switch {
	case f.RerunMode == "Denied":
		sv.Retries = t("No retries; reruns are not allowed.", "不重试；不允许重跑。")
	case f.RerunTimes == 0:
		sv.Retries = t("No automatic retries.", "不自动重试。")
	default:
		sv.Retries = i18n.Sprintf("Retries up to %d times, %d minutes apart.", "最多自动重试 %d 次，间隔 %d 分钟。", f.RerunTimes, f.RerunIntervalMinutes).In(lang)
	}
	if f.FailureStrategy == "Continue" {
		sv.Retries += " " + t("A failed inner node does not stop the other branches.", "内部节点失败不会停止其他分支。")
	}
	if f.Timeout == 0 {
		sv.Timeout = t("None.", "不限。")
	} else {
		sv.Timeout = strconv.FormatInt(f.Timeout, 10) + " " + field("timeout_unit").ChoiceLabel(f.TimeoutUnit, lang)
	}
	return sv
}

// windowText is the effective window in words.
func windowText(lang i18n.Lang, start, end string) string {
	from, until := toLocalInput(start), toLocalInput(end)
	from, until = strings.Replace(from, "T", " ", 1), strings.Replace(until, "T", " ", 1)
	switch {
	case from == "" && until == "":
		return i18n.Text{EN: "Always.", ZH: "永久有效。"}.In(lang)
	case until == "":
		return i18n.Sprintf("From %s on.", "自 %s 起。", from).In(lang)
	case from == "":
		return i18n.Sprintf("Until %s.", "至 %s 止。", until).In(lang)
	}
	return i18n.Sprintf("From %s until %s.", "%s 至 %s。", from, until).In(lang)
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

// explainSchedule describes the schedule and lists its next runs in its
// zone, the viewer's and UTC, starting at the first run deploying now would
// produce — so the list never shows a run that will not happen.
//
// asDeployed false lists runs from now instead (the home page's explainer
// knows nothing of a deployment).
func (s *Server) explainSchedule(lang i18n.Lang, f flowspec.Form, region, viewerZone string, asDeployed bool) components.ExplainView {
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
	now := s.now()
	var viewer *time.Location
	if vl, _, err := cron.LoadZone(viewerZone); viewerZone != "" && err == nil && !sameClock(vl, loc, now) && !sameClock(vl, time.UTC, now) {
		viewer, x.ViewerZone = vl, viewerZone
	}
	x.Description = e.Describe().In(lang)
	for _, w := range e.Warnings() {
		x.Warnings = append(x.Warnings, w.Message.In(lang))
	}
	if w := zoneWarning(region, zone, loc, now); w != "" {
		x.Warnings = append(x.Warnings, i18n.Text{
			EN: "The schedule runs in " + zone + ", but workspaces in " + region + " usually use " + w + ": check the workspace's time zone.",
			ZH: "调度按 " + zone + " 运行，但 " + region + " 的工作空间通常使用 " + w + "：请核对工作空间时区。"}.In(lang))
	}
	from, rule := firstRunFrom(f.InstanceMode, loc, now)
	if !asDeployed {
		from = now
	}
	runs, err := e.Next(cron.Query{Location: loc, Now: from, Start: start, End: end, Count: defaultRuns})
	if err != nil {
		x.FirstRun = i18n.Text{EN: "No run is expected: the effective window ends before the first run.", ZH: "不会运行：生效期在首次运行前结束。"}.In(lang)
		return x
	}
	mark := map[string]i18n.Text{"Skip": {EN: "Dry run", ZH: "空跑"}, "Pause": {EN: "Paused", ZH: "暂停"}}[f.RecurrenceType].In(lang)
	for _, r := range runs {
		rv := components.RunView{Local: formatRun(r.At, lang), UTC: r.At.UTC().Format("2006-01-02 15:04"),
			Offset: cron.FormatOffset(r.At), Flag: r.Flag, Note: r.Note.In(lang), Mark: mark}
		if viewer != nil {
			rv.Viewer = formatRun(r.At.In(viewer), lang)
		}
		x.Runs = append(x.Runs, rv)
	}
	if !asDeployed {
		return x
	}
	x.FirstRun = i18n.Text{EN: fmt.Sprintf("First run expected %s if deployed now (%s).", x.Runs[0].Local, rule.EN),
		ZH: fmt.Sprintf("若现在发布，预计首次运行：%s（%s）。", x.Runs[0].Local, rule.ZH)}.In(lang)
	return x
}

var weekdaysZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// formatRun is a run's wall time with its weekday, in the page's language.
func formatRun(t time.Time, lang i18n.Lang) string {
	if lang == i18n.ZH {
		return t.Format("2006-01-02 ") + weekdaysZH[t.Weekday()] + t.Format(" 15:04 ") + cron.FormatOffset(t)
	}
	return t.Format("Mon 2006-01-02 15:04 ") + cron.FormatOffset(t)
}

// sameClock reports whether two zones show the same time now.
func sameClock(a, b *time.Location, now time.Time) bool {
	_, oa := now.In(a).Zone()
	_, ob := now.In(b).Zone()
	return oa == ob
}

// firstRunFrom applies the console's instance-generation rules to "deploy
// now": T+1 instances start tomorrow (the day after when deployed after
// 23:30); Immediately runs today's schedule times more than 10 minutes away.
func firstRunFrom(mode string, loc *time.Location, now time.Time) (time.Time, i18n.Text) {
	if mode == "Immediately" {
		return now.Add(10 * time.Minute), i18n.Text{EN: "Immediately: runs more than 10 minutes after deploying happen today", ZH: "即时生成：发布 10 分钟后的运行当天执行"}
	}
	local := now.In(loc)
	days := 1
	if local.Hour() == 23 && local.Minute() >= 30 {
		days = 2
	}
	y, m, d := local.Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, loc),
		i18n.Text{EN: "next day: instances start the day after deploying", ZH: "T+1：发布次日开始生成实例"}
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
