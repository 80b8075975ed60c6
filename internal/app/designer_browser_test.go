package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Browser tests of the designer's defects (issue 9), each driving the real
// application in headless Chromium.

// openTemplate creates a draft from a template over the API and opens its
// editor, counting any out-of-band swap that found no target.
func openTemplate(t *testing.T, ctx context.Context, app *running, template, name string) draftResp {
	t.Helper()
	d := app.createDraft(t, fmt.Sprintf(`{"template":%q,"name":%q,"projectId":"10000","region":"cn-shanghai"}`, template, name))
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#editor")))
	evalBool(t, ctx, `window.oobMisses = []; document.addEventListener("htmx:oobErrorNoTarget", e => window.oobMisses.push(String(e.detail.content && e.detail.content.id))); true`)
	return d
}

// noOOBMisses fails when a live update named a part the page does not have.
func noOOBMisses(t *testing.T, ctx context.Context) {
	t.Helper()
	misses, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.oobMisses || []`))
	if err != nil || len(misses) > 0 {
		t.Errorf("out-of-band swaps without a target: %v (%v)", misses, err)
	}
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func evalBool(t *testing.T, ctx context.Context, js string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Defect 1: every read-only value stands beside its own label.
func TestBrowserReadOnlyLabelsTheRightValues(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "ods_sales_daily")
	must(t, ctx, chromedp.Navigate(d.ViewURL), chromedp.WaitVisible(chromedp.CSS(`[data-testid="readonly"]`)))
	pairs, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll("dl.readonly .pairrow")].map(r => [r.querySelector("dt").innerText, r.querySelector("dd").innerText]))`))
	if err != nil {
		t.Fatal(err)
	}
	for label, want := range map[string]string{
		"Name": "ods_sales_daily", "Folder": "(not set)", "Cron expression": "00 00 02 * * ?", "Run state": "Normal",
		"Instance generation": "Next day (T+1)", "Retries on failure": "3 times", "Retry interval": "3 minutes",
		"Workspace ProjectId": "10000", "Effective from": "(from the start)", "Effective until": "(no end)",
	} {
		if pairs[label] != want {
			t.Errorf("%s shows %q, want %q (all: %v)", label, pairs[label], want, pairs)
		}
	}
}

// Defect 2: changing the cycle redraws the builder with that cycle's inputs.
func TestBrowserCycleChangeRedrawsTheBuilder(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	openTemplate(t, ctx, app, "daily", "cycles")
	for _, step := range []struct{ cycle, present, cron string }{
		{"Week", `input[name=weekday][value="1"]:checked`, "00 00 02 ? * 1"},
		{"Month", `#days`, "00 00 02 1 * ?"},
		{"Year", `input[name=months][value="1"]:checked`, "00 00 02 1 1 ?"},
		{"Minute", `#every`, "00 00-59/15 00-23 * * ?"},
		{"Hour", `#hours`, "00 00 00-23 * * ?"},
		{"Day", `#hour`, "00 00 00 * * ?"},
	} {
		must(t, ctx, choose("#cycle", step.cycle))
		waitFor(t, ctx, step.cycle+" inputs", fmt.Sprintf(`!!document.querySelector(%q) && document.querySelector("#cron").value === %q`, step.present, step.cron))
	}
	noOOBMisses(t, ctx)
}

// Defect 3: parameter and output rows grow as the last one is filled, and
// shrink with their remove button.
func TestBrowserRowsGrowAndShrink(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "rows")
	must(t, ctx, chromedp.SendKeys(chromedp.CSS("#param_name-0"), "bizdate"))
	waitFor(t, ctx, "a second parameter row", `!!document.querySelector("#param_name-1")`)
	must(t, ctx, chromedp.SendKeys(chromedp.CSS("#param_value-0"), "$[yyyymmdd-1]"),
		chromedp.SendKeys(chromedp.CSS("#param_name-1"), "region"))
	waitFor(t, ctx, "a third parameter row", `!!document.querySelector("#param_name-2")`)
	// The caret stayed in the row being typed into.
	waitFor(t, ctx, "focus kept", `document.activeElement && document.activeElement.id === "param_name-1"`)
	must(t, ctx, chromedp.SendKeys(chromedp.CSS("#param_value-1"), "cn"))
	last := evalString(t, ctx, `String(document.querySelectorAll("input[name=output_data]").length - 1)`)
	must(t, ctx, chromedp.SendKeys(chromedp.CSS("#output_data-"+last), "proj.rows_extra"))
	waitFor(t, ctx, "a new output row", `document.querySelectorAll("input[name=output_data]").length === `+last+` + 2`)
	waitFor(t, ctx, "autosave", `fetch("/d/`+d.ID+`/spec.json").then(r => r.text()).then(s => s.includes("region") && s.includes("proj.rows_extra"))`)
	must(t, ctx, chromedp.Click(chromedp.CSS(`button[name=remove_param][value="0"]`)))
	waitFor(t, ctx, "row removed", `document.querySelector("#param_name-0").value === "region" && !document.querySelector("#param_name-2")`)
	waitFor(t, ctx, "removal saved", `fetch("/d/`+d.ID+`/spec.json").then(r => r.text()).then(s => !s.includes("bizdate") && s.includes("region"))`)
	noOOBMisses(t, ctx)
}

