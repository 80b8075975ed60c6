package flowspec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzImport checks that no input panics or hangs, that whatever imports
// encodes to valid JSON that imports again to the same bytes, and that
// validation and the form survive it.
func FuzzImport(f *testing.F) {
	files, _ := filepath.Glob("testdata/import/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"version":"1.0.0","workflows":[{"outputs":{"outputs":[1]}}]}`))
	f.Add([]byte(`{"spec":{"workflows":[{"script":[],"trigger":"x","strategy":{"priority":1e400}}]}}`))
	f.Add([]byte(`{"a":"\ud83d\ude00 \ud800 \u00e9\n","b":[-0.5e+3,0,1E2,true,false,null]}`))
	f.Add([]byte("{\"kind\":\"ManualWorkflow\",\"kind\":1,\"spec\":{\"name\":\"w\xff\",\"id\":\"1\",\"nodes\":[{\"script\":{\"path\":\"a/w\xff/n\"}}],\"flow\":[{\"nodeId\":\"1\"},{\"nodeId\":\"2\"}],\"variables\":{}}}"))
	f.Add([]byte(`{"kind":"Node","metadata":{"uuid":"n","projectId":12},"spec":{"nodes":[{"id":"n","name":"x"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, _, err := decode(data); (err == nil) != json.Valid(data) {
			t.Fatalf("decode and json.Valid disagree on %q: %v", data, err)
		}
		doc, _, err := Import(data)
		if err != nil {
			return
		}
		out := doc.Canonical()
		if !json.Valid(out) || !json.Valid(doc.Indented()) {
			t.Fatalf("invalid JSON output %s", out)
		}
		again, _, err := Import(out)
		if err != nil {
			t.Fatalf("re-import: %v", err)
		}
		if !bytes.Equal(again.Canonical(), out) {
			t.Fatalf("not a fixed point:\n%s\n%s", out, again.Canonical())
		}
		_ = doc.Validate(testNow)
		_ = doc.Plan()
		if id, _ := doc.MetadataProjectID(); id != "" && CheckProjectID(id) != nil {
			t.Fatalf("offered ProjectId %q is not valid", id)
		}
		doc.Apply(doc.Form())
		if !bytes.Equal(doc.Canonical(), out) {
			t.Fatalf("applying the unchanged form changed the document:\n%s\n%s", out, doc.Canonical())
		}
	})
}

// FuzzGraph builds random node graphs — DAGs and not — from the input: the
// cycle found is a real cycle exactly when one exists, the order is a
// topological order of the same-cycle dependencies when there is none, no
// node is lost or repeated, the plan holds every node once, and fields the
// forms do not know survive an edit of every node.
func FuzzGraph(f *testing.F) {
	f.Add([]byte{3, 0, 1, 1, 2})
	f.Add([]byte{3, 0, 1, 1, 2, 2, 0})
	f.Add([]byte{5, 0, 0, 4, 3, 3, 4, 1, 2, 0x82, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		n := int(data[0]%24) + 1
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf("n%d", i)
		}
		var edges [][2]int
		cross := map[[2]int]bool{}
		for k := 1; k+1 < len(data); k += 2 {
			e := [2]int{int(data[k]&0x7f) % n, int(data[k+1]) % n}
			if data[k]&0x80 != 0 {
				cross[e] = true
			}
			edges = append(edges, e)
		}
		d := Blank("fuzz")
		for _, name := range names {
			i := d.AddNode("ODPS_SQL", name)
			d.nodeList()[i].set("x-unknown", stringNode(name)) // a field no form edits
		}
		for to := range n {
			var rows []Upstream
			for _, e := range edges {
				if e[1] == to {
					typ := DependNormal
					if cross[e] {
						typ = DependOtherNode
					}
					rows = append(rows, Upstream{Output: d.RefOutput(e[0]), Type: typ})
				}
			}
			f := d.Node(to)
			f.Upstreams = rows
			f.Values["node_code"] = "select " + names[to] + ";\n"
			d.ApplyNode(to, f)
		}
		g := d.Graph()

		// Brute force: a node is in a same-cycle loop iff peeling sources
		// never removes it.
		indeg := make([]int, n)
		adj := make([][]int, n)
		normal := map[[2]int]bool{}
		for _, e := range edges {
			if e[0] != e[1] && !cross[e] && !normal[e] {
				normal[e] = true
				adj[e[0]] = append(adj[e[0]], e[1])
				indeg[e[1]]++
			}
		}
		removed := 0
		queue := []int{}
		for i := range n {
			if indeg[i] == 0 {
				queue = append(queue, i)
			}
		}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			removed++
			for _, j := range adj[i] {
				if indeg[j]--; indeg[j] == 0 {
					queue = append(queue, j)
				}
			}
		}
		if hasCycle := removed < n; hasCycle != (g.Cycle != nil) {
			t.Fatalf("cycle %v, brute force says %v (edges %v)", g.Cycle, hasCycle, edges)
		}
		for k, i := range g.Cycle {
			j := g.Cycle[(k+1)%len(g.Cycle)]
			if !normal[[2]int{i, j}] {
				t.Fatalf("reported cycle %v uses a missing edge %d→%d", g.Cycle, i, j)
			}
		}
		pos := make([]int, n)
		seen := make([]bool, n)
		if len(g.Order) != n {
			t.Fatalf("order %v has %d nodes, want %d", g.Order, len(g.Order), n)
		}
		for k, i := range g.Order {
			if seen[i] {
				t.Fatalf("node %d twice in %v", i, g.Order)
			}
			seen[i], pos[i] = true, k
		}
		if g.Cycle == nil {
			for e := range normal {
				if pos[e[0]] > pos[e[1]] {
					t.Fatalf("order %v puts %d before its upstream %d", g.Order, e[1], e[0])
				}
			}
			p := d.Plan()
			if len(p.Steps) != n+1 {
				t.Fatalf("plan has %d steps for %d nodes", len(p.Steps), n)
			}
			for _, s := range p.Steps[1:] {
				if !json.Valid(s.Spec) {
					t.Fatalf("invalid spec %s", s.Spec)
				}
			}
		}
		again, _, err := Import(d.Canonical())
		if err != nil || again.NodeCount() != n {
			t.Fatalf("re-import: %v, %d nodes", err, again.NodeCount())
		}
		for i, nd := range again.nodeList() {
			if text(nd, "x-unknown") != names[i] {
				t.Fatalf("node %d lost its unknown field", i)
			}
		}
	})
}
