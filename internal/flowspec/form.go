package flowspec

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/flowform/flowform/internal/cron"
)

// Form is what the designer's form edits, in the form's units: rerun
// interval in minutes, folder and name apart. It is read from a document with
// Document.Form and written back with Document.Apply.
type Form struct {
	Name        string
	Folder      string // script.path without its last segment
	Description string
	Owner       string
	Parameters  []Parameter

	TriggerType  string // Scheduler or Manual
	Cron         string
	StartTime    string
	EndTime      string
	Timezone     string
	DelaySeconds int64

	RecurrenceType         string
	InstanceMode           string
	RerunMode              string
	RerunTimes             int64
	RerunIntervalMinutes   int64
	Timeout                int64
	TimeoutUnit            string
	FailureStrategy        string
	Priority               int64
	PriorityWeightStrategy string

	Outputs []Output
}

// Parameter is one workflow parameter row.
type Parameter struct {
	Name  string
	Type  string // a VariableType label, usually System or Constant
	Value string // e.g. $[yyyymmdd-1]
}

// Output is one node output row. IsDefault marks the output DataWorks adds
// itself; the form shows it but does not change it.
type Output struct {
	Data         string
	RefTableName string
	IsDefault    bool
}

// Defaults DataWorks applies when a field is absent (see Fields).
const (
	defaultPriority    = 1
	defaultTimeoutUnit = "HOURS"
)

// Form reads the edited fields. Absent fields read as DataWorks' defaults.
func (d *Document) Form() Form {
	wf := d.workflow()
	f := Form{Name: text(wf, "name")}
	for _, fl := range plainFields {
		obj, key := fl.fieldObject(wf, false)
		switch {
		case fl.text != nil:
			v := text(obj, key)
			if v == "" {
				v = fl.Default // what DataWorks applies when it is absent
			}
			*fl.text(&f) = v
		case fl.number != nil:
			def, _ := strconv.ParseInt(fl.Default, 10, 64)
			*fl.number(&f) = number(obj, key, def*fl.Scale()) / fl.Scale()
		}
	}
	trigger, script := wf.get("trigger"), wf.get("script")
	f.TriggerType, f.Cron = text(trigger, "type"), text(trigger, "cron")
	if f.TriggerType == "" {
		if k, _ := d.root.get("kind").str(); k == KindManual {
			f.TriggerType = TriggerManual
		} else {
			f.TriggerType = TriggerScheduler
		}
	}
	if p := text(script, "path"); p != "" {
		f.Folder = strings.TrimSuffix(path.Dir("/"+p), "/")
		f.Folder = strings.TrimPrefix(f.Folder, "/")
	}
	for _, p := range script.get("parameters").itemsOrNil() {
		f.Parameters = append(f.Parameters, Parameter{Name: text(p, "name"), Type: text(p, "type"), Value: text(p, "value")})
	}
	for _, o := range wf.get("outputs").get("nodeOutputs").itemsOrNil() {
		def := o.get("isDefault")
		f.Outputs = append(f.Outputs, Output{Data: text(o, "data"), RefTableName: text(o, "refTableName"),
			IsDefault: def != nil && def.kind == kindBool && def.boolean})
	}
	return f
}

// fieldObject is the object holding a plain field and the field's key in
// it; with create, a missing container is made.
func (fl *Field) fieldObject(wf *node, create bool) (*node, string) {
	parent, key := fl.container()
	if parent == "" {
		return wf, key
	}
	if create {
		return ensure(wf, parent), key
	}
	return wf.get(parent), key
}

func text(obj *node, key string) string {
	s, _ := obj.get(key).str()
	return s
}

func number(obj *node, key string, absent int64) int64 {
	n := obj.get(key)
	if n == nil {
		return absent
	}
	v, _ := n.integer()
	return v
}

