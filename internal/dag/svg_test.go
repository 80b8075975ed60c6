package dag

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files in testdata")

// elem is any XML element, for reading the SVG back.
type elem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []elem     `xml:",any"`
}

func (e *elem) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (e *elem) has(class string) bool {
	for _, c := range strings.Fields(e.attr("class")) {
		if c == class {
			return true
		}
	}
	return false
}

// all lists e and every element inside it named tag ("" = any), in
// document order.
func (e *elem) all(tag string) []*elem {
	var found []*elem
	var walk func(e *elem)
	walk = func(e *elem) {
		if tag == "" || e.XMLName.Local == tag {
			found = append(found, e)
		}
		for i := range e.Kids {
			walk(&e.Kids[i])
		}
	}
	walk(e)
	return found
}

func parse(t *testing.T, svg []byte) *elem {
	t.Helper()
	var root elem
	if err := xml.Unmarshal(svg, &root); err != nil {
		t.Fatalf("%v\n%s", err, svg)
	}
	return &root
}

// goldenGraphs are drawn into testdata/NAME.svg.
var goldenGraphs = map[string]Graph{
	"chain": {Nodes: nodes("extract", "transform", "load"), Edges: edges([2]int{0, 1}, [2]int{1, 2}), Title: "Chain"},
	"diamond": {Nodes: nodes("start", "left", "right", "join"),
		Edges: edges([2]int{0, 1}, [2]int{0, 2}, [2]int{1, 3}, [2]int{2, 3}), Title: "Diamond"},
	"cycle": {Nodes: nodes("a", "b", "c", "after"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{2, 0}, [2]int{2, 3}),
		Cycle: []int{0, 1, 2}, Title: "Cycle", Desc: "a, b and c depend on each other", ID: "wf-cycle"},
	"workflow": {
		Title: "工作流 daily_orders",
		Nodes: []Node{
			{Label: "ods_orders", Detail: "external output", External: true},
			{Label: "dwd_订单明细_每日增量同步", Detail: "ODPS SQL", Href: "?node=1#node-form", Selected: true},
			{Label: "dws_orders_by_region_and_channel_daily", Detail: "ODPS SQL", Href: "?node=2#node-form"},
			{Label: "export & notify", Detail: "Shell", Href: "?node=3#node-form"},
			{Label: "check_quality", Detail: "Python", Href: "?node=4#node-form"},
			{Label: "scratch", Detail: "ODPS SQL", Href: "?node=5#node-form"},
		},
		Edges: []Edge{
			{From: 0, To: 1}, {From: 1, To: 2}, {From: 2, To: 3}, {From: 1, To: 4}, {From: 4, To: 3},
			{From: 0, To: 3},                   // a long edge past a layer
			{From: 2, To: 2, CrossCycle: true}, // yesterday's own instance
			{From: 3, To: 1, CrossCycle: true}, // yesterday's export, drawn upward
		},
	},
}

func TestGolden(t *testing.T) {
	for name, g := range goldenGraphs {
		t.Run(name, func(t *testing.T) {
			_, got := draw(t, g)
			path := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
			}
		})
	}
}

func TestSVGRoot(t *testing.T) {
	g := Graph{Nodes: nodes("a", "b", "c", "d", "e"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{0, 3}, [2]int{3, 4}), Title: "Workflow <x>"}
	p, svg := draw(t, g)
	root := parse(t, svg)
	size := strconv.Itoa(p.Width) + " " + strconv.Itoa(p.Height)
	for attr, want := range map[string]string{
		"class": "dag", "role": "group", "aria-labelledby": "dag-title", "aria-describedby": "dag-desc",
		"width": strconv.Itoa(p.Width), "height": strconv.Itoa(p.Height), "viewBox": "0 0 " + size,
	} {
		if got := root.attr(attr); got != want {
			t.Errorf("svg %s=%q, want %q", attr, got, want)
		}
	}
	if root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("namespace %q", root.XMLName.Space)
	}
	title, desc := root.all("title")[0], root.all("desc")[0]
	if title.attr("id") != "dag-title" || title.Text != "Workflow <x>" {
		t.Errorf("title %q id %q", title.Text, title.attr("id"))
	}
	if desc.attr("id") != "dag-desc" || desc.Text != "5 nodes, 4 dependencies" {
		t.Errorf("desc %q id %q", desc.Text, desc.attr("id"))
	}

	one := parse(t, Layout(Graph{Nodes: nodes("a"), Edges: edges([2]int{0, 0})}).AppendSVG(nil))
	if got := one.all("desc")[0].Text; got != "1 node, 1 dependency" {
		t.Errorf("desc %q", got)
	}
	if got := parse(t, Layout(Graph{}).AppendSVG(nil)).all("title")[0].Text; got != "Dependency graph" {
		t.Errorf("default title %q", got)
	}
}

