package dataworkstest_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestWorkflowWithThreeNodes: a workflow, then A → B → C created inside it
// with ContainerId: paths rewritten under the workflow, default outputs
// added first, each node's depends stored as sent.
func TestWorkflowWithThreeNodes(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	if !digits19.MatchString(wf) || !(wf < ids[0] && ids[0] < ids[1] && ids[1] < ids[2]) {
		t.Fatalf("ids not increasing 19-digit: %s %v", wf, ids)
	}
	nodes := e.srv.Nodes(wf)
	if len(nodes) != 3 {
		t.Fatalf("%d nodes", len(nodes))
	}
	for i, name := range []string{"A", "B", "C"} {
		n := nodes[i]
		if n.ID != ids[i] || n.Name != name || n.Command != "ODPS_SQL" || n.ContainerID != wf || n.Scene != "DATAWORKS_PROJECT" || n.ProjectID != 123456 {
			t.Errorf("node %d: %+v", i, n)
		}
		obj := decode(t, n.Spec)
		if obj["id"] != json.Number(n.ID) && obj["id"] != n.ID {
			t.Errorf("%s: id %v", name, obj["id"])
		}
		if p := obj["script"].(map[string]any)["path"]; p != "team/sales/"+name {
			t.Errorf("%s: path %v", name, p)
		}
		outs := obj["outputs"].(map[string]any)["nodeOutputs"].([]any)
		def := outs[0].(map[string]any)
		if len(outs) != 2 || def["data"] != n.ID || def["isDefault"] != true || def["refTableName"] != name || def["artifactType"] != "NodeOutput" ||
			outs[1].(map[string]any)["data"] != "proj."+name {
			t.Errorf("%s: outputs %v", name, outs)
		}
		meta := obj["metadata"].(map[string]any)
		if meta["container"].(map[string]any)["uuid"] != wf || meta["container"].(map[string]any)["type"] != "Flow" || meta["projectId"] != project {
			t.Errorf("%s: metadata %v", name, meta)
		}
		want := "[]"
		if i > 0 {
			want = fmt.Sprintf(`[{"output":"%s","type":"Normal"}]`, ids[i-1])
		}
		if n.Depends != want {
			t.Errorf("%s: depends %s, want %s", name, n.Depends, want)
		}
	}
	calls := e.srv.Calls()
	last := calls[len(calls)-1]
	if last.Action != "CreateNode" || last.Method != "POST" || last.NodeID != ids[2] || last.ContainerID != wf || last.Scene != "DATAWORKS_PROJECT" ||
		last.ProjectID != 123456 || last.WorkflowID != "" || last.Params["ContainerId"] != wf || last.Params["Action"] != "CreateNode" {
		t.Errorf("call %+v", last)
	}
	if _, ok := last.Params["Signature"]; ok {
		t.Error("Params holds the signature")
	}
	if e.srv.Count("CreateNode") != 3 || e.srv.Count("CreateWorkflowDefinition") != 1 {
		t.Errorf("counts %d %d", e.srv.Count("CreateNode"), e.srv.Count("CreateWorkflowDefinition"))
	}
}

