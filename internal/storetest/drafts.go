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
)

// testDrafts: a created draft reads back whole through its key and its
// view key; replacing the view key revokes the old one.
func testDrafts(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("CreateGet", func(t *testing.T) {
		s := open(t)
		a, b := create(t, s, "a"), create(t, s, "b")
		for _, rec := range []draft.Record{a, b} {
			if err := sameRecord(get(t, s, rec.Key), rec); err != nil {
				t.Errorf("Get: %v", err)
			}
			got, err := s.GetByView(ctx, rec.ViewKey)
			noErr(t, "GetByView", err)
			if err := sameRecord(got, rec); err != nil {
				t.Errorf("GetByView: %v", err)
			}
		}
	})

	t.Run("Unknown", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		_, err := s.Get(ctx, newKey())
		wantErr(t, "Get of an unknown key", err, draft.ErrNotFound)
		_, err = s.GetByView(ctx, newKey())
		wantErr(t, "GetByView of an unknown key", err, draft.ErrNotFound)
		// The keys are of different kinds: one never opens through the other.
		_, err = s.Get(ctx, rec.ViewKey)
		wantErr(t, "Get with a view key", err, draft.ErrNotFound)
		_, err = s.GetByView(ctx, rec.Key)
		wantErr(t, "GetByView with an edit key", err, draft.ErrNotFound)
	})

	t.Run("SetView", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "a")
		old := rec.ViewKey
		rec.ViewKey, rec.ViewSeq = newKey(), 1
		noErr(t, "SetView", s.SetView(ctx, rec.Key, rec.ViewKey, rec.ViewSeq))
		_, err := s.GetByView(ctx, old)
		wantErr(t, "GetByView of the revoked view key", err, draft.ErrNotFound)
		got, err := s.GetByView(ctx, rec.ViewKey)
		noErr(t, "GetByView of the new view key", err)
		if err := sameRecord(got, rec); err != nil {
			t.Error(err)
		}
		if err := sameRecord(get(t, s, rec.Key), rec); err != nil {
			t.Errorf("Get after SetView: %v", err)
		}
		// A save keeps the new view key.
		n := save(t, s, rec, "b")
		if got, err := s.GetByView(ctx, rec.ViewKey); err != nil || got.Version != n.Version {
			t.Errorf("GetByView after a save: version %d, %v; want %d", got.Version, err, n.Version)
		}
		wantErr(t, "SetView of an unknown draft", s.SetView(ctx, newKey(), newKey(), 1), draft.ErrNotFound)
	})
}

// testUpdate: Update is a compare-and-swap on the version.
func testUpdate(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("Saves", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "v1")
		n := next(rec, "v2", "bob", time.Minute)
		n.ProjectID, n.Region = "456", "cn-beijing"
		noErr(t, "Update", s.Update(ctx, 1, n))
		if err := sameRecord(get(t, s, rec.Key), n); err != nil {
			t.Error(err)
		}
		if got, err := s.GetByView(ctx, rec.ViewKey); err != nil || got.Version != 2 {
			t.Errorf("GetByView after Update: version %d, %v; want 2", got.Version, err)
		}
	})

	t.Run("StaleVersion", func(t *testing.T) {
		s := open(t)
		rec := create(t, s, "v1")
		v2 := save(t, s, rec, "v2")
		for _, expected := range []int64{1, 3, 0} {
			stale := next(v2, "lost", "mallory", time.Hour)
			stale.Version = expected + 1
			wantErr(t, fmt.Sprintf("Update expecting %d at version 2", expected), s.Update(ctx, expected, stale), draft.ErrConflict)
		}
		if err := sameRecord(get(t, s, rec.Key), v2); err != nil {
			t.Errorf("after conflicting updates: %v", err)
		}
		revs, err := s.Revisions(ctx, rec.Key)
		noErr(t, "Revisions", err)
		if len(revs) != 2 || revs[0].Author != "bob" {
			t.Errorf("revisions after conflicting updates: %+v, want 2, the newest bob's", revs)
		}
	})

	t.Run("MissingOrDeleted", func(t *testing.T) {
		s := open(t)
		wantErr(t, "Update of an unknown draft", s.Update(ctx, 1, next(newRecord("x"), "y", "bob", time.Second)), draft.ErrNotFound)
		rec := create(t, s, "a")
		noErr(t, "Delete", s.Delete(ctx, rec.Key, at(time.Hour)))
		wantErr(t, "Update of a deleted draft", s.Update(ctx, 1, next(rec, "b", "bob", time.Second)), draft.ErrNotFound)
	})

	t.Run("Concurrent", func(t *testing.T) { testConcurrentUpdates(t, open(t)) })
}

