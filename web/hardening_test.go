package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/sqlite"
)

// TestRecentCookieFloodIsBoundedAndCounted: a huge ff_recent cookie of
// random tokens costs a bounded number of lookups, and its unknown tokens
// count as misses like any token route.
func TestRecentCookieFloodIsBoundedAndCounted(t *testing.T) {
	srv := newTestServer(t)
	real := createDraft(t, srv, `{"template":"daily","name":"mine"}`)
	tokens := []string{real.ID}
	for range 20000 {
		tokens = append(tokens, rand.Text())
	}
	cookie := "ff_recent=" + strings.Join(tokens, ".")
	began := time.Now()
	r := do(t, srv, "GET", "/", "", "", map[string]string{"Cookie": cookie[:min(len(cookie), 500_000)]})
	if took := time.Since(began); r.status != 200 || took > time.Second {
		t.Fatalf("home with a flooded cookie: %d in %v", r.status, took)
	}
	if !strings.Contains(string(r.body), "mine") {
		t.Error("the browser's own draft is not listed")
	}
	// Nine unknown tokens were read (the cap is ten entries); a few rounds
	// of that and the client is limited everywhere.
	for range 10 {
		do(t, srv, "GET", "/", "", "", map[string]string{"Cookie": cookie[:min(len(cookie), 500_000)]})
	}
	if r := do(t, srv, "GET", "/api/v1/drafts/"+rand.Text(), "", "", nil); r.status != 429 {
		t.Fatalf("after cookie floods, a token route answers %d, want 429", r.status)
	}
}

// TestLanguageLinkStaysOnSite: the language link is built from the route,
// so a crafted path cannot make it point elsewhere.
func TestLanguageLinkStaysOnSite(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"template":"daily"}`)
	for path, want := range map[string]string{
		"//evil.example/x":    `href="/?lang=zh-CN"`,
		"/%5Cevil.example":    `href="/?lang=zh-CN"`,
		"/d/" + d.ID:          `href="/d/` + d.ID + `?lang=zh-CN"`,
		"/d/" + d.ID + "/../": `href="/?lang=zh-CN"`,
	} {
		req, _ := http.NewRequest("GET", srv.URL+"/", nil)
		req.URL.Opaque = path // sent as typed, not cleaned
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Contains(body, []byte(want)) || bytes.Contains(body, []byte("evil.example?lang")) || bytes.Contains(body, []byte(`href="//`)) {
			t.Errorf("%s: language link is not %s", path, want)
		}
	}
}

// TestBodyRulesHoldOnEveryRoute: a non-JSON content type is refused on
// JSON routes even without a body; a body over 1 MiB is refused on any
// route, chunked or not, before the action runs.
func TestBodyRulesHoldOnEveryRoute(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"template":"daily"}`)
	view := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]
	for _, path := range []string{"/share/rotate", "/duplicate", "/revisions/1/restore", "/undelete"} {
		r := do(t, srv, "POST", "/api/v1/drafts/"+d.ID+path, "text/plain", "", nil)
		if r.status != 415 {
			t.Errorf("POST %s as text/plain with no body: %d", path, r.status)
		}
	}
	big := bytes.Repeat([]byte("x"), maxBody+10)
	for _, route := range []struct{ method, path string }{
		{"POST", "/api/v1/drafts/" + d.ID + "/share/rotate"}, {"POST", "/api/v1/drafts/" + d.ID + "/duplicate"},
		{"GET", "/api/v1/drafts/" + d.ID}, {"GET", "/d/" + d.ID}, {"GET", "/healthz"},
	} {
		req, _ := http.NewRequest(route.method, srv.URL+route.path, io.MultiReader(bytes.NewReader(big))) // no length: chunked
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 413 {
			t.Errorf("%s %s with a chunked 1 MiB+ body: %d", route.method, route.path, res.StatusCode)
		}
	}
	// Nothing ran: the view link was not rotated, no draft was duplicated.
	if r := do(t, srv, "GET", "/api/v1/views/"+view, "", "", nil); r.status != 200 {
		t.Fatalf("the view link was rotated by a refused request: %d", r.status)
	}
}

// TestTokenPagesAreNotCached: pages that carry or list capability links
// are never stored by a browser or proxy.
func TestTokenPagesAreNotCached(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"template":"daily"}`)
	view := d.ViewURL[strings.LastIndex(d.ViewURL, "/")+1:]
	for _, path := range []string{"/", "/d/" + d.ID, "/d/" + d.ID + "/history", "/v/" + view, "/d/" + d.ID + "/submit", "/import"} {
		if r := do(t, srv, "GET", path, "", "", nil); r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d, Cache-Control %q", path, r.status, r.header.Get("Cache-Control"))
		}
	}
}

