package app

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/flowspec"
)

var digits19 = regexp.MustCompile(`^\d{19}$`)

// page is a browser-like client: cookies kept, no redirects followed.
type page struct {
	t   *testing.T
	app *running
	c   *http.Client
}

func newPage(t *testing.T, app *running) *page {
	jar, _ := cookiejar.New(nil)
	return &page{t: t, app: app, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (p *page) get(path string) (*http.Response, *goquery.Document) {
	p.t.Helper()
	return p.send(http.NewRequest("GET", p.app.URL+strings.TrimPrefix(path, "/"), nil))
}

func (p *page) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	p.t.Helper()
	req, err := http.NewRequest("POST", p.app.URL+strings.TrimPrefix(path, "/"), strings.NewReader(form.Encode()))
	if err == nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return p.send(req, err)
}

func (p *page) send(req *http.Request, err error) (*http.Response, *goquery.Document) {
	p.t.Helper()
	if err != nil {
		p.t.Fatal(err)
	}
	res, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return res, doc
}

// TestMakeRunOffersSandboxSubmission starts FlowForm exactly as `make run`
// does on a machine without credentials and submits through the pages and
// the API: the sandbox is announced, reachable and honest about itself.
func TestMakeRunOffersSandboxSubmission(t *testing.T) {
	app := start(t, noCredentials())
	if !strings.Contains(app.logs.String(), "submissions: sandbox") {
		t.Errorf("start-up does not say submissions go to the sandbox:\n%s", app.logs.String())
	}
	d := app.createDraft(t, `{"projectId":"123456","template":"daily","name":"sales_daily"}`)
	p := newPage(t, app)
	_, editor := p.get("/d/" + d.ID)
	if editor.Find("[data-testid=sandbox]").Length() != 1 || editor.Find("main [data-testid=sandbox], body > [data-testid=sandbox]").Length() == 0 {
		t.Error("the editor has no sandbox banner")
	}
	link, ok := editor.Find("[data-testid=submit-link]").Attr("href")
	if !ok || link != "/d/"+d.ID+"/submit" {
		t.Fatalf("the editor has no Submit link (%q)", link)
	}
	res, confirm := p.get(link)
	if res.StatusCode != 200 || confirm.Find("[data-testid=submit-button]").Length() != 1 || !strings.Contains(confirm.Text(), "sandbox") {
		t.Fatalf("confirm page: %d %q", res.StatusCode, confirm.Find("main").Text())
	}
	res, _ = p.post(link, url.Values{"version": {"1"}, "operation": {"create"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", res.StatusCode)
	}
	_, result := p.get(res.Header.Get("Location"))
	state, id, guidance := result.Find("[data-testid=result-state]").Text(), result.Find("[data-testid=workflow-id]").Text(), result.Find("[data-testid=guidance]").Text()
	if state != "succeeded" || !digits19.MatchString(id) || !strings.Contains(guidance, "sandbox") || strings.Contains(guidance, "Done: the workflow exists") {
		t.Fatalf("result page: state %q, id %q, guidance %q", state, id, guidance)
	}

	// The JSON API submits the same way.
	other := app.createDraft(t, `{"projectId":"123456","template":"hourly","name":"sales_hourly"}`)
	status, sub := app.submit(t, other.ID, 1, "")
	if status != 200 || sub.Submission.State != "succeeded" || sub.Submission.Endpoint != "sandbox" || !digits19.MatchString(sub.Submission.WorkflowID) ||
		!strings.Contains(sub.Submission.Guidance, "sandbox") {
		t.Fatalf("API submit: %d %+v", status, sub)
	}
}

// TestCredentialsTakeTheRealSDKPath: with credentials in the environment
// and --dataworks-endpoint at the fake, the real SDK signs the calls and
// the fake verifies them; create, then update, then an explicit new one.
func TestCredentialsTakeTheRealSDKPath(t *testing.T) {
	fake := newFake(t)
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL)
	if !strings.Contains(app.logs.String(), "credentials from environment") || !strings.Contains(app.logs.String(), "endpoint override "+fake.URL) {
		t.Errorf("start-up does not say where submissions go:\n%s", app.logs.String())
	}
	d := app.createDraft(t, `{"projectId":"123456","template":"daily","name":"sales_daily"}`)
	if status, _ := app.submit(t, d.ID, 0, ""); status != 428 {
		t.Fatalf("no If-Match: %d", status)
	}
	status, res := app.submit(t, d.ID, 1, "")
	if status != 200 || res.Submission.State != "succeeded" || res.Submission.Endpoint != "real" || !digits19.MatchString(res.Submission.WorkflowID) ||
		res.Submission.RequestID == "" || !strings.Contains(res.Submission.Guidance, "exist in DataWorks") {
		t.Fatalf("submit: %d %+v", status, res)
	}
	wf := res.Submission.WorkflowID
	if calls := writes(fake); len(calls) != 1 || calls[0].WorkflowID != wf || calls[0].ProjectID != 123456 {
		t.Fatalf("calls %+v", calls)
	}
	if status, res := app.submit(t, d.ID, 1, ""); status != 409 || res.Error.Code != "already_submitted" || len(writes(fake)) != 1 {
		t.Fatalf("resubmitting the same version: %d %+v", status, res)
	}
	app.describe(t, d, 1, "v2")
	status, res = app.submit(t, d.ID, 2, "")
	calls := writes(fake)
	if status != 200 || res.Submission.Operation != "update" || res.Submission.WorkflowID != wf || len(calls) != 2 ||
		calls[1].Action != "UpdateWorkflowDefinition" || calls[1].ID != wf || !strings.Contains(calls[1].Spec, `"id":"`+wf+`"`) {
		t.Fatalf("update: %d %+v %+v", status, res, calls)
	}
	// The confirm page's diff shows the analyst's change, not the ids
	// FlowForm wrote for the update.
	app.describe(t, d, 2, "v3")
	_, confirm := newPage(t, app).get("/d/" + d.ID + "/submit")
	diff := confirm.Find("[data-testid=submit-diff] tbody").Text() // by field label, as the history shows it
	if !strings.Contains(diff, "Description") || strings.Contains(diff, ".id") {
		t.Errorf("diff since the last submission: %q", diff)
	}
	status, res = app.submit(t, d.ID, 3, `{"newWorkflow":true}`)
	if status != 200 || res.Submission.Operation != "create" || res.Submission.WorkflowID == wf {
		t.Fatalf("new workflow: %d %+v", status, res)
	}
	view := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]
	if status, _ := app.submit(t, view, 3, ""); status != 404 {
		t.Errorf("a view token submitted: %d", status)
	}
}

func TestSubmitRefusesWhatCannotBeSent(t *testing.T) {
	fake := newFake(t)
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL)
	noProject := app.createDraft(t, `{"template":"daily"}`)
	invalid := app.createDraft(t, `{"projectId":"1","spec":{"version":"1.1.0","kind":"CycleWorkflow","spec":{"type":"CycleWorkflow","workflows":[{"name":"x"}]}}}`)
	for _, id := range []string{noProject.ID, invalid.ID} {
		if status, res := app.submit(t, id, 1, ""); status != 422 || res.Error.Code != "not_submittable" || !strings.Contains(res.Error.Message, "nothing was sent") {
			t.Errorf("%d %+v", status, res)
		}
	}
	if n := len(fake.Calls()); n != 0 {
		t.Fatalf("%d calls made", n)
	}
}

