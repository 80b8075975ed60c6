package app

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// texts returns the trimmed texts of the elements sel matches.
func texts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q), e => e.innerText.trim())`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestBrowserImportManualWorkflow imports DataWorks' flat manual workflow
// (spec.nodes and spec.flow at the top of spec) as a user does: the check
// lists what import moves and what the editor will say, offers the
// ProjectId from the document's metadata, and the editor then shows the
// workflow's name and exactly the findings the check listed.
func TestBrowserImportManualWorkflow(t *testing.T) {
	spec, err := os.ReadFile("../flowspec/testdata/import/version__1.x.y__manual_workflow.json")
	if err != nil {
		t.Fatal(err)
	}
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	must(t, ctx, chromedp.Navigate(app.URL+"import"), chromedp.WaitVisible(chromedp.CSS("#spec")),
		chromedp.SetValue(chromedp.CSS("#spec"), string(spec)))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[value="check"]`))); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="import-create"]`)))

	changes := texts(t, ctx, `[data-testid="import-warnings"] li`)
	for _, want := range []string{
		`the workflow "teest" was written flat`,
		`spec.workflows[0].script.path was set to "teest"`,
		`spec.variables (parameters: 1) became the workflow parameters spec.workflows[0].script.parameters`,
		`spec.nodes (inner nodes: 6) moved to spec.workflows[0].nodes`,
		`spec.flow (dependency entries between inner nodes: 5) moved to spec.workflows[0].dependencies`,
	} {
		if !slices.ContainsFunc(changes, func(s string) bool { return strings.Contains(s, want) }) {
			t.Errorf("the check does not list %q; it lists %q", want, changes)
		}
	}
	if n := len(texts(t, ctx, `[data-testid="import-clean"]`)); n != 0 {
		t.Error(`the check says "Nothing: the document is kept exactly"`)
	}
	checkErrs, checkWarns := texts(t, ctx, `[data-testid="import-editor-errors"] li`), texts(t, ctx, `[data-testid="import-editor-warnings"] li`)
	if len(checkErrs) != 0 || !slices.ContainsFunc(checkWarns, func(s string) bool {
		return strings.Contains(s, "Inner nodes (6) go to DataWorks in calls of their own")
	}) {
		t.Errorf("the check lists errors %q and warnings %q for the editor", checkErrs, checkWarns)
	}
	if got := value(t, ctx, "#import-project"); got != "250515" || !strings.Contains(text(t, ctx, `[data-testid="import-project-from"]`), "metadata.projectId") {
		t.Errorf("ProjectId offered: %q", got)
	}

	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`[data-testid="import-create"]`))); err != nil {
		t.Fatal(err)
	}
	must(t, ctx, chromedp.WaitVisible(chromedp.CSS("#editor")))
	if got := value(t, ctx, "#name"); got != "teest" {
		t.Errorf("editor name %q", got)
	}
	if got := value(t, ctx, "#project_id"); got != "250515" {
		t.Errorf("editor ProjectId %q", got)
	}
	summary := text(t, ctx, "#summary-card")
	if strings.Contains(summary, "spec.workflows must hold exactly one workflow") {
		t.Errorf("the editor reports the workflows count:\n%s", summary)
	}
	if errs, warns := texts(t, ctx, "#summary-card li.error"), texts(t, ctx, "#summary-card li.warning"); !slices.Equal(errs, checkErrs) || !slices.Equal(warns, checkWarns) {
		t.Errorf("the editor shows what the check did not list:\n check  %q / %q\n editor %q / %q", checkErrs, checkWarns, errs, warns)
	}
}
