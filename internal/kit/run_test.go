package kit

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// These tests run both kits for real against the fake DataWorks: the Go
// program as generated, and the script with a stand-in for the official
// aliyun CLI (testdata/aliyun; the official CLI is not installable here),
// which makes each call with the same SDK.

const (
	keyID  = "LTAI5tKitTestKey"
	secret = "kit-test-secret"
)

// code is node B's code: SQL as analysts write it, with what a shell or a
// Go literal could get wrong.
const code = "-- it's \"paid\" only: $HOME `date` $(id) \\n \\\\ 销售\nSELECT '${bizdate}' AS ds, amount FROM ods_orders WHERE status = 'PAID';\n"

// pipeline is the plan FlowForm makes for a new A → B → C workflow (the
// daily ODS → DWD → ADS template, B's code changed), through
// draft.SubmitPlan.Kit as the web layer calls it.
func pipeline(t *testing.T) []draft.KitCall {
	tpl, ok := flowspec.TemplateByID("daily-pipeline")
	if !ok {
		t.Fatal("no daily-pipeline template")
	}
	doc := tpl.New("sales_daily")
	f := doc.Node(1)
	f.Values["node_code"] = code
	doc.ApplyNode(1, f)
	p := draft.SubmitPlan{Operation: draft.OpCreate, Steps: draft.Steps(doc, draft.Delivery{}, "123456")}
	calls := p.Kit(doc, draft.Delivery{}, false)
	if len(calls) != 4 || !strings.Contains(calls[2].Spec, draft.Placeholder("NODE_2")) || !strings.Contains(calls[3].Spec, draft.Placeholder("NODE_3")) {
		t.Fatalf("the plan is not A → B → C with placeholders: %+v", calls)
	}
	return calls
}

var (
	binDir string // built programs, removed by TestMain

	buildMu sync.Mutex
	built   = map[string]string{} // the binary built from each source
)

