package web

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// The node form edits one inner node at a time, inside the editor form:
// node_index says which, and its inputs are the node field table's.

// readNodeForm applies the posted node form to in.doc. fail reports a
// value the node cannot hold, at its input.
func readNodeForm(form map[string][]string, in *editorInput, fail func(string, i18n.Text)) {
	doc := in.doc
	// The node by its id, wherever it is now (another tab may have moved
	// it); by its place only when it has no id.
	i, found := doc.NodeIndex(at(form["node_id"], 0))
	if !found || at(form["node_id"], 0) == "" {
		n, err := strconv.Atoi(at(form["node_index"], 0))
		if err != nil || n < 0 || n >= doc.NodeCount() || doc.Node(n).ID != at(form["node_id"], 0) {
			return // no node form, or one for a node that is gone
		}
		i = n
	}
	nf := doc.Node(i)
	in.node = i
	for _, rows := range []string{"node_up", "node_param_name", "node_output_data"} {
		if n := len(form[rows]); n > flowspec.MaxUpstreams+1 {
			// Refused before any work: each row is looked up.
			fail("node_name", i18n.Sprintf("The node form posted %d rows; at most %d are allowed; nothing was saved",
				"节点表单提交了 %d 行；最多允许 %d 行；未保存任何内容", n, flowspec.MaxUpstreams))
			return
		}
	}
	for _, fl := range flowspec.NodeFields {
		raw, posted := form[fl.Name]
		if !posted || fl.Kind == flowspec.KindRows {
			continue
		}
		value := raw[0]
		if fl.Kind == flowspec.KindCode {
			value = fromTextarea(value, nf.Values[fl.Name])
		}
		in.nodeTyped[fl.Name] = value
		var fe *flowspec.FieldError
		if err := fl.SetNode(&nf, value); errors.As(err, &fe) {
			fail(fl.Name, fe.Message)
		}
	}
	if _, ok := form["node_param_name"]; ok {
		nf.Parameters = nil
		remove := rowIndex(form, "remove_node_param")
		for k, name := range form["node_param_name"] {
			p := flowspec.Parameter{Name: strings.TrimSpace(name), Type: at(form["node_param_type"], k), Value: strings.TrimSpace(at(form["node_param_value"], k))}
			if k == remove || p.Name == "" && p.Value == "" {
				continue
			}
			nf.Parameters = append(nf.Parameters, p)
		}
		in.nodeRowsChanged = in.nodeRowsChanged || at(form["node_param_rows"], 0) != strconv.Itoa(len(nf.Parameters)+1)
	}
	if _, ok := form["node_output_data"]; ok {
		cur := nf.Outputs
		nf.Outputs = nil
		remove := rowIndex(form, "remove_node_output")
		for k, data := range form["node_output_data"] {
			o := flowspec.Output{Data: strings.TrimSpace(data), RefTableName: strings.TrimSpace(at(form["node_output_ref"], k))}
			if k == remove || o.Data == "" && o.RefTableName == "" {
				continue
			}
			if n := len(nf.Outputs); n < len(cur) {
				o.IsDefault = cur[n].IsDefault
			}
			nf.Outputs = append(nf.Outputs, o)
		}
		in.nodeRowsChanged = in.nodeRowsChanged || at(form["node_output_rows"], 0) != strconv.Itoa(len(nf.Outputs)+1)
	}
	if _, ok := form["node_up"]; ok {
		cur := nf.Upstreams
		nf.Upstreams = nil
		remove := rowIndex(form, "remove_node_up")
		names := nodeNames(doc)
		for k, typed := range form["node_up"] {
			typed = strings.TrimSpace(typed)
			typ := at(form["node_up_type"], k)
			if k == remove || typed == "" && (typ == "" || typ == flowspec.DependNormal) {
				continue
			}
			// A row shown and posted back unchanged keeps exactly what it
			// names (a branch's output stays that branch, not the node).
			if k < len(cur) && typed == upstreamRow(doc, i, cur[k]).Value && typ == cur[k].Type {
				nf.Upstreams = append(nf.Upstreams, cur[k])
				continue
			}
			u := resolveUpstream(doc, names, i, typed, typ)
			if k < len(cur) && cur[k].Output == u.Output && u.RefTableName == "" {
				u.RefTableName = cur[k].RefTableName // an external upstream keeps the name DataWorks gave it
			}
			nf.Upstreams = append(nf.Upstreams, u)
		}
		in.nodeRowsChanged = in.nodeRowsChanged || at(form["node_up_rows"], 0) != strconv.Itoa(len(nf.Upstreams)+1)
	}
	doc.ApplyNode(i, nf)
}

