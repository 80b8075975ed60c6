// Package static embeds FlowForm's CSS and JavaScript and serves them under
// content-hashed URLs, so a URL always means the same bytes and can be cached
// forever.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed css
var files embed.FS

// Prefix is where assets are served.
const Prefix = "/static/"

// version is a hash of every embedded file: it changes when any asset does.
var version = func() string {
	h := sha256.New()
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(path)
		h.Write([]byte(path))
		h.Write(data)
		return err
	})
	if err != nil {
		panic(err) // embedded files are part of the binary
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// URL returns the content-hashed URL of an embedded file, e.g. "css/app.css".
func URL(name string) string { return Prefix + version + "/" + name }

// Handler serves embedded files with immutable caching. A URL with another
// version is 404, so stale pages never get mismatched assets.
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, Prefix+version+"/")
		if !ok || strings.HasSuffix(rest, "/") || rest == "" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		fileServer.ServeHTTP(w, r2)
	})
}
