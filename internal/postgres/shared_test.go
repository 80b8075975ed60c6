package postgres

// Guarantees that hold across instances: several Stores on one database.

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/postgres/pgtest"
)

func createDraft(t *testing.T, s draft.Store) string {
	t.Helper()
	d, err := newService(s).Create(context.Background(), draft.Input{Spec: flowspec.Blank("x")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return keyOf(d.ID)
}

func pendingSub(author string) draft.Submission {
	return draft.Submission{DraftVersion: 1, Spec: []byte("{}"), Operation: draft.OpCreate, Author: author, CreatedAt: fixedNow,
		Steps: []draft.Step{{Seq: 1, Action: draft.CreateWorkflow, Name: "x", Spec: []byte("{}"), State: draft.StepPlanned}}}
}

// TestOnePendingSubmissionUnderConcurrency: 16 submits on two instances
// at once record exactly one submission; the others get ErrPending with it.
func TestOnePendingSubmissionUnderConcurrency(t *testing.T) {
	a, u := open(t)
	b, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	key := createDraft(t, a)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var won []int64
	var lost []draft.Submission
	for i := range 16 {
		s := []*Store{a, b}[i%2]
		wg.Go(func() {
			sub, err := s.CreateSubmission(context.Background(), key, 0, pendingSub("u"))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won = append(won, sub.ID)
			case errors.Is(err, draft.ErrPending):
				lost = append(lost, sub)
			default:
				t.Errorf("submit: %v", err)
			}
		})
	}
	wg.Wait()
	if len(won) != 1 || len(lost) != 15 {
		t.Fatalf("%d submissions recorded, %d refused", len(won), len(lost))
	}
	for _, l := range lost {
		if l.ID != won[0] || l.State != draft.Pending {
			t.Fatalf("refused with %+v, not the submission in the way (%d)", l, won[0])
		}
	}
	if subs, _ := a.Submissions(context.Background(), key); len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	got, err := a.Submission(context.Background(), key, won[0])
	if err != nil || len(got.Steps) != 1 || got.DraftKey != key {
		t.Fatalf("submission: %+v %v", got, err)
	}
}

// TestClaimOrphansLeases: a live instance's pending delivery is never
// taken; a stale or never-renewed one is taken by exactly one claimer.
func TestClaimOrphansLeases(t *testing.T) {
	a, u := open(t)
	b, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	now := fixedNow
	mk := func(owner string) int64 {
		sub := pendingSub("ann")
		sub.Owner = owner
		got, err := a.CreateSubmission(ctx, createDraft(t, a), 0, sub)
		if err != nil {
			t.Fatal(err)
		}
		return got.ID
	}
	live, stale, never := mk("live"), mk("stale"), mk("never")
	if err := a.Renew(ctx, "live", now); err != nil {
		t.Fatal(err)
	}
	if err := a.Renew(ctx, "stale", now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	staleBefore := now.Add(-draft.LeaseTime)
	var mu sync.Mutex
	taken := map[int64]string{}
	var wg sync.WaitGroup
	for i := range 8 {
		s, owner := []*Store{a, b}[i%2], "claimer"+string(rune('0'+i))
		wg.Go(func() {
			if err := s.Renew(ctx, owner, now); err != nil {
				t.Error(err)
				return
			}
			subs, err := s.ClaimOrphans(ctx, owner, staleBefore)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, sub := range subs {
				if prev, dup := taken[sub.ID]; dup {
					t.Errorf("delivery %d taken by %s and %s", sub.ID, prev, owner)
				}
				if sub.DraftKey == "" || len(sub.Steps) != 1 {
					t.Errorf("claimed %+v", sub)
				}
				taken[sub.ID] = owner
			}
		})
	}
	wg.Wait()
	ids := make([]int64, 0, len(taken))
	for id := range taken {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int64{stale, never}) {
		t.Fatalf("claimed %v, want the stale %d and the never renewed %d (not the live %d)", ids, stale, never, live)
	}
	// The claimers are live now: nothing more to take.
	if subs, err := a.ClaimOrphans(ctx, "late", staleBefore); err != nil || len(subs) != 0 {
		t.Fatalf("took a live claimer's deliveries: %d %v", len(subs), err)
	}
}

// TestPurgeTwoInstances: two stores purging together remove each draft
// once; together they count exactly the drafts deleted.
func TestPurgeTwoInstances(t *testing.T) {
	a, u := open(t)
	b, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	svc := newService(a)
	const n = 200
	for range n {
		d, err := svc.Create(ctx, draft.Input{Spec: flowspec.Blank("x")}, "a")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Delete(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		s := []*Store{a, b}[i%2]
		wg.Go(func() {
			got, err := s.Purge(ctx, fixedNow.Add(time.Hour))
			if err != nil {
				t.Error(err)
			}
			total.Add(int64(got))
		})
	}
	wg.Wait()
	if total.Load() != n || count(t, a, `SELECT count(*) FROM drafts`) != 0 {
		t.Fatalf("purged %d of %d; %d left", total.Load(), n, count(t, a, `SELECT count(*) FROM drafts`))
	}
}

// TestConcurrentOpensMigrateOnce: instances starting together apply each
// migration once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	u := pgtest.Start(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			s, err := Open(context.Background(), u)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	known, _ := embedded()
	if n := count(t, s, `SELECT count(*) FROM schema_migrations`); n != len(known) {
		t.Fatalf("%d migrations recorded, %d known", n, len(known))
	}
}

// TestNewerDatabaseIsRefused: a database a newer FlowForm migrated is not
// opened, and the message names both versions.
func TestNewerDatabaseIsRefused(t *testing.T) {
	s, u := open(t)
	known, _ := embedded()
	last := known[len(known)-1].version
	if _, err := s.pool.Exec(context.Background(), `INSERT INTO schema_migrations VALUES ($1, '9999_future.sql', 0)`, last+1); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "migration 2 (9999_future.sql)") || !strings.Contains(err.Error(), "up to 1") {
		t.Fatalf("opened a newer database: %v", err)
	}
}

// TestDamagedStopsWrites: once told of damage, the store reports it and
// takes no writes; reads go on.
func TestDamagedStopsWrites(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	svc := newService(s)
	d, err := svc.Create(ctx, draft.Input{Spec: spec4K("v1")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	s.Damaged(errors.New("revision 1 reads back wrong"))
	if err := s.Health(ctx); err == nil || !strings.Contains(err.Error(), "postgres") {
		t.Fatalf("health: %v", err)
	}
	if _, err := svc.Update(ctx, d.ID, 1, draft.Input{Spec: spec4K("v2")}, "ann"); err == nil {
		t.Fatal("a save after the damage")
	}
	if _, err := svc.Get(ctx, d.ID); err != nil {
		t.Fatalf("read after the damage: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM revisions`); n != 1 {
		t.Fatalf("%d revisions", n)
	}
}
