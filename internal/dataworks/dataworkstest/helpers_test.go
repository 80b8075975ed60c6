package dataworkstest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/auth/credentials"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// Every test talks to the fake through the real SDK, so signatures are
// computed by Alibaba's code and verified by the fake.

const (
	keyID   = "LTAI5tFAKETESTKEY01"
	secret  = "fake-test-secret-value"
	project = "123456"
)

var digits19 = regexp.MustCompile(`^[1-9][0-9]{18}$`)

type env struct {
	t      *testing.T
	srv    *dataworkstest.Server
	client *sdk.Client
	host   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv, err := dataworkstest.New(keyID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return envOn(t, srv)
}

// envOn is an SDK client for srv.
func envOn(t *testing.T, srv *dataworkstest.Server) *env {
	t.Helper()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "") // the SDK applies proxies even to loopback
	}
	client, err := sdk.NewClientWithOptions("cn-shanghai", sdk.NewConfig(), credentials.NewStaticAKCredentialsProvider(keyID, secret))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	client.SetNoProxy(regexp.QuoteMeta(u.Host))
	return &env{t: t, srv: srv, client: client, host: u.Host}
}

// writes are the operations the official clients send as POST with a
// form body; the rest are GET with a query string.
var writes = map[string]bool{"CreateWorkflowDefinition": true, "UpdateWorkflowDefinition": true,
	"CreateNode": true, "UpdateNode": true, "DeleteNode": true, "DeleteWorkflowDefinition": true}

// request builds a CommonRequest for action; method "" means the one the
// official clients use.
func (e *env) request(method, action string, params map[string]string) *requests.CommonRequest {
	req := requests.NewCommonRequest()
	req.Scheme, req.Domain, req.Product, req.Version, req.ApiName = "http", e.host, "dataworks-public", "2024-05-18", action
	req.Method = method
	if method == "" {
		req.Method = requests.GET
		if writes[action] {
			req.Method = requests.POST
		}
	}
	for k, v := range params {
		if req.Method == requests.POST {
			req.FormParams[k] = v
		} else {
			req.QueryParams[k] = v
		}
	}
	return req
}

// call sends action as the official clients do and decodes the answer
// into out (when not nil); it returns the SDK's error.
func (e *env) call(action string, params map[string]string, out any) error {
	e.t.Helper()
	return e.send(e.request("", action, params), out)
}

func (e *env) send(req *requests.CommonRequest, out any) error {
	e.t.Helper()
	resp, err := e.client.ProcessCommonRequest(req)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(resp.GetHttpContentBytes(), out); err != nil {
			e.t.Fatalf("%s answer %s: %v", req.ApiName, resp.GetHttpContentString(), err)
		}
	}
	return nil
}

// must is call that fails the test on error.
func (e *env) must(action string, params map[string]string, out any) {
	e.t.Helper()
	if err := e.call(action, params, out); err != nil {
		e.t.Fatalf("%s %v: %v", action, params, err)
	}
}

// serverError is the code, HTTP status and message of a server error.
func serverError(err error) (code string, status int, message string) {
	var se *sdkerrors.ServerError
	if errors.As(err, &se) {
		return se.ErrorCode(), se.HttpStatus(), se.Message()
	}
	if err != nil {
		return "client:" + err.Error(), 0, ""
	}
	return "", 200, ""
}

// wantError fails unless err is a server error with that status and code
// whose message contains text.
func wantError(t *testing.T, err error, status int, code, text string) {
	t.Helper()
	c, s, m := serverError(err)
	if c != code || s != status || !strings.Contains(m, text) {
		t.Fatalf("got %d %s %q, want %d %s containing %q", s, c, m, status, code, text)
	}
}

// workflowSpec is a minimal valid workflow document.
func workflowSpec(kind, name, path string) string {
	trigger := `{"type":"Scheduler","cron":"00 00 02 * * ?","startTime":"1970-01-01 00:00:00","endTime":"9999-01-01 00:00:00","timezone":"Asia/Shanghai"}`
	if kind == "ManualWorkflow" {
		trigger = `{"type":"Manual"}`
	}
	return fmt.Sprintf(`{"version":"1.1.0","kind":%q,"spec":{"name":%q,"type":%q,"workflows":[{"name":%q,"script":{"path":%q,"runtime":{"command":"WORKFLOW"}},"trigger":%s,"strategy":{"rerunMode":"Allowed","instanceMode":"T+1"}}]}}`,
		kind, name, kind, name, path, trigger)
}

