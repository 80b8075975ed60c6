package dag

import (
	"strconv"
	"testing"
)

// fuzzGraph reads a graph from fuzz bytes: the first is the node count,
// then each three bytes are an edge — from, to (either may be out of
// range) and flags: bit 0 cross-cycle, bit 1 put its From on the cycle.
// label names the nodes, so that any text is tried.
func fuzzGraph(data []byte, label string) Graph {
	if len(data) == 0 {
		return Graph{}
	}
	n := int(data[0]) % 40
	g := Graph{Title: label, Desc: label, ID: label}
	for i := range n {
		g.Nodes = append(g.Nodes, Node{Label: label + strconv.Itoa(i), Detail: label, Href: label,
			External: i%5 == 4, Selected: i == 1})
	}
	for rest := data[1:]; len(rest) >= 3; rest = rest[3:] {
		e := Edge{From: int(rest[0])%(n+2) - 1, To: int(rest[1])%(n+2) - 1, CrossCycle: rest[2]&1 != 0}
		g.Edges = append(g.Edges, e)
		if rest[2]&2 != 0 {
			g.Cycle = append(g.Cycle, e.From)
		}
	}
	return g
}

// FuzzLayout: no graph panics or hangs; every node is placed once, no two
// boxes overlap, edges join their boxes, and the SVG is well-formed XML
// (all checked by draw).
func FuzzLayout(f *testing.F) {
	f.Add([]byte{3, 1, 2, 0, 2, 3, 0}, "chain")                                   // a chain
	f.Add([]byte{3, 1, 2, 2, 2, 3, 2, 3, 1, 2}, "cycle")                          // a → b → c → a, marked
	f.Add([]byte{4, 1, 1, 1, 1, 1, 0, 1, 2, 1, 3, 1, 1}, "self")                  // self dependencies, cross-cycle up
	f.Add([]byte{5, 0, 1, 0, 1, 6, 0, 2, 3, 1, 3, 3, 1}, "bad <&> \xff\x01")      // out of range, text to escape
	f.Add([]byte{6, 1, 6, 0, 1, 2, 0, 2, 3, 0, 3, 4, 0, 4, 6, 0, 6, 1, 1}, "长名字") // a long edge
	f.Add([]byte{0}, "")
	f.Add([]byte{39, 1, 39, 0, 39, 1, 0, 2, 38, 3, 38, 2, 1}, "wide")
	f.Fuzz(func(t *testing.T, data []byte, label string) {
		if len(data) > 600 {
			return // 200 edges is plenty; longer inputs only slow the search
		}
		draw(t, fuzzGraph(data, label))
	})
}
