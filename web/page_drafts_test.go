package web

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/flowform/flowform/internal/sqlite"
)

// draftsServer serves the real application on a fresh SQLite file with a
// clock that moves a second each time it is read, so that drafts saved one
// after the other have distinct last changes. count counts stored drafts.
func draftsServer(t *testing.T) (srv *httptest.Server, count func() int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flowform.db")
	store, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	clock := testNow
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	srv = httptest.NewServer(New(Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now,
		Drafts: draft.NewService(store, "cn-shanghai", now)}))
	db, err := sql.Open("sqlite", path+"?_query_only=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close(); db.Close(); store.Close() })
	return srv, func() (n int) {
		if err := db.QueryRow(`SELECT count(*) FROM drafts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// create makes a draft from a template on the home page, under name.
func (b *browserClient) create(template, name string) string {
	b.t.Helper()
	b.do("GET", "/", nil, nil) // the browser gets its id
	res, _ := b.do("POST", "/drafts", url.Values{"template": {template}, "name": {name}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("create %s: %d", name, res.StatusCode)
	}
	return strings.TrimPrefix(res.Header.Get("Location"), "/d/")
}

// post posts an empty page form from a browser that has its id.
func (b *browserClient) post(path string) *http.Response {
	b.t.Helper()
	b.do("GET", "/", nil, nil) // the browser gets its id
	res, _ := b.do("POST", path, url.Values{}, nil)
	return res
}

// listed is the names of the home page's draft rows, in order.
func listed(doc *goquery.Document) []string {
	var names []string
	doc.Find(`[data-testid="draft-row"] [data-testid="draft-name"]`).Each(func(_ int, s *goquery.Selection) {
		names = append(names, s.Text())
	})
	return names
}

func TestNewDraftAsksForAName(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		status      int
		want        string // the created draft's name, or the message at the field
	}{
		{"a name", "orders_daily", http.StatusSeeOther, "orders_daily"},
		{"spaces around it", "  orders  ", http.StatusSeeOther, "orders"},
		{"Chinese", "销售日报", http.StatusSeeOther, "销售日报"},
		{"empty", "   ", http.StatusUnprocessableEntity, "the workflow name is required"},
		{"too long", strings.Repeat("n", 129), http.StatusUnprocessableEntity, "at most 128"},
		{"a control character", "a\tb", http.StatusUnprocessableEntity, "name"},
		{"a bidirectional override", "a\u202eb", http.StatusUnprocessableEntity, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, count := draftsServer(t)
			b := newClient(t, srv)
			b.do("GET", "/", nil, nil) // the browser gets its id
			res, doc := b.do("POST", "/drafts", url.Values{"template": {"hourly"}, "name": {tc.typed}}, nil)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if tc.status == http.StatusSeeOther {
				_, editor := b.do("GET", res.Header.Get("Location"), nil, nil)
				if got, _ := editor.Find("#name").Attr("value"); got != tc.want {
					t.Errorf("the draft is named %q, want %q", got, tc.want)
				}
				return
			}
			if msg := doc.Find("#err-name-hourly").Text(); !strings.Contains(msg, tc.want) {
				t.Errorf("message at the field: %q, want %q", msg, tc.want)
			}
			if inv, _ := doc.Find("#name-hourly").Attr("aria-invalid"); inv != "true" {
				t.Error("the name field is not marked invalid")
			}
			if got, _ := doc.Find("#name-hourly").Attr("value"); got != tc.typed {
				t.Errorf("the field shows %q, not what was typed", got)
			}
			if doc.Find("#err-name-daily .error").Length() != 0 {
				t.Error("another template's field shows the message")
			}
			if n := count(); n != 0 {
				t.Errorf("a refused name stored %d drafts", n)
			}
		})
	}
}

// TestTemplatesSuggestNamesTheListCanTellApart: each template suggests its
// own name, numbered past the names this browser already has.
func TestTemplatesSuggestNamesTheListCanTellApart(t *testing.T) {
	srv, _ := draftsServer(t)
	b := newClient(t, srv)
	_, home := b.do("GET", "/", nil, nil)
	for id, want := range map[string]string{"daily": "daily_workflow", "every-15-min": "every_15_min_workflow", "manual": "manual_workflow"} {
		if got, _ := home.Find("#name-" + id).Attr("value"); got != want {
			t.Errorf("%s suggests %q, want %q", id, got, want)
		}
	}
	b.create("daily", "daily_workflow")
	b.create("daily", "daily_workflow_2")
	_, home = b.do("GET", "/", nil, nil)
	if got, _ := home.Find("#name-daily").Attr("value"); got != "daily_workflow_3" {
		t.Errorf("after two daily drafts the suggestion is %q", got)
	}
}

// TestHomeListsEveryDraftOfThisBrowser: more drafts than the old cookie
// held, each with its schedule in words, latest change first; another
// browser sees none of them; ?q= filters without JavaScript.
func TestHomeListsEveryDraftOfThisBrowser(t *testing.T) {
	srv, _ := draftsServer(t)
	b := newClient(t, srv)
	var want []string
	for i := range 12 {
		name := "job_" + string(rune('a'+i))
		b.create("hourly", name)
		want = append([]string{name}, want...)
	}
	b.create("weekly-monday", "monday_report")
	want = append([]string{"monday_report"}, want...)

	_, home := b.do("GET", "/", nil, nil)
	if got := listed(home); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v\nwant %v", got, want)
	}
	first := home.Find(`[data-testid="draft-row"]`).First()
	if s := first.Find(`[data-testid="draft-schedule"]`).Text(); !strings.Contains(s, "Monday") {
		t.Errorf("schedule in words: %q", s)
	}
	if s := first.Find("time").AttrOr("datetime", ""); !strings.HasPrefix(s, "2026-11-27T12:") {
		t.Errorf("last change datetime %q", s)
	}
	if s := first.Text(); !strings.Contains(s, "just now") || !strings.Contains(s, "27 Nov 2026, 12:") || !strings.Contains(s, "(UTC)") {
		t.Errorf("last change not shown relative and absolute: %q", s)
	}

	// In the viewer's zone once app.js has told it.
	_, home = b.do("GET", "/", nil, map[string]string{"Cookie": "ff_tz=Asia%2FShanghai"})
	if s := home.Find(`[data-testid="draft-row"] time`).First().Text(); !strings.Contains(s, "27 Nov 2026, 20:") || !strings.Contains(s, "Asia/Shanghai") {
		t.Errorf("last change in the viewer's zone: %q", s)
	}

	for _, tc := range []struct{ q, want string }{
		{"job_c", "job_c"},
		{"MONDAY", "monday_report"},
		{"every hour", strings.Join(want[1:], ",")},
		{"nothing like it", ""},
	} {
		_, doc := b.do("GET", "/?q="+url.QueryEscape(tc.q), nil, nil)
		if got := strings.Join(listed(doc), ","); got != tc.want {
			t.Errorf("filter %q: %s, want %s", tc.q, got, tc.want)
		}
		if hidden := doc.Find(`[data-testid="no-match"]`).Is("[hidden]"); hidden != (tc.want != "") {
			t.Errorf("filter %q: no-match message hidden=%v", tc.q, hidden)
		}
		if v, _ := doc.Find("#draft-filter").Attr("value"); v != tc.q {
			t.Errorf("the filter box shows %q", v)
		}
	}

	other := newClient(t, srv)
	if _, doc := other.do("GET", "/", nil, nil); len(listed(doc)) != 0 {
		t.Errorf("another browser sees %v", listed(doc))
	}
}

// TestDeleteUndoDuplicatePages: delete lands on the home page with an undo
// that says until when; undo brings the draft back; duplicate opens the
// copy in the editor.
func TestDeleteUndoDuplicatePages(t *testing.T) {
	srv, count := draftsServer(t)
	b := newClient(t, srv)
	keep := b.create("daily", "keep_me")
	gone := b.create("hourly", "delete_me")

	res := b.post("/d/" + gone + "/delete")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("delete: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, home := b.do("GET", "/", nil, nil)
	notice := home.Find(`[data-testid="notice"]`)
	if s := notice.Text(); !strings.Contains(s, "Deleted delete_me.") || !strings.Contains(s, "until 27 Dec 2026, 12:") || !strings.Contains(s, "(in 30 days)") {
		t.Errorf("notice: %q", s)
	}
	if action, _ := notice.Find("form").Attr("action"); action != "/d/"+gone+"/undelete" {
		t.Errorf("undo posts to %q", action)
	}
	if got := listed(home); strings.Join(got, ",") != "keep_me" {
		t.Errorf("after delete: %v", got)
	}
	if _, again := b.do("GET", "/", nil, nil); again.Find(`[data-testid="notice"]`).Length() != 0 {
		t.Error("the notice is shown twice")
	}

	if res := b.post("/d/" + gone + "/undelete"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("undo: %d", res.StatusCode)
	}
	_, home = b.do("GET", "/", nil, nil)
	if s := home.Find(`[data-testid="notice"]`).Text(); !strings.Contains(s, "Restored delete_me.") {
		t.Errorf("notice after undo: %q", s)
	}
	if got := listed(home); len(got) != 2 {
		t.Errorf("after undo: %v", got)
	}

	res = b.post("/d/" + keep + "/duplicate")
	copyPath := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(copyPath, "/d/") || copyPath == "/d/"+keep {
		t.Fatalf("duplicate: %d %s", res.StatusCode, copyPath)
	}
	if _, editor := b.do("GET", copyPath, nil, nil); editor.Find("#name").AttrOr("value", "") != "keep_me" {
		t.Error("the copy does not open in the editor")
	}
	if _, home := b.do("GET", "/", nil, nil); len(listed(home)) != 3 || count() != 3 {
		t.Errorf("after duplicate: %v, %d drafts", listed(home), count())
	}
}

// TestDraftPageActionsRefuseBadRequests: a cross-site post or an unknown
// draft changes nothing, and an unknown draft counts as a miss.
func TestDraftPageActionsRefuseBadRequests(t *testing.T) {
	for _, action := range []string{"delete", "undelete", "duplicate"} {
		t.Run(action, func(t *testing.T) {
			srv, count := draftsServer(t)
			b := newClient(t, srv)
			id := b.create("daily", "target")
			if res, _ := b.do("POST", "/d/"+id+"/"+action, url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}); res.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site: %d", res.StatusCode)
			}
			if res := b.post("/d/" + strings.Repeat("A", 26) + "/" + action); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown draft: %d", res.StatusCode)
			}
			if _, home := b.do("GET", "/", nil, nil); strings.Join(listed(home), ",") != "target" || count() != 1 {
				t.Errorf("a refused %s changed something: %v, %d drafts", action, listed(home), count())
			}
		})
	}
}

// TestRecentCookieMovesIntoTheList: the old cookie's live drafts join the
// browser's list on the first visit, and the cookie is cleared.
func TestRecentCookieMovesIntoTheList(t *testing.T) {
	srv, _ := draftsServer(t)
	a := createDraft(t, srv, `{"template":"daily","name":"from_cookie_a"}`)
	bd := createDraft(t, srv, `{"template":"daily","name":"from_cookie_b"}`)
	del := createDraft(t, srv, `{"template":"daily","name":"deleted_one"}`)
	do(t, srv, "DELETE", "/api/v1/drafts/"+del.ID, "", "", nil)
	b := newClient(t, srv)
	u, _ := url.Parse(srv.URL)
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: "ff_recent", Value: a.ID + "." + del.ID + "." + bd.ID}})
	res, home := b.do("GET", "/", nil, nil)
	if got := listed(home); len(got) != 2 {
		t.Fatalf("listed %v", got)
	}
	var cleared, id bool
	for _, c := range res.Cookies() {
		cleared = cleared || c.Name == "ff_recent" && c.MaxAge < 0
		id = id || c.Name == "ff_browser" && c.HttpOnly && c.SameSite == http.SameSiteLaxMode
	}
	if !cleared || !id {
		t.Errorf("cookies: %v", res.Cookies())
	}
	if _, home := b.do("GET", "/", nil, nil); len(listed(home)) != 2 {
		t.Errorf("on the next visit: %v", listed(home))
	}
}

func TestRelative(t *testing.T) {
	now := testNow
	for _, tc := range []struct {
		at     time.Time
		en, zh string
	}{
		{now.Add(-20 * time.Second), "just now", "刚刚"},
		{now.Add(-time.Minute), "1 minute ago", "1 分钟前"},
		{now.Add(-59 * time.Minute), "59 minutes ago", "59 分钟前"},
		{now.Add(-3 * time.Hour), "3 hours ago", "3 小时前"},
		{now.Add(-25 * time.Hour), "1 day ago", "1 天前"},
		{now.Add(-44 * 24 * time.Hour), "44 days ago", "44 天前"},
		{now.Add(-90 * 24 * time.Hour), "3 months ago", "3 个月前"},
		{now.Add(-800 * 24 * time.Hour), "2 years ago", "2 年前"},
		{now.Add(draft.RestoreWindow), "in 30 days", "30 天后"},
		{now.Add(2 * time.Hour), "in 2 hours", "2 小时后"},
	} {
		if got := relative(i18n.EN, now, tc.at); got != tc.en {
			t.Errorf("%v: %q, want %q", tc.at.Sub(now), got, tc.en)
		}
		if got := relative(i18n.ZH, now, tc.at); got != tc.zh {
			t.Errorf("%v: %q, want %q", tc.at.Sub(now), got, tc.zh)
		}
	}
}

// TestUndoTwiceKeepsTheDraft: pressing Undo again (or in a second tab)
// lands on the list with the draft in it, not on a 404.
func TestUndoTwiceKeepsTheDraft(t *testing.T) {
	srv, count := draftsServer(t)
	b := newClient(t, srv)
	id := b.create("daily", "twice")
	if res := b.post("/d/" + id + "/delete"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	for i := range 2 {
		if res := b.post("/d/" + id + "/undelete"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("undo %d: %d %s", i+1, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if _, home := b.do("GET", "/", nil, nil); strings.Join(listed(home), ",") != "twice" || count() != 1 {
		t.Errorf("after two undos: %v, %d drafts", listed(home), count())
	}
}

// TestPageFormsTakeOnlyFormBodies: a JSON body posted to a page form (the
// API's encoding, not a browser form's) is 415 and changes nothing.
func TestPageFormsTakeOnlyFormBodies(t *testing.T) {
	srv, count := draftsServer(t)
	b := newClient(t, srv)
	id := b.create("daily", "kept")
	for _, action := range []string{"delete", "duplicate", "version"} {
		r := do(t, srv, "POST", "/d/"+id+"/"+action, "application/json", "{}", nil)
		if r.status != http.StatusUnsupportedMediaType || !strings.Contains(string(r.body), "nothing was changed") {
			t.Errorf("JSON to /d/{id}/%s: %d", action, r.status)
		}
	}
	if _, home := b.do("GET", "/", nil, nil); strings.Join(listed(home), ",") != "kept" || count() != 1 {
		t.Errorf("a refused post changed something: %v, %d drafts", listed(home), count())
	}
}
