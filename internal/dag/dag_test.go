package dag

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// nodes makes unlinked nodes with these labels.
func nodes(labels ...string) []Node {
	ns := make([]Node, len(labels))
	for i, l := range labels {
		ns[i] = Node{Label: l}
	}
	return ns
}

// edges makes same-cycle edges from pairs.
func edges(pairs ...[2]int) []Edge {
	es := make([]Edge, len(pairs))
	for i, p := range pairs {
		es[i] = Edge{From: p[0], To: p[1]}
	}
	return es
}

// layeredDAG is a seeded random workflow shaped like a real one: n nodes in
// rows of ten, each node after the first row depending on one in the row
// above, plus extra dependencies (some skipping rows) up to m edges.
func layeredDAG(seed uint64, n, m int) Graph {
	r := rand.New(rand.NewPCG(seed, 0))
	g := Graph{Title: "Random workflow"}
	for i := range n {
		g.Nodes = append(g.Nodes, Node{Label: "node_" + strconv.Itoa(i), Detail: "ODPS SQL", Href: "?node=" + strconv.Itoa(i) + "#node-form"})
	}
	row := func(i int) int { return i / 10 }
	for i := 10; i < n; i++ {
		g.Edges = append(g.Edges, Edge{From: (row(i)-1)*10 + r.IntN(10), To: i})
	}
	for len(g.Edges) < m {
		a, b := r.IntN(n), r.IntN(n)
		if d := row(b) - row(a); d == 1 || d > 1 && r.IntN(3) == 0 {
			g.Edges = append(g.Edges, Edge{From: a, To: b})
		}
	}
	return g
}

// draw lays g out, writes it, and checks what must hold for every graph.
func draw(t testing.TB, g Graph) (*Picture, []byte) {
	t.Helper()
	p := Layout(g)
	svg := p.AppendSVG(nil)
	if err := wellFormed(svg); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v\n%s", err, svg)
	}
	check(t, g, p)
	return p, svg
}

