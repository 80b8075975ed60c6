package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/draft"
)

// handleHealth serves GET /healthz: 200 {"status":"ok","database":{"kind","answers"}}
// while drafts can be read and saved, else 503 {"status":"unavailable","reason":…}. The reason
// names the kind of trouble only: file paths and driver messages are for
// the log, not for anyone who can reach the port.
func (s *Server) handleHealth(c echo.Context) error {
	err := s.drafts.Health(c.Request().Context())
	db := map[string]any{"kind": s.drafts.DatabaseKind(), "answers": err == nil}
	if err == nil {
		return c.JSON(http.StatusOK, map[string]any{"status": "ok", "database": db})
	}
	reason := "the database cannot be used"
	for _, kind := range []error{draft.ErrCorrupt, draft.ErrStorageFull, draft.ErrStorageBusy} {
		if errors.Is(err, kind) {
			reason = kind.Error()
			break
		}
	}
	return c.JSON(http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "reason": reason, "database": db})
}
