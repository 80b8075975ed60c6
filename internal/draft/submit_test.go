package draft_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/flowform/flowform/internal/sqlite"
)

// scripted is a Submitter that answers with the queued results and
// records what it was asked; block, when set, holds a call until closed.
type scripted struct {
	mu      sync.Mutex
	answers []draft.SubmitResult
	asked   []draft.SubmitRequest
	block   chan struct{}
	next    int64
}

func (s *scripted) Submit(_ context.Context, req draft.SubmitRequest) draft.SubmitResult {
	s.mu.Lock()
	s.asked = append(s.asked, req)
	block := s.block
	var res draft.SubmitResult
	if len(s.answers) > 0 {
		res, s.answers = s.answers[0], s.answers[1:]
	} else {
		s.next++
		res = draft.SubmitResult{State: draft.Succeeded, RequestID: "REQ", WorkflowID: req.WorkflowID, Guidance: i18n.Text{EN: "done", ZH: "完成"}}
		if req.Operation == draft.OpCreate {
			res.WorkflowID = "463497880880954" + string(rune('0'+s.next%10)) + "000"
		}
	}
	s.mu.Unlock()
	if block != nil {
		<-block
	}
	return res
}

func (s *scripted) Endpoint() string            { return "sandbox" }
func (s *scripted) Domain(region string) string { return "dataworks." + region + ".aliyuncs.com" }
func (s *scripted) MaxDuration() time.Duration  { return time.Second }
func (s *scripted) Target(region string) string { return "https://" + s.Domain(region) }

func (s *scripted) calls() []draft.SubmitRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]draft.SubmitRequest(nil), s.asked...)
}

func newService(t *testing.T, sub draft.Submitter) *draft.Service {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := draft.NewService(store, "cn-shanghai", nil)
	if sub != nil {
		svc.WithSubmitter(sub)
	}
	return svc
}

func newDraft(t *testing.T, svc *draft.Service, projectID string) *draft.Draft {
	t.Helper()
	d, err := svc.Create(context.Background(), draft.Input{ProjectID: projectID, Spec: flowspec.Blank("sales_daily")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func code(err error) draft.Code {
	var de *draft.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return ""
}

func TestSubmitStateMachine(t *testing.T) {
	ctx := context.Background()
	sub := &scripted{}
	svc := newService(t, sub)
	d := newDraft(t, svc, "7")

	if _, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 2}, "ann"); code(err) != draft.Conflict {
		t.Fatalf("stale version: %v", err)
	}
	first, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	if err != nil || first.State != draft.Succeeded || first.Operation != draft.OpCreate || first.WorkflowID == "" || first.Guidance.EN != "done" {
		t.Fatalf("first submit: %+v %v", first, err)
	}
	// The same version is not sent twice, unless a new workflow is asked for.
	if _, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann"); code(err) != draft.Submitted {
		t.Fatalf("same version again: %v", err)
	}
	again, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1, NewWorkflow: true}, "ann")
	if err != nil || again.Operation != draft.OpCreate || again.WorkflowID == first.WorkflowID {
		t.Fatalf("new workflow: %+v %v", again, err)
	}
	// After an edit the workflow this draft created last is updated, with
	// its id written into the spec sent.
	edited, err := svc.Update(ctx, d.ID, 1, draft.Input{ProjectID: "7", Spec: flowspec.Blank("sales_daily_v2")}, "bob")
	if err != nil {
		t.Fatal(err)
	}
	upd, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: edited.Version}, "bob")
	last := sub.calls()[len(sub.calls())-1]
	if err != nil || upd.Operation != draft.OpUpdate || upd.WorkflowID != again.WorkflowID || last.WorkflowID != again.WorkflowID ||
		!strings.Contains(string(last.Spec), `"id":"`+again.WorkflowID+`"`) || upd.Author != "bob" {
		t.Fatalf("update: %+v %v, sent %+v", upd, err, last)
	}
	subs, err := svc.Submissions(ctx, d.ID)
	if err != nil || len(subs) != 3 || subs[0].ID != upd.ID || string(subs[0].Spec) != string(last.Spec) {
		t.Fatalf("recorded: %d submissions, %v", len(subs), err)
	}
}

