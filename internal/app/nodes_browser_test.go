package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// addNode adds a node through the Nodes card, as a user does, and waits
// for its form.
func addNode(t *testing.T, ctx context.Context, kind, name string) {
	t.Helper()
	must(t, ctx, choose("#new_kind", kind), replace("#new_name", name))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="node-add"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the new node's form", fmt.Sprintf(`document.querySelector("#node_name") && document.querySelector("#node_name").value === %q`, name))
}

// openNode opens a node's form from the list, as a user clicks it.
func openNode(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	// Not RunResponse: with an edit pending, the page saves it before it
	// navigates, so the navigation starts after the click returns.
	waitFor(t, ctx, "the link to "+name, fmt.Sprintf(`(() => {
		const a = [...document.querySelectorAll('[data-testid="node-link"]')].find(a => a.querySelector(".node-name").innerText === %q);
		if (a) { a.click(); }
		return !!a;
	})()`, name))
	waitFor(t, ctx, "the node's form", fmt.Sprintf(`document.querySelector("#node_name") && document.querySelector("#node_name").value === %q`, name))
}

// planSteps opens the delivery plan (once) and lists its calls.
func planSteps(t *testing.T, ctx context.Context) []string {
	t.Helper()
	if !evalBool(t, ctx, `document.querySelector("#plan").open`) {
		must(t, ctx, chromedp.Click(chromedp.CSS("#plan > summary")))
	}
	waitFor(t, ctx, "the plan", `!!document.querySelector('[data-testid="plan"]')`)
	steps, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="plan"] > li summary')].map(s => s.innerText.replace(/\s+/g, " ").trim())`))
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

// TestBrowserNodesDAG: add three nodes, wire A → B → C, see the picture
// and the plan follow; make a cycle and see it named at the upstream that
// closes it and drawn red; remove that upstream and see it gone.
func TestBrowserNodesDAG(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "etl_nodes")
	for _, n := range []string{"a", "b", "c"} {
		addNode(t, ctx, "ODPS_SQL", n)
	}
	if got := evalString(t, ctx, `String(document.querySelectorAll("svg.dag .dag-node").length)`); got != "3" {
		t.Fatalf("%s boxes in the picture, want 3", got)
	}
	for _, wire := range [][2]string{{"b", "a"}, {"c", "b"}} {
		openNode(t, ctx, wire[0])
		must(t, ctx, replace("#node_up-0", wire[1]))
		waitFor(t, ctx, "the edge drawn and the list updated", fmt.Sprintf(
			`[...document.querySelectorAll("#node-list li")].some(li => li.innerText.includes(%q) && li.innerText.includes("after %s"))`, wire[0], wire[1]))
	}
	waitFor(t, ctx, "two edges", `document.querySelectorAll("svg.dag path.dag-edge").length === 2`)
	waitFor(t, ctx, "saved", `fetch("/d/`+d.ID+`/spec.json").then(r => r.json()).then(s => s.spec.workflows[0].dependencies.length === 2)`)
	if shape := text(t, ctx, `[data-testid="sum-nodes"]`); !strings.Contains(shape, "longest chain a → b → c (3)") {
		t.Errorf("summary says %q", shape)
	}
	steps := planSteps(t, ctx)
	want := []string{"CreateWorkflowDefinition etl_nodes", "CreateNode a", "CreateNode b after a", "CreateNode c after b"}
	if strings.Join(steps, "|") != strings.Join(want, "|") {
		t.Errorf("plan %q, want %q", steps, want)
	}

	// a depends on c: a → b → c → a.
	openNode(t, ctx, "a")
	must(t, ctx, replace("#node_up-0", "c"))
	waitFor(t, ctx, "the cycle named at a's upstream", `document.querySelector("#err-node_upstream-0").innerText.includes("a → b → c → a")`)
	waitFor(t, ctx, "the cycle drawn red", `document.querySelectorAll("svg.dag .dag-node.dag-cycle").length === 3 && document.querySelectorAll("svg.dag path.dag-edge.dag-cycle").length === 3`)
	waitFor(t, ctx, "the upstream input marked invalid", `document.querySelector("#node_up-0").getAttribute("aria-invalid") === "true"`)
	waitFor(t, ctx, "the plan blocked", `!!document.querySelector('[data-testid="plan-blocked"]') && document.querySelector('[data-testid="plan-blocked"]').innerText.includes("a → b → c → a")`)
	if evalBool(t, ctx, `!!document.querySelector('[data-testid="valid"]')`) {
		t.Error("the summary says valid with a cycle")
	}

	// Fixed by removing the upstream.
	must(t, ctx, chromedp.Click(chromedp.CSS(`button[name=remove_node_up][value="0"]`)))
	waitFor(t, ctx, "the cycle gone", `!document.querySelector("#err-node_upstream-0 .error") && document.querySelectorAll("svg.dag .dag-node.dag-cycle, svg.dag path.dag-edge.dag-cycle").length === 0`)
	waitFor(t, ctx, "valid again", `!!document.querySelector('[data-testid="valid"]')`)
	waitFor(t, ctx, "the fix saved", `fetch("/d/`+d.ID+`/spec.json").then(r => r.json()).then(s => s.spec.workflows[0].dependencies.every(e => e.nodeId !== "a" || e.depends.length === 0))`)
	noOOBMisses(t, ctx)
}

