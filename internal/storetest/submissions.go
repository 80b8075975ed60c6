package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// owner is the instance the suite's submissions start owned by.
const owner = "i-contract-owner"

// newSubmission returns a pending submission of rec's current version as
// draft.Service.Submit plans it: the workflow step, nodes CreateNode
// steps, and a removed node left in DataWorks (skipped), numbered from 1.
func newSubmission(rec draft.Record, nodes int) draft.Submission {
	steps := []draft.Step{{Action: draft.CreateWorkflow, Name: "contract_test", Spec: rec.Spec, State: draft.StepPlanned}}
	for i := range nodes {
		steps = append(steps, draft.Step{Action: draft.CreateNode, Node: fmt.Sprintf("n%d", i+1), Name: fmt.Sprintf("node %d", i+1),
			Spec: []byte(fmt.Sprintf(`{"node":"n%d","script":"select %d"}`, i+1, i+1)), State: draft.StepPlanned})
	}
	steps = append(steps, draft.Step{Action: draft.DeleteNode, Node: "gone", Name: "removed node", TargetID: "9001", State: draft.StepSkipped,
		Note: i18n.Text{EN: "Removed from the draft; left in DataWorks.", ZH: "已从草稿中删除；保留在 DataWorks 中。"}})
	for i := range steps {
		steps[i].Seq = i + 1
	}
	return draft.Submission{
		DraftVersion: rec.Version, Spec: rec.Spec, ProjectID: rec.ProjectID, Region: rec.Region, Endpoint: "sandbox",
		Operation: draft.OpCreate, State: draft.Pending, Guidance: i18n.Text{EN: "Delivering to DataWorks.", ZH: "正在提交到 DataWorks。"},
		Author: "alice@example.com", CreatedAt: rec.UpdatedAt.Add(time.Second), Steps: steps, Owner: owner,
	}
}

// submit records a pending submission of rec after the one with id after.
func submit(t *testing.T, s draft.Store, rec draft.Record, after int64) draft.Submission {
	t.Helper()
	sub, err := s.CreateSubmission(context.Background(), rec.Key, after, newSubmission(rec, 2))
	if err != nil {
		t.Fatalf("CreateSubmission after %d: %v", after, err)
	}
	if sub.ID <= 0 || sub.State != draft.Pending {
		t.Fatalf("CreateSubmission returned id %d state %q, want an id and pending", sub.ID, sub.State)
	}
	return sub
}

// finish ends a pending submission in state, as draft.Service does.
func finish(t *testing.T, s draft.Store, sub draft.Submission, state string) draft.Submission {
	t.Helper()
	sub.State, sub.FinishedAt = state, sub.CreatedAt.Add(time.Minute)
	sub.RequestID, sub.HTTPStatus = "req-"+state, 200
	sub.Guidance = i18n.Text{EN: "outcome " + state, ZH: "结果 " + state}
	switch state {
	case draft.Succeeded:
		sub.WorkflowID = "wf-1001"
	case draft.Failed:
		sub.HTTPStatus, sub.ErrorCode, sub.Error = 400, "Invalid.Spec", "the spec is invalid (redacted)"
	}
	noErr(t, "FinishSubmission "+state, s.FinishSubmission(context.Background(), sub))
	return sub
}

// sameSubmission compares the recorded fields of a submission (not its
// steps, DraftKey, Owner or Live).
func sameSubmission(got, want draft.Submission) error {
	if got.ID != want.ID || got.DraftVersion != want.DraftVersion || !bytes.Equal(got.Spec, want.Spec) || got.ProjectID != want.ProjectID ||
		got.Region != want.Region || got.Endpoint != want.Endpoint || got.Operation != want.Operation || got.State != want.State ||
		got.WorkflowID != want.WorkflowID || got.RequestID != want.RequestID || got.HTTPStatus != want.HTTPStatus ||
		got.ErrorCode != want.ErrorCode || got.Error != want.Error || got.Guidance != want.Guidance || got.Author != want.Author ||
		!sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.FinishedAt, want.FinishedAt) {
		return fmt.Errorf("submission differs:\n got %+v\nwant %+v", brief(got), brief(want))
	}
	return nil
}

// brief is a submission without its bulky fields, for messages.
func brief(s draft.Submission) draft.Submission {
	s.Spec, s.Steps, s.Live = nil, nil, nil
	return s
}

