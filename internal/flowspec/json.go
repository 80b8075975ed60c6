package flowspec

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the JSON type of a node.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// node is a JSON value that keeps what a round trip must not lose: object
// key order and the exact text of numbers (19-digit ids stay exact).
type node struct {
	kind    kind
	text    string // string value, or number text
	boolean bool
	items   []*node  // array
	members []member // object, in document order
}

type member struct {
	key string
	val *node
}

// SyntaxError reports malformed JSON.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

// maxDepth matches encoding/json's nesting limit.
const maxDepth = 10000

// decode reads exactly one JSON value. It is a small recursive-descent
// parser: encoding/json's token API, which it replaces, cost 60% of the
// validate endpoint's time. FuzzImport checks it accepts exactly what
// json.Valid accepts.
func decode(data []byte) (*node, error) {
	p := parser{data: data}
	p.space()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.data) {
		return nil, p.fail("unexpected data after the document")
	}
	return n, nil
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) fail(msg string) error {
	return &SyntaxError{Offset: int64(p.pos), Msg: msg}
}

func (p *parser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, p.fail("nested too deeply")
	}
	if p.pos >= len(p.data) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &node{kind: kindString, text: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.literal("true"):
		return &node{kind: kindBool, boolean: true}, nil
	case p.literal("false"):
		return &node{kind: kindBool}, nil
	case p.literal("null"):
		return &node{kind: kindNull}, nil
	}
	return nil, p.fail(fmt.Sprintf("invalid character %q looking for a value", p.data[p.pos]))
}

func (p *parser) literal(word string) bool {
	if bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *parser) object(depth int) (*node, error) {
	p.pos++ // {
	n := &node{kind: kindObject}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return n, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.fail("expected a string key")
		}
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.fail("expected ':' after an object key")
		}
		p.pos++
		p.space()
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.set(key, val) // a repeated key keeps its first place and its last value
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input in an object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return n, nil
		default:
			return nil, p.fail("expected ',' or '}' in an object")
		}
	}
}

func (p *parser) array(depth int) (*node, error) {
	p.pos++ // [
	n := &node{kind: kindArray, items: []*node{}}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return n, nil
	}
	for {
		p.space()
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, val)
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input in an array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return n, nil
		default:
			return nil, p.fail("expected ',' or ']' in an array")
		}
	}
}

// string reads a quoted string; invalid UTF-8 becomes U+FFFD as in
// encoding/json.
func (p *parser) string() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes, valid UTF-8.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			raw := p.data[start:p.pos]
			p.pos++
			if utf8.Valid(raw) {
				return string(raw), nil
			}
			return strings.ToValidUTF8(string(raw), "\uFFFD"), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	var b []byte
	b = append(b, p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			if utf8.Valid(b) {
				return string(b), nil
			}
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		case c < 0x20:
			return "", p.fail("control character in a string")
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		p.pos++ // backslash
		if p.pos >= len(p.data) {
			break
		}
		e := p.data[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				if r2, ok := p.surrogateTail(); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						continue
					}
				}
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.fail("invalid escape in a string")
		}
	}
	return "", p.fail("unexpected end of input in a string")
}

func (p *parser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(v), true
}

// surrogateTail reads a following \uXXXX low surrogate, if there is one.
func (p *parser) surrogateTail() (rune, bool) {
	if p.pos+6 > len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
		return 0, false
	}
	save := p.pos
	p.pos += 2
	r, ok := p.hex4()
	if !ok || r < 0xDC00 || r > 0xDFFF {
		p.pos = save
		return 0, false
	}
	return r, true
}

// number reads a number with JSON's grammar, keeping its text.
func (p *parser) number() (*node, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, p.fail("invalid number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	return &node{kind: kindNumber, text: string(p.data[start:p.pos])}, nil
}

// get returns the member key of an object, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindObject {
		return nil
	}
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// set replaces the value of key, or appends key at the end.
func (n *node) set(key string, val *node) {
	for i := range n.members {
		if n.members[i].key == key {
			n.members[i].val = val
			return
		}
	}
	n.members = append(n.members, member{key, val})
}

// remove deletes key from an object.
func (n *node) remove(key string) {
	for i := range n.members {
		if n.members[i].key == key {
			n.members = append(n.members[:i], n.members[i+1:]...)
			return
		}
	}
}

// index returns element i of an array, or nil.
func (n *node) index(i int) *node {
	if n == nil || n.kind != kindArray || i < 0 || i >= len(n.items) {
		return nil
	}
	return n.items[i]
}

// str returns a string value; ok is false for a missing or non-string node.
func (n *node) str() (string, bool) {
	if n == nil || n.kind != kindString {
		return "", false
	}
	return n.text, true
}

// integer returns an integral number value.
func (n *node) integer() (int64, bool) {
	if n == nil || n.kind != kindNumber {
		return 0, false
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	if err == nil {
		return v, true
	}
	f, err := strconv.ParseFloat(n.text, 64)
	if err != nil || f != float64(int64(f)) {
		return 0, false
	}
	return int64(f), true
}

func (n *node) clone() *node {
	if n == nil {
		return nil
	}
	c := *n
	if n.items != nil {
		c.items = make([]*node, len(n.items))
		for i, it := range n.items {
			c.items[i] = it.clone()
		}
	}
	if n.members != nil {
		c.members = make([]member, len(n.members))
		for i, m := range n.members {
			c.members[i] = member{m.key, m.val.clone()}
		}
	}
	return &c
}

func stringNode(s string) *node { return &node{kind: kindString, text: s} }
func intNode(v int64) *node     { return &node{kind: kindNumber, text: strconv.FormatInt(v, 10)} }
func boolNode(b bool) *node     { return &node{kind: kindBool, boolean: b} }
func objectNode(members ...member) *node {
	return &node{kind: kindObject, members: append([]member{}, members...)}
}

// appendString writes s as a JSON string. Unlike encoding/json it does not
// escape <, > and &: the document is data, not HTML, and the preview shows
// exactly what is sent.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
