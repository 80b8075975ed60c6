package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
)

// opened lists a browser's drafts' keys, in order.
func opened(t *testing.T, s draft.Store, browser string, deletedAfter time.Time) ([]string, []draft.OpenedRecord) {
	t.Helper()
	recs, err := s.Opened(context.Background(), browser, deletedAfter)
	noErr(t, "Opened", err)
	keys := make([]string, len(recs))
	for i, r := range recs {
		keys[i] = r.Key
	}
	return keys, recs
}

// testBrowsers: a browser's list holds the drafts it remembered, once
// each, with their sealed tokens, latest change first, deleted ones only
// while they can come back.
func testBrowsers(t *testing.T, open func(t *testing.T) draft.Store) {
	ctx := context.Background()
	cutoff := base.Add(-time.Hour)

	t.Run("Remember", func(t *testing.T) {
		s := open(t)
		browser, other := newKey(), newKey()
		if keys, _ := opened(t, s, browser, cutoff); len(keys) != 0 {
			t.Fatalf("a new browser lists %d drafts", len(keys))
		}
		rec := save(t, s, create(t, s, "a"), "a v2")
		noErr(t, "Remember", s.Remember(ctx, browser, rec.Key, []byte("sealed once")))
		noErr(t, "Remember again", s.Remember(ctx, browser, rec.Key, []byte("sealed twice")))
		keys, recs := opened(t, s, browser, cutoff)
		if len(keys) != 1 {
			t.Fatalf("a draft remembered twice is listed %d times", len(keys))
		}
		if err := sameRecord(recs[0].Record, rec); err != nil {
			t.Error(err)
		}
		if !bytes.Equal(recs[0].Sealed, []byte("sealed once")) || !recs[0].DeletedAt.IsZero() {
			t.Errorf("listed with sealed %q deleted %v, want the first sealed token and not deleted", recs[0].Sealed, recs[0].DeletedAt)
		}
		if keys, _ := opened(t, s, other, cutoff); len(keys) != 0 {
			t.Errorf("another browser lists %d drafts it never opened", len(keys))
		}
	})

	t.Run("UnknownDraft", func(t *testing.T) {
		s := open(t)
		browser := newKey()
		rec := newRecord("later")
		noErr(t, "Remember of an unknown draft", s.Remember(ctx, browser, rec.Key, []byte("sealed")))
		if keys, _ := opened(t, s, browser, cutoff); len(keys) != 0 {
			t.Errorf("an unknown draft is listed")
		}
		// Nothing was kept for it: a draft created with that key later is
		// not listed.
		noErr(t, "Create", s.Create(ctx, rec))
		if keys, _ := opened(t, s, browser, cutoff); len(keys) != 0 {
			t.Errorf("remembering an unknown draft kept an entry that now lists a new draft")
		}
	})

	t.Run("Deleted", func(t *testing.T) {
		s := open(t)
		browser := newKey()
		rec := create(t, s, "a")
		noErr(t, "Remember", s.Remember(ctx, browser, rec.Key, []byte("sealed")))
		deleted := at(time.Hour)
		noErr(t, "Delete", s.Delete(ctx, rec.Key, deleted))
		cases := []struct {
			name         string
			deletedAfter time.Time
			listed       bool
		}{
			{"within the window", deleted.Add(-time.Millisecond), true},
			{"at the window's end", deleted, false},
			{"after the window", deleted.Add(time.Hour), false},
		}
		for _, c := range cases {
			keys, recs := opened(t, s, browser, c.deletedAfter)
			if (len(keys) == 1) != c.listed || len(keys) > 1 {
				t.Errorf("%s: listed %d, want listed=%v", c.name, len(keys), c.listed)
				continue
			}
			if c.listed && !sameTime(recs[0].DeletedAt, deleted) {
				t.Errorf("%s: DeletedAt %v, want %v (UTC)", c.name, recs[0].DeletedAt, deleted)
			}
		}
		noErr(t, "Undelete", s.Undelete(ctx, rec.Key, cutoff))
		if _, recs := opened(t, s, browser, deleted.Add(time.Hour)); len(recs) != 1 || !recs[0].DeletedAt.IsZero() {
			t.Errorf("after Undelete: %d listed, want 1 not deleted", len(recs))
		}
	})

	t.Run("LatestChangeFirst", func(t *testing.T) {
		s := open(t)
		browser := newKey()
		var recs []draft.Record
		for i, tag := range []string{"a", "b", "c"} {
			rec := newRecord(tag)
			rec.CreatedAt = at(time.Duration(i) * time.Minute)
			rec.UpdatedAt = rec.CreatedAt
			noErr(t, "Create", s.Create(ctx, rec))
			noErr(t, "Remember", s.Remember(ctx, browser, rec.Key, []byte("sealed "+tag)))
			recs = append(recs, rec)
		}
		check := func(what string, want ...draft.Record) {
			t.Helper()
			keys, got := opened(t, s, browser, cutoff)
			if len(keys) != len(want) {
				t.Fatalf("%s: %d listed, want %d", what, len(keys), len(want))
			}
			for i := range want {
				if keys[i] != want[i].Key {
					t.Errorf("%s: entry %d is %q, want %q (latest change first)", what, i, got[i].Spec, want[i].Spec)
				}
			}
		}
		check("by creation", recs[2], recs[1], recs[0])
		// Saving the oldest brings it to the top.
		n := next(recs[0], "a v2", "bob", time.Hour)
		noErr(t, "Update", s.Update(ctx, 1, n))
		check("after saving a", n, recs[2], recs[1])
	})
}
