package flowspec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowform/flowform/internal/i18n"
)

// follow makes a node's run setting from the workflow field it follows:
// the same label, unit, range and choices, at the node's own path.
func follow(name, path, workflowField string, min int64) *Field {
	w := fieldsByName[workflowField]
	f := *w
	f.Name, f.Path, f.Section, f.Follows = name, path, SectionNode, w
	f.text, f.number, f.custom = nil, nil, false
	f.Min = min
	f.Default = ""
	f.Help = i18n.Text{} // the workflow's field explains it; the node form says which applies
	return &f
}

// NodeFields is the one table of the fields the node form edits, in form
// order. Paths are under the node (spec.workflows[0].nodes[i]). Run
// settings follow the workflow's field until the node sets its own.
var NodeFields = []*Field{
	{Name: "node_name", Path: "name", Section: SectionNode, Label: tr("Node name", "节点名称"),
		Help: tr("Unique in the workflow; also the last part of the node's path.", "在工作流内唯一；也是节点路径的最后一段。")},
	{Name: "node_command", Path: "script.runtime.command", Section: SectionNode, Kind: KindChoice, Label: tr("Kind", "节点类型"), Choices: kindChoices(),
		Help: tr("DataWorks cannot change a node's kind after it is created.", "节点创建后，DataWorks 无法更改其类型。")},
	{Name: "node_code", Path: "script.content", Section: SectionNode, Kind: KindCode, Label: tr("Code", "代码"),
		Help: tr("Tab indents; press Esc, then Tab, to leave the editor.", "Tab 键缩进；先按 Esc 再按 Tab 可离开编辑器。")},
	{Name: "node_datasource", Path: "datasource.name", Section: SectionNode, Label: tr("Datasource", "数据源"),
		Help: tr("The compute engine's datasource, e.g. odps_first; empty = the workspace default.", "计算引擎数据源，例如 odps_first；留空 = 工作空间默认。")},
	{Name: "node_resource_group", Path: "runtimeResource.resourceGroup", Section: SectionNode, Label: tr("Resource group", "资源组"),
		Help: tr("Identifier such as Serverless_res_group_…; empty = the workspace default.", "例如 Serverless_res_group_…；留空 = 工作空间默认。")},
	{Name: "node_param", Path: "script.parameters", Section: SectionNode, Kind: KindRows, Label: tr("Node parameter", "节点参数")},
	{Name: "node_output", Path: "outputs.nodeOutputs", Section: SectionNode, Kind: KindRows, Label: tr("Node output", "节点输出")},
	{Name: "node_upstream", Path: "depends", Section: SectionNode, Kind: KindRows, Label: tr("Upstream", "上游依赖")},

	withChoices(follow("node_recurrence", "recurrence", "recurrence_type", 0)),
	follow("node_instance_mode", "instanceMode", "instance_mode", 0),
	follow("node_rerun_mode", "rerunMode", "rerun_mode", 0),
	follow("node_rerun_times", "rerunTimes", "rerun_times", 0),
	// Real nodes carry rerunInterval 0 with no retries, so 0 is allowed here.
	follow("node_rerun_interval", "rerunInterval", "rerun_interval", 0),
	follow("node_timeout", "timeout", "timeout", 0),
	follow("node_timeout_unit", "timeoutUnit", "timeout_unit", 0),
	follow("node_priority", "priority", "priority", 1),
}

// kindChoices are the kinds the node form offers.
func kindChoices() []Choice {
	var out []Choice
	for _, k := range NodeKinds {
		if k.Editable {
			out = append(out, Choice{k.Command, k.Label})
		}
	}
	return out
}

// withChoices adds the node-only run state NoneAuto to the choices.
func withChoices(f *Field) *Field {
	f.Choices = append(f.Choices[:len(f.Choices):len(f.Choices)], Choice{"NoneAuto", tr("Not scheduled automatically", "不自动调度")})
	return f
}

var nodeFieldsByName = func() map[string]*Field {
	m := make(map[string]*Field, len(NodeFields))
	for _, f := range NodeFields {
		m[f.Name] = f
	}
	return m
}()

// NodeFieldNamed returns the node field whose form input is name.
func NodeFieldNamed(name string) (*Field, bool) {
	f, ok := nodeFieldsByName[name]
	return f, ok
}

// nodePlainFields are the node fields read and written from Path alone.
var nodePlainFields = func() []*Field {
	var out []*Field
	for _, f := range NodeFields {
		if f.Kind != KindRows {
			out = append(out, f)
		}
	}
	return out
}()

// RunSettings are the node fields that follow the workflow's.
func RunSettings() []*Field {
	var out []*Field
	for _, f := range NodeFields {
		if f.Follows != nil {
			out = append(out, f)
		}
	}
	return out
}