// resolveUpstream turns what was typed in an upstream row into the output
// the dependency names: a node of this workflow by name (its id or first
// named output), an output a node here produces, or an output from outside
// the workflow as typed. A previous-cycle dependency on itself needs no
// output typed.
func resolveUpstream(doc *flowspec.Document, names map[string]int, self int, typed, typ string) flowspec.Upstream {
	if typ == "" {
		typ = flowspec.DependNormal
	}
	u := flowspec.Upstream{Output: typed, Type: typ}
	switch {
	case typ == flowspec.DependChildren:
		u.Output = ""
	case typ == flowspec.DependSelf && typed == "":
		u.Output, u.RefTableName = doc.RefOutput(self), doc.Node(self).Name()
	default:
		if j, ok := names[typed]; ok {
			return flowspec.Upstream{Output: doc.RefOutput(j), Type: typ, RefTableName: typed}
		}
		if j, ok := doc.Producer(typed); ok {
			u.RefTableName = doc.NodeName(j)
		}
	}
	return u
}

// nodeNames maps each node's name to its index (the first, for a name
// used twice).
func nodeNames(doc *flowspec.Document) map[string]int {
	g := doc.Graph()
	m := make(map[string]int, len(g.Names))
	for i := len(g.Names) - 1; i >= 0; i-- {
		m[g.Names[i]] = i
	}
	return m
}

// fromTextarea undoes what a browser does to a textarea's text: it sends
// line breaks as CRLF. Code stored with CRLF keeps them.
func fromTextarea(posted, stored string) string {
	lf := strings.ReplaceAll(posted, "\r\n", "\n")
	if strings.Contains(stored, "\r\n") && !strings.Contains(strings.ReplaceAll(stored, "\r\n", ""), "\n") {
		return strings.ReplaceAll(lf, "\n", "\r\n")
	}
	return lf
}

// upstreamRow is how the form shows a dependency of node self: the
// upstream node's name when the output is the one a dependency on that
// node names anyway (its id or first named output), else the output
// itself, so that posting the row back changes nothing.
func upstreamRow(doc *flowspec.Document, self int, u flowspec.Upstream) components.UpstreamRow {
	row := components.UpstreamRow{Value: u.Output, Type: u.Type}
	j, internal := doc.Producer(u.Output)
	row.Internal = internal
	switch {
	case u.Type == flowspec.DependChildren:
		row.Value = ""
	case u.Type == flowspec.DependSelf && internal && j == self && u.Output == doc.RefOutput(self):
		row.Value = "" // the node's own previous cycle needs nothing typed
	case internal && u.Output == doc.RefOutput(j):
		row.Value = doc.NodeName(j)
	}
	return row
}

