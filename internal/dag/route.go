package dag

import (
	"cmp"
	"slices"
	"strconv"
)

// Ports: where edges meet a box side, spread so that arrowheads do not pile
// up and parallel edges stay apart.
const (
	portGap   = 14 // between two ports on one side
	portInset = 20 // ports keep clear of the rounded corners
)

// picture places the boxes, routes the edges and fits the picture around
// them with a margin.
func (l *layout) picture() *Picture {
	p := &Picture{Title: l.g.Title, Desc: l.g.Desc, ID: l.g.ID, Boxes: make([]Box, l.n), Paths: make([]Path, len(l.edges))}
	if p.Title == "" {
		p.Title = "Dependency graph"
	}
	if p.Desc == "" {
		p.Desc = count(l.n, "node", "nodes") + ", " + count(len(l.edges), "dependency", "dependencies")
	}
	if p.ID == "" {
		p.ID = "dag"
	}
	for v, node := range l.g.Nodes {
		p.Boxes[v] = Box{Node: node, X: l.x[v] - BoxWidth/2, Y: top(l.layer[v]), Layer: int(l.layer[v])}
	}
	consecutive := make(map[[2]int]bool, len(l.g.Cycle))
	for i, v := range l.g.Cycle {
		if v >= 0 && v < l.n {
			p.Boxes[v].Cycle = true
			consecutive[[2]int{v, l.g.Cycle[(i+1)%len(l.g.Cycle)]}] = true
		}
	}

	atUpper, atLower := l.ports()
	total := 0 // curves of all paths, which share one array
	for k := range l.edges {
		total += max(1, 2*int(l.layer[l.lower[k]]-l.layer[l.upper[k]])-1)
	}
	curves := make([]Curve, 0, total)
	for k := range l.edges {
		first := len(curves)
		var start Point
		start, curves = l.route(k, atUpper[k], atLower[k], curves)
		e := l.edge(k)
		p.Paths[k] = Path{Edge: e, Start: start, Curves: curves[first:len(curves):len(curves)],
			Reversed: l.reversed[k], Cycle: !e.CrossCycle && consecutive[[2]int{e.From, e.To}]}
	}
	p.fit()
	return p
}

// route appends the curves of edge k, whose ends are at x atUpper on its
// upper box and atLower on its lower one, and returns where it starts.
func (l *layout) route(k, atUpper, atLower int, curves []Curve) (Point, []Curve) {
	u, w := l.upper[k], l.lower[k]
	switch {
	case u == w: // a loop on the right side
		r, mid := l.x[u]+BoxWidth/2, top(l.layer[u])+BoxHeight/2
		return Point{r, mid - 10}, append(curves, Curve{Point{r + 30, mid - 24}, Point{r + 30, mid + 24}, Point{r, mid + 10}})
	case l.layer[u] == l.layer[w]: // an arc over the top, From to To
		y := top(l.layer[u])
		h := min(layerGap-8, 24+abs(atLower-atUpper)/8)
		return Point{atUpper, y}, append(curves, Curve{Point{atUpper, y - h}, Point{atLower, y - h}, Point{atLower, y}})
	}
	// Down through the dummies' places, then turned if From is below.
	first := len(curves)
	start := Point{atUpper, top(l.layer[u]) + BoxHeight}
	at := start
	for d := l.firstDummy[k]; d < l.firstDummy[k]+l.layer[w]-l.layer[u]-1; d++ {
		in, out := Point{l.x[d], top(l.layer[d])}, Point{l.x[d], top(l.layer[d]) + BoxHeight}
		curves = append(curves, between(at, in), Curve{in, out, out})
		at = out
	}
	curves = append(curves, between(at, Point{atLower, top(l.layer[w])}))
	if int(u) != l.edge(k).From {
		start = reverse(start, curves[first:])
	}
	return start, curves
}

// top is the y of a layer's top edge, before the picture is fitted.
func top(layer int32) int { return int(layer) * (BoxHeight + layerGap) }

// between is the S curve across the gap from a box or dummy down to the
// next: it leaves and arrives vertically.
func between(a, b Point) Curve {
	mid := (a.Y + b.Y) / 2
	return Curve{Point{a.X, mid}, Point{b.X, mid}, b}
}

