package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/flowform/flowform/internal/flowspec"
)

// Accessibility of every page (issue 9): axe-core (vendored in
// testdata/axe) finds no serious or critical violation on a desktop and a
// phone, in the light and the dark theme, whether the system or the app's
// own theme toggle chose it; and nothing scrolls sideways on a phone.

var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile("testdata/axe/axe.min.js")
	return string(b), err
})

// axeViolation is one rule axe found broken, with the elements breaking it.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []struct{ Target, HTML, Summary string }
}

// axeJS runs axe on the whole page and keeps the serious and critical
// violations, at most 8 elements each.
const axeJS = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 8).map(n => ({
		Target: n.target.map(String).join(" "),
		HTML: n.html.replace(/\s+/g, " ").slice(0, 160),
		Summary: (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 240),
	}))})))`

// overflowJS lists, when the page is wider than the viewport, the outermost
// elements that reach past its right edge (not those a scrolling box
// inside the viewport clips), widest first.
const overflowJS = `(() => {
	const root = document.documentElement, w = root.clientWidth;
	if (root.scrollWidth <= w) return [];
	const past = e => e.getBoundingClientRect().right > w + 0.5;
	const clipped = e => {
		for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== "visible") return !past(a);
		}
		return false;
	};
	const culprit = e => past(e) && !clipped(e);
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\s+/).join(".") : "");
	return [...document.body.querySelectorAll("*")]
		.filter(e => culprit(e) && !culprit(e.parentElement))
		.sort((a, b) => b.getBoundingClientRect().width - a.getBoundingClientRect().width)
		.slice(0, 6)
		.map(e => name(e) + " (" + Math.round(e.getBoundingClientRect().width) + "px wide, right edge at " + Math.round(e.getBoundingClientRect().right) + "px): " + e.outerHTML.replace(/\s+/g, " ").slice(0, 120));
})()`

// cutOffJS lists the visible elements that start left of the viewport,
// where nobody can scroll to them (a popover anchored to a button near the
// left edge), leaving out the skip link and screen-reader-only text, which
// are off screen on purpose.
const cutOffJS = `(() => {
	const cut = e => e.getBoundingClientRect().left < -0.5;
	const clipped = e => {
		for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== "visible") return !cut(a);
		}
		return false;
	};
	const shown = e => { const r = e.getBoundingClientRect(); return r.width > 1 && r.height > 1 && !e.closest(".skip, .sr-only") && e.checkVisibility({visibilityProperty: true}); };
	const culprit = e => e && e !== document.body && shown(e) && cut(e) && !clipped(e);
	return [...document.body.querySelectorAll("*")]
		.filter(e => culprit(e) && !culprit(e.parentElement))
		.slice(0, 6)
		.map(e => e.tagName.toLowerCase() + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\s+/).join(".") : "") + " (left edge at " + Math.round(e.getBoundingClientRect().left) + "px): " + e.outerHTML.replace(/\s+/g, " ").slice(0, 120));
})()`

// a11yView is one way of looking at a page.
type a11yView struct {
	name          string
	width, height int64
	scheme        string // prefers-color-scheme the system reports
}

var (
	desktop      = a11yView{"1440×900", 1440, 900, ""}
	phone        = a11yView{"390×844", 390, 844, ""}
	systemViews  = []a11yView{light(desktop), dark(desktop), light(phone), dark(phone)}
	themedViews  = []a11yView{light(desktop), light(phone)} // with ff_theme=dark: the app's toggle wins over the system
	a11yCheckOut = 20 * time.Second
)

func light(v a11yView) a11yView { v.scheme = "light"; v.name += " light"; return v }
func dark(v a11yView) a11yView  { v.scheme = "dark"; v.name += " dark"; return v }

// a11yPage is a page in one state: where it is, when it is ready, and what a
// user did there before looking.
type a11yPage struct {
	name  string
	url   string
	ready string                                  // JavaScript that holds once the page is drawn
	setup func(t *testing.T, ctx context.Context) // optional
}

// checkA11y loads the page, without and then with the app's dark theme
// cookie, and checks it in every view. Each problem is reported once, with
// the views it shows in.
func checkA11y(t *testing.T, ctx context.Context, app *running, p a11yPage) {
	t.Helper()
	var order []string
	seen := map[string][]string{} // problem → views
	note := func(problem, view string) {
		if _, ok := seen[problem]; !ok {
			order = append(order, problem)
		}
		seen[problem] = append(seen[problem], view)
	}
	for _, theme := range []string{"", "dark"} {
		setThemeCookie(t, ctx, app, theme)
		views := systemViews
		if theme != "" {
			views = themedViews
		}
		setView(t, ctx, views[0])
		must(t, ctx, chromedp.Navigate(p.url))
		waitFor(t, ctx, p.name, p.ready)
		if p.setup != nil {
			p.setup(t, ctx)
		}
		settle(t, ctx)
		if theme != "" {
			if got := evalString(t, ctx, `document.documentElement.getAttribute("data-theme") || ""`); got != theme {
				t.Fatalf("%s: the theme cookie %q drew data-theme=%q", p.name, theme, got)
			}
		}
		for _, v := range views {
			view := v.name
			if theme != "" {
				view += " (app theme " + theme + ")"
			}
			setView(t, ctx, v)
			for _, problem := range axeProblems(t, ctx, p.name+" at "+view) {
				note(problem, view)
			}
			cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](cutOffJS))
			if err != nil {
				t.Fatal(err)
			}
			if len(cut) > 0 {
				note("part of the page is cut off at the left edge:\n    "+strings.Join(cut, "\n    "), view)
			}
			if v.width < 600 {
				wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](overflowJS))
				if err != nil {
					t.Fatal(err)
				}
				if len(wide) > 0 {
					note("the page scrolls sideways; past the right edge:\n    "+strings.Join(wide, "\n    "), view)
				}
			}
		}
	}
	setThemeCookie(t, ctx, app, "")
	for _, problem := range order {
		t.Errorf("%s [%s]: %s", p.name, strings.Join(seen[problem], ", "), problem)
	}
}

// setThemeCookie sets the cookie the theme toggle sets, or removes it.
func setThemeCookie(t *testing.T, ctx context.Context, app *running, theme string) {
	t.Helper()
	var err error
	if theme == "" {
		_, err = chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: "ff_theme", URL: app.URL})
	} else {
		_, err = chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "ff_theme", Value: theme, URL: app.URL, Path: "/"})
	}
	if err != nil {
		t.Fatal(err)
	}
}

func setView(t *testing.T, ctx context.Context, v a11yView) {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: v.width, Height: v.height, DeviceScaleFactor: 1, Mobile: v.width < 600}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v.scheme}}}); err != nil {
		t.Fatal(err)
	}
}

// settle waits until htmx has no request in flight.
func settle(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "live updates to finish", `!document.querySelector(".htmx-request")`)
}

// axeProblems runs axe on the page as it is and describes its serious and
// critical violations, one per rule and element.
func axeProblems(t *testing.T, ctx context.Context, where string) []string {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, a11yCheckOut)
	defer cancel()
	if loaded, err := chromedp.Run(cctx, chromedp.Evaluate[bool](`typeof axe === "object"`)); err != nil {
		t.Fatal(err)
	} else if !loaded {
		if err := chromedp.Do(cctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			t.Fatalf("injecting axe: %v", err)
		}
	}
	found, err := chromedp.Run(cctx, chromedp.Evaluate[[]axeViolation](axeJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe: %v", where, err)
	}
	var problems []string
	for _, v := range found {
		for _, n := range v.Nodes {
			problems = append(problems, fmt.Sprintf("%s (%s): %s\n    at %s: %s\n    %s", v.ID, v.Impact, v.Help, n.Target, n.HTML, n.Summary))
		}
	}
	return problems
}

// TestBrowserA11yHomeImportAndErrors: the home page with drafts listed (and
// with a schedule explained), the import page after a check, and a 404.
func TestBrowserA11yHomeImportAndErrors(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	must(t, ctx, chromedp.Navigate(app.URL))
	for _, body := range []string{`{"template":"daily","name":"sales_daily","projectId":"123456"}`, `{"template":"hourly","name":"orders_hourly"}`} {
		d := app.createDraft(t, body)
		must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#editor"))) // listed on this browser's home page
	}
	checkA11y(t, ctx, app, a11yPage{name: "home", url: app.URL,
		ready: `document.querySelectorAll('[data-testid="draft-row"]').length === 2`})
	checkA11y(t, ctx, app, a11yPage{name: "home explaining a schedule", url: app.URL + "?expr=00+30+06+*+*+%3F&timezone=Asia%2FShanghai",
		ready: `document.querySelectorAll('[data-testid="draft-row"]').length === 2 && !!document.querySelector("table.runs")`})

	spec, err := os.ReadFile("../flowspec/testdata/import/version__1.x.y__cycle_workflow.json") // as in /work/shared/samples/dataworks-spec
	if err != nil {
		t.Fatal(err)
	}
	checkA11y(t, ctx, app, a11yPage{name: "import after a check", url: app.URL + "import", ready: `!!document.querySelector("#spec")`,
		setup: func(t *testing.T, ctx context.Context) {
			must(t, ctx, chromedp.SetValue(chromedp.CSS("#spec"), string(spec)))
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[value="check"]`))); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, "the check's findings", `!!document.querySelector('[data-testid="import-create"]')`)
		}})
	checkA11y(t, ctx, app, a11yPage{name: "404 page", url: app.URL + "d/nope", ready: `!!document.querySelector("main h1")`})
	// Last: the language choice is remembered for the pages after it.
	checkA11y(t, ctx, app, a11yPage{name: "home in Chinese", url: app.URL + "?lang=zh-CN",
		ready: `document.documentElement.lang === "zh-CN" && document.querySelectorAll('[data-testid="draft-row"]').length === 2`})
}

