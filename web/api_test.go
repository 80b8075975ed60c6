package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/sqlite"
)

var testNow = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// newTestServer serves the real application on a fresh SQLite file.
// inGoroutine adapts t for helpers called from a worker goroutine: a fatal
// failure marks the test failed and ends only that goroutine, since
// t.Fatal must not be called off the test's own goroutine.
type inGoroutine struct{ testing.TB }

func (g inGoroutine) Fatal(args ...any) {
	g.Helper()
	g.Error(args...)
	runtime.Goexit()
}

func (g inGoroutine) Fatalf(format string, args ...any) {
	g.Helper()
	g.Errorf(format, args...)
	runtime.Goexit()
}

func newTestServer(t testing.TB) *httptest.Server {
	srv, _ := newTestServerWithStore(t, Config{})
	return srv
}

func newTestServerWithStore(t testing.TB, cfg Config) (*httptest.Server, *sqlite.Store) {
	t.Helper()
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "flowform.db"))
	if err != nil {
		t.Fatal(err)
	}
	now := cfg.Now
	if now == nil {
		now = func() time.Time { return testNow }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cfg.Now = now
	cfg.Drafts = draft.NewService(store, "cn-shanghai", now)
	srv := httptest.NewServer(New(cfg))
	t.Cleanup(func() { srv.Close(); store.Close() })
	return srv, store
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func do(t testing.TB, srv *httptest.Server, method, path, contentType, body string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, data}
}

func decodeJSON(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, data)
	}
}