// sameSteps compares steps as recorded.
func sameSteps(got, want []draft.Step) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d steps, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Seq != w.Seq || g.Action != w.Action || g.Node != w.Node || g.Name != w.Name || g.Repair != w.Repair ||
			g.TargetID != w.TargetID || !bytes.Equal(g.Spec, w.Spec) || g.State != w.State || g.Tries != w.Tries ||
			g.RequestID != w.RequestID || g.HTTPStatus != w.HTTPStatus || g.ErrorCode != w.ErrorCode || g.Error != w.Error ||
			g.Note != w.Note || !sameTime(g.StartedAt, w.StartedAt) || !sameTime(g.FinishedAt, w.FinishedAt) {
			return fmt.Errorf("step %d differs:\n got %+v\nwant %+v", i, g, w)
		}
	}
	return nil
}

// read reads one submission with its steps.
func read(t *testing.T, s draft.Store, key string, id int64) draft.Submission {
	t.Helper()
	sub, err := s.Submission(context.Background(), key, id)
	if err != nil {
		t.Fatalf("Submission %d: %v", id, err)
	}
	return sub
}

// ids lists the submissions' ids in order.
func ids(subs []draft.Submission) []int64 {
	out := make([]int64, len(subs))
	for i, s := range subs {
		out[i] = s.ID
	}
	return out
}