func TestUnknownNeedsConfirmationFailedDoesNot(t *testing.T) {
	ctx := context.Background()
	sub := &scripted{answers: []draft.SubmitResult{
		{State: draft.Failed, ErrorCode: "ConnectFailed", Error: "refused"},
		{State: draft.Unknown, ErrorCode: "Timeout", Error: "timed out"},
	}}
	svc := newService(t, sub)
	d := newDraft(t, svc, "7")
	failed, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	if err != nil || failed.State != draft.Failed || failed.ErrorCode != "ConnectFailed" {
		t.Fatalf("failed: %+v %v", failed, err)
	}
	unknown, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	if err != nil || unknown.State != draft.Unknown {
		t.Fatalf("after a failure, submitting again is allowed: %+v %v", unknown, err)
	}
	_, err = svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.Unsure || de.Submission == nil || de.Submission.ID != unknown.ID || len(sub.calls()) != 2 {
		t.Fatalf("after unknown without confirmation: %v (%d calls)", err, len(sub.calls()))
	}
	if ok, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1, AfterUnknown: true}, "ann"); err != nil || ok.State != draft.Succeeded {
		t.Fatalf("confirmed: %+v %v", ok, err)
	}
}

func TestNothingIsSentForAnUnsubmittableDraft(t *testing.T) {
	ctx := context.Background()
	sub := &scripted{}
	svc := newService(t, sub)
	noProject := newDraft(t, svc, "")
	bad, err := svc.Create(ctx, draft.Input{ProjectID: "7", Spec: mustImport(t, `{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":""}]}}`)}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*draft.Draft{noProject, bad} {
		if _, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann"); code(err) != draft.NotReady {
			t.Errorf("submit: %v", err)
		}
	}
	if len(sub.calls()) != 0 {
		t.Fatalf("%d calls made", len(sub.calls()))
	}
}

func mustImport(t *testing.T, js string) *flowspec.Document {
	t.Helper()
	doc, _, err := flowspec.Import([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOnePendingAtATime: while a call is in flight, another submit of the
// same draft is refused with the pending submission; after a stop, a
// pending submission is recorded unknown with its guidance.
func TestOnePendingAtATime(t *testing.T) {
	ctx := context.Background()
	sub := &scripted{block: make(chan struct{})}
	svc := newService(t, sub)
	d := newDraft(t, svc, "7")
	done := make(chan error, 1)
	go func() {
		_, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
		done <- err
	}()
	for len(sub.calls()) == 0 { // the first call is in flight
		time.Sleep(time.Millisecond)
	}
	_, err := svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "bob")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.InFlight || de.Submission == nil || de.Submission.State != draft.Pending {
		t.Fatalf("second submit while pending: %v", err)
	}
	if n, err := svc.AbandonPending(ctx); err != nil || n != 1 {
		t.Fatalf("abandon: %d %v", n, err)
	}
	subs, _ := svc.Submissions(ctx, d.ID)
	if len(subs) != 1 || subs[0].State != draft.Unknown || !strings.Contains(subs[0].Guidance.EN, "may have been created") {
		t.Fatalf("after abandon: %+v", subs)
	}
	close(sub.block)
	if err := <-done; err == nil {
		t.Error("the abandoned call's late answer overwrote the recorded unknown")
	}
	if subs, _ := svc.Submissions(ctx, d.ID); subs[0].State != draft.Unknown {
		t.Errorf("state after the late answer: %s", subs[0].State)
	}
	if len(sub.calls()) != 1 {
		t.Errorf("%d calls", len(sub.calls()))
	}
}

func TestSubmitWithoutSubmitterSaysWhy(t *testing.T) {
	svc := newService(t, nil).WithoutSubmitter("the sandbox endpoint could not start")
	d := newDraft(t, svc, "7")
	_, err := svc.Submit(context.Background(), d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.Unavailable || !strings.Contains(de.Message.EN, "sandbox endpoint could not start") {
		t.Fatalf("%v", err)
	}
}
