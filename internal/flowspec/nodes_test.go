package flowspec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pipeline builds a daily workflow with nodes named by names and the given
// Normal edges (upstream, downstream) between them by index.
func pipeline(t testing.TB, names []string, edges [][2]int) *Document {
	t.Helper()
	d := Blank("pipe")
	for _, n := range names {
		d.AddNode("ODPS_SQL", n)
	}
	for to := range names {
		var rows []Upstream
		for _, e := range edges {
			if e[1] == to {
				rows = append(rows, Upstream{Output: d.RefOutput(e[0]), Type: DependNormal, RefTableName: names[e[0]]})
			}
		}
		if rows != nil {
			f := d.Node(to)
			f.Upstreams = rows
			d.ApplyNode(to, f)
		}
	}
	return d
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// TestNodeRules has a failing and a passing case for every node rule.
func TestNodeRules(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *Document)
		code  string
		path  string
		error bool
		text  string // in the English message
	}{
		{"duplicate name", func(d *Document) { setNode(d, 1, "node_name", "a") }, "node_name_duplicate", "spec.workflows[0].nodes[1].name", true, `"a"`},
		{"empty name", func(d *Document) { setNode(d, 2, "node_name", "") }, "node_name_required", "spec.workflows[0].nodes[2].name", true, "node 3"},
		{"duplicate id", func(d *Document) { d.nodeList()[2].set("id", stringNode("a")) }, "node_id_duplicate", "spec.workflows[0].nodes[2].id", true, `"a"`},
		{"no kind", func(d *Document) { setNode(d, 0, "node_command", "") }, "node_command_required", "spec.workflows[0].nodes[0].script.runtime.command", true, "kind"},
		{"kind changed after creation", func(d *Document) {
			setPath(d.nodeList()[0], "script.runtime.commandTypeId", intNode(10))
			setNode(d, 0, "node_command", "DIDE_SHELL")
		}, "command_changed", "spec.workflows[0].nodes[0].script.runtime.command", false, "created in DataWorks as ODPS_SQL"},
		{"SQL without datasource", func(d *Document) {}, "datasource_missing", "spec.workflows[0].nodes[0].datasource", false, "ODPS SQL"},
		{"duplicate output", func(d *Document) {
			for _, i := range []int{0, 1} {
				f := d.Node(i)
				f.Outputs = []Output{{Data: "proj.same", RefTableName: "same"}}
				d.ApplyNode(i, f)
			}
		}, "output_duplicate", "spec.workflows[0].nodes[1].outputs.nodeOutputs[0].data", true, `"proj.same"`},
		{"workspace-wide outputs", func(d *Document) {
			f := d.Node(0)
			f.Outputs = []Output{{Data: "proj.a", RefTableName: "a"}}
			d.ApplyNode(0, f)
		}, "output_workspace", "spec.workflows[0].nodes[0].outputs.nodeOutputs[0].data", false, "unique in the whole workspace"},
		{"retries out of range", func(d *Document) { setNode(d, 1, "node_rerun_times", "11") }, "node_range", "spec.workflows[0].nodes[1].rerunTimes", true, "11"},
		{"cycle", func(d *Document) { addUpstream(d, 0, 2, DependNormal) }, "dependency_cycle", "spec.workflows[0].dependencies[2].depends[0].output", true, "a → b → c → a"},
		{"self dependency", func(d *Document) { addUpstream(d, 1, 1, DependNormal) }, "self_dependency", "spec.workflows[0].dependencies[0].depends[1].output", true, `"b"`},
		{"external upstream", func(d *Document) {
			f := d.Node(0)
			f.Upstreams = []Upstream{{Output: "other.table", Type: DependNormal}}
			d.ApplyNode(0, f)
		}, "dependency_external", "spec.workflows[0].dependencies[2].depends[0].output", false, "must exist in DataWorks"},
		{"upstream without output", func(d *Document) {
			f := d.Node(0)
			f.Upstreams = []Upstream{{Type: DependNormal}}
			d.ApplyNode(0, f)
		}, "dependency_output_required", "spec.workflows[0].dependencies[2].depends[0].output", true, `"a"`},
		{"unknown dependency type", func(d *Document) { addUpstream(d, 2, 0, "CrossCycleDependsOnOther") }, "enum", "spec.workflows[0].dependencies[1].depends[1].type", true, "CrossCycleDependsOnOther"},
		{"too many nodes", func(d *Document) {
			for i := range 100 {
				d.AddNode("VIRTUAL", fmt.Sprintf("v%d", i))
			}
		}, "node_count", "spec.workflows[0].nodes", false, "103 nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := pipeline(t, []string{"a", "b", "c"}, [][2]int{{0, 1}, {1, 2}})
			before := d.Validate(testNow)
			if slices.Contains(codes(before.Errors), tt.code) || slices.Contains(codes(before.Warnings), tt.code) && tt.code != "datasource_missing" {
				t.Fatalf("the passing case already has %s: %+v", tt.code, before)
			}
			tt.edit(d)
			r := d.Validate(testNow)
			list := r.Warnings
			if tt.error {
				list = r.Errors
			}
			i := slices.IndexFunc(list, func(f Finding) bool { return f.Code == tt.code })
			if i < 0 {
				t.Fatalf("no %s (error %v) in %v / %v", tt.code, tt.error, codes(r.Errors), codes(r.Warnings))
			}
			f := list[i]
			if f.Path != tt.path || !strings.Contains(f.Message.EN, tt.text) || f.Message.ZH == "" || f.Rule == "" {
				t.Errorf("got %s %s %q (zh %q)", f.Rule, f.Path, f.Message.EN, f.Message.ZH)
			}
			if _, fl, _, ok := d.NodeFieldAt(f.Path); !ok && !strings.HasSuffix(f.Path, ".nodes") {
				t.Errorf("path %s maps to no node field", f.Path)
			} else if ok && fl == nil && tt.code != "node_id_duplicate" {
				t.Errorf("path %s maps to a node but no field", f.Path)
			}
		})
	}
}

