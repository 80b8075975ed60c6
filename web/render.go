package web

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

var (
	renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	gzipWriters   = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
		return w
	}}
)

// minGzip is the smallest page worth compressing.
const minGzip = 1024

// render is the one buffered render helper: the component renders into a
// buffer first, so a failing template yields a clean 500 instead of half a
// page under a committed 200. Pages and fragments are gzipped when the
// client accepts it (klauspost/compress: the standard library's deflate
// took a third of the editor page's time).
func render(c echo.Context, status int, page templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer renderBuffers.Put(buf)
	if err := page.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	if !acceptsGzip(c) || buf.Len() < minGzip {
		return send(c, rendered{status: status, body: buf.Bytes()})
	}
	out := renderBuffers.Get().(*bytes.Buffer)
	defer renderBuffers.Put(out)
	if err := compress(out, buf.Bytes()); err != nil {
		return err
	}
	return send(c, rendered{status: status, body: buf.Bytes(), gz: out.Bytes()})
}

// renderCached is render for a page whose key names all it depends on
// (pageKey): a page in the cache is sent as it is; otherwise build makes
// it, and it is rendered, compressed and kept.
func (s *Server) renderCached(c echo.Context, key string, build func() templ.Component) error {
	if r, ok := s.pages.get(key); ok {
		return send(c, r)
	}
	var buf, out bytes.Buffer
	if err := build().Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	r := rendered{status: http.StatusOK, body: buf.Bytes()}
	if buf.Len() >= minGzip {
		if err := compress(&out, buf.Bytes()); err != nil {
			return err
		}
		r.gz = out.Bytes()
	}
	s.pages.put(key, r)
	return send(c, r)
}

// compress gzips data into out.
func compress(out *bytes.Buffer, data []byte) error {
	out.Reset()
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(out)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	return zw.Close()
}

// send writes a rendered page, gzipped when it has a gzip form and the
// client takes it.
func send(c echo.Context, r rendered) error {
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	if r.gz != nil && acceptsGzip(c) {
		h.Set("Content-Encoding", "gzip")
		return c.Blob(r.status, echo.MIMETextHTMLCharsetUTF8, r.gz)
	}
	return c.Blob(r.status, echo.MIMETextHTMLCharsetUTF8, r.body)
}