// TestWorkflowOperationsIgnoreInnerNodes: nodes and dependencies inside a
// CreateWorkflowDefinition or UpdateWorkflowDefinition Spec create or
// change nothing; the update replaces the fields it names.
func TestWorkflowOperationsIgnoreInnerNodes(t *testing.T) {
	e := newEnv(t)
	doc := decode(t, workflowSpec("CycleWorkflow", "wf", "wf"))
	wfObj := doc["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)
	wfObj["nodes"] = []any{map[string]any{"name": "inner", "script": map[string]any{"runtime": map[string]any{"command": "ODPS_SQL"}}}}
	wfObj["dependencies"] = []any{map[string]any{"nodeId": "inner", "depends": []any{}}}
	spec, _ := json.Marshal(doc)
	var created struct{ Id string }
	e.must("CreateWorkflowDefinition", map[string]string{"ProjectId": project, "Spec": string(spec)}, &created)
	a := e.createNode(created.Id, "DATAWORKS_PROJECT", nodeSpec("", "a", "DIDE_SHELL", "echo a"))
	wfObj["description"] = "now described"
	wfObj["nodes"] = []any{}
	spec, _ = json.Marshal(doc)
	var ok struct{ Success bool }
	e.must("UpdateWorkflowDefinition", map[string]string{"ProjectId": project, "Id": created.Id, "Spec": string(spec)}, &ok)
	if nodes := e.srv.Nodes(created.Id); !ok.Success || len(nodes) != 1 || nodes[0].ID != a {
		t.Fatalf("success %v, nodes %+v", ok.Success, nodes)
	}
	stored, _ := e.srv.Workflow(created.Id)
	if !strings.Contains(stored, `"description":"now described"`) || !strings.Contains(stored, `"id":"`+created.Id+`"`) || strings.Contains(stored, "inner") {
		t.Errorf("stored %s", stored)
	}
	if c := e.srv.Calls(); c[len(c)-1].WorkflowID != created.Id {
		t.Errorf("update call %+v", c[len(c)-1])
	}
	manual := strings.Replace(string(spec), `"kind":"CycleWorkflow"`, `"kind":"ManualWorkflow"`, 1)
	err := e.call("UpdateWorkflowDefinition", map[string]string{"ProjectId": project, "Id": created.Id, "Spec": manual}, nil)
	wantError(t, err, 400, "InvalidParameter", "cannot be changed")
	err = e.call("UpdateWorkflowDefinition", map[string]string{"ProjectId": "654321", "Id": created.Id, "Spec": string(spec)}, nil)
	wantError(t, err, 404, "InvalidParameter.WorkflowNotFound", created.Id)
}

func TestCreateNodeRefusals(t *testing.T) {
	e := newEnv(t)
	cycle := e.createWorkflow("CycleWorkflow", "cycle", "cycle")
	manual := e.createWorkflow("ManualWorkflow", "manual", "f/manual")
	good := nodeSpec("x", "x", "ODPS_SQL", "select 1;")
	tests := []struct {
		name                              string
		projectID, scene, container, spec string
		status                            int
		code, text                        string
	}{
		{"workflow kind", project, "DATAWORKS_PROJECT", cycle, workflowSpec("CycleWorkflow", "w", "w"), 400, "InvalidParameter", `spec kind "CycleWorkflow" and request not match`},
		{"no nodes", project, "DATAWORKS_PROJECT", cycle, `{"version":"2.0.0","kind":"Node","spec":{"nodes":[]}}`, 400, "InvalidParameter", "spec.nodes is empty"},
		{"not JSON", project, "DATAWORKS_PROJECT", cycle, `{"kind":`, 400, "InvalidParameter", "not valid JSON"},
		{"no name", project, "DATAWORKS_PROJECT", cycle, nodeSpec("x", "", "ODPS_SQL", ""), 400, "InvalidParameter", "name is required"},
		{"no command", project, "DATAWORKS_PROJECT", cycle, nodeSpec("x", "x", "", ""), 400, "InvalidParameter", "script.runtime.command is empty"},
		{"no Scene", project, "", cycle, good, 400, "InvalidParameter", "Scene is mandatory"},
		{"Scene in ListNodes spelling", project, "DataworksProject", cycle, good, 400, "InvalidParameter", "Scene must be"},
		{"manual scene without container", project, "DATAWORKS_MANUAL_WORKFLOW", "", good, 400, "InvalidParameter", "needs the ContainerId"},
		{"manual scene in a cycle workflow", project, "DATAWORKS_MANUAL_WORKFLOW", cycle, good, 400, "InvalidParameter", "is a CycleWorkflow"},
		{"project scene in a manual workflow", project, "DATAWORKS_PROJECT", manual, good, 400, "InvalidParameter", "Scene DATAWORKS_MANUAL_WORKFLOW"},
		{"manual task in a workflow", project, "DATAWORKS_MANUAL_TASK", cycle, good, 400, "InvalidParameter", "drop ContainerId"},
		{"unknown container", project, "DATAWORKS_PROJECT", "4634978808809549999", good, 404, "InvalidParameter.WorkflowNotFound", "4634978808809549999"},
		{"container of another project", "777", "DATAWORKS_PROJECT", cycle, good, 404, "InvalidParameter.WorkflowNotFound", cycle},
		{"dependency type", project, "DATAWORKS_PROJECT", cycle, strings.Replace(nodeSpec("x", "x", "ODPS_SQL", "", "up"), "Normal", "CrossCycleDependsOnOther", 1), 400, "InvalidParameter", "Enum not found"},
		{"ProjectId zero", "0", "DATAWORKS_PROJECT", cycle, good, 400, "InvalidParameter", "ProjectId must be a positive integer"},
		{"ProjectId text", "abc", "DATAWORKS_PROJECT", cycle, good, 400, "InvalidParameter", "ProjectId must be a positive integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.call("CreateNode", map[string]string{"ProjectId": tt.projectID, "Scene": tt.scene, "ContainerId": tt.container, "Spec": tt.spec}, nil)
			wantError(t, err, tt.status, tt.code, tt.text)
		})
	}
	if n := e.srv.Nodes(""); len(n) != 0 {
		t.Errorf("refused calls created %+v", n)
	}
	// The valid combinations.
	e.createNode(manual, "DATAWORKS_MANUAL_WORKFLOW", good)
	e.createNode("", "DATAWORKS_MANUAL_TASK", good)
	e.createNode("", "DATAWORKS_PROJECT", good)
	if n := e.srv.Nodes(""); len(n) != 3 || n[2].ContainerID != "" || !strings.Contains(n[2].Spec, `"path":"ignored/x"`) {
		t.Errorf("nodes %+v", n)
	}
}

