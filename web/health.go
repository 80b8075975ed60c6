package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleHealth serves GET /healthz: 200 {"status":"ok"} while drafts can be
// read and saved, else 503 {"status":"unavailable","reason":…}.
func (s *Server) handleHealth(c echo.Context) error {
	if err := s.drafts.Health(c.Request().Context()); err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