// TestSubmissionOutcomes: each way the workflow call can end, with the
// state recorded, the calls DataWorks saw, and whether submitting again is
// allowed without saying "I checked DataWorks". A call that may have been
// carried out is looked up in DataWorks (ListWorkflowDefinitions): found,
// the workflow is adopted; only when looking fails too is it unknown.
func TestSubmissionOutcomes(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String()
	closed.Close()
	gateway := dataworkstest.Behavior{Status: 502, Body: "<html><body>502 Bad Gateway</body></html>"}
	tests := []struct {
		name     string
		endpoint string // "" for the fake
		behavior dataworkstest.Behavior
		lookup   bool // the lookup fails too
		update   bool // submit an update of a created workflow
		state    string
		step     string // the workflow step's state
		code     string
		calls    int // calls of the workflow operation
		resend   bool
		guidance string
	}{
		{name: "update answers Success false", update: true, behavior: dataworkstest.Behavior{NotApplied: true},
			state: "failed", step: "failed", code: "UpdateNotApplied", calls: 1, resend: true, guidance: "did not succeed"},
		{name: "502 with an HTML page", behavior: gateway, state: "succeeded", step: "adopted", code: "HTTP502", calls: 1, guidance: "Done"},
		{name: "504 gateway timeout", behavior: dataworkstest.Behavior{Status: 504, Body: "<html>Gateway Time-out</html>"},
			state: "succeeded", step: "adopted", code: "HTTP504", calls: 1, guidance: "Done"},
		{name: "plain-text 500", behavior: dataworkstest.Behavior{Status: 500, Body: "Internal Server Error"},
			state: "succeeded", step: "adopted", code: "HTTP500", calls: 1, guidance: "Done"},
		{name: "JSON InternalError before any work", behavior: dataworkstest.Behavior{Fail: true},
			state: "succeeded", step: "succeeded", calls: 2, guidance: "Done"},
		{name: "hang past the timeout", behavior: dataworkstest.Behavior{Sleep: 2500 * time.Millisecond},
			state: "succeeded", step: "adopted", code: "Timeout", calls: 1, guidance: "Done"},
		{name: "502 and the lookup fails", behavior: gateway, lookup: true,
			state: "unknown", step: "unknown", code: "HTTP502", calls: 1, guidance: "Unknown — check DataWorks"},
		{name: "connection refused", endpoint: refused, state: "failed", step: "failed", code: "ConnectFailed", resend: true, guidance: "nothing was sent"},
		{name: "DNS failure", endpoint: "http://flowform-test.invalid", state: "failed", step: "failed", code: "DNSFailure", resend: true, guidance: "nothing was sent"},
	}
	env := withCredentials(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake(t)
			endpoint := tt.endpoint
			if endpoint == "" {
				endpoint = fake.URL
			}
			app := start(t, env, "--dataworks-endpoint", endpoint, "--dataworks-timeout", "1s")
			d := app.createDraft(t, `{"projectId":"123456","template":"daily","name":"outcome"}`)
			version, action := int64(1), "CreateWorkflowDefinition"
			if tt.update {
				if status, res := app.submit(t, d.ID, 1, ""); status != 200 || res.Submission.State != "succeeded" {
					t.Fatalf("create: %d %+v", status, res)
				}
				app.describe(t, d, 1, "changed")
				version, action = 2, "UpdateWorkflowDefinition"
			}
			fake.Fault(action, fake.Count(action)+1, tt.behavior)
			if tt.lookup {
				fake.Fault("ListWorkflowDefinitions", 1, dataworkstest.Behavior{Fail: true})
			}
			status, res := app.submit(t, d.ID, version, "")
			step := res.Submission.Steps[0]
			if status != 200 || res.Submission.State != tt.state || step.State != tt.step || (tt.code != "" && (step.Error == nil || step.Error.Code != tt.code)) ||
				!strings.Contains(res.Submission.Guidance, tt.guidance) {
				t.Fatalf("got %d %+v", status, res)
			}
			if res.Submission.State == "failed" && (res.Submission.Error == nil || res.Submission.Error.Code != tt.code) {
				t.Errorf("the failed submission does not carry the error: %+v", res.Submission)
			}
			if tt.update && res.Submission.RequestID == "" {
				t.Error("the RequestId of the refused update is not recorded")
			}
			eventually(t, "the fake to finish", func() bool { return fake.Pending() == 0 })
			if n := fake.Count(action); n-btoi(tt.update && action == "CreateWorkflowDefinition") != tt.calls+btoi(tt.update)*0 && !tt.update || tt.update && n != tt.calls {
				t.Errorf("%s called %d times, want %d", action, n, tt.calls)
			}
			list := app.do(t, "GET", "/api/v1/drafts/"+d.ID+"/submissions", "", nil)
			if !strings.Contains(string(list.body), `"state":"`+tt.state+`"`) {
				t.Errorf("recorded: %s", list.body)
			}
			if tt.state == "succeeded" {
				return
			}
			before := len(writes(fake))
			status, again := app.submit(t, d.ID, version, "")
			if tt.resend && (status != 200 || again.Error.Code != "") {
				t.Errorf("submitting again after %s was refused: %d %+v", tt.state, status, again)
			}
			if !tt.resend && (status != 409 || again.Error.Code != "unknown_outcome") {
				t.Errorf("submitting again after %s without confirmation: %d %+v", tt.state, status, again)
			}
			if !tt.resend && len(writes(fake)) != before {
				t.Errorf("a refused resubmit reached DataWorks: %d writes", len(writes(fake))-before)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writes are the write calls the fake received, in order.
func writes(fake *dataworkstest.Server) []dataworkstest.Call {
	var out []dataworkstest.Call
	for _, c := range fake.Calls() {
		if c.Method == http.MethodPost {
			out = append(out, c)
		}
	}
	return out
}

// TestThrottlingIsRetriedThenGivenUp: throttled calls were refused before
// any work, so they are retried with backoff; after three tries the
// submission fails and may be sent again.
func TestThrottlingIsRetriedThenGivenUp(t *testing.T) {
	fake := newFake(t)
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL)
	d := app.createDraft(t, `{"projectId":"7","template":"hourly"}`)
	throttle := dataworkstest.Behavior{Throttle: true}
	for n := 1; n <= 3; n++ {
		fake.Fault("CreateWorkflowDefinition", n, throttle)
	}
	status, res := app.submit(t, d.ID, 1, "")
	if status != 200 || res.Submission.State != "failed" || res.Submission.Error.Code != "Throttling.User" ||
		!strings.Contains(res.Submission.Guidance, "throttling") || len(writes(fake)) != 3 || res.Submission.Steps[0].Tries != 3 {
		t.Fatalf("throttled: %d %+v after %d calls", status, res, len(writes(fake)))
	}
	if status, res := app.submit(t, d.ID, 1, ""); status != 200 || res.Submission.State != "succeeded" || len(writes(fake)) != 4 {
		t.Fatalf("after throttling: %d %+v", status, res)
	}
}

// TestUnknownIsSentAgainOnlyAfterConfirmation: a call past the timeout
// whose lookup fails too is unknown (the fake did create the workflow);
// FlowForm does not start a new delivery until the analyst says they
// checked, and resuming looks again and adopts the workflow.
func TestUnknownIsSentAgainOnlyAfterConfirmation(t *testing.T) {
	fake := newFake(t)
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL, "--dataworks-timeout", "1s")
	d := app.createDraft(t, `{"projectId":"123456","template":"daily"}`)
	fake.Fault("CreateWorkflowDefinition", 1, dataworkstest.Behavior{Sleep: 1500 * time.Millisecond})
	fake.Fault("ListWorkflowDefinitions", 1, dataworkstest.Behavior{Fail: true})
	status, res := app.submit(t, d.ID, 1, "")
	if status != 200 || res.Submission.State != "unknown" || !res.Submission.Resumable {
		t.Fatalf("%d %+v", status, res)
	}
	eventually(t, "the fake to create the workflow", func() bool { calls := writes(fake); return len(calls) == 1 && calls[0].WorkflowID != "" })
	if status, res := app.submit(t, d.ID, 1, ""); status != 409 || res.Error.Code != "unknown_outcome" || len(writes(fake)) != 1 {
		t.Fatalf("resend without confirmation: %d %+v", status, res)
	}
	resume := app.do(t, "POST", fmt.Sprintf("/api/v1/drafts/%s/submissions/%d/resume", d.ID, res.Submission.ID), "", nil)
	if resume.status != 200 || !strings.Contains(string(resume.body), `"state":"succeeded"`) || !strings.Contains(string(resume.body), `"state":"adopted"`) || len(writes(fake)) != 1 {
		t.Fatalf("resume: %d %s (%d writes)", resume.status, resume.body, len(writes(fake)))
	}
	app.describe(t, d, 1, "again")
	if status, res := app.submit(t, d.ID, 2, ""); status != 200 || res.Submission.Operation != "update" || len(writes(fake)) != 2 {
		t.Fatalf("after the resume the adopted workflow is updated: %d %+v", status, res)
	}
}

// TestConcurrentSubmitsOfOneDraftMakeOneCall: 20 submits of one draft at
// once make exactly one API call.
func TestConcurrentSubmitsOfOneDraftMakeOneCall(t *testing.T) {
	fake := newFake(t)
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL)
	d := app.createDraft(t, `{"projectId":"7","template":"daily"}`)
	fake.Fault("CreateWorkflowDefinition", 1, dataworkstest.Behavior{Sleep: 300 * time.Millisecond})
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 20 {
		wg.Go(func() {
			status, _, err := app.trySubmit(d.ID, 1, "")
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if n := len(writes(fake)); n != 1 || statuses[200] != 1 || statuses[409] != 19 {
		t.Fatalf("%d calls, statuses %v", n, statuses)
	}
}

// TestHangingSubmitsForThreeDraftsAllGetAReply: three identical drafts
// submitted at once to an endpoint that hangs (after doing the work) each
// get a reply — the timed-out call looked up and its workflow adopted,
// each draft a different one — none waits for the others, and none is cut
// off by the HTTP write timeout, here shorter than the call.
func TestHangingSubmitsForThreeDraftsAllGetAReply(t *testing.T) {
	fake := newFake(t)
	const timeout = 2 * time.Second
	hang := dataworkstest.Behavior{Sleep: 3 * time.Second}
	for n := 1; n <= 3; n++ {
		fake.Fault("CreateWorkflowDefinition", n, hang)
	}
	a, err := ParseConfig([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "f.db"),
		"--dataworks-endpoint", fake.URL, "--dataworks-timeout", timeout.String()}, withCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	a.HTTPWriteTimeout = 500 * time.Millisecond
	app := serve(t, a, withCredentials(t))
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = app.createDraft(t, `{"projectId":"7","template":"daily"}`).ID
	}
	took := make([]time.Duration, 3)
	adopted := make([]string, 3)
	began := time.Now()
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			start := time.Now()
			status, res, err := app.trySubmit(id, 1, "")
			took[i] = time.Since(start)
			if err != nil || status != 200 || res.Submission.State != "succeeded" || res.Submission.Steps[0].State != "adopted" ||
				res.Submission.Steps[0].Error.Code != "Timeout" {
				t.Errorf("draft %d: %v %d %+v", i, err, status, res)
				return
			}
			adopted[i] = res.Submission.WorkflowID
		})
	}
	wg.Wait()
	if adopted[0] == adopted[1] || adopted[1] == adopted[2] || adopted[0] == adopted[2] {
		t.Errorf("two drafts adopted one workflow: %v", adopted)
	}
	total := time.Since(began)
	t.Logf("three hanging submits: %v, %v, %v; all done after %v (timeout %v)", took[0], took[1], took[2], total, timeout)
	if total > timeout+timeout/2 {
		t.Errorf("the submits waited on each other: %v for three calls of at most %v", total, timeout)
	}
}

