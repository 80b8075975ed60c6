package flowspec

import (
	"slices"
	"strconv"
)

// Graph is the workflow's inner nodes and their dependencies.
type Graph struct {
	Names    []string // inner nodes by index
	Commands []string
	// External are the outputs no inner node produces, first seen first.
	External []string
	Edges    []Edge
	// Cycle is one cycle of Normal dependencies between distinct nodes,
	// in the direction work flows (a → b: b depends on a); nil when there
	// is none. The edge closing it (last → first) is CycleEdge.
	Cycle     []int
	CycleEdge int
	// Order lists every node with its upstreams first (Normal and
	// cross-cycle-other-node dependencies, which both need the upstream to
	// exist); nodes in a cycle come last, in list order.
	Order []int

	producer map[string]int // output → the node producing it
}

// Edge is one dependency: To depends on From (an inner node) or on
// External[Ext]. A dependency on the node's own children has neither.
type Edge struct {
	From, Ext, To int // From or Ext is -1
	Type          string
	Output        string
	// Path is the depends item's JSON path.
	Path string
}

// Internal reports whether both ends are inner nodes.
func (e Edge) Internal() bool { return e.From >= 0 }

// Graph reads the workflow's nodes and dependencies. Repeated items are
// one edge; entries for a node that is not here are ignored (they are
// reported by Validate).
func (d *Document) Graph() Graph {
	nodes := d.nodeList()
	g := Graph{Names: make([]string, len(nodes)), Commands: make([]string, len(nodes)), CycleEdge: -1}
	producer := map[string]int{}
	byID := map[string]int{}
	for i, n := range nodes {
		g.Names[i] = text(n, "name")
		g.Commands[i] = text(getPath(n, "script.runtime"), "command")
		if id := text(n, "id"); id != "" {
			if _, dup := byID[id]; !dup {
				byID[id] = i
			}
			if _, dup := producer[id]; !dup {
				producer[id] = i
			}
		}
		for _, o := range n.get("outputs").get("nodeOutputs").itemsOrNil() {
			if data := text(o, "data"); data != "" {
				if _, dup := producer[data]; !dup {
					producer[data] = i
				}
			}
		}
	}
	ext := map[string]int{}
	deps, key := dependencies(d.workflow())
	seen := map[[3]string]bool{}
	for e, entry := range deps.itemsOrNil() {
		to, ok := byID[text(entry, "nodeId")]
		if !ok {
			continue
		}
		for k, item := range entry.get("depends").itemsOrNil() {
			typ, out := text(item, "type"), text(item, "output")
			if typ == "" {
				typ = DependNormal // DataWorks reads a missing type as Normal
			}
			dedup := [3]string{strconv.Itoa(to), typ, out}
			if seen[dedup] {
				continue
			}
			seen[dedup] = true
			edge := Edge{From: -1, Ext: -1, To: to, Type: typ, Output: out,
				Path: workflowPrefix + key + "[" + strconv.Itoa(e) + "].depends[" + strconv.Itoa(k) + "]"}
			switch from, inner := producer[out]; {
			case typ == DependSelf && out == "":
				edge.From = to
			case inner:
				edge.From = from
			case out != "":
				x, known := ext[out]
				if !known {
					x = len(g.External)
					ext[out] = x
					g.External = append(g.External, out)
				}
				edge.Ext = x
			}
			g.Edges = append(g.Edges, edge)
		}
	}
	g.producer = producer
	g.Cycle, g.CycleEdge = g.findCycle()
	g.Order = g.order()
	return g
}

// sameCycle reports whether an edge orders two distinct nodes within one
// cycle of runs.
func (e Edge) sameCycle() bool { return e.Internal() && e.From != e.To && e.Type == DependNormal }