// nodesView builds the Nodes card with node sel's form open (-1: none).
// nodeErrs counts the errors of each node; typed holds what the node form
// posted, shown back as typed.
func nodesView(lang i18n.Lang, draftID string, doc *flowspec.Document, sel int, errs map[string][]string, nodeErrs map[int]int, typed map[string]string) components.NodesView {
	g := doc.Graph()
	nodes := doc.Nodes()
	v := components.NodesView{Names: g.Names, DAG: dagPicture(lang, g, sel, func(i int) string { return nodeHref(draftID, i) })}
	for _, k := range flowspec.NodeKinds {
		if k.Editable {
			v.Kinds = append(v.Kinds, components.Option{Value: k.Command, Label: k.Label.In(lang)})
		}
	}
	ups := make([][]string, len(nodes))
	for _, e := range g.Edges {
		switch {
		case e.Internal() && e.From != e.To:
			ups[e.To] = append(ups[e.To], g.Names[e.From])
		case e.Ext >= 0:
			ups[e.To] = append(ups[e.To], g.External[e.Ext])
		}
	}
	state, _ := flowspec.NodeFieldNamed("node_recurrence")
	for i, n := range nodes {
		kind := flowspec.KindLabel(n.Command(), lang)
		r := components.NodeRow{Index: i, Name: n.Name(), Kind: kind, Upstreams: strings.Join(ups[i], ", "), Errors: nodeErrs[i],
			Href: nodeHref(draftID, i), Selected: i == sel, Search: strings.ToLower(n.Name() + " " + kind + " " + n.Command())}
		if st := n.Values["node_recurrence"]; st != "" && st != "Normal" {
			r.State = state.ChoiceLabel(st, lang)
		}
		v.Rows = append(v.Rows, r)
	}
	if len(nodes) > 0 {
		v.Shape = shapeText(lang, g)
	}
	if sel >= 0 && sel < len(nodes) {
		v.Form = nodeFormView(lang, doc, sel, errs, typed)
	}
	return v
}

// nodeHref opens node i's form.
func nodeHref(draftID string, i int) string {
	return "/d/" + draftID + "?node=" + strconv.Itoa(i) + "#node-form"
}

// shapeText sums the graph up: "3 nodes · starts at ods · ends at ads ·
// longest chain ods → dwd → ads (3)".
func shapeText(lang i18n.Lang, g flowspec.Graph) string {
	names := func(idx []int, max int) string {
		var out []string
		for k, i := range idx {
			if k == max {
				out = append(out, i18n.Sprintf("%d more", "另 %d 个", len(idx)-max).In(lang))
				break
			}
			out = append(out, g.Names[i])
		}
		return strings.Join(out, ", ")
	}
	roots, leaves, chain := g.Shape()
	parts := []string{i18n.Sprintf("%d nodes", "%d 个节点", len(g.Names)).In(lang)}
	if g.Cycle != nil {
		parts = append(parts, i18n.Sprintf("dependency cycle %s", "依赖成环 %s", flowspec.CycleText(g)).In(lang))
		return strings.Join(parts, " · ")
	}
	parts = append(parts, i18n.Sprintf("starts at %s", "起点 %s", names(roots, 3)).In(lang),
		i18n.Sprintf("ends at %s", "终点 %s", names(leaves, 3)).In(lang))
	if len(chain) > 1 {
		var c []string
		for _, i := range chain {
			c = append(c, g.Names[i])
		}
		text := strings.Join(c, " → ")
		if len(c) > 6 {
			text = strings.Join(c[:2], " → ") + " → … → " + strings.Join(c[len(c)-2:], " → ")
		}
		parts = append(parts, i18n.Sprintf("longest chain %s (%d)", "最长链路 %s（%d 个）", text, len(chain)).In(lang))
	}
	return strings.Join(parts, " · ")
}