// TestBrowserA11yEditor: the editor as it opens, with inline errors and its
// panels open, and with the More menu open.
func TestBrowserA11yEditor(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := app.createDraft(t, `{"template":"daily","name":"sales_daily","projectId":"123456","region":"cn-shanghai"}`)
	editor := app.URL + "d/" + d.ID
	ready := `!!document.querySelector("#editor") && !!document.querySelector("#hour")`
	open := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).open = true`, sel))
	}
	checkA11y(t, ctx, app, a11yPage{name: "editor", url: editor, ready: ready})
	checkA11y(t, ctx, app, a11yPage{name: "editor with errors, Share and FlowSpec JSON open", url: editor, ready: ready,
		setup: func(t *testing.T, ctx context.Context) {
			must(t, ctx, replace("#hour", "25"), replace("#rerun_interval", "45"))
			waitFor(t, ctx, "the inline errors", `!!document.querySelector("#err-hour .error") && !!document.querySelector("#err-rerun_interval .error")`)
			must(t, ctx, open("details.share:not(.more)"), open("details.confirm"), open("details#live"), open("#spec-body details"), open("details.runs-panel"))
		}})
	checkA11y(t, ctx, app, a11yPage{name: "editor with the More menu open", url: editor, ready: ready,
		setup: func(t *testing.T, ctx context.Context) { must(t, ctx, open("details.more")) }})
	// Last: the language choice is remembered for the pages after it.
	checkA11y(t, ctx, app, a11yPage{name: "editor in Chinese with Share open", url: editor + "?lang=zh-CN",
		ready: `document.documentElement.lang === "zh-CN" && ` + ready,
		setup: func(t *testing.T, ctx context.Context) {
			must(t, ctx, open("details.share:not(.more)"), open("details#live"), open("details.runs-panel"))
		}})
}

// TestBrowserA11yReviewHistoryAndSubmit: the read-only page, the history
// with a diff, the submit page and a submission's result in the sandbox.
func TestBrowserA11yReviewHistoryAndSubmit(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := app.createDraft(t, `{"template":"daily","name":"sales_daily","projectId":"123456","region":"cn-shanghai"}`)
	app.describe(t, d, 1, "Loads yesterday's sales into the warehouse.")
	app.describe(t, d, 2, "Loads yesterday's sales into the warehouse, then refreshes the "+strings.Repeat("daily_sales_summary_", 6)+"table.")
	editor := app.URL + "d/" + d.ID

	checkA11y(t, ctx, app, a11yPage{name: "read-only page", url: d.ViewURL, ready: `!!document.querySelector('[data-testid="readonly"]')`})
	checkA11y(t, ctx, app, a11yPage{name: "history with a diff", url: editor + "/history?from=1",
		ready: `document.querySelectorAll('[data-testid="diff"] tbody tr').length > 0`})
	checkA11y(t, ctx, app, a11yPage{name: "submit page", url: editor + "/submit", ready: `!!document.querySelector('[data-testid="submit-button"]')`})

	must(t, ctx, chromedp.Navigate(editor+"/submit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-button"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="submit-button"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="result"]`)))
	result, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	checkA11y(t, ctx, app, a11yPage{name: "submission result", url: result, ready: `!!document.querySelector('[data-testid="result-state"]')`})
	app.describe(t, d, 3, "Changed after the submission.")
	checkA11y(t, ctx, app, a11yPage{name: "submit page after a submission and a change", url: editor + "/submit",
		ready: `!!document.querySelector('[data-testid="submissions"]') && document.querySelectorAll('[data-testid="submit-diff"] tbody tr').length > 0`})
}

