package web

import (
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/flowform/flowform/internal/flowspec"
)

var tags = regexp.MustCompile(`<[^>]*>`)

// TestHighlightKeepsTheTextAndEscapes: stripped of its markup, the
// highlighted preview is exactly the indented spec, and no payload in a
// value becomes markup.
func TestHighlightKeepsTheTextAndEscapes(t *testing.T) {
	doc := flowspec.Blank(`x"</span><script>alert(1)</script>&amp;`)
	f := doc.Form()
	f.Description = "line\nbreak \\ \"quoted\" <b>bold</b>"
	f.Parameters = []flowspec.Parameter{{Name: "n", Type: "Constant", Value: "-1e5"}}
	doc.Apply(f)
	src := doc.Indented()
	out := highlightJSON(src)
	if strings.Contains(out, "<script>") || strings.Contains(out, "<b>") {
		t.Fatal("payload became markup")
	}
	if got := html.UnescapeString(tags.ReplaceAllString(out, "")); got != string(src) {
		t.Fatalf("text changed:\n%s\nwant\n%s", got, src)
	}
	for _, want := range []string{`<span class="nt">&#34;kind&#34;</span>`, `<span class="s2">&#34;CycleWorkflow&#34;</span>`,
		`<span class="mi">180000</span>`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
}

func BenchmarkHighlight(b *testing.B) {
	src := flowspec.Blank("sales_daily").Indented()
	b.ReportAllocs()
	for b.Loop() {
		_ = highlightJSON(src)
	}
}
