package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// endless is the effective-window end DataWorks writes for "no end".
const endless = cron.DefaultEnd

// editorInput is a posted editor form: the form applied to the draft's
// spec, what the user typed (for showing it back), and what could not be
// read (which blocks saving).
type editorInput struct {
	doc       *flowspec.Document
	projectID string
	region    string
	view      components.FormView
	errs      map[string][]string
}

// formView fills the editor's inputs from a document.
func formView(f flowspec.Form, projectID, region string) components.FormView {
	v := components.FormView{
		Name: f.Name, Folder: f.Folder, Description: f.Description, Owner: f.Owner,
		ProjectID: projectID, Region: region, TriggerType: f.TriggerType,
		Cron: f.Cron, CronBefore: f.Cron,
		StartTime: toLocalInput(f.StartTime), EndTime: toLocalInput(f.EndTime), Timezone: f.Timezone,
		DelaySeconds:   strconv.FormatInt(f.DelaySeconds, 10),
		RecurrenceType: f.RecurrenceType, InstanceMode: f.InstanceMode, RerunMode: f.RerunMode,
		RerunTimes: strconv.FormatInt(f.RerunTimes, 10), RerunInterval: strconv.FormatInt(f.RerunIntervalMinutes, 10),
		Timeout: strconv.FormatInt(f.Timeout, 10), TimeoutUnit: f.TimeoutUnit, FailureStrategy: f.FailureStrategy,
		Priority: strconv.FormatInt(f.Priority, 10), PriorityWeight: f.PriorityWeightStrategy,
		Cycle: cycleView(f.Cron),
	}
	suggested := flowspec.DefaultOutput("<project>", f.Name)
	v.SuggestedOutput = components.OutputRow{Data: suggested.Data, RefTableName: suggested.RefTableName}
	for _, p := range f.Parameters {
		v.Params = append(v.Params, components.ParamRow{Name: p.Name, Type: p.Type, Value: p.Value})
	}
	for _, o := range f.Outputs {
		v.Outputs = append(v.Outputs, components.OutputRow{Data: o.Data, RefTableName: o.RefTableName, IsDefault: o.IsDefault})
	}
	return v
}

// cycleView shows an expression in the builder; an invalid one shows Custom.
func cycleView(expr string) components.CycleView {
	e, err := cron.Parse(expr)
	if err != nil {
		return components.CycleView{Kind: string(cron.CycleCustom)}
	}
	return cycleToView(e.Cycle())
}

func cycleToView(c cron.Cycle) components.CycleView {
	v := components.CycleView{Kind: string(c.Kind), Weekdays: c.Weekdays, Months: c.Months, LastDay: c.LastDay,
		Hour: strconv.Itoa(c.Hour), Minute: strconv.Itoa(c.Minute)}
	switch c.Kind {
	case cron.CycleMinute, cron.CycleHour:
		v.Every, v.StartHour, v.EndHour = strconv.Itoa(c.Every), strconv.Itoa(c.StartHour), strconv.Itoa(c.EndHour)
		if len(c.Hours) > 0 {
			v.Hours = joinInts(c.Hours)
			v.Every, v.StartHour, v.EndHour = "1", "0", "23"
		}
	case cron.CycleMonth:
		v.Days = joinInts(c.Days)
	case cron.CycleYear:
		v.Day = strconv.Itoa(c.Day)
	}
	return v
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// toLocalInput turns "2026-01-01 00:00:00" into a datetime-local value; the
// endless end shows as empty.
func toLocalInput(s string) string {
	if s == endless {
		return ""
	}
	return strings.Replace(s, " ", "T", 1)
}

// fromLocalInput turns a datetime-local value back into FlowSpec's format.
func fromLocalInput(s string, empty string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return empty
	}
	s = strings.Replace(s, "T", " ", 1)
	if len(s) == len("2006-01-02 15:04") {
		s += ":00"
	}
	return s
}

