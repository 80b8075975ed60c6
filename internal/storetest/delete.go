package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
)

// testDelete: a deleted draft answers like an unknown one, comes back
// within the window, and is purged after it with everything it had.
func testDelete(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("Invisible", func(t *testing.T) {
		s := open(t)
		rec := save(t, s, create(t, s, "v1"), "v2")
		keep := create(t, s, "kept")
		noErr(t, "Delete", s.Delete(ctx, rec.Key, at(time.Hour)))
		_, err := s.Get(ctx, rec.Key)
		wantErr(t, "Get of a deleted draft", err, draft.ErrNotFound)
		_, err = s.GetByView(ctx, rec.ViewKey)
		wantErr(t, "GetByView of a deleted draft", err, draft.ErrNotFound)
		_, err = s.Revision(ctx, rec.Key, 1)
		wantErr(t, "Revision of a deleted draft", err, draft.ErrNotFound)
		if revs, err := s.Revisions(ctx, rec.Key); err == nil && len(revs) > 0 {
			t.Errorf("Revisions of a deleted draft = %+v", revs)
		}
		wantErr(t, "SetView of a deleted draft", s.SetView(ctx, rec.Key, newKey(), 1), draft.ErrNotFound)
		wantErr(t, "Delete of a deleted draft", s.Delete(ctx, rec.Key, at(2*time.Hour)), draft.ErrNotFound)
		wantErr(t, "Delete of an unknown draft", s.Delete(ctx, newKey(), at(time.Hour)), draft.ErrNotFound)
		if err := sameRecord(get(t, s, keep.Key), keep); err != nil {
			t.Errorf("another draft: %v", err)
		}
	})

	t.Run("Undelete", func(t *testing.T) {
		s := open(t)
		rec := save(t, s, create(t, s, "v1"), "v2")
		deleted := at(time.Hour)
		noErr(t, "Delete", s.Delete(ctx, rec.Key, deleted))
		// The window ends at the deletion: deleted after it, not at it.
		wantErr(t, "Undelete after the window", s.Undelete(ctx, rec.Key, deleted), draft.ErrNotFound)
		if _, err := s.Get(ctx, rec.Key); err == nil {
			t.Fatal("a refused Undelete brought the draft back")
		}
		noErr(t, "Undelete within the window", s.Undelete(ctx, rec.Key, deleted.Add(-time.Millisecond)))
		if err := sameRecord(get(t, s, rec.Key), rec); err != nil {
			t.Errorf("undeleted: %v", err)
		}
		if got, err := s.GetByView(ctx, rec.ViewKey); err != nil || got.Version != rec.Version {
			t.Errorf("GetByView of the undeleted draft: %v", err)
		}
		checkRevision(t, s, rec)
		wantErr(t, "Undelete of a live draft", s.Undelete(ctx, rec.Key, base.Add(-time.Hour)), draft.ErrNotFound)
		wantErr(t, "Undelete of an unknown draft", s.Undelete(ctx, newKey(), base.Add(-time.Hour)), draft.ErrNotFound)
		// Saving works again, from where it was.
		save(t, s, rec, "v3")
	})

	t.Run("Purge", func(t *testing.T) { testPurge(t, open(t)) })
}

