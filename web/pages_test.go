package web

import (
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// browserClient is an HTTP client with cookies, like a browser without JS.
type browserClient struct {
	t    *testing.T
	srv  *httptest.Server
	http *http.Client
}

func newClient(t *testing.T, srv *httptest.Server) *browserClient {
	jar, _ := cookiejar.New(nil)
	return &browserClient{t: t, srv: srv, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browserClient) do(method, path string, form url.Values, header map[string]string) (*http.Response, *goquery.Document) {
	b.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, b.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res, doc
}

// noToken fails when a page carries a per-visitor CSRF token: pages need
// none (a cross-site post is refused by its Sec-Fetch-Site or Origin), and
// one would keep the page from being shared by every visitor.
func noToken(t *testing.T, doc *goquery.Document) {
	t.Helper()
	if doc.Find(`meta[name="csrf-token"], input[name="_csrf"]`).Length() > 0 {
		t.Fatal("page carries a per-visitor CSRF token")
	}
}

// newDraftPage creates a draft through the home page and returns the
// editor's path and document.
func (b *browserClient) newDraftPage(template string) (string, *goquery.Document) {
	b.t.Helper()
	b.do("GET", "/", nil, nil) // the browser gets its id
	res, _ := b.do("POST", "/drafts", url.Values{"template": {template}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("create: %d", res.StatusCode)
	}
	path := res.Header.Get("Location")
	_, doc := b.do("GET", path, nil, nil)
	return path, doc
}

// editorForm collects the editor form's current values, as a browser would
// submit them.
func editorForm(doc *goquery.Document) url.Values {
	form := url.Values{}
	doc.Find("#editor input, #editor select, #editor textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if name == "" {
			return
		}
		switch typ, _ := s.Attr("type"); {
		case typ == "checkbox" || typ == "radio":
			if _, on := s.Attr("checked"); !on {
				return
			}
		case goquery.NodeName(s) == "select":
			v, ok := s.Find("option[selected]").Attr("value")
			if !ok {
				v, _ = s.Find("option").First().Attr("value")
			}
			form.Add(name, v)
			return
		}
		v, _ := s.Attr("value")
		if goquery.NodeName(s) == "textarea" {
			v = strings.TrimPrefix(s.Text(), "\n") // as a browser reads it: HTML drops the first newline
		}
		form.Add(name, v)
	})
	return form
}

func TestPagesRender(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	// Every input is labelled (a <label for>, aria-label or a wrapping label).
	doc.Find("#editor input:not([type=hidden]), #editor select").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		_, aria := s.Attr("aria-label")
		wrapped := s.ParentsFiltered("label").Length() > 0
		if !aria && !wrapped && (id == "" || doc.Find(`label[for="`+id+`"]`).Length() == 0) {
			name, _ := s.Attr("name")
			t.Errorf("input %q has no label", name)
		}
	})
	for sel, want := range map[string]string{
		"#cron":                   "00 00 02 * * ?",
		`#cycle option[selected]`: "Day",
	} {
		got, _ := doc.Find(sel).Attr("value")
		if got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if !strings.Contains(doc.Find("#summary-card").Text(), "At 02:00 every day") {
		t.Errorf("explanation: %q", doc.Find("#summary-card").Text())
	}
	if doc.Find("#live .chroma").Length() == 0 {
		t.Error("preview is not highlighted on the server")
	}
	for _, p := range []string{path + "/history", "/import", path + "/spec.json"} {
		if res, _ := b.do("GET", p, nil, nil); res.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	view, _ := doc.Find("#view-link").Attr("value")
	res, vdoc := b.do("GET", strings.TrimPrefix(view, srv.URL), nil, nil)
	if res.StatusCode != 200 || res.Header.Get("Referrer-Policy") != "no-referrer" || vdoc.Find("input:not([type=hidden]), select, textarea").Length() != 0 {
		t.Errorf("read-only page: %d %q", res.StatusCode, res.Header.Get("Referrer-Policy"))
	}
}

func TestPagesRefuseCrossSitePosts(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	form := editorForm(doc)
	form.Set("description", "forged")
	form.Set("action", "save")
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"another site (Sec-Fetch-Site)", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"a sibling subdomain (Sec-Fetch-Site)", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"another origin (Origin only)", map[string]string{"Origin": "https://evil.example"}},
	} {
		for _, route := range []string{path, path + "/autosave", path + "/share/rotate", "/drafts", "/import"} {
			res, page := b.do("POST", route, form, tc.header)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(page.Text(), "nothing was changed") {
				t.Errorf("%s, POST %s: %d", tc.name, route, res.StatusCode)
			}
		}
	}
	_, after := b.do("GET", path, nil, nil)
	if v, _ := after.Find("#description").Attr("value"); v != "" || after.Find("#version-label").Text() != "1" {
		t.Errorf("a refused post changed the draft: %q v%s", v, after.Find("#version-label").Text())
	}
	// The page's own origin is fine.
	if res, _ := b.do("POST", path, form, map[string]string{"Sec-Fetch-Site": "same-origin"}); res.StatusCode >= 400 {
		t.Errorf("same-origin save: %d", res.StatusCode)
	}
}

