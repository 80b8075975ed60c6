package flowspec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ownFixtures are import fixtures FlowForm wrote itself; every other file in
// testdata/import is a DataWorks sample, copied unchanged from
// /work/shared/samples/dataworks-spec (see testdata/import/README.md).
var ownFixtures = []string{"api-docs-1.1.0.json", "flat-1.0.0.json", "skill-2.0.0.json"}

// TestImportEverySample imports every DataWorks sample: a workflow keeps its
// name, parameters and nodes and lands in the one-workflow shape the editor
// edits; a node document is recognised as one, with a message naming it.
func TestImportEverySample(t *testing.T) {
	tests := []struct {
		file      string
		name      string // "" for a node document, or a workflow without a name
		params    int
		nodes     int
		node      bool   // a single node: not a workflow
		projectID string // offered from metadata
		notes     []string
	}{
		{file: "client__migrationx__migrationx-transformer__src__test__resources__json__spec__real-case-shell-python-sql-spec.json", nodes: 3, notes: []string{"node_view"}},
		{file: "copier__cycle_workflow_spec.json", name: "workflow1", nodes: 9, projectID: "873483"},
		{file: "copier__cycle_workflow_with_join_spec.json", name: "归并节点测试0715", nodes: 5, projectID: "610727"},
		{file: "copier__manual_workflow_spec.json", name: "workflow1", params: 2, nodes: 7, projectID: "3159",
			notes: []string{"flat_workflow", "flat_workflow", "flat_workflow", "flat_workflow", "flat_workflow"}},
		{file: "copier__real_cycle_workflow_spec.json", name: "workflow1", nodes: 10, projectID: "528891"},
		{file: "copier__single_dowhile_spec.json", name: "dowhile1_workflow", nodes: 1, notes: []string{"node_document"}},
		{file: "nodemodel__all_depend_types.json", name: "调度参数设置1_workflow", nodes: 1, notes: []string{"node_document"}},
		{file: "version__1.x.y__cycle_workflow.json", name: "工作流042203", nodes: 3, projectID: "250515"},
		{file: "version__1.x.y__cycle_workflow_inner_node.json", name: "工作流042203", nodes: 1, projectID: "250515", notes: []string{"node_view"}},
		{file: "version__1.x.y__manual_node.json", name: "手动odps01_workflow", nodes: 1, notes: []string{"node_document"}},
		{file: "version__1.x.y__manual_workflow.json", name: "teest", params: 1, nodes: 6, projectID: "250515",
			notes: []string{"flat_workflow", "flat_workflow", "flat_workflow", "flat_workflow", "flat_workflow"}},
		{file: "version__1.x.y__manual_workflow_inner_node.json", name: "teest", nodes: 1,
			notes: []string{"flat_workflow", "flat_workflow", "flat_workflow", "flat_workflow", "node_view"}},
		{file: "version__1.x.y__single_cycle_node.json", name: "3232_workflow", nodes: 1, notes: []string{"node_document"}},
	}
	files, _ := filepath.Glob("testdata/import/*.json")
	var samples []string
	for _, f := range files {
		if !slices.Contains(ownFixtures, filepath.Base(f)) {
			samples = append(samples, filepath.Base(f))
		}
	}
	var listed []string
	for _, tt := range tests {
		listed = append(listed, tt.file)
	}
	if !slices.Equal(samples, listed) {
		t.Fatalf("every sample needs a row:\n files %v\n table %v", samples, listed)
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/import", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, notes, err := Import(data)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, n := range notes {
				codes = append(codes, n.Code)
			}
			if !slices.Equal(codes, tt.notes) {
				t.Errorf("import notes %v, want %v", codes, tt.notes)
			}
			report := doc.Validate(testNow)
			for _, f := range report.Errors {
				if f.Code == "workflows_count" {
					t.Errorf("%s", f.Message.EN)
				}
			}
			if id, _ := doc.MetadataProjectID(); id != tt.projectID {
				t.Errorf("ProjectId from metadata %q, want %q", id, tt.projectID)
			}
			form := doc.Form()
			if form.Name != tt.name || len(form.Parameters) != tt.params {
				t.Errorf("name %q with %d parameters, want %q with %d", form.Name, len(form.Parameters), tt.name, tt.params)
			}
			if got := len(doc.workflow().get("nodes").itemsOrNil()); got != tt.nodes {
				t.Errorf("%d nodes, want %d", got, tt.nodes)
			}
			// What is stored imports again unchanged, with nothing more to
			// normalise (node_view describes where the document came from, and
			// says so again).
			again, notes, err := Import(doc.Canonical())
			notes = slices.DeleteFunc(notes, func(f Finding) bool { return f.Code == "node_view" })
			if err != nil || len(notes) > 0 || !bytes.Equal(again.Canonical(), doc.Canonical()) {
				t.Errorf("the imported document is not a fixed point: %v %+v", err, notes)
			}
		})
	}
}