func (e *env) createWorkflow(kind, name, path string) string {
	e.t.Helper()
	var out struct{ Id string }
	e.must("CreateWorkflowDefinition", map[string]string{"ProjectId": project, "Spec": workflowSpec(kind, name, path)}, &out)
	return out.Id
}

// nodeSpec is a kind "Node" document with one node and, when depends is
// not empty, its dependency entry (dependencies, FlowSpec 2.0.0).
func nodeSpec(id, name, command, content string, depends ...string) string {
	node := map[string]any{"name": name, "script": map[string]any{"path": "ignored/" + name, "content": content,
		"runtime": map[string]any{"command": command}}, "rerunTimes": 3, "recurrence": "Normal", "rerunMode": "Allowed",
		"outputs": map[string]any{"nodeOutputs": []any{map[string]any{"data": "proj." + name, "artifactType": "NodeOutput", "refTableName": name, "isDefault": false}}}}
	if id != "" {
		node["id"] = id
	}
	spec := map[string]any{"nodes": []any{node}}
	if len(depends) > 0 {
		items := []any{}
		for _, d := range depends {
			items = append(items, map[string]any{"type": "Normal", "output": d})
		}
		spec["dependencies"] = []any{map[string]any{"nodeId": id, "depends": items}}
	}
	b, _ := json.Marshal(map[string]any{"version": "2.0.0", "kind": "Node", "spec": spec})
	return string(b)
}

func (e *env) createNode(containerID, scene, spec string) string {
	e.t.Helper()
	var out struct{ Id string }
	e.must("CreateNode", map[string]string{"ProjectId": project, "Scene": scene, "ContainerId": containerID, "Spec": spec}, &out)
	if !digits19.MatchString(out.Id) {
		e.t.Fatalf("CreateNode answered Id %q", out.Id)
	}
	return out.Id
}

// chain creates a daily workflow with nodes A → B → C (each depending on
// the previous one's returned id) and returns the workflow and node ids.
func (e *env) chain() (wf string, ids []string) {
	e.t.Helper()
	wf = e.createWorkflow("CycleWorkflow", "sales", "team/sales")
	var up []string
	for _, name := range []string{"A", "B", "C"} {
		id := e.createNode(wf, "DATAWORKS_PROJECT", nodeSpec("local_"+name, name, "ODPS_SQL", "select '"+name+"';", up...))
		ids = append(ids, id)
		up = []string{id}
	}
	return wf, ids
}

// decode parses JSON text into generic values (numbers kept exact).
func decode(t *testing.T, text string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v in %s", err, text)
	}
	return m
}

// waitFor polls until ok, for work that finishes after the client gave up.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// Answers as SDK v8 models type them: Ids strings, ProjectId and times
// numbers, ListNodes' TotalCount a string, ListWorkflowDefinitions' a
// number. Decoding into these fails on the wrong JSON type.

type nodeAnswer struct {
	Node struct {
		Id, Name, Owner, Spec  string
		ProjectId              int64
		CreateTime, ModifyTime int64
		TaskId                 int64
	}
}

type listedNode struct {
	Id, Name, Description, Owner, Recurrence string
	ProjectId, CreateTime, ModifyTime        int64
	TaskId                                   int64
	Script                                   struct {
		Id, Path string
		Runtime  struct{ Command string }
	}
	Strategy struct {
		InstanceMode, RerunMode            string
		RerunTimes, RerunInterval, Timeout int32
	}
	Outputs struct {
		NodeOutputs []struct{ Data, RefTableName string }
	}
}

type nodeListing struct {
	PagingInfo struct {
		PageNumber, PageSize int32
		TotalCount           string
		Nodes                []listedNode
	}
}

type workflowListing struct {
	PagingInfo struct {
		PageNumber, PageSize, TotalCount int32
		WorkflowDefinitions              []struct {
			Id, Name, Owner, Description, Type string
			ProjectId, CreateTime, ModifyTime  int64
			Script                             struct {
				Id, Path string
				Runtime  struct{ Command string }
			}
		}
	}
}

type definitionAnswer struct {
	WorkflowDefinition struct {
		Id, Name, Owner, Spec  string
		ProjectId              int64
		CreateTime, ModifyTime int64
		WorkflowId             int64
	}
}
