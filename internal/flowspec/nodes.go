package flowspec

import (
	"slices"
	"strconv"
	"strings"
)

// The workflow's inner nodes live where DataWorks' "Show Spec" puts them:
// spec.workflows[0].nodes[] and spec.workflows[0].dependencies[] (1.1.0
// also writes "flow"). Each dependency entry says "node nodeId depends on
// these outputs". Everything the node form does not edit is kept, per node
// and per entry.

// NodeForm is what the node form edits for one inner node, in the form's
// units. Values holds the plain fields by Field.Name (NodeFields); a run
// setting that is "" follows the workflow's.
type NodeForm struct {
	ID         string
	Values     map[string]string
	Parameters []Parameter
	Outputs    []Output
	Upstreams  []Upstream
}

// Name is the node's name.
func (n NodeForm) Name() string { return n.Values["node_name"] }

// Command is the node's kind (script.runtime.command).
func (n NodeForm) Command() string { return n.Values["node_command"] }

// Upstream is one dependency of a node: the output it depends on and how.
type Upstream struct {
	Output       string // an output of the upstream: its id, <project>.<name>, <project>_root
	Type         string // a DependencyType label
	RefTableName string // the upstream's name, for display
}

// Dependency types (nodes-reference §3.3).
const (
	DependNormal          = "Normal"
	DependSelf            = "CrossCycleDependsOnSelf"
	DependChildren        = "CrossCycleDependsOnChildren"
	DependOtherNode       = "CrossCycleDependsOnOtherNode"
	maxNodesRecommended   = 100
	nodeParameterScope    = "NodeParameter"
	defaultNodeOutputType = "NodeOutput"
)

// DependencyTypes are the types a dependency may have, in form order,
// with what the form calls them.
var DependencyTypes = choices(
	DependNormal, tr("Same cycle", "同周期"),
	DependSelf, tr("Previous cycle of itself", "上一周期的自己"),
	DependChildren, tr("Previous cycle of its children", "上一周期的下游"),
	DependOtherNode, tr("Previous cycle of this node", "上一周期的该节点"),
)

// nodeList returns spec.workflows[0].nodes (nil when absent).
func (d *Document) nodeList() []*node { return d.workflow().get("nodes").itemsOrNil() }

// NodeName is inner node i's name.
func (d *Document) NodeName(i int) string { return text(d.nodeList()[i], "name") }

// NodeCount is the number of inner nodes.
func (d *Document) NodeCount() int { return len(d.nodeList()) }

// dependencies returns the workflow's dependency list and its key:
// "dependencies", or the 1.1.0 synonym "flow" when that is what the
// document has.
func dependencies(wf *node) (*node, string) {
	if deps := wf.get("dependencies"); deps != nil {
		return deps, "dependencies"
	}
	if flow := wf.get("flow"); flow != nil {
		return flow, "flow"
	}
	return nil, "dependencies"
}

// ensureDependencies returns the dependency list, creating it when absent.
func ensureDependencies(wf *node) *node {
	deps, key := dependencies(wf)
	if deps == nil || deps.kind != kindArray {
		deps = &node{kind: kindArray, items: []*node{}}
		wf.set(key, deps)
	}
	return deps
}

// getPath follows a dotted path of object keys.
func getPath(obj *node, path string) *node {
	for key := range strings.SplitSeq(path, ".") {
		obj = obj.get(key)
	}
	return obj
}

// setPath writes val at a dotted path, creating the objects on the way.
func setPath(obj *node, path string, val *node) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		obj = ensure(obj, k)
	}
	obj.set(keys[len(keys)-1], val)
}

// removePath deletes the key at a dotted path, if it is there.
func removePath(obj *node, path string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		obj.remove(path)
		return
	}
	getPath(obj, path[:i]).remove(path[i+1:])
}

// Nodes reads every inner node's form.
func (d *Document) Nodes() []NodeForm {
	list := d.nodeList()
	out := make([]NodeForm, len(list))
	for i := range list {
		out[i] = d.Node(i)
	}
	return out
}