// TestLiftFlatKeepsEverything rebuilds the expected nested document from the
// flat one with plain maps — an implementation apart from liftFlat — and
// compares the import with it value by value.
func TestLiftFlatKeepsEverything(t *testing.T) {
	for _, name := range []string{"version__1.x.y__manual_workflow.json", "copier__manual_workflow_spec.json", "version__1.x.y__manual_workflow_inner_node.json"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/import", name))
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			spec := doc["spec"].(map[string]any)
			wf := map[string]any{"id": spec["id"], "name": spec["name"], "owner": spec["owner"], "nodes": spec["nodes"]}
			var deps, own []any
			for _, e := range spec["flow"].([]any) {
				if e.(map[string]any)["nodeId"] == spec["id"] {
					own = append(own, e)
				} else {
					deps = append(deps, e)
				}
			}
			wf["dependencies"] = deps
			delete(spec, "flow")
			if own != nil {
				spec["flow"] = own
			}
			nodes := spec["nodes"].([]any)
			folder := strings.TrimSuffix(nodes[0].(map[string]any)["script"].(map[string]any)["path"].(string), "/"+nodes[0].(map[string]any)["name"].(string))
			script := map[string]any{"path": folder, "runtime": map[string]any{"command": "WORKFLOW"}}
			if v, ok := spec["variables"]; ok {
				script["parameters"] = v
			}
			wf["script"] = script
			delete(spec, "nodes")
			delete(spec, "variables")
			spec["workflows"] = []any{wf}
			want, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := Import(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := jsonDiff(t, want, got.Canonical()); diff != "" {
				t.Errorf("lifted document differs from the expected one: %s", diff)
			}
		})
	}
}

// TestParseNotes: what the parser reads differently from the bytes is a
// warning with the JSON path of the place, never silent.
func TestParseNotes(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		codes []string
		paths []string
		text  string // the value the document holds afterwards, at spec.name
	}{
		{"clean", `{"spec":{"name":"a"}}`, nil, nil, "a"},
		{"duplicate key", `{"spec":{"name":"a","type":"CycleWorkflow","name":"b"}}`, []string{"duplicate_key"}, []string{"spec.name"}, "b"},
		{"duplicate object", `{"spec":{"name":"a"},"spec":{"name":"c"}}`, []string{"duplicate_key"}, []string{"spec"}, "c"},
		{"invalid UTF-8 value", "{\"spec\":{\"name\":\"a\xffb\"}}", []string{"invalid_utf8"}, []string{"spec.name"}, "a\uFFFDb"},
		{"invalid UTF-8 after an escape", "{\"spec\":{\"name\":\"\\n\xc3\"}}", []string{"invalid_utf8"}, []string{"spec.name"}, "\n\uFFFD"},
		{"lone surrogate", `{"spec":{"name":"x\ud800y"}}`, []string{"invalid_utf8"}, []string{"spec.name"}, "x\uFFFDy"},
		{"surrogate pair is fine", `{"spec":{"name":"\ud83d\ude00"}}`, nil, nil, "😀"},
		{"escaped U+FFFD is fine", `{"spec":{"name":"\ufffd"}}`, nil, nil, "\uFFFD"},
		{"invalid UTF-8 key", "{\"spec\":{\"name\":\"a\",\"n\xffx\":1}}", []string{"invalid_utf8"}, []string{"spec.n\uFFFDx"}, "a"},
		{"in an array", "{\"spec\":{\"name\":\"a\",\"workflows\":[{},{\"name\":\"\xff\"}]}}", []string{"invalid_utf8"}, []string{"spec.workflows[1].name"}, "a"},
		{"at the root", `{"kind":"x","kind":"y","spec":{"name":"a"}}`, []string{"duplicate_key"}, []string{"kind"}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, notes, err := Import([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var codes, paths []string
			for _, n := range notes {
				if n.Code == "flat_workflow" {
					continue // these documents are flat workflows too
				}
				codes, paths = append(codes, n.Code), append(paths, n.Path)
				if n.Message.EN == "" || n.Message.ZH == "" || !strings.HasPrefix(n.Message.EN, n.Path) {
					t.Errorf("message %+v does not name the place in both languages", n.Message)
				}
			}
			if !slices.Equal(codes, tt.codes) || !slices.Equal(paths, tt.paths) {
				t.Errorf("notes %v at %v, want %v at %v", codes, paths, tt.codes, tt.paths)
			}
			if got, _ := doc.root.get("spec").get("name").str(); got != tt.text {
				t.Errorf("spec.name %q, want %q", got, tt.text)
			}
		})
	}
}

func TestParseNotesAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"spec":{"name":"a"`)
	for range 1000 {
		b.WriteString(`,"k":1`)
	}
	b.WriteString(`}}`)
	_, notes, err := Import([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	notes = slices.DeleteFunc(notes, func(f Finding) bool { return f.Code == "flat_workflow" })
	if len(notes) != maxParseNotes+1 || notes[maxParseNotes].Code != "parse_notes_more" || !strings.Contains(notes[maxParseNotes].Message.EN, "979 more") {
		t.Fatalf("%d notes, last %+v", len(notes), notes[len(notes)-1])
	}
}

// TestLiftNode: a node document becomes a workflow holding the node, named
// after it, with the node's schedule; workflows are left as they are.
func TestLiftNode(t *testing.T) {
	tests := []struct {
		name, in, workflow, kind string
	}{
		{"ManualNode", `{"kind":"ManualNode","spec":{"nodes":[{"name":"n","script":{"runtime":{"command":"ODPS_SQL"}}}]}}`, "n_workflow", KindManual},
		{"Node even with a name", `{"kind":"Node","spec":{"name":"n","nodes":[{"name":"n","trigger":{"type":"Scheduler","cron":"00 00 02 * * ?","id":"9"}}]}}`, "n_workflow", KindCycle},
		{"nodes without a workflow", `{"kind":"CycleWorkflow","spec":{"nodes":[{"name":"a","id":"1"},{"name":"b","id":"2"}],"flow":[{"nodeId":"2","depends":[{"type":"Normal","output":"1"}]}]}}`, "a_workflow", KindManual},
		{"flat workflow", `{"kind":"ManualWorkflow","spec":{"name":"w","nodes":[{"name":"a"}]}}`, "w", KindManual},
		{"nested workflow", `{"kind":"CycleWorkflow","spec":{"workflows":[{"name":"x","nodes":[{"name":"a"}]}]}}`, "x", KindCycle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, notes, err := Import([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := doc.Form().Name; got != tt.workflow {
				t.Errorf("workflow %q, want %q", got, tt.workflow)
			}
			if k, _ := doc.root.get("kind").str(); k != tt.kind {
				t.Errorf("kind %q, want %q", k, tt.kind)
			}
			lifted := slices.ContainsFunc(notes, func(f Finding) bool { return f.Code == "node_document" })
			if lifted != strings.HasSuffix(tt.workflow, "_workflow") {
				t.Errorf("node_document note %v: %+v", lifted, notes)
			}
			if doc.root.get("spec").get("nodes") != nil || doc.NodeCount() == 0 {
				t.Errorf("nodes not inside the workflow: %s", doc.Canonical())
			}
			if trigger := doc.workflow().get("trigger"); trigger.get("id") != nil {
				t.Errorf("the node trigger's id was copied to the workflow: %s", doc.Canonical())
			}
		})
	}
	doc, _, _ := Import([]byte(tests[2].in))
	if g := doc.Graph(); len(g.Edges) != 1 || g.Edges[0].From != 0 || g.Edges[0].To != 1 {
		t.Errorf("the node document's flow did not become the workflow's dependencies: %+v", g.Edges)
	}
}

func TestMetadataProjectID(t *testing.T) {
	tests := []struct{ in, id, path string }{
		{`{"metadata":{"projectId":"250515"},"spec":{}}`, "250515", "metadata.projectId"},
		{`{"metadata":{"projectId":3159},"spec":{}}`, "3159", "metadata.projectId"},
		{`{"spec":{"workflows":[{"metadata":{"projectId":"873483"}}]}}`, "873483", "spec.workflows[0].metadata.projectId"},
		{`{"spec":{"workflows":[{"metadata":{"project":{"projectId":"7"}}}]}}`, "7", "spec.workflows[0].metadata.project.projectId"},
		{`{"metadata":{"projectId":"abc"},"spec":{"workflows":[{"metadata":{"projectId":"12"}}]}}`, "12", "spec.workflows[0].metadata.projectId"},
		{`{"metadata":{"projectId":"-1"},"spec":{}}`, "", ""},
		{`{"metadata":{"projectId":1.5},"spec":{}}`, "", ""},
		{`{"spec":{}}`, "", ""},
	}
	for _, tt := range tests {
		doc, _, err := Import([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if id, path := doc.MetadataProjectID(); id != tt.id || path != tt.path {
			t.Errorf("%s: %q from %q, want %q from %q", tt.in, id, path, tt.id, tt.path)
		}
	}
}
