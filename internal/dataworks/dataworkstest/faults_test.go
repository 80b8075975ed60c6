package dataworkstest_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// TestFaultsOnCreateNode: the second CreateNode behaves as scripted; the
// first and third are untouched.
func TestFaultsOnCreateNode(t *testing.T) {
	const sleep = 500 * time.Millisecond
	tests := []struct {
		name    string
		b       dataworkstest.Behavior
		status  int    // 0: the client timed out
		code    string // answered error code
		created bool   // the node exists afterwards
		depends string // its stored depends list
	}{
		{"throttle does nothing", dataworkstest.Behavior{Throttle: true}, 400, "Throttling.User", false, ""},
		{"fail does nothing", dataworkstest.Behavior{Fail: true}, 500, "InternalError", false, ""},
		{"sleep does the work, then answers late", dataworkstest.Behavior{Sleep: sleep}, 0, "", true, "[{\"output\":\"%s\",\"type\":\"Normal\"}]"},
		{"gateway 502 after the work", dataworkstest.Behavior{Status: 502, Body: "<html>502 Bad Gateway</html>"}, 502, "", true, "[{\"output\":\"%s\",\"type\":\"Normal\"}]"},
		{"dependency dropped", dataworkstest.Behavior{DropDependency: true}, 200, "", true, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			wf := e.createWorkflow("CycleWorkflow", "wf", "wf")
			first := e.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("a", "a", "ODPS_SQL", ""))
			e.srv.Fault("CreateNode", 2, tt.b)
			req := e.request("", "CreateNode", map[string]string{"ProjectId": project, "Scene": "DATAWORKS_PROJECT", "ContainerId": wf,
				"Spec": nodeSpec("b", "b", "ODPS_SQL", "", first)})
			req.ReadTimeout = sleep / 4
			err := e.send(req, nil)
			code, status, message := serverError(err)
			if tt.status == 0 {
				var ue *url.Error
				if !errors.As(err, &ue) || !ue.Timeout() {
					t.Fatalf("want a client timeout, got %v", err)
				}
			} else if status != tt.status || code != tt.code {
				t.Fatalf("got %d %s %q, want %d %s", status, code, message, tt.status, tt.code)
			}
			if tt.b.Status != 0 && message != tt.b.Body {
				t.Errorf("gateway body %q", message)
			}
			waitFor(t, "the call to be answered", func() bool { return len(e.srv.Calls()) == 3 })
			call := e.srv.Calls()[2]
			nodes := e.srv.Nodes(wf)
			if created := len(nodes) == 2; created != tt.created {
				t.Fatalf("created %v, want %v (%+v)", created, tt.created, nodes)
			}
			if tt.created {
				if want := strings.ReplaceAll(tt.depends, "%s", first); nodes[1].Depends != want {
					t.Errorf("depends %s, want %s", nodes[1].Depends, want)
				}
				if call.NodeID != nodes[1].ID {
					t.Errorf("call NodeID %q, node %s", call.NodeID, nodes[1].ID)
				}
			} else if call.NodeID != "" {
				t.Errorf("call NodeID %q for a call that did nothing", call.NodeID)
			}
			if tt.b.Sleep != 0 && call.Took < tt.b.Sleep {
				t.Errorf("answered after %v", call.Took)
			}
			e.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("c", "c", "ODPS_SQL", ""))
			if e.srv.Count("CreateNode") != 3 {
				t.Errorf("Count = %d", e.srv.Count("CreateNode"))
			}
		})
	}
}

