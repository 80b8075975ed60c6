package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// TestBrowserDrafts: a browser's list holds what it remembered, once each,
// latest change first, with deleted drafts until their window ends and
// without purged ones; another browser's list is its own.
func TestBrowserDrafts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	clock := fixedNow
	svc := draft.NewService(s, "cn-shanghai", func() time.Time { return clock })
	create := func(name string) *draft.Draft {
		t.Helper()
		clock = clock.Add(time.Minute)
		d, err := svc.Create(ctx, draft.Input{Spec: flowspec.Blank(name)}, "a")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	mine, theirs := draft.NewBrowserID(), draft.NewBrowserID()
	a, b, c := create("a"), create("b"), create("c")
	for _, d := range []*draft.Draft{a, b, c, a, b} { // twice is once
		if err := svc.Remember(ctx, mine, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Remember(ctx, theirs, c.ID); err != nil {
		t.Fatal(err)
	}
	// A later change of a moves it to the top.
	clock = clock.Add(time.Minute)
	if _, err := svc.Update(ctx, a.ID, 1, draft.Input{Spec: flowspec.Blank("a2")}, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}

	type row struct {
		name    string
		deleted bool
	}
	list := func(browser string) []row {
		t.Helper()
		opened, err := svc.Opened(ctx, browser)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for _, o := range opened {
			out = append(out, row{o.Spec.Form().Name, !o.RestoreUntil.IsZero()})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		browser string
		at      time.Time
		want    []row
	}{
		{"mine", mine, clock, []row{{"a2", false}, {"c", false}, {"b", true}}},
		{"theirs", theirs, clock, []row{{"c", false}}},
		{"an id never seen", draft.NewBrowserID(), clock, nil},
		{"not an id", "../../etc", clock, nil},
		{"after the restore window", mine, clock.Add(draft.RestoreWindow + time.Minute), []row{{"a2", false}, {"c", false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock = tc.at
			if got := list(tc.browser); !slices.Equal(got, tc.want) {
				t.Errorf("listed %v, want %v", got, tc.want)
			}
		})
	}

	// Purging forgets the deleted draft; remembering an unknown draft adds nothing.
	if n, err := svc.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	var rows int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM browser_drafts`).Scan(&rows); err != nil || rows != 3 {
		t.Errorf("after the purge the table holds %d rows (%v), want 3", rows, err)
	}
	if err := svc.Remember(ctx, mine, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM browser_drafts`).Scan(&rows); err != nil || rows != 3 {
		t.Errorf("remembering a purged draft stored a row (%d)", rows)
	}
}

// TestBrowserListHoldsNoToken: the table keeps no token and no browser id
// in clear, and a sealed token moved to another browser's row opens
// nothing there.
func TestBrowserListHoldsNoToken(t *testing.T) {
	ctx := context.Background()
	s, path := openTest(t)
	svc := newService(s)
	d, err := svc.Create(ctx, draft.Input{Spec: flowspec.Blank("x")}, "a")
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := draft.NewBrowserID(), draft.NewBrowserID()
	other, err := svc.Create(ctx, draft.Input{Spec: flowspec.Blank("y")}, "a")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ browser, token string }{{mine, d.ID}, {theirs, other.ID}} {
		if err := svc.Remember(ctx, r.browser, r.token); err != nil {
			t.Fatal(err)
		}
	}
	// Copy my sealed token into their list, as someone with write access to
	// the file could.
	hash := func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	res, err := s.writer.ExecContext(ctx, `INSERT INTO browser_drafts SELECT ?, draft_key, sealed_token FROM browser_drafts WHERE browser_key = ?`,
		hash(theirs), hash(mine))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("copied %d rows, want 1", n)
	}
	for _, browser := range []string{mine, theirs} {
		opened, err := svc.Opened(ctx, browser)
		if err != nil || len(opened) != 1 {
			t.Errorf("a moved sealed token opened something: %d drafts (%v)", len(opened), err)
		}
	}
	s.Close()
	for _, f := range []string{path, path + "-wal"} {
		data, _ := os.ReadFile(f)
		for _, secret := range []string{d.ID, other.ID, mine, theirs} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s holds a token or browser id in clear", filepath.Base(f))
			}
		}
	}
}