// findCycle finds one cycle of Normal dependencies by depth-first search.
func (g Graph) findCycle() ([]int, int) {
	n := len(g.Names)
	out := make([][]int, n) // edge indexes leaving each node
	for i, e := range g.Edges {
		if e.sameCycle() {
			out[e.From] = append(out[e.From], i)
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, n)
	type frame struct{ node, next int }
	for start := range n {
		if color[start] != white {
			continue
		}
		stack := []frame{{start, 0}}
		color[start] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next == len(out[top.node]) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			ei := out[top.node][top.next]
			top.next++
			to := g.Edges[ei].To
			switch color[to] {
			case white:
				color[to] = grey
				stack = append(stack, frame{to, 0})
			case grey: // a back edge closes a cycle: the stack from `to` up
				var cycle []int
				for j := len(stack) - 1; j >= 0; j-- {
					cycle = append(cycle, stack[j].node)
					if stack[j].node == to {
						break
					}
				}
				slices.Reverse(cycle)
				return cycle, ei
			}
		}
	}
	return nil, -1
}

// order is a topological order, smallest index first among the ready
// nodes so the form's order is kept where dependencies allow.
func (g Graph) order() []int {
	n := len(g.Names)
	if o, ok := kahn(n, g.Edges, func(e Edge) bool {
		return e.Internal() && e.From != e.To && (e.Type == DependNormal || e.Type == DependOtherNode)
	}); ok {
		return o
	}
	o, _ := kahn(n, g.Edges, Edge.sameCycle)
	return o
}

// kahn orders n nodes along the edges use selects; nodes left in a cycle
// follow in index order, and ok is false.
func kahn(n int, edges []Edge, use func(Edge) bool) ([]int, bool) {
	indeg := make([]int, n)
	out := make([][]int, n)
	for _, e := range edges {
		if use(e) {
			indeg[e.To]++
			out[e.From] = append(out[e.From], e.To)
		}
	}
	var ready []int
	for i := range n {
		if indeg[i] == 0 {
			ready = append(ready, i)
		}
	}
	order := make([]int, 0, n)
	placed := make([]bool, n)
	for len(ready) > 0 {
		i := ready[0]
		ready = ready[1:]
		order = append(order, i)
		placed[i] = true
		for _, to := range out[i] {
			if indeg[to]--; indeg[to] == 0 {
				at, _ := slices.BinarySearch(ready, to)
				ready = slices.Insert(ready, at, to)
			}
		}
	}
	ok := len(order) == n
	for i := range n {
		if !placed[i] {
			order = append(order, i)
		}
	}
	return order, ok
}

// Shape summarises the graph for the summary card: the roots (no upstream
// in the workflow), the leaves (nothing here depends on them) and the
// longest chain of Normal dependencies. With a cycle the chain is empty.
func (g Graph) Shape() (roots, leaves, chain []int) {
	n := len(g.Names)
	hasUp, hasDown := make([]bool, n), make([]bool, n)
	for _, e := range g.Edges {
		if e.sameCycle() {
			hasUp[e.To], hasDown[e.From] = true, true
		}
	}
	for i := range n {
		if !hasUp[i] {
			roots = append(roots, i)
		}
		if !hasDown[i] {
			leaves = append(leaves, i)
		}
	}
	if g.Cycle != nil || n == 0 {
		return roots, leaves, nil
	}
	length, prev := make([]int, n), make([]int, n)
	ups := make([][]int, n)
	for _, e := range g.Edges {
		if e.sameCycle() {
			ups[e.To] = append(ups[e.To], e.From)
		}
	}
	best := -1
	for _, i := range g.Order {
		length[i], prev[i] = 1, -1
		for _, u := range ups[i] {
			if length[u]+1 > length[i] {
				length[i], prev[i] = length[u]+1, u
			}
		}
		if best < 0 || length[i] > length[best] {
			best = i
		}
	}
	for i := best; i >= 0; i = prev[i] {
		chain = append(chain, i)
	}
	slices.Reverse(chain)
	return roots, leaves, chain
}
