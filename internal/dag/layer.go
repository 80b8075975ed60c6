package dag

import "slices"

// layout is the working state that the steps hand on to each other.
// Vertices are the nodes, numbered as in Graph.Nodes, then the dummy
// vertices that long edges get in the layers they pass through.
type layout struct {
	g     Graph
	n     int   // nodes; dummy vertices are numbered from n on
	edges []int // indexes into g.Edges of the edges drawn
	// reversed marks, per drawn edge, a same-cycle edge turned around to
	// break a cycle.
	reversed []bool
	layer    []int32 // per vertex

	// Set by order.
	upper, lower []int32   // per drawn edge: its end in the upper layer, and the other
	firstDummy   []int32   // per drawn edge: the first of its dummies, which are consecutive
	up, down     csr       // per vertex: its neighbours in the layer above and below
	layers       [][]int32 // the vertices of each layer, left to right
	flat         []int32   // every layer end to end: layers are its parts, so a copy saves the order
	pos          []int32   // per vertex: its index in its layer

	// Set by placeX: the centre of each vertex.
	x []int
}

// csr is an adjacency list in one array: the neighbours of v are
// adj[start[v]:start[v+1]], in the order they were added.
type csr struct{ start, adj []int32 }

// newCSR builds the lists of n vertices from (vertex, neighbour) pairs.
func newCSR(n int, pairs [][2]int32) csr {
	c := csr{start: make([]int32, n+1), adj: make([]int32, len(pairs))}
	for _, p := range pairs {
		c.start[p[0]+1]++
	}
	for v := range n {
		c.start[v+1] += c.start[v]
	}
	next := slices.Clone(c.start[:n])
	for _, p := range pairs {
		c.adj[next[p[0]]] = p[1]
		next[p[0]]++
	}
	return c
}

func (c csr) of(v int32) []int32 { return c.adj[c.start[v]:c.start[v+1]] }

func newLayout(g Graph) *layout {
	l := &layout{g: g, n: len(g.Nodes)}
	for i, e := range g.Edges {
		if e.From >= 0 && e.From < l.n && e.To >= 0 && e.To < l.n {
			l.edges = append(l.edges, i)
		}
	}
	return l
}

// edge is drawn edge k.
func (l *layout) edge(k int) Edge { return l.g.Edges[l.edges[k]] }

// layering tells whether an edge takes part in layering: same-cycle
// dependencies between two different nodes do.
func layering(e Edge) bool { return !e.CrossCycle && e.From != e.To }

// assignLayers puts every node in a layer: after cycles are broken, each
// node sits one layer below its lowest upstream (longest path from the
// sources), so every layering edge points down.
func (l *layout) assignLayers() {
	var out [][2]int32 // (From, edge)
	for k := range l.edges {
		if e := l.edge(k); layering(e) {
			out = append(out, [2]int32{int32(e.From), int32(k)})
		}
	}
	l.breakCycles(newCSR(l.n, out))

	arcs := out[:0] // (upstream, downstream), reusing out
	for k := range l.edges {
		if e := l.edge(k); layering(e) {
			if l.reversed[k] {
				e.From, e.To = e.To, e.From
			}
			arcs = append(arcs, [2]int32{int32(e.From), int32(e.To)})
		}
	}
	l.longestPath(newCSR(l.n, arcs), arcs)
}

// breakCycles marks the back edges of a depth-first search as reversed;
// turning them around leaves the layering edges acyclic. The search starts
// from the sources in index order, then from whatever they did not reach,
// so a cycle is broken where the flow from the sources comes back into it.
func (l *layout) breakCycles(out csr) {
	l.reversed = make([]bool, len(l.edges))
	const (
		unseen = iota
		open   // on the search path
		done
	)
	state := make([]uint8, l.n)
	hasUpstream := make([]bool, l.n)
	for k := range l.edges {
		if e := l.edge(k); layering(e) {
			hasUpstream[e.To] = true
		}
	}
	type frame struct{ v, next int32 }
	var path []frame
	for pass := range 2 {
		for root := range l.n {
			if state[root] != unseen || (pass == 0 && hasUpstream[root]) {
				continue
			}
			state[root] = open
			path = append(path, frame{int32(root), out.start[root]})
			for len(path) > 0 {
				f := &path[len(path)-1]
				if f.next == out.start[f.v+1] {
					state[f.v] = done
					path = path[:len(path)-1]
					continue
				}
				k := out.adj[f.next]
				f.next++
				switch to := l.edge(int(k)).To; state[to] {
				case open:
					l.reversed[k] = true
				case unseen:
					state[to] = open
					path = append(path, frame{int32(to), out.start[to]})
				}
			}
		}
	}
}

// longestPath layers an acyclic graph given as downstream lists and as
// (upstream, downstream) pairs, in topological order (Kahn).
func (l *layout) longestPath(down csr, arcs [][2]int32) {
	l.layer = make([]int32, l.n)
	waiting := make([]int32, l.n) // upstreams not yet layered
	for _, a := range arcs {
		waiting[a[1]]++
	}
	ready := make([]int32, 0, l.n)
	for v := range l.n {
		if waiting[v] == 0 {
			ready = append(ready, int32(v))
		}
	}
	for i := 0; i < len(ready); i++ {
		u := ready[i]
		for _, v := range down.of(u) {
			l.layer[v] = max(l.layer[v], l.layer[u]+1)
			if waiting[v]--; waiting[v] == 0 {
				ready = append(ready, v)
			}
		}
	}
}