// nodeFormView is node i's form, its run settings showing the workflow's
// values they follow.
func nodeFormView(lang i18n.Lang, doc *flowspec.Document, i int, errs map[string][]string, typed map[string]string) *components.NodeFormView {
	n := doc.Node(i)
	wf := doc.Form()
	f := &components.NodeFormView{Index: i, ID: n.ID, Name: n.Name(), Inputs: map[string]components.FieldView{},
		First: i == 0, Last: i == doc.NodeCount()-1, Count: doc.NodeCount()}
	kind, known := flowspec.KindOf(n.Command())
	f.Kept = !known || !kind.Editable
	f.KindLabel = flowspec.KindLabel(n.Command(), lang)
	f.CodeLang = kind.Lang
	f.Datasource = !known || kind.Datasource != "" || n.Values["node_datasource"] != ""
	// Code for the kinds that run code (and for any node that has some).
	f.Code = !known || kind.Lang != "" || n.Values["node_code"] != ""
	for _, fl := range flowspec.NodeFields {
		if fl.Kind == flowspec.KindRows {
			continue
		}
		value, ok := typed[fl.Name]
		if !ok {
			value = n.Values[fl.Name]
		}
		fv := components.FieldView{Name: fl.Name, Label: fl.Label.In(lang), Help: fl.Help.In(lang), Kind: kindNames[fl.Kind],
			Unit: fl.Unit.Name.In(lang), Value: value, Errors: errs[fl.Name]}
		if fl.Kind == flowspec.KindNumber {
			fv.Min = strconv.FormatInt(fl.Min, 10)
			if fl.Max > 0 {
				fv.Max = strconv.FormatInt(fl.Max, 10)
			}
		}
		if fl.Follows != nil {
			inherited := fl.Follows.Value(&wf)
			fv.Source = i18n.Text{EN: "set for this node", ZH: "本节点设置"}.In(lang)
			if value == "" {
				fv.Source = i18n.Text{EN: "follows the workflow", ZH: "沿用工作流"}.In(lang)
			}
			if fl.Kind == flowspec.KindChoice {
				fv.Options = append(fv.Options, components.Option{Value: "", Label: i18n.Sprintf("Workflow's: %s", "沿用工作流：%s", fl.Follows.ChoiceLabel(inherited, lang)).In(lang)})
			} else {
				fv.Placeholder = inherited // the label says it follows the workflow
			}
		}
		for _, c := range fl.Choices {
			fv.Options = append(fv.Options, components.Option{Value: c.Value, Label: c.Label.In(lang)})
		}
		f.Inputs[fl.Name] = fv
	}
	for _, p := range n.Parameters {
		f.Params = append(f.Params, components.ParamRow{Name: p.Name, Type: p.Type, Value: p.Value})
	}
	for _, o := range n.Outputs {
		f.Outputs = append(f.Outputs, components.OutputRow{Data: o.Data, RefTableName: o.RefTableName, IsDefault: o.IsDefault})
	}
	for _, u := range n.Upstreams {
		f.Upstreams = append(f.Upstreams, upstreamRow(doc, i, u))
	}
	for _, t := range flowspec.DependencyTypes {
		f.DependencyTypes = append(f.DependencyTypes, components.Option{Value: t.Value, Label: t.Label.In(lang)})
	}
	suggested := flowspec.DefaultOutput("<project>", n.Name())
	f.Suggested = components.OutputRow{Data: suggested.Data, RefTableName: suggested.RefTableName}
	return f
}