// TestIDPrefix: a second picture on the page uses its own marker ids.
func TestIDPrefix(t *testing.T) {
	g := Graph{Nodes: nodes("a", "b", "c"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{2, 1}), Cycle: []int{1, 2}, ID: "wf2", Desc: "custom"}
	_, svg := draw(t, g)
	root := parse(t, svg)
	ids := map[string]bool{}
	for _, e := range root.all("") {
		if id := e.attr("id"); id != "" {
			if !strings.HasPrefix(id, "wf2-") || ids[id] {
				t.Errorf("id %q: not prefixed, or twice", id)
			}
			ids[id] = true
		}
	}
	for _, path := range root.all("path") {
		if !path.has("dag-edge") {
			continue
		}
		want := "url(#wf2-arrow)"
		if path.has("dag-cycle") {
			want = "url(#wf2-arrow-cycle)"
		}
		if got := path.attr("marker-end"); got != want || !ids[strings.TrimSuffix(strings.TrimPrefix(got, "url(#"), ")")] {
			t.Errorf("path marker-end %q, want %q, an id of the picture", got, want)
		}
	}
	if root.attr("aria-labelledby") != "wf2-title" || root.all("desc")[0].Text != "custom" {
		t.Errorf("labelledby %q, desc %q", root.attr("aria-labelledby"), root.all("desc")[0].Text)
	}
	if n := countClass(t, svg, "path", "dag-cycle"); n != 3 { // 1→2, 2→1, and the cycle marker's arrow
		t.Errorf("%d red paths, want 3", n)
	}
}

// TestNoStylesOrScripts: the page's Content-Security-Policy forbids inline
// styles and scripts, so the SVG has none.
func TestNoStylesOrScripts(t *testing.T) {
	for name, g := range goldenGraphs {
		_, svg := draw(t, g)
		for _, e := range parse(t, svg).all("") {
			if tag := e.XMLName.Local; tag == "style" || tag == "script" || tag == "foreignObject" {
				t.Errorf("%s: <%s> element", name, tag)
			}
			for _, a := range e.Attrs {
				if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") || strings.Contains(a.Value, "javascript:") {
					t.Errorf("%s: <%s %s=%q>", name, e.XMLName.Local, a.Name.Local, a.Value)
				}
			}
		}
	}
}

func TestNodeMarkup(t *testing.T) {
	g := goldenGraphs["workflow"]
	g.Cycle = []int{1, 4}
	_, svg := draw(t, g)
	root := parse(t, svg)
	var groups []*elem
	for _, e := range root.all("g") {
		if e.has("dag-node") {
			groups = append(groups, e)
		}
	}
	if len(groups) != len(g.Nodes) {
		t.Fatalf("%d node groups for %d nodes", len(groups), len(g.Nodes))
	}
	links := root.all("a")
	linked := 0
	for i, n := range g.Nodes {
		e := groups[i]
		if e.has("dag-external") != n.External || e.has("dag-selected") != n.Selected || e.has("dag-cycle") != (i == 1 || i == 4) {
			t.Errorf("node %d class %q", i, e.attr("class"))
		}
		if title := n.Label + " — " + n.Detail; e.Kids[0].XMLName.Local != "title" || e.Kids[0].Text != title {
			t.Errorf("node %d title %q, want %q", i, e.Kids[0].Text, title)
		}
		rect := e.all("rect")
		texts := e.all("text")
		if len(rect) != 1 || rect[0].attr("rx") != "6" || len(texts) != 2 || !texts[1].has("dag-detail") || texts[1].Text != n.Detail {
			t.Errorf("node %d markup: %d rects, texts %+v", i, len(rect), texts)
		}
		if n.Href != "" {
			if links[linked].attr("href") != n.Href || &links[linked].Kids[0] != e {
				t.Errorf("node %d: link %q around %q, want %q around it", i, links[linked].attr("href"), links[linked].Kids[0].attr("class"), n.Href)
			}
			linked++
		}
	}
	if linked != len(links) {
		t.Errorf("%d links for %d nodes with a href", len(links), linked)
	}
}

