package dataworkstest_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// sample is the original document's inner nodes and entries, read the
// way the fake does not: by hand, per shape.
type sample struct {
	kind    string
	nodes   []map[string]any
	entries []map[string]any
}

func readSample(t *testing.T, file string) ([]byte, sample) {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Kind string
		Spec struct {
			Workflows []struct {
				Nodes        []map[string]any
				Dependencies []map[string]any
			}
			Nodes []map[string]any
			Flow  []map[string]any
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := sample{kind: doc.Kind, nodes: doc.Spec.Nodes, entries: doc.Spec.Flow}
	if len(doc.Spec.Workflows) > 0 {
		s.nodes, s.entries = doc.Spec.Workflows[0].Nodes, doc.Spec.Workflows[0].Dependencies
	}
	return raw, s
}

// TestSeedWorkflowSamples: every real workflow document seeds, and
// GetWorkflowDefinition returns every node under its new id with its
// edges rewritten to the new ids.
func TestSeedWorkflowSamples(t *testing.T) {
	workflows := []string{
		"copier__cycle_workflow_spec.json",
		"copier__cycle_workflow_with_join_spec.json",
		"copier__real_cycle_workflow_spec.json",
		"copier__manual_workflow_spec.json",
		"version__1.x.y__cycle_workflow.json",
		"version__1.x.y__manual_workflow.json",
		"version__1.x.y__cycle_workflow_inner_node.json",
		"version__1.x.y__manual_workflow_inner_node.json",
		"client__migrationx__migrationx-transformer__src__test__resources__json__spec__real-case-shell-python-sql-spec.json",
	}
	e := newEnv(t)
	for _, file := range workflows {
		t.Run(file, func(t *testing.T) {
			raw, want := readSample(t, file)
			wf, ids, err := e.srv.SeedWorkflow(123456, raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != len(want.nodes) || !digits19.MatchString(wf) {
				t.Fatalf("workflow %s, %d node ids for %d nodes", wf, len(ids), len(want.nodes))
			}
			renamed := map[string]string{}
			for i, n := range want.nodes {
				renamed[n["id"].(string)] = ids[i]
			}
			var def definitionAnswer
			e.must("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf, "IncludeScriptContent": "true"}, &def)
			var got struct {
				Kind string
				Spec struct {
					Workflows []struct {
						Id, Name string
						Script   struct{ Path string }
						Nodes    []struct {
							Id, Name string
							Script   struct{ Path, Content string }
							Outputs  struct {
								NodeOutputs []struct {
									Data      string
									IsDefault bool
								}
							}
						}
						Dependencies []struct {
							NodeId  string
							Depends []struct{ Output string }
						}
					}
				}
			}
			if err := json.Unmarshal([]byte(def.WorkflowDefinition.Spec), &got); err != nil {
				t.Fatal(err)
			}
			w := got.Spec.Workflows[0]
			if got.Kind != want.kind || w.Id != wf || len(w.Nodes) != len(want.nodes) || w.Name == "" || def.WorkflowDefinition.Name != w.Name {
				t.Fatalf("kind %s, workflow %s %q, %d nodes", got.Kind, w.Id, w.Name, len(w.Nodes))
			}
			for i, n := range w.Nodes {
				if n.Id != ids[i] || n.Name != want.nodes[i]["name"] || n.Script.Path != w.Script.Path+"/"+n.Name ||
					n.Outputs.NodeOutputs[0].Data != n.Id || !n.Outputs.NodeOutputs[0].IsDefault {
					t.Errorf("node %d: %+v", i, n)
				}
				for _, o := range n.Outputs.NodeOutputs[1:] {
					if o.IsDefault {
						t.Errorf("node %s keeps a second default output %s", n.Name, o.Data)
					}
				}
				if c, _ := want.nodes[i]["script"].(map[string]any)["content"].(string); n.Script.Content != c {
					t.Errorf("node %s content %q, want %q", n.Name, n.Script.Content, c)
				}
			}
			entries, items := 0, 0
			for _, entry := range want.entries {
				if renamed[entry["nodeId"].(string)] != "" {
					entries++
					items += len(entry["depends"].([]any))
				}
			}
			gotItems := 0
			for _, entry := range w.Dependencies {
				if !slices.Contains(ids, entry.NodeId) {
					t.Errorf("entry for %s, not a seeded node", entry.NodeId)
				}
				for _, d := range entry.Depends {
					gotItems++
					if renamed[d.Output] != "" {
						t.Errorf("entry of %s still names the old id %s", entry.NodeId, d.Output)
					}
				}
			}
			if len(w.Dependencies) != entries || gotItems != items {
				t.Errorf("%d entries with %d items, want %d with %d", len(w.Dependencies), gotItems, entries, items)
			}
		})
	}
	// The chain of the real-case sample: Shell → PyODPS 3 → SQL.
	raw, _ := readSample(t, workflows[len(workflows)-1])
	_, ids, _ := e.srv.SeedWorkflow(123456, raw)
	var deps nodeListing
	e.must("ListNodeDependencies", map[string]string{"ProjectId": project, "Id": ids[2]}, &deps)
	if p := deps.PagingInfo; p.TotalCount != "1" || p.Nodes[0].Id != ids[1] {
		t.Errorf("upstream of the SQL node: %+v", p)
	}
}

// TestSeedWorkflowRefusesNodeDocuments: a node document is not a workflow.
func TestSeedWorkflowRefusesNodeDocuments(t *testing.T) {
	e := newEnv(t)
	for _, file := range []string{"copier__single_dowhile_spec.json", "nodemodel__all_depend_types.json", "version__1.x.y__single_cycle_node.json",
		"version__1.x.y__manual_node.json"} {
		raw, _ := readSample(t, file)
		if _, _, err := e.srv.SeedWorkflow(123456, raw); err == nil {
			t.Errorf("%s seeded", file)
		}
	}
	for _, doc := range []string{`{"kind":"CycleWorkflow"`, `{"kind":"CycleWorkflow","spec":{"workflows":[{"nodes":[{"name":"x"}]}]}}`} {
		if _, _, err := e.srv.SeedWorkflow(123456, []byte(doc)); err == nil {
			t.Errorf("%s seeded", doc)
		}
	}
	if _, _, err := e.srv.SeedWorkflow(0, []byte(workflowSpec("CycleWorkflow", "w", "w"))); err == nil {
		t.Error("project 0 accepted")
	}
	if len(e.srv.Nodes("")) != 0 {
		t.Error("a refused document left nodes")
	}
}

func TestSeedSandbox(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.SeedSandbox(); err != nil {
		t.Fatal(err)
	}
	sandbox := "10001"
	if dataworkstest.SandboxProjectID != 10001 {
		t.Fatalf("SandboxProjectID %d", dataworkstest.SandboxProjectID)
	}
	byName := map[string]string{}
	for _, kind := range []string{"CycleWorkflow", "ManualWorkflow"} {
		var out workflowListing
		e.must("ListWorkflowDefinitions", map[string]string{"ProjectId": sandbox, "Type": kind}, &out)
		for _, w := range out.PagingInfo.WorkflowDefinitions {
			byName[w.Name] = w.Id
		}
	}
	if len(byName) != 3 || byName["sales_daily_demo"] == "" || byName["ops_manual_demo"] == "" || byName["工作流042203"] == "" {
		t.Fatalf("sandbox workflows %v", byName)
	}
	for name, id := range byName {
		var def definitionAnswer
		e.must("GetWorkflowDefinition", map[string]string{"ProjectId": sandbox, "Id": id, "IncludeScriptContent": "true"}, &def)
		if nodes := e.srv.Nodes(id); len(nodes) != 3 || strings.Count(def.WorkflowDefinition.Spec, `"nodeId"`) < 2 {
			t.Errorf("%s: %d nodes, Spec %s", name, len(nodes), def.WorkflowDefinition.Spec)
		}
	}
	chain := e.srv.Nodes(byName["sales_daily_demo"])
	for i, want := range []string{"ods_orders", "dwd_orders", "ads_sales_daily"} {
		if chain[i].Name != want || chain[i].Command != "ODPS_SQL" || !strings.Contains(chain[i].Spec, "INSERT OVERWRITE TABLE "+want) {
			t.Errorf("node %d: %+v", i, chain[i])
		}
		if i == 0 {
			continue
		}
		var deps nodeListing
		e.must("ListNodeDependencies", map[string]string{"ProjectId": sandbox, "Id": chain[i].ID}, &deps)
		if p := deps.PagingInfo; p.TotalCount != "1" || p.Nodes[0].Id != chain[i-1].ID {
			t.Errorf("upstream of %s: %+v", want, p)
		}
	}
	var commands []string
	for _, n := range e.srv.Nodes(byName["ops_manual_demo"]) {
		commands = append(commands, n.Command)
		if n.Scene != "DATAWORKS_MANUAL_WORKFLOW" {
			t.Errorf("%s scene %s", n.Name, n.Scene)
		}
	}
	if strings.Join(commands, " ") != "VIRTUAL PYTHON DIDE_SHELL" {
		t.Errorf("manual demo commands %v", commands)
	}
}
