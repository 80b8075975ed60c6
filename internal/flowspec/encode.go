package flowspec

import "slices"

// shape names the kind of object being written, so the encoder knows which
// keys it orders first and what shape each child has.
type shape uint8

const (
	shapeOther shape = iota // unknown object: original order throughout
	shapeRoot
	shapeSpec
	shapeWorkflow
	shapeScript
	shapeRuntime
	shapeTrigger
	shapeStrategy
	shapeArtifacts
	shapeOutput
	shapeVariable
)

// known lists, per shape, the keys written first and in this order: the
// order of the CreateWorkflowDefinition documentation's example. Other keys
// follow in their original order.
var known = [...][]string{
	shapeRoot:      {"kind", "version", "spec"},
	shapeSpec:      {"name", "type", "workflows"},
	shapeWorkflow:  {"script", "trigger", "strategy", "name", "inputs", "outputs", "nodes", "dependencies"},
	shapeScript:    {"path", "runtime", "parameters"},
	shapeRuntime:   {"command"},
	shapeTrigger:   {"type", "cron", "cycleType", "startTime", "endTime", "timezone", "delaySeconds"},
	shapeStrategy:  {"priority", "timeout", "timeoutUnit", "instanceMode", "rerunMode", "rerunTimes", "rerunInterval", "failureStrategy", "recurrenceType", "priorityWeightStrategy"},
	shapeArtifacts: {"nodeOutputs", "tables", "variables"},
	shapeOutput:    {"data", "artifactType", "refTableName", "isDefault"},
	shapeVariable:  {"artifactType", "name", "scope", "type", "value"},
	shapeOther:     nil,
}

// child gives the shape of the value under key in an object of shape s
// (for arrays, the shape of their elements).
func child(s shape, key string) shape {
	switch s {
	case shapeRoot:
		if key == "spec" {
			return shapeSpec
		}
	case shapeSpec:
		if key == "workflows" {
			return shapeWorkflow
		}
	case shapeWorkflow:
		switch key {
		case "script":
			return shapeScript
		case "trigger":
			return shapeTrigger
		case "strategy":
			return shapeStrategy
		case "inputs", "outputs":
			return shapeArtifacts
		}
	case shapeScript:
		switch key {
		case "runtime":
			return shapeRuntime
		case "parameters":
			return shapeVariable
		}
	case shapeArtifacts:
		switch key {
		case "nodeOutputs":
			return shapeOutput
		case "variables":
			return shapeVariable
		}
	}
	return shapeOther
}

// encoder writes canonical JSON: compact when indent is empty.
type encoder struct {
	buf    []byte
	indent string
}

func (e *encoder) newline(depth int) {
	if e.indent == "" {
		return
	}
	e.buf = append(e.buf, '\n')
	for range depth {
		e.buf = append(e.buf, e.indent...)
	}
}

func (e *encoder) value(n *node, s shape, depth int) {
	switch n.kind {
	case kindNull:
		e.buf = append(e.buf, "null"...)
	case kindBool:
		if n.boolean {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case kindNumber:
		e.buf = append(e.buf, n.text...)
	case kindString:
		e.buf = appendString(e.buf, n.text)
	case kindArray:
		if len(n.items) == 0 {
			e.buf = append(e.buf, "[]"...)
			return
		}
		e.buf = append(e.buf, '[')
		for i, it := range n.items {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(depth + 1)
			e.value(it, s, depth+1)
		}
		e.newline(depth)
		e.buf = append(e.buf, ']')
	case kindObject:
		e.object(n, s, depth)
	}
}

func (e *encoder) object(n *node, s shape, depth int) {
	if len(n.members) == 0 {
		e.buf = append(e.buf, "{}"...)
		return
	}
	e.buf = append(e.buf, '{')
	first := true
	write := func(m member) {
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.newline(depth + 1)
		e.buf = appendString(e.buf, m.key)
		e.buf = append(e.buf, ':')
		if e.indent != "" {
			e.buf = append(e.buf, ' ')
		}
		e.value(m.val, child(s, m.key), depth+1)
	}
	order := known[s]
	for _, key := range order {
		for _, m := range n.members {
			if m.key == key {
				write(m)
				break
			}
		}
	}
	for _, m := range n.members {
		if !slices.Contains(order, m.key) {
			write(m)
		}
	}
	e.newline(depth)
	e.buf = append(e.buf, '}')
}
