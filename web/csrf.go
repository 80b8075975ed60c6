package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/i18n"
)

var errCSRF = &Error{Status: http.StatusForbidden, Code: "csrf", Message: i18n.Text{
	EN: "this form did not come from FlowForm's own pages; open FlowForm and try again — nothing was changed",
	ZH: "此表单并非来自 FlowForm 自己的页面；请打开 FlowForm 后重试——未做任何更改"}}

var errNotAForm = &Error{Status: http.StatusUnsupportedMediaType, Code: "content_type", Message: i18n.Text{
	EN: "page forms are sent as application/x-www-form-urlencoded or multipart/form-data (the JSON API is under /api/v1); nothing was changed",
	ZH: "页面表单须以 application/x-www-form-urlencoded 或 multipart/form-data 发送（JSON API 位于 /api/v1）；未做任何更改"}}

// newCrossOrigin is the pages' CSRF protection: net/http's
// CrossOriginProtection refuses any state-changing request a browser marks
// as cross-site (Sec-Fetch-Site, else Origin against Host). No token is
// needed, so a page is the same for every visitor and can be cached. The
// public URL, when set, is trusted as an origin (a proxy may rewrite Host).
func newCrossOrigin(publicURL string) echo.MiddlewareFunc {
	p := http.NewCrossOriginProtection()
	if u, err := url.Parse(publicURL); err == nil && u.Scheme != "" && u.Host != "" {
		_ = p.AddTrustedOrigin(u.Scheme + "://" + u.Host) // well-formed by construction
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := p.Check(c.Request()); err != nil {
				return errCSRF
			}
			return next(c)
		}
	}
}

// pageGuard reads a posted form up front (limitBody has already capped
// the body), so a bad form is refused before anything looks at it.
//
// Pages are never cached: the editor, history and read-only pages carry
// capability tokens in their links, and the home page lists edit links.
func pageGuard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", "no-store")
		r := c.Request()
		if r.Method != http.MethodPost {
			return next(c)
		}
		// A page form is sent as a browser sends forms; anything else (a
		// JSON body, as the API takes) acts on nothing.
		if declared := r.Header.Get(echo.HeaderContentType); declared != "" {
			if mt, _, err := mime.ParseMediaType(declared); err != nil || mt != echo.MIMEApplicationForm && mt != echo.MIMEMultipartForm {
				return errNotAForm
			}
		}
		var err error
		if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
			err = r.ParseMultipartForm(maxBody)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) || strings.Contains(err.Error(), "too large") {
				return errTooLarge
			}
			return &Error{Status: http.StatusBadRequest, Code: "bad_form", Message: i18n.Text{EN: "the form could not be read", ZH: "无法读取表单"}}
		}
		return next(c)
	}
}