// TestCreateNodeDependencyEntry: which entry of a Spec becomes the node's
// depends list.
func TestCreateNodeDependencyEntry(t *testing.T) {
	e := newEnv(t)
	wf := e.createWorkflow("CycleWorkflow", "wf", "wf")
	node := `{"name":"n","script":{"runtime":{"command":"DIDE_SHELL"}}%s}`
	tests := []struct{ name, spec, want string }{
		{"entry for the node's id", `{"nodes":[` + fmt.Sprintf(node, `,"id":"me"`) + `],"dependencies":[{"nodeId":"other","depends":[{"type":"Normal","output":"o1"}]},{"nodeId":"me","depends":[{"type":"Normal","output":"o2"}]}]}`,
			`[{"output":"o2","type":"Normal"}]`},
		{"flow is a synonym", `{"nodes":[` + fmt.Sprintf(node, `,"id":"me"`) + `],"flow":[{"nodeId":"me","depends":[{"type":"CrossCycleDependsOnSelf","output":"me"}]}]}`,
			`[{"output":"me","type":"CrossCycleDependsOnSelf"}]`},
		{"lone entry of a node without id", `{"nodes":[` + fmt.Sprintf(node, "") + `],"dependencies":[{"nodeId":"whatever","depends":[{"type":"Normal","output":"o3"}]}]}`,
			`[{"output":"o3","type":"Normal"}]`},
		{"entry for another node only", `{"nodes":[` + fmt.Sprintf(node, `,"id":"me"`) + `],"dependencies":[{"nodeId":"other","depends":[{"type":"Normal","output":"o1"}]}]}`, `[]`},
		{"only the first node is created", `{"nodes":[` + fmt.Sprintf(node, `,"id":"me"`) + `,{"name":"second","script":{"runtime":{"command":"VIRTUAL"}}}]}`, `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := e.createNode(wf, "DATAWORKS_PROJECT", `{"version":"1.1.0","kind":"Node","spec":`+tt.spec+`}`)
			n, _ := e.srv.Node(id)
			if n.Depends != tt.want || n.Name != "n" {
				t.Errorf("depends %s, want %s (%+v)", n.Depends, tt.want, n)
			}
		})
	}
	if n := len(e.srv.Nodes(wf)); n != len(tests) {
		t.Errorf("%d nodes, want %d: duplicate names are allowed, extra nodes ignored", n, len(tests))
	}
}

func TestUpdateNode(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	c := ids[2]
	before, _ := e.srv.Node(c)
	update := func(spec string) error {
		return e.call("UpdateNode", map[string]string{"ProjectId": project, "Id": c, "Spec": spec}, nil)
	}
	// Only rerunTimes changes; the dependency entry is replaced.
	spec := `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"id":"` + c + `","rerunTimes":7}],"dependencies":[{"nodeId":"` + c +
		`","depends":[{"type":"Normal","output":"` + ids[0] + `"},{"type":"Normal","output":"proj.B"}]}]}}`
	if err := update(spec); err != nil {
		t.Fatal(err)
	}
	after, _ := e.srv.Node(c)
	obj := decode(t, after.Spec)
	if obj["rerunTimes"] != json.Number("7") || obj["name"] != "C" || obj["script"].(map[string]any)["content"] != "select 'C';" ||
		obj["script"].(map[string]any)["path"] != "team/sales/C" || after.ModifyTime <= before.ModifyTime || after.CreateTime != before.CreateTime {
		t.Errorf("after incremental update: %+v", after)
	}
	if want := `[{"output":"` + ids[0] + `","type":"Normal"},{"output":"proj.B","type":"Normal"}]`; after.Depends != want {
		t.Errorf("depends %s, want %s", after.Depends, want)
	}
	// Without an entry for the node, the depends list stays.
	if err := update(`{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"description":"d"}],"dependencies":[{"nodeId":"x","depends":[]}]}}`); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.srv.Node(c); n.Depends != after.Depends || !strings.Contains(n.Spec, `"description":"d"`) {
		t.Errorf("after an update without entry: %+v", n)
	}
	// A new script keeps the workflow path and the command; a rename moves the path.
	if err := update(`{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"name":"C2","script":{"path":"elsewhere/C2","content":"select 2;"}}]}}`); err != nil {
		t.Fatal(err)
	}
	n, _ := e.srv.Node(c)
	script := decode(t, n.Spec)["script"].(map[string]any)
	if script["path"] != "team/sales/C2" || n.Command != "ODPS_SQL" || script["content"] != "select 2;" || n.Name != "C2" ||
		!strings.Contains(n.Spec, `"refTableName":"C2","isDefault":true`) && !strings.Contains(n.Spec, `"isDefault":true,"refTableName":"C2"`) {
		t.Errorf("after a script update: %s", n.Spec)
	}
	tests := []struct {
		name, id, projectID, spec string
		status                    int
		code, text                string
	}{
		{"command change", c, project, `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"script":{"runtime":{"command":"PYTHON"}}}]}}`, 400, "InvalidParameter", "Node type (command) cannot be changed after creation"},
		{"workflow kind", c, project, workflowSpec("CycleWorkflow", "w", "w"), 400, "InvalidParameter", "request not match"},
		{"unknown node", "4634978808809549999", project, `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"rerunTimes":1}]}}`, 404, "InvalidParameter.NodeNotFound", "4634978808809549999"},
		{"node of another project", c, "777", `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"rerunTimes":1}]}}`, 404, "InvalidParameter.NodeNotFound", c},
		{"empty name", c, project, `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"name":""}]}}`, 400, "InvalidParameter", "name cannot be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.call("UpdateNode", map[string]string{"ProjectId": tt.projectID, "Id": tt.id, "Spec": tt.spec}, nil)
			wantError(t, err, tt.status, tt.code, tt.text)
		})
	}
	if now, _ := e.srv.Node(c); now.Spec != n.Spec || now.ModifyTime != n.ModifyTime {
		t.Errorf("a refused update changed the node: %s", now.Spec)
	}
	if len(e.srv.Nodes(wf)) != 3 {
		t.Error("UpdateNode created a node")
	}
}

func TestDeleteNode(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	var ok struct{ Success bool }
	e.must("DeleteNode", map[string]string{"ProjectId": project, "Id": ids[1]}, &ok)
	if nodes := e.srv.Nodes(wf); !ok.Success || len(nodes) != 2 || nodes[0].ID != ids[0] || nodes[1].ID != ids[2] {
		t.Fatalf("%v %+v", ok, nodes)
	}
	if _, found := e.srv.Node(ids[1]); found {
		t.Error("deleted node still stored")
	}
	wantError(t, e.call("DeleteNode", map[string]string{"ProjectId": project, "Id": ids[1]}, nil), 404, "InvalidParameter.NodeNotFound", ids[1])
	wantError(t, e.call("GetNode", map[string]string{"ProjectId": project, "Id": ids[1]}, nil), 404, "InvalidParameter.NodeNotFound", ids[1])
	wantError(t, e.call("DeleteNode", map[string]string{"ProjectId": "777", "Id": ids[0]}, nil), 404, "InvalidParameter.NodeNotFound", ids[0])
	if c := e.srv.Calls(); c[len(c)-4].NodeID != ids[1] || c[len(c)-3].NodeID != "" {
		t.Errorf("NodeID of delete calls: %+v", c[len(c)-4:])
	}
}

func TestGetNode(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	var got nodeAnswer
	e.must("GetNode", map[string]string{"ProjectId": project, "Id": ids[1]}, &got)
	n := got.Node
	stored, _ := e.srv.Node(ids[1])
	if n.Id != ids[1] || n.Name != "B" || n.ProjectId != 123456 || n.Owner != e.srv.Owner || n.CreateTime != stored.CreateTime ||
		n.ModifyTime != stored.ModifyTime || n.TaskId != 0 {
		t.Fatalf("%+v", n)
	}
	var doc struct {
		Version, Kind string
		Spec          struct {
			Workflows []struct {
				Id, Name string
				Script   struct {
					Path    string
					Runtime struct{ Command string }
				}
				Nodes        []map[string]any
				Dependencies []struct {
					NodeId  string
					Depends []struct{ Type, Output string }
				}
			}
		}
		Metadata struct{ Uuid string }
	}
	if err := json.Unmarshal([]byte(n.Spec), &doc); err != nil {
		t.Fatal(err)
	}
	w := doc.Spec.Workflows[0]
	if doc.Kind != "CycleWorkflow" || doc.Metadata.Uuid != ids[1] || w.Id != wf || w.Name != "sales" || w.Script.Path != "team/sales" ||
		w.Script.Runtime.Command != "WORKFLOW" || len(w.Nodes) != 1 || w.Nodes[0]["id"] != ids[1] ||
		len(w.Dependencies) != 1 || w.Dependencies[0].NodeId != ids[1] || w.Dependencies[0].Depends[0].Output != ids[0] {
		t.Errorf("Spec %s", n.Spec)
	}
	// The root has no dependency entry, so no dependencies array.
	e.must("GetNode", map[string]string{"ProjectId": project, "Id": ids[0]}, &got)
	if strings.Contains(got.Node.Spec, "dependencies") {
		t.Errorf("root Spec %s", got.Node.Spec)
	}
	// A node outside any workflow is a kind "Node" document.
	task := e.createNode("", "DATAWORKS_MANUAL_TASK", nodeSpec("t", "task", "DIDE_SHELL", "echo", "up"))
	e.must("GetNode", map[string]string{"ProjectId": project, "Id": task}, &got)
	single := decode(t, got.Node.Spec)
	if single["kind"] != "Node" || single["metadata"].(map[string]any)["uuid"] != task || len(single["spec"].(map[string]any)["flow"].([]any)) != 1 {
		t.Errorf("standalone Spec %s", got.Node.Spec)
	}
	wantError(t, e.call("GetNode", map[string]string{"ProjectId": project, "Id": "4634978808809549999"}, nil), 404, "InvalidParameter.NodeNotFound", "")
	wantError(t, e.call("GetNode", map[string]string{"ProjectId": project}, nil), 400, "InvalidParameter", "Id is mandatory")
	if c := e.srv.Calls(); c[len(c)-3].NodeID != task || c[len(c)-3].Method != "GET" {
		t.Errorf("GetNode call %+v", c[len(c)-3])
	}
}

func TestListNodes(t *testing.T) {
	e := newEnv(t)
	wf := e.createWorkflow("CycleWorkflow", "big", "big")
	other := e.createWorkflow("CycleWorkflow", "other", "other")
	var ids []string
	for i := range 12 {
		ids = append(ids, e.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("", fmt.Sprintf("ods_Orders_%02d", i), "ODPS_SQL", "")))
	}
	e.createNode(other, "DATAWORKS_PROJECT", nodeSpec("", "dwd_orders", "ODPS_SQL", ""))
	e.createNode("", "DATAWORKS_MANUAL_TASK", nodeSpec("", "manual_ODS_task", "DIDE_SHELL", ""))
	list := func(params map[string]string) nodeListing {
		t.Helper()
		params["ProjectId"] = project
		var out nodeListing
		e.must("ListNodes", params, &out)
		return out
	}
	tests := []struct {
		name                string
		params              map[string]string
		number, size, count int32
		total, first        string
		wantIDs             []string
	}{
		{"defaults", map[string]string{}, 1, 10, 10, "14", ids[0], nil},
		{"fuzzy name, any case", map[string]string{"Name": "ODS_orders"}, 1, 10, 10, "12", ids[0], nil},
		{"second page", map[string]string{"Name": "orders_", "PageNumber": "2"}, 2, 10, 2, "12", ids[10], ids[10:]},
		{"container", map[string]string{"ContainerId": other}, 1, 10, 1, "1", "", nil},
		{"largest page", map[string]string{"PageSize": "100"}, 1, 100, 14, "14", ids[0], nil},
		{"scene filter", map[string]string{"Scene": "DataworksManualTask"}, 1, 10, 1, "1", "", nil},
		{"recurrence filter", map[string]string{"Recurrence": "Pause"}, 1, 10, 0, "0", "", nil},
		{"past the end", map[string]string{"PageNumber": "9"}, 9, 10, 0, "14", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := list(tt.params).PagingInfo
			if p.PageNumber != tt.number || p.PageSize != tt.size || int32(len(p.Nodes)) != tt.count || p.TotalCount != tt.total ||
				tt.first != "" && p.Nodes[0].Id != tt.first {
				t.Fatalf("%+v", p)
			}
			for i, id := range tt.wantIDs {
				if p.Nodes[i].Id != id {
					t.Errorf("node %d is %s, want %s", i, p.Nodes[i].Id, id)
				}
			}
		})
	}
	n := list(map[string]string{"Name": "ods_orders_03"}).PagingInfo.Nodes[0]
	if n.Script.Path != "big/ods_Orders_03" || n.Script.Runtime.Command != "ODPS_SQL" || n.ProjectId != 123456 || n.Owner != e.srv.Owner ||
		n.Strategy.RerunTimes != 3 || n.Strategy.RerunMode != "Allowed" || n.Recurrence != "Normal" ||
		len(n.Outputs.NodeOutputs) != 2 || n.Outputs.NodeOutputs[0].Data != ids[3] || n.Outputs.NodeOutputs[1].Data != "proj.ods_Orders_03" {
		t.Errorf("listed node %+v", n)
	}
	for _, bad := range []struct{ param, value, text string }{
		{"PageSize", "101", "PageSize"}, {"PageSize", "0", "PageSize"}, {"PageSize", "ten", "PageSize"},
		{"PageNumber", "0", "PageNumber"}, {"Scene", "DATAWORKS_SOMETHING", "Scene"}, {"RerunMode", "Sometimes", "RerunMode"},
	} {
		err := e.call("ListNodes", map[string]string{"ProjectId": project, bad.param: bad.value}, nil)
		wantError(t, err, 400, "InvalidParameter", bad.text)
	}
	wantError(t, e.call("ListNodes", map[string]string{}, nil), 400, "InvalidParameter", "ProjectId")
}