// TestBrowserEditorFirstLoad: opening the editor in a browser with a cold
// cache transfers at most 40 KB in at most 3 requests, counting every
// request the page makes until the network has been quiet for a moment (so
// a request app.js sends on load counts too); the next runs still show the
// viewer's own time once opened.
func TestBrowserEditorFirstLoad(t *testing.T) {
	app := start(t, noCredentials())
	d := app.createDraft(t, `{"template":"every-15-min","name":"sales_daily","projectId":"123456","region":"cn-shanghai"}`)
	ctx := newBrowser(t) // a new profile: nothing cached, no cookies

	type request struct {
		url      string
		status   int64
		bytes    float64
		finished bool
	}
	var (
		mu       sync.Mutex
		requests = map[network.RequestID]*request{}
		order    []network.RequestID
		last     = time.Now()
	)
	get := func(id network.RequestID) *request {
		r, ok := requests[id]
		if !ok {
			r = &request{}
			requests[id] = r
			order = append(order, id)
		}
		return r
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		last = time.Now()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if strings.HasPrefix(ev.Request.URL, "data:") {
				return // inline (Chromium's own icons for date inputs): nothing transferred
			}
			get(ev.RequestID).url = ev.Request.URL
		case *network.EventResponseReceived:
			if r, ok := requests[ev.RequestID]; ok {
				r.status = ev.Response.Status
			}
		case *network.EventLoadingFinished:
			if r, ok := requests[ev.RequestID]; ok {
				r.bytes, r.finished = ev.EncodedDataLength, true
			}
		case *network.EventLoadingFailed:
			if r, ok := requests[ev.RequestID]; ok {
				r.finished = true
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCache, struct{}{}); err != nil {
		t.Fatal(err)
	}
	// A viewer outside the schedule's zone, whose time the next runs show.
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#editor")))
	// Quiet: every request finished and no event for 750 ms.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		busy := false
		for _, r := range requests {
			busy = busy || !r.finished
		}
		quiet := !busy && time.Since(last) > 750*time.Millisecond
		mu.Unlock()
		if quiet {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the editor's first load never went quiet")
		}
		time.Sleep(50 * time.Millisecond)
	}

	mu.Lock()
	var total float64
	var lines []string
	for _, id := range order {
		r := requests[id]
		total += r.bytes
		lines = append(lines, fmt.Sprintf("%d %6.0f B  %s", r.status, r.bytes, strings.TrimPrefix(r.url, strings.TrimSuffix(app.URL, "/"))))
	}
	t.Logf("editor first load: %d requests, %.0f bytes transferred\n  %s", len(order), total, strings.Join(lines, "\n  "))
	if len(order) > 3 || total > 40*1024 {
		t.Errorf("the editor's first load is %d requests and %.0f bytes; the budget is 3 requests and 40 KB:\n  %s", len(order), total, strings.Join(lines, "\n  "))
	}
	mu.Unlock()

	// The viewer's time, left out of the first drawing, is there once the
	// next runs are opened.
	must(t, ctx, chromedp.Click(chromedp.CSS("details.runs-panel > summary")))
	waitFor(t, ctx, "the next runs in the viewer's time", `document.querySelector("#explain table").innerText.includes("Your time (America/New_York)")`)
}

