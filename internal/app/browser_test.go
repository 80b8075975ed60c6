package app

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromium finds Debian's headless Chromium (installed by .ci/run).
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts headless Chromium for one test. In CI a missing browser
// fails the test: the browser tests are part of what must pass.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserWithin(t, 90*time.Second)
}

// newBrowserWithin is newBrowser for a test that needs longer than 90 s.
func newBrowserWithin(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	path := chromium()
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install -y chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func must(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	var err error
	for range 3 { // a navigation during polling ends the poll; poll again on the new page
		if _, err = chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second))); err == nil || strings.Contains(err.Error(), "timeout") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.slice(0, 3000)`))
		t.Fatalf("waiting for %s (%s): %v\npage:\n%s", what, js, err, html)
	}
}

func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// textContent is an element's text, hidden parts (a closed panel) included.
func textContent(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).textContent`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// replace types a new value into a text input the way a user does: select
// all, then type. It types into the focused input with KeyEvent rather than
// SendKeys, which in chromedp v0.23.0 reads the node's attributes without
// its lock and races (under -race) with app.js setting aria-invalid.
func replace(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).select()`, sel)),
		chromedp.KeyEvent(v),
	)
}

// choose picks an option of a select and fires change, as a user would.
func choose(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, v))
}

// newEditor opens the home page, creates a draft from a template and
// returns the editor URL.
func newEditor(t *testing.T, ctx context.Context, app *running, template string) string {
	t.Helper()
	must(t, ctx, chromedp.Navigate(app.URL), chromedp.Click(chromedp.CSS(`[data-testid="template-`+template+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#editor")))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

func TestBrowserEditorIsLive(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	editor := newEditor(t, ctx, app, "daily")
	if got := value(t, ctx, "#cron"); got != "00 00 02 * * ?" {
		t.Fatalf("template cron %q", got)
	}

	// Changing the cycle rewrites the raw cron.
	must(t, ctx, choose("#cycle", "Week"))
	waitFor(t, ctx, "raw cron from the builder", `document.querySelector("#cron").value === "00 00 02 ? * 1"`)

	// Typing a raw cron moves the builder, the explanation and the preview.
	must(t, ctx, replace("#cron", "00 15 06 * * ?"))
	waitFor(t, ctx, "builder from the raw cron", `document.querySelector("#cycle").value === "Day" && document.querySelector("#hour").value === "6" && document.querySelector("#minute").value === "15"`)
	waitFor(t, ctx, "description", `document.querySelector("#summary-card").innerText.includes("At 06:15 every day")`)
	waitFor(t, ctx, "preview", `document.querySelector("#spec-body").textContent.includes("00 15 06 * * ?")`)

	// A bad cron shows an inline error that clears when fixed.
	must(t, ctx, replace("#cron", "00 61 06 * * ?"))
	waitFor(t, ctx, "inline cron error", `document.querySelector("#err-cron").innerText.includes("minute field")`)
	if desc, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("#cron"), "aria-describedby")); !strings.Contains(desc.Value, "err-cron") {
		t.Errorf("cron input not described by its error: %q", desc.Value)
	}
	must(t, ctx, replace("#cron", "00 45 06 * * ?"))
	waitFor(t, ctx, "error cleared", `document.querySelector("#err-cron").innerText.trim() === ""`)

	// Autosave keeps the last edit across a reload.
	waitFor(t, ctx, "autosave", `document.querySelector("#save-status").innerText.includes("Saved as version")`)
	waitFor(t, ctx, "autosave of the last edit", `fetch(location.pathname + "/spec.json").then(r => r.text()).then(s => s.includes("00 45 06"))`)
	must(t, ctx, chromedp.Navigate(editor))
	if got := value(t, ctx, "#cron"); got != "00 45 06 * * ?" {
		t.Fatalf("after reload cron = %q", got)
	}

	// The next runs also show the viewer's own zone.
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS("#summary-card")), chromedp.Navigate(editor), chromedp.WaitVisible(chromedp.CSS("#summary-card")))
	// 06:45 in Shanghai is 17:45 in New York in winter, 18:45 in summer.
	if txt := textContent(t, ctx, "#explain table"); !strings.Contains(txt, "Your time (America/New_York)") || !strings.Contains(txt, "17:45") && !strings.Contains(txt, "18:45") {
		t.Errorf("next runs lack the viewer's zone:\n%s", txt)
	}
}

func TestBrowserConflictBanner(t *testing.T) {
	app := start(t, noCredentials())
	first := newBrowser(t)
	editor := newEditor(t, first, app, "hourly")
	second, cancel := chromedp.NewContext(first) // a second tab
	defer cancel()
	must(t, second, chromedp.Navigate(editor))
	waitFor(t, second, "second tab", `!!document.querySelector("#description")`)

	must(t, first, replace("#description", "first tab wins"))
	waitFor(t, first, "first tab saved", `document.querySelector("#save-status").innerText.includes("Saved as version 2")`)
	must(t, second, replace("#description", "second tab"))
	waitFor(t, second, "conflict banner", `!!document.querySelector('[data-testid="conflict"]')`)
	banner := text(t, second, `[data-testid="conflict"]`)
	if !strings.Contains(banner, "Description") || !strings.Contains(banner, "first tab wins") || !strings.Contains(banner, "second tab") {
		t.Errorf("banner does not show both sides:\n%s", banner)
	}
	// Nothing was overwritten.
	must(t, first, chromedp.Navigate(editor))
	if got := value(t, first, "#description"); got != "first tab wins" {
		t.Fatalf("description = %q", got)
	}
}

