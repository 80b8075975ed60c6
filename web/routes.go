package web

import (
	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/static"
)

// routes is the one route table.
func (s *Server) routes() {
	e := s.echo
	e.Use(s.logRequests, s.recoverPanics, securityHeaders, s.warnUntrustedForwarding, limitBody)

	e.GET("/healthz", s.handleHealth)
	e.GET(static.Prefix+"*", echoHandler(static.Handler()))

	// Pages: cross-site posts are refused, bodies are capped, the language
	// choice and the drafts a page opened are remembered.
	page := []echo.MiddlewareFunc{pageGuard, s.crossOrigin, rememberLanguage, s.rememberDrafts}
	pageToken := append(page[:len(page):len(page)], s.limitMisses)
	e.GET("/", s.handleHome, page...)
	create := append(page[:len(page):len(page)], s.limitCreation)
	createToken := append(pageToken[:len(pageToken):len(pageToken)], s.limitCreation)
	e.POST("/drafts", s.handleCreateDraftPage, create...)
	e.GET("/import", s.handleImportPage, page...)
	e.POST("/import", s.handleImportPost, create...)
	e.GET("/d/:id", s.handleEditor, pageToken...)
	e.POST("/d/:id", s.handleEditorPost, pageToken...)
	e.POST("/d/:id/preview", s.handlePreview, pageToken...)
	e.POST("/d/:id/autosave", s.handleAutosave, pageToken...)
	e.POST("/d/:id/nodes", s.handleNodeAction, pageToken...)
	e.POST("/d/:id/copy", s.handleSaveCopy, createToken...)
	e.POST("/d/:id/duplicate", s.handleDuplicatePage, createToken...)
	e.POST("/d/:id/delete", s.handleDeletePage, pageToken...)
	e.POST("/d/:id/undelete", s.handleUndeletePage, pageToken...)
	e.POST("/d/:id/share/rotate", s.handleRotatePage, pageToken...)
	e.GET("/d/:id/spec.json", s.handleDownloadSpec, pageToken...)
	e.GET("/d/:id/history", s.handleHistory, pageToken...)
	e.POST("/d/:id/history/restore", s.handleHistoryRestore, pageToken...)
	e.POST("/d/:id/version", s.handleSaveVersion, pageToken...)
	e.GET("/v/:token", s.handleView, pageToken...)
	e.POST("/v/:token/copy", s.handleViewCopy, createToken...)

	// The JSON API: no CSRF token (it takes only application/json and
	// refuses cross-site requests). The guard is attached per route, not
	// with Group.Use: a group middleware makes echo answer 404 instead of
	// 405 for a wrong method.
	e.POST("/api/v1/validate", s.handleValidate, apiGuard)
	e.GET("/api/v1/cron", s.handleCron, apiGuard)

	e.POST("/api/v1/drafts", s.handleCreateDraft, apiGuard, s.limitCreation)
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
	e.POST("/api/v1/drafts/:id/duplicate", s.handleDuplicate, append(token[:len(token):len(token)], s.limitCreation)...)
	e.POST("/api/v1/drafts/:id/undelete", s.handleUndelete, token...)
	e.GET("/api/v1/views/:token", s.handleGetView, token...)
	e.POST("/api/v1/drafts/:id/submit", s.handleSubmit, token...)
	e.GET("/api/v1/drafts/:id/submissions", s.handleListSubmissions, token...)
	e.GET("/d/:id/submit", s.handleSubmitPage, pageToken...)
	e.POST("/d/:id/submit", s.handleSubmitPost, pageToken...)
	e.GET("/d/:id/submissions/:sid", s.handleSubmissionPage, pageToken...)
	e.POST("/d/:id/submissions/:sid/resume", s.handleResumePost, pageToken...)
	e.GET("/api/v1/drafts/:id/submissions/:sid", s.handleGetSubmission, token...)
	e.POST("/api/v1/drafts/:id/submissions/:sid/resume", s.handleResume, token...)

	// Open from DataWorks: a workspace's workflows, and one opened as a
	// new draft.
	e.GET("/open", s.handleOpenPage, page...)
	e.POST("/open", s.handleOpenPost, create...)
	e.GET("/api/v1/dataworks/workflows", s.handleListWorkflows, apiGuard)
	e.POST("/api/v1/dataworks/open", s.handleOpen, apiGuard, s.limitCreation)
}
