package flowspec

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/flowform/flowform/internal/i18n"
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
// json.Valid accepts. What it reads differently from the bytes — a repeated
// key (the last value wins) or text that is not UTF-8 (replaced with
// U+FFFD, as encoding/json does) — it reports as warnings, never silently.
func decode(data []byte) (*node, []Finding, error) {
	p := parser{data: data, path: make([]step, 0, 16)}
	p.space()
	n, err := p.value(0)
	if err != nil {
		return nil, nil, err
	}
	p.space()
	if p.pos != len(p.data) {
		return nil, nil, p.fail("unexpected data after the document")
	}
	if p.dropped > 0 {
		p.notes = append(p.notes, warning("", "parse_notes_more", "", i18n.Sprintf(
			"…and %d more places read the same way", "……另有 %d 处按同样方式读取", p.dropped)))
	}
	return n, p.notes, nil
}

type parser struct {
	data []byte
	pos  int
	// path is where the value being read sits; it is turned into text only
	// when there is something to report.
	path    []step
	notes   []Finding
	dropped int // notes beyond maxParseNotes
}

// step is one level of a JSON path: an object key, or an array index when
// key is unset.
type step struct {
	key   string
	isKey bool
	index int
}

// maxParseNotes bounds the warnings one document can produce: a hostile
// document with 100 000 repeated keys gets 20 lines and a count.
const maxParseNotes = 20

func (p *parser) note(code string, msg func(path string) i18n.Text) {
	if len(p.notes) >= maxParseNotes {
		p.dropped++
		return
	}
	path := p.pathText()
	p.notes = append(p.notes, warning("", code, path, msg(path)))
}

// pathText writes the current path as validation paths are written:
// spec.workflows[0].name.
func (p *parser) pathText() string {
	var b strings.Builder
	for _, s := range p.path {
		if !s.isKey {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	if b.Len() == 0 {
		return "(document)"
	}
	return b.String()
}

func (p *parser) invalidText() {
	p.note("invalid_utf8", func(path string) i18n.Text {
		return i18n.Sprintf(
			"%s: the text held bytes that are not UTF-8 (or a lone \\u surrogate escape); each was replaced with U+FFFD (\uFFFD)",
			"%s：文本含有非 UTF-8 字节（或孤立的 \\u 代理项转义）；均已替换为 U+FFFD（\uFFFD）", path)
	})
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
		s, replaced, err := p.string()
		if err != nil {
			return nil, err
		}
		if replaced {
			p.invalidText()
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
		key, replaced, err := p.string()
		if err != nil {
			return nil, err
		}
		p.path = append(p.path, step{key: key, isKey: true})
		if replaced {
			p.invalidText()
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
		if n.replace(key, val) { // a repeated key keeps its first place and its last value
			p.note("duplicate_key", func(path string) i18n.Text {
				return i18n.Sprintf("%s: the key %q appears more than once; only its last value is kept",
					"%s：键「%s」出现多次；只保留最后一个值", path, key)
			})
		}
		p.path = p.path[:len(p.path)-1]
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
		p.path = append(p.path, step{index: len(n.items)})
		val, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		p.path = p.path[:len(p.path)-1]
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

// string reads a quoted string; invalid UTF-8 and lone surrogate escapes
// become U+FFFD as in encoding/json, and replaced says so.
func (p *parser) string() (s string, replaced bool, err error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes, valid UTF-8.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			raw := p.data[start:p.pos]
			p.pos++
			if utf8.Valid(raw) {
				return string(raw), false, nil
			}
			return strings.ToValidUTF8(string(raw), "\uFFFD"), true, nil
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
				return string(b), replaced, nil
			}
			return strings.ToValidUTF8(string(b), "\uFFFD"), true, nil
		case c < 0x20:
			return "", false, p.fail("control character in a string")
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
				return "", false, p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				save := p.pos
				if r2, ok := p.surrogateTail(); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b = utf8.AppendRune(b, dec)
						continue
					}
				}
				p.pos = save // the next escape is read on its own, as encoding/json does
				r, replaced = utf8.RuneError, true
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", false, p.fail("invalid escape in a string")
		}
	}
	return "", false, p.fail("unexpected end of input in a string")
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
func (n *node) set(key string, val *node) { n.replace(key, val) }

// replace is set, reporting whether key was already there.
func (n *node) replace(key string, val *node) bool {
	for i := range n.members {
		if n.members[i].key == key {
			n.members[i].val = val
			return true
		}
	}
	n.members = append(n.members, member{key, val})
	return false
}

// remove deletes key from an object.
func (n *node) remove(key string) {
	if n == nil {
		return
	}
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
