package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks"
	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/sqlite"
)

const (
	fakeKeyID  = "LTAI5tFLOWFORMTESTKEY"
	fakeSecret = "flowform-test-secret-DO-NOT-LEAK"
)

// submitEnv is the real application with the real SDK talking over
// loopback to the fake DataWorks endpoint.
type submitEnv struct {
	srv    *httptest.Server
	fake   *dataworkstest.Server
	dbPath string
	logs   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSubmitEnv(t *testing.T, secret string, cfg dataworks.Config) *submitEnv {
	t.Helper()
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "")
	}
	fake, err := dataworkstest.New(fakeKeyID, fakeSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Endpoint, cfg.Backoff = fake.URL, 10*time.Millisecond
	client := dataworks.NewWithCredentials(cfg, fakeKeyID, secret, "")
	dbPath := filepath.Join(t.TempDir(), "flowform.db")
	store, err := sqlite.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	now := func() time.Time { return testNow }
	svc := draft.NewService(store, "cn-shanghai", now).WithSubmitter(client)
	srv := httptest.NewServer(New(Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: now, Drafts: svc, Submitting: svc}))
	t.Cleanup(func() { srv.Close(); fake.Close(); store.Close() })
	return &submitEnv{srv: srv, fake: fake, dbPath: dbPath, logs: logs}
}

type submitResp struct {
	Submission struct {
		ID         int64
		State      string
		WorkflowID string
		RequestID  string
		Operation  string
		Error      *struct{ Code, Message string }
		Guidance   string
	}
	Error struct{ Code, Message string }
}

func (e *submitEnv) submit(t *testing.T, id, version, body string) (int, submitResp) {
	t.Helper()
	h := map[string]string{}
	if version != "" {
		h["If-Match"] = version
	}
	r := do(t, e.srv, "POST", "/api/v1/drafts/"+id+"/submit", "application/json", body, h)
	var out submitResp
	decodeJSON(t, r.body, &out)
	return r.status, out
}

var digits19 = regexp.MustCompile(`^\d{19}$`)

func TestSubmitCreateThenUpdate(t *testing.T) {
	env := newSubmitEnv(t, fakeSecret, dataworks.Config{})
	d := createDraft(t, env.srv, `{"projectId":"123456","template":"daily","name":"sales_daily"}`)
	if status, _ := env.submit(t, d.ID, "", ""); status != 428 {
		t.Fatalf("no If-Match: %d", status)
	}
	status, res := env.submit(t, d.ID, `"1"`, "")
	if status != 200 || res.Submission.State != "succeeded" || !digits19.MatchString(res.Submission.WorkflowID) || res.Submission.RequestID == "" {
		t.Fatalf("submit: %d %+v", status, res)
	}
	wf := res.Submission.WorkflowID
	if calls := env.fake.Calls(); len(calls) != 1 || calls[0].WorkflowID != wf {
		t.Fatalf("calls %+v", calls)
	}
	// The same version is not sent twice.
	if status, res := env.submit(t, d.ID, `"1"`, ""); status != 409 || res.Error.Code != "already_submitted" || len(env.fake.Calls()) != 1 {
		t.Fatalf("resubmit: %d %+v", status, res)
	}
	// After an edit, submitting updates the workflow it created.
	r := putDraft(t, env.srv, d.ID, 1, `{"projectId":"123456","spec":`+withDescription(t, d.Spec, "v2")+`}`)
	if r.status != 200 {
		t.Fatal(r.status)
	}
	status, res = env.submit(t, d.ID, `"2"`, "")
	calls := env.fake.Calls()
	if status != 200 || res.Submission.Operation != "update" || res.Submission.WorkflowID != wf || len(calls) != 2 ||
		calls[1].Action != "UpdateWorkflowDefinition" || calls[1].ID != wf || !strings.Contains(calls[1].Spec, `"id":"`+wf+`"`) {
		t.Fatalf("update: %d %+v %+v", status, res, calls)
	}
	// Asking explicitly for a new workflow creates a second one.
	status, res = env.submit(t, d.ID, `"2"`, `{"newWorkflow":true}`)
	if status != 200 || res.Submission.Operation != "create" || res.Submission.WorkflowID == wf {
		t.Fatalf("new workflow: %d %+v", status, res)
	}
	list := do(t, env.srv, "GET", "/api/v1/drafts/"+d.ID+"/submissions", "", "", nil)
	if strings.Count(string(list.body), `"state":"succeeded"`) != 3 {
		t.Errorf("submissions: %s", list.body)
	}
	// A view token cannot submit.
	view := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]
	if status, _ := env.submit(t, view, `"2"`, ""); status != 404 {
		t.Errorf("view token submit: %d", status)
	}
}

