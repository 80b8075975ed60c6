package flowspec

import (
	"slices"
	"strings"
)

// This file is what delivering a workflow to DataWorks needs from a
// document besides the plan: node specs with the ids DataWorks assigned,
// the minimal UpdateNode spec, the dependencies a node spec records, a
// workflow assembled from what DataWorks answers, and the workflow as
// DataWorks will hold it after a set of calls.

// NodeID returns node i's id: a local label until DataWorks assigns one.
func (d *Document) NodeID(i int) string { return text(d.nodeList()[i], "id") }

// NodeCommand returns node i's kind (script.runtime.command).
func (d *Document) NodeCommand(i int) string {
	return text(getPath(d.nodeList()[i], "script.runtime"), "command")
}

// NodeSpec is node i as CreateNode takes it: a kind "Node" document with
// the node and its dependency entry (see Plan).
func (d *Document) NodeSpec(i int) []byte { return d.nodeSpec(i, d.dependsIndex(d.NodeID(i))) }

// WithIDs returns a copy in which every local node id named in ids is
// replaced by the id DataWorks assigned: the node's own id, its
// dependency entry, and each dependency on it.
func (d *Document) WithIDs(ids map[string]string) *Document {
	c := d.Clone()
	if len(ids) == 0 || c.workflow() == nil {
		return c
	}
	swap := func(n *node, key string) {
		if v, ok := n.get(key).str(); ok && ids[v] != "" {
			n.set(key, stringNode(ids[v]))
		}
	}
	for _, n := range c.nodeList() {
		swap(n, "id")
		for _, o := range n.get("outputs").get("nodeOutputs").itemsOrNil() {
			swap(o, "data")
		}
	}
	deps, _ := dependencies(c.workflow())
	for _, entry := range deps.itemsOrNil() {
		swap(entry, "nodeId")
		for _, item := range entry.get("depends").itemsOrNil() {
			swap(item, "output")
			swap(item, "nodeId")
		}
	}
	return c
}

// nodeDoc reads a node spec (CreateNode's kind "Node" document, or
// GetNode's answer, which wraps an inner node in its workflow) and returns
// the node and the depends list of its entry.
func nodeDoc(spec []byte) (n *node, depends *node, version string, ok bool) {
	root, _, err := decode(spec)
	if err != nil {
		return nil, nil, "", false
	}
	body := root.get("spec")
	holder := body
	if wfs := body.get("workflows"); wfs != nil {
		holder = wfs.index(0)
	}
	n = holder.get("nodes").index(0)
	if n == nil || n.kind != kindObject {
		return nil, nil, "", false
	}
	id := text(n, "id")
	for _, where := range []*node{holder, body} {
		deps, _ := dependencies(where)
		for _, entry := range deps.itemsOrNil() {
			if text(entry, "nodeId") == id || len(deps.items) == 1 && id == "" {
				return n, entry.get("depends"), text(root, "version"), true
			}
		}
	}
	return n, nil, text(root, "version"), true
}

// SpecCommand is the kind (script.runtime.command) of the node in a node
// spec, "" when the spec does not say.
func SpecCommand(spec []byte) string {
	n, _, _, _ := nodeDoc(spec)
	return text(getPath(n, "script.runtime"), "command")
}

// NodeDepends lists the outputs a node spec says the node depends on, in
// order, without repeats; ok is false when spec holds no node.
func NodeDepends(spec []byte) (outputs []string, ok bool) {
	_, depends, _, ok := nodeDoc(spec)
	for _, item := range depends.itemsOrNil() {
		if o := text(item, "output"); o != "" && !slices.Contains(outputs, o) {
			outputs = append(outputs, o)
		}
	}
	return outputs, ok
}

// NodeUpdate is the UpdateNode spec that turns the node DataWorks was last
// sent (base) into now: the node's id, the top-level fields whose value
// differs, and its dependency entry when that differs. Sending only what
// changed leaves what DataWorks corrected on its side alone
// (nodes-reference §5.1). ok is false when nothing differs.
func NodeUpdate(base, now []byte) (spec []byte, fields []string, ok bool) {
	was, wasDeps, _, okBase := nodeDoc(base)
	is, isDeps, version, okNow := nodeDoc(now)
	if !okNow {
		return nil, nil, false
	}
	id := text(is, "id")
	update := objectNode(member{"id", stringNode(id)})
	for _, m := range is.members {
		if m.key == "id" {
			continue
		}
		if !okBase || was.get(m.key) == nil || compact(was.get(m.key)) != compact(m.val) {
			update.members = append(update.members, m)
			fields = append(fields, m.key)
		}
	}
	sendDeps := dependsText(wasDeps) != dependsText(isDeps)
	if len(fields) == 0 && !sendDeps {
		return nil, nil, false
	}
	if sendDeps {
		if isDeps == nil {
			isDeps = &node{kind: kindArray, items: []*node{}}
		}
		fields = append(fields, "dependencies")
	}
	return nodeEnvelope(version, update, id, isDeps, sendDeps), fields, true
}

// dependsText is a depends list compared: none and an empty one are the
// same.
func dependsText(depends *node) string {
	if depends == nil || len(depends.items) == 0 {
		return "[]"
	}
	return compact(depends)
}

// RepairSpec is the UpdateNode spec that sets again the dependencies
// sent in spec, for a node DataWorks created without them (nodes-reference
// §3.6.3).
func RepairSpec(spec []byte, id string) []byte {
	_, depends, version, _ := nodeDoc(spec)
	if depends == nil {
		depends = &node{kind: kindArray, items: []*node{}}
	}
	return nodeEnvelope(version, objectNode(member{"id", stringNode(id)}), id, depends, true)
}

