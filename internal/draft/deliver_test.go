package draft_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks"
	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/sqlite"
)

// deliveryEnv is the draft service with the real SDK client talking to
// the fake DataWorks endpoint, on a real SQLite file.
type deliveryEnv struct {
	svc    *draft.Service
	fake   *dataworkstest.Server
	client *dataworks.Client
	store  *sqlite.Store
	path   string
}

func newDeliveryEnv(t *testing.T, cfg dataworks.Config) *deliveryEnv {
	t.Helper()
	fake, err := dataworkstest.New("LTAI5tDeliveryTest", "delivery-secret-0123456789", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	e := &deliveryEnv{fake: fake, path: filepath.Join(t.TempDir(), "f.db")}
	e.open(t, cfg)
	return e
}

// open (re)opens the database and builds the service, as a start does.
func (e *deliveryEnv) open(t *testing.T, cfg dataworks.Config) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	cfg.Endpoint = e.fake.URL
	if cfg.Backoff == 0 {
		cfg.Backoff = 5 * time.Millisecond
	}
	e.store, e.client = store, dataworks.NewWithCredentials(cfg, e.fake.AccessKeyID, e.fake.Secret, "")
	e.svc = draft.NewService(store, "cn-shanghai", nil).WithSubmitter(e.client)
}

