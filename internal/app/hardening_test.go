package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDamagedDatabaseIsRefusedAtStart: FlowForm does not start on a
// damaged file, and says which file and how to recover.
func TestDamagedDatabaseIsRefusedAtStart(t *testing.T) {
	app := start(t, noCredentials())
	for range 50 {
		app.createDraft(t, `{"template":"daily"}`)
	}
	app.stop()
	db, err := sql.Open("sqlite", app.DB)
	if err != nil {
		t.Fatal(err)
	}
	var root int64
	db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 'drafts'`).Scan(&root)
	db.Close()
	f, err := os.OpenFile(app.DB, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := make([]byte, 4096)
	rand.Read(junk)
	f.WriteAt(junk, (root-1)*4096)
	f.Close()
	err = Run(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", app.DB}, noCredentials(), io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.Contains(err.Error(), app.DB) || !strings.Contains(err.Error(), "flowform backup") {
		t.Fatalf("starting on a damaged file: %v", err)
	}
}

// TestFullDiskAnswers503: on a full disk a save answers 503 saying what is
// wrong and that nothing was saved, /healthz says so, and both recover
// once there is space again. The database is on a real 2 MiB tmpfs.
func TestFullDiskAnswers503(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s); run as root to exercise a full disk", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	cfg, err := ParseConfig([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "flowform.db")}, noCredentials())
	if err != nil {
		t.Fatal(err)
	}
	app := serve(t, cfg, noCredentials())
	d := app.createDraft(t, `{"template":"daily"}`)
	filler := filepath.Join(dir, "filler")
	os.WriteFile(filler, make([]byte, 2<<20), 0o600)
	var res response
	version := int64(1)
	for range 200 {
		res = app.do(t, "PUT", "/api/v1/drafts/"+d.ID, withDescription(t, d.Spec, rand.Text()+strings.Repeat(" sales", 150)), map[string]string{"If-Match": etag(version)})
		if res.status != 200 {
			break
		}
		version++
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	json.Unmarshal(res.body, &body)
	if res.status != 503 || body.Error.Code != "storage_unavailable" || !strings.Contains(body.Error.Message, "nothing was saved") {
		t.Fatalf("a save on a full disk: %d %s", res.status, res.body)
	}
	if h := app.do(t, "GET", "/healthz", "", nil); h.status != 503 || !strings.Contains(string(h.body), "disk full") {
		t.Fatalf("/healthz on a full disk: %d %s", h.status, h.body)
	}
	os.Remove(filler)
	if r := app.do(t, "PUT", "/api/v1/drafts/"+d.ID, `{"spec":`+string(d.Spec)+`}`, map[string]string{"If-Match": etag(version)}); r.status != 200 {
		t.Fatalf("a save once space is back: %d %s", r.status, r.body)
	}
	if h := app.do(t, "GET", "/healthz", "", nil); h.status != 200 {
		t.Fatalf("/healthz once space is back: %d %s", h.status, h.body)
	}
}

// TestConnectionFloodIsBounded: idle connections beyond --max-connections
// do not use up descriptors, and a real request during the flood is
// served at once (the oldest idle connection makes way).
func TestConnectionFloodIsBounded(t *testing.T) {
	const limit, flood = 32, 300
	cfg, err := ParseConfig([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "f.db"),
		"--max-connections", "32"}, noCredentials())
	if err != nil {
		t.Fatal(err)
	}
	app := serve(t, cfg, noCredentials())
	addr := strings.TrimSuffix(strings.TrimPrefix(app.URL, "http://"), "/")
	before := openFiles(t)
	var conns []net.Conn
	for range flood {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(300 * time.Millisecond) // let the server accept what it will
	during := openFiles(t) - before
	// Our flood holds flood descriptors; the server may hold at most limit.
	if during > flood+limit+16 {
		t.Errorf("%d descriptors in use during a flood of %d idle connections (server limit %d)", during, flood, limit)
	}
	// A real request during the flood is served: an idle connection makes way.
	began := time.Now()
	if r := app.do(t, "GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("during the flood: %d", r.status)
	}
	tookDuring := time.Since(began)
	if tookDuring > 2*time.Second {
		t.Errorf("a request during the flood took %v", tookDuring)
	}
	for _, c := range conns {
		c.Close()
	}
	t.Logf("descriptors during the flood: %d (flood %d, limit %d); a request during it: %v", during, flood, limit, tookDuring)
}

// TestServerErrorsGoThroughTheStructuredLog: the HTTP server's own
// messages (accept errors, TLS handshakes) are wired to slog, not stderr.
func TestServerErrorsGoThroughTheStructuredLog(t *testing.T) {
	cfg, err := ParseConfig([]string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "f.db")}, noCredentials())
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), cfg, noCredentials(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.server.ErrorLog == nil {
		t.Fatal("the HTTP server logs to stderr, bypassing slog")
	}
}

// withDescription is a PUT body: spec with another description.
func withDescription(t *testing.T, spec json.RawMessage, text string) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	doc["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)["description"] = text
	body, _ := json.Marshal(map[string]any{"spec": doc})
	return string(body)
}

func openFiles(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(entries)
}