// TestShutdownAnswersInFlightSubmissions: stopping FlowForm while a call
// hangs answers the submission as pending with what will happen; the next
// start looks the step up in DataWorks (the fake did the work), records
// the delivery partial, and resuming finishes it without sending the
// workflow again.
func TestShutdownAnswersInFlightSubmissions(t *testing.T) {
	restore := shortenGrace(300*time.Millisecond, 2*time.Second)
	defer restore()
	fake := newFake(t)
	fake.Fault("CreateWorkflowDefinition", 1, dataworkstest.Behavior{Sleep: 5 * time.Second})
	args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "f.db"),
		"--dataworks-endpoint", fake.URL, "--dataworks-timeout", "30s"}
	cfg, err := ParseConfig(args, withCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	app := serve(t, cfg, withCredentials(t))
	d := app.createDraft(t, `{"projectId":"7","template":"daily"}`)
	replied := make(chan submissionResp, 1)
	go func() {
		status, res, err := app.trySubmit(d.ID, 1, "")
		if err != nil || status != 202 {
			t.Errorf("submit during shutdown: %v %d", err, status)
		}
		replied <- res
	}()
	eventually(t, "the call to reach DataWorks", func() bool { return fake.Pending() == 1 })
	app.stop()
	var sub submissionResp
	select {
	case sub = <-replied:
		if sub.Submission.State != "pending" || !strings.Contains(sub.Submission.Guidance, "When FlowForm starts again it looks that step up") {
			t.Fatalf("in-flight submission at shutdown: %+v", sub)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reply to the in-flight submission")
	}

	cfg, err = ParseConfig(args, withCredentials(t))
	if err != nil {
		t.Fatal(err)
	}
	again := serve(t, cfg, withCredentials(t))
	var settled submissionResp
	eventually(t, "the next start to settle the delivery", func() bool {
		r := again.do(t, "GET", fmt.Sprintf("/api/v1/drafts/%s/submissions/%d", d.ID, sub.Submission.ID), "", nil)
		json.Unmarshal(r.body, &settled)
		return settled.Submission.State == "partial"
	})
	if st := settled.Submission.Steps[0]; st.State != "adopted" || !settled.Submission.Resumable {
		t.Fatalf("settled: %+v", settled)
	}
	r := again.do(t, "POST", fmt.Sprintf("/api/v1/drafts/%s/submissions/%d/resume", d.ID, sub.Submission.ID), "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"state":"succeeded"`) || fake.Count("CreateWorkflowDefinition") != 1 {
		t.Fatalf("resume: %d %s (%d creates)", r.status, r.body, fake.Count("CreateWorkflowDefinition"))
	}
}

// TestSecretsNeverLeak: the secret, the AccessKeyId and signatures appear
// in no database byte, log line, page or API reply, even after a signature
// failure.
func TestSecretsNeverLeak(t *testing.T) {
	fake, err := dataworkstest.New(fakeKeyID, "the-server-knows-another-secret", fakeToken)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	env := withCredentials(t)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", fakeToken) // STS credentials through the default chain
	app := start(t, env, "--dataworks-endpoint", fake.URL)
	d := app.createDraft(t, `{"projectId":"7","template":"daily"}`)
	status, res := app.submit(t, d.ID, 1, "")
	if status != 200 || res.Submission.State != "failed" || res.Submission.Error.Code != "SignatureDoesNotMatch" ||
		!strings.Contains(res.Submission.Guidance, "credentials") {
		t.Fatalf("%d %+v", status, res)
	}
	p := newPage(t, app)
	pages := ""
	for _, path := range []string{"/d/" + d.ID + "/submit", "/d/" + d.ID + "/submissions/1"} {
		_, doc := p.get(path)
		html, _ := doc.Html()
		pages += html
	}
	api := app.do(t, "GET", "/api/v1/drafts/"+d.ID+"/submissions", "", nil)
	var files []byte
	for _, f := range []string{app.DB, app.DB + "-wal"} {
		data, _ := os.ReadFile(f)
		files = append(files, data...)
	}
	for name, text := range map[string]string{"database": string(files), "logs": app.logs.String(), "pages": pages, "api": string(api.body)} {
		for _, secret := range []string{fakeKeyID, fakeSecret, fakeToken, "Signature=", "string to sign is:POST", "POST&%2F&"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains %q", name, secret)
			}
		}
	}
	if !strings.Contains(pages, "SignatureDoesNotMatch") {
		t.Error("the result page does not show the error code")
	}
}

