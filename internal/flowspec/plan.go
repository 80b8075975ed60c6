package flowspec

import (
	"slices"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// Step is one call of a delivery plan with the exact Spec it sends.
type Step struct {
	// Node is the inner node the step creates, or -1 for the workflow.
	Node int
	Name string
	Spec []byte
	// Upstreams are the plan's earlier nodes this one depends on.
	Upstreams []int
	// Assigned are outputs in Spec that are local ids of this plan's
	// nodes: DataWorks assigns the real id on creation, and the call
	// sends that instead.
	Assigned []string
}

// Plan is what DataWorks needs for one workflow spec: the workflow for
// CreateWorkflowDefinition (or UpdateWorkflowDefinition), which ignores
// inner nodes, then one kind "Node" spec per node for CreateNode, upstreams
// first. Blocked says why the nodes cannot be ordered (a cycle); the plan
// then holds the workflow step only.
type Plan struct {
	Steps   []Step
	Blocked i18n.Text
}

// Plan derives the delivery plan.
func (d *Document) Plan() Plan {
	g := d.Graph()
	p := Plan{Steps: []Step{{Node: -1, Name: text(d.workflow(), "name"), Spec: d.workflowSpec()}}}
	if g.Cycle != nil {
		p.Blocked = i18n.Sprintf("The nodes cannot be created in order: dependency cycle %s.",
			"无法按顺序创建节点：依赖成环 %s。", CycleText(g))
		return p
	}
	local := map[string]bool{}
	for _, n := range d.nodeList() {
		if id := text(n, "id"); id != "" && !serverID(id) {
			local[id] = true
		}
	}
	items := d.dependsIndex("")
	for _, i := range g.Order {
		step := Step{Node: i, Name: g.Names[i], Spec: d.nodeSpec(i, items)}
		seen := map[int]bool{}
		for _, e := range g.Edges {
			if e.To == i && e.Internal() && e.From != i && !seen[e.From] {
				seen[e.From] = true
				step.Upstreams = append(step.Upstreams, e.From)
			}
			if e.To == i && local[e.Output] {
				step.Assigned = append(step.Assigned, e.Output)
			}
		}
		p.Steps = append(p.Steps, step)
	}
	return p
}

// workflowSpec is the document without its inner nodes and dependencies,
// which CreateWorkflowDefinition ignores; shallow copies keep the rest
// shared.
func (d *Document) workflowSpec() []byte {
	wf := d.workflow()
	if wf == nil {
		return d.Canonical()
	}
	spec := d.root.get("spec")
	without := func(n *node, drop func(string) bool, replace string, with *node) *node {
		cp := &node{kind: kindObject, members: make([]member, 0, len(n.members))}
		for _, m := range n.members {
			switch {
			case drop(m.key):
			case with != nil && m.key == replace:
				cp.members = append(cp.members, member{m.key, with})
			default:
				cp.members = append(cp.members, m)
			}
		}
		return cp
	}
	none := func(string) bool { return false }
	bareWF := without(wf, func(k string) bool { return k == "nodes" || k == "dependencies" || k == "flow" }, "", nil)
	wfs := &node{kind: kindArray, items: append([]*node{bareWF}, spec.get("workflows").items[1:]...)}
	root := without(d.root, none, "spec", without(spec, none, "workflows", wfs))
	return (&Document{root: root}).Canonical()
}

// nodeSpec is node i as CreateNode takes it: {"kind":"Node"} holding the
// node and its one dependency entry (nodes-reference §2.1; 2.x writes
// "dependencies", 1.x "flow"). Run settings the node leaves to the
// workflow are written out with the workflow's values, and a node without
// its own trigger gets the workflow's, so DataWorks stores what the form
// shows rather than its own defaults.
func (d *Document) nodeSpec(i int, deps map[string][]*node) []byte {
	wf := d.workflow()
	// A shallow copy: the encoder only reads, and only top-level keys and
	// script.path are added.
	orig := d.nodeList()[i]
	n := &node{kind: kindObject, members: make([]member, 0, len(orig.members)+len(NodeFields))}
	for _, m := range orig.members {
		if m.key != "metadata" { // the server writes it, about the node it already has
			n.members = append(n.members, m)
		}
	}
	for _, fl := range NodeFields {
		if fl.Follows == nil || n.get(fl.Path) != nil {
			continue
		}
		if v := getPath(wf, fl.Follows.Path); v != nil {
			n.members = append(n.members, member{fl.Path, v})
		}
	}
	if t := wf.get("trigger"); n.get("trigger") == nil && t != nil {
		trigger := &node{kind: kindObject, members: slices.DeleteFunc(slices.Clone(t.members), func(m member) bool {
			return m.key == "id" // the workflow trigger's id is not the node's
		})}
		n.members = append(n.members, member{"trigger", trigger})
	}
	if getPath(n, "script.path") == nil {
		script := n.get("script")
		cp := &node{kind: kindObject}
		if script != nil && script.kind == kindObject {
			cp.members = slices.Clone(script.members)
		}
		cp.members = append(cp.members, member{"path", stringNode(d.nodePath(text(n, "name")))})
		n.set("script", cp)
	}
	version := text(d.root, "version")
	if version == "" {
		version = "1.1.0"
	}
	key := "flow"
	if strings.HasPrefix(version, "2.") {
		key = "dependencies"
	}
	spec := objectNode(member{"nodes", &node{kind: kindArray, items: []*node{n}}})
	if id := text(n, "id"); id != "" && len(deps[id]) > 0 {
		entry := objectNode(member{"nodeId", stringNode(id)}, member{"depends", &node{kind: kindArray, items: deps[id]}})
		spec.set(key, &node{kind: kindArray, items: []*node{entry}})
	}
	doc := objectNode(member{"version", stringNode(version)}, member{"kind", stringNode("Node")}, member{"spec", spec})
	e := encoder{buf: make([]byte, 0, 1024)}
	e.value(doc, shapeOther, 0)
	return e.buf
}
