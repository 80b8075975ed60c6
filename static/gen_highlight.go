//go:build ignore

// Command gen_highlight writes css/highlight.css: go run static/gen_highlight.go > static/css/highlight.css
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
)

func main() {
	f := html.New(html.WithClasses(true))
	fmt.Println("/* Generated from chroma v2.27.0 styles github / github-dark (classes). */")
	f.WriteCSS(os.Stdout, styles.Get("github"))
	fmt.Println("@media (prefers-color-scheme: dark) {")
	f.WriteCSS(os.Stdout, styles.Get("github-dark"))
	fmt.Println("}")
}
