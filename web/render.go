package web

import (
	"bytes"
	"strings"
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
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	if buf.Len() < minGzip || !strings.Contains(c.Request().Header.Get("Accept-Encoding"), "gzip") {
		return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
	}
	out := renderBuffers.Get().(*bytes.Buffer)
	out.Reset()
	defer renderBuffers.Put(out)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(out)
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	h.Set("Content-Encoding", "gzip")
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, out.Bytes())
}