func TestSubmitRefusesWhatCannotBeSent(t *testing.T) {
	env := newSubmitEnv(t, fakeSecret, dataworks.Config{})
	noProject := createDraft(t, env.srv, `{"template":"daily"}`)
	invalid := createDraft(t, env.srv, `{"projectId":"1","spec":{"version":"1.1.0","kind":"CycleWorkflow","spec":{"type":"CycleWorkflow","workflows":[{"name":"x"}]}}}`)
	for _, id := range []string{noProject.ID, invalid.ID} {
		if status, res := env.submit(t, id, `"1"`, ""); status != 422 || res.Error.Code != "not_submittable" || !strings.Contains(res.Error.Message, "nothing was sent") {
			t.Errorf("%d %+v", status, res)
		}
	}
	if n := len(env.fake.Calls()); n != 0 {
		t.Fatalf("%d calls made", n)
	}
}

func TestSubmitFailuresAreMapped(t *testing.T) {
	env := newSubmitEnv(t, fakeSecret, dataworks.Config{})
	d := createDraft(t, env.srv, `{"projectId":"7","template":"hourly"}`)
	env.fake.Script(dataworkstest.Behavior{Fail: true})
	status, res := env.submit(t, d.ID, `"1"`, "")
	if status != 200 || res.Submission.State != "failed" || res.Submission.Error == nil || res.Submission.Error.Code != "InternalError" || len(env.fake.Calls()) != 1 {
		t.Fatalf("500: %d %+v", status, res)
	}
	env.fake.Script(dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true}, dataworkstest.Behavior{Throttle: true})
	status, res = env.submit(t, d.ID, `"1"`, "")
	if status != 200 || res.Submission.State != "failed" || res.Submission.Error.Code != "Throttling.User" || !strings.Contains(res.Submission.Guidance, "throttling") {
		t.Fatalf("throttled: %d %+v", status, res)
	}
}

// TestSubmitTimeoutIsUnknownAndNotRetried: a call past the read timeout is
// unknown (the fake did create the workflow); FlowForm does not send again
// until the analyst says they checked.
func TestSubmitTimeoutIsUnknownAndNotRetried(t *testing.T) {
	env := newSubmitEnv(t, fakeSecret, dataworks.Config{ReadTimeout: 250 * time.Millisecond})
	d := createDraft(t, env.srv, `{"projectId":"7","template":"daily"}`)
	env.fake.Script(dataworkstest.Behavior{Sleep: 800 * time.Millisecond})
	status, res := env.submit(t, d.ID, `"1"`, "")
	if status != 200 || res.Submission.State != "unknown" || !strings.Contains(res.Submission.Guidance, "may have been created") {
		t.Fatalf("%d %+v", status, res)
	}
	time.Sleep(700 * time.Millisecond)
	if calls := env.fake.Calls(); len(calls) != 1 || calls[0].WorkflowID == "" {
		t.Fatalf("calls %+v", calls)
	}
	if status, res := env.submit(t, d.ID, `"1"`, ""); status != 409 || res.Error.Code != "unknown_outcome" || len(env.fake.Calls()) != 1 {
		t.Fatalf("retry without confirmation: %d %+v", status, res)
	}
	if status, res := env.submit(t, d.ID, `"1"`, `{"afterUnknown":true}`); status != 200 || res.Submission.State != "succeeded" {
		t.Fatalf("confirmed retry: %d %+v", status, res)
	}
}

// TestConcurrentSubmitsMakeOneCall: 20 submits of one draft at once make
// exactly one API call.
func TestConcurrentSubmitsMakeOneCall(t *testing.T) {
	env := newSubmitEnv(t, fakeSecret, dataworks.Config{})
	d := createDraft(t, env.srv, `{"projectId":"7","template":"daily"}`)
	env.fake.Script(dataworkstest.Behavior{Sleep: 300 * time.Millisecond})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := env.submit(t, d.ID, `"1"`, "")
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if n := len(env.fake.Calls()); n != 1 || statuses[200] != 1 || statuses[409] != 19 {
		t.Fatalf("%d calls, statuses %v", n, statuses)
	}
}