// TestRequestKitRunsAgainstTheFake runs the confirm page's request kit —
// the aliyun CLI script and the Go program — for a 3-node pipeline against
// a fresh fake: each delivers the workflow and its nodes in order with the
// Ids DataWorks assigned, exactly what FlowForm itself would send. The
// official aliyun CLI cannot be installed here, so the script runs with
// the stand-in in internal/kit/testdata/aliyun (the CLI's syntax, the real
// SDK).
func TestRequestKitRunsAgainstTheFake(t *testing.T) {
	fake := newFake(t)
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL)
	d := app.createDraft(t, `{"projectId":"123456","region":"cn-zhangjiakou","template":"daily-pipeline","name":"it's_$HOME_`+"`id`"+`_销售"}`)
	_, confirm := newPage(t, app).get("/d/" + d.ID + "/submit")
	cli, program := confirm.Find("#kit-cli").Text(), confirm.Find("#kit-go").Text()
	if !strings.Contains(cli, "CreateNode") || !strings.Contains(program, "CreateNode") {
		t.Fatalf("the kit does not deliver the nodes:\n%s", cli)
	}
	bin := t.TempDir()
	build := func(out, pkg string) {
		if data, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, data)
		}
	}
	build(filepath.Join(bin, "aliyun"), "../kit/testdata/aliyun")
	src := filepath.Join("..", "kit", "testdata", "tmp-app-kit")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(src) })
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(program), 0o644); err != nil {
		t.Fatal(err)
	}
	build(filepath.Join(bin, "kit"), "./"+filepath.ToSlash(src))

	for _, run := range []struct {
		name string
		cmd  *exec.Cmd
	}{
		{"aliyun CLI script", exec.Command("sh", "-c", cli)},
		{"Go program", exec.Command(filepath.Join(bin, "kit"))},
	} {
		t.Run(run.name, func(t *testing.T) {
			target := newFake(t)
			run.cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "DATAWORKS_ENDPOINT="+target.URL)
			if out, err := run.cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			calls := writes(target)
			if len(calls) != 4 || calls[0].Action != "CreateWorkflowDefinition" || !strings.Contains(calls[0].Spec, "销售") {
				t.Fatalf("the kit made %d calls: %+v", len(calls), calls)
			}
			wf := calls[0].WorkflowID
			nodes := target.Nodes(wf)
			if len(nodes) != 3 || nodes[0].Name != "ods_orders" || !strings.Contains(nodes[1].Depends, nodes[0].ID) || !strings.Contains(nodes[2].Depends, nodes[1].ID) {
				t.Fatalf("the kit left DataWorks holding %+v", nodes)
			}
			for _, c := range calls[1:] {
				if c.Action != "CreateNode" || c.ContainerID != wf || c.Scene != "DATAWORKS_PROJECT" || strings.Contains(c.Spec, "@@flowform") {
					t.Errorf("kit call %+v", c)
				}
			}
		})
	}
	// FlowForm's own delivery sends the same node specs, but for the Ids.
	status, res := app.submit(t, d.ID, 1, "")
	if status != 200 || res.Submission.State != "succeeded" || len(fake.Nodes(res.Submission.WorkflowID)) != 3 {
		t.Fatalf("submit: %d %+v", status, res)
	}
}

