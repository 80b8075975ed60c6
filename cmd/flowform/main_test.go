package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/app"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/postgres/pgtest"
	"github.com/flowform/flowform/internal/sqlite"
)

// TestMain lets the test binary act as flowform itself, so the signal test
// runs the real program in a child process.
func TestMain(m *testing.M) {
	if os.Getenv("FLOWFORM_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"flowform"}, strings.Fields(os.Getenv("FLOWFORM_TEST_ARGS"))...)
		main()
		os.Exit(0)
	}
	pgtest.Main(m) // stops the throwaway PostgreSQL cluster, if a test started one
}

// startProgram runs the test binary as flowform (TestMain) in dir with the
// given environment and arguments, and returns once it is listening.
func startProgram(t testing.TB, dir string, env []string, args string) (cmd *exec.Cmd, base string, stderr *lockedBuffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(env, "FLOWFORM_TEST_RUN_MAIN=1", "FLOWFORM_TEST_ARGS="+args)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr = &lockedBuffer{}
	cmd.Stderr = stderr
	if quiet, ok := t.(*testing.B); ok && quiet != nil {
		// A benchmark's request log goes where a service's would, not
		// through a pipe into the measuring process.
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { null.Close() })
		cmd.Stderr = null
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no ready line: %v (%s)", err, stderr.String())
	}
	return cmd, strings.TrimSpace(strings.TrimPrefix(line, "FlowForm is ready: open ")), stderr
}

// lockedBuffer collects the child's stderr while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServesAndStopsOnSIGTERM starts the real program, checks /healthz and
// the JSON API answer, sends SIGTERM and expects a clean exit.
func TestServesAndStopsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "flowform.db")
	cmd, base, stderr := startProgram(t, dir, os.Environ(), "--addr 127.0.0.1:0 --db "+db)
	for _, path := range []string{"healthz", "api/v1/cron?expr=00+30+02+*+*+%3F"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
	}
	// A draft saved through the API is in an online backup taken while the
	// server runs.
	res, err := http.Post(base+"api/v1/drafts", "application/json", strings.NewReader(`{"template":"hourly","name":"backed_up"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID string }
	json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != 201 || created.ID == "" {
		t.Fatalf("create: %d", res.StatusCode)
	}
	backup := filepath.Join(dir, "backup.db")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := app.Run(context.Background(), []string{"backup", "--db", db, "--to", backup}, func(string) string { return "" }, io.Discard, quiet); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := app.Run(context.Background(), []string{"backup", "--db", db, "--to", backup}, func(string) string { return "" }, io.Discard, quiet); err == nil {
		t.Error("backup overwrote an existing file")
	}
	copyStore, err := sqlite.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	got, err := draft.NewService(copyStore, "cn-shanghai", nil).Get(context.Background(), created.ID)
	copyStore.Close()
	if err != nil || got.Spec.Form().Name != "backed_up" {
		t.Fatalf("draft missing from backup: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("did not stop within 20 s of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "stopped cleanly") {
		t.Errorf("log lacks a clean stop:\n%s", stderr.String())
	}
}