// testPurge fills a draft with everything a draft can have, deletes and
// purges it, and checks that none of it can be read any more — even by a
// new draft that happened to get the same key — while drafts deleted later
// and live drafts keep theirs.
func testPurge(t *testing.T, s draft.Store) {
	ctx := context.Background()
	browser := newKey()
	full := func(tag string) (draft.Record, draft.Submission) {
		rec := newRecord(tag)
		rec.Delivery = &draft.Delivery{ProjectID: rec.ProjectID, Region: rec.Region, WorkflowID: "wf-" + tag, Live: []byte(`{"live":true}`),
			Nodes: []draft.DeliveredNode{{Local: "n1", ID: "7001", Name: "node 1", Sent: []byte(`{"n":1}`)}}}
		noErr(t, "Create", s.Create(ctx, rec))
		rec = save(t, s, rec, tag+" v2")
		sub := finish(t, s, submit(t, s, rec, 0), draft.Failed)
		sub = submit(t, s, rec, sub.ID)
		noErr(t, "FinishStep", s.FinishStep(ctx, rec.Key, sub.ID, stepDone(sub.Steps[1], "7002", at(time.Minute)),
			draft.DeliveryChange{Node: &draft.DeliveredNode{Local: "n1", ID: "7002", Name: "node 1", Sent: []byte(`{"n":2}`)}}))
		noErr(t, "Remember", s.Remember(ctx, browser, rec.Key, []byte("sealed "+tag)))
		return rec, sub
	}
	old, oldSub := full("old")
	recent, recentSub := full("recent")
	live, liveSub := full("live")
	noErr(t, "Delete", s.Delete(ctx, old.Key, at(time.Hour)))
	noErr(t, "Delete", s.Delete(ctx, recent.Key, at(3*time.Hour)))

	n, err := s.Purge(ctx, at(2*time.Hour))
	noErr(t, "Purge", err)
	if n != 1 {
		t.Errorf("Purge removed %d drafts, want 1", n)
	}
	if n, err := s.Purge(ctx, at(2*time.Hour)); err != nil || n != 0 {
		t.Errorf("Purge again = %d, %v; want 0", n, err)
	}
	wantErr(t, "Undelete of a purged draft", s.Undelete(ctx, old.Key, base.Add(-time.Hour)), draft.ErrNotFound)
	assertGone := func(what string) {
		t.Helper()
		if subs, err := s.Submissions(ctx, old.Key); err != nil || len(subs) != 0 {
			t.Errorf("%s: Submissions = %v, %v; want none", what, ids(subs), err)
		}
		if subs, err := s.LatestSubmissions(ctx, old.Key); err != nil || len(subs) != 0 {
			t.Errorf("%s: LatestSubmissions = %v, %v; want none", what, ids(subs), err)
		}
		if sub, err := s.Submission(ctx, old.Key, oldSub.ID); err == nil {
			t.Errorf("%s: Submission %d still reads, with %d steps", what, sub.ID, len(sub.Steps))
		}
		if dl, err := s.Delivery(ctx, old.Key); err != nil || dl.WorkflowID != "" || len(dl.Nodes) != 0 || len(dl.Live) != 0 {
			t.Errorf("%s: Delivery = %+v, %v; want zero", what, dl, err)
		}
		if claimed, err := s.Claimed(ctx, live.Key, []string{"wf-old"}); err != nil || claimed["wf-old"] {
			t.Errorf("%s: the purged draft's workflow is still claimed (%v)", what, err)
		}
	}
	_, err = s.Get(ctx, old.Key)
	wantErr(t, "Get of a purged draft", err, draft.ErrNotFound)
	assertGone("purged")
	// A new draft with the purged one's key starts empty: nothing of the
	// old one was left behind to attach to it.
	reborn := old
	reborn.Version, reborn.Spec, reborn.Delivery, reborn.Kind = 1, spec("reborn"), nil, draft.KindCreate
	reborn.Message, reborn.RestoredFrom = "", 0
	noErr(t, "Create with a purged key", s.Create(ctx, reborn))
	assertGone("reborn")
	if revs, err := s.Revisions(ctx, old.Key); err != nil || len(revs) != 1 {
		t.Errorf("reborn draft's revisions = %+v, %v; want only its first", revs, err)
	}
	checkRevision(t, s, reborn)
	opened, err := s.Opened(ctx, browser, base.Add(-time.Hour))
	noErr(t, "Opened", err)
	for _, o := range opened {
		if o.Key == old.Key {
			t.Error("the purged draft's browser entry survived and lists the new draft")
		}
	}

	// The draft deleted after the cutoff, and the live one, keep everything.
	noErr(t, "Undelete", s.Undelete(ctx, recent.Key, at(2*time.Hour)))
	for _, kept := range []struct {
		rec draft.Record
		sub draft.Submission
	}{{recent, recentSub}, {live, liveSub}} {
		if err := sameRecord(get(t, s, kept.rec.Key), kept.rec); err != nil {
			t.Errorf("kept draft: %v", err)
		}
		checkRevision(t, s, kept.rec)
		if subs, err := s.Submissions(ctx, kept.rec.Key); err != nil || len(subs) != 2 {
			t.Errorf("kept draft's submissions = %v, %v; want 2", ids(subs), err)
		}
		if sub := read(t, s, kept.rec.Key, kept.sub.ID); len(sub.Steps) != len(kept.sub.Steps) || sub.Steps[1].State != draft.StepDone {
			t.Errorf("kept draft's steps = %+v", sub.Steps)
		}
		if dl, err := s.Delivery(ctx, kept.rec.Key); err != nil || len(dl.Nodes) != 1 || dl.Nodes[0].ID != "7002" {
			t.Errorf("kept draft's delivery = %+v, %v", dl, err)
		}
	}
	opened, err = s.Opened(ctx, browser, base.Add(-time.Hour))
	noErr(t, "Opened", err)
	if len(opened) != 2 {
		t.Errorf("browser lists %d drafts after the purge, want the 2 kept", len(opened))
	}
}