// TestBrowserA11yNodes: the Nodes card with a node form, a cycle and the
// delivery plan open, and the read-only page listing nodes.
func TestBrowserA11yNodes(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := app.createDraft(t, `{"template":"daily-pipeline","name":"sales_pipeline","projectId":"123456","region":"cn-shanghai"}`)
	editor := app.URL + "d/" + d.ID + "?node=0"
	ready := `!!document.querySelector("#node_code") && !!document.querySelector("svg.dag")`
	checkA11y(t, ctx, app, a11yPage{name: "editor with nodes, a cycle and the plan open", url: editor, ready: ready,
		setup: func(t *testing.T, ctx context.Context) {
			must(t, ctx, replace("#node_up-0", "ads_sales_daily"))
			waitFor(t, ctx, "the cycle", `!!document.querySelector("#err-node_upstream-0 .error")`)
			must(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("#plan").open = true`))
			waitFor(t, ctx, "the plan", `!!document.querySelector('[data-testid="plan-blocked"]')`)
		}})
	checkA11y(t, ctx, app, a11yPage{name: "read-only page with nodes", url: d.ViewURL, ready: `!!document.querySelector('[data-testid="readonly-nodes"] svg.dag')`})
}

// TestBrowserA11yDelivery: Open from DataWorks, the confirm page of an
// update with a live diff and a removed node, and a delivery's result.
func TestBrowserA11yDelivery(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	checkA11y(t, ctx, app, a11yPage{name: "open from DataWorks", url: app.URL + "open", ready: `!!document.querySelector('[data-testid="open-list"]')`})
	page := app.do(t, "GET", "/api/v1/dataworks/workflows?projectId=10001&name=sales_daily_demo", "", nil)
	var list struct{ Workflows []struct{ ID string } }
	json.Unmarshal(page.body, &list)
	opened := app.do(t, "POST", "/api/v1/dataworks/open", `{"projectId":"10001","workflowId":"`+list.Workflows[0].ID+`"}`, nil)
	var d draftResp
	json.Unmarshal(opened.body, &d)
	doc, _, _ := flowspec.Import(d.Spec)
	f := doc.Node(0)
	f.Values["node_code"] = "SELECT 1;\nSELECT 2;\n"
	doc.ApplyNode(0, f)
	doc.RemoveNode(2)
	body, _ := json.Marshal(map[string]any{"projectId": "10001", "spec": json.RawMessage(doc.Canonical())})
	if r := app.do(t, "PUT", "/api/v1/drafts/"+d.ID, string(body), map[string]string{"If-Match": `"1"`}); r.status != 200 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	editor := app.URL + "d/" + d.ID
	checkA11y(t, ctx, app, a11yPage{name: "submit page of an update", url: editor + "/submit",
		ready: `!!document.querySelector('[data-testid="will-change"] pre.lines') && !!document.querySelector('[data-testid="removed-nodes"]')`})
	if status, res := app.submit(t, d.ID, 2, ""); status != 200 || res.Submission.State != "succeeded" {
		t.Fatalf("submit: %d %+v", status, res)
	}
	checkA11y(t, ctx, app, a11yPage{name: "delivery result", url: editor + "/submissions/1", ready: `!!document.querySelector('[data-testid="result-steps"]')`})
}
