package web

import (
	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/i18n"
)

// language picks the response language: the lang parameter, else
// Accept-Language, else English.
func language(c echo.Context) i18n.Lang {
	return i18n.Negotiate(c.QueryParam("lang"), c.Request().Header.Get("Accept-Language"))
}
