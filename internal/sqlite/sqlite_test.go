package sqlite

import (
	"bufio"
	"bytes"
	"context"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("FLOWFORM_CRASH_CHILD_DB"); path != "" {
		crashChild(path, os.Getenv("FLOWFORM_CRASH_CHILD_TOKEN"))
		return
	}
	os.Exit(m.Run())
}

func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "flowform.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

var fixedNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func newService(s *Store) *draft.Service {
	return draft.NewService(s, "cn-shanghai", func() time.Time { return fixedNow })
}

// spec4K returns a valid spec of about 4 KB whose description carries tag.
func spec4K(tag string) *flowspec.Document {
	doc := flowspec.Blank("sales_daily")
	f := doc.Form()
	// Within the field limits: a long description and many parameters.
	f.Description = tag + " " + strings.Repeat("Daily roll-up of sales by region and channel. ", 21)
	for i := range 10 {
		f.Parameters = append(f.Parameters, flowspec.Parameter{Name: "region_" + strconv.Itoa(i), Type: "Constant", Value: strings.Repeat("cn-shanghai,", 13)})
	}
	doc.Apply(f)
	return doc
}

func TestStoreLifecycle(t *testing.T) {
	s, _ := openTest(t)
	svc := newService(s)
	ctx := context.Background()

	d, err := svc.Create(ctx, draft.Input{ProjectID: "123", Spec: spec4K("v1")}, "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 1 || d.Region != "cn-shanghai" || len(d.ID) != 26 || len(d.ViewToken) != 26 || d.ID == d.ViewToken {
		t.Fatalf("created %+v", d)
	}
	// Update with the right version, then with a stale one.
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
	// The view token reads, the edit token is not revealed through it.
	v, err := svc.View(ctx, d.ViewToken)
	if err != nil || v.ID != "" || v.Version != 2 {
		t.Fatalf("view: %v %+v", err, v)
	}
	// A view token is not an edit token.
	if _, err := svc.Get(ctx, d.ViewToken); !isNotFound(err) {
		t.Fatalf("view token opened the edit route: %v", err)
	}
	// Rotation revokes the old view token.
	r, err := svc.RotateView(ctx, d.ID)
	if err != nil || r.ViewToken == d.ViewToken {
		t.Fatalf("rotate: %v", err)
	}
	if _, err := svc.View(ctx, d.ViewToken); !isNotFound(err) {
		t.Fatalf("old view token still works: %v", err)
	}
	if _, err := svc.View(ctx, r.ViewToken); err != nil {
		t.Fatalf("new view token: %v", err)
	}
	// Revisions, diff, restore.
	revs, err := svc.Revisions(ctx, d.ID)
	if err != nil || len(revs) != 2 || revs[0].Version != 2 || revs[0].Author != "bob@example.com" || revs[1].Author != "alice@example.com" {
		t.Fatalf("revisions %+v %v", revs, err)
	}
	changes, err := svc.Diff(ctx, d.ID, 1, 0)
	if err != nil || len(changes) != 1 || changes[0].Path != "spec.workflows[0].description" || changes[0].Op != flowspec.Changed {
		t.Fatalf("diff %+v %v", changes, err)
	}
	restored, err := svc.Restore(ctx, d.ID, 1, 2, "dave")
	if err != nil || restored.Version != 3 || !strings.Contains(string(restored.Spec.Canonical()), "v1 Daily") {
		t.Fatalf("restore: %v", err)
	}
	if changes, _ := svc.Diff(ctx, d.ID, 1, 3); len(changes) != 0 {
		t.Fatalf("restored content differs from revision 1: %+v", changes)
	}
	if _, err := svc.Revision(ctx, d.ID, 9); !isNotFound(err) {
		t.Fatalf("missing revision: %v", err)
	}
	// Duplicate is a new draft with the same content.
	dup, err := svc.Duplicate(ctx, d.ID, "erin")
	if err != nil || dup.ID == d.ID || dup.Version != 1 || string(dup.Spec.Canonical()) != string(restored.Spec.Canonical()) {
		t.Fatalf("duplicate: %v", err)
	}
	// Delete hides it like an unknown token; undelete brings it back; purge after 30 days removes it.
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
	var revCount int
	if err := s.reader.QueryRow(`SELECT count(*) FROM revisions WHERE draft_key NOT IN (SELECT key FROM drafts)`).Scan(&revCount); err != nil || revCount != 0 {
		t.Fatalf("orphan revisions: %d %v", revCount, err)
	}
}