func TestBrowserReadOnlyLink(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	newEditor(t, ctx, app, "month-end")
	viewURL := value(t, ctx, "#view-link")
	must(t, ctx, chromedp.Navigate(strings.Replace(viewURL, "http://127.0.0.1", "http://127.0.0.1", 1)))
	waitFor(t, ctx, "read-only page", `!!document.querySelector('[data-testid="readonly"]')`)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input:not([type=hidden]), select, textarea').length`))
	if err != nil || n != 0 {
		t.Fatalf("read-only page has %d inputs (%v)", n, err)
	}
	token := viewURL[strings.LastIndex(viewURL, "/")+1:]
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`fetch("/d/%s/autosave", {method: "POST", body: new URLSearchParams({version: "1", description: "x"})}).then(r => r.status)`, token),
		chromedp.EvalAwaitPromise))
	if err != nil || status != 404 {
		t.Fatalf("saving through the view token answered %d (%v)", status, err)
	}
	if txt := text(t, ctx, "main"); !strings.Contains(txt, "At 23:00 on the last day of every month") {
		t.Errorf("read-only page lacks the schedule explanation:\n%s", txt)
	}
}

func TestBrowserWorksWithoutJavaScript(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.Navigate(app.URL), chromedp.Click(chromedp.CSS(`[data-testid="template-weekly-monday"]`)),
		chromedp.WaitVisible(chromedp.CSS("#editor")))
	must(t, ctx, chromedp.Focus(chromedp.CSS("#name")), chromedp.KeyEvent(kb.End), chromedp.KeyEvent("_v2"))
	// A full-page post: wait for the new page, not the old one's elements.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[value="preview"]`))); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS("#editor")))
	if txt := textContent(t, ctx, "#spec-body"); !strings.Contains(txt, "weekly_monday_workflow_v2") {
		t.Fatalf("full-page preview lacks the edit:\n%s", txt)
	}
	if txt := text(t, ctx, "#save-status"); !strings.Contains(txt, "Preview only") {
		t.Errorf("status %q", txt)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="save"]`))); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS("#editor")))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "?saved=1") || !strings.Contains(text(t, ctx, "#save-status"), "Saved as version 2") || value(t, ctx, "#name") != "weekly_monday_workflow_v2" {
		t.Fatalf("no-JS save: %s %q", loc, text(t, ctx, "#save-status"))
	}
}

func TestBrowserChinese(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	must(t, ctx, chromedp.Navigate(app.URL+"?lang=zh-CN"))
	if h1 := text(t, ctx, "h1"); h1 != "设计 DataWorks 工作流" {
		t.Fatalf("h1 = %q", h1)
	}
	// The choice is remembered on the next page.
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="template-daily"]`)), chromedp.WaitVisible(chromedp.CSS("#editor")))
	for sel, want := range map[string]string{`label[for="name"]`: "名称", `#summary-card`: "每天 02:00", `[data-testid="save"]`: "保存"} {
		if got := text(t, ctx, sel); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
}

// TestBrowserKeyboardOnly completes a draft with the keyboard alone: Tab to
// the name, type it, Tab to Save, Enter.
func TestBrowserKeyboardOnly(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	newEditor(t, ctx, app, "every-15-min")
	tabTo := func(id string, limit int) {
		for range limit {
			got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? (document.activeElement.id || document.activeElement.getAttribute("data-testid") || "") : ""`))
			if got == id {
				return
			}
			must(t, ctx, chromedp.KeyEvent(kb.Tab))
		}
		t.Fatalf("Tab never reached #%s", id)
	}
	tabTo("name", 40)
	must(t, ctx, chromedp.KeyEvent("keyboard_flow"))
	tabTo("save", 400)
	must(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitFor(t, ctx, "saved by keyboard", `location.search === "?saved=1" && document.querySelector("#name").value.includes("keyboard_flow")`)
	// Focus is visible: the focused element has an outline.
	style, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { document.querySelector("#name").focus(); return getComputedStyle(document.querySelector("#name")).outlineStyle; })()`))
	if style == "none" || style == "" {
		t.Errorf("focused input has no visible outline (%q)", style)
	}
}