// TestBrowserNodeCodeKeepsWhitespace: code typed with tabs, blank lines
// and a leading blank line comes back byte for byte after a reload, and is
// what the spec holds.
func TestBrowserNodeCodeKeepsWhitespace(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "code_ws")
	addNode(t, ctx, "ODPS_SQL", "ws")
	const code = "\nSELECT a,\n\tb\n\nFROM   t\t-- two spaces, a tab\n\n"
	must(t, ctx, chromedp.Focus(chromedp.CSS("#node_code")), chromedp.KeyEvent(code))
	waitFor(t, ctx, "saved", `fetch("/d/`+d.ID+`/spec.json").then(r => r.json()).then(s => s.spec.workflows[0].nodes[0].script.content === `+jsString(code)+`)`)
	must(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#node_code")))
	if got := value(t, ctx, "#node_code"); got != code {
		t.Errorf("after reload the code is %q, want %q", got, code)
	}
	if lines := evalString(t, ctx, `document.querySelector(".code-editor .gutter").textContent.trim().split("\n").length + ""`); lines != "7" {
		t.Errorf("%s line numbers, want 7", lines)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestBrowserNodesKeyboardOnly: a node is added, opened and edited with
// the keyboard alone; Tab indents in the code editor and Esc, Tab leaves it.
func TestBrowserNodesKeyboardOnly(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	openTemplate(t, ctx, app, "daily", "keys")
	must(t, ctx, chromedp.Focus(chromedp.CSS("#new_name")), chromedp.KeyEvent("kb_node"))
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the node added by Enter", `document.querySelector("#node_name") && document.querySelector("#node_name").value === "kb_node"`)
	must(t, ctx, chromedp.Focus(chromedp.CSS("#node_code")), chromedp.KeyEvent("select 1;\t"))
	if got := value(t, ctx, "#node_code"); got != "select 1;\t" {
		t.Errorf("Tab in the code editor gave %q", got)
	}
	must(t, ctx, chromedp.KeyEvent(kbEscape), chromedp.KeyEvent("\t"))
	if id := evalString(t, ctx, `document.activeElement.id`); id == "node_code" {
		t.Error("Esc, Tab did not leave the code editor")
	}
	// The list's links take focus and open the form with Enter (once the
	// edit is saved: the live update redraws the list, link and all).
	waitFor(t, ctx, "the edit saved", `document.querySelector("#save-status").innerText.includes("Saved as version 3")`)
	must(t, ctx, chromedp.Focus(chromedp.CSS(`[data-testid="node-link"]`)))
	if _, err := chromedp.RunResponse(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the node's form", `document.querySelector("#node_name").value === "kb_node" && location.search.includes("node=0")`)
}

const kbEscape = "\u001b"

// TestBrowserNodesDeleteUndo: a deleted node comes back with its
// dependencies when Undo is pressed.
func TestBrowserNodesDeleteUndo(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily-pipeline", "undo_pipe")
	openNode(t, ctx, "dwd_orders")
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="node-delete"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the undo notice", `document.querySelector('[data-testid="node-removed"]').innerText.includes("dwd_orders") && document.querySelector('[data-testid="node-removed"]').innerText.includes("No longer its downstream: ads_sales_daily")`)
	if n := evalString(t, ctx, `String(document.querySelectorAll("#node-list li").length)`); n != "2" {
		t.Fatalf("%s nodes after delete", n)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="node-undo"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "three nodes again", `document.querySelectorAll("#node-list li").length === 3 && document.querySelectorAll("svg.dag path.dag-edge").length === 2`)
	waitFor(t, ctx, "the chain back", `fetch("/d/`+d.ID+`/spec.json").then(r => r.json()).then(s => s.spec.workflows[0].nodes[1].name === "dwd_orders" && s.spec.workflows[0].dependencies.length === 2)`)
}

// TestBrowserNodesChinese: the Nodes card and the node form in zh-CN.
func TestBrowserNodesChinese(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily-pipeline", "zh_pipe")
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID+"?lang=zh-CN&node=1"), chromedp.WaitVisible(chromedp.CSS("#node_name")))
	for sel, want := range map[string]string{
		"#nodes-h":                                "节点",
		`label[for="node_name"]`:                  "节点名称",
		`[data-testid="node-shape"]`:              "最长链路 ods_orders → dwd_orders → ads_sales_daily（3 个）",
		"#node-list":                              "上游 ods_orders",
		`[data-testid="node_rerun_times-source"]`: "沿用工作流",
	} {
		if got := text(t, ctx, sel); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q", sel, got, want)
		}
	}
	if got := evalString(t, ctx, `document.querySelector("svg.dag desc").textContent`); !strings.Contains(got, "3 个节点") {
		t.Errorf("picture description %q", got)
	}
}