func setNode(d *Document, i int, field, value string) {
	f := d.Node(i)
	f.Values[field] = value
	d.ApplyNode(i, f)
}

func addUpstream(d *Document, to, from int, typ string) {
	f := d.Node(to)
	f.Upstreams = append(f.Upstreams, Upstream{Output: d.RefOutput(from), Type: typ})
	d.ApplyNode(to, f)
}

// TestCycleFieldMapping: the cycle error stands at the upstream row that
// closes it, in the node that has it.
func TestCycleFieldMapping(t *testing.T) {
	d := pipeline(t, []string{"a", "b", "c"}, [][2]int{{0, 1}, {1, 2}, {2, 0}})
	r := d.Validate(testNow)
	i := slices.IndexFunc(r.Errors, func(f Finding) bool { return f.Code == "dependency_cycle" })
	if i < 0 {
		t.Fatalf("no cycle in %v", codes(r.Errors))
	}
	node, fl, row, ok := d.NodeFieldAt(r.Errors[i].Path)
	if !ok || fl.Name != "node_upstream" || node != 0 || row != 0 {
		t.Errorf("cycle at node %d field %v row %d", node, fl, row)
	}
	if p := d.Plan(); p.Blocked.EN == "" || len(p.Steps) != 1 {
		t.Errorf("a cyclic plan is not blocked: %+v", p)
	}
}

