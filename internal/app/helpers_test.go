package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
)

// Credentials the fake DataWorks accepts in the "with credentials" tests.
const (
	fakeKeyID  = "LTAI5tFLOWFORMTESTKEY"
	fakeSecret = "flowform-test-secret-DO-NOT-LEAK"
	fakeToken  = "STS.flowformTESTtoken-DO-NOT-LEAK"
)

// running is FlowForm started by Run, exactly as the flowform command
// starts it, on a free port with a database in a temp directory.
type running struct {
	URL  string // with a trailing slash
	DB   string
	logs *syncBuffer
	stop func() // shuts FlowForm down and waits for it
}

// noCredentials is an environment without any Alibaba Cloud credentials
// source: what `make run` sees on a fresh machine.
func noCredentials(extra ...string) func(string) string {
	env := map[string]string{}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return func(k string) string { return env[k] }
}

// withCredentials puts static credentials for the fake into the process
// environment, where the SDK's default chain reads them, and returns that
// environment.
func withCredentials(t testing.TB) func(string) string {
	t.Helper()
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", fakeKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", fakeSecret)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
	for _, k := range []string{"HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"} {
		t.Setenv(k, "") // the SDK applies proxies even to loopback
	}
	return func(k string) string {
		if k == "HOME" {
			return "" // no CLI profile or credentials file from the developer's home
		}
		return os.Getenv(k)
	}
}

// start runs FlowForm as the flowform command does, with make run's
// configuration plus args (the address and database are always a free
// port and a temp file).
func start(t testing.TB, getenv func(string) string, args ...string) *running {
	t.Helper()
	db := filepath.Join(t.TempDir(), "data", "flowform.db")
	args = append([]string{"--addr", "127.0.0.1:0", "--db", db}, args...)
	return launch(t, db, func(ctx context.Context, stdout io.Writer, log *slog.Logger) error {
		return Run(ctx, args, getenv, stdout, log)
	})
}

// serve runs FlowForm from a Config, for settings that are not flags.
func serve(t testing.TB, cfg Config, getenv func(string) string) *running {
	t.Helper()
	return launch(t, cfg.DB, func(ctx context.Context, stdout io.Writer, log *slog.Logger) error {
		return run(ctx, cfg, getenv, stdout, log)
	})
}

func launch(t testing.TB, db string, main func(context.Context, io.Writer, *slog.Logger) error) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- main(ctx, w, slog.New(slog.NewTextHandler(logs, nil)))
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("FlowForm did not start: %v\n%s", <-done, logs.String())
	}
	go io.Copy(io.Discard, out)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("FlowForm stopped with %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &running{URL: strings.TrimSpace(strings.TrimPrefix(line, "FlowForm is ready: open ")), DB: db, logs: logs, stop: stop}
}

// shortenGrace shortens the shutdown grace periods for one test.
func shortenGrace(shutdown, abandon time.Duration) (restore func()) {
	oldShutdown, oldAbandon := shutdownGrace, abandonGrace
	shutdownGrace, abandonGrace = shutdown, abandon
	return func() { shutdownGrace, abandonGrace = oldShutdown, oldAbandon }
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request to the running app; call it from the test's own
// goroutine (it fails the test), and send from others.
func (r *running) do(t testing.TB, method, path, body string, header map[string]string) response {
	t.Helper()
	res, err := r.send(method, path, body, header)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// send sends one request and reads the whole reply.
func (r *running) send(method, path, body string, header map[string]string) (response, error) {
	req, err := http.NewRequest(method, r.URL+strings.TrimPrefix(path, "/"), strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading the reply: %w", method, path, err)
	}
	return response{res.StatusCode, res.Header, data}, nil
}

type draftResp struct {
	ID      string
	Version int64
	ViewURL string
	Spec    json.RawMessage
}

func (r *running) createDraft(t testing.TB, body string) draftResp {
	t.Helper()
	res := r.do(t, "POST", "/api/v1/drafts", body, nil)
	var d draftResp
	if res.status != 201 || json.Unmarshal(res.body, &d) != nil || d.ID == "" {
		t.Fatalf("create draft: %d %s", res.status, res.body)
	}
	return d
}

// describe saves a new version of a draft with another description.
func (r *running) describe(t testing.TB, d draftResp, version int64, text string) {
	t.Helper()
	var spec map[string]any
	if err := json.Unmarshal(d.Spec, &spec); err != nil {
		t.Fatal(err)
	}
	wf := spec["spec"].(map[string]any)["workflows"].([]any)[0].(map[string]any)
	wf["description"] = text
	body, _ := json.Marshal(map[string]any{"projectId": "123456", "spec": spec})
	if res := r.do(t, "PUT", "/api/v1/drafts/"+d.ID, string(body), map[string]string{"If-Match": etag(version)}); res.status != 200 {
		t.Fatalf("save: %d %s", res.status, res.body)
	}
}

func etag(version int64) string { return strconv.Quote(strconv.FormatInt(version, 10)) }

type submissionResp struct {
	Submission struct {
		ID         int64
		State      string
		WorkflowID string
		RequestID  string
		Operation  string
		Endpoint   string
		Error      *struct{ Code, Message string }
		Guidance   string
		Resumable  bool
		Steps      []struct {
			Seq                           int
			Action, Name, ID, State, Note string
			Tries                         int
			Error                         *struct{ Code, Message string }
		}
	}
	Error struct{ Code, Message string }
}

// submit posts to the submit API and decodes the reply.
func (r *running) submit(t testing.TB, id string, version int64, body string) (int, submissionResp) {
	t.Helper()
	status, out, err := r.trySubmit(id, version, body)
	if err != nil {
		t.Fatal(err)
	}
	return status, out
}

// trySubmit is submit for goroutines other than the test's.
func (r *running) trySubmit(id string, version int64, body string) (int, submissionResp, error) {
	h := map[string]string{}
	if version > 0 {
		h["If-Match"] = etag(version)
	}
	var out submissionResp
	res, err := r.send("POST", "/api/v1/drafts/"+id+"/submit", body, h)
	if err != nil {
		return 0, out, err
	}
	if err := json.Unmarshal(res.body, &out); err != nil {
		return res.status, out, fmt.Errorf("submit reply is not JSON: %d %s", res.status, res.body)
	}
	return res.status, out, nil
}

// newFake starts a fake DataWorks endpoint that accepts the test
// credentials.
func newFake(t testing.TB) *dataworkstest.Server {
	t.Helper()
	fake, err := dataworkstest.New(fakeKeyID, fakeSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	return fake
}

// eventually waits (polling) until cond holds, for outcomes that finish
// after the reply, such as the fake completing a call FlowForm gave up on.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