// TestBrowserTwoHundredNodes: a 200-node workflow's editor stays usable:
// the list filters as you type and a live update redraws picture and list.
// The times are logged for the issue note; they are not asserted.
func TestBrowserTwoHundredNodes(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := app.createDraft(t, `{"template":"daily","name":"big","projectId":"10000","region":"cn-shanghai"}`)
	var nodes, deps []string
	for i := range 200 {
		nodes = append(nodes, fmt.Sprintf(`{"id":"n%03d","name":"n%03d","script":{"path":"big/n%03d","runtime":{"command":"ODPS_SQL"},"content":"select %d;"}}`, i, i, i, i))
		if i > 0 {
			deps = append(deps, fmt.Sprintf(`{"nodeId":"n%03d","depends":[{"type":"Normal","output":"n%03d"}]}`, i, (i-1)/2))
		}
	}
	spec := string(d.Spec)
	spec = strings.Replace(spec, `"nodes":[]`, `"nodes":[`+strings.Join(nodes, ",")+`]`, 1)
	spec = strings.Replace(spec, `"dependencies":[]`, `"dependencies":[`+strings.Join(deps, ",")+`]`, 1)
	res := app.do(t, "PUT", "/api/v1/drafts/"+d.ID, `{"spec":`+spec+`,"projectId":"10000","region":"cn-shanghai"}`, map[string]string{"If-Match": etag(d.Version)})
	if res.status != 200 {
		t.Fatalf("PUT: %d %s", res.status, res.body)
	}
	began := time.Now()
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID+"?node=150"), chromedp.WaitVisible(chromedp.CSS("#node_name")))
	load := time.Since(began)
	if n := evalString(t, ctx, `String(document.querySelectorAll("#node-list li").length)`); n != "200" {
		t.Fatalf("%s rows in the list", n)
	}
	filter := evalString(t, ctx, `(() => { const t0 = performance.now(); const box = document.querySelector("#node-search"); box.value = "n19"; box.dispatchEvent(new Event("input", {bubbles: true})); const shown = [...document.querySelectorAll("#node-list li")].filter(li => !li.hidden).length; return shown + " " + (performance.now() - t0).toFixed(1); })()`)
	if !strings.HasPrefix(filter, "10 ") { // n190–n199
		t.Errorf("the filter shows %q rows", filter)
	}
	began = time.Now()
	must(t, ctx, replace("#node_name", "renamed"))
	waitFor(t, ctx, "the list and the picture follow", `[...document.querySelectorAll("#node-list .node-name")].some(e => e.innerText === "renamed") && document.querySelector("svg.dag").textContent.includes("renamed")`)
	live := time.Since(began)
	t.Logf("200 nodes: editor load %v, filter %s ms, rename to redrawn list and picture %v", load.Round(time.Millisecond), strings.Fields(filter)[1], live.Round(time.Millisecond))
}

