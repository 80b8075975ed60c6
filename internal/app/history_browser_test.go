package app

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserHistoryShowsSessionsAndVersions types in the editor (each
// pause an autosave), saves a named version from the editor's form, and
// reads the history as a user does: one session naming the fields it
// changed, the named version's message in the list and the compare menus,
// a diff in the form's labels and units, times in the browser's zone, and
// no sideways scrolling on a phone.
func TestBrowserHistoryShowsSessionsAndVersions(t *testing.T) {
	app := start(t, noCredentials())
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	editor := newEditor(t, ctx, app, "daily")

	// Three pauses, three autosaves.
	long := strings.Repeat("unbroken", 30)
	for i, step := range []chromedp.Action[chromedp.Void]{
		replace("#rerun_interval", "2"),
		replace("#rerun_interval", "25"),
		choose("#recurrence_type", "Skip"),
		replace("#description", long),
	} {
		must(t, ctx, step)
		want := `Saved as version ` + string(rune('2'+i))
		waitFor(t, ctx, want, `document.querySelector("#save-status").innerText.includes("`+want+`")`)
	}

	// Save version from the editor's form: the lead's button and message
	// input, added here while the editor does not have them yet.
	must(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const form = document.getElementById("editor");
		if (!form.querySelector('[name="version_message"]')) {
			const input = document.createElement("input");
			input.name = "version_message";
			input.id = "version_message";
			form.appendChild(input);
		}
		if (!form.querySelector('button[formaction$="/version"]')) {
			const button = document.createElement("button");
			button.setAttribute("formaction", location.pathname + "/version");
			button.setAttribute("formmethod", "post");
			button.id = "save-version";
			button.textContent = "Save version";
			form.appendChild(button);
		}
	})()`))
	must(t, ctx, replace(`[name="version_message"]`, "Before release"), chromedp.Click(chromedp.CSS(`button[formaction$="/version"]`)))
	waitFor(t, ctx, "the editor after Save version", `location.search.includes("rev=6") && !!document.querySelector("#editor")`)

	must(t, ctx, chromedp.Navigate(editor+"/history"))
	waitFor(t, ctx, "history", `!!document.querySelector('[data-testid="history"]')`)
	entries, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="history-entry"]')].map(r => r.innerText.replace(/\s+/g, " "))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 || !strings.HasPrefix(entries[0], "Version 6 “Before release”") ||
		!strings.HasPrefix(entries[1], "Edited Retry interval, Run state, Description versions 2–5, 4 saves") || !strings.HasPrefix(entries[2], "Created") {
		t.Fatalf("history entries:\n%s", strings.Join(entries, "\n"))
	}
	for _, menu := range []string{"#from", "#to"} {
		if opts := text(t, ctx, menu); !strings.Contains(opts, "v6 · ") || !strings.Contains(opts, "“Before release”") {
			t.Errorf("%s does not show the named version's message: %q", menu, opts)
		}
	}
	if caption := text(t, ctx, `[data-testid="history"] caption`); !strings.HasSuffix(strings.TrimSpace(caption), "Asia/Tokyo") {
		t.Errorf("times are not in the browser's zone: %q", caption)
	}

	// The session's changes, in the form's words.
	must(t, ctx, chromedp.Click(chromedp.CSS(`[data-kind="edit"] a`)))
	waitFor(t, ctx, "diff", `!!document.querySelector('[data-testid="diff"]')`)
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="diff"] tbody tr')].map(r => [...r.children].map(c => c.innerText.trim()).join(" | "))`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows, "\n"); !strings.Contains(got, "Retry interval | 3 minutes | 25 minutes") || !strings.Contains(got, "Run state | Normal | Dry run") ||
		!strings.Contains(got, "Description | (not set) | "+long) && !strings.Contains(got, "Description | "+long) {
		t.Errorf("diff rows:\n%s", got)
	}

	// A phone: the diff and the history wrap instead of running off the edge.
	must(t, ctx, chromedp.EmulateViewport(390, 844), chromedp.Reload())
	waitFor(t, ctx, "diff on a phone", `!!document.querySelector('[data-testid="diff"]')`)
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil || overflow > 0 {
		t.Errorf("the history page scrolls sideways by %dpx at 390px (%v)", overflow, err)
	}
}
