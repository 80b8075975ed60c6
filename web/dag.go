package web

import (
	"context"
	"io"

	"github.com/a-h/templ"

	"github.com/flowform/flowform/internal/dag"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// dagPicture draws the workflow's nodes and dependencies: inner nodes link
// to their forms (sel is the one open), external upstreams are dashed
// boxes, cross-cycle dependencies dashed lines, a cycle red. nil when the
// workflow has no nodes.
func dagPicture(lang i18n.Lang, g flowspec.Graph, sel int, href func(i int) string) templ.Component {
	if len(g.Names) == 0 {
		return nil
	}
	dg := dagGraph(lang, g)
	for i := range g.Names {
		dg.Nodes[i].Href = href(i)
		dg.Nodes[i].Selected = i == sel
	}
	svg := dag.Layout(dg).AppendSVG(nil)
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := w.Write(svg) // the SVG writer escapes every text it writes
		return err
	})
}

// dagGraph is the graph as the picture draws it, without links.
func dagGraph(lang i18n.Lang, g flowspec.Graph) dag.Graph {
	dg := dag.Graph{Cycle: g.Cycle,
		Title: i18n.Text{EN: "Dependency graph of the workflow's nodes", ZH: "工作流节点依赖图"}.In(lang),
		Desc:  i18n.Sprintf("%d nodes, %d dependencies", "%d 个节点，%d 条依赖", len(g.Names), len(g.Edges)).In(lang)}
	for i, name := range g.Names {
		dg.Nodes = append(dg.Nodes, dag.Node{Label: name, Detail: flowspec.KindLabel(g.Commands[i], lang)})
	}
	external := i18n.Text{EN: "outside this workflow", ZH: "工作流外部"}.In(lang)
	for _, out := range g.External {
		dg.Nodes = append(dg.Nodes, dag.Node{Label: out, Detail: external, External: true})
	}
	for _, e := range g.Edges {
		from := e.From
		if e.Ext >= 0 {
			from = len(g.Names) + e.Ext
		}
		if from < 0 {
			continue // on its own children: nothing to draw an arrow from
		}
		dg.Edges = append(dg.Edges, dag.Edge{From: from, To: e.To, CrossCycle: e.Type != flowspec.DependNormal})
	}
	return dg
}