// Apply writes the form onto the document, touching only the fields whose
// value differs from what Form reads: an unedited field keeps its exact
// bytes, and fields the form does not know are never touched.
func (d *Document) Apply(f Form) {
	cur := d.Form()
	// Containers are created only when a value is written into them, so an
	// unchanged form leaves the document byte-identical.
	wf := lazy(d.ensureWorkflow)
	spec := lazy(func() *node { return ensure(d.root, "spec") })
	script := lazy(func() *node { return ensure(wf(), "script") })
	trigger := lazy(func() *node { return ensure(wf(), "trigger") })

	if f.Name != cur.Name {
		if old, _ := spec().get("name").str(); old == cur.Name {
			spec().set("name", stringNode(f.Name)) // spec.name repeats the workflow name
		}
		wf().set("name", stringNode(f.Name))
	}
	if f.Name != cur.Name || cleanFolder(f.Folder) != cleanFolder(cur.Folder) {
		p := f.Name
		if folder := cleanFolder(f.Folder); folder != "" {
			p = folder + "/" + f.Name
		}
		script().set("path", stringNode(p))
	}
	if !slices.Equal(f.Parameters, cur.Parameters) {
		applyParameters(script(), f.Parameters)
	}

	if f.TriggerType != cur.TriggerType {
		kind := KindCycle
		if f.TriggerType == TriggerManual {
			kind = KindManual
		}
		d.root.set("kind", stringNode(kind))
		spec().set("type", stringNode(kind))
		trigger().set("type", stringNode(f.TriggerType))
	}
	if f.TriggerType != TriggerManual && f.Cron != cur.Cron {
		trigger().set("cron", stringNode(f.Cron))
		// cycleType is optional; when present it must follow the cron.
		if _, ok := trigger().get("cycleType").str(); ok {
			if e, err := cron.Parse(f.Cron); err == nil {
				trigger().set("cycleType", stringNode(e.CycleType()))
			}
		}
	}
	if f.RerunMode == "Denied" {
		f.RerunTimes = 0 // retries mean nothing when rerun is denied (V15)
	}
	for _, fl := range plainFields {
		if fl.Section == SectionTrigger && f.TriggerType == TriggerManual {
			continue // a manual workflow keeps its schedule fields untouched
		}
		if old, v := fl.Value(&cur), fl.Value(&f); old != v {
			obj, key := fl.fieldObject(wf(), true)
			switch {
			case fl.number != nil:
				obj.set(key, intNode(*fl.number(&f)*fl.Scale()))
			case v == "":
				obj.remove(key)
			default:
				obj.set(key, stringNode(v))
			}
		}
	}

	if !slices.Equal(f.Outputs, cur.Outputs) {
		applyOutputs(ensure(wf(), "outputs"), f.Outputs)
	}
}

// lazy memoises get, so a container is looked up (or created) on first use.
func lazy(get func() *node) func() *node {
	var n *node
	return func() *node {
		if n == nil {
			n = get()
		}
		return n
	}
}

func cleanFolder(s string) string { return strings.Trim(strings.TrimSpace(s), "/") }

// applyParameters rewrites parameter rows in place, keeping each row's
// unknown fields; new rows get the workflow-parameter constants.
func applyParameters(script *node, rows []Parameter) {
	applyRows(script, "parameters", len(rows), func(i int) *node {
		return objectNode(member{"artifactType", stringNode("Variable")}, member{"name", stringNode(rows[i].Name)},
			member{"scope", stringNode("Workflow")}, member{"type", stringNode(rows[i].Type)}, member{"value", stringNode(rows[i].Value)})
	}, func(i int, p *node) {
		setAll(p, "name", rows[i].Name, "type", rows[i].Type, "value", rows[i].Value)
	})
}

// applyOutputs rewrites output rows in place like applyParameters.
func applyOutputs(outputs *node, rows []Output) {
	applyRows(outputs, "nodeOutputs", len(rows), func(i int) *node {
		return objectNode(member{"data", stringNode(rows[i].Data)}, member{"artifactType", stringNode("NodeOutput")},
			member{"refTableName", stringNode(rows[i].RefTableName)}, member{"isDefault", boolNode(false)})
	}, func(i int, o *node) {
		setAll(o, "data", rows[i].Data, "refTableName", rows[i].RefTableName)
	})
}

// applyRows makes the array under key hold n rows: existing object rows are
// updated in place (their other fields kept), missing ones created, extra
// ones dropped.
func applyRows(parent *node, key string, n int, create func(i int) *node, update func(i int, row *node)) {
	list := parent.get(key)
	if list == nil || list.kind != kindArray {
		list = &node{kind: kindArray}
		parent.set(key, list)
	}
	for i := range n {
		switch {
		case i >= len(list.items):
			list.items = append(list.items, create(i))
		case list.items[i].kind != kindObject:
			list.items[i] = create(i)
		default:
			update(i, list.items[i])
		}
	}
	list.items = list.items[:n]
}

// setAll sets key/value string pairs that differ from the current values.
func setAll(obj *node, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if old, _ := obj.get(pairs[i]).str(); old != pairs[i+1] {
			obj.set(pairs[i], stringNode(pairs[i+1]))
		}
	}
}

// DefaultOutput suggests the output name the console uses:
// <project identifier>.<workflow name>.
func DefaultOutput(projectIdentifier, name string) Output {
	data := name
	if projectIdentifier != "" {
		data = projectIdentifier + "." + name
	}
	return Output{Data: data, RefTableName: name}
}

// SetWorkflowID writes a workflow Id into spec.id and workflows[0].id, as
// UpdateWorkflowDefinition expects.
func (d *Document) SetWorkflowID(id string) {
	ensure(d.root, "spec").set("id", stringNode(id))
	d.ensureWorkflow().set("id", stringNode(id))
}
