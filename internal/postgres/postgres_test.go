package postgres

// The semantic tests of internal/sqlite, on PostgreSQL. Those that only
// use the draft.Store interface (through open) can move to the shared
// contract suite once it exists; the ones that look at the database
// itself (pool, migrations, advisory locks) stay here.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// open returns a Store on a fresh database, and the database's URL.
func open(t testing.TB) (*Store, string) {
	t.Helper()
	u := pgtest.Start(t)
	s, err := Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, u
}

var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newService(s draft.Store) *draft.Service {
	return draft.NewService(s, "cn-shanghai", func() time.Time { return fixedNow })
}

// spec4K returns a valid spec of about 4 KB whose description carries tag.
func spec4K(tag string) *flowspec.Document {
	doc := flowspec.Blank("sales_daily")
	f := doc.Form()
	f.Description = tag + " " + strings.Repeat("Daily roll-up of sales by region and channel. ", 21)
	for i := range 10 {
		f.Parameters = append(f.Parameters, flowspec.Parameter{Name: "region_" + strconv.Itoa(i), Type: "Constant", Value: strings.Repeat("cn-shanghai,", 13)})
	}
	doc.Apply(f)
	return doc
}

func keyOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func isNotFound(err error) bool {
	var de *draft.Error
	return errors.As(err, &de) && de.Code == draft.NotFound
}

