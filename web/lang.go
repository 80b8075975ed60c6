package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/i18n"
)

// langCookie remembers a language chosen with the switcher.
const langCookie = "ff_lang"

// language picks the response language: the lang parameter, else the
// remembered choice, else Accept-Language, else English.
func language(c echo.Context) i18n.Lang {
	explicit := c.QueryParam("lang")
	if explicit == "" {
		if ck, err := c.Cookie(langCookie); err == nil {
			explicit = ck.Value
		}
	}
	return i18n.Negotiate(explicit, c.Request().Header.Get("Accept-Language"))
}

// rememberLanguage stores a ?lang= choice for later pages.
func rememberLanguage(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if l, ok := i18n.Parse(c.QueryParam("lang")); ok {
			c.SetCookie(&http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode})
		}
		return next(c)
	}
}
