package flowspec

import (
	"strconv"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// checkNodes applies the inner-node rules N1–N9 (README, "Validation
// rules"). DataWorks checks none of them before it stores a node, and a
// dependency cycle is only found at run time, when the nodes in it never
// run (nodes-reference §5.1), so FlowForm checks them first.
func (c *checker) checkNodes(d *Document) {
	wf := d.workflow()
	nodes := wf.get("nodes")
	if nodes == nil {
		return
	}
	base := workflowPrefix + "nodes"
	if nodes.kind != kindArray {
		c.fail("N1", "type", base, i18n.Sprintf("%s must be a list", "%s 必须是列表", base))
		return
	}
	if n := len(nodes.items); n > maxNodesRecommended {
		c.warn("N9", "node_count", base, i18n.Sprintf(
			"the workflow has %d nodes; DataWorks recommends at most %d per workflow: split it into workflows that depend on each other",
			"工作流有 %d 个节点；DataWorks 建议每个工作流不超过 %d 个：请拆分为相互依赖的多个工作流", n, maxNodesRecommended))
	}
	names, ids := map[string]int{}, map[string]int{}
	outputs := map[string]string{} // output → who produces it
	for _, o := range readOutputs(wf.get("outputs")) {
		if o.Data != "" {
			outputs[o.Data] = text(wf, "name")
		}
	}
	named := 0
	firstNamed := ""
	for i, n := range nodes.items {
		p := nodePrefix(i)
		if n.kind != kindObject {
			c.fail("N1", "type", p, i18n.Sprintf("%s must be an object", "%s 必须是对象", p))
			continue
		}
		name, _ := c.str("N1", n, "name", p+".name")
		switch j, dup := names[name]; {
		case strings.TrimSpace(name) == "":
			c.fail("N1", "node_name_required", p+".name", i18n.Sprintf(
				"node %d needs a name", "第 %d 个节点需要名称", i+1))
		case dup:
			c.fail("N1", "node_name_duplicate", p+".name", i18n.Sprintf(
				"node name %q is used by node %d too; names must be unique in the workflow (DataWorks refuses a second node with the same name in a workspace)",
				"节点名称「%s」与第 %d 个节点重复；工作流内名称必须唯一（DataWorks 拒绝在同一工作空间创建同名节点）", name, j+1))
		default:
			names[name] = i
		}
		id, _ := c.str("N1", n, "id", p+".id")
		if j, dup := ids[id]; dup && id != "" {
			c.fail("N1", "node_id_duplicate", p+".id", i18n.Sprintf(
				"node %q has the id %q of node %q; dependencies could not tell them apart",
				"节点「%s」的 ID「%s」与节点「%s」相同；依赖无法区分它们", name, id, text(nodes.items[j], "name")))
		} else if id != "" {
			ids[id] = i
		}
		cmd := text(getPath(n, "script.runtime"), "command")
		if cmd == "" {
			c.fail("N2", "node_command_required", p+".script.runtime.command", i18n.Sprintf(
				"node %q needs a kind (script.runtime.command), e.g. ODPS_SQL", "节点「%s」需要类型（script.runtime.command），例如 ODPS_SQL", name))
		}
		k, known := KindOf(cmd)
		if !known && cmd != "" {
			c.warn("N2", "command_unknown", p+".script.runtime.command", i18n.Sprintf(
				"node %q has the kind %q, which FlowForm does not know: it is kept as it is, and DataWorks refuses it unless it is one of its node types",
				"节点「%s」的类型「%s」FlowForm 无法识别：将原样保留；若不是 DataWorks 的节点类型，DataWorks 会拒绝", name, cmd))
		}
		if code, ok := getPath(n, "script.runtime.commandTypeId").integer(); ok && cmd != "" {
			if was, recorded := kindByCode(code); recorded && !strings.EqualFold(was.Command, cmd) {
				c.warn("N2", "command_changed", p+".script.runtime.command", i18n.Sprintf(
					"node %q was created in DataWorks as %s and is now %s: DataWorks cannot change a node's kind after creation; add a new node of the new kind instead",
					"节点「%s」在 DataWorks 中创建为 %s，现在为 %s：节点创建后 DataWorks 无法更改其类型；请改为新增该类型的节点", name, was.Command, cmd))
			}
		}
		if known && k.Datasource != "" && text(n.get("datasource"), "name") == "" {
			c.warn("N3", "datasource_missing", p+".datasource", i18n.Sprintf(
				"node %q (%s) names no datasource: it runs on the workspace's default %s datasource",
				"节点「%s」（%s）未指定数据源：将使用工作空间默认的 %s 数据源", name, k.Label.EN, k.Datasource))
		}
		c.checkNodeSettings(n, p, name)
		for j, o := range readOutputs(n.get("outputs")) {
			op := p + ".outputs.nodeOutputs[" + strconv.Itoa(j) + "].data"
			if o.Data == "" {
				continue
			}
			if who, dup := outputs[o.Data]; dup {
				c.fail("N4", "output_duplicate", op, i18n.Sprintf(
					"output %q of node %q is also produced by %q; an output names one node",
					"节点「%s」的输出「%s」也由「%s」产出；一个输出只能对应一个节点", o.Data, name, who))
				continue
			}
			outputs[o.Data] = name
			if !o.IsDefault && strings.Contains(o.Data, ".") {
				if named == 0 {
					firstNamed = op
				}
				named++
			}
		}
	}
	if named > 0 {
		c.warn("N4", "output_workspace", firstNamed, i18n.Sprintf(
			"%d output(s) named <project>.<name>: each must be unique in the whole workspace, or deployment fails (\"can not exported multiple nodes into the same output\")",
			"%d 个输出以 <project>.<name> 命名：每个输出在整个工作空间内必须唯一，否则发布失败", named))
	}
	c.checkDependencies(d, ids)
}

// checkNodeSettings checks a node's run settings against the ranges of
// the workflow fields they follow.
func (c *checker) checkNodeSettings(n *node, p, name string) {
	for _, fl := range NodeFields {
		if fl.Follows == nil {
			continue
		}
		v := n.get(fl.Path)
		if v == nil {
			continue
		}
		path := p + "." + fl.Path
		switch fl.Kind {
		case KindNumber:
			x, ok := v.integer()
			if !ok {
				c.fail("N5", "type", path, i18n.Sprintf("%s must be a whole number", "%s 必须是整数", path))
				continue
			}
			x /= fl.Scale()
			if x < fl.Min || fl.Max > 0 && x > fl.Max {
				c.fail("N5", "node_range", path, i18n.Sprintf("%s: %d is out of range for node %q",
					"%s：值 %d 超出节点「%s」允许的范围", path, x, name))
			}
		case KindChoice:
			s, _ := v.str()
			ok := false
			for _, ch := range fl.Choices {
				ok = ok || ch.Value == s
			}
			if !ok {
				var labels []string
				for _, ch := range fl.Choices {
					labels = append(labels, ch.Value)
				}
				c.fail("N5", "enum", path, i18n.Sprintf("%s: %q is not one of %s", "%s：「%s」不是以下之一：%s",
					path, s, strings.Join(labels, ", ")))
			}
		}
	}
}

// checkDependencies applies N6–N8 to the dependency entries.
func (c *checker) checkDependencies(d *Document, ids map[string]int) {
	wf := d.workflow()
	deps, key := dependencies(wf)
	if deps == nil {
		return
	}
	base := workflowPrefix + key
	if deps.kind != kindArray {
		c.fail("N6", "type", base, i18n.Sprintf("%s must be a list", "%s 必须是列表", base))
		return
	}
	g := d.Graph()
	for e, entry := range deps.items {
		p := base + "[" + strconv.Itoa(e) + "]"
		target := text(entry, "nodeId")
		i, ok := ids[target]
		if !ok {
			c.warn("N6", "dependency_unknown_node", p+".nodeId", i18n.Sprintf(
				"%s.nodeId %q is no node of this workflow; the entry is kept but means nothing here",
				"%s.nodeId「%s」不是本工作流的节点；该条目会保留，但在此无意义", p, target))
			continue
		}
		name := g.Names[i]
		for k, item := range entry.get("depends").itemsOrNil() {
			ip := p + ".depends[" + strconv.Itoa(k) + "]"
			typ, out := text(item, "type"), text(item, "output")
			if typ == "" {
				typ = DependNormal
			}
			var labels []string
			valid := false
			for _, t := range DependencyTypes {
				valid = valid || t.Value == typ
				labels = append(labels, t.Value)
			}
			if !valid {
				c.fail("N6", "enum", ip+".type", i18n.Sprintf("%s: %q is not one of %s", "%s：「%s」不是以下之一：%s",
					ip+".type", typ, strings.Join(labels, ", ")))
				continue
			}
			if out == "" && (typ == DependNormal || typ == DependOtherNode) {
				c.fail("N6", "dependency_output_required", ip+".output", i18n.Sprintf(
					"node %q: an upstream needs the output it depends on (a node of this workflow, or an output in DataWorks)",
					"节点「%s」：上游依赖需要指定所依赖的输出（本工作流的节点，或 DataWorks 中的输出）", name))
				continue
			}
			from, inner := g.producer[out]
			switch {
			case typ == DependNormal && inner && from == i:
				c.fail("N7", "self_dependency", ip+".output", i18n.Sprintf(
					"node %q depends on its own output %q in the same cycle, so it could never start; depending on itself is only valid as \"previous cycle of itself\"",
					"节点「%s」在同一周期依赖自己的输出「%s」，永远无法启动；依赖自身只能选择“依赖上一周期的自己”", name, out))
			case !inner && out != "" && !strings.HasSuffix(out, "_root") && typ != DependSelf:
				c.warn("N8", "dependency_external", ip+".output", i18n.Sprintf(
					"node %q depends on %q, which no node of this workflow produces: it must exist in DataWorks, or the node never runs",
					"节点「%s」依赖的「%s」不由本工作流的任何节点产出：它必须已存在于 DataWorks，否则该节点永远不会运行", name, out))
			}
		}
	}
	if g.Cycle != nil {
		loop := CycleText(g)
		c.fail("N7", "dependency_cycle", g.Edges[g.CycleEdge].Path+".output", i18n.Sprintf(
			"dependency cycle %s: nodes in a cycle never run; remove one of these dependencies or make it \"previous cycle\"",
			"依赖成环 %s：环中的节点永远不会运行；请删除其中一条依赖，或改为依赖上一周期", loop))
	}
}

// CycleText is one cycle written as DataWorks names its nodes, a → b → a.
func CycleText(g Graph) string {
	if g.Cycle == nil {
		return ""
	}
	var b strings.Builder
	for _, i := range append(g.Cycle, g.Cycle[0]) {
		if b.Len() > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(g.Names[i])
	}
	return b.String()
}
