package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
)

// claim runs ClaimOrphans and returns the claimed submissions' ids, sorted.
func claim(t *testing.T, s draft.Store, by string, staleBefore time.Time) []int64 {
	t.Helper()
	subs, err := s.ClaimOrphans(context.Background(), by, staleBefore)
	noErr(t, "ClaimOrphans", err)
	got := ids(subs)
	slices.Sort(got)
	return got
}

// testResume: a delivery that stopped part-way becomes pending again under
// a new owner; nothing else is resumable, and of concurrent resumes one
// wins.
func testResume(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	cases := []struct {
		state string
		want  error
	}{
		{draft.Partial, nil},
		{draft.Unknown, nil},
		{draft.Succeeded, draft.ErrNotResumable},
		{draft.Failed, draft.ErrNotResumable},
		{draft.Pending, draft.ErrPending},
	}
	for _, c := range cases {
		t.Run(c.state, func(t *testing.T) {
			s := open(t)
			rec := create(t, s, "a")
			sub := submit(t, s, rec, 0)
			sub.Steps[0] = stepDone(sub.Steps[0], "wf-1", at(time.Minute))
			noErr(t, "FinishStep", s.FinishStep(ctx, rec.Key, sub.ID, sub.Steps[0], draft.DeliveryChange{}))
			if c.state != draft.Pending {
				sub = finish(t, s, sub, c.state)
			}
			got, err := s.ResumeSubmission(ctx, rec.Key, sub.ID, "i-resumer")
			if !errors.Is(err, c.want) {
				t.Fatalf("ResumeSubmission of a %s submission: %v, want %v", c.state, err, c.want)
			}
			stored := read(t, s, rec.Key, sub.ID)
			switch {
			case c.want == nil:
				if got.ID != sub.ID || got.State != draft.Pending || !got.FinishedAt.IsZero() {
					t.Errorf("resumed: id %d state %q finished %v, want %d pending unfinished", got.ID, got.State, got.FinishedAt, sub.ID)
				}
				if err := sameSteps(got.Steps, sub.Steps); err != nil {
					t.Errorf("resumed without its steps: %v", err)
				}
				if stored.State != draft.Pending || !stored.FinishedAt.IsZero() {
					t.Errorf("stored after resume: %q finished %v, want pending", stored.State, stored.FinishedAt)
				}
				// Owned by the resumer: alive, it keeps it; stale, it is claimed.
				noErr(t, "Renew", s.Renew(ctx, "i-resumer", at(time.Hour)))
				if got := claim(t, s, "i-other", at(time.Hour)); len(got) != 0 {
					t.Errorf("a live resumer's delivery was claimed: %v", got)
				}
				if got := claim(t, s, "i-other", at(2*time.Hour)); !slices.Equal(got, []int64{sub.ID}) {
					t.Errorf("a stale resumer's delivery: claimed %v, want [%d]", got, sub.ID)
				}
			case errors.Is(c.want, draft.ErrPending):
				if got.ID != sub.ID || got.State != draft.Pending {
					t.Errorf("ErrPending came with %d (%q), want the pending %d", got.ID, got.State, sub.ID)
				}
			default:
				if stored.State != c.state {
					t.Errorf("a refused resume changed the state to %q", stored.State)
				}
			}
		})
	}

	t.Run("NotLatest", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		old := finish(t, s, submit(t, s, rec, 0), draft.Partial)
		finish(t, s, submit(t, s, rec, old.ID), draft.Failed)
		_, err := s.ResumeSubmission(ctx, rec.Key, old.ID, "i-resumer")
		wantErr(t, "ResumeSubmission of a partial submission that is not the latest", err, draft.ErrNotResumable)
		if got := read(t, s, rec.Key, old.ID); got.State != draft.Partial {
			t.Errorf("state %q after a refused resume, want partial", got.State)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := open(t)
		rec, other := create(t, s, "a"), create(t, s, "b")
		sub := finish(t, s, submit(t, s, rec, 0), draft.Partial)
		_, err := s.ResumeSubmission(ctx, rec.Key, sub.ID+1, "i-resumer")
		wantErr(t, "ResumeSubmission of an unknown id", err, draft.ErrNotFound)
		_, err = s.ResumeSubmission(ctx, other.Key, sub.ID, "i-resumer")
		wantErr(t, "ResumeSubmission through another draft", err, draft.ErrNotFound)
		if got := read(t, s, rec.Key, sub.ID); got.State != draft.Partial {
			t.Errorf("state %q, want partial", got.State)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		sub := finish(t, s, submit(t, s, rec, 0), draft.Unknown)
		const n = 8
		var wg sync.WaitGroup
		results := make([]draft.Submission, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { results[i], errs[i] = s.ResumeSubmission(ctx, rec.Key, sub.ID, fmt.Sprintf("i-%d", i)) })
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, draft.ErrPending):
				if results[i].ID != sub.ID || results[i].State != draft.Pending {
					t.Errorf("ErrPending came with %d (%q), want the pending %d", results[i].ID, results[i].State, sub.ID)
				}
			default:
				t.Errorf("resume %d: %v, want nil or ErrPending", i, err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent resumes won, want exactly 1", wins)
		}
	})
}

