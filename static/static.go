// Package static embeds FlowForm's CSS and JavaScript and serves them under
// content-hashed URLs, so a URL always means the same bytes and can be cached
// forever. htmx is vendored from the npm package htmx.org 2.0.11
// (dist/htmx.min.js, unchanged).
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js
var files embed.FS

// HTMXVersion is the vendored htmx release.
const HTMXVersion = "2.0.11"

// Prefix is where assets are served.
const Prefix = "/static/"

// asset is one served file, kept with its gzip form.
type asset struct {
	body, gz []byte
	ctype    string
}

// bundles are what pages load: one stylesheet and one script (htmx and
// FlowForm's script concatenated), so a page needs three requests in all.
var bundles = map[string][]string{
	"app.css": {"css/app.css", "css/highlight.css"},
	"app.js":  {"js/htmx.min.js", "js/app.js"},
}

var (
	assets  = map[string]asset{}
	version string
)

func init() {
	h := sha256.New()
	for _, name := range []string{"app.css", "app.js"} {
		var body bytes.Buffer
		for _, part := range bundles[name] {
			data, err := files.ReadFile(part)
			if err != nil {
				panic(err) // the embedded files are part of the binary
			}
			body.Write(data)
			body.WriteByte('\n')
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(body.Bytes())
		zw.Close()
		assets[name] = asset{body: body.Bytes(), gz: gz.Bytes(), ctype: mime.TypeByExtension(path.Ext(name))}
		h.Write([]byte(name))
		h.Write(body.Bytes())
	}
	version = hex.EncodeToString(h.Sum(nil))[:12]
}

// URL returns the content-hashed URL of a bundle: "app.css" or "app.js".
func URL(name string) string { return Prefix + version + "/" + name }

// Handler serves the bundles with immutable caching, gzip when accepted.
// A URL with another version is 404, so stale pages never get mismatched
// assets.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, Prefix+version+"/")
		a, found := assets[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("Vary", "Accept-Encoding")
		body := a.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
		w.Write(body)
	})
}