func nodeEnvelope(version string, n *node, id string, depends *node, withDeps bool) []byte {
	if version == "" {
		version = "1.1.0"
	}
	spec := objectNode(member{"nodes", &node{kind: kindArray, items: []*node{n}}})
	if withDeps {
		key := "flow"
		if strings.HasPrefix(version, "2.") {
			key = "dependencies"
		}
		entry := objectNode(member{"nodeId", stringNode(id)}, member{"depends", depends})
		spec.set(key, &node{kind: kindArray, items: []*node{entry}})
	}
	doc := objectNode(member{"version", stringNode(version)}, member{"kind", stringNode("Node")}, member{"spec", spec})
	e := encoder{buf: make([]byte, 0, 256)}
	e.value(doc, shapeOther, 0)
	return e.buf
}

// Assemble builds the workflow DataWorks holds from its answers: the
// definition (GetWorkflowDefinition's Spec) and the GetNode answers of
// inner nodes the definition lacks. Each node keeps what DataWorks wrote.
func Assemble(definition []byte, nodes [][]byte) (*Document, []Finding, error) {
	d, findings, err := Import(definition)
	if err != nil {
		return nil, nil, err
	}
	wf := d.ensureWorkflow()
	for _, spec := range nodes {
		n, depends, _, ok := nodeDoc(spec)
		if !ok {
			continue
		}
		id := text(n, "id")
		if _, known := d.NodeIndex(id); known && id != "" {
			continue
		}
		ensureArray(wf, "nodes").items = append(wf.get("nodes").items, n)
		if depends != nil {
			deps := ensureDependencies(wf)
			deps.items = append(deps.items, objectNode(member{"nodeId", stringNode(id)}, member{"depends", depends}))
		}
	}
	return d, findings, nil
}

// Call is one write of a delivery, for Delivered.
type Call struct {
	Action string // CreateWorkflowDefinition … DeleteNode
	ID     string // the node updated or deleted
	Spec   []byte
}

// Delivered returns live as DataWorks will hold it after calls, applied
// as the update operations define them: the fields present replace the
// workflow's or node's top-level fields, a node's dependency entry is
// replaced when the call carries one, created nodes are added and deleted
// ones removed. Diffing it against live shows what a delivery changes.
func Delivered(live *Document, calls []Call) *Document {
	out := live.Clone()
	wf := out.ensureWorkflow()
	for _, c := range calls {
		switch c.Action {
		case "CreateWorkflowDefinition", "UpdateWorkflowDefinition":
			sent, _, err := decode(c.Spec)
			if err != nil {
				continue
			}
			for _, m := range sent.get("spec").get("workflows").index(0).membersOrNil() {
				if m.key != "id" && m.key != "nodes" && m.key != "dependencies" && m.key != "flow" {
					wf.set(m.key, m.val)
				}
			}
		case "CreateNode", "UpdateNode":
			n, depends, _, ok := nodeDoc(c.Spec)
			if !ok {
				continue
			}
			id := text(n, "id")
			if i, found := out.NodeIndex(id); found && c.Action == "UpdateNode" {
				target := out.nodeList()[i]
				for _, m := range n.members {
					target.set(m.key, m.val)
				}
			} else {
				ensureArray(wf, "nodes").items = append(wf.get("nodes").items, n)
			}
			if depends != nil {
				deps := ensureDependencies(wf)
				deps.items = slices.DeleteFunc(deps.items, func(e *node) bool { return text(e, "nodeId") == id })
				if len(depends.items) > 0 {
					deps.items = append(deps.items, objectNode(member{"nodeId", stringNode(id)}, member{"depends", depends}))
				}
			}
		case "DeleteNode":
			if i, found := out.NodeIndex(c.ID); found {
				nodes := wf.get("nodes")
				nodes.items = slices.Delete(nodes.items, i, i+1)
				deps, _ := dependencies(wf)
				if deps != nil {
					deps.items = slices.DeleteFunc(deps.items, func(e *node) bool { return text(e, "nodeId") == c.ID })
				}
			}
		}
	}
	return out
}

func (n *node) membersOrNil() []member {
	if n == nil || n.kind != kindObject {
		return nil
	}
	return n.members
}

// Kind is the document's kind (CycleWorkflow, ManualWorkflow, …).
func (d *Document) Kind() string { return text(d.root, "kind") }

// WorkflowPath is the workflow's script.path, "" when it has none.
func (d *Document) WorkflowPath() string { return text(d.workflow().get("script"), "path") }

// KeepTheirs returns the workflow spec sent with every top-level workflow
// field that this draft left as it was (as in base, what DataWorks held
// when the draft last saw it) but that DataWorks now holds differently
// (live) taken from live: an UpdateWorkflowDefinition then keeps a
// colleague's change the draft did not touch instead of reverting it.
func KeepTheirs(sent []byte, base, live *Document) []byte {
	root, _, err := decode(sent)
	mine := root.get("spec").get("workflows").index(0)
	if err != nil || mine == nil || base.workflow() == nil || live.workflow() == nil {
		return sent
	}
	was, now := base.workflow(), live.workflow()
	keys := map[string]bool{}
	for _, m := range append(slices.Clone(was.members), now.members...) {
		keys[m.key] = true
	}
	changed := false
	for k := range keys {
		switch k {
		case "id", "nodes", "dependencies", "flow":
			continue
		}
		if same(mine.get(k), was.get(k)) && !same(now.get(k), was.get(k)) {
			if v := now.get(k); v != nil {
				mine.set(k, v)
			} else {
				mine.remove(k)
			}
			changed = true
		}
	}
	if !changed {
		return sent
	}
	return (&Document{root: root}).Canonical()
}

// same reports whether two values (either may be missing) are equal.
func same(a, b *node) bool {
	if a == nil || b == nil {
		return a == b
	}
	return compact(a) == compact(b)
}
