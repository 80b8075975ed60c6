// Package dag draws a workflow's inner nodes and their dependencies as a
// layered picture, written by the server as inline SVG.
//
// The layout is a small Sugiyama pipeline, one step per file: layers
// (layer.go), the order within each layer (order.go), x coordinates
// (place.go), edge routes (route.go) and the SVG itself (svg.go).
package dag

// Box size in px. It is fixed so that columns line up and a label's room
// can be counted in characters rather than measured.
const (
	BoxWidth  = 168
	BoxHeight = 44
)

// Spacing in px.
const (
	layerGap  = 56 // between two layers: room for the curves
	boxPad    = 16 // beside a box; two boxes stand 2*boxPad apart
	dummyPad  = 6  // beside an edge passing through a layer
	loopWidth = 24 // extra room right of a box with a self dependency
	margin    = 16 // around the whole picture
)

// Node is one box.
type Node struct {
	Label    string // node name, shown (truncated to fit, full text in <title>)
	Detail   string // second line, e.g. "ODPS SQL" or "external output"
	Href     string // link target of the box ("" = no link), e.g. "?node=3#node-form"
	External bool   // an upstream outside the workflow: drawn with a dashed outline, no fill
	Selected bool   // the node whose form is open: emphasised outline
}

// Edge is From → To (From is the upstream, To depends on it). Indexes are
// into Graph.Nodes; an edge with an index out of range is not drawn.
type Edge struct {
	From, To int
	// CrossCycle marks a dependency on the previous cycle's instance: drawn
	// dashed, and it does not take part in layering. From == To (a self
	// dependency) is allowed and drawn as a small loop.
	CrossCycle bool
}

// Graph is what to draw.
type Graph struct {
	Nodes []Node
	Edges []Edge
	// Cycle lists the node indexes of one dependency cycle in order (a → b →
	// c → a is [a b c]). Those nodes, and the same-cycle edges between
	// consecutive members (and last → first), are drawn in red (dag-cycle).
	Cycle []int
	Title string // accessible name of the picture; "" = "Dependency graph"
	Desc  string // its description; "" = counts, e.g. "5 nodes, 4 dependencies"
	// ID prefixes the ids inside the SVG (markers, title), so that two
	// pictures on one page do not share them; "" = "dag".
	ID string
}

// Point is a position in px from the picture's top-left corner.
type Point struct{ X, Y int }

// Curve is one cubic Bézier segment from the previous point to P, with
// control points C1 and C2. A straight segment has C1 and C2 on its ends.
type Curve struct{ C1, C2, P Point }

// Box is a placed node.
type Box struct {
	Node
	X, Y  int  // top-left corner; the size is BoxWidth × BoxHeight
	Layer int  // 0 is the top layer
	Cycle bool // a member of Graph.Cycle
}

// Path is a routed edge, from From's box to To's box, where the arrowhead is.
type Path struct {
	Edge
	Start  Point
	Curves []Curve
	// Reversed marks a same-cycle edge that was turned around to break a
	// cycle for layering, so it runs up the picture.
	Reversed bool
	Cycle    bool // between consecutive members of Graph.Cycle
}

// Picture is a laid-out graph, ready to be written as SVG.
type Picture struct {
	Width, Height int    // in px; also the viewBox
	Title, Desc   string // with the defaults filled in
	ID            string // id prefix, with the default filled in
	Boxes         []Box  // Boxes[i] is Graph.Nodes[i]
	Paths         []Path // the drawn edges, in the order of Graph.Edges
}

// Layout places the nodes of g in layers and routes its edges. It never
// fails: cycles are broken, bad indexes skipped, and the result is the same
// for the same input.
func Layout(g Graph) *Picture {
	l := newLayout(g)
	l.assignLayers()
	l.order()
	l.placeX()
	return l.picture()
}