func TestLongLabels(t *testing.T) {
	long := strings.Repeat("数据", 10) + "_tail"
	g := Graph{Nodes: []Node{{Label: long, Detail: strings.Repeat("d", 40)}, {Label: "short"}}}
	_, svg := draw(t, g)
	root := parse(t, svg)
	texts := root.all("text")
	label, detail, short := texts[0].Text, texts[1].Text, texts[2].Text
	if !strings.HasSuffix(label, "…") || !strings.HasPrefix(long, strings.TrimSuffix(label, "…")) || textWidth(label) > labelRoom {
		t.Errorf("label %q (width %d), want a prefix of %q with … in %d", label, textWidth(label), long, labelRoom)
	}
	if detail != strings.Repeat("d", detailRoom-1)+"…" {
		t.Errorf("detail %q", detail)
	}
	if short != "short" {
		t.Errorf("short label %q", short)
	}
	if title := root.all("title")[1].Text; title != long+" — "+g.Nodes[0].Detail {
		t.Errorf("title %q, want the full text", title)
	}
}

func textWidth(s string) int {
	w := 0
	for _, r := range s {
		w += width(r)
	}
	return w
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		cut      bool
	}{
		{"", "", false},
		{"abc", "abc", false},
		{strings.Repeat("a", 20), strings.Repeat("a", 20), false},
		{strings.Repeat("a", 21), strings.Repeat("a", 19), true},
		{strings.Repeat("中", 10), strings.Repeat("中", 10), false},
		{strings.Repeat("中", 11), strings.Repeat("中", 9), true},
		{"ab" + strings.Repeat("中", 10), "ab" + strings.Repeat("中", 8), true},
		{"a" + strings.Repeat("中", 10), "a" + strings.Repeat("中", 9), true},
		{"ｆｕｌｌｗｉｄｔｈ＿ｎａｍｅｓ", "ｆｕｌｌｗｉｄｔｈ", true},
	} {
		if got, cut := truncate(tc.in, labelRoom); got != tc.want || cut != tc.cut {
			t.Errorf("truncate(%q) = %q, %v; want %q, %v", tc.in, got, cut, tc.want, tc.cut)
		}
	}
}

func TestEscaping(t *testing.T) {
	nasty := `<b a="1">&amp;'x'</b>`
	broken := "bad\xffutf8\x00nul\x1bescape\uFFFEnonchar"
	g := Graph{Title: nasty, Desc: broken, ID: `x"y`, Nodes: []Node{{Label: nasty, Detail: broken, Href: `?a=1&b="2"`}}}
	_, svg := draw(t, g)
	root := parse(t, svg)
	if got := root.all("title")[0].Text; got != nasty {
		t.Errorf("title %q, want %q", got, nasty)
	}
	if got, want := root.all("desc")[0].Text, "bad\uFFFDutf8\uFFFDnul\uFFFDescape\uFFFDnonchar"; got != want {
		t.Errorf("desc %q, want %q", got, want)
	}
	if got := root.all("a")[0].attr("href"); got != `?a=1&b="2"` {
		t.Errorf("href %q", got)
	}
	if !utf8.Valid(svg) {
		t.Error("SVG is not valid UTF-8")
	}
}
