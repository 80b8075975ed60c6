package flowspec

import (
	"fmt"
	"strconv"
	"strings"
)

// Op is the kind of a Change.
type Op string

// Change kinds.
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Change is one field-level difference between two documents. Old and New
// are compact JSON (empty for the side where the field is absent).
type Change struct {
	Path string // e.g. spec.workflows[0].trigger.cron
	Op   Op
	Old  string
	New  string
	// Node names the inner node the change is in ("" for the workflow's
	// own fields).
	Node string
}

// Diff lists the field-level changes from a to b, in document order. Objects
// are compared key by key (order does not matter), arrays index by index.
//
// It is written here rather than taken from a JSON diff library because it
// walks FlowForm's own tree: numbers compare by their exact text (19-digit
// ids stay exact, where generic libraries decode float64) and paths come out
// in the same form validation uses, so the UI maps both to fields one way.
//
// Inner nodes and dependency entries are matched by their id (nodeId), not
// their place in the list, so adding a node reports that node rather than
// every node after it; such a change's path uses the index on its side
// (the new document's, or the old one's for a removal).
func Diff(a, b *Document) []Change {
	var out []Change
	diffNode(&out, "", a.root, b.root)
	for i := range out {
		side := b
		if out[i].Op == Removed {
			side = a
		}
		out[i].Node = side.nodeNameAt(out[i].Path)
	}
	return out
}

// nodeNameAt is the name of the inner node a path is in.
func (d *Document) nodeNameAt(path string) string {
	for _, key := range []string{"nodes[", "dependencies[", "flow["} {
		rest, ok := strings.CutPrefix(path, workflowPrefix+key)
		if !ok {
			continue
		}
		end := strings.IndexByte(rest, ']')
		i, err := strconv.Atoi(rest[:max(end, 0)])
		if end < 0 || err != nil {
			return ""
		}
		if key == "nodes[" {
			if nodes := d.nodeList(); i < len(nodes) {
				return text(nodes[i], "name")
			}
			return ""
		}
		deps, _ := dependencies(d.workflow())
		if j, ok := d.NodeIndex(text(deps.index(i), "nodeId")); ok {
			return text(d.nodeList()[j], "name")
		}
	}
	return ""
}

// keyOf is the key arrays of this kind are matched by: inner nodes by
// "id", dependency entries by "nodeId"; "" when the items are not all
// objects with distinct string keys.
func keyOf(path string, a, b *node) string {
	var key string
	switch {
	case path == workflowPrefix+"nodes":
		key = "id"
	case path == workflowPrefix+"dependencies" || path == workflowPrefix+"flow":
		key = "nodeId"
	default:
		return ""
	}
	for _, list := range []*node{a, b} {
		seen := map[string]bool{}
		for _, it := range list.items {
			k, ok := it.get(key).str()
			if !ok || seen[k] {
				return ""
			}
			seen[k] = true
		}
	}
	return key
}

func diffNode(out *[]Change, path string, a, b *node) {
	switch {
	case a.kind == kindObject && b.kind == kindObject:
		for _, m := range a.members {
			p := joinPath(path, m.key)
			if other := b.get(m.key); other != nil {
				diffNode(out, p, m.val, other)
			} else {
				*out = append(*out, Change{Path: p, Op: Removed, Old: compact(m.val)})
			}
		}
		for _, m := range b.members {
			if a.get(m.key) == nil {
				*out = append(*out, Change{Path: joinPath(path, m.key), Op: Added, New: compact(m.val)})
			}
		}
	case a.kind == kindArray && b.kind == kindArray && keyOf(path, a, b) != "":
		key := keyOf(path, a, b)
		at := map[string]int{}
		for i, it := range a.items {
			k, _ := it.get(key).str()
			at[k] = i
		}
		matched := map[string]bool{}
		for i, it := range b.items {
			k, _ := it.get(key).str()
			p := path + "[" + strconv.Itoa(i) + "]"
			if j, ok := at[k]; ok {
				matched[k] = true
				diffNode(out, p, a.items[j], it)
			} else {
				*out = append(*out, Change{Path: p, Op: Added, New: compact(it)})
			}
		}
		for i, it := range a.items {
			if k, _ := it.get(key).str(); !matched[k] {
				*out = append(*out, Change{Path: path + "[" + strconv.Itoa(i) + "]", Op: Removed, Old: compact(it)})
			}
		}
	case a.kind == kindArray && b.kind == kindArray:
		for i := 0; i < max(len(a.items), len(b.items)); i++ {
			p := path + "[" + strconv.Itoa(i) + "]"
			switch {
			case i >= len(b.items):
				*out = append(*out, Change{Path: p, Op: Removed, Old: compact(a.items[i])})
			case i >= len(a.items):
				*out = append(*out, Change{Path: p, Op: Added, New: compact(b.items[i])})
			default:
				diffNode(out, p, a.items[i], b.items[i])
			}
		}
	default:
		if oa, ob := compact(a), compact(b); oa != ob {
			*out = append(*out, Change{Path: path, Op: Changed, Old: oa, New: ob})
		}
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return fmt.Sprintf("%s.%s", path, key)
}

func compact(n *node) string {
	e := encoder{}
	e.value(n, shapeOther, 0)
	return string(e.buf)
}