// Node reads inner node i's form; a node that is not an object reads empty.
func (d *Document) Node(i int) NodeForm {
	n := d.nodeList()[i]
	f := NodeForm{ID: text(n, "id"), Values: make(map[string]string, len(NodeFields))}
	for _, fl := range nodePlainFields {
		v := getPath(n, fl.Path)
		switch {
		case v == nil:
		case fl.Kind == KindNumber:
			if x, ok := v.integer(); ok {
				f.Values[fl.Name] = strconv.FormatInt(x/fl.Scale(), 10)
			} else {
				f.Values[fl.Name] = v.text
			}
		default:
			f.Values[fl.Name], _ = v.str()
		}
	}
	for _, p := range getPath(n, "script.parameters").itemsOrNil() {
		f.Parameters = append(f.Parameters, Parameter{Name: text(p, "name"), Type: text(p, "type"), Value: text(p, "value")})
	}
	f.Outputs = readOutputs(n.get("outputs"))
	for _, item := range d.dependsOf(f.ID) {
		f.Upstreams = append(f.Upstreams, Upstream{Output: text(item, "output"), Type: text(item, "type"), RefTableName: text(item, "refTableName")})
	}
	return f
}

func readOutputs(outputs *node) []Output {
	var out []Output
	for _, o := range outputs.get("nodeOutputs").itemsOrNil() {
		def := o.get("isDefault")
		out = append(out, Output{Data: text(o, "data"), RefTableName: text(o, "refTableName"),
			IsDefault: def != nil && def.kind == kindBool && def.boolean})
	}
	return out
}

// dependsOf lists the depends items of every entry for node id, in
// document order, without repeats: DataWorks may write one edge twice
// (nodes-reference §3.2), and the form shows it once.
func (d *Document) dependsOf(id string) []*node {
	if id == "" {
		return nil
	}
	return d.dependsIndex(id)[id]
}

// dependsIndex groups the depends items by the node they are for (only
// node only, when only is not ""), without repeats.
func (d *Document) dependsIndex(only string) map[string][]*node {
	deps, _ := dependencies(d.workflow())
	out := map[string][]*node{}
	for _, entry := range deps.itemsOrNil() {
		id := text(entry, "nodeId")
		if only != "" && id != only {
			continue
		}
		for _, item := range entry.get("depends").itemsOrNil() {
			if !slices.ContainsFunc(out[id], func(seen *node) bool { return sameItem(seen, item) }) {
				out[id] = append(out[id], item)
			}
		}
	}
	return out
}

// sameItem reports whether two depends items are the same JSON value; the
// output is compared first, as it nearly always differs.
func sameItem(a, b *node) bool {
	return text(a, "output") == text(b, "output") && text(a, "type") == text(b, "type") && compact(a) == compact(b)
}

// ApplyNode writes node i's form back, touching only what differs from
// what Node reads: an unedited node keeps its exact bytes. An output
// renamed in the form is renamed in the dependencies that name it, so
// downstream nodes keep depending on this node.
func (d *Document) ApplyNode(i int, f NodeForm) {
	cur := d.Node(i)
	n := d.nodeList()[i]
	for _, fl := range nodePlainFields {
		old, v := cur.Values[fl.Name], f.Values[fl.Name]
		if old == v {
			continue
		}
		switch {
		case v == "" && fl.Name == "node_datasource":
			n.remove("datasource") // type and config belong to the datasource named
		case v == "" && fl.Name == "node_resource_group":
			n.remove("runtimeResource") // resourceGroupId and id belong to the group named
		case v == "" && fl.Name != "node_name" && fl.Name != "node_code":
			removePath(n, fl.Path)
		case fl.Kind == KindNumber:
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				continue // the form layer reports it; the spec keeps its value
			}
			setPath(n, fl.Path, intNode(x*fl.Scale()))
		default:
			setPath(n, fl.Path, stringNode(v))
		}
		switch fl.Name {
		case "node_name":
			setPath(n, "script.path", stringNode(renamePath(text(n.get("script"), "path"), v)))
		case "node_command":
			if k, ok := KindOf(v); ok && k.Language != "" && getPath(n, "script.language") != nil {
				setPath(n, "script.language", stringNode(k.Language))
			}
		case "node_datasource":
			if k, ok := KindOf(f.Command()); ok && k.Datasource != "" && getPath(n, "datasource.type") == nil {
				setPath(n, "datasource.type", stringNode(k.Datasource))
			}
		}
	}
	if !slices.Equal(f.Parameters, cur.Parameters) {
		rows := f.Parameters
		applyRows(ensure(n, "script"), "parameters", len(rows), func(i int) *node {
			return objectNode(member{"artifactType", stringNode("Variable")}, member{"name", stringNode(rows[i].Name)},
				member{"scope", stringNode(nodeParameterScope)}, member{"type", stringNode(rows[i].Type)}, member{"value", stringNode(rows[i].Value)})
		}, func(i int, p *node) {
			setAll(p, "name", rows[i].Name, "type", rows[i].Type, "value", rows[i].Value)
		})
	}
	if !slices.Equal(f.Outputs, cur.Outputs) {
		applyOutputs(ensure(n, "outputs"), f.Outputs)
		for j := range min(len(f.Outputs), len(cur.Outputs)) {
			if old, v := cur.Outputs[j].Data, f.Outputs[j].Data; old != v && old != "" && v != "" {
				d.renameOutput(old, v)
			}
		}
	}
	if !slices.Equal(f.Upstreams, cur.Upstreams) {
		d.applyUpstreams(text(n, "id"), f.Upstreams)
	}
}