// planView is the delivery plan as the editor shows it; workflowID is the
// workflow this draft already created ("" for none), which the first call
// then updates.
func planView(lang i18n.Lang, doc *flowspec.Document, open bool, dl draft.Delivery, projectID string) components.PlanView {
	v := components.PlanView{Open: open}
	if !open {
		return v
	}
	g := doc.Graph()
	if g.Cycle != nil {
		v.Blocked = i18n.Sprintf("The nodes cannot be created in order: dependency cycle %s.", "无法按顺序创建节点：依赖成环 %s。", flowspec.CycleText(g)).In(lang)
	}
	if doc.NodeCount() > 0 {
		v.Note = i18n.Text{
			EN: "CreateWorkflowDefinition ignores inner nodes, so Submit creates each node with its own CreateNode call inside the workflow, upstreams first — or, for a node already in DataWorks, sends UpdateNode with only what changed. Each call is recorded before it is sent.",
			ZH: "CreateWorkflowDefinition 会忽略内部节点，因此提交时每个节点在工作流内单独调用 CreateNode，先上游后下游；已在 DataWorks 中的节点则只用 UpdateNode 发送改动。每次调用发送前都会记录。"}.In(lang)
	}
	created := map[string]bool{}
	for _, st := range draft.Steps(doc, dl, projectID) {
		step := components.PlanStep{N: st.Seq, Operation: st.Action, Name: st.Name, Spec: string(st.Spec)}
		if st.TargetID != "" {
			step.Operation += " " + st.TargetID
		}
		if st.State == draft.StepSkipped {
			step.Operation += " · " + i18n.Text{EN: "removed from the draft, left in DataWorks unless deleted on the submit page", ZH: "已从草稿删除；除非在提交页勾选删除，否则保留在 DataWorks"}.In(lang)
		}
		if i, ok := doc.NodeIndex(st.Node); ok && st.Node != "" {
			var after, assigned []string
			for _, e := range g.Edges {
				if e.To == i && e.Internal() && e.From != i && !slices.Contains(after, g.Names[e.From]) {
					after = append(after, g.Names[e.From])
					if created[doc.NodeID(e.From)] {
						assigned = append(assigned, g.Names[e.From])
					}
				}
			}
			step.After = strings.Join(after, ", ")
			if len(assigned) > 0 {
				step.Assigned = i18n.Sprintf("The dependency on %s names the id DataWorks returns when it creates that node.",
					"对 %s 的依赖使用 DataWorks 创建该节点时返回的 ID。", strings.Join(assigned, ", ")).In(lang)
			}
		}
		if st.Action == draft.CreateNode {
			created[st.Node] = true
		}
		v.Steps = append(v.Steps, step)
	}
	return v
}

// readOnlyNodes lists every node by its fields for the review page; run
// settings a node leaves to the workflow say so.
func readOnlyNodes(lang i18n.Lang, doc *flowspec.Document) []components.ReadOnlyNode {
	wf := doc.Form()
	g := doc.Graph()
	var out []components.ReadOnlyNode
	for i, n := range doc.Nodes() {
		rn := components.ReadOnlyNode{Index: i, Name: n.Name(), Kind: flowspec.KindLabel(n.Command(), lang), Code: n.Values["node_code"]}
		add := func(label, value string) {
			if value != "" {
				rn.Fields = append(rn.Fields, components.Field{Label: label, Value: value})
			}
		}
		var ups []string
		for _, e := range g.Edges {
			if e.To != i {
				continue
			}
			typ := e.Type
			for _, t := range flowspec.DependencyTypes {
				if t.Value == e.Type {
					typ = t.Label.In(lang)
				}
			}
			from := e.Output
			if e.Internal() {
				from = g.Names[e.From]
			}
			ups = append(ups, strings.TrimSpace(from+" ("+typ+")"))
		}
		add(i18n.Text{EN: "Upstreams", ZH: "上游依赖"}.In(lang), strings.Join(ups, ", "))
		for _, name := range []string{"node_datasource", "node_resource_group"} {
			fl, _ := flowspec.NodeFieldNamed(name)
			add(fl.Label.In(lang), n.Values[name])
		}
		for _, fl := range flowspec.RunSettings() {
			v := n.Values[fl.Name]
			shown := readOnlyValue(lang, fl, v)
			if v == "" {
				shown = i18n.Sprintf("%s (workflow's)", "%s（沿用工作流）", readOnlyValue(lang, fl.Follows, fl.Follows.Value(&wf))).In(lang)
			}
			add(fl.Label.In(lang), shown)
		}
		var params, outs []string
		for _, p := range n.Parameters {
			params = append(params, p.Name+"="+p.Value)
		}
		for _, o := range n.Outputs {
			outs = append(outs, o.Data)
		}
		add(i18n.Text{EN: "Node parameters", ZH: "节点参数"}.In(lang), strings.Join(params, ", "))
		add(i18n.Text{EN: "Node outputs", ZH: "节点输出"}.In(lang), strings.Join(outs, ", "))
		out = append(out, rn)
	}
	return out
}
