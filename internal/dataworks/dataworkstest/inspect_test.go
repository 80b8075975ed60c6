package dataworkstest_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// TestConsoleEdits: a colleague's edits in the console show in the reads
// and move ModifyTime forward.
func TestConsoleEdits(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	before, _ := e.srv.Node(ids[1])
	err := e.srv.EditNode(ids[1], func(n map[string]any) {
		n["rerunTimes"] = json.Number("9")
		n["script"].(map[string]any)["content"] = "select 'edited';"
		n["id"] = "hijacked"
	})
	if err != nil {
		t.Fatal(err)
	}
	var got nodeAnswer
	e.must("GetNode", map[string]string{"ProjectId": project, "Id": ids[1]}, &got)
	after, _ := e.srv.Node(ids[1])
	if got.Node.ModifyTime <= before.ModifyTime || after.ModifyTime != got.Node.ModifyTime || after.CreateTime != before.CreateTime ||
		!strings.Contains(got.Node.Spec, `"rerunTimes":9`) || !strings.Contains(got.Node.Spec, "select 'edited';") ||
		!strings.Contains(after.Spec, `"id":"`+ids[1]+`"`) || after.Depends != before.Depends {
		t.Fatalf("before %+v\nafter %+v\nGetNode %+v", before, after, got.Node)
	}
	// Removing the edge in the console.
	if err := e.srv.EditDepends(ids[1], func([]any) []any { return nil }); err != nil {
		t.Fatal(err)
	}
	var deps nodeListing
	e.must("ListNodeDependencies", map[string]string{"ProjectId": project, "Id": ids[1]}, &deps)
	if n, _ := e.srv.Node(ids[1]); deps.PagingInfo.TotalCount != "0" || n.Depends != "[]" || n.ModifyTime <= after.ModifyTime {
		t.Errorf("after removing the edge: %+v, %+v", deps.PagingInfo, n)
	}
	// Moving the workflow moves its nodes.
	var wfBefore definitionAnswer
	e.must("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, &wfBefore)
	if err := e.srv.EditWorkflow(wf, func(w map[string]any) {
		w["name"] = "sales2"
		w["script"].(map[string]any)["path"] = "team/sales2"
	}); err != nil {
		t.Fatal(err)
	}
	var wfAfter definitionAnswer
	e.must("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, &wfAfter)
	if w := wfAfter.WorkflowDefinition; w.Name != "sales2" || w.ModifyTime <= wfBefore.WorkflowDefinition.ModifyTime ||
		!strings.Contains(w.Spec, `"path":"team/sales2/C"`) {
		t.Errorf("after moving the workflow: %+v", w)
	}
	for _, err := range []error{
		e.srv.EditNode("4634978808809549999", func(map[string]any) {}),
		e.srv.EditDepends("4634978808809549999", func(d []any) []any { return d }),
		e.srv.EditWorkflow("4634978808809549999", func(map[string]any) {}),
	} {
		if !errors.Is(err, dataworkstest.ErrNotFound) {
			t.Errorf("edit of an unknown id: %v", err)
		}
	}
	if s, ok := e.srv.Workflow(wf); !ok || !strings.Contains(s, `"name":"sales2"`) || strings.Contains(s, `"nodes"`) {
		t.Errorf("Workflow: %s", s)
	}
}

// TestIdsSurviveAsText: a 19-digit id sent as a JSON number in a Spec is
// kept exactly, never rounded through float64.
func TestIdsSurviveAsText(t *testing.T) {
	e := newEnv(t)
	wf := e.createWorkflow("CycleWorkflow", "wf", "wf")
	spec := `{"version":"1.1.0","kind":"Node","spec":{"nodes":[{"id":9223372036854775001,"name":"n","rerunInterval":180000,"script":{"runtime":{"command":"VIRTUAL"}}}],` +
		`"flow":[{"nodeId":9223372036854775001,"depends":[{"type":"Normal","output":"4634978808809541234"}]}]}}`
	id := e.createNode(wf, "DATAWORKS_PROJECT", spec)
	n, _ := e.srv.Node(id)
	if n.Depends != `[{"output":"4634978808809541234","type":"Normal"}]` || !strings.Contains(n.Spec, `"rerunInterval":180000`) {
		t.Errorf("%+v", n)
	}
}
