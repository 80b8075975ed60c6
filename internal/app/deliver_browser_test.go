package app

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/flowform/flowform/internal/dataworks/dataworkstest"
	"github.com/flowform/flowform/internal/flowspec"
)

// TestBrowserOpenEditSubmit, in sandbox mode through the app constructor:
// open a workflow from DataWorks, edit one node's SQL, see on the confirm
// page what will change in DataWorks and the plan (update the workflow and
// that node, nothing else), submit, and see every step succeed.
func TestBrowserOpenEditSubmit(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	must(t, ctx, chromedp.Navigate(app.URL), chromedp.WaitVisible(chromedp.CSS(`[data-testid="open-link"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="open-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="open-list"]`)))
	if hint := text(t, ctx, `[data-testid="sandbox-workspace"]`); !strings.Contains(hint, "10001") {
		t.Fatalf("the sandbox's workspace is not offered: %q", hint)
	}
	must(t, ctx, replace("#open-name", "sales"), chromedp.Click(chromedp.CSS(`[data-testid="open-search"]`)))
	waitFor(t, ctx, "the filtered list", `location.search.includes("name=sales") && !!document.querySelector('[data-testid="open-list"]')`)
	if rows := text(t, ctx, `[data-testid="open-list"] tbody`); !strings.Contains(rows, "sales_daily_demo") || strings.Contains(rows, "工作流042203") {
		t.Fatalf("the name filter lists %q", rows)
	}
	waitFor(t, ctx, "the open button", `(() => { const b = document.querySelector('[data-testid^="open-4"]'); if (b) b.click(); return !!b; })()`)
	waitFor(t, ctx, "the opened draft", `!!document.querySelector("#nodes") && location.pathname.startsWith("/d/")`)
	if name := value(t, ctx, "#name"); name != "sales_daily_demo" {
		t.Fatalf("opened %q", name)
	}
	openNode(t, ctx, "dwd_orders")
	if !evalBool(t, ctx, `(() => {
		const code = document.querySelector("#node_code");
		const before = code.value;
		code.value = code.value.replace("('cancelled', 'test')", "('cancelled', 'test', 'SHIPPED')");
		code.dispatchEvent(new Event("input", {bubbles: true}));
		return code.value !== before;
	})()`) {
		t.Fatal("the node's code is not the demo's")
	}
	waitFor(t, ctx, "the edit to be saved", `document.querySelector("#save-status").innerText.includes("Saved as version 2")`)

	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-button"]`)))
	change := text(t, ctx, `[data-testid="will-change"]`)
	if !strings.Contains(change, "dwd_orders") || !strings.Contains(change, "Code") || !strings.Contains(change, "SHIPPED") {
		t.Fatalf("the live diff shows %q", change)
	}
	if rows := evalBool(t, ctx, `document.querySelectorAll('[data-testid="will-change"] tbody tr').length === 1`); !rows {
		t.Errorf("the live diff shows more than the one change: %q", change)
	}
	steps := text(t, ctx, `[data-testid="plan-steps"] tbody`)
	if !strings.Contains(steps, "UpdateWorkflowDefinition") || !strings.Contains(steps, "UpdateNode") || strings.Count(steps, "Node") != 1 {
		t.Fatalf("the plan: %q", steps)
	}
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="submit-button"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="result-steps"]`)))
	if state := text(t, ctx, `[data-testid="result-state"]`); state != "succeeded" {
		t.Fatalf("state %q: %s", state, text(t, ctx, "main"))
	}
	states, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="result-steps"] tbody tr')].map(r => r.dataset.action + " " + r.dataset.state)`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(states, ", ") != "UpdateWorkflowDefinition succeeded, UpdateNode succeeded" {
		t.Fatalf("steps: %v", states)
	}
}