// wellFormed reads the whole document with encoding/xml.
func wellFormed(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		if _, err := d.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// check tests the invariants of a picture: one box per node, inside the
// picture, none overlapping; one path per valid edge, from its From box to
// its To box; layering edges point down unless reversed; and an edge that
// passes a layer does so between its boxes.
func check(t testing.TB, g Graph, p *Picture) {
	t.Helper()
	if len(p.Boxes) != len(g.Nodes) {
		t.Fatalf("%d boxes for %d nodes", len(p.Boxes), len(g.Nodes))
	}
	inside := func(pt Point) bool { return pt.X >= 0 && pt.Y >= 0 && pt.X <= p.Width && pt.Y <= p.Height }
	for i, b := range p.Boxes {
		if b.Node != g.Nodes[i] {
			t.Errorf("box %d is %+v, want node %+v", i, b.Node, g.Nodes[i])
		}
		if !inside(Point{b.X, b.Y}) || !inside(Point{b.X + BoxWidth, b.Y + BoxHeight}) {
			t.Errorf("box %d at (%d,%d) is outside the %d×%d picture", i, b.X, b.Y, p.Width, p.Height)
		}
		if top := p.Boxes[0].Y - p.Boxes[0].Layer*(BoxHeight+layerGap); b.Y != top+b.Layer*(BoxHeight+layerGap) {
			t.Errorf("box %d in layer %d at y %d, want %d", i, b.Layer, b.Y, top+b.Layer*(BoxHeight+layerGap))
		}
		for j, o := range p.Boxes[:i] {
			if b.X < o.X+BoxWidth && o.X < b.X+BoxWidth && b.Y < o.Y+BoxHeight && o.Y < b.Y+BoxHeight {
				t.Errorf("boxes %d (%d,%d) and %d (%d,%d) overlap", j, o.X, o.Y, i, b.X, b.Y)
			}
		}
	}

	valid := 0
	for _, e := range g.Edges {
		if e.From >= 0 && e.From < len(g.Nodes) && e.To >= 0 && e.To < len(g.Nodes) {
			valid++
		}
	}
	if len(p.Paths) != valid {
		t.Fatalf("%d paths for %d valid edges", len(p.Paths), valid)
	}
	for i, path := range p.Paths {
		if len(path.Curves) == 0 {
			t.Fatalf("path %d (%d→%d) has no curves", i, path.From, path.To)
		}
		from, to := p.Boxes[path.From], p.Boxes[path.To]
		end := path.Curves[len(path.Curves)-1].P
		if path.From == path.To {
			if !onRight(path.Start, from) || !onRight(end, to) {
				t.Errorf("self loop %d from %v to %v is not on the right of its box at (%d,%d)", i, path.Start, end, from.X, from.Y)
			}
		} else if !onTopOrBottom(path.Start, from) || !onTopOrBottom(end, to) {
			t.Errorf("path %d (%d→%d) runs from %v to %v, not between its boxes", i, path.From, path.To, path.Start, end)
		}
		if layering(path.Edge) {
			if down := to.Layer > from.Layer && end.Y > path.Start.Y; down == path.Reversed {
				t.Errorf("edge %d→%d (reversed %v) runs from layer %d y %d to layer %d y %d",
					path.From, path.To, path.Reversed, from.Layer, path.Start.Y, to.Layer, end.Y)
			}
		} else if path.Reversed {
			t.Errorf("edge %+v is reversed but does not take part in layering", path.Edge)
		}
		at := path.Start
		for _, c := range path.Curves {
			for _, pt := range []Point{c.C1, c.C2, c.P} {
				if !inside(pt) {
					t.Errorf("path %d point %v is outside the %d×%d picture", i, pt, p.Width, p.Height)
				}
			}
			if c.C1 == at && c.C2 == c.P && c.P.X == at.X { // a vertical pass through a layer
				for j, b := range p.Boxes {
					if at.X >= b.X && at.X <= b.X+BoxWidth && min(at.Y, c.P.Y) < b.Y+BoxHeight && max(at.Y, c.P.Y) > b.Y {
						t.Errorf("path %d (%d→%d) passes through box %d", i, path.From, path.To, j)
					}
				}
			}
			at = c.P
		}
	}
}

func onTopOrBottom(pt Point, b Box) bool {
	return (pt.Y == b.Y || pt.Y == b.Y+BoxHeight) && pt.X >= b.X && pt.X <= b.X+BoxWidth
}

func onRight(pt Point, b Box) bool {
	return pt.X == b.X+BoxWidth && pt.Y >= b.Y && pt.Y <= b.Y+BoxHeight
}

// crossings counts the pairs of edge curves that cross in the gaps between
// layers, from the drawn coordinates.
func crossings(p *Picture) int {
	type span struct{ gap, top, bottom int } // gap: y of its top; x at its top and bottom
	var spans []span
	for _, path := range p.Paths {
		at := path.Start
		for _, c := range path.Curves {
			if a, b := at, c.P; abs(a.Y-b.Y) == layerGap {
				if a.Y > b.Y {
					a, b = b, a
				}
				spans = append(spans, span{a.Y, a.X, b.X})
			}
			at = c.P
		}
	}
	n := 0
	for i, s := range spans {
		for _, o := range spans[:i] {
			if s.gap == o.gap && (s.top-o.top)*(s.bottom-o.bottom) < 0 {
				n++
			}
		}
	}
	return n
}

func layers(p *Picture) []int {
	ls := make([]int, len(p.Boxes))
	for i, b := range p.Boxes {
		ls[i] = b.Layer
	}
	return ls
}

func centre(b Box) int { return b.X + BoxWidth/2 }

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		name    string
		g       Graph
		layers  []int
		tangled bool // crossings cannot all be avoided
		check   func(t *testing.T, p *Picture)
	}{{
		name:   "a chain stands straight",
		g:      Graph{Nodes: nodes("a", "b", "c"), Edges: edges([2]int{0, 1}, [2]int{1, 2})},
		layers: []int{0, 1, 2},
		check: func(t *testing.T, p *Picture) {
			if p.Boxes[0].X != p.Boxes[1].X || p.Boxes[1].X != p.Boxes[2].X {
				t.Errorf("chain x = %d, %d, %d, want one column", p.Boxes[0].X, p.Boxes[1].X, p.Boxes[2].X)
			}
			if !(p.Boxes[0].Y < p.Boxes[1].Y && p.Boxes[1].Y < p.Boxes[2].Y) {
				t.Errorf("chain y = %d, %d, %d, want top to bottom", p.Boxes[0].Y, p.Boxes[1].Y, p.Boxes[2].Y)
			}
			if p.Width != BoxWidth+2*margin {
				t.Errorf("width %d, want one box and margins", p.Width)
			}
		},
	}, {
		name:   "a chain beside siblings stands straight",
		g:      Graph{Nodes: nodes("a", "b", "c", "d", "e"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{0, 3}, [2]int{0, 4})},
		layers: []int{0, 1, 2, 1, 1},
		check: func(t *testing.T, p *Picture) {
			if b, c := centre(p.Boxes[1]), centre(p.Boxes[2]); b != c {
				t.Errorf("b at %d, its only child c at %d", b, c)
			}
			if a, d := centre(p.Boxes[0]), centre(p.Boxes[3]); a != d {
				t.Errorf("a at %d, want it over the middle of its children, d, at %d", a, d)
			}
		},
	}, {
		name:   "a diamond is symmetric",
		g:      Graph{Nodes: nodes("a", "b", "c", "d"), Edges: edges([2]int{0, 1}, [2]int{0, 2}, [2]int{1, 3}, [2]int{2, 3})},
		layers: []int{0, 1, 1, 2},
		check: func(t *testing.T, p *Picture) {
			a, b, c, d := centre(p.Boxes[0]), centre(p.Boxes[1]), centre(p.Boxes[2]), centre(p.Boxes[3])
			if a != d || abs(b+c-2*a) > 1 {
				t.Errorf("centres a %d b %d c %d d %d, want a and d over the middle of b and c", a, b, c, d)
			}
		},
	}, {
		name: "input order that crosses is untangled",
		// a b c over x y z, wired a→z b→y c→x: three crossings as given.
		g:      Graph{Nodes: nodes("a", "b", "c", "x", "y", "z"), Edges: edges([2]int{0, 5}, [2]int{1, 4}, [2]int{2, 3})},
		layers: []int{0, 0, 0, 1, 1, 1},
	}, {
		name: "long edges are untangled too",
		// a→b→c→d beside e→f→g, and long edges a→g and e→d cross them as given.
		g: Graph{Nodes: nodes("a", "b", "c", "d", "e", "f", "g"),
			Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{2, 3}, [2]int{4, 5}, [2]int{5, 6}, [2]int{0, 6}, [2]int{4, 3}, [2]int{6, 3})},
		layers: []int{0, 1, 2, 3, 0, 1, 2},
	}, {
		name:   "a cycle is broken once",
		g:      Graph{Nodes: nodes("a", "b", "c"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{2, 0}), Cycle: []int{0, 1, 2}},
		layers: []int{0, 1, 2},
		check: func(t *testing.T, p *Picture) {
			for i, path := range p.Paths {
				if path.Reversed != (i == 2) || !path.Cycle {
					t.Errorf("path %d→%d: reversed %v cycle %v, want only c→a reversed, all in the cycle", path.From, path.To, path.Reversed, path.Cycle)
				}
			}
			for i, b := range p.Boxes {
				if !b.Cycle {
					t.Errorf("box %d is not marked as in the cycle", i)
				}
			}
		},
	}, {
		name: "a cycle is broken where the flow from the source comes back",
		// s→b→c→b: c→b is turned, not b→c.
		g:      Graph{Nodes: nodes("c", "b", "s"), Edges: edges([2]int{1, 0}, [2]int{0, 1}, [2]int{2, 1})},
		layers: []int{2, 1, 0},
	}, {
		name: "every pair both ways terminates",
		g: Graph{Nodes: nodes("a", "b", "c", "d", "e"), Edges: func() (es []Edge) {
			for a := range 5 {
				for b := range 5 {
					es = append(es, Edge{From: a, To: b})
				}
			}
			return es
		}()},
		layers:  []int{0, 1, 2, 3, 4},
		tangled: true,
	}, {
		name:   "isolated nodes are drawn",
		g:      Graph{Nodes: nodes("lone", "a", "b", "also lone"), Edges: edges([2]int{1, 2})},
		layers: []int{0, 0, 1, 0},
	}, {
		name:   "edges with bad indexes are skipped",
		g:      Graph{Nodes: nodes("a", "b"), Edges: edges([2]int{0, 1}, [2]int{-1, 0}, [2]int{1, 2}), Cycle: []int{0, 7, -3}},
		layers: []int{0, 1},
		check: func(t *testing.T, p *Picture) {
			if len(p.Paths) != 1 || p.Paths[0].Cycle {
				t.Errorf("paths %+v, want only 0→1, outside the cycle", p.Paths)
			}
		},
	}, {
		name:   "no nodes",
		g:      Graph{},
		layers: []int{},
		check: func(t *testing.T, p *Picture) {
			if p.Width != 2*margin || p.Height != 2*margin {
				t.Errorf("empty picture is %d×%d", p.Width, p.Height)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := draw(t, tc.g)
			if got := layers(p); !slices.Equal(got, tc.layers) {
				t.Errorf("layers %v, want %v", got, tc.layers)
			}
			if n := crossings(p); n != 0 && !tc.tangled {
				t.Errorf("%d crossings, want none", n)
			}
			if tc.check != nil {
				tc.check(t, p)
			}
		})
	}
}

