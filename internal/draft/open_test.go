package draft_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/dataworks"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// TestOpenFromDataWorks: a workflow made in the console opens as a draft
// holding what DataWorks holds; submitting it unchanged updates no node; a
// console edit after opening is reported, and sending over it needs the
// analyst's choice.
func TestOpenFromDataWorks(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	tpl, _ := flowspec.TemplateByID("daily-pipeline")
	seeded, nodeIDs, err := e.fake.SeedWorkflow(123456, tpl.New("console_made").Canonical())
	if err != nil || len(nodeIDs) != 3 {
		t.Fatalf("seed: %v %v", nodeIDs, err)
	}
	page, err := e.svc.Workflows(context.Background(), draft.WorkflowQuery{ProjectID: "123456", Name: "console"})
	if err != nil || page.Total != 1 || page.Workflows[0].ID != seeded {
		t.Fatalf("list: %+v %v", page, err)
	}
	d, err := e.svc.Open(context.Background(), draft.OpenRequest{ProjectID: "123456", WorkflowID: seeded}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.NodeCount() != 3 {
		t.Fatalf("opened %d nodes", d.Spec.NodeCount())
	}
	// The draft holds what the fake holds: its definition, every node as
	// GetNode shows it, every dependency.
	def, _, err := e.client.Fetch(context.Background(), "cn-shanghai", "123456", seeded)
	if err != nil {
		t.Fatal(err)
	}
	var nodes [][]byte
	for _, id := range nodeIDs {
		n, _ := e.fake.Node(id)
		flow := `,"flow":[{"nodeId":"` + id + `","depends":` + n.Depends + `}]`
		if n.Depends == "[]" {
			flow = "" // a root has no dependency entry
		}
		nodes = append(nodes, []byte(`{"kind":"Node","spec":{"nodes":[`+n.Spec+`]`+flow+`}}`))
	}
	held, _, err := flowspec.Assemble(stripNodes(t, def), nodes)
	if err != nil {
		t.Fatal(err)
	}
	if changes := flowspec.Diff(held, d.Spec); len(changes) != 0 {
		t.Fatalf("the opened draft differs from what DataWorks holds: %+v", changes)
	}
	for _, n := range e.fake.Nodes(seeded) {
		i, ok := d.Spec.NodeIndex(n.ID)
		if !ok || d.Spec.NodeName(i) != n.Name {
			t.Fatalf("node %s %s not in the draft", n.ID, n.Name)
		}
		var stored map[string]any
		json.Unmarshal([]byte(n.Spec), &stored)
		if got := d.Spec.Node(i).Values["node_code"]; got != stored["script"].(map[string]any)["content"] {
			t.Errorf("node %s code %q differs from DataWorks'", n.Name, got)
		}
	}
	if f := d.Spec.Form(); f.Name != "console_made" || f.Cron != tpl.New("x").Form().Cron {
		t.Errorf("opened workflow %q cron %q", f.Name, f.Cron)
	}

	_, plan, err := e.svc.Plan(context.Background(), d.ID, draft.SubmitOptions{})
	if err != nil || plan.Operation != draft.OpUpdate || plan.WorkflowID != seeded || len(plan.Steps) != 1 {
		t.Fatalf("plan for an unchanged opened draft: %s %v (%v)", plan.Operation, stepStates(draft.Submission{Steps: plan.Steps}), err)
	}
	if plan.Live == nil || plan.Live.Err != "" || len(plan.Live.Console) != 0 {
		t.Fatalf("live report: %+v", plan.Live)
	}
	sub := e.submit(t, d, draft.SubmitOptions{})
	if sub.State != draft.Succeeded || e.writes()["UpdateNode"] != 0 || e.writes()["CreateNode"] != 0 {
		t.Fatalf("unchanged: %s %v", sub.State, e.actions())
	}

	// A colleague edits two nodes in the console; this draft edits one of
	// them too, and its description.
	for i, id := range nodeIDs[:2] {
		if err := e.fake.EditNode(id, func(n map[string]any) {
			n["script"].(map[string]any)["content"] = fmt.Sprintf("SELECT 'console %d';", i)
		}); err != nil {
			t.Fatal(err)
		}
	}
	d = e.edit(t, d, func(doc *flowspec.Document) {
		describe(doc, "mine")
		i, _ := doc.NodeIndex(nodeIDs[1])
		f := doc.Node(i)
		f.Values["node_code"] = "SELECT 'mine';"
		doc.ApplyNode(i, f)
	})
	_, plan, _ = e.svc.Plan(context.Background(), d.ID, draft.SubmitOptions{})
	if plan.Live == nil || len(plan.Live.Console) != 2 || len(plan.Live.Overwritten) != 1 || plan.Live.Overwritten[0].Node != "dwd_orders" ||
		!strings.Contains(plan.Live.Overwritten[0].New, "console 1") {
		t.Fatalf("the console edits are not shown as kept and replaced: %+v", plan.Live)
	}
	before := len(e.fake.Calls())
	if _, err := e.svc.Submit(context.Background(), d.ID, draft.SubmitOptions{ExpectedVersion: d.Version}, "ann"); !isCode(err, draft.LiveChanged) {
		t.Fatalf("sending over a console edit without choosing to: %v", err)
	}
	for _, c := range e.fake.Calls()[before:] {
		if c.Method == "POST" {
			t.Errorf("a refused submit wrote %s", c.Action)
		}
	}
	if sub := e.submit(t, d, draft.SubmitOptions{OverwriteLive: true}); sub.State != draft.Succeeded {
		t.Fatalf("overwrite: %s", sub.State)
	}
	kept, _ := e.fake.Node(nodeIDs[0])
	replaced, _ := e.fake.Node(nodeIDs[1])
	if !strings.Contains(kept.Spec, "console 0") || !strings.Contains(replaced.Spec, "mine") {
		t.Errorf("after the delivery DataWorks holds %s and %s", kept.Spec, replaced.Spec)
	}
}

// stripNodes is a workflow definition without its inner nodes.
func stripNodes(t *testing.T, def []byte) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(def, &doc); err != nil {
		t.Fatal(err)
	}
	wf := doc["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)
	delete(wf, "nodes")
	delete(wf, "dependencies")
	out, _ := json.Marshal(doc)
	return out
}

// TestColleaguesWorkflowChangeIsKept: two drafts open one workflow; one
// changes the priority and submits; the other changes only the
// description: its update keeps the priority instead of reverting it,
// without asking.
func TestColleaguesWorkflowChangeIsKept(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	tpl, _ := flowspec.TemplateByID("daily-pipeline")
	seeded, _, err := e.fake.SeedWorkflow(123456, tpl.New("shared").Canonical())
	if err != nil {
		t.Fatal(err)
	}
	open := func() *draft.Draft {
		d, err := e.svc.Open(context.Background(), draft.OpenRequest{ProjectID: "123456", WorkflowID: seeded}, "ann")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	x, y := open(), open()
	y = e.edit(t, y, func(doc *flowspec.Document) {
		f := doc.Form()
		f.Priority = 5
		doc.Apply(f)
	})
	if sub := e.submit(t, y, draft.SubmitOptions{}); sub.State != draft.Succeeded {
		t.Fatalf("y: %s", sub.State)
	}
	x = e.edit(t, x, func(doc *flowspec.Document) { describe(doc, "x was here") })
	_, plan, _ := e.svc.Plan(context.Background(), x.ID, draft.SubmitOptions{})
	if plan.Live == nil || len(plan.Live.Console) == 0 || len(plan.Live.Overwritten) != 0 {
		t.Fatalf("y's priority change is not reported as kept: %+v", plan.Live)
	}
	if sub := e.submit(t, x, draft.SubmitOptions{}); sub.State != draft.Succeeded {
		t.Fatalf("x: %s %s", sub.State, sub.Guidance.EN)
	}
	spec, _ := e.fake.Workflow(seeded)
	if !strings.Contains(spec, `"priority":5`) || !strings.Contains(spec, "x was here") {
		t.Errorf("DataWorks holds %s", spec)
	}
}