// TestNodeScreenshots saves the node screens for review (make screenshots).
func TestNodeScreenshots(t *testing.T) {
	dir := os.Getenv("FLOWFORM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FLOWFORM_SCREENSHOTS=<folder> (make screenshots)")
	}
	app := start(t, noCredentials())
	ctx := newBrowserWithin(t, 3*time.Minute)
	d := openTemplate(t, ctx, app, "daily-pipeline", "sales_pipeline")
	shot := shooter(t, ctx, dir)
	editor := app.URL + "d/" + d.ID
	shot("nodes.png", 1440, 900, editor+"?node=1", "#nodes")
	shot("node-form.png", 1440, 900, editor+"?node=1", "#node-form")
	shot("nodes-390.png", 390, 844, editor+"?node=1", "#nodes")
	shot("nodes-zh-CN.png", 1440, 900, editor+"?node=1&lang=zh-CN", "#nodes")
	shot("nodes-read-only.png", 1440, 900, d.ViewURL+"?lang=en", `[data-testid="readonly-nodes"]`)
	sample, err := os.ReadFile("../../../shared/samples/dataworks-spec/copier__real_cycle_workflow_spec.json")
	if err != nil {
		t.Fatal(err)
	}
	real := app.createDraft(t, `{"projectId":"10000","region":"cn-shanghai","spec":`+string(sample)+`}`)
	shot("nodes-real-sample.png", 1440, 900, app.URL+"d/"+real.ID+"?node=3&lang=en", "#nodes")
	shot("nodes-real-sample-390.png", 390, 844, app.URL+"d/"+real.ID+"?node=3&lang=en", "#dag")
	must(t, ctx, chromedp.Navigate(editor+"?node=0&lang=en"), chromedp.WaitVisible(chromedp.CSS("#node_name")))
	planSteps(t, ctx)
	evalBool(t, ctx, `document.querySelector("#plan details").open = true; document.querySelector("#plan").scrollIntoView(); true`)
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "plan.png"), png, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrowserNodeKindChangeRedrawsTheForm: the kind decides the fields: a
// Shell node has no datasource, a virtual node no code; the form follows
// the kind picked, and the change is saved.
func TestBrowserNodeKindChangeRedrawsTheForm(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "kinds")
	addNode(t, ctx, "DIDE_SHELL", "sh")
	if evalBool(t, ctx, `!!document.querySelector("#node_datasource")`) || !evalBool(t, ctx, `!!document.querySelector("#node_code")`) {
		t.Fatal("a Shell node should have code and no datasource")
	}
	must(t, ctx, choose("#node_command", "ODPS_SQL"))
	// Ready for the next change once htmx has wired the redrawn form.
	waitFor(t, ctx, "the datasource for SQL", `!!document.querySelector("#node_datasource") && !!(document.querySelector("#sec-node")["htmx-internal-data"] || {}).listenerInfos`)
	must(t, ctx, choose("#node_command", "VIRTUAL"))
	waitFor(t, ctx, "no code for a virtual node", `!document.querySelector("#node_code") && !document.querySelector("#node_datasource")`)
	waitFor(t, ctx, "saved", `fetch("/d/`+d.ID+`/spec.json").then(r => r.json()).then(s => s.spec.workflows[0].nodes[0].script.runtime.command === "VIRTUAL")`)
	noOOBMisses(t, ctx)
}

// shooter returns a function that opens url at w×h, scrolls scrollTo (a
// selector, or "") into view and saves a screenshot as dir/name.
func shooter(t *testing.T, ctx context.Context, dir string) func(name string, w, h int64, url, scrollTo string) {
	return func(name string, w, h int64, url, scrollTo string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: w, Height: h, DeviceScaleFactor: 1, Mobile: w < 600}); err != nil {
			t.Fatal(err)
		}
		must(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main")))
		if scrollTo != "" {
			evalBool(t, ctx, `document.querySelector(`+jsString(scrollTo)+`).scrollIntoView(); true`)
		}
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