// renamePath replaces the last segment of a script path with name.
func renamePath(p, name string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i+1] + name
	}
	return name
}

// renameOutput points every dependency on output old at output new.
func (d *Document) renameOutput(old, new string) {
	deps, _ := dependencies(d.workflow())
	for _, entry := range deps.itemsOrNil() {
		for _, item := range entry.get("depends").itemsOrNil() {
			if text(item, "output") == old {
				item.set("output", stringNode(new))
			}
		}
	}
}

// applyUpstreams makes node id's dependency entry hold rows: the first
// entry for the node is rewritten in place (each item keeping its other
// fields), further entries for it, whose items the form showed merged,
// are dropped.
func (d *Document) applyUpstreams(id string, rows []Upstream) {
	if id == "" {
		return
	}
	items := d.dependsOf(id)
	deps := ensureDependencies(d.ensureWorkflow())
	var entry *node
	kept := deps.items[:0:0]
	for _, e := range deps.items {
		if text(e, "nodeId") != id {
			kept = append(kept, e)
			continue
		}
		if entry == nil {
			entry = e
			kept = append(kept, e)
		}
	}
	deps.items = kept
	if entry == nil {
		if len(rows) == 0 {
			return
		}
		entry = objectNode(member{"nodeId", stringNode(id)})
		deps.items = append(deps.items, entry)
	}
	list := make([]*node, len(rows))
	for i, r := range rows {
		var item *node
		if i < len(items) {
			item = items[i].clone()
		} else {
			item = objectNode(member{"type", stringNode(r.Type)}, member{"output", stringNode(r.Output)})
		}
		setAll(item, "type", r.Type)
		if r.Output == "" {
			item.remove("output")
		} else {
			setAll(item, "output", r.Output)
		}
		if r.RefTableName == "" {
			item.remove("refTableName")
		} else {
			setAll(item, "refTableName", r.RefTableName)
		}
		list[i] = item
	}
	entry.set("depends", &node{kind: kindArray, items: list})
}

// RefOutput is the output a dependency on node i names: its id when
// DataWorks assigned it (the server's own edges use ids), else its first
// named output (known before the node exists), else its id.
func (d *Document) RefOutput(i int) string {
	n := d.nodeList()[i]
	id := text(n, "id")
	if serverID(id) {
		return id
	}
	for _, o := range readOutputs(n.get("outputs")) {
		if o.Data != "" && !o.IsDefault {
			return o.Data
		}
	}
	return id
}

