package flowspec

import (
	"fmt"
	"strconv"
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
}

// Diff lists the field-level changes from a to b, in document order. Objects
// are compared key by key (order does not matter), arrays index by index.
//
// It is written here rather than taken from a JSON diff library because it
// walks FlowForm's own tree: numbers compare by their exact text (19-digit
// ids stay exact, where generic libraries decode float64) and paths come out
// in the same form validation uses, so the UI maps both to fields one way.
func Diff(a, b *Document) []Change {
	var out []Change
	diffNode(&out, "", a.root, b.root)
	return out
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