// pipeline creates the draft ods_orders → dwd_orders → ads_sales_daily.
func (e *deliveryEnv) pipeline(t *testing.T) *draft.Draft {
	t.Helper()
	tpl, _ := flowspec.TemplateByID("daily-pipeline")
	d, err := e.svc.Create(context.Background(), draft.Input{ProjectID: "123456", Spec: tpl.New("pipe")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (e *deliveryEnv) submit(t *testing.T, d *draft.Draft, opts draft.SubmitOptions) draft.Submission {
	t.Helper()
	opts.ExpectedVersion = d.Version
	sub, err := e.svc.Submit(context.Background(), d.ID, opts, "ann")
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return sub
}

// edit saves a change to the draft's spec.
func (e *deliveryEnv) edit(t *testing.T, d *draft.Draft, change func(doc *flowspec.Document)) *draft.Draft {
	t.Helper()
	doc := d.Spec.Clone()
	change(doc)
	next, err := e.svc.Update(context.Background(), d.ID, d.Version, draft.Input{Spec: doc, KeepProjectID: true, KeepRegion: true}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return next
}

// writes counts the write calls per action at the fake.
func (e *deliveryEnv) writes() map[string]int {
	out := map[string]int{}
	for _, c := range e.fake.Calls() {
		switch c.Action {
		case "CreateWorkflowDefinition", "UpdateWorkflowDefinition", "CreateNode", "UpdateNode", "DeleteNode":
			out[c.Action]++
		}
	}
	return out
}

// actions lists the write calls in order, "CreateNode dwd_orders" style.
func (e *deliveryEnv) actions() []string {
	var out []string
	for _, c := range e.fake.Calls() {
		switch c.Action {
		case "CreateWorkflowDefinition", "UpdateWorkflowDefinition", "DeleteNode":
			out = append(out, c.Action)
		case "CreateNode", "UpdateNode":
			var doc struct {
				Spec struct{ Nodes []struct{ Name, ID string } }
			}
			json.Unmarshal([]byte(c.Spec), &doc)
			name := ""
			if len(doc.Spec.Nodes) > 0 {
				name = doc.Spec.Nodes[0].Name
			}
			out = append(out, strings.TrimSpace(c.Action+" "+name))
		}
	}
	return out
}

// nodesByName is the fake's nodes in a workflow, by name; a name seen
// twice fails the test (a duplicate).
func nodesByName(t *testing.T, fake *dataworkstest.Server, workflowID string) map[string]dataworkstest.NodeRecord {
	t.Helper()
	out := map[string]dataworkstest.NodeRecord{}
	for _, n := range fake.Nodes(workflowID) {
		if _, dup := out[n.Name]; dup {
			t.Errorf("DataWorks holds node %q twice", n.Name)
		}
		out[n.Name] = n
	}
	return out
}

// dependsOn reports whether node n's recorded dependencies name output.
func dependsOn(n dataworkstest.NodeRecord, output string) bool {
	var deps []struct{ Output string }
	json.Unmarshal([]byte(n.Depends), &deps)
	return slices.ContainsFunc(deps, func(d struct{ Output string }) bool { return d.Output == output })
}

func stepStates(sub draft.Submission) []string {
	var out []string
	for _, st := range sub.Steps {
		out = append(out, st.Action+":"+st.Name+":"+st.State)
	}
	return out
}

// TestDeliveryCreatesUpdatesAndDeletes: a 3-node draft delivers the
// workflow and its nodes in order, with the workflow as container and the
// edges by the ids DataWorks assigned; editing one node and adding one
// sends exactly those; a removed node is deleted only when asked.
func TestDeliveryCreatesUpdatesAndDeletes(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	d := e.pipeline(t)
	sub := e.submit(t, d, draft.SubmitOptions{})
	if sub.State != draft.Succeeded || sub.Operation != draft.OpCreate {
		t.Fatalf("first delivery: %s %s %v", sub.State, sub.Guidance.EN, stepStates(sub))
	}
	want := []string{"CreateWorkflowDefinition", "CreateNode ods_orders", "CreateNode dwd_orders", "CreateNode ads_sales_daily"}
	if got := e.actions(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	for _, c := range e.fake.Calls() {
		if c.Action == "CreateNode" && (c.ContainerID != sub.WorkflowID || c.Scene != "DATAWORKS_PROJECT") {
			t.Errorf("CreateNode with ContainerId %q Scene %q, want %q DATAWORKS_PROJECT", c.ContainerID, c.Scene, sub.WorkflowID)
		}
	}
	nodes := nodesByName(t, e.fake, sub.WorkflowID)
	if len(nodes) != 3 || !dependsOn(nodes["dwd_orders"], nodes["ods_orders"].ID) || !dependsOn(nodes["ads_sales_daily"], nodes["dwd_orders"].ID) {
		t.Fatalf("DataWorks holds %+v", nodes)
	}
	for _, st := range sub.Steps[1:] {
		if st.TargetID != nodes[st.Name].ID || st.State != draft.StepDone || st.RequestID == "" || len(st.Spec) == 0 {
			t.Errorf("step %+v not recorded with its Id, RequestId and Spec", st)
		}
	}

	// Edit dwd_orders' code and add a node after it.
	before := len(e.fake.Calls())
	d, _ = e.svc.Get(context.Background(), d.ID)
	d = e.edit(t, d, func(doc *flowspec.Document) {
		i, _ := doc.NodeIndex("dwd_orders")
		f := doc.Node(i)
		f.Values["node_code"] = "SELECT 1;\n"
		doc.ApplyNode(i, f)
		j := doc.AddNode("ODPS_SQL", "dws_customers")
		g := doc.Node(j)
		g.Upstreams = []flowspec.Upstream{{Output: doc.RefOutput(i), Type: "Normal"}}
		doc.ApplyNode(j, g)
	})
	sub2 := e.submit(t, d, draft.SubmitOptions{})
	if sub2.State != draft.Succeeded || sub2.Operation != draft.OpUpdate || sub2.WorkflowID != sub.WorkflowID {
		t.Fatalf("second delivery: %s %v", sub2.State, stepStates(sub2))
	}
	want = []string{"UpdateWorkflowDefinition", "UpdateNode", "CreateNode dws_customers"}
	if got := e.actions()[4:]; !slices.Equal(got, want) {
		t.Fatalf("edit B and add D sent %v, want %v", got, want)
	}
	update := e.fake.Calls()[before:]
	for _, c := range update {
		var sent struct {
			Spec struct{ Nodes []map[string]any }
		}
		json.Unmarshal([]byte(c.Spec), &sent)
		if c.Action == "UpdateNode" && (c.ID != nodes["dwd_orders"].ID || !strings.Contains(c.Spec, "SELECT 1;") || len(sent.Spec.Nodes) != 1 || len(sent.Spec.Nodes[0]) != 2) {
			t.Errorf("UpdateNode %s sends %s: want only dwd_orders' changed code", c.ID, c.Spec)
		}
	}
	nodes = nodesByName(t, e.fake, sub.WorkflowID)
	if !dependsOn(nodes["dws_customers"], nodes["dwd_orders"].ID) || !strings.Contains(nodes["dwd_orders"].Spec, "SELECT 1;") {
		t.Errorf("after the update DataWorks holds %+v", nodes)
	}

	// Remove ads_sales_daily: listed, left alone unless asked.
	d = e.edit(t, d, func(doc *flowspec.Document) {
		i, _ := doc.NodeIndex("ads_sales_daily")
		doc.RemoveNode(i)
	})
	_, plan, err := e.svc.Plan(context.Background(), d.ID, draft.SubmitOptions{})
	if err != nil || len(plan.Removed) != 1 || plan.Removed[0].Name != "ads_sales_daily" {
		t.Fatalf("plan lists removed %+v (%v)", plan.Removed, err)
	}
	sub3 := e.submit(t, d, draft.SubmitOptions{})
	if e.writes()["DeleteNode"] != 0 || len(nodesByName(t, e.fake, sub.WorkflowID)) != 4 {
		t.Fatalf("a removed node was deleted without being asked: %v", e.actions())
	}
	last := sub3.Steps[len(sub3.Steps)-1]
	if sub3.State != draft.Succeeded || last.Action != draft.DeleteNode || last.State != draft.StepSkipped {
		t.Fatalf("the removed node is not reported as left: %v", stepStates(sub3))
	}
	d = e.edit(t, d, func(doc *flowspec.Document) { describe(doc, "delete it now") })
	sub4 := e.submit(t, d, draft.SubmitOptions{DeleteRemoved: true})
	if sub4.State != draft.Succeeded || e.writes()["DeleteNode"] != 1 {
		t.Fatalf("ticked delete: %s %v", sub4.State, e.actions())
	}
	if _, ok := nodesByName(t, e.fake, sub.WorkflowID)["ads_sales_daily"]; ok {
		t.Error("the removed node is still in DataWorks")
	}
	_, plan, _ = e.svc.Plan(context.Background(), d.ID, draft.SubmitOptions{})
	if len(plan.Removed) != 0 {
		t.Errorf("a deleted node is still listed as removed: %+v", plan.Removed)
	}
}

// TestDeliveryFaults: each fault with the calls it costs per operation
// and the final state; never a duplicate.
func TestDeliveryFaults(t *testing.T) {
	slow := dataworks.Config{ReadTimeout: 400 * time.Millisecond}
	tests := []struct {
		name   string
		cfg    dataworks.Config
		fault  func(f *dataworkstest.Server)
		writes map[string]int
		lists  int // ListNodes calls
		state  string
		check  func(t *testing.T, sub draft.Submission)
	}{
		{name: "timeout on node 2 after it was created", cfg: slow,
			fault:  func(f *dataworkstest.Server) { f.Fault("CreateNode", 2, dataworkstest.Behavior{Sleep: time.Second}) },
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 3}, lists: 1, state: draft.Succeeded,
			check: func(t *testing.T, sub draft.Submission) {
				if st := sub.Steps[2]; st.State != draft.StepAdopted || !strings.Contains(st.Note.EN, "found it") {
					t.Errorf("node 2 not adopted: %+v", st)
				}
			}},
		{name: "502 on node 2 after it was created",
			fault: func(f *dataworkstest.Server) {
				f.Fault("CreateNode", 2, dataworkstest.Behavior{Status: 502, Body: "<html>502 Bad Gateway</html>"})
			},
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 3}, lists: 1, state: draft.Succeeded,
			check: func(t *testing.T, sub draft.Submission) {
				if st := sub.Steps[2]; st.State != draft.StepAdopted || st.ErrorCode != "HTTP502" {
					t.Errorf("node 2 not adopted after the 502: %+v", st)
				}
			}},
		{name: "InternalError on node 2 before anything was done",
			fault:  func(f *dataworkstest.Server) { f.Fault("CreateNode", 2, dataworkstest.Behavior{Fail: true}) },
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 4}, lists: 1, state: draft.Succeeded,
			check: func(t *testing.T, sub draft.Submission) {
				if st := sub.Steps[2]; st.State != draft.StepDone || st.Tries != 2 || !strings.Contains(st.Note.EN, "did not find it") {
					t.Errorf("node 2 not looked up, then sent again: %+v", st)
				}
			}},
		{name: "dependency dropped on node 3",
			fault:  func(f *dataworkstest.Server) { f.Fault("CreateNode", 3, dataworkstest.Behavior{DropDependency: true}) },
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 3, "UpdateNode": 1}, state: draft.Succeeded,
			check: func(t *testing.T, sub draft.Submission) {
				last := sub.Steps[len(sub.Steps)-1]
				if !last.Repair || last.Action != draft.UpdateNode || last.State != draft.StepDone || !strings.Contains(sub.Steps[3].Note.EN, "dropped 1") {
					t.Errorf("no repair step: %v", stepStates(sub))
				}
			}},
		{name: "throttling on node 3",
			fault: func(f *dataworkstest.Server) {
				f.Fault("CreateNode", 3, dataworkstest.Behavior{Throttle: true})
				f.Fault("CreateNode", 4, dataworkstest.Behavior{Throttle: true})
			},
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 5}, state: draft.Succeeded,
			check: func(t *testing.T, sub draft.Submission) {
				if st := sub.Steps[3]; st.Tries != 3 || st.State != draft.StepDone {
					t.Errorf("node 3 not retried after throttling: %+v", st)
				}
			}},
		{name: "node 2 refused",
			fault: func(f *dataworkstest.Server) {
				f.Fault("CreateNode", 2, dataworkstest.Behavior{Status: 400, Body: `{"Code":"InvalidParameter","Message":"bad"}`})
			},
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 2}, state: draft.Unknown,
		},
		{name: "timeout on node 2 and the lookup fails too", cfg: slow,
			fault: func(f *dataworkstest.Server) {
				f.Fault("CreateNode", 2, dataworkstest.Behavior{Sleep: time.Second})
				f.Fault("ListNodes", 1, dataworkstest.Behavior{Fail: true})
			},
			writes: map[string]int{"CreateWorkflowDefinition": 1, "CreateNode": 2}, lists: 1, state: draft.Unknown,
			check: func(t *testing.T, sub draft.Submission) {
				st := sub.Steps[2]
				if st.State != draft.StepUnknown || !strings.Contains(st.Note.EN, `looked for a node named "dwd_orders"`) ||
					!strings.Contains(sub.Guidance.EN, "Unknown — check DataWorks") || !sub.Resumable() {
					t.Errorf("unknown step does not say what FlowForm looked for: %+v / %s", st, sub.Guidance.EN)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newDeliveryEnv(t, tt.cfg)
			d := e.pipeline(t)
			tt.fault(e.fake)
			sub := e.submit(t, d, draft.SubmitOptions{})
			for e.fake.Pending() > 0 { // a call the client gave up on is still being answered
				time.Sleep(10 * time.Millisecond)
			}
			if sub.State != tt.state && !(tt.name == "node 2 refused" && sub.State == draft.Failed) {
				t.Fatalf("state %s, want %s: %v %s", sub.State, tt.state, stepStates(sub), sub.Guidance.EN)
			}
			if got := e.writes(); !mapsEqual(got, tt.writes) {
				t.Errorf("writes %v, want %v", got, tt.writes)
			}
			if got := e.fake.Count("ListNodes"); tt.lists > 0 && got < tt.lists {
				t.Errorf("ListNodes %d, want ≥ %d", got, tt.lists)
			}
			if sub.State == draft.Succeeded {
				nodes := nodesByName(t, e.fake, sub.WorkflowID)
				if len(nodes) != 3 || !dependsOn(nodes["ads_sales_daily"], nodes["dwd_orders"].ID) || !dependsOn(nodes["dwd_orders"], nodes["ods_orders"].ID) {
					t.Errorf("DataWorks holds %v", nodes)
				}
			}
			if tt.check != nil {
				tt.check(t, sub)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestStoppedDeliveryIsSettledThenResumed: a delivery stopped after node 1
// (FlowForm abandoned its call to node 2, which DataWorks carried out) is
// settled by looking when FlowForm starts again and resumed to the end,
// with no duplicate and no step sent twice.
func TestStoppedDeliveryIsSettledThenResumed(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	d := e.pipeline(t)
	e.fake.Fault("CreateNode", 2, dataworkstest.Behavior{Sleep: 800 * time.Millisecond})
	go func() {
		for e.fake.Count("CreateNode") < 2 || e.fake.Pending() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		e.client.Abandon() // shutdown while node 2 is in flight
	}()
	sub := e.submit(t, d, draft.SubmitOptions{})
	if sub.State != draft.Pending || sub.Steps[2].State != draft.StepSending {
		t.Fatalf("stopped delivery: %s %v", sub.State, stepStates(sub))
	}
	e.svc.Drain()
	time.Sleep(900 * time.Millisecond) // DataWorks finishes node 2

	e.open(t, dataworks.Config{}) // the next start
	if n, err := e.svc.Recover(context.Background()); err != nil || n != 1 {
		t.Fatalf("recover: %d %v", n, err)
	}
	settled, err := e.svc.Submission(context.Background(), d.ID, sub.ID)
	if err != nil || settled.State != draft.Partial || settled.Steps[2].State != draft.StepAdopted || !settled.Resumable() {
		t.Fatalf("after restart: %s %v (%v)", settled.State, stepStates(settled), err)
	}
	if _, err := e.svc.Submit(context.Background(), d.ID, draft.SubmitOptions{ExpectedVersion: d.Version}, "ann"); !isCode(err, draft.Unsure) {
		t.Errorf("a new submit over a partial delivery: %v", err)
	}
	done, err := e.svc.Resume(context.Background(), d.ID, sub.ID)
	if err != nil || done.State != draft.Succeeded {
		t.Fatalf("resume: %s %v (%v)", done.State, stepStates(done), err)
	}
	if got := e.writes(); got["CreateNode"] != 3 || got["CreateWorkflowDefinition"] != 1 {
		t.Errorf("writes %v: a step was sent twice", got)
	}
	nodes := nodesByName(t, e.fake, done.WorkflowID)
	if len(nodes) != 3 || !dependsOn(nodes["ads_sales_daily"], nodes["dwd_orders"].ID) {
		t.Errorf("DataWorks holds %v", nodes)
	}
	if _, err := e.svc.Resume(context.Background(), d.ID, sub.ID); !isCode(err, draft.NotResumable) {
		t.Errorf("resuming a finished delivery: %v", err)
	}
}

func isCode(err error, code draft.Code) bool {
	var de *draft.Error
	return errors.As(err, &de) && de.Code == code
}

// TestConcurrentSubmitsMakeOnePlan: 20 submits of one draft at once run
// one delivery; the others are refused as in flight.
func TestConcurrentSubmitsMakeOnePlan(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	d := e.pipeline(t)
	e.fake.Fault("CreateWorkflowDefinition", 1, dataworkstest.Behavior{Sleep: 200 * time.Millisecond})
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := map[string]int{}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub, err := e.svc.Submit(context.Background(), d.ID, draft.SubmitOptions{ExpectedVersion: d.Version}, "ann")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				results[sub.State]++
			case isCode(err, draft.InFlight):
				results["in flight"]++
			default:
				results[err.Error()]++
			}
		}()
	}
	wg.Wait()
	if results[draft.Succeeded] != 1 || results["in flight"] != 19 {
		t.Fatalf("20 concurrent submits: %v", results)
	}
	if got := e.writes(); got["CreateWorkflowDefinition"] != 1 || got["CreateNode"] != 3 {
		t.Errorf("writes %v", got)
	}
}

func describe(doc *flowspec.Document, text string) {
	f := doc.Form()
	f.Description = text
	doc.Apply(f)
}

// TestKindChangeOfADeliveredNodeIsRefused: DataWorks cannot change a
// node's kind, so a plan that would try is refused before any call.
func TestKindChangeOfADeliveredNodeIsRefused(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	d := e.pipeline(t)
	e.submit(t, d, draft.SubmitOptions{})
	d, _ = e.svc.Get(context.Background(), d.ID)
	d = e.edit(t, d, func(doc *flowspec.Document) {
		i, _ := doc.NodeIndex("dwd_orders")
		f := doc.Node(i)
		f.Values["node_command"] = "DIDE_SHELL"
		doc.ApplyNode(i, f)
	})
	before := len(e.actions())
	_, err := e.svc.Submit(context.Background(), d.ID, draft.SubmitOptions{ExpectedVersion: d.Version}, "ann")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.NotReady || !strings.Contains(de.Message.EN, "dwd_orders is ODPS_SQL in DataWorks") {
		t.Fatalf("kind change: %v", err)
	}
	if n := len(e.actions()); n != before {
		t.Errorf("a refused plan wrote %d calls", n-before)
	}
}

// TestLeasesKeepLiveDeliveries: another instance on the same database
// never takes over a delivery whose instance renews its lease; once the
// lease runs out (the instance died) it settles it.
func TestLeasesKeepLiveDeliveries(t *testing.T) {
	e := newDeliveryEnv(t, dataworks.Config{})
	d := e.pipeline(t)
	if err := e.svc.Renew(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.fake.Fault("CreateNode", 1, dataworkstest.Behavior{Sleep: 600 * time.Millisecond})
	done := make(chan draft.Submission, 1)
	go func() { done <- e.submit(t, d, draft.SubmitOptions{}) }()
	for e.fake.Count("CreateNode") < 1 {
		time.Sleep(5 * time.Millisecond)
	}
	other := draft.NewService(e.store, "cn-shanghai", nil).WithSubmitter(e.client)
	if n, err := other.Recover(context.Background()); err != nil || n != 0 {
		t.Fatalf("a live instance's delivery was taken over: %d %v", n, err)
	}
	if sub := <-done; sub.State != draft.Succeeded {
		t.Fatalf("the delivery: %s %v", sub.State, stepStates(sub))
	}

	// A delivery left pending by an instance whose lease ran out.
	d, _ = e.svc.Get(context.Background(), d.ID)
	d = e.edit(t, d, func(doc *flowspec.Document) { describe(doc, "again") })
	e.fake.Fault("UpdateWorkflowDefinition", 1, dataworkstest.Behavior{Sleep: 400 * time.Millisecond})
	go func() {
		for e.fake.Count("UpdateWorkflowDefinition") < 1 || e.fake.Pending() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		e.client.Abandon() // the instance stops mid-call and renews no more
	}()
	if sub := e.submit(t, d, draft.SubmitOptions{}); sub.State != draft.Pending {
		t.Fatalf("stopped: %s", sub.State)
	}
	e.svc.Drain()
	later := func() time.Time { return time.Now().Add(draft.LeaseTime + time.Second) }
	fresh := dataworks.NewWithCredentials(dataworks.Config{Endpoint: e.fake.URL}, e.fake.AccessKeyID, e.fake.Secret, "")
	heir := draft.NewService(e.store, "cn-shanghai", later).WithSubmitter(fresh)
	if n, err := heir.Recover(context.Background()); err != nil || n != 1 {
		t.Fatalf("the orphaned delivery was not settled: %d %v", n, err)
	}
	if n, _ := heir.Recover(context.Background()); n != 0 {
		t.Errorf("a settled delivery was claimed again: %d", n)
	}
}
