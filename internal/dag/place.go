package dag

import "math"

// placeRounds bounds the coordinate passes; each sweeps down then up.
const placeRounds = 8

// Weights of the pull along a segment: the more dummies at its ends, the
// harder, so that long edges run straight (as in Gansner et al. 1993). A
// vertex with no neighbour at all only wants to stay where it is.
const (
	boxesWeight = 1
	mixedWeight = 2
	dummyWeight = 8
	stayWeight  = 0.01
)

// placer is the scratch space of placeX, indexed by vertex.
type placer struct {
	l    *layout
	x    []float64 // centre
	off  []float64 // centre when the layer is packed from 0
	want []float64
	wt   []float64
	pool []block
}

// block is a run of vertices that sit packed together, at the weighted
// mean of what they want.
type block struct {
	w, wy float64 // total weight, and weighted sum of wanted y
	n     int
}

// placeX gives every vertex its centre x. Each layer starts packed and
// centred; then the layers are pulled, one at a time, sweeping down and up,
// toward the mean x of their neighbours above and below, so that a chain
// stands straight and a parent sits over its children.
func (l *layout) placeX() {
	nv := len(l.pos)
	p := placer{l: l, x: make([]float64, nv), off: make([]float64, nv), want: make([]float64, nv), wt: make([]float64, nv)}
	loops := make([]bool, l.n)
	for k := range l.edges {
		if e := l.edge(k); e.From == e.To {
			loops[e.From] = true
		}
	}
	sep := func(a, b int32) int { return l.half(a, false, loops) + l.half(b, true, loops) }
	for _, layer := range l.layers {
		at := 0
		for i, v := range layer {
			if i > 0 {
				at += sep(layer[i-1], v)
			}
			p.off[v] = float64(at)
		}
		for _, v := range layer {
			p.x[v] = p.off[v] - float64(at)/2
		}
	}
	for range placeRounds {
		for ly := 1; ly < len(l.layers); ly++ {
			p.pull(l.layers[ly])
		}
		for ly := len(l.layers) - 2; ly >= 0; ly-- {
			p.pull(l.layers[ly])
		}
	}

	// Rounding keeps the order but may take a pixel off a gap: give it back.
	l.x = make([]int, nv)
	for _, layer := range l.layers {
		for i, v := range layer {
			l.x[v] = int(math.Round(p.x[v]))
			if i > 0 {
				l.x[v] = max(l.x[v], l.x[layer[i-1]]+sep(layer[i-1], v))
			}
		}
	}
}

// weight is the pull along the segment u–v.
func (l *layout) weight(u, v int32) float64 {
	switch dummies := bit(int(u) >= l.n) + bit(int(v) >= l.n); dummies {
	case 0:
		return boxesWeight
	case 1:
		return mixedWeight
	}
	return dummyWeight
}

// half is the room a vertex needs on its left (or right) side, from its
// centre to where its neighbour's room starts.
func (l *layout) half(v int32, left bool, loops []bool) int {
	if int(v) >= l.n {
		return dummyPad
	}
	if !left && loops[v] {
		return BoxWidth/2 + boxPad + loopWidth
	}
	return BoxWidth/2 + boxPad
}

// pull moves a layer toward the weighted mean x of each vertex's
// neighbours above and below. Where the wishes collide it finds the x
// closest to them in weighted squares that keep every vertex in its order
// and room: with y = x - off the rule is y non-decreasing, an isotonic
// regression, which pooling adjacent violators solves in one pass. So each
// pull lowers the sum of squared edge slants, and the sweeps settle.
func (p *placer) pull(layer []int32) {
	for _, v := range layer {
		sum, total := 0.0, 0.0
		for _, ns := range [2][]int32{p.l.up.of(v), p.l.down.of(v)} {
			for _, u := range ns {
				w := p.l.weight(u, v)
				sum += w * p.x[u]
				total += w
			}
		}
		if total == 0 {
			p.want[v], p.wt[v] = p.x[v], stayWeight
			continue
		}
		p.want[v], p.wt[v] = sum/total, total
	}
	pool := p.pool[:0]
	for _, v := range layer {
		b := block{w: p.wt[v], wy: p.wt[v] * (p.want[v] - p.off[v]), n: 1}
		for len(pool) > 0 {
			last := pool[len(pool)-1]
			if last.wy/last.w < b.wy/b.w {
				break
			}
			b = block{w: last.w + b.w, wy: last.wy + b.wy, n: last.n + b.n}
			pool = pool[:len(pool)-1]
		}
		pool = append(pool, b)
	}
	i := 0
	for _, b := range pool {
		y := b.wy / b.w
		for range b.n {
			p.x[layer[i]] = y + p.off[layer[i]]
			i++
		}
	}
	p.pool = pool
}