// testLeases: ClaimOrphans takes the pending deliveries of instances that
// stopped renewing (or never did), once, never a live instance's, and
// never hands one delivery to two claimers.
func testLeases(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("StaleOrLive", func(t *testing.T) {
		s := open(t)
		pending := func(tag, by string) draft.Submission {
			rec := create(t, s, tag)
			sub := newSubmission(rec, 2)
			sub.Owner = by
			got, err := s.CreateSubmission(ctx, rec.Key, 0, sub)
			noErr(t, "CreateSubmission", err)
			got.DraftKey = rec.Key
			return got
		}
		noErr(t, "Renew", s.Renew(ctx, "i-early", at(time.Minute)))
		noErr(t, "Renew", s.Renew(ctx, "i-stale", at(time.Minute)))
		noErr(t, "Renew", s.Renew(ctx, "i-renewed", at(time.Minute)))
		noErr(t, "Renew", s.Renew(ctx, "i-renewed", at(time.Hour)))
		noErr(t, "Renew", s.Renew(ctx, "i-edge", at(10*time.Minute)))
		early := pending("early", "i-early")
		stale := pending("stale", "i-stale")
		ghost := pending("ghost", "i-never-renewed")
		renewed := pending("renewed", "i-renewed")
		edge := pending("edge", "i-edge")
		done := pending("done", "i-stale")
		finish(t, s, done, draft.Failed)

		if got := claim(t, s, "i-claimer", at(time.Minute)); !slices.Equal(got, []int64{ghost.ID}) {
			t.Errorf("claimed %v with everyone renewed at the cutoff, want only the never-renewed [%d]", got, ghost.ID)
		}
		noErr(t, "Renew", s.Renew(ctx, "i-claimer", at(2*time.Hour)))
		subs, err := s.ClaimOrphans(ctx, "i-claimer", at(10*time.Minute))
		noErr(t, "ClaimOrphans", err)
		if got := ids(subs); len(got) != 2 || !slices.Contains(got, stale.ID) || !slices.Contains(got, early.ID) {
			t.Errorf("claimed %v renewed before the cutoff, want %d and %d (not %d renewed at it, %d renewed after, %d finished)",
				got, stale.ID, early.ID, edge.ID, renewed.ID, done.ID)
		}
		for _, got := range subs {
			want := stale
			if got.ID == early.ID {
				want = early
			}
			if got.DraftKey != want.DraftKey {
				t.Errorf("claimed %d with draft key %.8s, want %.8s", got.ID, got.DraftKey, want.DraftKey)
			}
			if err := sameSubmission(got, want); err != nil {
				t.Errorf("claimed: %v", err)
			}
			if err := sameSteps(got.Steps, want.Steps); err != nil {
				t.Errorf("claimed %d: %v", got.ID, err)
			}
		}
		// Claimed once: the claimer owns them now, and it is alive.
		if got := claim(t, s, "i-claimer", at(10*time.Minute)); len(got) != 0 {
			t.Errorf("claimed again: %v", got)
		}
		if got := claim(t, s, "i-third", at(time.Hour)); !slices.Equal(got, []int64{edge.ID}) {
			t.Errorf("a third instance claimed %v, want only [%d] (not the live claimer's, not i-renewed's renewed at the cutoff)", got, edge.ID)
		}
		if got := claim(t, s, "i-third", at(time.Hour+time.Millisecond)); !slices.Equal(got, []int64{renewed.ID}) {
			t.Errorf("claimed %v once i-renewed went stale, want [%d]", got, renewed.ID)
		}
	})

	t.Run("ConcurrentClaimers", func(t *testing.T) {
		s := open(t)
		var want []int64
		for i := range 12 {
			want = append(want, submit(t, s, create(t, s, fmt.Sprint(i)), 0).ID)
		}
		slices.Sort(want)
		const claimers = 4
		// Live instances: each renewed its lease before looking for orphans.
		for i := range claimers {
			noErr(t, "Renew", s.Renew(ctx, fmt.Sprintf("i-claimer-%d", i), at(2*time.Hour)))
		}
		var wg sync.WaitGroup
		got := make([][]draft.Submission, claimers)
		errs := make([]error, claimers)
		for i := range claimers {
			wg.Go(func() { got[i], errs[i] = s.ClaimOrphans(ctx, fmt.Sprintf("i-claimer-%d", i), at(time.Hour)) })
		}
		wg.Wait()
		seen := map[int64]int{}
		var all []int64
		for i := range claimers {
			noErr(t, "ClaimOrphans", errs[i])
			for _, sub := range got[i] {
				if c, dup := seen[sub.ID]; dup {
					t.Errorf("submission %d claimed by both claimer %d and claimer %d", sub.ID, c, i)
				}
				seen[sub.ID] = i
				all = append(all, sub.ID)
			}
		}
		slices.Sort(all)
		if !slices.Equal(slices.Compact(all), want) {
			t.Errorf("claimed %v in all, want every orphan %v", all, want)
		}
	})
}
