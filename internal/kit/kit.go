// Package kit writes a delivery plan (draft.KitCall, in order) as a request
// kit the analyst can run without FlowForm: a POSIX sh script of aliyun CLI
// calls (CLI) and a Go program using alibaba-cloud-sdk-go the way FlowForm
// calls DataWorks (Go). Both make the calls in order, keep the Id each
// call with Captures is answered, put it where later calls name it with
// draft.Placeholder, and stop at the first call that fails.
package kit

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/flowform/flowform/internal/draft"
)

// piece is a run of a value: literal text, or the variable a placeholder
// names.
type piece struct {
	text string
	name string // the variable, when not literal
}

// pieces splits v at the placeholders of the variables in known, left to
// right, earliest first, without overlaps — what strings.NewReplacer does
// in the Go program, so the script and the program send the same values.
// A placeholder of any other name (not captured by an earlier call) stays
// literal text in both.
func pieces(v string, known []string) []piece {
	var out []piece
	for v != "" {
		at, name := -1, ""
		for _, n := range known {
			if i := strings.Index(v, draft.Placeholder(n)); i >= 0 && (at < 0 || i < at) {
				at, name = i, n
			}
		}
		if at < 0 {
			out = append(out, piece{text: v})
			break
		}
		if at > 0 {
			out = append(out, piece{text: v[:at]})
		}
		out = append(out, piece{name: name})
		v = v[at+len(draft.Placeholder(name)):]
	}
	return out
}

// label is a call as its comment names it, e.g. "2/4 CreateNode
// dwd_orders", with every character that is not printable (a newline in
// a name would end the comment) shown as a space.
func label(i, n int, c draft.KitCall) string {
	s := strconv.Itoa(i+1) + "/" + strconv.Itoa(n) + " " + c.Action
	if c.Name != "" {
		s += " " + c.Name
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return ' '
	}, s)
}

// param is one parameter of a call besides ProjectId.
type param struct{ key, value string }

// params are a call's parameters besides ProjectId, in the order both kits
// write them: for the delivery's actions those FlowForm sends (Id to
// update or delete, ContainerId and Scene to create a node, Spec but to
// delete); for any other action, every field that is set.
func params(c draft.KitCall) []param {
	var ps []param
	add := func(key, value string, sent bool) {
		if sent {
			ps = append(ps, param{key, value})
		}
	}
	switch c.Action {
	case draft.CreateWorkflow, draft.UpdateWorkflow, draft.CreateNode, draft.UpdateNode, draft.DeleteNode:
		add("Id", c.ID, c.Action == draft.UpdateWorkflow || c.Action == draft.UpdateNode || c.Action == draft.DeleteNode)
		add("ContainerId", c.ContainerID, c.Action == draft.CreateNode && c.ContainerID != "")
		add("Scene", c.Scene, c.Action == draft.CreateNode)
		add("Spec", c.Spec, c.Action != draft.DeleteNode)
	default:
		add("Id", c.ID, c.ID != "")
		add("ContainerId", c.ContainerID, c.ContainerID != "")
		add("Scene", c.Scene, c.Scene != "")
		add("Spec", c.Spec, c.Spec != "")
	}
	return ps
}