// readEditorForm applies a posted editor form to a copy of the draft's spec.
// source says which part the user was editing: "builder" (the schedule
// builder writes the cron), "cron" (the raw cron wins and the builder
// follows), anything else (a whole-form post: whichever of the two changed).
func readEditorForm(c echo.Context, d *draft.Draft, lang i18n.Lang) editorInput {
	doc := d.Spec.Clone()
	f := doc.Form()
	in := editorInput{doc: doc, errs: map[string][]string{}}
	fail := func(field string, msg i18n.Text) { in.errs[field] = append(in.errs[field], msg.In(lang)) }
	v := formView(f, d.ProjectID, d.Region)
	form, _ := c.FormParams()
	has := func(k string) bool { _, ok := form[k]; return ok }
	text := func(k string, dst *string, view *string) {
		if has(k) {
			*dst = strings.TrimSpace(form.Get(k))
			*view = form.Get(k)
		}
	}
	number := func(k string, dst *int64, view *string) {
		if !has(k) {
			return
		}
		*view = form.Get(k)
		n, err := strconv.ParseInt(strings.TrimSpace(form.Get(k)), 10, 64)
		if err != nil {
			fail(k, i18n.Sprintf("%q is not a whole number", "「%s」不是整数", form.Get(k)))
			return
		}
		*dst = n
	}

	text("name", &f.Name, &v.Name)
	text("folder", &f.Folder, &v.Folder)
	text("description", &f.Description, &v.Description)
	text("owner", &f.Owner, &v.Owner)
	in.projectID, in.region = d.ProjectID, d.Region
	text("project_id", &in.projectID, &v.ProjectID)
	text("region", &in.region, &v.Region)
	if has("param_name") {
		f.Parameters, v.Params = nil, nil
		names, types, values := form["param_name"], form["param_type"], form["param_value"]
		for i, name := range names {
			p := flowspec.Parameter{Name: strings.TrimSpace(name), Type: at(types, i), Value: strings.TrimSpace(at(values, i))}
			if p.Name == "" && p.Value == "" {
				continue
			}
			f.Parameters = append(f.Parameters, p)
			v.Params = append(v.Params, components.ParamRow{Name: name, Type: p.Type, Value: at(values, i)})
		}
	}
	if has("output_data") {
		cur := d.Spec.Form().Outputs
		f.Outputs, v.Outputs = nil, nil
		refs := form["output_ref"]
		for i, data := range form["output_data"] {
			o := flowspec.Output{Data: strings.TrimSpace(data), RefTableName: strings.TrimSpace(at(refs, i))}
			if o.Data == "" && o.RefTableName == "" {
				continue
			}
			if n := len(f.Outputs); n < len(cur) {
				o.IsDefault = cur[n].IsDefault
			}
			f.Outputs = append(f.Outputs, o)
			v.Outputs = append(v.Outputs, components.OutputRow{Data: data, RefTableName: at(refs, i), IsDefault: o.IsDefault})
		}
	}

	text("trigger_type", &f.TriggerType, &v.TriggerType)
	if f.TriggerType != flowspec.TriggerManual {
		in.readSchedule(c, &f, &v, fail)
	}
	if has("start_time") {
		v.StartTime = form.Get("start_time")
		f.StartTime = fromLocalInput(v.StartTime, cron.DefaultStart)
	}
	if has("end_time") {
		v.EndTime = form.Get("end_time")
		f.EndTime = fromLocalInput(v.EndTime, endless)
	}
	text("timezone", &f.Timezone, &v.Timezone)
	number("delay_seconds", &f.DelaySeconds, &v.DelaySeconds)

	text("recurrence_type", &f.RecurrenceType, &v.RecurrenceType)
	text("instance_mode", &f.InstanceMode, &v.InstanceMode)
	text("rerun_mode", &f.RerunMode, &v.RerunMode)
	number("rerun_times", &f.RerunTimes, &v.RerunTimes)
	number("rerun_interval", &f.RerunIntervalMinutes, &v.RerunInterval)
	number("timeout", &f.Timeout, &v.Timeout)
	text("timeout_unit", &f.TimeoutUnit, &v.TimeoutUnit)
	text("failure_strategy", &f.FailureStrategy, &v.FailureStrategy)
	number("priority", &f.Priority, &v.Priority)
	text("priority_weight", &f.PriorityWeightStrategy, &v.PriorityWeight)
	v.ViewerZone = form.Get("viewer_tz")

	doc.Apply(f)
	// The spec's field limits, at the field that breaks one: the form is
	// refused like any other bad value, before anything is saved.
	if limit := doc.CheckLimits(); limit != nil {
		field := fieldFor(limit.Path)
		if field == "" {
			field = "name"
		}
		fail(field, limit.Message)
	}
	in.view = v
	return in
}

