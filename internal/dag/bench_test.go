package dag

import "testing"

// BenchmarkDraw100 is Layout and SVG for a 100-node, 150-edge workflow;
// the budget is 20 ms.
func BenchmarkDraw100(b *testing.B) {
	g := layeredDAG(1, 100, 150)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = Layout(g).AppendSVG(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}