// TestCrossCycleAndSelfKeepLayers adds cross-cycle edges (down, up, within
// a layer, onto itself) and a same-cycle self dependency to a graph: the
// layers stay, and the new edges are drawn.
func TestCrossCycleAndSelfKeepLayers(t *testing.T) {
	base := Graph{Nodes: nodes("a", "b", "c", "d"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{0, 3})}
	before, _ := draw(t, base)
	more := base
	more.Edges = append(slices.Clone(base.Edges),
		Edge{From: 0, To: 2, CrossCycle: true}, Edge{From: 2, To: 0, CrossCycle: true},
		Edge{From: 1, To: 3, CrossCycle: true}, Edge{From: 3, To: 1, CrossCycle: true},
		Edge{From: 2, To: 2, CrossCycle: true}, Edge{From: 1, To: 1})
	after, svg := draw(t, more)
	if !slices.Equal(layers(before), layers(after)) {
		t.Errorf("layers %v became %v", layers(before), layers(after))
	}
	if n := countClass(t, svg, "path", "dag-cross"); n != 5 {
		t.Errorf("%d dashed paths, want 5", n)
	}
	for _, path := range after.Paths[3:] {
		if path.Reversed {
			t.Errorf("%+v is marked reversed", path.Edge)
		}
	}
	// A loop takes room right of its box: the next box keeps clear of it.
	b, d := after.Boxes[1], after.Boxes[3]
	if b.Layer == d.Layer && d.X > b.X && d.X-(b.X+BoxWidth) < 2*boxPad+loopWidth {
		t.Errorf("box d at x %d crowds b's loop (b ends at %d)", d.X, b.X+BoxWidth)
	}
}

