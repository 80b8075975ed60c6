// Package flowspec is the FlowSpec document a draft is made of: typed access
// to the fields FlowForm edits, every other field kept as it came, one
// canonical encoder, import of every published version, and validation with
// stable codes, JSON paths and bilingual messages.
package flowspec

import (
	"fmt"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// Kinds and trigger types FlowForm creates.
const (
	KindCycle  = "CycleWorkflow"
	KindManual = "ManualWorkflow"

	TriggerScheduler = "Scheduler"
	TriggerManual    = "Manual"
)

// Document is a FlowSpec document. Unknown fields at every level are kept in
// their original order with their original values.
type Document struct {
	root *node
}

// Canonical returns the compact canonical JSON: the exact bytes submission
// sends.
func (d *Document) Canonical() []byte {
	e := encoder{buf: make([]byte, 0, 2048)}
	e.value(d.root, shapeRoot, 0)
	return e.buf
}

// Indented returns the canonical JSON indented by two spaces, for preview.
// It holds the same content as Canonical.
func (d *Document) Indented() []byte {
	e := encoder{buf: make([]byte, 0, 4096), indent: "  "}
	e.value(d.root, shapeRoot, 0)
	return append(e.buf, '\n')
}

// Clone returns an independent copy.
func (d *Document) Clone() *Document { return &Document{root: d.root.clone()} }

// Import reads a FlowSpec document of any published version (1.0.0 flat,
// 1.1.0, 1.2.0, 2.0.0) and normalises it: the 1.0.0 layout is wrapped in
// "spec", a 1.x workflow written flat (spec.nodes, spec.flow at the top of
// spec) is moved into spec.workflows[0], enum labels in the wrong case or
// from legacy documentation are rewritten to the exact label. Each change
// is reported as a warning, and so are repeated keys, text that is not
// UTF-8, and a document exported for one node of a workflow. A node
// document (GetNode) is placed in a new workflow named after the node.
// The error is a *SyntaxError for malformed JSON or a *ShapeError when the
// document is not a JSON object.
func Import(data []byte) (*Document, []Finding, error) {
	root, parsed, err := decode(data)
	if err != nil {
		return nil, nil, err
	}
	if root.kind != kindObject {
		return nil, nil, &ShapeError{Message: i18n.Text{
			EN: "a FlowSpec document must be a JSON object, e.g. {\"version\":\"1.1.0\",\"kind\":\"CycleWorkflow\",\"spec\":{…}}",
			ZH: "FlowSpec 文档必须是 JSON 对象，例如 {\"version\":\"1.1.0\",\"kind\":\"CycleWorkflow\",\"spec\":{…}}"}}
	}
	d := &Document{root: root}
	warnings := parsed
	warnings = append(warnings, d.upgradeFlat()...)
	warnings = append(warnings, d.liftFlat()...)
	if lifted := d.liftNode(); lifted != nil {
		warnings = append(warnings, lifted...) // it says the document is one node
	} else {
		warnings = append(warnings, d.nodeView()...)
	}
	warnings = append(warnings, d.normaliseLabels()...)
	return d, warnings, nil
}

// ShapeError reports a well-formed JSON value that is not a FlowSpec object.
type ShapeError struct{ Message i18n.Text }

func (e *ShapeError) Error() string { return e.Message.EN }

// upgradeFlat wraps a 1.0.0 document's flat body in "spec" (the 1.1.0
// layout) and renames its 1.0.0 output bucket.
func (d *Document) upgradeFlat() []Finding {
	version, _ := d.root.get("version").str()
	if d.root.get("spec") != nil || !strings.HasPrefix(version, "1.0.") {
		return nil
	}
	spec := objectNode()
	kept := d.root.members[:0:0]
	for _, m := range d.root.members {
		switch m.key {
		case "version", "kind", "metadata":
			kept = append(kept, m)
		default:
			spec.members = append(spec.members, m)
		}
	}
	d.root.members = append(kept, member{"spec", spec})
	d.root.set("version", stringNode("1.1.0"))
	out := []Finding{warning("", "version_upgraded", "version", i18n.Sprintf(
		"version %s (flat layout) was converted to 1.1.0: the body now sits under \"spec\"",
		"版本 %s（扁平结构）已转换为 1.1.0：正文移入 \"spec\"", version))}
	for i, wf := range spec.get("workflows").itemsOrNil() {
		outputs := wf.get("outputs")
		if old := outputs.get("outputs"); old != nil && outputs.get("nodeOutputs") == nil {
			renameKey(outputs, "outputs", "nodeOutputs")
			out = append(out, warning("", "version_upgraded", fmt.Sprintf("spec.workflows[%d].outputs.nodeOutputs", i), i18n.Text{
				EN: "the 1.0.0 output list \"outputs\" was renamed \"nodeOutputs\"",
				ZH: "1.0.0 的输出列表 \"outputs\" 已重命名为 \"nodeOutputs\""}))
		}
	}
	return out
}

func renameKey(n *node, from, to string) {
	for i := range n.members {
		if n.members[i].key == from {
			n.members[i].key = to
			return
		}
	}
}

func (n *node) itemsOrNil() []*node {
	if n == nil || n.kind != kindArray {
		return nil
	}
	return n.items
}

// workflow returns spec.workflows[0], or nil.
func (d *Document) workflow() *node {
	return d.root.get("spec").get("workflows").index(0)
}

// ensure returns the object under key, creating it (or replacing a
// non-object) when needed.
func ensure(parent *node, key string) *node {
	n := parent.get(key)
	if n == nil || n.kind != kindObject {
		n = objectNode()
		parent.set(key, n)
	}
	return n
}

// ensureWorkflow returns spec.workflows[0], creating what is missing.
func (d *Document) ensureWorkflow() *node {
	spec := ensure(d.root, "spec")
	wfs := spec.get("workflows")
	if wfs == nil || wfs.kind != kindArray {
		wfs = &node{kind: kindArray}
		spec.set("workflows", wfs)
	}
	if len(wfs.items) == 0 || wfs.items[0].kind != kindObject {
		if len(wfs.items) == 0 {
			wfs.items = append(wfs.items, objectNode())
		} else {
			wfs.items[0] = objectNode()
		}
	}
	return wfs.items[0]
}
