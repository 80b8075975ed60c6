package web

import (
	"maps"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/i18n"
)

// page fills what every page needs.
func (s *Server) page(c echo.Context, title i18n.Text) components.Page {
	lang := language(c)
	return components.Page{Lang: lang, Title: title.In(lang), Path: routePath(c), Query: queryWithoutLang(c),
		Sandbox: s.drafts.Endpoint() == "sandbox", Theme: theme(c)}
}

// queryWithoutLang is the request's query minus lang, for the language
// switcher to keep.
func queryWithoutLang(c echo.Context) string {
	q := c.QueryParams()
	if len(q) == 0 {
		return ""
	}
	q = maps.Clone(q)
	q.Del("lang")
	return q.Encode()
}

// theme is the colour theme the browser chose (the ff_theme cookie app.js
// sets), or "" to follow the system.
func theme(c echo.Context) string {
	if ck, err := c.Cookie("ff_theme"); err == nil && (ck.Value == "light" || ck.Value == "dark") {
		return ck.Value
	}
	return ""
}

// routePath is the path of the page being shown, rebuilt from its route
// and parameters — never the raw request path, which could be
// "//evil.example/x" and make the language link leave the site. Unmatched
// paths (404 pages) link to the home page.
func routePath(c echo.Context) string {
	route := c.Path()
	if !strings.HasPrefix(route, "/") || strings.Contains(route, "*") {
		return "/"
	}
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = url.PathEscape(c.Param(p[1:]))
		}
	}
	return strings.Join(parts, "/")
}

// viewerZone is the browser's own time zone: a viewer_tz form or query
// value (app.js fills it), else the ff_tz cookie app.js sets.
func viewerZone(c echo.Context) string {
	if z := c.FormValue("viewer_tz"); z != "" {
		return z
	}
	if ck, err := c.Cookie("ff_tz"); err == nil {
		if z, err := url.QueryUnescape(ck.Value); err == nil {
			return z
		}
	}
	return ""
}

// describe is a cron expression in words, or "" when it does not parse.
func describe(expr string, lang i18n.Lang) string {
	if e, err := cron.Parse(expr); err == nil {
		return e.Describe().In(lang)
	}
	return ""
}

// viewerLocation is the browser's own zone (see viewerZone), else UTC.
func viewerLocation(c echo.Context) *time.Location {
	if z := viewerZone(c); z != "" {
		if loc, _, err := cron.LoadZone(z); err == nil {
			return loc
		}
	}
	return time.UTC
}
