package flowspec

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// chainOfThree is three nodes a → b → c with local ids.
func chainOfThree(t testing.TB) *Document {
	t.Helper()
	d := Blank("pipe")
	for i, name := range []string{"a", "b", "c"} {
		j := d.AddNode("ODPS_SQL", name)
		f := d.Node(j)
		f.Values["node_code"] = "SELECT " + name + ";"
		if i > 0 {
			f.Upstreams = []Upstream{{Output: d.RefOutput(i - 1), Type: "Normal"}}
		}
		d.ApplyNode(j, f)
	}
	return d
}

// TestWithIDsAndNodeUpdate: node specs name the ids DataWorks assigned to
// the upstreams; an update carries only the fields that changed and the
// dependency entry when it changed.
func TestWithIDsAndNodeUpdate(t *testing.T) {
	d := chainOfThree(t)
	ids := map[string]string{"a": "4634978808809541236"}
	b := string(d.WithIDs(ids).NodeSpec(1))
	if !strings.Contains(b, `"output":"4634978808809541236"`) || !strings.Contains(b, `"nodeId":"b"`) {
		t.Fatalf("b's spec with a's id: %s", b)
	}
	if got, ok := NodeDepends([]byte(b)); !ok || !slices.Equal(got, []string{"4634978808809541236"}) {
		t.Errorf("NodeDepends = %v %v", got, ok)
	}
	if strings.Contains(string(d.NodeSpec(1)), "4634978808809541236") {
		t.Error("WithIDs changed the document it was called on")
	}
	base := d.WithIDs(ids).NodeSpec(1)
	if _, _, changed := NodeUpdate(base, base); changed {
		t.Error("an unchanged node is updated")
	}
	e := d.Clone()
	f := e.Node(1)
	f.Values["node_code"] = "SELECT 2;"
	e.ApplyNode(1, f)
	spec, fields, changed := NodeUpdate(base, e.WithIDs(ids).NodeSpec(1))
	if !changed || !slices.Equal(fields, []string{"script"}) || !strings.Contains(string(spec), "SELECT 2;") || strings.Contains(string(spec), `"flow"`) {
		t.Fatalf("code edit: %v %s", fields, spec)
	}
	f.Upstreams = nil
	e.ApplyNode(1, f)
	spec, fields, _ = NodeUpdate(base, e.WithIDs(ids).NodeSpec(1))
	if !slices.Contains(fields, "dependencies") || !strings.Contains(string(spec), `"depends":[]`) {
		t.Fatalf("a removed upstream is not sent as an empty entry: %v %s", fields, spec)
	}
	repair := string(RepairSpec(base, "4634978808809541237"))
	if !strings.Contains(repair, `"nodes":[{"id":"4634978808809541237"}]`) || !strings.Contains(repair, `"output":"4634978808809541236"`) {
		t.Errorf("repair spec: %s", repair)
	}
}

// TestAssembleAndDelivered: a workflow assembled from a definition and
// GetNode answers holds every node once; Delivered applies calls as the
// update operations define them.
func TestAssembleAndDelivered(t *testing.T) {
	d := chainOfThree(t)
	def := d.Clone()
	def.RemoveNode(2)
	getNode := []byte(`{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":"pipe","nodes":[` +
		`{"id":"c","name":"c","script":{"runtime":{"command":"ODPS_SQL"},"content":"SELECT c;"}}],` +
		`"dependencies":[{"nodeId":"c","depends":[{"type":"Normal","output":"b"}]}]}]},"metadata":{"uuid":"c"}}`)
	live, _, err := Assemble(def.Canonical(), [][]byte{getNode, d.NodeSpec(0)})
	if err != nil || live.NodeCount() != 3 {
		t.Fatalf("assembled %d nodes (%v)", live.NodeCount(), err)
	}
	if g := live.Graph(); len(g.Order) != 3 || len(g.Edges) != 2 {
		t.Fatalf("assembled graph: %+v", g.Edges)
	}
	e := live.Clone()
	f := e.Node(0)
	f.Values["node_code"] = "SELECT 'new';"
	e.ApplyNode(0, f)
	update, _, _ := NodeUpdate(live.NodeSpec(0), e.NodeSpec(0))
	after := Delivered(live, []Call{{Action: "UpdateNode", ID: "a", Spec: update}, {Action: "DeleteNode", ID: "c"}})
	changes := Diff(live, after)
	if after.NodeCount() != 2 || live.NodeCount() != 3 || len(changes) < 2 {
		t.Fatalf("delivered: %d nodes, changes %+v", after.NodeCount(), changes)
	}
	if changes[0].Node != "a" || !strings.Contains(changes[0].New, "new") {
		t.Errorf("first change %+v", changes[0])
	}
}

// FuzzDeliver feeds arbitrary node specs and definitions to what reads
// DataWorks' answers: nothing panics, a spec never differs from itself,
// and an assembled workflow reads back from its own bytes.
func FuzzDeliver(f *testing.F) {
	d := chainOfThree(f)
	f.Add(d.NodeSpec(1), d.Canonical())
	f.Add([]byte(`{"spec":{"workflows":[{"nodes":[{"id":"x"}],"flow":[{"nodeId":"x","depends":[{"output":"y"}]}]}]}}`), []byte(`{}`))
	f.Add([]byte(`{"spec":{"nodes":[{}],"dependencies":[{"depends":null}]}}`), []byte(`[]`))
	for _, name := range []string{"version__1.x.y__cycle_workflow_inner_node.json", "version__1.x.y__single_cycle_node.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "import", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, d.Canonical())
	}
	f.Fuzz(func(t *testing.T, spec, definition []byte) {
		NodeDepends(spec)
		if _, _, changed := NodeUpdate(spec, spec); changed {
			t.Fatalf("a spec differs from itself: %s", spec)
		}
		NodeUpdate(nil, spec)
		RepairSpec(spec, "1")
		live, _, err := Assemble(definition, [][]byte{spec})
		if err != nil {
			return
		}
		if _, _, err := Import(live.Canonical()); err != nil {
			t.Fatalf("an assembled workflow does not read back: %v", err)
		}
		Delivered(live, []Call{{Action: "CreateNode", Spec: spec}, {Action: "UpdateNode", Spec: spec}, {Action: "UpdateWorkflowDefinition", Spec: definition}})
	})
}
