package web

import (
	"bytes"
	"html"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// The preview is highlighted on the server (chroma, CSS classes only, so the
// CSP needs no inline styles; the stylesheet is static/css/highlight.css).
var (
	jsonLexer   = chroma.Coalesce(lexers.Get("json"))
	highlighter = chromahtml.New(chromahtml.WithClasses(true))
)

// highlightJSON returns escaped, highlighted HTML for indented JSON. chroma
// escapes every token; if it fails, the plain text is escaped here.
func highlightJSON(src []byte) string {
	it, err := jsonLexer.Tokenise(nil, string(src))
	if err == nil {
		var buf bytes.Buffer
		if err = highlighter.Format(&buf, styles.Fallback, it); err == nil {
			return buf.String()
		}
	}
	return "<pre>" + html.EscapeString(string(src)) + "</pre>"
}