// TestFaultsOnUpdateNode: NotApplied changes nothing; DropDependency
// applies the fields but keeps the old depends list.
func TestFaultsOnUpdateNode(t *testing.T) {
	e := newEnv(t)
	_, ids := e.chain()
	c := ids[2]
	spec := `{"version":"2.0.0","kind":"Node","spec":{"nodes":[{"id":"` + c + `","description":"changed"}],"dependencies":[{"nodeId":"` + c + `","depends":[{"type":"Normal","output":"` + ids[0] + `"}]}]}}`
	before, _ := e.srv.Node(c)
	e.srv.Fault("UpdateNode", 1, dataworkstest.Behavior{NotApplied: true})
	e.srv.Fault("UpdateNode", 2, dataworkstest.Behavior{DropDependency: true})
	var answer struct{ Success bool }
	e.must("UpdateNode", map[string]string{"ProjectId": project, "Id": c, "Spec": spec}, &answer)
	if now, _ := e.srv.Node(c); answer.Success || now != before {
		t.Fatalf("NotApplied: success %v, node %+v", answer.Success, now)
	}
	e.must("UpdateNode", map[string]string{"ProjectId": project, "Id": c, "Spec": spec}, &answer)
	now, _ := e.srv.Node(c)
	if !answer.Success || now.Depends != before.Depends || !strings.Contains(now.Spec, `"description":"changed"`) {
		t.Fatalf("DropDependency: success %v, node %+v", answer.Success, now)
	}
	e.must("UpdateNode", map[string]string{"ProjectId": project, "Id": c, "Spec": spec}, &answer)
	if now, _ := e.srv.Node(c); now.Depends != `[{"output":"`+ids[0]+`","type":"Normal"}]` {
		t.Errorf("third update: %s", now.Depends)
	}
}

// TestFaultsOnReads: reads take faults too.
func TestFaultsOnReads(t *testing.T) {
	e := newEnv(t)
	wf, ids := e.chain()
	e.srv.Fault("GetWorkflowDefinition", 1, dataworkstest.Behavior{Throttle: true})
	e.srv.Fault("ListNodes", 2, dataworkstest.Behavior{Status: 504, Body: "Gateway Time-out"})
	e.srv.Fault("GetNode", 1, dataworkstest.Behavior{Sleep: 300 * time.Millisecond})
	wantError(t, e.call("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, nil), 400, "Throttling.User", "")
	e.must("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, nil)
	e.must("ListNodes", map[string]string{"ProjectId": project}, nil)
	if _, status, body := serverError(e.call("ListNodes", map[string]string{"ProjectId": project}, nil)); status != 504 || body != "Gateway Time-out" {
		t.Errorf("ListNodes #2: %d %q", status, body)
	}
	began := time.Now()
	e.must("GetNode", map[string]string{"ProjectId": project, "Id": ids[0]}, nil)
	if took := time.Since(began); took < 300*time.Millisecond {
		t.Errorf("GetNode answered after %v", took)
	}
}

// TestScriptAndFaults: the Script queue applies to the next calls of any
// action; a fault wins over it and leaves the queue alone; Count counts
// refused calls too.
func TestScriptAndFaults(t *testing.T) {
	e := newEnv(t)
	wf := e.createWorkflow("CycleWorkflow", "wf", "wf")
	e.srv.Script(dataworkstest.Behavior{Fail: true})
	e.srv.Fault("ListNodes", 1, dataworkstest.Behavior{Throttle: true})
	wantError(t, e.call("ListNodes", map[string]string{"ProjectId": project}, nil), 400, "Throttling.User", "")
	wantError(t, e.call("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, nil), 500, "InternalError", "")
	e.must("GetWorkflowDefinition", map[string]string{"ProjectId": project, "Id": wf}, nil)

	// A refused call uses up its number but not the queue.
	e.srv.Script(dataworkstest.Behavior{Throttle: true})
	e.srv.Fault("CreateNode", 2, dataworkstest.Behavior{Fail: true})
	wantError(t, e.call("CreateNode", map[string]string{"ProjectId": project, "Scene": "NOPE", "Spec": "{}"}, nil), 400, "InvalidParameter", "Scene")
	wantError(t, e.call("CreateNode", map[string]string{"ProjectId": project, "Scene": "DATAWORKS_PROJECT", "ContainerId": wf, "Spec": nodeSpec("", "n", "VIRTUAL", "")}, nil), 500, "InternalError", "")
	wantError(t, e.call("CreateNode", map[string]string{"ProjectId": project, "Scene": "DATAWORKS_PROJECT", "ContainerId": wf, "Spec": nodeSpec("", "n", "VIRTUAL", "")}, nil), 400, "Throttling.User", "")
	e.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("", "n", "VIRTUAL", ""))
	if n := e.srv.Count("CreateNode"); n != 4 || len(e.srv.Nodes(wf)) != 1 {
		t.Errorf("Count %d, nodes %d", n, len(e.srv.Nodes(wf)))
	}
	if e.srv.Count("NoSuchAction") != 0 || e.srv.Count("ListNodes") != 1 {
		t.Error("Count of other actions")
	}
}
