package web

import "github.com/flowform/flowform/static"

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
}
