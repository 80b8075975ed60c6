package draft_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks"
	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/sqlite"
)

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
	e := newDeliveryEnv(t, dataworks.Config{})
	d := newDraft(t, e.svc, "7")

	if _, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 2}, "ann"); code(err) != draft.Conflict {
		t.Fatalf("stale version: %v", err)
	}
	first, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	if err != nil || first.State != draft.Succeeded || first.Operation != draft.OpCreate || first.WorkflowID == "" ||
		!strings.Contains(first.Guidance.EN, "Done") {
		t.Fatalf("first submit: %+v %v", first, err)
	}
	// The same version is not sent twice, unless a new workflow is asked for.
	if _, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann"); code(err) != draft.Submitted {
		t.Fatalf("same version again: %v", err)
	}
	again, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1, NewWorkflow: true}, "ann")
	if err != nil || again.Operation != draft.OpCreate || again.WorkflowID == first.WorkflowID {
		t.Fatalf("new workflow: %+v %v", again, err)
	}
	// After an edit the workflow this draft created last is updated, with
	// its id written into the spec sent.
	edited, err := e.svc.Update(ctx, d.ID, 1, draft.Input{ProjectID: "7", Spec: flowspec.Blank("sales_daily_v2")}, "bob")
	if err != nil {
		t.Fatal(err)
	}
	upd, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: edited.Version}, "bob")
	calls := e.fake.Calls()
	last := calls[len(calls)-1]
	for i := len(calls) - 1; last.Method != "POST"; i-- {
		last = calls[i]
	}
	if err != nil || upd.Operation != draft.OpUpdate || upd.WorkflowID != again.WorkflowID || last.ID != again.WorkflowID ||
		!strings.Contains(last.Spec, `"id":"`+again.WorkflowID+`"`) || upd.Author != "bob" {
		t.Fatalf("update: %+v %v, sent %+v", upd, err, last)
	}
	subs, err := e.svc.Submissions(ctx, d.ID)
	if err != nil || len(subs) != 3 || subs[0].ID != upd.ID || string(subs[0].Spec) != string(edited.SpecJSON) {
		t.Fatalf("recorded: %d submissions, %v", len(subs), err)
	}
	if got, _ := e.svc.Submission(ctx, d.ID, upd.ID); string(got.Steps[0].Spec) != last.Spec {
		t.Errorf("the step records %s, DataWorks received %s", got.Steps[0].Spec, last.Spec)
	}
}

func TestUnknownNeedsConfirmationFailedDoesNot(t *testing.T) {
	ctx := context.Background()
	e := newDeliveryEnv(t, dataworks.Config{ReadTimeout: 300 * time.Millisecond})
	d := newDraft(t, e.svc, "7")
	e.fake.Fault("CreateWorkflowDefinition", 1, dataworkstest.Behavior{Status: 400, Body: `{"Code":"InvalidParameter","Message":"no"}`})
	failed, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	if err != nil || failed.State != draft.Failed || failed.ErrorCode != "InvalidParameter" {
		t.Fatalf("failed: %+v %v", failed, err)
	}
	// A timeout, and the lookup fails as well: unknown.
	e.fake.Fault("CreateWorkflowDefinition", 2, dataworkstest.Behavior{Sleep: time.Second})
	e.fake.Fault("ListWorkflowDefinitions", 1, dataworkstest.Behavior{Fail: true})
	unknown, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	if err != nil || unknown.State != draft.Unknown {
		t.Fatalf("after a failure, submitting again is allowed: %+v %v", unknown, err)
	}
	_, err = e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.Unsure || de.Submission == nil || de.Submission.ID != unknown.ID || e.fake.Count("CreateWorkflowDefinition") != 2 {
		t.Fatalf("after unknown without confirmation: %v (%d calls)", err, e.fake.Count("CreateWorkflowDefinition"))
	}
	// Resuming looks again: the workflow the timed-out call created is found.
	time.Sleep(800 * time.Millisecond)
	resumed, err := e.svc.Resume(ctx, d.ID, unknown.ID)
	if err != nil || resumed.State != draft.Succeeded || resumed.Steps[0].State != draft.StepAdopted || e.fake.Count("CreateWorkflowDefinition") != 2 {
		t.Fatalf("resume after unknown: %+v %v", resumed, err)
	}
	if dl, _ := e.svc.Delivery(ctx, d.ID); dl.WorkflowID != resumed.Steps[0].TargetID {
		t.Fatalf("the adopted workflow is not recorded: %+v", dl)
	}
}

func TestNothingIsSentForAnUnsubmittableDraft(t *testing.T) {
	ctx := context.Background()
	e := newDeliveryEnv(t, dataworks.Config{})
	noProject := newDraft(t, e.svc, "")
	bad, err := e.svc.Create(ctx, draft.Input{ProjectID: "7", Spec: mustImport(t, `{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":""}]}}`)}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*draft.Draft{noProject, bad} {
		if _, err := e.svc.Submit(ctx, d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann"); code(err) != draft.NotReady {
			t.Errorf("submit: %v", err)
		}
	}
	if n := len(e.fake.Calls()); n != 0 {
		t.Fatalf("%d calls made", n)
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

func TestSubmitWithoutSubmitterSaysWhy(t *testing.T) {
	svc := newService(t, nil).WithoutSubmitter("the sandbox endpoint could not start")
	d := newDraft(t, svc, "7")
	_, err := svc.Submit(context.Background(), d.ID, draft.SubmitOptions{ExpectedVersion: 1}, "ann")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.Unavailable || !strings.Contains(de.Message.EN, "sandbox endpoint could not start") {
		t.Fatalf("%v", err)
	}
}
