package sqlite

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
)

// fillDrafts stores n drafts of about 4 KB and returns their edit tokens.
func fillDrafts(t *testing.T, s *Store, n int) []string {
	t.Helper()
	svc := newService(s)
	ids := make([]string, n)
	for i := range ids {
		d, err := svc.Create(context.Background(), draft.Input{Spec: spec4K(strings.Repeat("x", i%7))}, "ann")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	return ids
}

// damage overwrites pages with random bytes, as a failing disk or a stray
// write would: three in the middle of the file and the root pages of the
// drafts table and its indexes, so that every draft read meets the damage.
func damage(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	var roots []int64
	rows, err := db.Query(`SELECT rootpage FROM sqlite_schema WHERE tbl_name = 'drafts' AND rootpage > 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r int64
		rows.Scan(&r)
		roots = append(roots, r)
	}
	rows.Close()
	db.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	pages := info.Size() / 4096
	if pages < 20 {
		t.Fatalf("file too small to damage (%d pages)", pages)
	}
	targets := []int64{pages / 3, pages / 2, 2 * pages / 3}
	for _, r := range roots {
		targets = append(targets, r-1) // page numbers count from 1
	}
	for _, p := range targets {
		junk := make([]byte, 4096)
		cryptorand.Read(junk)
		if _, err := f.WriteAt(junk, p*4096); err != nil {
			t.Fatal(err)
		}
	}
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// TestDamagedFileIsRefusedAtStart: a file with damaged pages is not opened;
// the message names the file and the way back.
func TestDamagedFileIsRefusedAtStart(t *testing.T) {
	s, path := openTest(t)
	fillDrafts(t, s, 300)
	s.Close()
	damage(t, path)
	before := sum(t, path)
	_, err := Open(context.Background(), path)
	if !errors.Is(err, draft.ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "flowform backup") {
		t.Fatalf("opening a damaged file: %v", err)
	}
	if sum(t, path) != before {
		t.Error("opening the damaged file changed it")
	}
	// Not a database at all.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 1000)), 0o600)
	if _, err := Open(context.Background(), junk); !errors.Is(err, draft.ErrCorrupt) || !strings.Contains(err.Error(), junk) {
		t.Fatalf("opening a file that is not a database: %v", err)
	}
}

// TestDamageFoundAtRunTimeStopsWrites: once a read meets a damaged page,
// the store reports itself unhealthy and refuses writes without touching
// the file.
func TestDamageFoundAtRunTimeStopsWrites(t *testing.T) {
	s, path := openTest(t)
	ids := fillDrafts(t, s, 300)
	s.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Health(context.Background()); err != nil {
		t.Fatalf("healthy store reports %v", err)
	}
	damage(t, path)
	svc := newService(s)
	var readErr error
	for _, id := range ids {
		_, err := svc.Get(context.Background(), id)
		if err == nil {
			_, err = svc.Revision(context.Background(), id, 1)
		}
		if errors.Is(err, draft.ErrCorrupt) {
			readErr = err
			break
		}
	}
	if !errors.Is(readErr, draft.ErrCorrupt) {
		t.Fatalf("reading damaged pages: %v", readErr)
	}
	if err := s.Health(context.Background()); !errors.Is(err, draft.ErrCorrupt) {
		t.Fatalf("health after damage: %v", err)
	}
	before := sum(t, path)
	if _, err := svc.Create(context.Background(), draft.Input{Spec: flowspec.Blank("after")}, "ann"); !errors.Is(err, draft.ErrCorrupt) {
		t.Fatalf("a write into the damaged file: %v", err)
	}
	if sum(t, path) != before {
		t.Error("the refused write changed the file")
	}
	if msg, ok := draft.StorageTrouble(readErr); !ok || !strings.Contains(msg.EN, "nothing was saved") {
		t.Errorf("message %q", msg.EN)
	}
}

// TestDiskFull uses a real 2 MiB tmpfs: a save that does not fit fails
// with ErrStorageFull, health says so, and saving works again once space
// is freed.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s); run as root to exercise a full disk", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	path := filepath.Join(dir, "flowform.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	svc := newService(s)
	d, err := svc.Create(context.Background(), draft.Input{Spec: spec4K("first")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	os.WriteFile(filler, make([]byte, 2<<20), 0o600) // as much as fits
	var saveErr error
	version := d.Version
	for i := range 200 {
		doc := spec4K(strings.Repeat("y", i) + string(cryptorand.Text()))
		next, err := svc.Update(context.Background(), d.ID, version, draft.Input{Spec: doc}, "ann")
		if err != nil {
			saveErr = err
			break
		}
		version = next.Version
	}
	if !errors.Is(saveErr, draft.ErrStorageFull) {
		t.Fatalf("saving on a full disk: %v", saveErr)
	}
	if err := s.Health(context.Background()); !errors.Is(err, draft.ErrStorageFull) {
		t.Fatalf("health on a full disk: %v", err)
	}
	got, err := svc.Get(context.Background(), d.ID)
	if err != nil || got.Version != version {
		t.Fatalf("after the failed save: version %v, %v (want %d)", got, err, version)
	}
	os.Remove(filler)
	if _, err := svc.Update(context.Background(), d.ID, version, draft.Input{Spec: spec4K("space again")}, "ann"); err != nil {
		t.Fatalf("saving after space was freed: %v", err)
	}
	if err := s.Health(context.Background()); err != nil {
		t.Fatalf("health after space was freed: %v", err)
	}
}

// TestLockedByAnotherProgram: a write while another program holds the
// database lock fails with ErrStorageBusy after the busy timeout.
func TestLockedByAnotherProgram(t *testing.T) {
	s, path := openTest(t)
	svc := newService(s)
	d, err := svc.Create(context.Background(), draft.Input{Spec: flowspec.Blank("locked")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN EXCLUSIVE`); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err = svc.Update(context.Background(), d.ID, 1, draft.Input{Spec: flowspec.Blank("mine")}, "ann")
	if !errors.Is(err, draft.ErrStorageBusy) {
		t.Fatalf("saving while locked: %v", err)
	}
	t.Logf("refused after %v", time.Since(began))
	if err := s.Health(context.Background()); !errors.Is(err, draft.ErrStorageBusy) {
		t.Errorf("health while locked: %v", err)
	}
	conn.ExecContext(context.Background(), `ROLLBACK`)
	if _, err := svc.Update(context.Background(), d.ID, 1, draft.Input{Spec: flowspec.Blank("mine")}, "ann"); err != nil {
		t.Fatalf("after the lock is released: %v", err)
	}
	if err := s.Health(context.Background()); err != nil {
		t.Errorf("health after the lock is released: %v", err)
	}
}

// TestFilesAreOwnerOnly: the database, its WAL and shared-memory files and
// backups are created 0600 in a 0700 folder.
func TestFilesAreOwnerOnly(t *testing.T) {
	s, path := openTest(t)
	fillDrafts(t, s, 2)
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := Backup(context.Background(), path, backup); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm", backup} {
		info, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", filepath.Base(f), mode)
		}
	}
	if info, _ := os.Stat(filepath.Dir(path)); info.Mode().Perm() != 0o700 {
		t.Errorf("data folder has mode %o, want 700", info.Mode().Perm())
	}
}

