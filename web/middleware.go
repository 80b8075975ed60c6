package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/i18n"
)

// maxBody is the largest request body accepted (1 MiB).
const maxBody = 1 << 20

var errTooLarge = &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
	Message: i18n.Text{EN: "the request body is larger than 1 MiB; nothing was changed", ZH: "请求体超过 1 MiB；未做任何更改"}}

// securityHeaders sets the headers every response carries: no inline script
// or style, no framing, no MIME sniffing.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		return next(c)
	}
}

// rawBodyKey is where limitBody leaves the body it read, for pageKey.
const rawBodyKey = "ff.body"

// limitBody reads every request body, whether or not the route uses it,
// up to 1 MiB: a larger one is refused with 413 before anything acts on
// the request. The body is then served from memory.
func limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.ContentLength > maxBody {
			return errTooLarge
		}
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
			return next(c)
		}
		body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, maxBody))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return errTooLarge
		case err != nil:
			return &Error{Status: http.StatusBadRequest, Code: "read_body",
				Message: i18n.Text{EN: "the request body could not be read", ZH: "无法读取请求体"}}
		}
		r.Body, r.ContentLength, r.TransferEncoding = io.NopCloser(bytes.NewReader(body)), int64(len(body)), nil
		c.Set(rawBodyKey, body)
		return next(c)
	}
}

// apiGuard protects the JSON API: it is for automation, so it refuses
// requests a browser marks as cross-site, and any body or declared content
// type that is not JSON on a request that may change something — whether
// or not the route reads a body.
func apiGuard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			return &Error{Status: http.StatusForbidden, Code: "cross_site",
				Message: i18n.Text{EN: "cross-site requests to the API are refused", ZH: "拒绝跨站 API 请求"}}
		}
		declared := r.Header.Get(echo.HeaderContentType)
		if r.Method != http.MethodGet && r.Method != http.MethodHead && (r.ContentLength != 0 || declared != "") {
			if mt, _, err := mime.ParseMediaType(declared); err != nil || mt != echo.MIMEApplicationJSON {
				return &Error{Status: http.StatusUnsupportedMediaType, Code: "content_type",
					Message: i18n.Text{EN: "send the body as application/json", ZH: "请以 application/json 发送请求体"}}
			}
		}
		return next(c)
	}
}

// logRequests logs one line per request with the route pattern, never the
// raw path or query (later routes carry capability tokens in them).
func (s *Server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.log.Info("request", "method", c.Request().Method, "route", c.Path(),
			"status", c.Response().Status, "duration", time.Since(start), "ip", c.RealIP())
		return nil
	}
}

// recoverPanics turns a panic into a logged 500 instead of a dropped
// connection.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "route", c.Path(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = errInternal
			}
		}()
		return next(c)
	}
}

// echoHandler adapts an http.Handler.
func echoHandler(h http.Handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}
