package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/flowform/flowform/internal/i18n"
)

// csrfContextKey is where echo's CSRF middleware leaves the token.
const csrfContextKey = "csrf"

var errCSRF = &Error{Status: http.StatusForbidden, Code: "csrf", Message: i18n.Text{
	EN: "this form has expired or did not come from FlowForm; reload the page and try again — nothing was changed",
	ZH: "此表单已过期或并非来自 FlowForm；请刷新页面后重试——未做任何更改"}}

// newCSRF is echo's CSRF middleware for pages: a token in a strict,
// HTTP-only cookie, sent back in the _csrf form field or, from htmx, the
// X-CSRF-Token header.
func newCSRF() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		ContextKey:     csrfContextKey,
		CookieName:     "ff_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		CookieMaxAge:   12 * 3600,
		ErrorHandler:   func(error, echo.Context) error { return errCSRF },
	})
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
