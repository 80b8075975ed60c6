package dag

import (
	"cmp"
	"slices"
)

// maxSweeps bounds crossing reduction: each sweep reorders every layer once.
const maxSweeps = 16

// order gives every edge that spans more than one layer a dummy vertex in
// each layer between its ends, so it can be routed between the boxes, then
// orders the layers to have few crossings.
func (l *layout) order() {
	l.reduceCrossings(l.addDummies())
}

// addDummies builds the layered graph that order works on, each layer in
// index order: nodes as given, then dummies by edge. It returns the width
// of the widest layer.
func (l *layout) addDummies() int {
	m := len(l.edges)
	l.upper, l.lower, l.firstDummy = make([]int32, m), make([]int32, m), make([]int32, m)
	vertices := l.n
	for k := range m {
		e := l.edge(k)
		u, w := int32(e.From), int32(e.To)
		if l.layer[u] > l.layer[w] {
			u, w = w, u
		}
		l.upper[k], l.lower[k], l.firstDummy[k] = u, w, int32(vertices)
		if span := l.layer[w] - l.layer[u]; span > 1 {
			vertices += int(span - 1)
		}
	}

	l.layer = slices.Grow(l.layer, vertices-l.n)[:vertices]
	var segs [][2]int32 // (vertex, its neighbour below)
	for k := range m {
		u, w := l.upper[k], l.lower[k]
		if l.layer[u] == l.layer[w] {
			continue // a self loop or a cross-cycle arc within a layer
		}
		prev := u
		for d := l.firstDummy[k]; l.layer[prev]+1 < l.layer[w]; d++ {
			l.layer[d] = l.layer[prev] + 1
			segs = append(segs, [2]int32{prev, d})
			prev = d
		}
		segs = append(segs, [2]int32{prev, w})
	}
	l.down = newCSR(vertices, segs)
	for i, s := range segs {
		segs[i] = [2]int32{s[1], s[0]}
	}
	l.up = newCSR(vertices, segs)

	depth := int32(0)
	for _, ly := range l.layer {
		depth = max(depth, ly+1)
	}
	width := make([]int, depth)
	for _, ly := range l.layer {
		width[ly]++
	}
	l.flat = make([]int32, vertices)
	l.layers = make([][]int32, depth)
	start, widest := 0, 0
	for ly, w := range width {
		l.layers[ly] = l.flat[start : start : start+w] // filled below, within flat
		start += w
		widest = max(widest, w)
	}
	for v, ly := range l.layer {
		l.layers[ly] = append(l.layers[ly], int32(v))
	}
	l.pos = make([]int32, vertices)
	l.numberLayers()
	return widest
}

// reduceCrossings sweeps barycenters down and up the layers and keeps the
// order with the fewest crossings seen.
func (l *layout) reduceCrossings(widest int) {
	tree := make([]int32, widest+1)
	best := l.crossings(tree)
	bestOrder := slices.Clone(l.flat)
	bary := make([]float64, len(l.pos))
	for sweep := 0; sweep < maxSweeps && best > 0; sweep++ {
		if sweep%2 == 0 {
			for ly := 1; ly < len(l.layers); ly++ {
				l.sortByBarycenter(l.layers[ly], l.up, bary)
			}
		} else {
			for ly := len(l.layers) - 2; ly >= 0; ly-- {
				l.sortByBarycenter(l.layers[ly], l.down, bary)
			}
		}
		if c := l.crossings(tree); c < best {
			best = c
			copy(bestOrder, l.flat)
		}
	}
	copy(l.flat, bestOrder)
	l.numberLayers()
}

// sortByBarycenter orders a layer by the mean position of each vertex's
// neighbours in the fixed layer next to it. A vertex without any keeps its
// position as its key; ties keep their order, so the result is stable.
func (l *layout) sortByBarycenter(layer []int32, fixed csr, bary []float64) {
	for _, v := range layer {
		ns := fixed.of(v)
		if len(ns) == 0 {
			bary[v] = float64(l.pos[v])
			continue
		}
		sum := 0
		for _, u := range ns {
			sum += int(l.pos[u])
		}
		bary[v] = float64(sum) / float64(len(ns))
	}
	slices.SortStableFunc(layer, func(a, b int32) int { return cmp.Compare(bary[a], bary[b]) })
	for i, v := range layer {
		l.pos[v] = int32(i)
	}
}

func (l *layout) numberLayers() {
	for _, layer := range l.layers {
		for i, v := range layer {
			l.pos[v] = int32(i)
		}
	}
}

// crossings counts the pairs of segments that cross between adjacent
// layers. Walking the upper layer left to right, a segment crosses every
// segment already seen that ends further right below; a Fenwick tree over
// the lower positions counts those (Barth, Jünger, Mutzel 2004).
func (l *layout) crossings(tree []int32) int {
	total := 0
	for ly := 0; ly+1 < len(l.layers); ly++ {
		t := tree[:len(l.layers[ly+1])+1]
		clear(t)
		seen := 0
		for _, u := range l.layers[ly] {
			below := l.down.of(u)
			for _, w := range below {
				// Segments from the same vertex share an end: they do not cross.
				total += seen - prefixCount(t, int(l.pos[w]))
			}
			for _, w := range below {
				for i := int(l.pos[w]) + 1; i < len(t); i += i & -i {
					t[i]++
				}
				seen++
			}
		}
	}
	return total
}

// prefixCount is how many positions ≤ p the tree holds.
func prefixCount(t []int32, p int) int {
	n := 0
	for i := p + 1; i > 0; i -= i & -i {
		n += int(t[i])
	}
	return n
}
