package flowspec

import (
	"strconv"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// The three shapes DataWorks writes (samples/README.md): a workflow nested
// in spec.workflows[0], which FlowForm edits; a workflow written flat, where
// spec itself is the workflow (ManualWorkflow "Show Spec" in 1.x); and a
// single node (GetNode), which is not a workflow at all.

// nodeKinds are the kinds of node documents (1.x ManualNode, 2.0.0 Node).
var nodeKinds = map[string]bool{"Node": true, "ManualNode": true}

// flat reports whether spec is a workflow written flat: no spec.workflows,
// but the workflow's own name or id at the top of spec.
func flat(root, spec *node) bool {
	if spec == nil || spec.kind != kindObject || spec.get("workflows") != nil {
		return false
	}
	if kind, _ := root.get("kind").str(); nodeKinds[kind] {
		return false
	}
	_, named := spec.get("name").str()
	_, hasID := spec.get("id").str()
	return named || hasID
}

// liftFlat moves a flat workflow into spec.workflows[0], the shape the
// editor edits and CreateWorkflowDefinition reads, keeping everything:
//   - spec.name, id, owner and description are copied into the workflow
//     (nested server output repeats them at both levels);
//   - spec.nodes becomes the workflow's nodes;
//   - spec.flow becomes its dependencies, except entries for the workflow
//     itself (its own upstream), which stay in spec.flow as in nested output;
//   - spec.variables (scope Workflow) become script.parameters;
//   - script gets runtime.command WORKFLOW and the folder the inner nodes'
//     paths share (they are "<folder>/<node>"; the folder ends with the
//     workflow name).
//
// Each move is reported.
func (d *Document) liftFlat() []Finding {
	spec := d.root.get("spec")
	if !flat(d.root, spec) {
		return nil
	}
	const base = "spec.workflows[0]"
	name, _ := spec.get("name").str()
	id, _ := spec.get("id").str()
	wf := objectNode()
	for _, key := range []string{"id", "name", "owner", "description"} {
		if v := spec.get(key); v != nil {
			wf.set(key, v.clone())
		}
	}
	var out []Finding
	out = append(out, warning("", "flat_workflow", "spec.workflows", i18n.Sprintf(
		"the workflow %q was written flat (1.x layout: spec.nodes and spec.flow at the top of spec, no spec.workflows); it was moved into spec.workflows[0], the shape CreateWorkflowDefinition reads, with its name, id and owner",
		"工作流「%s」为扁平结构（1.x：spec.nodes、spec.flow 位于 spec 顶层，没有 spec.workflows）；已移入 spec.workflows[0]（CreateWorkflowDefinition 读取的结构），并保留名称、ID 和责任人", name)))

	script := objectNode(member{"runtime", objectNode(member{"command", stringNode("WORKFLOW")})})
	nodes := spec.get("nodes")
	if name != "" {
		folder, derived := sharedFolder(nodes, name)
		path := name
		if folder != "" {
			path = folder + "/" + name
		}
		script.members = append([]member{{"path", stringNode(path)}}, script.members...)
		if derived {
			out = append(out, warning("", "flat_workflow", base+".script.path", i18n.Sprintf(
				"%s.script.path was set to %q, the folder the inner nodes' paths share; runtime.command is WORKFLOW",
				"%s.script.path 已设为「%s」，即内部节点路径共同的文件夹；runtime.command 为 WORKFLOW", base, path)))
		} else {
			out = append(out, warning("", "flat_workflow", base+".script.path", i18n.Sprintf(
				"%s.script.path was set to %q: no inner node's path shows the workflow's folder, so it sits at the root; set the folder in the editor if it belongs elsewhere",
				"%s.script.path 已设为「%s」：内部节点路径未体现工作流所在文件夹，因此位于根目录；如需放在其他文件夹，请在编辑器中设置", base, path)))
		}
	}
	if vars := spec.get("variables"); vars != nil {
		script.set("parameters", vars)
		spec.remove("variables")
		out = append(out, warning("", "flat_workflow", base+".script.parameters", i18n.Sprintf(
			"spec.variables (parameters: %d) became the workflow parameters %s.script.parameters",
			"spec.variables（参数：%d 个）已成为工作流参数 %s.script.parameters", len(vars.itemsOrNil()), base)))
	}
	wf.set("script", script)
	if nodes != nil {
		wf.set("nodes", nodes)
		spec.remove("nodes")
		out = append(out, warning("", "flat_workflow", base+".nodes", i18n.Sprintf(
			"spec.nodes (inner nodes: %d) moved to %s.nodes", "spec.nodes（内部节点：%d 个）已移至 %s.nodes", len(nodes.itemsOrNil()), base)))
	}
	if flow := spec.get("flow"); flow != nil && flow.kind == kindArray {
		own, deps := &node{kind: kindArray, items: []*node{}}, &node{kind: kindArray, items: []*node{}}
		for _, entry := range flow.items {
			if target, _ := entry.get("nodeId").str(); id != "" && target == id {
				own.items = append(own.items, entry)
			} else {
				deps.items = append(deps.items, entry)
			}
		}
		wf.set("dependencies", deps)
		if len(own.items) > 0 {
			spec.set("flow", own)
		} else {
			spec.remove("flow")
		}
		out = append(out, warning("", "flat_workflow", base+".dependencies", i18n.Sprintf(
			"spec.flow (dependency entries between inner nodes: %d) moved to %s.dependencies",
			"spec.flow（内部节点间的依赖：%d 条）已移至 %s.dependencies", len(deps.items), base)))
	}
	spec.set("workflows", &node{kind: kindArray, items: []*node{wf}})
	return out
}

// sharedFolder returns the folder most inner nodes' script.path share
// ("teest" for "teest/005"), if it ends with the workflow's name; the
// folder returned is the part before that name.
func sharedFolder(nodes *node, name string) (folder string, ok bool) {
	count := map[string]int{}
	best, bestN := "", 0
	for _, n := range nodes.itemsOrNil() {
		p, _ := n.get("script").get("path").str()
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			continue
		}
		dir := p[:i]
		if dir != name && !strings.HasSuffix(dir, "/"+name) {
			continue
		}
		count[dir]++
		if count[dir] > bestN {
			best, bestN = dir, count[dir]
		}
	}
	if bestN == 0 {
		return "", false
	}
	return strings.TrimSuffix(strings.TrimSuffix(best, name), "/"), true
}