// TestDAGHasNoReversedEdges: in an acyclic graph every edge points down.
func TestDAGHasNoReversedEdges(t *testing.T) {
	g := layeredDAG(7, 100, 150)
	p, _ := draw(t, g)
	for _, path := range p.Paths {
		if path.Reversed {
			t.Errorf("edge %d→%d of an acyclic graph was reversed", path.From, path.To)
		}
	}
	// Every row of the generator depends on the row above: ten layers.
	if got := slices.Max(layers(p)); got != 9 {
		t.Errorf("deepest layer %d, want 9", got)
	}
}

func TestDeterministic(t *testing.T) {
	for _, g := range []Graph{
		layeredDAG(3, 100, 150),
		{Nodes: nodes("a", "b", "c", "d"), Edges: edges([2]int{0, 1}, [2]int{1, 2}, [2]int{2, 0}, [2]int{3, 3}, [2]int{2, 3})},
	} {
		_, first := draw(t, g)
		for range 5 {
			if _, again := draw(t, g); !bytes.Equal(first, again) {
				t.Fatalf("two layouts of one graph differ")
			}
		}
	}
}

// TestCrossingReduction: on random workflows, the sweeps leave fewer
// crossings than the input order has.
func TestCrossingReduction(t *testing.T) {
	for seed := range uint64(5) {
		g := layeredDAG(seed, 60, 90)
		l := newLayout(g)
		l.assignLayers()
		l.order()
		got := l.crossings(make([]int32, len(l.pos)+1))
		unordered := newLayout(g)
		unordered.assignLayers()
		unordered.addDummies()
		if given := unordered.crossings(make([]int32, len(unordered.pos)+1)); got >= given {
			t.Errorf("seed %d: %d crossings after the sweeps, %d as given", seed, got, given)
		}
		if p, _ := draw(t, g); crossings(p) != got {
			t.Errorf("seed %d: the picture has %d crossings, the order %d", seed, crossings(p), got)
		}
	}
}

func countClass(t *testing.T, svg []byte, tag, class string) int {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	n := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return n
		} else if err != nil {
			t.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == tag {
			for _, a := range se.Attr {
				if a.Name.Local == "class" && slices.Contains(strings.Fields(a.Value), class) {
					n++
				}
			}
		}
	}
}