// Defect 4: the next runs start at the first expected run, and Dry run is
// marked on every row.
func TestBrowserNextRunsAgreeWithTheFirstRun(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	for _, tpl := range []string{"hourly", "every-15-min", "daily"} {
		openTemplate(t, ctx, app, tpl, "runs_"+strings.ReplaceAll(tpl, "-", "_"))
		first := textContent(t, ctx, `[data-testid="first-run"]`)
		row := textContent(t, ctx, `#explain tbody tr td`)
		listed := textContent(t, ctx, `.summary .next li`)
		if !strings.Contains(first, strings.TrimSpace(row)) || !strings.Contains(first, strings.TrimSpace(listed)) {
			t.Errorf("%s: first run %q but the runs start at %q / %q", tpl, first, row, listed)
		}
	}
	must(t, ctx, choose("#recurrence_type", "Skip"))
	waitFor(t, ctx, "every run marked dry run", `[...document.querySelectorAll("#explain tbody tr")].every(r => r.textContent.includes("Dry run")) && document.querySelectorAll(".summary .next .mark").length === 3`)
}

// Defect 5: a builder value out of range is reported at that input, and the
// page does not go on describing the old schedule as if nothing happened.
func TestBrowserBuilderErrorsStandAtTheirInput(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	openTemplate(t, ctx, app, "daily", "errors")
	must(t, ctx, replace("#hour", "25"))
	waitFor(t, ctx, "error at Hour", `document.querySelector("#err-hour").innerText.includes("Hour must be 0–23") && document.querySelector("#hour").getAttribute("aria-invalid") === "true"`)
	if !evalBool(t, ctx, `document.querySelector("#err-cycle").innerText.trim() === "" && document.querySelector('[data-testid="description"]').innerText.includes("not updated")`) {
		t.Error("the error is not only at Hour, or the summary still describes the old schedule")
	}
	must(t, ctx, replace("#hour", "7"))
	waitFor(t, ctx, "fixed", `document.querySelector("#err-hour").innerText.trim() === "" && document.querySelector("#cron").value === "00 00 07 * * ?"`)

	must(t, ctx, choose("#cycle", "Week"))
	waitFor(t, ctx, "weekly", `!!document.querySelector("input[name=weekday]")`)
	must(t, ctx, chromedp.Click(chromedp.CSS(`input[name=weekday][value="1"]`)))
	waitFor(t, ctx, "no weekday", `document.querySelector("#err-weekday").innerText.includes("at least one day")`)
	if evalBool(t, ctx, `document.body.innerText.includes("has 5 fields")`) {
		t.Error("an expression with an empty day list was written")
	}
	noOOBMisses(t, ctx)
}

// Defect 8: no DataWorks jargon in the schedule, errors in the units typed.
func TestBrowserSpeaksTheFormsLanguage(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	openTemplate(t, ctx, app, "weekly-monday", "words")
	if d := textContent(t, ctx, `[data-testid="description"]`); strings.Contains(d, "Daily") || strings.Contains(d, "NotDaily") {
		t.Errorf("description %q shows a cycle type", d)
	}
	must(t, ctx, replace("#rerun_interval", "45"))
	waitFor(t, ctx, "interval error", `document.querySelector("#err-rerun_interval").innerText.includes("1–30 minutes (you entered 45)")`)
	if evalBool(t, ctx, `document.body.innerText.includes("milliseconds") || document.body.innerText.includes("2700000")`) {
		t.Error("an error speaks in milliseconds")
	}
}

