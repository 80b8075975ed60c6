package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// clock is a test clock that moves only when told.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time                 { return c.now }
func (c *clock) advance(d time.Duration) *clock { c.now = c.now.Add(d); return c }

// withForm returns a copy of doc with edit applied to its form.
func withForm(doc *flowspec.Document, edit func(*flowspec.Form)) *flowspec.Document {
	doc = doc.Clone()
	f := doc.Form()
	edit(&f)
	doc.Apply(f)
	return doc
}

// TestHistoryShowsSessionsAndNamedVersions saves the way the editor does
// (an autosave per pause) and reads the history back: one entry per
// editing session naming what it changed, named versions with their
// messages, restores with what they brought back.
func TestHistoryShowsSessionsAndNamedVersions(t *testing.T) {
	s, _ := openTest(t)
	clk := &clock{now: fixedNow}
	svc := draft.NewService(s, "cn-shanghai", clk.Now)
	ctx := context.Background()
	d, err := svc.Create(ctx, draft.Input{Spec: spec4K("start")}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	doc, v := d.Spec, d.Version
	save := func(author string, edit func(*flowspec.Form)) {
		t.Helper()
		doc = withForm(doc, edit)
		clk.advance(3 * time.Second)
		saved, err := svc.Update(ctx, d.ID, v, draft.Input{Spec: doc}, author)
		if err != nil {
			t.Fatal(err)
		}
		v = saved.Version
	}
	// Alice types a retry interval digit by digit and steps through the run states.
	for _, minutes := range []int64{1, 14, 4, 45} {
		save("alice", func(f *flowspec.Form) { f.RerunIntervalMinutes = minutes })
	}
	for _, state := range []string{"Skip", "Pause", "Skip"} {
		save("alice", func(f *flowspec.Form) { f.RecurrenceType = state })
	}
	clk.advance(time.Second)
	named, err := svc.SaveVersion(ctx, d.ID, v, draft.Input{Spec: doc}, "  Before release  ", "alice")
	if err != nil {
		t.Fatal(err)
	}
	v = named.Version
	save("bob", func(f *flowspec.Form) { f.Priority = 7 })
	clk.advance(draft.SessionGap + time.Minute)
	save("bob", func(f *flowspec.Form) { f.Priority = 8 })
	restored, err := svc.Restore(ctx, d.ID, named.Version, v, "carol")
	if err != nil {
		t.Fatal(err)
	}

	entries, err := svc.History(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind         draft.RevisionKind
		first, last  int64
		author, note string
		paths        []string
	}
	wants := []want{
		{draft.KindRestore, 12, 12, "carol", "", []string{"strategy.priority"}},
		{draft.KindEdit, 11, 11, "bob", "", []string{"strategy.priority"}},
		{draft.KindEdit, 10, 10, "bob", "", []string{"strategy.priority"}},
		{draft.KindVersion, 9, 9, "alice", "Before release", nil},
		{draft.KindEdit, 2, 8, "alice", "", []string{"strategy.rerunInterval", "strategy.recurrenceType"}},
		{draft.KindCreate, 1, 1, "alice", "", nil},
	}
	if len(entries) != len(wants) {
		t.Fatalf("%d entries, want %d: %+v", len(entries), len(wants), entries)
	}
	for i, w := range wants {
		e := entries[i]
		var paths []string
		for _, ch := range e.Changes {
			paths = append(paths, strings.TrimPrefix(ch.Path, "spec.workflows[0]."))
		}
		if e.Kind != w.kind || e.First.Version != w.first || e.Last.Version != w.last || e.Last.Author != w.author ||
			e.Last.Message != w.note || strings.Join(paths, ",") != strings.Join(w.paths, ",") {
			t.Errorf("entry %d = %s v%d–v%d by %s %q changes %v; want %+v", i, e.Kind, e.First.Version, e.Last.Version, e.Last.Author, e.Last.Message, paths, w)
		}
	}
	if s := entries[4]; s.Saves != 7 || !s.First.CreatedAt.Before(s.Last.CreatedAt) {
		t.Errorf("alice's session: %d saves, %v–%v", s.Saves, s.First.CreatedAt, s.Last.CreatedAt)
	}
	// The session's changes run from before it to its end: 10 → 45 minutes.
	for _, ch := range entries[4].Changes {
		if strings.HasSuffix(ch.Path, "rerunInterval") && (ch.Old == ch.New || ch.New != "2700000") {
			t.Errorf("retry interval change %+v", ch)
		}
	}
	// The listing carries what made each revision.
	revs, err := svc.Revisions(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := revs[0]; r.Kind != draft.KindRestore || r.RestoredFrom != named.Version || r.Version != restored.Version {
		t.Errorf("restore revision %+v", r)
	}
	if r := revs[int64(len(revs))-named.Version]; r.Kind != draft.KindVersion || r.Message != "Before release" {
		t.Errorf("named revision %+v", r)
	}
	if r, err := svc.Revision(ctx, d.ID, named.Version); err != nil || r.Kind != draft.KindVersion || r.Message != "Before release" {
		t.Errorf("named revision read alone: %+v %v", r.RevisionInfo, err)
	}
}

// TestNamedVersionsKeepTheGuard: a named version is a save like any other:
// a stale one is refused with the current draft and stores nothing, and a
// bad message changes nothing.
func TestNamedVersionsKeepTheGuard(t *testing.T) {
	s, _ := openTest(t)
	svc := newService(s)
	ctx := context.Background()
	d, err := svc.Create(ctx, draft.Input{Spec: spec4K("start")}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(ctx, d.ID, 1, draft.Input{Spec: spec4K("bob's edit")}, "bob"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		expected int64
		message  string
		code     draft.Code
	}{
		{"stale named version", 1, "mine", draft.Conflict},
		{"version from the future", 5, "mine", draft.Conflict},
		{"message too long", 2, strings.Repeat("m", draft.MaxMessage+1), draft.Invalid},
		{"message with a control character", 2, "line\x00", draft.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.SaveVersion(ctx, d.ID, tc.expected, draft.Input{Spec: spec4K("alice's named")}, tc.message, "alice")
			var de *draft.Error
			if !errors.As(err, &de) || de.Code != tc.code {
				t.Fatalf("SaveVersion = %v, want %s", err, tc.code)
			}
			if tc.code == draft.Conflict && (de.Current == nil || de.Current.Version != 2) {
				t.Errorf("conflict without the current draft: %+v", de.Current)
			}
			revs, err := svc.Revisions(ctx, d.ID)
			if err != nil || len(revs) != 2 || revs[0].Kind != draft.KindEdit {
				t.Errorf("a refused named version stored something: %+v %v", revs, err)
			}
		})
	}
	// The right version saves, even with nothing changed: naming a state is the point.
	cur, _ := svc.Get(ctx, d.ID)
	named, err := svc.SaveVersion(ctx, d.ID, 2, draft.Input{Spec: cur.Spec}, "", "alice")
	if err != nil || named.Version != 3 {
		t.Fatalf("named version: %v", err)
	}
	if changes, _ := svc.Diff(ctx, d.ID, 2, 3); len(changes) != 0 {
		t.Errorf("an unchanged named version differs: %+v", changes)
	}
}
