package web

import (
	"errors"
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
	draftID   string
	doc       *flowspec.Document
	projectID string
	region    string
	view      components.FormView
	errs      map[string][]string
	// scheduleProblem says why the builder's schedule could not be read.
	scheduleProblem string
	// rowsChanged says rows were added or removed, so the live view
	// redraws them.
	paramsChanged, outputsChanged bool

	// node is the inner node whose form the page shows (-1: none);
	// nodeTyped is what its form posted, nodeRowsChanged that its rows
	// grew or shrank.
	node            int
	nodeTyped       map[string]string
	nodeRowsChanged bool
	// planOpen says the delivery plan panel is open, so it is drawn.
	planOpen bool
}

// formView fills the editor's inputs from a document.
func formView(f flowspec.Form, projectID, region string) components.FormView {
	v := components.FormView{Values: make(map[string]string, len(flowspec.Fields)), CronBefore: f.Cron, Cycle: cycleView(f.Cron)}
	for _, fl := range flowspec.Fields {
		switch fl.Name {
		case "project_id":
			v.Values[fl.Name] = projectID
		case "region":
			v.Values[fl.Name] = region
		case "start_time", "end_time":
			v.Values[fl.Name] = toLocalInput(fl.Value(&f))
		default:
			v.Values[fl.Name] = fl.Value(&f)
		}
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

// kindNames are the field kinds as the templates name them.
var kindNames = map[flowspec.FieldKind]string{flowspec.KindText: "text", flowspec.KindNumber: "number",
	flowspec.KindChoice: "choice", flowspec.KindTime: "time"}

// inputs describes every input of the field table for the editor.
func inputs(lang i18n.Lang, v components.FormView, errs map[string][]string) map[string]components.FieldView {
	out := make(map[string]components.FieldView, len(flowspec.Fields))
	for _, fl := range flowspec.Fields {
		if fl.Kind == flowspec.KindRows {
			continue
		}
		fv := components.FieldView{Name: fl.Name, Label: fl.Label.In(lang), Help: fl.Help.In(lang), Kind: kindNames[fl.Kind],
			Unit: fl.Unit.Name.In(lang), Value: v.Values[fl.Name], Errors: errs[fl.Name],
			List: map[string]string{"timezone": "zones", "region": "regions"}[fl.Name]}
		if fl.Kind == flowspec.KindNumber {
			fv.Min = strconv.FormatInt(fl.Min, 10)
			if fl.Max > 0 {
				fv.Max = strconv.FormatInt(fl.Max, 10)
			}
		}
		for _, c := range fl.Choices {
			fv.Options = append(fv.Options, components.Option{Value: c.Value, Label: c.Label.In(lang)})
		}
		out[fl.Name] = fv
	}
	return out
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
// default start and the endless end show as empty.
func toLocalInput(s string) string {
	if s == endless || s == cron.DefaultStart {
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
	in := editorInput{draftID: d.ID, doc: doc, errs: map[string][]string{}, projectID: d.ProjectID, region: d.Region, node: -1, nodeTyped: map[string]string{}}
	fail := func(field string, msg i18n.Text) { in.errs[field] = append(in.errs[field], msg.In(lang)) }
	v := formView(f, d.ProjectID, d.Region)
	form, _ := c.FormParams()
	for _, fl := range flowspec.Fields {
		raw, posted := form[fl.Name]
		if !posted || fl.Kind == flowspec.KindRows || fl.Name == "cron" {
			continue // rows and the schedule are read below
		}
		v.Values[fl.Name] = raw[0]
		switch fl.Name {
		case "project_id":
			in.projectID = strings.TrimSpace(raw[0])
		case "region":
			in.region = strings.TrimSpace(raw[0])
		case "start_time":
			f.StartTime = fromLocalInput(raw[0], cron.DefaultStart)
		case "end_time":
			f.EndTime = fromLocalInput(raw[0], endless)
		default:
			var fe *flowspec.FieldError
			if err := fl.Set(&f, raw[0]); errors.As(err, &fe) {
				fail(fl.Name, fe.Message)
			}
		}
	}
	if _, ok := form["param_name"]; ok {
		f.Parameters, v.Params = nil, nil
		names, types, values := form["param_name"], form["param_type"], form["param_value"]
		remove := rowIndex(form, "remove_param")
		for i, name := range names {
			p := flowspec.Parameter{Name: strings.TrimSpace(name), Type: at(types, i), Value: strings.TrimSpace(at(values, i))}
			if i == remove || p.Name == "" && p.Value == "" {
				continue
			}
			f.Parameters = append(f.Parameters, p)
			v.Params = append(v.Params, components.ParamRow{Name: name, Type: p.Type, Value: at(values, i)})
		}
		in.paramsChanged = at(form["param_rows"], 0) != strconv.Itoa(len(v.Params)+1)
	}
	if _, ok := form["output_data"]; ok {
		cur := d.Spec.Form().Outputs
		f.Outputs, v.Outputs = nil, nil
		refs := form["output_ref"]
		remove := rowIndex(form, "remove_output")
		for i, data := range form["output_data"] {
			o := flowspec.Output{Data: strings.TrimSpace(data), RefTableName: strings.TrimSpace(at(refs, i))}
			if i == remove || o.Data == "" && o.RefTableName == "" {
				continue
			}
			if n := len(f.Outputs); n < len(cur) {
				o.IsDefault = cur[n].IsDefault
			}
			f.Outputs = append(f.Outputs, o)
			v.Outputs = append(v.Outputs, components.OutputRow{Data: data, RefTableName: at(refs, i), IsDefault: o.IsDefault})
		}
		in.outputsChanged = at(form["output_rows"], 0) != strconv.Itoa(len(v.Outputs)+1)
	}
	suggested := flowspec.DefaultOutput("<project>", f.Name)
	v.SuggestedOutput = components.OutputRow{Data: suggested.Data, RefTableName: suggested.RefTableName}

	if f.TriggerType != flowspec.TriggerManual {
		in.readSchedule(form, &f, &v, fail, lang)
	}
	v.Values["cron"] = f.Cron
	v.ViewerZone = form.Get("viewer_tz")

	doc.Apply(f)
	readNodeForm(form, &in, fail)
	in.planOpen = at(form["plan_open"], 0) == "1"
	// The spec's field limits, at the field that breaks one: the form is
	// refused like any other bad value, before anything is saved.
	if limit := doc.CheckLimits(); limit != nil {
		field, msg := "name", limit.Message
		if fl, row, ok := flowspec.FieldAt(limit.Path); ok {
			field, msg = fl.Input(row), fl.Say(*limit, "")
		} else if i, fl, row, ok := doc.NodeFieldAt(limit.Path); ok && i == in.node && fl != nil {
			field, msg = fl.Input(row), fl.Say(*limit, "")
		}
		fail(field, msg)
	}
	in.view = v
	return in
}

// rowIndex is the row a remove button names, or -1.
func rowIndex(form map[string][]string, key string) int {
	n, err := strconv.Atoi(at(form[key], 0))
	if err != nil {
		return -1
	}
	return n
}

// readSchedule settles the cron expression from the builder and the raw
// input, keeping each in step with the other. A builder input out of range
// is reported at that input, and the schedule is left as it was.
func (in *editorInput) readSchedule(form map[string][]string, f *flowspec.Form, v *components.FormView, fail func(string, i18n.Text), lang i18n.Lang) {
	raw := strings.TrimSpace(at(form["cron"], 0))
	if _, ok := form["cron"]; !ok {
		raw = f.Cron
	}
	before := at(form["cron_before"], 0)
	if _, ok := form["cron_before"]; !ok {
		before = f.Cron
	}
	v.CronBefore = before
	form = withCycleDefaults(form)
	builderFail := fail
	if at(form["source"], 0) == "cron" {
		builderFail = func(string, i18n.Text) {} // the builder is about to follow the cron typed
	}
	builder, berr := builderCycle(form, builderFail)
	if berr == nil {
		if err := builder.Check(); err != nil {
			builderFail(err.Field, err.Message)
			berr = err
		}
	}
	v.Cycle = builderView(form, v.Cycle)

	useBuilder := false
	switch at(form["source"], 0) {
	case "builder":
		useBuilder = berr == nil
		if berr != nil {
			why := errText(berr)
			in.scheduleProblem = i18n.Text{EN: "The schedule is not updated: " + why.EN, ZH: "调度未更新：" + why.ZH}.In(lang)
		}
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

var errEmptyInput = errors.New("an emptied builder input")

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
		if _, shown := form[k]; shown && s == "" {
			// An input the builder showed and the user emptied: never
			// read as midnight or as the first day.
			fail(k, i18n.Text{EN: "Enter a number here", ZH: "请在此填写数字"})
			bad = errEmptyInput
			return
		}
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

// withCycleDefaults gives a just-switched cycle its own inputs: the builder
// still showed the old cycle's inputs when the user picked the new one, so
// those are dropped (the time of day is kept) and the new cycle's defaults
// filled in. cycle_before is the cycle the builder was showing.
func withCycleDefaults(form map[string][]string) map[string][]string {
	kind := at(form["cycle"], 0)
	if kind == at(form["cycle_before"], 0) {
		return form
	}
	out := make(map[string][]string, len(form))
	for k, v := range form {
		if k == "cycle" || k == "hour" || k == "minute" || !slices.Contains(builderInputs, k) && k != "last_day" {
			out[k] = v
		}
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

// builderInputs are the schedule builder's error slots, redrawn with it.
var builderInputs = []string{"cycle", "every", "start_hour", "end_hour", "hours", "hour", "minute", "weekday", "days", "months", "day"}
