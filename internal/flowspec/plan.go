package flowspec

import (
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
	wfDoc := d.Clone()
	if wf := wfDoc.workflow(); wf != nil {
		wf.remove("nodes")
		wf.remove("dependencies")
		wf.remove("flow")
	}
	p := Plan{Steps: []Step{{Node: -1, Name: text(d.workflow(), "name"), Spec: wfDoc.Canonical()}}}
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
	for _, i := range g.Order {
		step := Step{Node: i, Name: g.Names[i], Spec: d.nodeSpec(i)}
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

// nodeSpec is node i as CreateNode takes it: {"kind":"Node"} holding the
// node and its one dependency entry (nodes-reference §2.1; 2.x writes
// "dependencies", 1.x "flow"). Run settings the node leaves to the
// workflow are written out with the workflow's values, and a node without
// its own trigger gets the workflow's, so DataWorks stores what the form
// shows rather than its own defaults.
func (d *Document) nodeSpec(i int) []byte {
	wf := d.workflow()
	n := d.nodeList()[i].clone()
	for _, fl := range NodeFields {
		if fl.Follows == nil || n.get(fl.Path) != nil {
			continue
		}
		if v := getPath(wf, fl.Follows.Path); v != nil {
			n.set(fl.Path, v.clone())
		}
	}
	if n.get("trigger") == nil {
		if t := wf.get("trigger"); t != nil {
			trigger := t.clone()
			trigger.remove("id") // the workflow trigger's id is not the node's
			n.set("trigger", trigger)
		}
	}
	if getPath(n, "script.path") == nil {
		setPath(n, "script.path", stringNode(d.nodePath(text(n, "name"))))
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
	if items := d.dependsOf(text(n, "id")); len(items) > 0 {
		list := make([]*node, len(items))
		for j, item := range items {
			list[j] = item.clone()
		}
		entry := objectNode(member{"nodeId", stringNode(text(n, "id"))}, member{"depends", &node{kind: kindArray, items: list}})
		spec.set(key, &node{kind: kindArray, items: []*node{entry}})
	}
	doc := objectNode(member{"version", stringNode(version)}, member{"kind", stringNode("Node")}, member{"spec", spec})
	e := encoder{buf: make([]byte, 0, 1024)}
	e.value(doc, shapeOther, 0)
	return e.buf
}