// testConcurrentUpdates: 32 savers race on one draft, each re-reading and
// retrying a few times. Every save either wins its version or gets
// ErrConflict; the history is exactly the winners' saves, in order.
func testConcurrentUpdates(t *testing.T, s draft.Store) {
	ctx := context.Background()
	rec := create(t, s, "start")
	const savers, tries = 32, 3
	var mu sync.Mutex
	won := map[int64]draft.Record{} // version → the save that made it
	var twice []string
	var wg sync.WaitGroup
	errs := make(chan error, savers*tries)
	for g := range savers {
		wg.Go(func() {
			for try := range tries {
				cur, err := s.Get(ctx, rec.Key)
				if err != nil {
					errs <- fmt.Errorf("saver %d: Get: %w", g, err)
					return
				}
				n := next(cur, fmt.Sprintf("saver %d try %d", g, try), fmt.Sprintf("saver-%d", g), time.Duration(g+1)*time.Millisecond)
				switch g % 3 {
				case 1:
					n.Kind, n.Message = draft.KindVersion, fmt.Sprintf("named by %d/%d", g, try)
				case 2:
					n.Kind, n.RestoredFrom = draft.KindRestore, 1
				}
				switch err := s.Update(ctx, cur.Version, n); {
				case err == nil:
					mu.Lock()
					if _, dup := won[n.Version]; dup {
						twice = append(twice, fmt.Sprint(n.Version))
					}
					won[n.Version] = n
					mu.Unlock()
				case errors.Is(err, draft.ErrConflict):
				default:
					errs <- fmt.Errorf("saver %d: Update: %w", g, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(twice) > 0 {
		t.Fatalf("versions %v were won by two saves: the compare-and-swap let both through", twice)
	}
	final := get(t, s, rec.Key)
	if final.Version != int64(1+len(won)) {
		t.Fatalf("final version %d after %d successful saves, want %d", final.Version, len(won), 1+len(won))
	}
	if last := won[final.Version]; !bytes.Equal(final.Spec, last.Spec) || final.Author != last.Author {
		t.Errorf("current draft is not the last winning save: author %q, want %q", final.Author, last.Author)
	}
	revs, err := s.Revisions(ctx, rec.Key)
	noErr(t, "Revisions", err)
	if len(revs) != len(won)+1 {
		t.Fatalf("%d revisions, want %d", len(revs), len(won)+1)
	}
	for i, info := range revs {
		if want := final.Version - int64(i); info.Version != want {
			t.Fatalf("Revisions[%d].Version = %d, want %d (contiguous, newest first)", i, info.Version, want)
		}
	}
	won[1] = rec
	for v := int64(1); v <= final.Version; v++ {
		checkRevision(t, s, won[v])
	}
}

// checkRevision reads revision rec.Version and compares it with the save
// that made it.
func checkRevision(t *testing.T, s draft.Store, rec draft.Record) {
	t.Helper()
	rev, err := s.Revision(context.Background(), rec.Key, rec.Version)
	if err != nil {
		t.Errorf("Revision %d: %v", rec.Version, err)
		return
	}
	if !bytes.Equal(rev.Spec, rec.Spec) {
		t.Errorf("Revision %d spec %.80q, want %.80q", rec.Version, rev.Spec, rec.Spec)
	}
	if rev.Version != rec.Version || rev.Author != rec.Author || rev.Kind != rec.Kind || rev.Message != rec.Message ||
		rev.RestoredFrom != rec.RestoredFrom || rev.ProjectID != rec.ProjectID || rev.Region != rec.Region || !sameTime(rev.CreatedAt, rec.UpdatedAt) {
		t.Errorf("Revision %d = %+v, want version %d author %q kind %q message %q restoredFrom %d project %q region %q at %v",
			rec.Version, rev.RevisionInfo, rec.Version, rec.Author, rec.Kind, rec.Message, rec.RestoredFrom, rec.ProjectID, rec.Region, rec.UpdatedAt)
	}
}

// testRevisions: revisions list newest first with what made each, and read
// back byte for byte, however many there are.
func testRevisions(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()

	t.Run("History", func(t *testing.T) {
		s := open(t)
		saves := []draft.Record{create(t, s, "v1")}
		// Enough saves for an adapter that stores deltas against keyframes
		// to cross a few of them.
		for i := 2; i <= 70; i++ {
			n := next(saves[len(saves)-1], fmt.Sprintf("v%d", i), fmt.Sprintf("author-%d", i%4), time.Duration(i)*time.Second)
			switch i % 5 {
			case 0:
				n.Kind, n.Message = draft.KindVersion, fmt.Sprintf("release %d — «ok»", i)
			case 3:
				n.Kind, n.RestoredFrom = draft.KindRestore, int64(i-2)
				n.Spec = saves[i-3].Spec
			}
			if i == 40 {
				n.ProjectID, n.Region = "789", "cn-hangzhou"
			}
			noErr(t, "Update", s.Update(ctx, n.Version-1, n))
			saves = append(saves, n)
		}
		revs, err := s.Revisions(ctx, saves[0].Key)
		noErr(t, "Revisions", err)
		if len(revs) != len(saves) {
			t.Fatalf("%d revisions, want %d", len(revs), len(saves))
		}
		for i, info := range revs {
			want := saves[len(saves)-1-i]
			if info.Version != want.Version || info.Author != want.Author || info.Kind != want.Kind ||
				info.Message != want.Message || info.RestoredFrom != want.RestoredFrom || !sameTime(info.CreatedAt, want.UpdatedAt) {
				t.Errorf("Revisions[%d] = %+v, want version %d by %q kind %q message %q restoredFrom %d at %v",
					i, info, want.Version, want.Author, want.Kind, want.Message, want.RestoredFrom, want.UpdatedAt)
			}
		}
		for _, rec := range saves {
			checkRevision(t, s, rec)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := open(t)
		rec := save(t, s, create(t, s, "v1"), "v2")
		for _, v := range []int64{0, 3, -1, 1000} {
			_, err := s.Revision(ctx, rec.Key, v)
			wantErr(t, fmt.Sprintf("Revision %d of a draft at version 2", v), err, draft.ErrNotFound)
		}
		other := create(t, s, "other")
		if rev, err := s.Revision(ctx, other.Key, 2); !errors.Is(err, draft.ErrNotFound) {
			t.Errorf("Revision 2 of a draft at version 1 = %q, %v; want ErrNotFound (another draft's revision?)", rev.Spec, err)
		}
		_, err := s.Revision(ctx, newKey(), 1)
		wantErr(t, "Revision of an unknown draft", err, draft.ErrNotFound)
		if revs, err := s.Revisions(ctx, newKey()); err == nil && len(revs) > 0 {
			t.Errorf("Revisions of an unknown draft = %+v", revs)
		}
	})
}

// testTimes: every time the store keeps reads back to the millisecond, in
// UTC; times not set read back zero.
func testTimes(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()
	s := open(t)
	rec := newRecord("times")
	rec.CreatedAt = time.Date(2031, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
	rec.UpdatedAt = rec.CreatedAt
	noErr(t, "Create", s.Create(ctx, rec))
	if err := sameRecord(get(t, s, rec.Key), rec); err != nil {
		t.Error(err)
	}
	n := next(rec, "later", "bob", 1001*time.Millisecond)
	noErr(t, "Update", s.Update(ctx, 1, n))
	got := get(t, s, rec.Key)
	if !sameTime(got.CreatedAt, rec.CreatedAt) || !sameTime(got.UpdatedAt, n.UpdatedAt) {
		t.Errorf("after Update: created %v updated %v, want %v and %v (UTC)", got.CreatedAt, got.UpdatedAt, rec.CreatedAt, n.UpdatedAt)
	}
	checkRevision(t, s, n)

	sub := newSubmission(got, 1)
	sub.CreatedAt = n.UpdatedAt.Add(7 * time.Millisecond)
	sub.Steps[0].StartedAt = sub.CreatedAt.Add(3 * time.Millisecond)
	created, err := s.CreateSubmission(ctx, rec.Key, 0, sub)
	noErr(t, "CreateSubmission", err)
	read, err := s.Submission(ctx, rec.Key, created.ID)
	noErr(t, "Submission", err)
	if !sameTime(read.CreatedAt, sub.CreatedAt) || !read.FinishedAt.IsZero() {
		t.Errorf("pending submission: created %v finished %v, want %v and zero", read.CreatedAt, read.FinishedAt, sub.CreatedAt)
	}
	if st := read.Steps[0]; !sameTime(st.StartedAt, sub.Steps[0].StartedAt) || !st.FinishedAt.IsZero() {
		t.Errorf("planned step: started %v finished %v, want %v and zero", st.StartedAt, st.FinishedAt, sub.Steps[0].StartedAt)
	}
	if st := read.Steps[1]; !st.StartedAt.IsZero() || !st.FinishedAt.IsZero() {
		t.Errorf("step never started: started %v finished %v, want zero", st.StartedAt, st.FinishedAt)
	}
	created.State, created.FinishedAt = draft.Failed, sub.CreatedAt.Add(999*time.Millisecond)
	noErr(t, "FinishSubmission", s.FinishSubmission(ctx, created))
	read, err = s.Submission(ctx, rec.Key, created.ID)
	noErr(t, "Submission", err)
	if !sameTime(read.FinishedAt, created.FinishedAt) {
		t.Errorf("finished at %v, want %v (UTC)", read.FinishedAt, created.FinishedAt)
	}
}