// TestDeliveryScreenshots saves the delivery pages for review (make
// screenshots): Open from DataWorks, the confirm page of a new pipeline
// and of an update over a console edit with a removed node, the result of
// a delivery and of one that stopped part-way.
func TestDeliveryScreenshots(t *testing.T) {
	dir := os.Getenv("FLOWFORM_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FLOWFORM_SCREENSHOTS=<folder> (make screenshots)")
	}
	fake := newFake(t)
	if err := fake.SeedSandbox(); err != nil {
		t.Fatal(err)
	}
	app := start(t, withCredentials(t), "--dataworks-endpoint", fake.URL, "--dataworks-timeout", "1s")
	ctx := newBrowserWithin(t, 3*time.Minute)
	shot := shooter(t, ctx, dir)
	shot("open.png", 1440, 900, app.URL+"open?project_id=10001&lang=en", "")
	shot("open-390.png", 390, 844, app.URL+"open?project_id=10001&lang=en", "[data-testid=open-list]")

	pipe := app.createDraft(t, `{"projectId":"10001","template":"daily-pipeline","name":"sales_pipeline"}`)
	shot("submit-create.png", 1440, 900, app.URL+"d/"+pipe.ID+"/submit?lang=en", "[data-testid=plan-steps]")
	status, res := app.submit(t, pipe.ID, 1, "")
	if status != 200 {
		t.Fatalf("submit: %d %+v", status, res)
	}
	shot("result.png", 1440, 900, fmt.Sprintf("%sd/%s/submissions/%d?lang=en", app.URL, pipe.ID, res.Submission.ID), "")

	// An update over a console edit, with a node removed from the draft.
	page := app.do(t, "GET", "/api/v1/dataworks/workflows?projectId=10001&name=sales_daily_demo", "", nil)
	var list struct{ Workflows []struct{ ID string } }
	json.Unmarshal(page.body, &list)
	opened := app.do(t, "POST", "/api/v1/dataworks/open", `{"projectId":"10001","workflowId":"`+list.Workflows[0].ID+`"}`, nil)
	var d draftResp
	json.Unmarshal(opened.body, &d)
	nodes := fake.Nodes(list.Workflows[0].ID)
	fake.EditNode(nodes[1].ID, func(n map[string]any) { n["rerunTimes"] = json.Number("5") })
	doc, _, _ := flowspec.Import(d.Spec)
	i, _ := doc.NodeIndex(nodes[0].ID)
	f := doc.Node(i)
	f.Values["node_code"] = "SELECT 1;\n"
	doc.ApplyNode(i, f)
	j, _ := doc.NodeIndex(nodes[2].ID)
	doc.RemoveNode(j)
	body, _ := json.Marshal(map[string]any{"projectId": "10001", "spec": json.RawMessage(doc.Canonical())})
	if r := app.do(t, "PUT", "/api/v1/drafts/"+d.ID, string(body), map[string]string{"If-Match": `"1"`}); r.status != 200 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	shot("submit-update-live.png", 1440, 900, app.URL+"d/"+d.ID+"/submit?lang=en", "[data-testid=live]")
	shot("submit-update-form.png", 1440, 900, app.URL+"d/"+d.ID+"/submit?lang=en", "[data-testid=submit-button]")
	shot("submit-update-390.png", 390, 844, app.URL+"d/"+d.ID+"/submit?lang=en", "[data-testid=live]")
	shot("submit-update-zh-CN.png", 1440, 900, app.URL+"d/"+d.ID+"/submit?lang=zh-CN", "[data-testid=live]")

	// A delivery that stopped part-way: a timeout, and looking fails too.
	other := app.createDraft(t, `{"projectId":"10001","template":"daily-pipeline","name":"stopped_pipeline"}`)
	fake.Fault("CreateNode", fake.Count("CreateNode")+2, dataworkstest.Behavior{Sleep: 1500 * time.Millisecond})
	fake.Fault("ListNodes", fake.Count("ListNodes")+1, dataworkstest.Behavior{Fail: true})
	_, res = app.submit(t, other.ID, 1, "")
	shot("result-unknown.png", 1440, 900, fmt.Sprintf("%sd/%s/submissions/%d?lang=en", app.URL, other.ID, res.Submission.ID), "")
	shot("result-unknown-390.png", 390, 844, fmt.Sprintf("%sd/%s/submissions/%d?lang=en", app.URL, other.ID, res.Submission.ID), "[data-testid=result-steps]")
}
