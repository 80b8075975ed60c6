package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// rowJS is JavaScript for the home page's row of the draft named name.
func rowJS(name string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('[data-testid="draft-row"]')].find(r => r.querySelector('[data-testid="draft-name"]').textContent === %q)`, name)
}

// shownJS is JavaScript for the names of the rows shown, joined by commas.
const shownJS = `[...document.querySelectorAll('[data-testid="draft-row"]')].filter(r => !r.hidden).map(r => r.querySelector('[data-testid="draft-name"]').textContent).join(",")`

// TestBrowserDrafts drives the home page's drafts: two drafts from
// templates under names of their own, both listed with their schedules,
// a refused name, filtering (live and without JavaScript), duplicate,
// delete and undo.
func TestBrowserDrafts(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	create := func(template, name string) {
		t.Helper()
		must(t, ctx, chromedp.Navigate(app.URL), replace("#name-"+template, name),
			chromedp.Click(chromedp.CSS(`[data-testid="template-`+template+`"]`)), chromedp.WaitVisible(chromedp.CSS("#editor")))
		if got := value(t, ctx, "#name"); got != name {
			t.Fatalf("the editor opened %q, want %q", got, name)
		}
	}
	create("daily", "sales_daily")
	create("weekly-monday", "monday_report")

	must(t, ctx, chromedp.Navigate(app.URL))
	waitFor(t, ctx, "both drafts listed, latest first", shownJS+` === "monday_report,sales_daily"`)
	for name, schedule := range map[string]string{"sales_daily": "every day", "monday_report": "Monday"} {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](rowJS(name)+`.querySelector('[data-testid="draft-schedule"]').textContent`))
		if err != nil || !strings.Contains(got, schedule) {
			t.Errorf("%s's schedule reads %q (%v), want %q", name, got, err, schedule)
		}
	}

	// A bad name is refused at its field, and nothing is created.
	must(t, ctx, replace("#name-hourly", strings.Repeat("n", 200)), chromedp.Click(chromedp.CSS(`[data-testid="template-hourly"]`)))
	waitFor(t, ctx, "the name refused at the field", `document.querySelector("#err-name-hourly") && document.querySelector("#err-name-hourly").innerText.includes("at most 128")`)
	waitFor(t, ctx, "still two drafts", shownJS+` === "monday_report,sales_daily"`)

	// Filtering: live as one types, and with the form's GET.
	must(t, ctx, chromedp.Navigate(app.URL), replace("#draft-filter", "MONDAY"))
	waitFor(t, ctx, "the live filter", shownJS+` === "monday_report"`)
	must(t, ctx, replace("#draft-filter", "no such draft"))
	waitFor(t, ctx, "the empty filter says so", `!document.querySelector('[data-testid="no-match"]').hidden`)
	must(t, ctx, chromedp.Navigate(app.URL+"?q=sales"))
	waitFor(t, ctx, "the filter without JavaScript", shownJS+` === "sales_daily"`)

	// Duplicate opens the copy in the editor.
	must(t, ctx, chromedp.Navigate(app.URL), chromedp.Evaluate[chromedp.Void](rowJS("sales_daily")+`.querySelector('[data-testid="duplicate"]').click()`))
	waitFor(t, ctx, "the copy in the editor", `location.pathname.startsWith("/d/") && document.querySelector("#name") && document.querySelector("#name").value === "sales_daily"`)
	must(t, ctx, chromedp.Navigate(app.URL))
	waitFor(t, ctx, "three drafts", shownJS+`.split(",").length === 3`)

	// Delete, then undo.
	must(t, ctx, chromedp.Evaluate[chromedp.Void](rowJS("monday_report")+`.querySelector('[data-testid="delete"]').click()`))
	waitFor(t, ctx, "the delete banner", `document.querySelector('[data-testid="notice"]') && document.querySelector('[data-testid="notice"]').innerText.includes("Deleted monday_report.")`)
	if got := text(t, ctx, `[data-testid="notice"]`); !strings.Contains(got, "You can undo this until") || !strings.Contains(got, "in 30 days") {
		t.Errorf("the banner does not say until when: %q", got)
	}
	waitFor(t, ctx, "the deleted draft gone", shownJS+` === "sales_daily,sales_daily"`)
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-testid="undo"]`)))
	waitFor(t, ctx, "the undo", `document.querySelector('[data-testid="notice"]') && document.querySelector('[data-testid="notice"]').innerText.includes("Restored monday_report.")`)
	waitFor(t, ctx, "the draft back", shownJS+`.split(",").sort().join(",") === "monday_report,sales_daily,sales_daily"`)
}