// Defect 9: a manual trigger has no schedule to edit, and says how it runs.
func TestBrowserManualTriggerHidesTheSchedule(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "by_hand")
	must(t, ctx, chromedp.Click(chromedp.CSS(`input[name=trigger_type][value=Manual]`)))
	waitFor(t, ctx, "schedule hidden", `!document.querySelector("#cron") && !document.querySelector("#timezone") && !!document.querySelector('[data-testid="manual-note"]')`)
	if d := textContent(t, ctx, `[data-testid="description"]`); !strings.Contains(d, "by hand") {
		t.Errorf("summary for a manual workflow: %q", d)
	}
	waitFor(t, ctx, "saved as manual", `fetch("/d/`+d.ID+`/spec.json").then(r => r.text()).then(s => s.includes('"ManualWorkflow"'))`)
	must(t, ctx, chromedp.Click(chromedp.CSS(`input[name=trigger_type][value=Scheduler]`)))
	waitFor(t, ctx, "schedule back", `!!document.querySelector("#cron") && document.querySelector("#cron").value === "00 00 02 * * ?"`)
	noOOBMisses(t, ctx)
}

// Defect 10 (smaller): the heading and the output suggestion follow the
// name; the language switch keeps the query; Chinese weekdays; an unset
// start shows empty; replacing the read-only link is confirmed.
func TestBrowserSmallerDefects(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "daily", "orders")
	must(t, ctx, chromedp.Focus(chromedp.CSS("#name")), chromedp.KeyEvent(kb.End), chromedp.KeyEvent("_v2"))
	waitFor(t, ctx, "heading follows the name", `document.querySelector("#draft-title").innerText === "orders_v2" && document.querySelector("#output_ref-0").placeholder === "orders_v2"`)
	if v := value(t, ctx, "#start_time"); v != "" {
		t.Errorf("unset start shows %q", v)
	}
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID+"/history?from=1"))
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a[hreflang="zh-CN"]`), "href"))
	if err != nil || !strings.Contains(href.Value, "from=1") {
		t.Errorf("language link %q drops the query (%v)", href.Value, err)
	}
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID+"?lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS("#editor")))
	if txt := textContent(t, ctx, "#explain tbody"); strings.Contains(txt, "Mon ") || strings.Contains(txt, "Tue ") || !strings.Contains(txt, "周") {
		t.Errorf("Chinese runs keep English weekdays: %q", txt)
	}
	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID+"?lang=en"), chromedp.WaitVisible(chromedp.CSS("#editor")))
	old := value(t, ctx, "#view-link")
	must(t, ctx, chromedp.Click(chromedp.CSS(".share:not(.more) > summary")), chromedp.Click(chromedp.CSS(".confirm > summary")))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="rotate"]`))); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="rotated"]`)))
	if now := value(t, ctx, "#view-link"); now == old {
		t.Error("the read-only link was not replaced")
	}
}

// Leaving the editor right after an edit (before autosave's pause ends)
// keeps the edit, and an emptied builder input is an error, never midnight.
func TestBrowserLeavingSoonAfterAnEditKeepsIt(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	d := openTemplate(t, ctx, app, "weekly-monday", "leave_soon")
	must(t, ctx, replace("#priority", "4"), chromedp.Navigate(app.URL))
	waitFor(t, ctx, "the edit saved on leaving", `fetch("/api/v1/drafts/`+d.ID+`/spec").then(r => r.text()).then(s => s.includes('"priority":4'))`)

	must(t, ctx, chromedp.Navigate(app.URL+"d/"+d.ID), chromedp.WaitVisible(chromedp.CSS("#hour")),
		chromedp.Focus(chromedp.CSS("#hour")), chromedp.Evaluate[chromedp.Void](`document.querySelector("#hour").select()`), chromedp.KeyEvent(kb.Backspace))
	waitFor(t, ctx, "emptied hour", `document.querySelector("#err-hour").innerText.includes("Enter a number")`)
	if cron := value(t, ctx, "#cron"); cron != "00 00 09 ? * 1" {
		t.Errorf("an emptied hour rewrote the cron to %q", cron)
	}
}