// readSchedule settles the cron expression from the builder and the raw
// input, keeping each in step with the other.
func (in *editorInput) readSchedule(c echo.Context, f *flowspec.Form, v *components.FormView, fail func(string, i18n.Text)) {
	params, _ := c.FormParams()
	form := map[string][]string(params)
	raw := strings.TrimSpace(at(form["cron"], 0))
	if _, ok := form["cron"]; !ok {
		raw = f.Cron
	}
	before := at(form["cron_before"], 0)
	v.CronBefore = before
	form = withCycleDefaults(form)
	builder, berr := builderCycle(form, fail)
	v.Cycle = builderView(form, v.Cycle)

	useBuilder := false
	switch at(form["source"], 0) {
	case "builder":
		useBuilder = berr == nil
	case "cron":
	default:
		// A whole-form post: the builder wins only if it was changed and
		// the raw input was not.
		if berr == nil && raw == before {
			if expr, err := builder.Expression(); err == nil && expr != cycleExpression(before) {
				useBuilder = true
			}
		}
	}
	if useBuilder && builder.Kind != cron.CycleCustom {
		expr, err := builder.Expression()
		if err != nil {
			fail("cycle", errText(err))
		} else {
			raw = expr
		}
	}
	f.Cron = raw
	v.Cron = raw
	if !useBuilder {
		// The builder follows the raw expression; one no cycle expresses is
		// Custom, and an invalid one leaves the builder as it was.
		if e, err := cron.Parse(raw); err == nil {
			v.Cycle = cycleToView(e.Cycle())
		}
	}
}

// cycleExpression is the builder's rendering of an expression, for telling
// whether the builder was touched.
func cycleExpression(expr string) string {
	e, err := cron.Parse(expr)
	if err != nil {
		return ""
	}
	out, _ := e.Cycle().Expression()
	return out
}

func errText(err error) i18n.Text {
	if ce, ok := err.(*cron.Error); ok {
		return ce.Message
	}
	return i18n.Text{EN: err.Error(), ZH: err.Error()}
}