// build builds a program's source once per test run, with the module's
// go.mod and module cache: from a temporary folder under testdata (inside
// the module, removed once built), or from dir when src is "".
func build(t *testing.T, dir, src string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	key := dir + "\x00" + src
	if bin, ok := built[key]; ok {
		return bin
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	if binDir == "" {
		if binDir, err = os.MkdirTemp("", "kit-bin-"); err != nil {
			t.Fatal(err)
		}
	}
	if src != "" {
		if dir, err = os.MkdirTemp("testdata", "tmp-"); err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(binDir, "program-"+strconv.Itoa(len(built)))
	if out, err := exec.Command(goTool, "build", "-o", bin, "./"+filepath.ToSlash(dir)).CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	built[key] = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// env is the environment a kit runs in: the fake's credentials in the
// SDK's default chain, and nothing of this machine's that could send the
// calls elsewhere (proxies, profiles, instance metadata, SDK debug output).
func env(t *testing.T, endpoint string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ALIBABA_CLOUD_") || strings.Contains(strings.ToLower(k), "proxy") || k == "DEBUG" || k == "HOME" || k == EndpointVar {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME="+t.TempDir(), EndpointVar+"="+endpoint, "ALIBABA_CLOUD_ACCESS_KEY_ID="+keyID,
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET="+secret, "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
}

type run struct {
	stdout, stderr string
	err            error
}

// A kit runs a plan against an endpoint.
type kit struct {
	name string
	run  func(t *testing.T, calls []draft.KitCall, endpoint string) run
}

var kits = []kit{{"go", runGo}, {"cli", runCLI}}

// runGo runs the Go program generated for calls.
func runGo(t *testing.T, calls []draft.KitCall, endpoint string) run {
	program := build(t, "", Go("cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com", "7", calls))
	return runCmd(exec.Command(program), env(t, endpoint))
}

// runCLI runs the script generated for calls with the stand-in aliyun
// first on PATH.
func runCLI(t *testing.T, calls []draft.KitCall, endpoint string) run {
	aliyun := build(t, "testdata/aliyun", "")
	dir := t.TempDir()
	if err := os.Symlink(aliyun, filepath.Join(dir, "aliyun")); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "kit.sh")
	if err := os.WriteFile(script, []byte(CLI("cn-shanghai", "7", calls)), 0o644); err != nil {
		t.Fatal(err)
	}
	e := append(env(t, endpoint), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH")) // the last PATH wins
	return runCmd(exec.Command("sh", script), e)
}

func runCmd(cmd *exec.Cmd, env []string) run {
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return run{stdout.String(), stderr.String(), err}
}

func newFake(t *testing.T) *dataworkstest.Server {
	fake, err := dataworkstest.New(keyID, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return fake
}

// checkDelivered: the fake received exactly the plan — one workflow, then
// A, B, C created in it in order, each with the workflow's Id as
// ContainerId, B depending on A's Id and C on B's, every placeholder
// replaced and B's code intact — and the run printed each RequestId and Id.
func checkDelivered(t *testing.T, fake *dataworkstest.Server, r run) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, r.stderr)
	}
	calls := fake.Calls()
	var actions []string
	for _, c := range calls {
		actions = append(actions, c.Action)
		if c.Code != "" || c.Method != http.MethodPost || c.ProjectID != 7 {
			t.Errorf("%s: %s %s project %d", c.Action, c.Method, c.Code, c.ProjectID)
		}
		for k, v := range c.Params {
			if strings.Contains(v, "@@flowform:") {
				t.Errorf("%s sent a placeholder in %s: %s", c.Action, k, v)
			}
		}
	}
	if want := []string{"CreateWorkflowDefinition", "CreateNode", "CreateNode", "CreateNode"}; !slices.Equal(actions, want) {
		t.Fatalf("calls %v, want %v", actions, want)
	}
	if fake.Count("CreateWorkflowDefinition") != 1 || fake.Count("CreateNode") != 3 {
		t.Errorf("counted %d workflows, %d nodes", fake.Count("CreateWorkflowDefinition"), fake.Count("CreateNode"))
	}
	wf := calls[0].WorkflowID
	nodes := fake.Nodes(wf)
	if len(nodes) != 3 {
		t.Fatalf("workflow %s holds %d nodes", wf, len(nodes))
	}
	for i, c := range calls[1:] {
		if c.ContainerID != wf || c.Scene != "DATAWORKS_PROJECT" || c.NodeID != nodes[i].ID {
			t.Errorf("CreateNode %d: ContainerId %q Scene %q created %q, want in %s", i+1, c.ContainerID, c.Scene, c.NodeID, wf)
		}
	}
	for i, name := range []string{"ods_orders", "dwd_orders", "ads_sales_daily"} {
		if nodes[i].Name != name {
			t.Errorf("node %d is %q, want %q", i+1, nodes[i].Name, name)
		}
	}
	outputs := func(n dataworkstest.NodeRecord) []string {
		var deps []struct{ Output string }
		if err := json.Unmarshal([]byte(n.Depends), &deps); err != nil {
			t.Fatalf("%s depends %s: %v", n.Name, n.Depends, err)
		}
		var out []string
		for _, d := range deps {
			out = append(out, d.Output)
		}
		return out
	}
	if got := outputs(nodes[1]); !slices.Equal(got, []string{nodes[0].ID}) {
		t.Errorf("B depends on %q, want A's Id %s", got, nodes[0].ID)
	}
	if got := outputs(nodes[2]); !slices.Equal(got, []string{nodes[1].ID}) {
		t.Errorf("C depends on %q, want B's Id %s", got, nodes[1].ID)
	}
	var b struct{ Script struct{ Content string } }
	if err := json.Unmarshal([]byte(nodes[1].Spec), &b); err != nil || b.Script.Content != code {
		t.Errorf("B's code arrived as %q (%v)", b.Script.Content, err)
	}
	for _, id := range []string{wf, nodes[0].ID, nodes[1].ID, nodes[2].ID} {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("the output does not show Id %s:\n%s", id, r.stdout)
		}
	}
	if strings.Count(r.stdout, "RequestId") != 4 || !strings.Contains(r.stdout, "-FAKE") {
		t.Errorf("the output does not show the 4 RequestIds:\n%s", r.stdout)
	}
}

// checkStopped: after CreateNode B failed, the run exits non-zero naming
// the call, and C is never sent.
func checkStopped(t *testing.T, fake *dataworkstest.Server, r run) {
	t.Helper()
	if r.err == nil || !strings.Contains(r.stderr, "3/4 CreateNode dwd_orders") || !strings.Contains(r.stderr, "InternalError") {
		t.Errorf("the run went on or did not say why: %v\nstderr:\n%s", r.err, r.stderr)
	}
	if n := fake.Count("CreateNode"); n != 2 || len(fake.Nodes("")) != 1 {
		t.Errorf("%d CreateNode calls and %d nodes after B failed, want 2 and 1", n, len(fake.Nodes("")))
	}
}

// update is the plan FlowForm makes for the next version of the
// delivered pipeline: B's code changed, C removed and deleted.
func update(t *testing.T, fake *dataworkstest.Server, wf string) []draft.KitCall {
	tpl, _ := flowspec.TemplateByID("daily-pipeline")
	doc := tpl.New("sales_daily")
	dl := draft.Delivery{ProjectID: "7", Region: "cn-shanghai", WorkflowID: wf}
	creates := fake.Calls()[1:]
	for i, n := range fake.Nodes(wf) {
		// Sent: the spec FlowForm sent, which an update is the difference to.
		dl.Nodes = append(dl.Nodes, draft.DeliveredNode{Local: doc.NodeID(i), ID: n.ID, Name: n.Name, Sent: []byte(creates[i].Spec)})
	}
	f := doc.Node(1)
	f.Values["node_code"] = code + "-- v2\n"
	doc.ApplyNode(1, f)
	doc.RemoveNode(2)
	p := draft.SubmitPlan{Operation: draft.OpUpdate, WorkflowID: wf, Steps: draft.Steps(doc, dl, "7")}
	for i := range p.Steps {
		if p.Steps[i].Action == draft.DeleteNode {
			p.Steps[i].State = draft.StepPlanned // the analyst ticked "delete"
		}
	}
	return p.Kit(doc, dl, false)
}