// TestNodeFormRoundTrip: on every sample, applying each node's unchanged
// form changes nothing, and editing one field of one node changes only
// that node's path.
func TestNodeFormRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/import/*.json")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, _ := os.ReadFile(file)
			doc, _, err := Import(data)
			if err != nil {
				t.Fatal(err)
			}
			orig := doc.Canonical()
			for i := range doc.NodeCount() {
				doc.ApplyNode(i, doc.Node(i))
			}
			if !bytes.Equal(doc.Canonical(), orig) {
				t.Fatalf("unchanged node forms changed the document")
			}
			for i := range doc.NodeCount() {
				edited := doc.Clone()
				f := edited.Node(i)
				f.Values["node_rerun_times"] = "7"
				f.Values["node_code"] = "select 1;\n\n\tselect 2;  \n"
				edited.ApplyNode(i, f)
				for _, c := range Diff(doc, edited) {
					if !strings.HasPrefix(c.Path, nodePrefix(i)+".") {
						t.Errorf("editing node %d changed %s", i, c.Path)
					}
				}
				if got := edited.Node(i).Values["node_code"]; got != f.Values["node_code"] {
					t.Errorf("code %q came back as %q", f.Values["node_code"], got)
				}
			}
		})
	}
}

func TestNodeOperations(t *testing.T) {
	d := pipeline(t, []string{"ods", "dwd", "ads"}, [][2]int{{0, 1}, {1, 2}})
	before := d.Clone()

	// Duplicate keeps the upstreams, gets a new name and id.
	at := d.DuplicateNode(1)
	cp := d.Node(at)
	if at != 2 || cp.Name() != "dwd_copy" || cp.ID == "dwd" || len(cp.Upstreams) != 1 || cp.Upstreams[0].Output != "ods" {
		t.Fatalf("duplicate: at %d %+v", at, cp)
	}
	// Renaming an output renames the dependencies on it.
	f := d.Node(0)
	f.Outputs = []Output{{Data: "proj.ods", RefTableName: "ods"}}
	d.ApplyNode(0, f)
	f = d.Node(0)
	f.Outputs[0].Data = "proj.ods_v2"
	d.ApplyNode(0, f)
	if g := d.Graph(); len(g.External) != 0 {
		t.Errorf("renaming an output left dependencies on the old name: %v", g.External)
	}

	// Remove drops the node, its entry and the dependencies on it; restore
	// brings all three back.
	d = before.Clone()
	d.RemoveNode(1)
	if g := d.Graph(); len(g.Names) != 2 || len(g.Edges) != 0 {
		t.Fatalf("after remove: %+v", g)
	}
	if !d.RestoreNode(before, "dwd") || !bytes.Equal(d.Canonical(), before.Canonical()) {
		t.Errorf("restore did not undo remove:\n%s\n%s", d.Canonical(), before.Canonical())
	}
	if d.RestoreNode(before, "dwd") {
		t.Error("restored a node that is there")
	}

	// Move changes the list order only.
	d.MoveNode(2, 0)
	if g := d.Graph(); g.Names[0] != "ads" || len(g.Edges) != 2 || !slices.Equal(g.Order, []int{1, 2, 0}) {
		t.Errorf("after move: %v order %v", g.Names, g.Order)
	}
}

// TestPlanSpecs: the plan creates upstreams first, each node spec is a
// kind "Node" document with its own entry, and run settings the node
// leaves to the workflow are written out.
func TestPlanSpecs(t *testing.T) {
	d := pipeline(t, []string{"ads", "dwd", "ods"}, [][2]int{{2, 1}, {1, 0}})
	p := d.Plan()
	var names []string
	for _, s := range p.Steps {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"pipe", "ods", "dwd", "ads"}) {
		t.Fatalf("order %v", names)
	}
	var wf map[string]any
	if err := json.Unmarshal(p.Steps[0].Spec, &wf); err != nil || strings.Contains(string(p.Steps[0].Spec), `"nodes"`) {
		t.Errorf("workflow step: %v %s", err, p.Steps[0].Spec)
	}
	var n struct {
		Kind string
		Spec struct {
			Nodes []map[string]any
			Flow  []struct {
				NodeID  string `json:"nodeId"`
				Depends []struct{ Type, Output string }
			}
		}
	}
	if err := json.Unmarshal(p.Steps[2].Spec, &n); err != nil {
		t.Fatal(err)
	}
	if n.Kind != "Node" || len(n.Spec.Nodes) != 1 || n.Spec.Nodes[0]["rerunTimes"] != 3.0 || n.Spec.Nodes[0]["trigger"] == nil {
		t.Errorf("node spec %s", p.Steps[2].Spec)
	}
	if len(n.Spec.Flow) != 1 || n.Spec.Flow[0].NodeID != "dwd" || n.Spec.Flow[0].Depends[0].Output != "ods" {
		t.Errorf("node entry %+v", n.Spec.Flow)
	}
	if !slices.Equal(p.Steps[2].Assigned, []string{"ods"}) || !slices.Equal(p.Steps[2].Upstreams, []int{2}) {
		t.Errorf("assigned %v upstreams %v", p.Steps[2].Assigned, p.Steps[2].Upstreams)
	}
}

// TestDiffMatchesNodesByID: adding a node in the middle reports that node
// and its dependencies, not every node after it; each change names its node.
func TestDiffMatchesNodesByID(t *testing.T) {
	a := pipeline(t, []string{"ods", "ads"}, [][2]int{{0, 1}})
	b := a.Clone()
	at := b.AddNode("ODPS_SQL", "dwd")
	b.MoveNode(at, 1)
	f := b.Node(0)
	f.Values["node_code"] = "select 1;"
	b.ApplyNode(0, f)
	var got []string
	for _, c := range Diff(a, b) {
		got = append(got, string(c.Op)+" "+c.Path+" "+c.Node)
	}
	want := []string{
		"changed spec.workflows[0].nodes[0].script.content ods",
		"added spec.workflows[0].nodes[1] dwd",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("diff:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c := b.Clone()
	c.RemoveNode(2)
	changes := Diff(b, c)
	if len(changes) != 2 || changes[0].Op != Removed || changes[0].Node != "ads" || changes[1].Node != "ads" {
		t.Errorf("removing ads: %+v", changes)
	}
}
