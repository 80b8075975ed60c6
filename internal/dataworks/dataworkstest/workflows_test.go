package dataworkstest_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestListWorkflowDefinitions(t *testing.T) {
	e := newEnv(t)
	daily := e.createWorkflow("CycleWorkflow", "Sales_Daily", "team/Sales_Daily")
	weekly := e.createWorkflow("CycleWorkflow", "sales_weekly", "sales_weekly")
	manual := e.createWorkflow("ManualWorkflow", "sales_backfill", "sales_backfill")
	e.createWorkflow("CycleWorkflow", "inventory", "inventory")
	list := func(params map[string]string) workflowListing {
		t.Helper()
		params["ProjectId"] = project
		var out workflowListing
		e.must("ListWorkflowDefinitions", params, &out)
		return out
	}
	tests := []struct {
		name                string
		params              map[string]string
		number, size, total int32
		want                []string
	}{
		{"Type defaults to CycleWorkflow", map[string]string{"Name": "sales"}, 1, 10, 2, []string{daily, weekly}},
		{"manual", map[string]string{"Type": "ManualWorkflow"}, 1, 10, 1, []string{manual}},
		{"fuzzy, any case", map[string]string{"Name": "SALES_d"}, 1, 10, 1, []string{daily}},
		{"owner", map[string]string{"Owner": e.srv.Owner}, 1, 10, 3, nil},
		{"other owner", map[string]string{"Owner": "42"}, 1, 10, 0, []string{}},
		{"paged", map[string]string{"PageSize": "2", "PageNumber": "2"}, 2, 2, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := list(tt.params).PagingInfo
			if p.PageNumber != tt.number || p.PageSize != tt.size || p.TotalCount != tt.total {
				t.Fatalf("%+v", p)
			}
			if tt.want == nil {
				return
			}
			var got []string
			for _, w := range p.WorkflowDefinitions {
				got = append(got, w.Id)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	w := list(map[string]string{"Name": "Sales_Daily"}).PagingInfo.WorkflowDefinitions[0]
	if w.Name != "Sales_Daily" || w.Type != "CycleWorkflow" || w.ProjectId != 123456 || w.Script.Path != "team/Sales_Daily" ||
		w.Script.Runtime.Command != "WORKFLOW" || w.CreateTime == 0 || w.ModifyTime < w.CreateTime {
		t.Errorf("%+v", w)
	}
	wantError(t, e.call("ListWorkflowDefinitions", map[string]string{"ProjectId": project, "Type": "Workflow"}, nil), 400, "InvalidParameter", "Type")
	wantError(t, e.call("ListWorkflowDefinitions", map[string]string{"ProjectId": project, "PageSize": "101"}, nil), 400, "InvalidParameter", "PageSize")
	if other := list(map[string]string{}); other.PagingInfo.TotalCount != 3 {
		t.Errorf("%+v", other)
	}
}

func TestGetWorkflowDefinition(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	get := func(include string) (definitionAnswer, map[string]any) {
		t.Helper()
		params := map[string]string{"ProjectId": project, "Id": wf}
		if include != "" {
			params["IncludeScriptContent"] = include
		}
		var out definitionAnswer
		e.must("GetWorkflowDefinition", params, &out)
		return out, decode(t, out.WorkflowDefinition.Spec)
	}
	def, doc := get("true")
	d := def.WorkflowDefinition
	if d.Id != wf || d.Name != "sales" || d.ProjectId != 123456 || d.Owner != e.srv.Owner || d.WorkflowId != 0 || d.CreateTime == 0 {
		t.Fatalf("%+v", d)
	}
	w := doc["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)
	nodes, deps := w["nodes"].([]any), w["dependencies"].([]any)
	if doc["kind"] != "CycleWorkflow" || doc["version"] != "1.1.0" || w["id"] != wf || w["name"] != "sales" || len(nodes) != 3 || len(deps) != 2 {
		t.Fatalf("Spec %s", d.Spec)
	}
	for i, n := range nodes {
		n := n.(map[string]any)
		if n["id"] != ids[i] || n["script"].(map[string]any)["content"] == nil {
			t.Errorf("node %d: %v", i, n)
		}
	}
	if e0 := deps[0].(map[string]any); e0["nodeId"] != ids[1] || e0["depends"].([]any)[0].(map[string]any)["output"] != ids[0] {
		t.Errorf("entry %v", e0)
	}
	for _, include := range []string{"", "false"} {
		_, doc := get(include)
		for _, n := range doc["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)["nodes"].([]any) {
			if _, has := n.(map[string]any)["script"].(map[string]any)["content"]; has {
				t.Errorf("IncludeScriptContent=%q: content returned", include)
			}
		}
	}
	if n, _ := e.srv.Node(ids[0]); !strings.Contains(n.Spec, "select 'A';") {
		t.Error("reading without content removed the stored content")
	}
	wantError(t, e.call("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": "4634978808809549999"}, nil), 404, "InvalidParameter.WorkflowNotFound", "")
	wantError(t, e.call("GetWorkflowDefinition", map[string]string{"ProjectId": "777", "Id": wf}, nil), 404, "InvalidParameter.WorkflowNotFound", "")
	wantError(t, e.call("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf, "IncludeScriptContent": "yes"}, nil), 400, "InvalidParameter", "IncludeScriptContent")
}

// TestTransport: reads must be GET with a query string, writes POST with a
// form body; the signature is checked on every call.
func TestTransport(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	params := map[string]map[string]string{
		"GetNode":                  {"ProjectId": project, "Id": ids[0]},
		"ListNodes":                {"ProjectId": project},
		"ListNodeDependencies":     {"ProjectId": project, "Id": ids[1]},
		"GetWorkflowDefinition":    {"ProjectId": project, "Id": wf},
		"ListWorkflowDefinitions":  {"ProjectId": project},
		"CreateWorkflowDefinition": {"ProjectId": project, "Spec": workflowSpec("CycleWorkflow", "w", "w")},
		"UpdateWorkflowDefinition": {"ProjectId": project, "Id": wf, "Spec": workflowSpec("CycleWorkflow", "sales", "team/sales")},
		"CreateNode":               {"ProjectId": project, "Scene": "DATAWORKS_PROJECT", "ContainerId": wf, "Spec": nodeSpec("", "n", "VIRTUAL", "")},
		"UpdateNode":               {"ProjectId": project, "Id": ids[2], "Spec": nodeSpec("", "C", "ODPS_SQL", "")},
		"DeleteNode":               {"ProjectId": project, "Id": ids[2]},
	}
	before := len(e.srv.Nodes(""))
	for action, p := range params {
		t.Run(action, func(t *testing.T) {
			wrong, text := "POST", "is a read operation: send it as GET"
			if writes[action] {
				wrong, text = "GET", "is a write operation: send it as POST"
			}
			wantError(t, e.send(e.request(wrong, action, p), nil), 400, "InvalidParameter", text)
			if writes[action] {
				req := e.request("POST", action, p)
				req.QueryParams["ProjectId"], req.FormParams["ProjectId"] = project, ""
				delete(req.FormParams, "ProjectId")
				wantError(t, e.send(req, nil), 400, "InvalidParameter", "ProjectId of "+action+" belongs in the form body")
			} else {
				req := e.request("GET", action, p)
				req.FormParams["Id"] = "1"
				wantError(t, e.send(req, nil), 400, "InvalidParameter", "belongs in the query string, not in a body")
			}
		})
	}
	if got := len(e.srv.Nodes("")); got != before {
		t.Errorf("refused calls changed the nodes: %d → %d", before, got)
	}
	wantError(t, e.call("DeleteWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, nil), 404, "InvalidAction.NotFound", "")
	// A client with the wrong secret is refused on reads too.
	bad := newEnv(t)
	bad.srv.Secret = "another"
	wantError(t, bad.call("ListNodes", map[string]string{"ProjectId": project}, nil), 400, "SignatureDoesNotMatch", "server string to sign is:GET&")
	// The refused calls are recorded with their method.
	calls := e.srv.Calls()
	if c := calls[len(calls)-1]; c.Action != "DeleteWorkflowDefinition" || c.Method != "POST" || c.Code != "InvalidAction.NotFound" {
		t.Errorf("%+v", c)
	}
	raw, _ := json.Marshal(calls[len(calls)-1].Params)
	if strings.Contains(string(raw), "Signature") || strings.Contains(string(raw), keyID) {
		t.Errorf("Params hold the signature: %s", raw)
	}
}