func isNotFound(err error) bool {
	var de *draft.Error
	return errors.As(err, &de) && de.Code == draft.NotFound
}

func TestTokensAreNotStored(t *testing.T) {
	s, path := openTest(t)
	d, err := newService(s).Create(context.Background(), draft.Input{Spec: spec4K("x")}, "a")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, f := range []string{path, path + "-wal"} {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), d.ID) || strings.Contains(string(data), d.ViewToken) {
			t.Errorf("%s holds a token in clear", filepath.Base(f))
		}
	}
}

func TestInvalidInputChangesNothing(t *testing.T) {
	s, _ := openTest(t)
	svc := newService(s)
	ctx := context.Background()
	d, err := svc.Create(ctx, draft.Input{Spec: spec4K("x")}, "a")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []draft.Input{{ProjectID: "abc"}, {ProjectID: "-1"}, {Region: "Shanghai!"}} {
		in.Spec = spec4K("bad")
		if _, err := svc.Update(ctx, d.ID, 1, in, "a"); err == nil {
			t.Errorf("%+v accepted", in)
		}
		if _, err := svc.Create(ctx, in, "a"); err == nil {
			t.Errorf("create %+v accepted", in)
		}
	}
	var drafts, revs int
	s.reader.QueryRow(`SELECT count(*) FROM drafts`).Scan(&drafts)
	s.reader.QueryRow(`SELECT count(*) FROM revisions`).Scan(&revs)
	if drafts != 1 || revs != 1 {
		t.Errorf("bad input wrote: %d drafts, %d revisions", drafts, revs)
	}
}