// testSubmissions: submissions are recorded whole, at most one is pending
// per draft, a decision made on stale history is refused, and the lists
// come newest first.
func testSubmissions(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("Recorded", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		want := newSubmission(rec, 3)
		want.Operation, want.WorkflowID = draft.OpUpdate, "wf-77"
		want.Steps[0].Action, want.Steps[0].TargetID = draft.UpdateWorkflow, "wf-77"
		got, err := s.CreateSubmission(ctx, rec.Key, 0, want)
		noErr(t, "CreateSubmission", err)
		want.ID = got.ID
		stored := read(t, s, rec.Key, got.ID)
		if err := sameSubmission(stored, want); err != nil {
			t.Error(err)
		}
		if err := sameSteps(stored.Steps, want.Steps); err != nil {
			t.Error(err)
		}
		want = finish(t, s, stored, draft.Failed)
		if err := sameSubmission(read(t, s, rec.Key, want.ID), want); err != nil {
			t.Errorf("after FinishSubmission: %v", err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		a, b := create(t, s, "a"), create(t, s, "b")
		sub := submit(t, s, a, 0)
		_, err := s.Submission(ctx, a.Key, sub.ID+1)
		wantErr(t, "Submission of an unknown id", err, draft.ErrNotFound)
		// A submission is read only through its own draft.
		_, err = s.Submission(ctx, b.Key, sub.ID)
		wantErr(t, "Submission through another draft", err, draft.ErrNotFound)
		if subs, err := s.Submissions(ctx, b.Key); err != nil || len(subs) != 0 {
			t.Errorf("Submissions of a draft never submitted = %v, %v; want none", ids(subs), err)
		}
	})

	t.Run("StaleHistory", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		first := finish(t, s, submit(t, s, rec, 0), draft.Failed)
		for _, after := range []int64{0, first.ID + 1, -1} {
			got, err := s.CreateSubmission(ctx, rec.Key, after, newSubmission(rec, 1))
			wantErr(t, fmt.Sprintf("CreateSubmission after %d when the latest is %d", after, first.ID), err, draft.ErrPending)
			if err := sameSubmission(got, first); err != nil {
				t.Errorf("ErrPending should come with the latest submission: %v", err)
			}
		}
		second := submit(t, s, rec, first.ID)
		// While second is pending, even a decision on current history is refused.
		got, err := s.CreateSubmission(ctx, rec.Key, second.ID, newSubmission(rec, 1))
		wantErr(t, "CreateSubmission while one is pending", err, draft.ErrPending)
		if got.ID != second.ID || got.State != draft.Pending {
			t.Errorf("ErrPending came with %d (%s), want the pending %d", got.ID, got.State, second.ID)
		}
		if subs, _ := s.Submissions(ctx, rec.Key); len(subs) != 2 {
			t.Errorf("refused submissions were recorded: %v", ids(subs))
		}
		// Each draft has its own history.
		other := create(t, s, "other")
		submit(t, s, other, 0)
	})

	t.Run("OnePending", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		const n = 20
		var wg sync.WaitGroup
		results := make([]draft.Submission, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { results[i], errs[i] = s.CreateSubmission(ctx, rec.Key, 0, newSubmission(rec, 2)) })
		}
		wg.Wait()
		var winner int64
		for i, err := range errs {
			switch {
			case err == nil && winner != 0:
				t.Fatalf("two concurrent submissions were both created: %d and %d", winner, results[i].ID)
			case err == nil:
				winner = results[i].ID
			case !errors.Is(err, draft.ErrPending):
				t.Errorf("CreateSubmission %d: %v, want nil or ErrPending", i, err)
			}
		}
		if winner == 0 {
			t.Fatal("no concurrent submission was created")
		}
		for i, err := range errs {
			if err != nil && (results[i].ID != winner || results[i].State != draft.Pending) {
				t.Errorf("ErrPending came with %d (%q), want the pending %d", results[i].ID, results[i].State, winner)
			}
		}
		if subs, err := s.Submissions(ctx, rec.Key); err != nil || len(subs) != 1 || subs[0].ID != winner {
			t.Errorf("Submissions = %v, %v; want only %d", ids(subs), err, winner)
		}
	})

	t.Run("FinishOnlyPending", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		done := finish(t, s, submit(t, s, rec, 0), draft.Failed)
		again := done
		again.State, again.WorkflowID, again.FinishedAt = draft.Succeeded, "wf-late", done.FinishedAt.Add(time.Hour)
		if err := s.FinishSubmission(ctx, again); err == nil {
			t.Error("FinishSubmission of a failed submission succeeded")
		}
		if err := sameSubmission(read(t, s, rec.Key, done.ID), done); err != nil {
			t.Errorf("a finished submission was finished again: %v", err)
		}
		if dl, _ := s.Delivery(ctx, rec.Key); dl.WorkflowID != "" || len(dl.Live) != 0 {
			t.Errorf("finishing a finished submission changed the delivery: %+v", dl)
		}
	})

	t.Run("NewestFirst", func(t *testing.T) {
		s := open(t)
		a, b := create(t, s, "a"), create(t, s, "b")
		var want []int64
		var after int64
		for _, state := range []string{draft.Failed, draft.Succeeded, draft.Unknown, draft.Partial} {
			sub := finish(t, s, submit(t, s, a, after), state)
			// Interleaved with another draft's.
			finish(t, s, submit(t, s, b, latestID(t, s, b.Key)), draft.Failed)
			after = sub.ID
			want = append([]int64{sub.ID}, want...)
		}
		subs, err := s.Submissions(ctx, a.Key)
		noErr(t, "Submissions", err)
		if got := ids(subs); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Submissions ids %v, want %v (newest first, this draft's only)", got, want)
		}
		if subs[0].State != draft.Partial || subs[3].State != draft.Failed {
			t.Errorf("states %q…%q, want partial…failed", subs[0].State, subs[3].State)
		}
	})

	t.Run("Latest", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		check := func(what string, want ...int64) {
			t.Helper()
			got, err := s.LatestSubmissions(ctx, rec.Key)
			noErr(t, "LatestSubmissions", err)
			if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
				t.Errorf("%s: LatestSubmissions %v, want %v", what, ids(got), want)
			}
		}
		check("before any submission")
		failed := finish(t, s, submit(t, s, rec, 0), draft.Failed)
		check("one failed", failed.ID)
		ok := finish(t, s, submit(t, s, rec, failed.ID), draft.Succeeded)
		check("latest succeeded", ok.ID)
		unknown := finish(t, s, submit(t, s, rec, ok.ID), draft.Unknown)
		check("unknown after succeeded", unknown.ID, ok.ID)
		pending := submit(t, s, rec, unknown.ID)
		check("pending after succeeded", pending.ID, ok.ID)
		got, _ := s.LatestSubmissions(ctx, rec.Key)
		if len(got) == 2 {
			if err := sameSubmission(got[1], ok); err != nil {
				t.Errorf("latest succeeded: %v", err)
			}
			if got[0].State != draft.Pending {
				t.Errorf("latest state %q, want pending", got[0].State)
			}
		}
		other := create(t, s, "other")
		if got, err := s.LatestSubmissions(ctx, other.Key); err != nil || len(got) != 0 {
			t.Errorf("LatestSubmissions of another draft = %v, %v; want none", ids(got), err)
		}
	})
}

// latestID is the id of the draft's latest submission, 0 for none.
func latestID(t *testing.T, s draft.Store, key string) int64 {
	t.Helper()
	subs, err := s.Submissions(context.Background(), key)
	noErr(t, "Submissions", err)
	if len(subs) == 0 {
		return 0
	}
	return subs[0].ID
}
