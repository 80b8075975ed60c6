package web

import (
	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/static"
)

// routes is the one route table.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.logRequests, s.recoverPanics, securityHeaders)

	e.GET("/healthz", s.handleHealth)
	e.GET("/", s.handleHome)
	e.GET(static.Prefix+"*", echoHandler(static.Handler()))

	// The API guard is attached per route, not with Group.Use: a group
	// middleware makes echo answer 404 instead of 405 for a wrong method.
	e.POST("/api/v1/validate", s.handleValidate, apiGuard)
	e.GET("/api/v1/cron", s.handleCron, apiGuard)

	e.POST("/api/v1/drafts", s.handleCreateDraft, apiGuard)
	// Token routes: misses count towards the per-client limit.
	token := []echo.MiddlewareFunc{apiGuard, s.limitMisses}
	e.GET("/api/v1/drafts/:id", s.handleGetDraft, token...)
	e.PUT("/api/v1/drafts/:id", s.handlePutDraft, token...)
	e.DELETE("/api/v1/drafts/:id", s.handleDeleteDraft, token...)
	e.GET("/api/v1/drafts/:id/spec", s.handleGetDraftSpec, token...)
	e.POST("/api/v1/drafts/:id/share/rotate", s.handleRotateView, token...)
	e.GET("/api/v1/drafts/:id/revisions", s.handleListRevisions, token...)
	e.GET("/api/v1/drafts/:id/revisions/:version", s.handleGetRevision, token...)
	e.POST("/api/v1/drafts/:id/revisions/:version/restore", s.handleRestore, token...)
	e.GET("/api/v1/drafts/:id/diff", s.handleDiff, token...)
	e.POST("/api/v1/drafts/:id/duplicate", s.handleDuplicate, token...)
	e.POST("/api/v1/drafts/:id/undelete", s.handleUndelete, token...)
	e.GET("/api/v1/views/:token", s.handleGetView, token...)
}