// SetNode writes a typed value into a node form: code exactly as typed
// (whitespace is code), other text trimmed, a number checked. A run
// setting left empty follows the workflow.
func (fl *Field) SetNode(f *NodeForm, typed string) error {
	if fl.Kind != KindCode {
		typed = strings.TrimSpace(typed)
	}
	if fl.Kind == KindNumber && typed != "" {
		if _, err := strconv.ParseInt(typed, 10, 64); err != nil {
			return &FieldError{Field: fl, Message: i18n.Text{
				EN: fmt.Sprintf("%s: %q is not a whole number", fl.Label.EN, typed),
				ZH: fmt.Sprintf("%s：「%s」不是整数", fl.Label.ZH, typed)}}
		}
	}
	f.Values[fl.Name] = typed
	return nil
}

// nodePrefix is the JSON path of node i.
func nodePrefix(i int) string { return workflowPrefix + "nodes[" + strconv.Itoa(i) + "]" }

// NodeFieldAt finds the node field a spec path belongs to
// ("spec.workflows[0].nodes[3].rerunTimes"): the node's index, the field
// and, for a row field, the row. A dependency path
// ("spec.workflows[0].dependencies[2].depends[1].output") maps to the
// upstream row of the node that entry is for.
func (d *Document) NodeFieldAt(path string) (nodeIndex int, f *Field, row int, ok bool) {
	if rest, found := strings.CutPrefix(path, workflowPrefix+"nodes["); found {
		end := strings.IndexByte(rest, ']')
		i, err := strconv.Atoi(rest[:max(end, 0)])
		if end < 0 || err != nil {
			return -1, nil, -1, false
		}
		fl, row := nodeFieldByPath(strings.TrimPrefix(rest[end+1:], "."))
		return i, fl, row, true
	}
	for _, key := range []string{"dependencies[", "flow["} {
		rest, found := strings.CutPrefix(path, workflowPrefix+key)
		if !found {
			continue
		}
		end := strings.IndexByte(rest, ']')
		e, err := strconv.Atoi(rest[:max(end, 0)])
		if end < 0 || err != nil {
			return -1, nil, -1, false
		}
		deps, _ := dependencies(d.workflow())
		entry := deps.index(e)
		i, found := d.NodeIndex(text(entry, "nodeId"))
		if !found {
			return -1, nil, -1, false
		}
		row := -1
		if r, ok := strings.CutPrefix(rest[end+1:], ".depends["); ok {
			if j := strings.IndexByte(r, ']'); j > 0 {
				if k, err := strconv.Atoi(r[:j]); err == nil {
					row = d.upstreamRow(entry, k)
				}
			}
		}
		return i, nodeFieldsByName["node_upstream"], row, true
	}
	return -1, nil, -1, false
}

// nodeFieldByPath finds the node field at a path under a node ("rerunTimes",
// "script.parameters[2].value"); nil when the form does not edit it.
func nodeFieldByPath(p string) (*Field, int) {
	if p == "script.path" || p == "id" {
		p = "name"
	}
	for _, fl := range NodeFields {
		if fl.Kind == KindRows {
			if r, ok := strings.CutPrefix(p, fl.Path+"["); ok {
				if j := strings.IndexByte(r, ']'); j > 0 {
					if n, err := strconv.Atoi(r[:j]); err == nil {
						return fl, n
					}
				}
			}
			continue
		}
		if p == fl.Path || strings.HasPrefix(p, fl.Path+".") || fl.Name == "node_datasource" && strings.HasPrefix(p, "datasource") {
			return fl, -1
		}
	}
	return nil, -1
}

// NodeChangeField is the node field a change's path is in: a field under
// the node, or the upstreams for a dependency entry. ok is false for a
// path outside the inner nodes.
func NodeChangeField(path string) (f *Field, row int, ok bool) {
	if rest, found := strings.CutPrefix(path, workflowPrefix+"nodes["); found {
		if end := strings.IndexByte(rest, ']'); end >= 0 {
			f, row = nodeFieldByPath(strings.TrimPrefix(rest[end+1:], "."))
			return f, row, true
		}
	}
	if strings.HasPrefix(path, workflowPrefix+"dependencies[") || strings.HasPrefix(path, workflowPrefix+"flow[") {
		return nodeFieldsByName["node_upstream"], -1, true
	}
	return nil, -1, false
}

// upstreamRow is the form row showing item k of a dependency entry: rows
// are the node's items in order with repeats shown once.
func (d *Document) upstreamRow(entry *node, k int) int {
	target := entry.get("depends").index(k)
	if target == nil {
		return -1
	}
	for row, item := range d.dependsOf(text(entry, "nodeId")) {
		if sameItem(item, target) {
			return row
		}
	}
	return -1
}