// builderCycle reads the schedule builder's inputs.
func builderCycle(form map[string][]string, fail func(string, i18n.Text)) (cron.Cycle, error) {
	get := func(k string) string {
		if vs := form[k]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	kind, ok := cron.ParseCycleKind(get("cycle"))
	if !ok {
		return cron.Cycle{Kind: cron.CycleCustom}, fmt.Errorf("no cycle")
	}
	c := cron.Cycle{Kind: kind}
	var bad error
	num := func(k string, dst *int, def int) {
		s := get(k)
		if s == "" {
			*dst = def
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			fail(k, i18n.Sprintf("%q is not a whole number", "「%s」不是整数", s))
			bad = err
			return
		}
		*dst = n
	}
	list := func(k string) []int {
		var out []int
		for _, s := range form[k] {
			ns, err := cron.ParseInts(s)
			if err != nil {
				fail(k, i18n.Sprintf("%q is not a list of numbers such as 1,15", "「%s」不是数字列表，例如 1,15", s))
				bad = err
				return nil
			}
			out = append(out, ns...)
		}
		return out
	}
	num("hour", &c.Hour, 0)
	num("minute", &c.Minute, 0)
	switch kind {
	case cron.CycleMinute, cron.CycleHour:
		num("every", &c.Every, 1)
		num("start_hour", &c.StartHour, 0)
		num("end_hour", &c.EndHour, 23)
		if kind == cron.CycleHour {
			c.Hours = list("hours")
		}
	case cron.CycleWeek:
		c.Weekdays = list("weekday")
	case cron.CycleMonth:
		c.Days = list("days")
		c.LastDay = get("last_day") != ""
	case cron.CycleYear:
		c.Months = list("months")
		num("day", &c.Day, 1)
	}
	return c, bad
}

// builderView shows the builder inputs as typed.
func builderView(form map[string][]string, cur components.CycleView) components.CycleView {
	get := func(k, def string) string {
		if vs, ok := form[k]; ok && len(vs) > 0 {
			return vs[0]
		}
		return def
	}
	ints := func(k string) []int {
		var out []int
		for _, s := range form[k] {
			ns, _ := cron.ParseInts(s)
			out = append(out, ns...)
		}
		return out
	}
	v := components.CycleView{Kind: get("cycle", cur.Kind), Every: get("every", cur.Every), StartHour: get("start_hour", cur.StartHour),
		EndHour: get("end_hour", cur.EndHour), Hours: get("hours", cur.Hours), Hour: get("hour", cur.Hour), Minute: get("minute", cur.Minute),
		Days: get("days", cur.Days), LastDay: get("last_day", "") != "", Day: get("day", cur.Day),
		Weekdays: ints("weekday"), Months: ints("months")}
	return v
}

// cycleDefaults are the inputs a newly picked cycle starts with.
var cycleDefaults = map[string]map[string][]string{
	"Minute": {"every": {"15"}, "start_hour": {"0"}, "end_hour": {"23"}},
	"Hour":   {"every": {"1"}, "start_hour": {"0"}, "end_hour": {"23"}, "minute": {"0"}},
	"Week":   {"weekday": {"1"}},
	"Month":  {"days": {"1"}},
	"Year":   {"months": {"1"}, "day": {"1"}},
}

// withCycleDefaults fills the inputs a just-switched cycle did not show yet
// (the builder still showed the old cycle's inputs when the user picked
// the new one). cycle_before is the cycle the builder was showing.
func withCycleDefaults(form map[string][]string) map[string][]string {
	kind := at(form["cycle"], 0)
	if kind == at(form["cycle_before"], 0) {
		return form
	}
	out := make(map[string][]string, len(form))
	for k, v := range form {
		out[k] = v
	}
	for k, v := range cycleDefaults[kind] {
		if _, ok := out[k]; !ok {
			out[k] = v
		}
	}
	return out
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// fieldFor maps a finding's JSON path to the editor input that shows it.
func fieldFor(path string) string {
	const wf = "spec.workflows[0]."
	switch path {
	case "projectId":
		return "project_id"
	case "region":
		return "region"
	}
	p, ok := strings.CutPrefix(path, wf)
	if !ok {
		return ""
	}
	for prefix, field := range map[string]string{"script.parameters[": "param-", "outputs.nodeOutputs[": "output-"} {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			if i := strings.IndexByte(rest, ']'); i > 0 {
				return field + rest[:i]
			}
		}
	}
	return map[string]string{
		"name": "name", "script.path": "folder", "description": "description", "owner": "owner",
		"trigger.type": "trigger_type", "trigger.cron": "cron", "trigger.cycleType": "cron",
		"trigger.startTime": "start_time", "trigger.endTime": "end_time", "trigger.timezone": "timezone",
		"trigger.delaySeconds": "delay_seconds", "strategy.recurrenceType": "recurrence_type",
		"strategy.instanceMode": "instance_mode", "strategy.rerunMode": "rerun_mode", "strategy.rerunTimes": "rerun_times",
		"strategy.rerunInterval": "rerun_interval", "strategy.timeout": "timeout", "strategy.timeoutUnit": "timeout_unit",
		"strategy.failureStrategy": "failure_strategy", "strategy.priority": "priority",
		"strategy.priorityWeightStrategy": "priority_weight",
	}[p]
}

// errorFields lists the inputs on the page whose inline errors a live
// update refreshes.
func errorFields(v components.FormView) []string {
	fields := []string{"name", "folder", "description", "owner", "project_id", "region", "trigger_type", "cron",
		"start_time", "end_time", "timezone", "delay_seconds", "recurrence_type", "instance_mode", "rerun_mode",
		"rerun_times", "rerun_interval", "timeout", "timeout_unit", "failure_strategy", "priority", "priority_weight"}
	for i := range len(v.Params) + 1 {
		fields = append(fields, "param-"+strconv.Itoa(i))
	}
	for i := range len(v.Outputs) + 1 {
		fields = append(fields, "output-"+strconv.Itoa(i))
	}
	return slices.Clip(fields)
}

// builderFields lists the builder inputs of a cycle, for refreshing their
// inline errors when the builder itself is not re-rendered.
func builderFields(kind string) []string {
	return map[string][]string{
		"Minute": {"cycle", "every", "start_hour", "end_hour"},
		"Hour":   {"cycle", "every", "start_hour", "end_hour", "minute", "hours"},
		"Day":    {"cycle", "hour", "minute"},
		"Week":   {"cycle", "weekday", "hour", "minute"},
		"Month":  {"cycle", "days", "hour", "minute"},
		"Year":   {"cycle", "months", "day", "hour", "minute"},
	}[kind]
}
