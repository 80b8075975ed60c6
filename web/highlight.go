package web

import (
	"strings"
)

// highlightJSON returns escaped HTML for the preview: the indented
// canonical FlowSpec with each token wrapped in a class the stylesheet
// colours (the class names and colours of chroma's github styles, in
// static/css/highlight.css; no inline styles, so the CSP stays strict).
//
// It scans the encoder's own output rather than running a general-purpose
// highlighter: the input is always well-formed JSON written by flowspec, so
// a token scan is exact, and chroma's regular-expression lexer cost a third
// of the editor page's time.
func highlightJSON(src []byte) string {
	var b strings.Builder
	b.Grow(len(src) * 2)
	b.WriteString(`<pre class="chroma"><code>`)
	span := func(class, text string) {
		b.WriteString(`<span class="`)
		b.WriteString(class)
		b.WriteString(`">`)
		escapeInto(&b, text)
		b.WriteString(`</span>`)
	}
	s := string(src)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			class := "s2" // string value
			if k := strings.IndexFunc(s[j:], func(r rune) bool { return r != ' ' }); k >= 0 && s[j+k] == ':' {
				class = "nt" // object key
			}
			span(class, s[i:j])
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && strings.IndexByte("0123456789.eE+-", s[j]) >= 0 {
				j++
			}
			span("mi", s[i:j])
			i = j
		case strings.HasPrefix(s[i:], "true"), strings.HasPrefix(s[i:], "null"):
			span("kc", s[i:i+4])
			i += 4
		case strings.HasPrefix(s[i:], "false"):
			span("kc", s[i:i+5])
			i += 5
		default:
			b.WriteByte(c) // punctuation and whitespace: plain text colour, no markup
			i++
		}
	}
	b.WriteString(`</code></pre>`)
	return b.String()
}

// escapeInto writes s with HTML's special characters escaped.
func escapeInto(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&#34;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteByte(c)
		}
	}
}