// TestMigrationOneUpgrades creates a database with migration 1 only, writes
// a draft in that schema, and opens it with every migration.
func TestMigrationOneUpgrades(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(context.Background(), old, 1); err != nil {
		t.Fatal(err)
	}
	var cols int
	old.QueryRow(`SELECT count(*) FROM pragma_table_info('drafts') WHERE name = 'deleted_at'`).Scan(&cols)
	if cols != 0 {
		t.Fatal("migration 1 already has deleted_at")
	}
	spec := spec4K("old").Canonical()
	packed, _ := deflate(spec, nil)
	key := strings.Repeat("ab", 32)
	if _, err := old.Exec(`INSERT INTO drafts (key, view_key, version, region, spec, author, created_at, updated_at) VALUES (?, ?, 1, 'cn-beijing', ?, 'old-author', 1, 1)`, key, "v"+key, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO revisions (draft_key, version, spec, project_id, region, author, created_at) VALUES (?, 1, ?, '', 'cn-beijing', 'old-author', 1)`, key, packed); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	var applied []int
	rows, _ := s.reader.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	for rows.Next() {
		var v int
		rows.Scan(&v)
		applied = append(applied, v)
	}
	rows.Close()
	// Every embedded migration, in order.
	var want []int
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	for _, name := range names {
		v, _ := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		want = append(want, v)
	}
	if len(want) < 4 || !slices.Equal(applied, want) {
		t.Fatalf("applied migrations %v, want %v", applied, want)
	}
	rec, err := s.Get(context.Background(), key)
	if err != nil || rec.Region != "cn-beijing" || string(rec.Spec) != string(spec) {
		t.Fatalf("old draft after upgrade: %v %+v", err, rec.Region)
	}
	if revs, err := s.Revisions(context.Background(), key); err != nil || len(revs) != 1 || revs[0].Kind != draft.KindCreate {
		t.Fatalf("old first revision after upgrade: %v %+v", err, revs)
	}
	if err := s.Delete(context.Background(), key, time.Now()); err != nil {
		t.Fatalf("soft delete on upgraded database: %v", err)
	}
	// Opening again applies nothing twice.
	s2, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

// TestTenThousandSavesStaySmall checks that revisions are stored compactly:
// 10,000 saves of a 4 KB spec leave the database under 20 MB.
func TestTenThousandSavesStaySmall(t *testing.T) {
	if raceEnabled {
		t.Skip("10,000 durable saves take minutes under -race; make test runs this without it")
	}
	s, path := openTest(t)
	svc := newService(s)
	ctx := context.Background()
	d, err := svc.Create(ctx, draft.Input{Spec: spec4K("save 0")}, "a")
	if err != nil {
		t.Fatal(err)
	}
	for i := int64(1); i < 10000; i++ {
		doc := spec4K(fmt.Sprintf("save %d", i))
		f := doc.Form()
		f.Cron = fmt.Sprintf("00 %02d %02d * * ?", i%60, i%24)
		f.RerunTimes = i % 11
		doc.Apply(f)
		if _, err := svc.Update(ctx, d.ID, i, draft.Input{Spec: doc}, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.writer.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, f := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	t.Logf("10,000 revisions of a %d-byte spec: %.1f MB on disk", len(spec4K("save 0").Canonical()), float64(size)/1e6)
	if size > 20<<20 {
		t.Errorf("database is %d bytes, over 20 MiB", size)
	}
	// Every revision still reads back exactly (spot-check across keyframes).
	for _, v := range []int64{1, 2, 32, 33, 34, 5000, 9999, 10000} {
		rev, err := svc.Revision(ctx, d.ID, v)
		if err != nil || !strings.Contains(string(rev.Spec), fmt.Sprintf(`"save %d `, v-1)) {
			t.Fatalf("revision %d: %v", v, err)
		}
	}
}

// crashChild saves in a loop and prints each acknowledged version with the
// hash of the bytes it saved, until it is killed.
func crashChild(path, token string) {
	s, err := Open(context.Background(), path)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	svc := newService(s)
	out := bufio.NewWriter(os.Stdout)
	for v := int64(1); ; v++ {
		doc := spec4K(fmt.Sprintf("crash save %d", v))
		var d *draft.Draft
		var err error
		if v%3 == 0 { // every third save is a named version, as from "Save version"
			d, err = svc.SaveVersion(context.Background(), token, v, draft.Input{Spec: doc}, fmt.Sprintf("named %d", v+1), "child")
		} else {
			d, err = svc.Update(context.Background(), token, v, draft.Input{Spec: doc}, "child")
		}
		if err != nil {
			fmt.Fprintln(out, "error", err)
			out.Flush()
			os.Exit(2)
		}
		sum := sha256.Sum256(d.Spec.Canonical())
		fmt.Fprintln(out, "ack", d.Version, hex.EncodeToString(sum[:]))
		out.Flush() // the ack leaves the process only after the save returned
	}
}