// TestKitsDeliverToTheFake runs each kit for real: the pipeline is
// created; the update stops where DataWorks answers Success=false and,
// run again, updates B and deletes C; a plan whose B fails stops there.
func TestKitsDeliverToTheFake(t *testing.T) {
	calls := pipeline(t)
	for _, k := range kits {
		t.Run(k.name, func(t *testing.T) {
			fake := newFake(t)
			checkDelivered(t, fake, k.run(t, calls, fake.URL))
			wf := fake.Calls()[0].WorkflowID
			nodes := fake.Nodes(wf)

			next := update(t, fake, wf)
			fake.Fault("UpdateNode", 1, dataworkstest.Behavior{NotApplied: true})
			r := k.run(t, next, fake.URL)
			if r.err == nil || !strings.Contains(r.stderr, "2/3 UpdateNode dwd_orders") || !strings.Contains(r.stderr, "Success=false") ||
				fake.Count("DeleteNode") != 0 {
				t.Errorf("an update not applied did not stop the run: %v, %d deletes\n%s", r.err, fake.Count("DeleteNode"), r.stderr)
			}
			if r = k.run(t, next, fake.URL); r.err != nil {
				t.Fatalf("%v\n%s", r.err, r.stderr)
			}
			var updated, deleted []string // the first UpdateNode was not applied
			for _, c := range fake.Calls() {
				switch c.Action {
				case "UpdateWorkflowDefinition":
					if c.ID != wf {
						t.Errorf("UpdateWorkflowDefinition of %s, want %s", c.ID, wf)
					}
				case "UpdateNode":
					updated = append(updated, c.ID)
				case "DeleteNode":
					deleted = append(deleted, c.ID)
				}
			}
			if fake.Count("UpdateWorkflowDefinition") != 2 || !slices.Equal(updated, []string{nodes[1].ID, nodes[1].ID}) || !slices.Equal(deleted, []string{nodes[2].ID}) {
				t.Errorf("%d workflow updates, node updates %q, deletes %q; want 2, B's Id %s twice, C's %s",
					fake.Count("UpdateWorkflowDefinition"), updated, deleted, nodes[1].ID, nodes[2].ID)
			}
			left := fake.Nodes(wf)
			var b struct{ Script struct{ Content string } }
			if len(left) != 2 || json.Unmarshal([]byte(left[1].Spec), &b) != nil || b.Script.Content != code+"-- v2\n" {
				t.Errorf("after the update the workflow holds %+v", left)
			}

			fake = newFake(t)
			fake.Fault("CreateNode", 2, dataworkstest.Behavior{Fail: true})
			checkStopped(t, fake, k.run(t, calls, fake.URL))
		})
	}
}

// TestKitsReadTheAnswer: an Id sent as a JSON number (as SDKs before
// 8.0.0 typed it) is read digit for digit by both kits — through a
// float64 4634978808809541235 would become …541632 — and an answer
// without the Id a later call needs stops the run there.
func TestKitsReadTheAnswer(t *testing.T) {
	calls := pipeline(t)
	const id = "4634978808809541235"
	for _, k := range kits {
		for _, tt := range []struct{ name, answer string }{{"number", `{"RequestId":"NUM","Id":` + id + `}`}, {"none", `{"RequestId":"NONE"}`}} {
			answer := tt.answer
			t.Run(k.name+"/"+tt.name, func(t *testing.T) {
				var mu sync.Mutex
				var containers []string
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					form, _ := url.ParseQuery(string(body))
					mu.Lock()
					containers = append(containers, form.Get("ContainerId"))
					mu.Unlock()
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, answer)
				}))
				defer srv.Close()
				r := k.run(t, calls, srv.URL)
				mu.Lock()
				defer mu.Unlock()
				if tt.name == "none" {
					if r.err == nil || len(containers) != 1 || !strings.Contains(r.stderr, "1/4 CreateWorkflowDefinition sales_daily") ||
						!strings.Contains(r.stderr, "without an Id") {
						t.Errorf("an answer without an Id: %v after %d calls\n%s", r.err, len(containers), r.stderr)
					}
					return
				}
				if r.err != nil {
					t.Fatalf("%v\n%s", r.err, r.stderr)
				}
				if want := []string{"", id, id, id}; !slices.Equal(containers, want) {
					t.Errorf("ContainerIds %q, want %q", containers, want)
				}
			})
		}
	}
}
