package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// autosave posts the editor form with changes as the page's autosave does,
// and keeps the version it saved in form, as the page does.
func (b *browserClient) autosave(path string, form url.Values, changes map[string]string) {
	b.t.Helper()
	for k, v := range changes {
		form.Set(k, v)
	}
	_, frag := b.do("POST", path+"/autosave", form, map[string]string{"HX-Request": "true"})
	v := frag.Find(`#version[hx-swap-oob]`).AttrOr("value", "")
	if v == "" {
		b.t.Fatalf("autosave did not save: %q", frag.Text())
	}
	form.Set("version", v)
}

func rowTexts(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel).Each(func(_ int, row *goquery.Selection) {
		var cells []string
		row.Children().Each(func(_ int, cell *goquery.Selection) { cells = append(cells, cell.Text()) })
		if len(cells) == 0 {
			cells = []string{row.Text()}
		}
		out = append(out, strings.Join(strings.Fields(strings.Join(cells, " ")), " "))
	})
	return out
}

// TestHistoryPageShowsSessionsAndVersions: autosaves collapse into one
// entry naming the fields by label; "Save version" makes a named entry
// whose message the list and the compare menus show; the diff speaks in
// the form's labels and units; a stale named save is refused with 412.
func TestHistoryPageShowsSessionsAndVersions(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	noToken(t, doc)
	form := editorForm(doc)
	for _, minutes := range []string{"1", "14", "4", "45"} {
		b.autosave(path, form, map[string]string{"rerun_interval": minutes})
	}
	b.autosave(path, form, map[string]string{"recurrence_type": "Skip"})
	held := form.Get("version")

	// Save version, from the editor's form.
	form.Set("version_message", "Before release")
	res, _ := b.do("POST", path+"/version", form, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path+"?saved=1&rev=7" {
		t.Fatalf("save version: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The same page again holds a stale version: refused, both sides shown.
	form.Set("version", held)
	form.Set("description", "stale tab")
	res, page := b.do("POST", path+"/version", form, nil)
	if res.StatusCode != http.StatusPreconditionFailed || page.Find(`[data-testid="conflict"]`).Length() != 1 {
		t.Fatalf("stale named version: %d", res.StatusCode)
	}
	// A message that is not one line of text is refused, with the editor shown again.
	form.Set("version", "7")
	form.Set("version_message", "two\nlines")
	if res, page := b.do("POST", path+"/version", form, nil); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page.Find("#save-status").Text(), "Not saved") {
		t.Fatalf("bad message: %d %q", res.StatusCode, page.Find("#save-status").Text())
	}

	_, hist := b.do("GET", path+"/history?rev=7", nil, nil)
	if got := hist.Find(`[data-testid="history-notice"]`).Text(); got != "Saved version 7 “Before release”" {
		t.Errorf("notice %q", got)
	}
	entries := rowTexts(hist, `[data-testid="history-entry"]`)
	if len(entries) != 3 {
		t.Fatalf("entries:\n%s", strings.Join(entries, "\n"))
	}
	for i, want := range []string{"Version 7 “Before release”", "Edited Retry interval, Run state versions 2–6, 5 saves anonymous 12:00", "Created"} {
		if !strings.HasPrefix(entries[i], want) {
			t.Errorf("entry %d = %q, want it to start %q", i, entries[i], want)
		}
	}
	if hist.Find(`[data-testid="history-entry"][data-kind="version"] [data-testid="version-message"]`).Text() != "“Before release”" {
		t.Error("the named version's message is not quoted")
	}
	for _, menu := range []string{"#from", "#to"} {
		if opts := rowTexts(hist, menu+" option"); len(opts) != 3 || opts[0] != "v7 · 12:00 · anonymous · “Before release”" || opts[1] != "v6 · 12:00 · anonymous" {
			t.Errorf("%s options %q", menu, opts)
		}
	}
	if caption := hist.Find(`[data-testid="history"] caption`).Text(); !strings.HasSuffix(caption, "UTC") {
		t.Errorf("times without a viewer zone are not said to be UTC: %q", caption)
	}

	// The session's "Show changes" link: labels and the form's units.
	link, _ := hist.Find(`[data-kind="edit"] a`).Attr("href")
	if link != path+"/history?from=1&to=6" {
		t.Fatalf("session diff link %q", link)
	}
	_, diff := b.do("GET", link, nil, nil)
	rows := rowTexts(diff, `[data-testid="diff"] tbody tr`)
	if strings.Join(rows, "\n") != "Retry interval 3 minutes 45 minutes\nRun state Normal Dry run" {
		t.Errorf("diff rows:\n%s", strings.Join(rows, "\n"))
	}
	if diff.Find(`[data-testid="diff"] code`).Length() != 0 {
		t.Error("known fields are shown as code")
	}

	// The JSON listing says what made each revision.
	r := do(t, srv, "GET", "/api/v1/drafts/"+strings.TrimPrefix(path, "/d/")+"/revisions", "", "", nil)
	var list struct {
		Revisions []struct {
			Version      int64
			Kind         string
			Message      string
			RestoredFrom int64
		}
	}
	decodeJSON(t, r.body, &list)
	if len(list.Revisions) != 7 || list.Revisions[0].Kind != "version" || list.Revisions[0].Message != "Before release" ||
		list.Revisions[1].Kind != "edit" || list.Revisions[6].Kind != "create" {
		t.Errorf("revisions %+v", list.Revisions)
	}
}

// TestRestoreSaysWhatHappened: a restore lands on the history saying which
// version came back, when and by whom it was saved (in the viewer's zone)
// and as what; a restore over a save the page did not show is refused.
func TestRestoreSaysWhatHappened(t *testing.T) {
	srv := newTestServer(t)
	b := newClient(t, srv)
	path, doc := b.newDraftPage("daily")
	noToken(t, doc)
	b.autosave(path, editorForm(doc), map[string]string{"priority": "7"})
	u, _ := url.Parse(srv.URL)
	b.http.Jar.SetCookies(u, []*http.Cookie{{Name: "ff_tz", Value: url.QueryEscape("Asia/Shanghai"), Path: "/"}})

	res, _ := b.do("POST", path+"/history/restore", url.Values{"version": {"1"}, "expected": {"2"}}, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("restore: %d", res.StatusCode)
	}
	_, hist := b.do("GET", res.Header.Get("Location"), nil, nil)
	// testNow is 12:00 UTC: 20:00 in Shanghai.
	if got := hist.Find(`[data-testid="history-notice"]`).Text(); got != "Restored version 1 (saved 20:00 by anonymous) as version 3" {
		t.Errorf("notice %q", got)
	}
	if got := hist.Find(`[data-testid="history"] caption`).Text(); !strings.HasSuffix(got, "Asia/Shanghai") {
		t.Errorf("caption %q", got)
	}
	if got := rowTexts(hist, `[data-testid="history-entry"]`)[0]; !strings.HasPrefix(got, "Restored version 1 Priority version 3 anonymous 20:00") {
		t.Errorf("restore entry %q", got)
	}
	if _, zh := b.do("GET", path+"/history?rev=3&lang=zh-CN", nil, nil); zh.Find(`[data-testid="history-notice"]`).Text() != "已将版本 1（20:00 由 匿名 保存）恢复为版本 3" {
		t.Errorf("zh-CN notice %q", zh.Find(`[data-testid="history-notice"]`).Text())
	}
	if res, page := b.do("GET", path+"/history?rev=99&lang=en", nil, nil); res.StatusCode != 200 || page.Find(`[data-testid="history-notice"]`).Length() != 0 {
		t.Errorf("a link to a missing revision: %d", res.StatusCode)
	}
	res, stale := b.do("POST", path+"/history/restore", url.Values{"version": {"2"}, "expected": {"2"}}, nil)
	if res.StatusCode != http.StatusPreconditionFailed || !strings.Contains(stale.Find(`[data-testid="history-notice"]`).Text(), "someone saved version 3") {
		t.Errorf("stale restore: %d %q", res.StatusCode, stale.Find(`[data-testid="history-notice"]`).Text())
	}
	r := do(t, srv, "GET", "/api/v1/drafts/"+strings.TrimPrefix(path, "/d/")+"/revisions", "", "", nil)
	var list struct{ Revisions []map[string]any }
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Revisions) != 3 || list.Revisions[0]["restoredFrom"] != 1.0 || list.Revisions[0]["kind"] != "restore" {
		t.Errorf("revisions after a refused restore: %v %s", err, r.body)
	}
}

// TestChangeViewsUseTheForm: each change by its label, in the form's words
// and units; what the form does not know stays a path with JSON.
func TestChangeViewsUseTheForm(t *testing.T) {
	const w = "spec.workflows[0]."
	for _, tc := range []struct {
		change flowspec.Change
		lang   i18n.Lang
		want   string // label|path|before|after|raw
	}{
		{flowspec.Change{Path: w + "strategy.rerunInterval", Op: flowspec.Changed, Old: "600000", New: "2700000"}, i18n.EN, "Retry interval||10 minutes|45 minutes|false"},
		{flowspec.Change{Path: w + "strategy.rerunInterval", Op: flowspec.Changed, Old: "600000", New: "2700000"}, i18n.ZH, "重跑间隔||10 分钟|45 分钟|false"},
		{flowspec.Change{Path: w + "strategy.recurrenceType", Op: flowspec.Changed, Old: `"Normal"`, New: `"Skip"`}, i18n.EN, "Run state||Normal|Dry run|false"},
		{flowspec.Change{Path: w + "strategy.rerunInterval", Op: flowspec.Added, New: "61000"}, i18n.EN, "Retry interval|||61000|false"},
		{flowspec.Change{Path: "projectId", Op: flowspec.Changed, Old: `""`, New: `"10000"`}, i18n.EN, "Workspace ProjectId|||10000|false"},
		{flowspec.Change{Path: w + "script.parameters[1].value", Op: flowspec.Changed, Old: `"a"`, New: `"b"`}, i18n.EN, "Parameter 2 value||a|b|false"},
		{flowspec.Change{Path: w + "script.parameters[0]", Op: flowspec.Added, New: `{"name":"p"}`}, i18n.EN, `Parameter 1|||{"name":"p"}|true`},
		{flowspec.Change{Path: "spec.workflows[0].nodes[3].name", Op: flowspec.Changed, Old: `"x"`, New: `"y"`}, i18n.EN, `|spec.workflows[0].nodes[3].name|"x"|"y"|false`},
		// Inner nodes by node name and field label, values in the form's units.
		{flowspec.Change{Path: w + "nodes[3].name", Op: flowspec.Changed, Old: `"x"`, New: `"y"`, Node: "y"}, i18n.EN, "Node y · Node name||x|y|false"},
		{flowspec.Change{Path: w + "nodes[1].script.content", Op: flowspec.Changed, Old: `"a"`, New: `"b\n"`, Node: "dwd"}, i18n.EN, "Node dwd · Code||a|b\n|false"},
		{flowspec.Change{Path: w + "nodes[1].rerunInterval", Op: flowspec.Added, New: "120000", Node: "dwd"}, i18n.ZH, "节点 dwd · 重跑间隔|||2 分钟|false"},
		{flowspec.Change{Path: w + "nodes[2]", Op: flowspec.Added, New: `{"name":"ads"}`, Node: "ads"}, i18n.EN, `Node ads|||{"name":"ads"}|true`},
		{flowspec.Change{Path: w + "dependencies[0].depends[0].output", Op: flowspec.Changed, Old: `"a"`, New: `"b"`, Node: "dwd"}, i18n.EN, "Node dwd · Upstream||a|b|false"},
	} {
		got := changeViews([]flowspec.Change{tc.change}, tc.lang)[0]
		label := got.Label
		path := ""
		if label == "" {
			path = got.Path
		}
		if s := strings.Join([]string{label, path, got.Theirs, got.Yours, map[bool]string{true: "true", false: "false"}[got.Raw]}, "|"); s != tc.want {
			t.Errorf("%s (%s): %s, want %s", tc.change.Path, tc.lang, s, tc.want)
		}
	}
}

// TestFieldListNamesEachFieldOnce: a session's summary.
func TestFieldListNamesEachFieldOnce(t *testing.T) {
	const w = "spec.workflows[0]."
	changes := []flowspec.Change{{Path: w + "trigger.cron"}, {Path: w + "trigger.cycleType"}, {Path: w + "strategy.rerunInterval"},
		{Path: w + "nodes[0].name"}, {Path: w + "nodes[1].name"}, {Path: w + "nodes[1].script.content", Node: "dwd"}}
	if got := fieldList(changes, i18n.EN); got != "Cron expression, Retry interval, Node dwd · Code, 2 other fields" {
		t.Errorf("en: %q", got)
	}
	if got := fieldList(changes[:3], i18n.ZH); got != "Cron 表达式、重跑间隔" {
		t.Errorf("zh: %q", got)
	}
}