// TestScreenshots writes editor screenshots (light, dark, zh-CN) when
// FLOWFORM_SCREENSHOTS names a folder: `make screenshots`.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("FLOWFORM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FLOWFORM_SCREENSHOTS=<folder> (make screenshots)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	app := start(t, noCredentials())
	ctx := newBrowserWithin(t, 5*time.Minute)
	editor := newEditor(t, ctx, app, "every-15-min")
	id := editor[strings.LastIndex(editor, "/")+1:]
	viewport := func(w, h int64) {
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: h, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
			t.Fatal(err)
		}
	}
	scheme := func(s string) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}}}); err != nil {
			t.Fatal(err)
		}
	}
	// shot saves the first screen (what a user sees on arrival) or the
	// whole page.
	shot := func(name string, full bool, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		must(t, ctx, steps...)
		var png []byte
		var err error
		if full {
			png, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
		} else {
			png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := func(url string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main")))
	}
	viewport(1440, 900)
	for _, s := range []struct{ name, lang, scheme string }{
		{"editor-light", "en", "light"}, {"editor-dark", "en", "dark"}, {"editor-zh-CN", "zh-CN", "light"},
	} {
		scheme(s.scheme)
		shot(s.name+".png", false, open(editor+"?lang="+s.lang))
		shot(s.name+"-full.png", true)
	}
	scheme("light")
	must(t, ctx, open(editor+"?lang=en"), replace("#project_id", "123456"), replace("#rerun_interval", "10"))
	waitFor(t, ctx, "autosave", `document.querySelector("#save-status").innerText.includes("Saved as version")`)
	shot("editor-json-open.png", false, chromedp.Click(chromedp.CSS("#live > summary")))
	must(t, ctx, chromedp.Click(chromedp.CSS("#live > summary")))
	viewport(390, 844)
	shot("editor-390.png", false, open(editor))
	shot("editor-390-full.png", true)
	viewport(1440, 900)
	view := value(t, ctx, "#view-link")
	shot("read-only.png", true, open(view))
	viewport(390, 844)
	shot("read-only-390.png", true, open(view))
	viewport(1440, 900)
	shot("history.png", true, open(editor+"/history?from=1"))
	viewport(390, 844)
	shot("history-390.png", true, open(editor+"/history?from=1"))
	viewport(1440, 900)
	sample, err := os.ReadFile("../../../shared/samples/dataworks-spec/version__1.x.y__manual_workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	must(t, ctx, open(app.URL+"import"), chromedp.SetValue(chromedp.CSS("textarea[name=spec]"), string(sample)))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[value="check"]`))); err != nil {
		t.Fatal(err)
	}
	shot("import-checked.png", true, chromedp.WaitVisible(chromedp.CSS("main")))
	shot("home.png", true, open(app.URL))
	shot("submit-confirm.png", true, open(editor+"/submit"))
	shot("submit-result.png", true, chromedp.Click(chromedp.CSS(`[data-testid="submit-button"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="result"]`)))
	shot("not-found.png", false, open(app.URL+"%5Cevil.example"))
	must(t, ctx, open(app.URL+"d/"+id), replace("#name", strings.Repeat("n", 200)), replace("#every", "75"))
	waitFor(t, ctx, "the name limit at the field", `document.querySelector("#err-name").innerText.includes("at most 128")`)
	shot("editor-errors.png", false)
}

// TestBrowserNameLimitIsShownAtTheField: typing a name over the limit
// marks the name field with the limit, and autosave saves nothing.
func TestBrowserNameLimitIsShownAtTheField(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	editor := newEditor(t, ctx, app, "daily")
	must(t, ctx, replace("#name", strings.Repeat("n", 200)))
	waitFor(t, ctx, "the name limit at the field", `document.querySelector("#err-name").innerText.includes("at most 128")`)
	waitFor(t, ctx, "autosave refused", `document.querySelector("#save-status").innerText.includes("Not saved")`)
	id := editor[strings.LastIndex(editor, "/")+1:]
	if r := app.do(t, "GET", "/api/v1/drafts/"+id, "", nil); !strings.Contains(string(r.body), `"version":1`) {
		t.Fatalf("the too-long name was saved: %s", r.body)
	}
}

// TestBrowserSubmitInSandbox submits from the editor in sandbox mode and
// sees the result page with the workflow Id.
func TestBrowserSubmitInSandbox(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	newEditor(t, ctx, app, "daily")
	if txt := text(t, ctx, `[data-testid="sandbox"]`); !strings.Contains(txt, "nothing reaches Alibaba Cloud") {
		t.Fatalf("sandbox banner: %q", txt)
	}
	must(t, ctx, replace("#project_id", "123456"))
	waitFor(t, ctx, "autosave of the ProjectId", `document.querySelector("#save-status").innerText.includes("Saved as version 2")`)
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-button"]`)))
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit-button"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="result"]`)))
	if state := text(t, ctx, `[data-testid="result-state"]`); state != "succeeded" {
		t.Fatalf("state %q: %s", state, text(t, ctx, "main"))
	}
	if id := text(t, ctx, `[data-testid="workflow-id"]`); !digits19.MatchString(id) {
		t.Fatalf("workflow Id %q", id)
	}
	if txt := text(t, ctx, `[data-testid="guidance"]`); !strings.Contains(txt, "Nothing reached Alibaba Cloud") {
		t.Errorf("the result page does not say the submission went to the sandbox: %q", txt)
	}
}