func TestHealthz(t *testing.T) {
	srv := newTestServer(t)
	r := do(t, srv, "GET", "/healthz", "", "", nil)
	if r.status != 200 || strings.TrimSpace(string(r.body)) != `{"database":{"answers":true,"kind":"sqlite"},"status":"ok"}` {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestValidate(t *testing.T) {
	srv := newTestServer(t)
	spec, err := os.ReadFile("../internal/flowspec/testdata/import/flat-1.0.0.json")
	if err != nil {
		t.Fatal(err)
	}
	r := do(t, srv, "POST", "/api/v1/validate", "application/json; charset=utf-8", string(spec), map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var got struct {
		Valid    bool              `json:"valid"`
		Errors   []json.RawMessage `json:"errors"`
		Warnings []struct{ Path, Code, Message string }
		Spec     map[string]any `json:"spec"`
	}
	decodeJSON(t, r.body, &got)
	if !got.Valid || got.Errors == nil || len(got.Errors) != 0 {
		t.Errorf("valid=%v errors=%s", got.Valid, got.Errors)
	}
	if got.Spec["version"] != "1.1.0" || got.Spec["spec"] == nil || got.Spec["metadata"] == nil {
		t.Errorf("spec not upgraded and kept: %v", got.Spec)
	}
	var legacy bool
	for _, w := range got.Warnings {
		if w.Code == "label_legacy" && w.Path == "spec.workflows[0].strategy.rerunMode" && strings.Contains(w.Message, "旧版标签") {
			legacy = true
		}
	}
	if !legacy {
		t.Errorf("no Chinese legacy-label warning in %+v", got.Warnings)
	}
	if !strings.HasPrefix(string(r.body), `{"valid":true,"errors":[],"warnings":[`) {
		t.Errorf("shape: %.80s", r.body)
	}
	if !strings.Contains(string(r.body), `"spec":{"kind":"CycleWorkflow","version":"1.1.0","spec":{"name":"legacy_flow"`) {
		t.Errorf("spec not in canonical key order: %s", r.body)
	}
}

func TestValidateFindings(t *testing.T) {
	srv := newTestServer(t)
	body := `{"version":"1.1","kind":"CycleWorkflow","spec":{"type":"CycleWorkflow","workflows":[{"name":"a","script":{"path":"x/a","runtime":{"command":"WORKFLOW"}},
		"trigger":{"type":"Scheduler","cron":"00 */2 * * * ?"},"strategy":{"priority":12,"rerunMode":"whenever"}}]}}`
	r := do(t, srv, "POST", "/api/v1/validate?lang=en", "application/json", body, nil)
	var got struct {
		Valid  bool
		Errors []struct{ Path, Code, Message string }
	}
	decodeJSON(t, r.body, &got)
	if r.status != 200 || got.Valid {
		t.Fatalf("%d %s", r.status, r.body)
	}
	want := map[string]string{
		"version":                              "version_format",
		"spec.workflows[0].trigger.cron":       "cron_interval",
		"spec.workflows[0].strategy.priority":  "priority_range",
		"spec.workflows[0].strategy.rerunMode": "enum",
	}
	for _, e := range got.Errors {
		if want[e.Path] == e.Code {
			delete(want, e.Path)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing findings %v in %s", want, r.body)
	}
}

func TestAPIRefusesBadRequests(t *testing.T) {
	srv := newTestServer(t)
	huge := `{"spec":"` + strings.Repeat("x", 1<<20) + `"}`
	tests := []struct {
		name, method, path, ctype, body string
		header                          map[string]string
		status                          int
		code                            string
	}{
		{"malformed", "POST", "/api/v1/validate", "application/json", `{"kind":`, nil, 400, "malformed_json"},
		{"trailing data", "POST", "/api/v1/validate", "application/json", `{} {}`, nil, 400, "malformed_json"},
		{"not an object", "POST", "/api/v1/validate", "application/json", `[1,2]`, nil, 400, "not_an_object"},
		{"too large", "POST", "/api/v1/validate", "application/json", huge, nil, 413, "too_large"},
		{"not JSON", "POST", "/api/v1/validate", "text/plain", `{}`, nil, 415, "content_type"},
		{"form post", "POST", "/api/v1/validate", "application/x-www-form-urlencoded", `a=b`, nil, 415, "content_type"},
		{"cross-site", "POST", "/api/v1/validate", "application/json", `{}`, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403, "cross_site"},
		{"wrong method", "GET", "/api/v1/validate", "", "", nil, 405, "method_not_allowed"},
		{"unknown route", "GET", "/api/v1/nope", "", "", nil, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, tt.method, tt.path, tt.ctype, tt.body, tt.header)
			var got struct {
				Error struct{ Code, Message string }
			}
			decodeJSON(t, r.body, &got)
			if r.status != tt.status || got.Error.Code != tt.code || got.Error.Message == "" {
				t.Errorf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.code)
			}
		})
	}
}

func TestCron(t *testing.T) {
	srv := newTestServer(t)
	q := url.Values{"expr": {"0 30 2 * * ?"}, "timezone": {"America/New_York"}, "start": {"2027-03-13 00:00:00"}, "count": {"3"}, "lang": {"zh-CN"}}
	r := do(t, srv, "GET", "/api/v1/cron?"+q.Encode(), "", "", nil)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var got struct {
		Expr, Description, CycleType string
		Next                         []string
		Flags                        []struct {
			Index         int
			Kind, Message string
		}
	}
	decodeJSON(t, r.body, &got)
	if got.Expr != "00 30 02 * * ?" || got.Description != "每天 02:30" || got.CycleType != "Daily" {
		t.Errorf("%+v", got)
	}
	wantNext := []string{"2027-03-13T02:30:00-05:00", "2027-03-14T03:30:00-04:00", "2027-03-15T02:30:00-04:00"}
	if strings.Join(got.Next, " ") != strings.Join(wantNext, " ") {
		t.Errorf("next = %v, want %v", got.Next, wantNext)
	}
	if len(got.Flags) != 1 || got.Flags[0].Index != 1 || got.Flags[0].Kind != "dst-gap" || !strings.Contains(got.Flags[0].Message, "时钟拨快") {
		t.Errorf("flags = %+v", got.Flags)
	}
}

func TestCronProblems(t *testing.T) {
	srv := newTestServer(t)
	tests := []struct {
		query string
		paths []string
	}{
		{"expr=00+30+02+*+*", []string{"expr"}},
		{"expr=00+30+02+*+*+?&timezone=Mars/Base", []string{"timezone"}},
		{"expr=00+30+02+*+*+?&count=101", []string{"count"}},
		{"expr=00+30+02+*+*+?&count=ten", []string{"count"}},
		{"expr=00+30+02+*+*+?&start=2026/01/01", []string{"start"}},
		{"expr=00+30+02+*+*+?&start=2027-01-01+00:00:00&end=2026-01-01+00:00:00", []string{"end"}},
		{"expr=00+30+02+*+*+?&start=2027-01-01+03:00:00&end=2027-01-02+02:00:00", []string{"end"}}, // no run inside
		{"expr=00+30+02+*+*+?&end=2020-01-01+00:00:00", []string{"end"}},                           // window over
		{"expr=bad&timezone=nowhere&count=0", []string{"expr", "timezone", "count"}},
	}
	for _, tt := range tests {
		r := do(t, srv, "GET", "/api/v1/cron?"+tt.query, "", "", nil)
		var got struct {
			Errors []struct{ Path, Code, Message string }
		}
		decodeJSON(t, r.body, &got)
		var paths []string
		for _, e := range got.Errors {
			if e.Message == "" || e.Code == "" {
				t.Errorf("%s: empty code or message %+v", tt.query, e)
			}
			paths = append(paths, e.Path)
		}
		if r.status != 422 || strings.Join(paths, ",") != strings.Join(tt.paths, ",") {
			t.Errorf("%s: %d %s, want 422 on %v", tt.query, r.status, r.body, tt.paths)
		}
	}
}

func TestSecurityHeadersAndHome(t *testing.T) {
	srv := newTestServer(t)
	r := do(t, srv, "GET", "/?expr=00+00+09+%3F+*+1&timezone=Asia/Shanghai&lang=zh-CN", "", "", nil)
	if r.status != 200 {
		t.Fatalf("%d", r.status)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "frame-ancestors 'none'"} {
		if !strings.Contains(r.header.Get(h), want) {
			t.Errorf("%s = %q", h, r.header.Get(h))
		}
	}
	if strings.Contains(r.header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Error("CSP allows inline code")
	}
	page := string(r.body)
	for _, want := range []string{`<html lang="zh-CN">`, "每周一 09:00", "2026-11-30 周一 09:00 UTC+08:00", "每小时"} {
		if !strings.Contains(page, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	// The stylesheet it links is served, immutable.
	i := strings.Index(page, `href="/static/`)
	href := page[i+6 : i+6+strings.Index(page[i+6:], `"`)]
	css := do(t, srv, "GET", href, "", "", nil)
	if css.status != 200 || !strings.Contains(css.header.Get("Cache-Control"), "immutable") || !strings.Contains(string(css.body), "prefers-color-scheme") {
		t.Errorf("stylesheet %s: %d %v", href, css.status, css.header)
	}
	if stale := do(t, srv, "GET", "/static/000000000000/css/app.css", "", "", nil); stale.status != 404 {
		t.Errorf("stale asset URL answered %d", stale.status)
	}
}

func TestHomeShowsCronErrors(t *testing.T) {
	srv := newTestServer(t)
	r := do(t, srv, "GET", "/?expr=00+61+02+*+*+%3F", "", "", nil)
	if r.status != 200 || !strings.Contains(string(r.body), "minute field: &#34;61&#34;") {
		t.Errorf("%d %s", r.status, r.body)
	}
}