func TestPagesRenderXSSInert(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	payload := `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	form := editorForm(doc)
	for _, field := range []string{"name", "folder", "description", "owner", "timezone", "param_value", "output_data", "output_ref"} {
		form.Set(field, payload+field)
	}
	form.Set("param_name", "p"+payload)
	form.Set("cron", "00 00 02 * * ?"+payload)
	form.Set("action", "save")
	res, _ := b.do("POST", path, form, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	for _, p := range []string{path, path + "/history?from=1"} {
		res, page := b.do("GET", p, nil, nil)
		html, _ := page.Html()
		if res.StatusCode != 200 || page.Find("script:not([src])").Length() != 0 || page.Find("img").Length() != 0 ||
			strings.Contains(html, "<script>alert") {
			t.Errorf("%s: payload not inert", p)
		}
	}
	view, _ := doc.Find("#view-link").Attr("value")
	_, vdoc := b.do("GET", strings.TrimPrefix(view, srv.URL), nil, nil)
	if vdoc.Find("script:not([src]), img").Length() != 0 || !strings.Contains(vdoc.Text(), "<script>alert(1)</script>") {
		t.Error("read-only page: payload not shown as text")
	}
}

func TestPagesOversizedPost(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	form := editorForm(doc)
	form.Set("description", strings.Repeat("x", 1<<20))
	form.Set("action", "save")
	res, page := b.do("POST", path, form, nil)
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page.Text(), "1 MiB") {
		t.Fatalf("oversized post: %d", res.StatusCode)
	}
}

func TestFragments(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	noToken(t, doc)
	hx := map[string]string{"HX-Request": "true"}

	// Builder → raw cron out of band.
	form := editorForm(doc)
	form.Set("source", "builder")
	form.Set("cycle", "Week")
	res, frag := b.do("POST", path+"/preview", form, hx)
	if res.StatusCode != 200 {
		t.Fatalf("preview: %d", res.StatusCode)
	}
	if v, _ := frag.Find(`#cron-box[hx-swap-oob] #cron`).Attr("value"); v != "00 00 02 ? * 1" {
		t.Errorf("builder fragment cron = %q", v)
	}
	if !strings.Contains(frag.Find("#summary-card").Text(), "every Monday") || frag.Find("#spec-body .chroma").Length() != 1 {
		t.Error("fragment lacks explanation or preview")
	}

	// Raw cron → builder out of band; a bad cron → inline error.
	form = editorForm(doc)
	form.Set("source", "cron")
	form.Set("cron", "00 61 02 * * ?")
	_, frag = b.do("POST", path+"/preview", form, hx)
	if !strings.Contains(frag.Find(`#err-cron[hx-swap-oob]`).Text(), "minute field") {
		t.Errorf("no inline cron error: %q", frag.Find("#err-cron").Text())
	}
	form.Set("cron", "00 30 05 ? * 3")
	_, frag = b.do("POST", path+"/preview", form, hx)
	if v, _ := frag.Find(`#builder[hx-swap-oob] #cycle option[selected]`).Attr("value"); v != "Week" {
		t.Errorf("builder kind %q", v)
	}
	if strings.TrimSpace(frag.Find("#err-cron").Text()) != "" {
		t.Error("cron error not cleared")
	}

	// Autosave: saves with the page's version, then refuses a stale one.
	form = editorForm(doc)
	form.Set("description", "autosaved")
	_, frag = b.do("POST", path+"/autosave", form, hx)
	if !strings.Contains(frag.Find("#save-status").Text(), "Saved as version 2") || frag.Find(`#version[hx-swap-oob]`).AttrOr("value", "") != "2" {
		t.Fatalf("autosave: %q", frag.Text())
	}
	form.Set("description", "stale tab")
	_, frag = b.do("POST", path+"/autosave", form, hx) // still version 1
	if frag.Find(`#conflict[hx-swap-oob] [data-testid="conflict"]`).Length() != 1 || !strings.Contains(frag.Text(), "autosaved") {
		t.Fatalf("stale autosave did not show the conflict: %q", frag.Text())
	}
	// Save mine as a copy: a new draft with the stale tab's content.
	res, _ = b.do("POST", path+"/copy", form, nil)
	if res.StatusCode != http.StatusSeeOther || strings.HasPrefix(res.Header.Get("Location"), path) {
		t.Fatalf("copy: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, cp := b.do("GET", res.Header.Get("Location"), nil, nil)
	if v, _ := cp.Find("#description").Attr("value"); v != "stale tab" {
		t.Errorf("copy holds %q", v)
	}
}

func TestImportPage(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	_, page := b.do("GET", "/import", nil, nil)
	noToken(t, page)
	spec := `{"version":"2.0.0","kind":"CycleWorkflow","spec":{"name":"x","type":"CycleWorkflow","workflows":[{"name":"x","script":{"path":"x","runtime":{"command":"WORKFLOW"}},"trigger":{"type":"Scheduler","cron":"00 30 02 * * ?"},"strategy":{"rerunMode":"ALL_ALLOWED"}}]}}`
	_, checked := b.do("POST", "/import", url.Values{"spec": {spec}, "action": {"check"}}, nil)
	if !strings.Contains(checked.Find(`[data-testid="import-warnings"]`).Text(), "ALL_ALLOWED") {
		t.Fatalf("import does not show what it normalises: %q", checked.Find("main").Text())
	}
	res, _ := b.do("POST", "/import", url.Values{"spec": {spec}, "action": {"create"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d", res.StatusCode)
	}
	res, bad := b.do("POST", "/import", url.Values{"spec": {`{"version":`}, "action": {"check"}}, nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Find("#import-errors").Text(), "not valid JSON") {
		t.Errorf("malformed import: %d", res.StatusCode)
	}
}

func TestErrorPagesInBothLanguages(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	for lang, want := range map[string]string{"en": "no draft at this link", "zh-CN": "此链接没有对应的草稿"} {
		res, page := b.do("GET", "/d/"+strings.Repeat("A", 26)+"?lang="+lang, nil, nil)
		if res.StatusCode != 404 || !strings.Contains(page.Find("main").Text(), want) {
			t.Errorf("%s: %d %q", lang, res.StatusCode, page.Find("main").Text())
		}
	}
}