// TestSecretsNeverLeak: the secret, the AccessKeyId and signatures appear
// in no database byte, log line or page, even after a signature failure.
func TestSecretsNeverLeak(t *testing.T) {
	env := newSubmitEnv(t, "wrong-secret", dataworks.Config{})
	d := createDraft(t, env.srv, `{"projectId":"7","template":"daily"}`)
	status, res := env.submit(t, d.ID, `"1"`, "")
	if status != 200 || res.Submission.State != "failed" || res.Submission.Error.Code != "SignatureDoesNotMatch" ||
		!strings.Contains(res.Submission.Guidance, "credentials") {
		t.Fatalf("%d %+v", status, res)
	}
	b := newClient(t, env.srv)
	pages := ""
	for _, p := range []string{"/d/" + d.ID + "/submit", "/d/" + d.ID + "/submissions/1"} {
		_, doc := b.do("GET", p, nil, nil)
		html, _ := doc.Html()
		pages += html
	}
	api := do(t, env.srv, "GET", "/api/v1/drafts/"+d.ID+"/submissions", "", "", nil)
	var files []byte
	for _, f := range []string{env.dbPath, env.dbPath + "-wal"} {
		data, _ := os.ReadFile(f)
		files = append(files, data...)
	}
	for name, text := range map[string]string{"database": string(files), "logs": env.logs.String(), "pages": pages, "api": string(api.body)} {
		for _, secret := range []string{fakeKeyID, "wrong-secret", fakeSecret, "Signature="} {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains %q", name, secret)
			}
		}
	}
	if !strings.Contains(pages, "SignatureDoesNotMatch") {
		t.Error("the result page does not show the error code")
	}
}

func TestRequestKitIsQuotedCorrectly(t *testing.T) {
	spec := `{"name":"it's a \"test\" $HOME ` + "`x`" + `"}`
	cli := cliCommand("CreateWorkflowDefinition", "cn-shanghai", "7", "", spec)
	i := strings.Index(cli, "--Spec ")
	out, err := runShell("printf %s " + cli[i+len("--Spec "):])
	if err != nil || out != spec {
		t.Fatalf("shell read the quoted spec as %q (%v)", out, err)
	}
	src := goSnippet("UpdateWorkflowDefinition", "cn-shanghai", "dataworks.cn-shanghai.aliyuncs.com", "7", "4634978808809541235", spec)
	if err := parseGo(src); err != nil {
		t.Fatalf("Go snippet does not parse: %v\n%s", err, src)
	}
	if !strings.Contains(src, `req.FormParams["Id"] = "4634978808809541235"`) {
		t.Error("update snippet lacks the Id")
	}
	m := regexp.MustCompile(`req.FormParams\["Spec"\] = (".*")`).FindStringSubmatch(src)
	if m == nil {
		t.Fatal("spec literal missing")
	}
	if back, err := strconv.Unquote(m[1]); err != nil || back != spec {
		t.Fatalf("Go literal holds %q (%v)", back, err)
	}
}

// BenchmarkSubmitOverhead measures FlowForm's own cost of a submission
// through the JSON API (HTTP, validation, bookkeeping in SQLite, the SDK's
// signing and the loopback call) excluding the time the endpoint spends
// handling it. Budget: ≤ 5 ms.
func BenchmarkSubmitOverhead(b *testing.B) {
	env := newSubmitEnvB(b)
	d := createDraft(b, env.srv, `{"projectId":"123456","template":"daily"}`)
	start := time.Now()
	for b.Loop() {
		r := do(b, env.srv, "POST", "/api/v1/drafts/"+d.ID+"/submit", "application/json", `{"newWorkflow":true}`, map[string]string{"If-Match": `"1"`})
		if r.status != 200 {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
	elapsed := time.Since(start)
	var endpoint time.Duration
	for _, c := range env.fake.Calls() {
		endpoint += c.Took
	}
	b.ReportMetric(float64((elapsed-endpoint).Microseconds())/1000/float64(b.N), "overhead-ms")
	b.ReportMetric(float64(endpoint.Microseconds())/1000/float64(b.N), "endpoint-ms")
}

func newSubmitEnvB(b *testing.B) *submitEnv {
	fake, err := dataworkstest.New(fakeKeyID, fakeSecret, "")
	if err != nil {
		b.Fatal(err)
	}
	client := dataworks.NewWithCredentials(dataworks.Config{Endpoint: fake.URL}, fakeKeyID, fakeSecret, "")
	store, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "flowform.db"))
	if err != nil {
		b.Fatal(err)
	}
	now := func() time.Time { return testNow }
	svc := draft.NewService(store, "cn-shanghai", now).WithSubmitter(client)
	srv := httptest.NewServer(New(Config{Logger: slog.New(slog.NewTextHandler(&syncBuffer{}, nil)), Now: now, Drafts: svc, Submitting: svc}))
	b.Cleanup(func() { srv.Close(); fake.Close(); store.Close() })
	return &submitEnv{srv: srv, fake: fake}
}