// TestSubmissionOnStaleHistoryIsRefused: a submit decided on history that
// has changed since (another submission was recorded and even finished in
// between) is not recorded, so it is never sent.
func TestSubmissionOnStaleHistoryIsRefused(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	d, err := newService(s).Create(ctx, draft.Input{Spec: flowspec.Blank("x")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	key := keyOf(d.ID)
	first, err := s.CreateSubmission(ctx, key, 0, draft.Submission{DraftVersion: 1, Spec: []byte("{}"), Operation: draft.OpCreate, Author: "ann", CreatedAt: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	first.State, first.WorkflowID, first.FinishedAt = draft.Succeeded, "1", fixedNow
	if err := s.FinishSubmission(ctx, first); err != nil {
		t.Fatal(err)
	}
	got, err := s.CreateSubmission(ctx, key, 0, draft.Submission{DraftVersion: 1, Spec: []byte("{}"), Operation: draft.OpCreate, Author: "bob", CreatedAt: fixedNow})
	if !errors.Is(err, draft.ErrPending) || got.ID != first.ID || got.State != draft.Succeeded {
		t.Fatalf("a submit planned before the first one: %+v %v", got, err)
	}
	if subs, _ := s.Submissions(ctx, key); len(subs) != 1 {
		t.Fatalf("%d submissions recorded", len(subs))
	}
}

// keyOf is the stored key of an edit token (draft hashes tokens this way).
func keyOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TestDamagedRevisionMarksTheStoreDamaged: a revision whose bytes were
// damaged (SQLite itself sees nothing wrong) is reported as damage, and
// the store stops taking writes.
func TestDamagedRevisionMarksTheStoreDamaged(t *testing.T) {
	s, path := openTest(t)
	svc := newService(s)
	d, err := svc.Create(context.Background(), draft.Input{Spec: spec4K("v1")}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Update(context.Background(), d.ID, 1, draft.Input{Spec: spec4K("v2")}, "ann"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 200)
	cryptorand.Read(junk)
	if _, err := db.Exec(`UPDATE revisions SET spec = ? WHERE version = 1`, junk); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := svc.Revision(context.Background(), d.ID, 2); !errors.Is(err, draft.ErrCorrupt) || !strings.Contains(err.Error(), "read revision") {
		t.Fatalf("reading a revision whose keyframe is damaged: %v", err)
	}
	if err := s.Health(context.Background()); !errors.Is(err, draft.ErrCorrupt) {
		t.Fatalf("health: %v", err)
	}
	if _, err := svc.Update(context.Background(), d.ID, 2, draft.Input{Spec: spec4K("v3")}, "ann"); !errors.Is(err, draft.ErrCorrupt) {
		t.Fatalf("a save after the damage: %v", err)
	}
}
