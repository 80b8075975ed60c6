package postgres

// The semantic tests of internal/sqlite, on PostgreSQL. Those that only
// use the draft.Store interface (through open) can move to the shared
// contract suite once it exists; the ones that look at the database
// itself (pool, migrations, advisory locks) stay here.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
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