// TestListNodeDependencies: a node's upstreams, named by id or by a
// declared output.
func TestListNodeDependencies(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	d := e.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("d", "D", "ODPS_SQL", "", "proj.A", ids[2], "project_root"))
	deps := func(id string, params map[string]string) nodeListing {
		t.Helper()
		params["ProjectId"], params["Id"] = project, id
		var out nodeListing
		e.must("ListNodeDependencies", params, &out)
		return out
	}
	tests := []struct {
		name   string
		id     string
		params map[string]string
		total  string
		want   []string
	}{
		{"root", ids[0], map[string]string{}, "0", nil},
		{"by id", ids[1], map[string]string{}, "1", ids[:1]},
		{"by id and by named output", d, map[string]string{}, "2", []string{ids[0], ids[2]}},
		{"paged", d, map[string]string{"PageSize": "1", "PageNumber": "2"}, "2", []string{ids[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := deps(tt.id, tt.params).PagingInfo
			var got []string
			for _, n := range p.Nodes {
				got = append(got, n.Id)
			}
			if p.TotalCount != tt.total || !slices.Equal(got, tt.want) {
				t.Errorf("total %s, nodes %v; want %s, %v", p.TotalCount, got, tt.total, tt.want)
			}
		})
	}
	wantError(t, e.call("ListNodeDependencies", map[string]string{"ProjectId": project, "Id": "4634978808809549999"}, nil), 404, "InvalidParameter.NodeNotFound", "")
	wantError(t, e.call("ListNodeDependencies", map[string]string{"ProjectId": project, "Id": d, "PageSize": "500"}, nil), 400, "InvalidParameter", "PageSize")
}