func count(t testing.TB, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestKind(t *testing.T) {
	s, _ := open(t)
	if s.Kind() != "postgres" {
		t.Fatal(s.Kind())
	}
	if err := s.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestStoreLifecycle(t *testing.T) {
	s, _ := open(t)
	svc := newService(s)
	ctx := context.Background()

	d, err := svc.Create(ctx, draft.Input{ProjectID: "123", Spec: spec4K("v1")}, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || d.Region != "cn-shanghai" || !d.CreatedAt.Equal(fixedNow) {
		t.Fatalf("created %+v", d)
	}
	d2, err := svc.Update(ctx, d.ID, 1, draft.Input{ProjectID: "123", Spec: spec4K("v2")}, "bob@example.com")
	if err != nil || d2.Version != 2 {
		t.Fatalf("update: %v %+v", err, d2)
	}
	_, err = svc.Update(ctx, d.ID, 1, draft.Input{Spec: spec4K("stale")}, "carol")
	var de *draft.Error
	if !errors.As(err, &de) || de.Code != draft.Conflict || de.Current == nil || de.Current.Version != 2 ||
		!strings.Contains(string(de.Current.Spec.Canonical()), "v2 Daily") {
		t.Fatalf("stale update: %v", err)
	}
	v, err := svc.View(ctx, d.ViewToken)
	if err != nil || v.ID != "" || v.Version != 2 {
		t.Fatalf("view: %v %+v", err, v)
	}
	if _, err := svc.Get(ctx, d.ViewToken); !isNotFound(err) {
		t.Fatalf("view token opened the edit route: %v", err)
	}
	r, err := svc.RotateView(ctx, d.ID)
	if err != nil || r.ViewToken == d.ViewToken {
		t.Fatalf("rotate: %v", err)
	}
	if _, err := svc.View(ctx, d.ViewToken); !isNotFound(err) {
		t.Fatalf("old view token still works: %v", err)
	}
	revs, err := svc.Revisions(ctx, d.ID)
	if err != nil || len(revs) != 2 || revs[0].Version != 2 || revs[0].Author != "bob@example.com" || revs[1].Author != "alice@example.com" {
		t.Fatalf("revisions %+v %v", revs, err)
	}
	restored, err := svc.Restore(ctx, d.ID, 1, 2, "dave")
	if err != nil || restored.Version != 3 || !strings.Contains(string(restored.Spec.Canonical()), "v1 Daily") {
		t.Fatalf("restore: %v", err)
	}
	if rev, err := s.Revision(ctx, keyOf(d.ID), 3); err != nil || rev.Kind != draft.KindRestore || rev.RestoredFrom != 1 {
		t.Fatalf("restore revision: %+v %v", rev.RevisionInfo, err)
	}
	if changes, _ := svc.Diff(ctx, d.ID, 1, 3); len(changes) != 0 {
		t.Fatalf("restored content differs from revision 1: %+v", changes)
	}
	if _, err := svc.Revision(ctx, d.ID, 9); !isNotFound(err) {
		t.Fatalf("missing revision: %v", err)
	}
	until, err := svc.Delete(ctx, d.ID)
	if err != nil || !until.Equal(fixedNow.Add(draft.RestoreWindow)) {
		t.Fatalf("delete: %v %v", until, err)
	}
	for _, call := range []func() error{
		func() error { _, err := svc.Get(ctx, d.ID); return err },
		func() error { _, err := svc.View(ctx, r.ViewToken); return err },
		func() error { _, err := svc.Revisions(ctx, d.ID); return err },
		func() error { _, err := svc.Update(ctx, d.ID, 3, draft.Input{Spec: spec4K("x")}, "x"); return err },
	} {
		if err := call(); !isNotFound(err) {
			t.Fatalf("deleted draft answered %v", err)
		}
	}
	if err := s.Update(ctx, 3, draft.Record{Key: keyOf(d.ID), Version: 4, Spec: []byte("{}"), Kind: draft.KindEdit}); !errors.Is(err, draft.ErrNotFound) {
		t.Fatalf("store update of a deleted draft: %v", err)
	}
	if _, err := svc.Undelete(ctx, d.ID); err != nil {
		t.Fatalf("undelete: %v", err)
	}
	if _, err := svc.Delete(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	later := draft.NewService(s, "cn-shanghai", func() time.Time { return fixedNow.Add(draft.RestoreWindow + time.Hour) })
	if n, err := later.Purge(ctx); err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	if _, err := later.Undelete(ctx, d.ID); !isNotFound(err) {
		t.Fatalf("purged draft came back: %v", err)
	}
	if n := count(t, s, `SELECT count(*) FROM revisions WHERE draft_key NOT IN (SELECT key FROM drafts)`); n != 0 {
		t.Fatalf("orphan revisions: %d", n)
	}
}

// TestTimesRoundTripToTheMillisecond: times come back in UTC, truncated
// to the millisecond, as the domain expects.
func TestTimesRoundTripToTheMillisecond(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("CST", 8*3600))
	rec := draft.Record{Key: "k", ViewKey: "v", Version: 1, Region: "cn-shanghai", Spec: []byte(`{}`), Author: "a", CreatedAt: at, UpdatedAt: at, Kind: draft.KindCreate}
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "k")
	want := at.UTC().Truncate(time.Millisecond)
	if err != nil || got.CreatedAt != want || got.UpdatedAt != want {
		t.Fatalf("read %v %v, want %v (%v)", got.CreatedAt, got.UpdatedAt, want, err)
	}
}

// TestTokensAreNotStored: no column holds a token.
func TestTokensAreNotStored(t *testing.T) {
	s, _ := open(t)
	svc := newService(s)
	ctx := context.Background()
	d, err := svc.Create(ctx, draft.Input{Spec: spec4K("x")}, "a")
	if err != nil {
		t.Fatal(err)
	}
	browser := draft.NewBrowserID()
	if err := svc.Remember(ctx, browser, d.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"drafts", "revisions", "browser_drafts"} {
		for _, secret := range []string{d.ID, d.ViewToken, browser} {
			if n := count(t, s, `SELECT count(*) FROM `+table+` x WHERE strpos(x::text, $1) > 0`, secret); n != 0 {
				t.Errorf("%s holds a token in clear", table)
			}
		}
	}
}

// TestConcurrentSavesCompareAndSwap: 32 goroutines save one draft, each
// from the version it read. Every save either succeeds or is a conflict;
// the final version is 1 + successes, and each revision holds exactly the
// bytes of the writer whose save made it.
func TestConcurrentSavesCompareAndSwap(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	key := "draft"
	if err := s.Create(ctx, draft.Record{Key: key, ViewKey: "view", Version: 1, Region: "cn-shanghai", Spec: []byte(`{"v":0}`),
		Author: "a", CreatedAt: fixedNow, UpdatedAt: fixedNow, Kind: draft.KindCreate}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	wrote := map[int64][]byte{}
	conflicts := 0
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 10 {
				cur, err := s.Get(ctx, key)
				if err != nil {
					t.Error(err)
					return
				}
				spec := []byte(fmt.Sprintf(`{"writer":%d,"save":%d,"pad":%q}`, g, i, strings.Repeat("x", g*100)))
				err = s.Update(ctx, cur.Version, draft.Record{Key: key, Version: cur.Version + 1, Region: "cn-shanghai", Spec: spec,
					Author: "w" + strconv.Itoa(g), UpdatedAt: fixedNow, Kind: draft.KindEdit})
				mu.Lock()
				switch {
				case err == nil:
					if _, dup := wrote[cur.Version+1]; dup {
						t.Errorf("version %d saved twice", cur.Version+1)
					}
					wrote[cur.Version+1] = spec
				case errors.Is(err, draft.ErrConflict):
					conflicts++
				default:
					t.Errorf("save: %v", err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	final, err := s.Get(ctx, key)
	if err != nil || final.Version != int64(1+len(wrote)) {
		t.Fatalf("final version %d, %d successes (%v)", final.Version, len(wrote), err)
	}
	if conflicts == 0 {
		t.Log("no conflicts happened; the test proved less than it should")
	}
	revs, err := s.Revisions(ctx, key)
	if err != nil || len(revs) != len(wrote)+1 {
		t.Fatalf("%d revisions, want %d (%v)", len(revs), len(wrote)+1, err)
	}
	for v, spec := range wrote {
		rev, err := s.Revision(ctx, key, v)
		if err != nil || !bytes.Equal(rev.Spec, spec) {
			t.Fatalf("revision %d is not what its writer sent: %v", v, err)
		}
	}
	if !bytes.Equal(final.Spec, wrote[final.Version]) {
		t.Fatal("the draft is not its latest revision")
	}
	t.Logf("%d saves, %d conflicts", len(wrote), conflicts)
}

// TestRevisionsAreImmutable: the database refuses to change one.
func TestRevisionsAreImmutable(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	if _, err := newService(s).Create(ctx, draft.Input{Spec: spec4K("x")}, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE revisions SET author = 'mallory'`); err == nil || !strings.Contains(err.Error(), "immutable") {
		t.Fatalf("a revision was changed: %v", err)
	}
}

// TestKeyValueConnectionString: libpq key/value strings open too, over
// the Unix socket.
func TestKeyValueConnectionString(t *testing.T) {
	u, err := url.Parse(pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	host := u.Hostname()
	if dir := pgtest.SocketDir(); dir != "" {
		host = dir
	}
	pw, _ := u.User.Password()
	kv := fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", host, u.Port(), u.User.Username(), strings.TrimPrefix(u.Path, "/"))
	if pw != "" {
		kv += " password=" + pw
	}
	s, err := Open(context.Background(), kv)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Health(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestBadURLDoesNotEchoThePassword.
func TestBadURLDoesNotEchoThePassword(t *testing.T) {
	_, err := Open(context.Background(), "postgres://u:s3cret@host:notaport/db")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URL: %v", err)
	}
}