// liftNode puts a node document (a 1.x ManualNode, a 2.0.0 Node, or
// spec.nodes with no workflow around them, as GetNode returns) into a new
// workflow named after its first node, so the node can be edited and
// delivered: the node keeps every field, its dependency entries move with
// it, and the workflow takes the node's schedule (or a manual trigger).
func (d *Document) liftNode() []Finding {
	spec := d.root.get("spec")
	if spec == nil || spec.kind != kindObject || spec.get("workflows") != nil {
		return nil
	}
	kind, _ := d.root.get("kind").str()
	nodes := spec.get("nodes")
	if len(nodes.itemsOrNil()) == 0 || !nodeKinds[kind] && flat(d.root, spec) {
		return nil
	}
	first := nodes.items[0]
	nodeName := text(first, "name")
	name := nodeName + "_workflow"
	trigger := objectNode(member{"type", stringNode(TriggerManual)})
	wfKind := KindManual
	if t := first.get("trigger"); text(t, "type") == TriggerScheduler {
		trigger, wfKind = t.clone(), KindCycle
		trigger.remove("id")
	}
	tpl := Templates[0]
	if wfKind == KindManual {
		tpl, _ = TemplateByID("manual")
	}
	wf := tpl.New(name).workflow()
	wf.set("trigger", trigger)
	folder := text(first.get("script"), "path")
	if i := strings.LastIndexByte(folder, '/'); i >= 0 {
		setPath(wf, "script.path", stringNode(folder[:i+1]+name))
	}
	wf.set("nodes", nodes)
	spec.remove("nodes")
	for _, key := range []string{"dependencies", "flow"} {
		if deps := spec.get(key); deps != nil {
			wf.set("dependencies", deps)
			spec.remove(key)
			break
		}
	}
	d.root.set("kind", stringNode(wfKind))
	spec.set("name", stringNode(name))
	spec.set("type", stringNode(wfKind))
	spec.set("workflows", &node{kind: kindArray, items: []*node{wf}})
	return []Finding{warning("", "node_document", "spec.workflows[0].name", i18n.Sprintf(
		"this document is one node, %q (%s, kind %q), as GetNode returns it; it was placed in a new workflow %q with the node's schedule: rename the workflow and check its settings before submitting",
		"此文档是单个节点「%s」（%s，kind「%s」），即 GetNode 的返回；已放入新工作流「%s」，沿用节点的调度：提交前请重命名工作流并检查其设置",
		nodeName, text(getPath(first, "script.runtime"), "command"), kind, name))}
}

// nodeView warns when metadata.uuid names an inner node rather than the
// workflow: the document is that node's spec (GetNode) and may hold only
// part of its workflow.
func (d *Document) nodeView() []Finding {
	uuid, ok := d.root.get("metadata").get("uuid").str()
	wf := d.workflow()
	if !ok || wf == nil {
		return nil
	}
	if id, _ := wf.get("id").str(); id == uuid {
		return nil
	}
	for _, n := range wf.get("nodes").itemsOrNil() {
		if id, _ := n.get("id").str(); id == uuid {
			name, _ := n.get("name").str()
			return []Finding{warning("", "node_view", "metadata.uuid", i18n.Sprintf(
				"metadata.uuid is node %q (%s), not the workflow: this document was exported for that node, so the workflow's other nodes and its parameters may be missing; for the whole workflow, import the workflow's own \"Show Spec\"",
				"metadata.uuid 是节点「%s」（%s），而不是工作流：此文档是为该节点导出的，工作流的其他节点和参数可能缺失；如需完整工作流，请导入工作流本身的“查看 Spec”",
				name, uuid))}
		}
	}
	return nil
}

// MetadataProjectID returns the workspace ProjectId the document's
// metadata records (DataWorks writes it at metadata.projectId, and in
// the workflow's own metadata), with the path it was read from; "" when
// there is none or it is not a valid ProjectId.
func (d *Document) MetadataProjectID() (id, path string) {
	wf := d.workflow()
	for _, c := range []struct {
		n    *node
		path string
	}{
		{d.root.get("metadata").get("projectId"), "metadata.projectId"},
		{wf.get("metadata").get("projectId"), "spec.workflows[0].metadata.projectId"},
		{wf.get("metadata").get("project").get("projectId"), "spec.workflows[0].metadata.project.projectId"},
	} {
		v, ok := c.n.str()
		if !ok && c.n != nil && c.n.kind == kindNumber {
			v, ok = c.n.text, true
		}
		if !ok || v == "" {
			continue
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n > 0 && CheckProjectID(v) == nil {
			return v, c.path
		}
	}
	return "", ""
}