// TestDownloadNameIsEncoded: a non-ASCII workflow name is sent as an
// RFC 8187 filename* with an ASCII fallback, never as raw bytes.
func TestDownloadNameIsEncoded(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"template":"daily","name":"销售_daily"}`)
	r := do(t, srv, "GET", "/d/"+d.ID+"/spec.json", "", "", nil)
	cd := r.header.Get("Content-Disposition")
	want := `attachment; filename="___daily.flowspec.json"; filename*=UTF-8''%E9%94%80%E5%94%AE_daily.flowspec.json`
	if cd != want {
		t.Fatalf("Content-Disposition %q", cd)
	}
	for _, b := range []byte(cd) {
		if b >= 0x80 {
			t.Fatalf("raw non-ASCII byte in %q", cd)
		}
	}
}

// TestPutKeepsWhatItLeavesOut: a PUT that does not mention projectId or
// region keeps them; null clears the ProjectId.
func TestPutKeepsWhatItLeavesOut(t *testing.T) {
	srv := newTestServer(t)
	d := createDraft(t, srv, `{"projectId":"42","region":"cn-beijing","template":"daily"}`)
	r := putDraft(t, srv, d.ID, 1, `{"spec":`+string(d.Spec)+`}`)
	var got draftResp
	decodeJSON(t, r.body, &got)
	if r.status != 200 || got.ProjectID != "42" || got.Region != "cn-beijing" {
		t.Fatalf("after a PUT of the spec alone: %d %+v", r.status, got)
	}
	r = putDraft(t, srv, d.ID, 2, `{"projectId":null,"spec":`+string(d.Spec)+`}`)
	decodeJSON(t, r.body, &got)
	if r.status != 200 || got.ProjectID != "" || got.Region != "cn-beijing" {
		t.Fatalf("after projectId null: %d %+v", r.status, got)
	}
}

// TestPanicsAreLoggedWithTheirStack: a panicking handler answers 500 and
// the log says where it happened.
func TestPanicsAreLoggedWithTheirStack(t *testing.T) {
	logs := &lockedLog{}
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	s := New(Config{Logger: slog.New(slog.NewTextHandler(logs, nil)), Drafts: draft.NewService(store, "cn-shanghai", nil)})
	s.echo.GET("/panic-for-test", func(echo.Context) error { panic("boom") })
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/panic-for-test", nil))
	if rec.Code != 500 || !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "hardening_test.go") {
		t.Fatalf("%d\n%s", rec.Code, logs.String())
	}
}

// TestLimitsHoldOnFormsAndImport: the same field limits refuse a form
// post (full page and autosave) and an import, naming the field, and the
// draft is unchanged.
func TestLimitsHoldOnFormsAndImport(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, editor := b.newDraftPage("daily")
	form := editorForm(editor)
	form.Set("name", strings.Repeat("n", 900))
	form.Set("action", "save")
	if res, page := b.do("POST", path, form, nil); res.StatusCode != 422 || !strings.Contains(page.Find("#err-name").Text(), "at most 128") {
		t.Errorf("saving the form with a 900-character name: %d, error at the name: %q", res.StatusCode, page.Find("#err-name").Text())
	}
	// Autosave answers an htmx fragment saying nothing was saved; the live
	// preview marks the field.
	if _, status := b.do("POST", path+"/autosave", form, map[string]string{"HX-Request": "true"}); !strings.Contains(status.Text(), "Not saved") {
		t.Errorf("autosave with a 900-character name: %.300q", status.Text())
	}
	if _, preview := b.do("POST", path+"/preview", form, map[string]string{"HX-Request": "true"}); !strings.Contains(preview.Find("#err-name").Text(), "at most 128") {
		t.Errorf("the preview does not mark the name: %.300q", preview.Text())
	}
	id := path[strings.LastIndex(path, "/")+1:]
	if r := do(t, srv, "GET", "/api/v1/drafts/"+id, "", "", nil); !strings.Contains(string(r.body), `"version":1`) {
		t.Fatalf("the draft changed: %s", r.body)
	}
	spec := `{"version":"1.1.0","kind":"CycleWorkflow","spec":{"workflows":[{"name":"` + strings.Repeat("n", 900) + `","script":{"path":"x","runtime":{"command":"WORKFLOW"}}}]}}`
	res, imported := b.do("POST", "/import", url.Values{"spec": {spec}, "action": {"create"}}, nil)
	if res.StatusCode < 400 || !strings.Contains(imported.Text(), "at most 128") {
		t.Fatalf("import of a 900-character name: %d %.300q", res.StatusCode, imported.Text())
	}
}

// TestDeletedRecentDraftsDoNotLockOutTheirOwner: deleted drafts in the
// old recent-drafts cookie count as misses once; the cookie is then moved
// into the browser's list and cleared, and the owner's live drafts stay
// listed however often the home page is opened.
func TestDeletedRecentDraftsDoNotLockOutTheirOwner(t *testing.T) {
	srv := newTestServer(t)
	live := createDraft(t, srv, `{"template":"daily","name":"still_here"}`)
	ids := []string{live.ID}
	for range 9 {
		d := createDraft(t, srv, `{"template":"daily"}`)
		do(t, srv, "DELETE", "/api/v1/drafts/"+d.ID, "", "", nil)
		ids = append(ids, d.ID)
	}
	cookies := map[string]string{"ff_recent": strings.Join(ids, ".")}
	for range 20 {
		var sent []string
		for k, v := range cookies {
			sent = append(sent, k+"="+v)
		}
		r := do(t, srv, "GET", "/", "", "", map[string]string{"Cookie": strings.Join(sent, "; ")})
		if !strings.Contains(string(r.body), "still_here") {
			t.Fatal("the live draft is no longer listed")
		}
		for _, sc := range (&http.Response{Header: r.header}).Cookies() {
			if sc.MaxAge < 0 {
				delete(cookies, sc.Name)
			} else if sc.Name == "ff_recent" || sc.Name == "ff_browser" {
				cookies[sc.Name] = sc.Value
			}
		}
	}
	if _, ok := cookies["ff_recent"]; ok || cookies["ff_browser"] == "" {
		t.Errorf("the old cookie was not moved into the browser's list: %v", cookies)
	}
	if r := do(t, srv, "GET", "/api/v1/drafts/"+live.ID, "", "", nil); r.status != 200 {
		t.Fatalf("the owner is locked out: %d", r.status)
	}
}