// serverID reports whether id is one DataWorks assigned: 19 digits in
// every export (nodes-reference §2.2); FlowForm's own ids are names.
func serverID(id string) bool {
	if len(id) < 10 {
		return false
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Producer finds the inner node that produces output: the node whose id
// or one of whose outputs it is. ok is false for an output from outside
// the workflow.
func (d *Document) Producer(output string) (int, bool) {
	if output == "" {
		return -1, false
	}
	for i, n := range d.nodeList() {
		if text(n, "id") == output {
			return i, true
		}
		for _, o := range n.get("outputs").get("nodeOutputs").itemsOrNil() {
			if text(o, "data") == output {
				return i, true
			}
		}
	}
	return -1, false
}

// AddNode appends a node of the given kind named name and returns its
// index. Its id is its name made unique: a local label DataWorks replaces
// with its own id on creation (nodes-reference §7.2), so the node's
// dependency entry and the edges to it are written before it exists.
func (d *Document) AddNode(command, name string) int {
	wf := d.ensureWorkflow()
	nodes := wf.get("nodes")
	if nodes == nil || nodes.kind != kindArray {
		nodes = &node{kind: kindArray, items: []*node{}}
		wf.set("nodes", nodes)
	}
	script := objectNode(member{"path", stringNode(d.nodePath(name))},
		member{"runtime", objectNode(member{"command", stringNode(command)})}, member{"content", stringNode("")})
	if k, ok := KindOf(command); ok && k.Language != "" {
		script.members = append(script.members, member{"language", stringNode(k.Language)})
	}
	n := objectNode(member{"id", stringNode(d.uniqueID(name))}, member{"name", stringNode(name)}, member{"script", script})
	nodes.items = append(nodes.items, n)
	return len(nodes.items) - 1
}

// nodePath is where a new node's script goes: inside the workflow's folder.
func (d *Document) nodePath(name string) string {
	if p := text(d.workflow().get("script"), "path"); p != "" {
		return p + "/" + name
	}
	return name
}

// uniqueID returns base, or base_2, base_3 … when a node already has it.
func (d *Document) uniqueID(base string) string {
	taken := map[string]bool{}
	for _, n := range d.nodeList() {
		taken[text(n, "id")] = true
	}
	id := base
	for k := 2; taken[id] || id == ""; k++ {
		id = base + "_" + strconv.Itoa(k)
	}
	return id
}

// UniqueNodeName returns base, or base_2, base_3 … when a node has that name.
func (d *Document) UniqueNodeName(base string) string {
	taken := map[string]bool{}
	for _, n := range d.nodeList() {
		taken[text(n, "name")] = true
	}
	name := base
	for k := 2; taken[name]; k++ {
		name = base + "_" + strconv.Itoa(k)
	}
	return name
}

// DuplicateNode copies node i after it, with a new name and local id,
// and the same upstreams. What DataWorks assigned to the original (its
// id, the script and trigger ids, metadata, its default output) is not
// copied: the copy is a new node.
func (d *Document) DuplicateNode(i int) int {
	nodes := d.workflow().get("nodes")
	orig := nodes.items[i]
	cp := orig.clone()
	name := d.UniqueNodeName(text(orig, "name") + "_copy")
	id := d.uniqueID(name)
	cp.set("id", stringNode(id))
	cp.set("name", stringNode(name))
	cp.remove("metadata")
	if s := cp.get("script"); s != nil {
		s.remove("id")
		s.set("path", stringNode(renamePath(text(s, "path"), name)))
	}
	cp.get("trigger").remove("id")
	if outs := cp.get("outputs").get("nodeOutputs"); outs != nil && outs.kind == kindArray {
		kept := outs.items[:0:0]
		for _, o := range outs.items {
			if def := o.get("isDefault"); def != nil && def.boolean {
				continue // the default output is the original's id
			}
			if data := text(o, "data"); strings.HasSuffix(data, "."+text(orig, "name")) {
				o.set("data", stringNode(strings.TrimSuffix(data, text(orig, "name"))+name))
				o.set("refTableName", stringNode(name))
			}
			kept = append(kept, o)
		}
		outs.items = kept
	}
	nodes.items = slices.Insert(nodes.items, i+1, cp)
	var rows []Upstream
	for _, u := range d.Node(i).Upstreams {
		if u.Type == DependSelf {
			u.Output = id
		}
		rows = append(rows, u)
	}
	d.applyUpstreams(id, rows)
	return i + 1
}

// MoveNode moves node i to position to (the list order is the form's
// order; DataWorks ignores it).
func (d *Document) MoveNode(i, to int) {
	nodes := d.workflow().get("nodes")
	to = max(0, min(to, len(nodes.items)-1))
	n := nodes.items[i]
	nodes.items = slices.Insert(slices.Delete(nodes.items, i, i+1), to, n)
}

// RemoveNode deletes node i, its dependency entries and the dependencies
// other nodes had on it. RestoreNode undoes it.
func (d *Document) RemoveNode(i int) {
	wf := d.workflow()
	nodes := wf.get("nodes")
	outputs := d.outputsOf(i)
	id := text(nodes.items[i], "id")
	nodes.items = slices.Delete(nodes.items, i, i+1)
	deps, _ := dependencies(wf)
	if deps == nil || deps.kind != kindArray {
		return
	}
	kept := deps.items[:0:0]
	for _, e := range deps.items {
		if id != "" && text(e, "nodeId") == id {
			continue
		}
		if list := e.get("depends"); list != nil && list.kind == kindArray {
			list.items = slices.DeleteFunc(list.items, func(item *node) bool { return outputs[text(item, "output")] })
		}
		kept = append(kept, e)
	}
	deps.items = kept
}

// outputsOf is every output naming node i: its id and its outputs.
func (d *Document) outputsOf(i int) map[string]bool {
	n := d.nodeList()[i]
	out := map[string]bool{}
	if id := text(n, "id"); id != "" {
		out[id] = true
	}
	for _, o := range readOutputs(n.get("outputs")) {
		if o.Data != "" {
			out[o.Data] = true
		}
	}
	return out
}

// RestoreNode puts back the node with id as it is in before (a version
// from before RemoveNode): the node at its old position, its dependency
// entries, and the dependencies other nodes had on it. It reports false
// when before has no such node or this document already has one.
func (d *Document) RestoreNode(before *Document, id string) bool {
	at := -1
	for i, n := range before.nodeList() {
		if text(n, "id") == id {
			at = i
		}
	}
	if at < 0 || id == "" {
		return false
	}
	for _, n := range d.nodeList() {
		if text(n, "id") == id {
			return false
		}
	}
	wf := d.ensureWorkflow()
	nodes := wf.get("nodes")
	if nodes == nil || nodes.kind != kindArray {
		nodes = &node{kind: kindArray, items: []*node{}}
		wf.set("nodes", nodes)
	}
	nodes.items = slices.Insert(nodes.items, min(at, len(nodes.items)), before.nodeList()[at].clone())
	outputs := before.outputsOf(at)
	oldDeps, _ := dependencies(before.workflow())
	deps := ensureDependencies(wf)
	for e, old := range oldDeps.itemsOrNil() {
		target := text(old, "nodeId")
		if target == id {
			deps.items = slices.Insert(deps.items, min(e, len(deps.items)), old.clone())
			continue
		}
		for _, item := range old.get("depends").itemsOrNil() {
			if !outputs[text(item, "output")] {
				continue
			}
			entry := firstEntry(deps, target)
			if entry == nil {
				if _, ok := d.NodeIndex(target); !ok {
					continue // that downstream is gone too
				}
				entry = objectNode(member{"nodeId", stringNode(target)}, member{"depends", &node{kind: kindArray, items: []*node{}}})
				deps.items = append(deps.items, entry)
			}
			list := ensureArray(entry, "depends")
			list.items = append(list.items, item.clone())
		}
	}
	return true
}

func firstEntry(deps *node, id string) *node {
	for _, e := range deps.itemsOrNil() {
		if text(e, "nodeId") == id {
			return e
		}
	}
	return nil
}

func ensureArray(obj *node, key string) *node {
	list := obj.get(key)
	if list == nil || list.kind != kindArray {
		list = &node{kind: kindArray, items: []*node{}}
		obj.set(key, list)
	}
	return list
}

// NodeIndex finds the node with id; ok is false when there is none.
func (d *Document) NodeIndex(id string) (int, bool) {
	for i, n := range d.nodeList() {
		if text(n, "id") == id {
			return i, true
		}
	}
	return -1, false
}
