package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
	must(t, ctx, replace("#open-name", "sales"), chromedp.Click(chromedp.CSS(`[data-testid="open-search"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="open-list"]`)))
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