// BenchmarkSubmitOverhead measures FlowForm's own cost of a submission
// through the JSON API of the running app (HTTP, validation, bookkeeping
// in SQLite, the SDK's signing, the loopback call), without the time the
// endpoint spends handling it. Budget: ≤ 5 ms.
func BenchmarkSubmitOverhead(b *testing.B) {
	fake := newFake(b)
	app := start(b, withCredentials(b), "--dataworks-endpoint", fake.URL)
	d := app.createDraft(b, `{"projectId":"123456","template":"daily"}`)
	began := time.Now()
	for b.Loop() {
		if r := app.do(b, "POST", "/api/v1/drafts/"+d.ID+"/submit", `{"newWorkflow":true}`, map[string]string{"If-Match": `"1"`}); r.status != 200 {
			b.Fatalf("%d %s", r.status, r.body)
		}
	}
	elapsed := time.Since(began)
	var endpoint time.Duration
	for _, c := range fake.Calls() {
		endpoint += c.Took
	}
	b.ReportMetric(float64((elapsed-endpoint).Microseconds())/1000/float64(b.N), "overhead-ms")
	b.ReportMetric(float64(endpoint.Microseconds())/1000/float64(b.N), "endpoint-ms")
}

// layeredSpec is a workflow of n ODPS SQL nodes, each depending on the
// one or two before it.
func layeredSpec(tb testing.TB, n int) string {
	tb.Helper()
	doc := flowspec.Blank("fifty_nodes")
	for i := range n {
		j := doc.AddNode("ODPS_SQL", fmt.Sprintf("node_%02d", i))
		f := doc.Node(j)
		f.Values["node_code"] = fmt.Sprintf("INSERT OVERWRITE TABLE t_%02d PARTITION (ds = '${bizdate}')\nSELECT * FROM src WHERE ds = '${bizdate}';\n", i)
		for _, up := range []int{i - 1, i - 2} {
			if up >= 0 {
				f.Upstreams = append(f.Upstreams, flowspec.Upstream{Output: doc.RefOutput(up), Type: "Normal"})
			}
		}
		doc.ApplyNode(j, f)
	}
	return string(doc.Canonical())
}

