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

// TestSubmissionOnStaleHistoryIsRefused, as in package sqlite.
func TestSubmissionOnStaleHistoryIsRefused(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	key := createDraft(t, s)
	first, err := s.CreateSubmission(ctx, key, 0, pendingSub("ann"))
	if err != nil {
		t.Fatal(err)
	}
	first.State, first.WorkflowID, first.FinishedAt, first.Live = draft.Succeeded, "1", fixedNow, []byte(`{"live":1}`)
	if err := s.FinishSubmission(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := s.CreateSubmission(ctx, key, 0, pendingSub("bob"))
	if !errors.Is(err, draft.ErrPending) || got.ID != first.ID || got.State != draft.Succeeded {
		t.Fatalf("a submit planned before the first one: %+v %v", got, err)
	}
	if latest, err := s.LatestSubmissions(ctx, key); err != nil || len(latest) != 1 || latest[0].ID != first.ID || !latest[0].FinishedAt.Equal(fixedNow) {
		t.Fatalf("latest: %+v %v", latest, err)
	}
	if err := s.FinishSubmission(ctx, first); !errors.Is(err, draft.ErrNotFound) {
		t.Fatalf("finishing twice: %v", err)
	}
}

// TestDeliveryStepsAndResume: a step's outcome and its delivery change are
// kept together; a succeeded submission keeps the live workflow; a partial
// one resumes once.
func TestDeliveryStepsAndResume(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	key := createDraft(t, s)
	sub, err := s.CreateSubmission(ctx, key, 0, pendingSub("ann"))
	if err != nil {
		t.Fatal(err)
	}
	st := sub.Steps[0]
	st.State, st.StartedAt, st.Tries = draft.StepSending, fixedNow, 1
	if err := s.StartStep(ctx, sub.ID, st); err != nil {
		t.Fatal(err)
	}
	st.State, st.TargetID, st.FinishedAt = draft.StepDone, "wf1", fixedNow
	if err := s.FinishStep(ctx, key, sub.ID, st, draft.DeliveryChange{Workflow: &draft.Delivery{ProjectID: "1", Region: "cn-shanghai", WorkflowID: "wf1"}}); err != nil {
		t.Fatal(err)
	}
	node := draft.Step{Seq: 2, Action: draft.CreateNode, Node: "n1", Name: "n1", Spec: []byte("{}"), State: draft.StepPlanned}
	if err := s.AddStep(ctx, sub.ID, node); err != nil {
		t.Fatal(err)
	}
	node.State, node.TargetID = draft.StepDone, "r1"
	for _, local := range []string{"n2", "N1", "n1"} {
		if err := s.FinishStep(ctx, key, sub.ID, node, draft.DeliveryChange{Node: &draft.DeliveredNode{Local: local, ID: "r-" + local, Name: local, Sent: []byte("{}")}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.FinishStep(ctx, key, sub.ID, node, draft.DeliveryChange{Forget: "n2"}); err != nil {
		t.Fatal(err)
	}
	sub.State, sub.FinishedAt = draft.Partial, fixedNow
	if err := s.FinishSubmission(ctx, sub); err != nil {
		t.Fatal(err)
	}
	dl, err := s.Delivery(ctx, key)
	if err != nil || dl.WorkflowID != "wf1" || dl.Live != nil || len(dl.Nodes) != 2 || dl.Nodes[0].Local != "N1" || dl.Nodes[1].Local != "n1" {
		t.Fatalf("delivery %+v %v", dl, err)
	}
	if err := s.StartStep(ctx, sub.ID, node); !errors.Is(err, draft.ErrNotFound) {
		t.Fatalf("a step of a finished submission changed: %v", err)
	}
	other := createDraft(t, s)
	if c, err := s.Claimed(ctx, other, []string{"wf1", "wf2"}); err != nil || !c["wf1"] || c["wf2"] || len(c) != 2 {
		t.Fatalf("claimed %v %v", c, err)
	}
	if c, _ := s.Claimed(ctx, key, []string{"wf1"}); c["wf1"] {
		t.Fatal("a draft's own workflow counted as another's")
	}
	// Two resumes at once: one wins.
	var wins, pendings atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := s.ResumeSubmission(ctx, key, sub.ID, "me")
			switch {
			case err == nil && got.State == draft.Pending && len(got.Steps) == 2:
				wins.Add(1)
			case errors.Is(err, draft.ErrPending) && got.ID == sub.ID:
				pendings.Add(1)
			default:
				t.Errorf("resume: %+v %v", got, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || pendings.Load() != 7 {
		t.Fatalf("%d resumes won, %d pending", wins.Load(), pendings.Load())
	}
	sub.State, sub.WorkflowID, sub.Live = draft.Succeeded, "wf1", []byte(`{"live":true}`)
	if err := s.FinishSubmission(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if dl, _ := s.Delivery(ctx, key); string(dl.Live) != `{"live":true}` {
		t.Fatalf("live not kept: %q", dl.Live)
	}
	if _, err := s.ResumeSubmission(ctx, key, sub.ID, "me"); !errors.Is(err, draft.ErrNotResumable) {
		t.Fatalf("resumed a succeeded submission: %v", err)
	}
	// Another workflow forgets the nodes and the live copy.
	if err := s.FinishStep(ctx, key, sub.ID, node, draft.DeliveryChange{Workflow: &draft.Delivery{WorkflowID: "wf9"}}); !errors.Is(err, draft.ErrNotFound) {
		t.Fatalf("finish step of a finished submission: %v", err)
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

// TestBrowserDrafts: a browser's list, once each, latest change first,
// deleted drafts until the window ends, purged ones forgotten.
func TestBrowserDrafts(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	clock := fixedNow
	svc := draft.NewService(s, "cn-shanghai", func() time.Time { return clock })
	create := func(name string) *draft.Draft {
		clock = clock.Add(time.Minute)
		d, err := svc.Create(ctx, draft.Input{Spec: flowspec.Blank(name)}, "a")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	mine, theirs := draft.NewBrowserID(), draft.NewBrowserID()
	a, b, c := create("a"), create("b"), create("c")
	for _, d := range []*draft.Draft{a, b, c, a, b} {
		if err := svc.Remember(ctx, mine, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Remember(ctx, theirs, c.ID); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Minute)
	if _, err := svc.Update(ctx, a.ID, 1, draft.Input{Spec: flowspec.Blank("a2")}, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	list := func(browser string) []string {
		opened, err := svc.Opened(ctx, browser)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range opened {
			name := o.Spec.Form().Name
			if !o.RestoreUntil.IsZero() {
				name += " (deleted)"
			}
			out = append(out, name)
		}
		return out
	}
	if got := list(mine); !slices.Equal(got, []string{"a2", "c", "b (deleted)"}) {
		t.Errorf("mine: %v", got)
	}
	if got := list(theirs); !slices.Equal(got, []string{"c"}) {
		t.Errorf("theirs: %v", got)
	}
	clock = clock.Add(draft.RestoreWindow + time.Minute)
	if got := list(mine); !slices.Equal(got, []string{"a2", "c"}) {
		t.Errorf("after the window: %v", got)
	}
	if n, err := svc.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	if err := svc.Remember(ctx, mine, b.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM browser_drafts`); n != 3 {
		t.Errorf("browser_drafts holds %d rows, want 3", n)
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
