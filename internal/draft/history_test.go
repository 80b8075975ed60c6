package draft

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestGroupFoldsEditsIntoSessions: consecutive edits by one author within
// SessionGap are one entry; an author change, a long pause, a named
// version, a restore and the creation each start a new one.
func TestGroupFoldsEditsIntoSessions(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	rev := func(v int64, kind RevisionKind, author string, after time.Duration) RevisionInfo {
		return RevisionInfo{Version: v, Kind: kind, Author: author, CreatedAt: t0.Add(after)}
	}
	for _, tc := range []struct {
		name string
		revs []RevisionInfo // oldest first, as they were saved
		want string         // entries newest first: kind first-last×saves
	}{
		{"creation alone", []RevisionInfo{rev(1, KindCreate, "a", 0)}, "create 1-1×1"},
		{"forty autosaves are one session",
			append([]RevisionInfo{rev(1, KindCreate, "a", 0)}, edits(2, 41, "a", t0, 3*time.Second)...),
			"edit 2-41×40 | create 1-1×1"},
		{"another author starts a session", []RevisionInfo{
			rev(1, KindCreate, "a", 0), rev(2, KindEdit, "a", time.Second), rev(3, KindEdit, "a", 2*time.Second),
			rev(4, KindEdit, "b", 3*time.Second), rev(5, KindEdit, "a", 4*time.Second)},
			"edit 5-5×1 | edit 4-4×1 | edit 2-3×2 | create 1-1×1"},
		{"a pause longer than the gap splits", []RevisionInfo{
			rev(1, KindCreate, "a", 0), rev(2, KindEdit, "a", time.Minute), rev(3, KindEdit, "a", time.Minute+SessionGap),
			rev(4, KindEdit, "a", 2*time.Minute+2*SessionGap)},
			"edit 4-4×1 | edit 2-3×2 | create 1-1×1"},
		{"a named version stands alone and ends the session", []RevisionInfo{
			rev(1, KindCreate, "a", 0), rev(2, KindEdit, "a", time.Second), rev(3, KindVersion, "a", 2*time.Second),
			rev(4, KindVersion, "a", 3*time.Second), rev(5, KindEdit, "a", 4*time.Second), rev(6, KindEdit, "a", 5*time.Second)},
			"edit 5-6×2 | version 4-4×1 | version 3-3×1 | edit 2-2×1 | create 1-1×1"},
		{"a restore stands alone", []RevisionInfo{
			rev(1, KindCreate, "a", 0), rev(2, KindEdit, "a", time.Second), rev(3, KindRestore, "a", 2*time.Second),
			rev(4, KindEdit, "a", 3*time.Second)},
			"edit 4-4×1 | restore 3-3×1 | edit 2-2×1 | create 1-1×1"},
		{"edits right after the creation are a session of their own", []RevisionInfo{
			rev(1, KindCreate, "a", 0), rev(2, KindEdit, "a", 0)},
			"edit 2-2×1 | create 1-1×1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newestFirst := make([]RevisionInfo, len(tc.revs))
			for i, r := range tc.revs {
				newestFirst[len(tc.revs)-1-i] = r
			}
			var got []string
			for _, e := range group(newestFirst) {
				got = append(got, fmt.Sprintf("%s %d-%d×%d", e.Kind, e.First.Version, e.Last.Version, e.Saves))
			}
			if s := strings.Join(got, " | "); s != tc.want {
				t.Errorf("got  %s\nwant %s", s, tc.want)
			}
		})
	}
}

func edits(from, to int64, author string, start time.Time, every time.Duration) []RevisionInfo {
	var out []RevisionInfo
	for v := from; v <= to; v++ {
		out = append(out, RevisionInfo{Version: v, Kind: KindEdit, Author: author, CreatedAt: start.Add(time.Duration(v) * every)})
	}
	return out
}

// TestCheckMessage: a version message is one short line of visible text.
func TestCheckMessage(t *testing.T) {
	for _, tc := range []struct {
		message string
		ok      bool
	}{
		{"", true},
		{"Before release 2.0", true},
		{"发布前的版本", true},
		{strings.Repeat("x", MaxMessage), true},
		{strings.Repeat("x", MaxMessage+1), false},
		{strings.Repeat("版", MaxMessage+1), false},
		{"two\nlines", false},
		{"bidi \u202e override", false},
		{"zero\u200bwidth", false},
	} {
		if err := checkMessage(tc.message); (err == nil) != tc.ok {
			t.Errorf("checkMessage(%q) = %v, want ok=%v", tc.message, err, tc.ok)
		}
	}
}