// reverse turns a path around in place and returns its new start.
func reverse(start Point, cs []Curve) Point {
	for i := range cs {
		cs[i].P, start = start, cs[i].P
		cs[i].C1, cs[i].C2 = cs[i].C2, cs[i].C1
	}
	slices.Reverse(cs)
	return start
}

// attachment is one end of an edge on a box side.
type attachment struct {
	v      int32 // the box
	top    bool  // on its top side, else its bottom
	toward int   // x of the edge's next point, which orders the ports
	k      int32 // the edge
	lower  bool  // the edge's lower (or, in an arc, To) end
}

// ports gives each end of each edge its x on its box side, in the order of
// where the edges go, so that edges leaving one box do not cross there.
func (l *layout) ports() (atUpper, atLower []int) {
	var as []attachment
	for k := range l.edges {
		u, w := l.upper[k], l.lower[k]
		switch span := l.layer[w] - l.layer[u]; {
		case u == w:
		case span == 0:
			as = append(as, attachment{u, true, l.x[w], int32(k), false}, attachment{w, true, l.x[u], int32(k), true})
		default:
			below, above := w, u // the vertices next to u and to w on the way
			if span > 1 {
				below, above = l.firstDummy[k], l.firstDummy[k]+span-2
			}
			as = append(as, attachment{u, false, l.x[below], int32(k), false}, attachment{w, true, l.x[above], int32(k), true})
		}
	}
	slices.SortFunc(as, func(a, b attachment) int {
		if c := cmp.Compare(a.v, b.v); c != 0 {
			return c
		}
		if a.top != b.top {
			if a.top {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.toward, b.toward), cmp.Compare(a.k, b.k), cmp.Compare(bit(a.lower), bit(b.lower)))
	})
	atUpper, atLower = make([]int, len(l.edges)), make([]int, len(l.edges))
	for i := 0; i < len(as); {
		j := i + 1
		for j < len(as) && as[j].v == as[i].v && as[j].top == as[i].top {
			j++
		}
		n := j - i
		gap := portGap
		if n > 1 {
			gap = min(portGap, (BoxWidth-2*portInset)/(n-1))
		}
		for m, a := range as[i:j] {
			x := l.x[a.v] + (2*m-(n-1))*gap/2
			if a.lower {
				atLower[a.k] = x
			} else {
				atUpper[a.k] = x
			}
		}
		i = j
	}
	return atUpper, atLower
}

// fit moves everything so that the boxes and curves, control points
// included (a Bézier curve stays inside them), sit inside the margin.
func (p *Picture) fit() {
	if len(p.Boxes) == 0 {
		p.Width, p.Height = 2*margin, 2*margin
		return
	}
	minX, minY, maxX, maxY := p.Boxes[0].X, p.Boxes[0].Y, p.Boxes[0].X+BoxWidth, p.Boxes[0].Y+BoxHeight
	grow := func(pt Point) {
		minX, minY, maxX, maxY = min(minX, pt.X), min(minY, pt.Y), max(maxX, pt.X), max(maxY, pt.Y)
	}
	for _, b := range p.Boxes {
		grow(Point{b.X, b.Y})
		grow(Point{b.X + BoxWidth, b.Y + BoxHeight})
	}
	for _, path := range p.Paths {
		grow(path.Start)
		for _, c := range path.Curves {
			grow(c.C1)
			grow(c.C2)
			grow(c.P)
		}
	}
	dx, dy := margin-minX, margin-minY
	move := func(pt *Point) { pt.X, pt.Y = pt.X+dx, pt.Y+dy }
	for i := range p.Boxes {
		p.Boxes[i].X += dx
		p.Boxes[i].Y += dy
	}
	for i := range p.Paths {
		move(&p.Paths[i].Start)
		for j := range p.Paths[i].Curves {
			c := &p.Paths[i].Curves[j]
			move(&c.C1)
			move(&c.C2)
			move(&c.P)
		}
	}
	p.Width, p.Height = maxX-minX+2*margin, maxY-minY+2*margin
}

// count is "1 node" or "5 nodes".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