// TestCrashLosesNoAcknowledgedSave kills a saving child process with SIGKILL
// at random moments and checks every acknowledged save survived intact:
// autosaves and named versions with their messages, and the history
// groups whatever survived.
func TestCrashLosesNoAcknowledgedSave(t *testing.T) {
	for round := range 3 {
		t.Run(strconv.Itoa(round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "crash.db")
			s, err := Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := newService(s).Create(context.Background(), draft.Input{Spec: spec4K("start")}, "parent")
			if err != nil {
				t.Fatal(err)
			}
			s.Close()

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "FLOWFORM_CRASH_CHILD_DB="+path, "FLOWFORM_CRASH_CHILD_TOKEN="+d.ID)
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := map[int64]string{}
			var mu sync.Mutex
			done := make(chan struct{})
			go func() {
				defer close(done)
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					var v int64
					var sum string
					if _, err := fmt.Sscanf(sc.Text(), "ack %d %s", &v, &sum); err == nil {
						mu.Lock()
						acked[v] = sum
						mu.Unlock()
					} else {
						t.Errorf("child: %s", sc.Text())
					}
				}
			}()
			time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			<-done
			if len(acked) < 5 {
				t.Fatalf("child acknowledged only %d saves", len(acked))
			}

			s, err = Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var check string
			if err := s.writer.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
				t.Fatalf("integrity_check = %q, %v", check, err)
			}
			svc := newService(s)
			for v, sum := range acked {
				rev, err := svc.Revision(context.Background(), d.ID, v)
				if err != nil {
					t.Fatalf("acknowledged version %d lost: %v", v, err)
				}
				got := sha256.Sum256(rev.Spec)
				if hex.EncodeToString(got[:]) != sum {
					t.Fatalf("version %d differs from what was acknowledged", v)
				}
				if named := (v-1)%3 == 0; named && (rev.Kind != draft.KindVersion || rev.Message != fmt.Sprintf("named %d", v)) ||
					!named && rev.Kind != draft.KindEdit {
					t.Fatalf("version %d lost what made it: %s %q", v, rev.Kind, rev.Message)
				}
			}
			if entries, err := svc.History(context.Background(), d.ID); err != nil || len(entries) < len(acked)/3 {
				t.Fatalf("history after the crash: %d entries, %v", len(entries), err)
			}
			t.Logf("killed after %d acknowledged saves; all present", len(acked))
		})
	}
}

// TestUnknownAndDeletedLookLikeEachOther: an unknown token and a deleted
// draft's token answer the same error in similar time (one indexed lookup
// each), so probing tells nothing.
func TestUnknownAndDeletedLookLikeEachOther(t *testing.T) {
	s, _ := openTest(t)
	svc := newService(s)
	ctx := context.Background()
	var deleted []string
	for range 20 {
		d, err := svc.Create(ctx, draft.Input{Spec: spec4K("x")}, "a")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Delete(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		deleted = append(deleted, d.ID)
	}
	median := func(tokens func(i int) string) time.Duration {
		var ds []time.Duration
		for i := range 400 {
			start := time.Now()
			_, err := svc.Get(ctx, tokens(i))
			ds = append(ds, time.Since(start))
			var de *draft.Error
			if !errors.As(err, &de) || de.Error() != "not_found: no draft at this link: it may have been deleted, or the link is wrong or was revoked" {
				t.Fatalf("answer: %v", err)
			}
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	mUnknown := median(func(int) string { return cryptorand.Text() })
	mDeleted := median(func(i int) string { return deleted[i%len(deleted)] })
	t.Logf("median lookup: unknown %v, deleted %v", mUnknown, mDeleted)
	if ratio := float64(max(mUnknown, mDeleted)) / float64(min(mUnknown, mDeleted)); ratio > 3 {
		t.Errorf("timings differ %.1f×: unknown %v, deleted %v", ratio, mUnknown, mDeleted)
	}
}

// FuzzDeflate checks the dictionary trick: whatever the data and the
// dictionary, inflate(deflate(data, dict), dict) is data.
func FuzzDeflate(f *testing.F) {
	f.Add([]byte(`{"spec":"a"}`), []byte(`{"spec":"b"}`))
	f.Add(spec4K("x").Canonical(), spec4K("y").Canonical())
	f.Add([]byte{}, []byte("dict"))
	f.Fuzz(func(t *testing.T, data, dict []byte) {
		packed, err := deflate(data, dict)
		if err != nil {
			t.Fatal(err)
		}
		got, err := inflate(packed, dict)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}

// TestNewerMigrationsAreRefused: a file a newer FlowForm migrated is not
// opened (this binary would misread it), and is left as it was.
func TestNewerMigrationsAreRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "newer.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 1)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "migration 9999, newer than this FlowForm knows") {
		t.Fatalf("a newer database was opened: %v", err)
	}
}