// BenchmarkDeliveryStepOverhead measures FlowForm's own cost per call of a
// 50-node delivery through the JSON API of the running app (recording each
// step before and after, specs with the assigned ids, dependency checks,
// the SDK's signing), the endpoint's time subtracted. Budget: ≤ 3 ms per
// step.
func BenchmarkDeliveryStepOverhead(b *testing.B) {
	fake := newFake(b)
	app := start(b, withCredentials(b), "--dataworks-endpoint", fake.URL)
	d := app.createDraft(b, `{"projectId":"123456","spec":`+layeredSpec(b, 50)+`}`)
	began := time.Now()
	for b.Loop() {
		if r := app.do(b, "POST", "/api/v1/drafts/"+d.ID+"/submit", `{"newWorkflow":true}`, map[string]string{"If-Match": `"1"`}); r.status != 200 ||
			!strings.Contains(string(r.body), `"state":"succeeded"`) {
			b.Fatalf("%d %.300s", r.status, r.body)
		}
	}
	elapsed := time.Since(began)
	var endpoint time.Duration
	calls := fake.Calls()
	for _, c := range calls {
		endpoint += c.Took
	}
	steps := float64(b.N * 51)
	b.ReportMetric(float64((elapsed-endpoint).Microseconds())/1000/steps, "overhead-ms/step")
	b.ReportMetric(float64(endpoint.Microseconds())/1000/steps, "endpoint-ms/step")
	b.ReportMetric(float64(len(calls))/float64(b.N), "calls/delivery")
}

// BenchmarkSandboxDelivery50 is a 50-node delivery end to end through the
// sandbox, as make run offers it: the submit request until its answer.
// Budget: ≤ 3 s.
func BenchmarkSandboxDelivery50(b *testing.B) {
	app := start(b, noCredentials())
	d := app.createDraft(b, `{"projectId":"123456","spec":`+layeredSpec(b, 50)+`}`)
	for b.Loop() {
		if r := app.do(b, "POST", "/api/v1/drafts/"+d.ID+"/submit", `{"newWorkflow":true}`, map[string]string{"If-Match": `"1"`}); r.status != 200 ||
			!strings.Contains(string(r.body), `"state":"succeeded"`) {
			b.Fatalf("%d %.300s", r.status, r.body)
		}
	}
}
