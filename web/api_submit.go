package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// submissionJSON is the contract shape {"id","state","workflowId","requestId","error"}
// plus what a client needs to act on it.
type submissionJSON struct {
	ID           int64        `json:"id"`
	State        string       `json:"state"`
	WorkflowID   string       `json:"workflowId"`
	RequestID    string       `json:"requestId"`
	Error        *errorDetail `json:"error"`
	Operation    string       `json:"operation"`
	DraftVersion int64        `json:"draftVersion"`
	Endpoint     string       `json:"endpoint"`
	Guidance     string       `json:"guidance"`
	CreatedAt    time.Time    `json:"createdAt"`
	FinishedAt   *time.Time   `json:"finishedAt,omitempty"`
}

func toSubmissionJSON(sub draft.Submission, lang i18n.Lang) submissionJSON {
	out := submissionJSON{ID: sub.ID, State: sub.State, WorkflowID: sub.WorkflowID, RequestID: sub.RequestID,
		Operation: sub.Operation, DraftVersion: sub.DraftVersion, Endpoint: sub.Endpoint,
		Guidance: sub.Guidance.In(lang), CreatedAt: sub.CreatedAt}
	if sub.ErrorCode != "" || sub.Error != "" {
		out.Error = &errorDetail{Code: sub.ErrorCode, Message: sub.Error}
	}
	if !sub.FinishedAt.IsZero() {
		out.FinishedAt = &sub.FinishedAt
	}
	return out
}

// submitRequest is the optional body of POST /api/v1/drafts/{id}/submit.
type submitRequest struct {
	NewWorkflow  bool `json:"newWorkflow"`  // create another workflow although one exists
	AfterUnknown bool `json:"afterUnknown"` // I checked DataWorks after an unknown outcome
}

// handleSubmit serves POST /api/v1/drafts/{id}/submit: sends the draft's
// current version (If-Match) and answers the final state.
func (s *Server) handleSubmit(c echo.Context) error {
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req submitRequest
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return badJSON(err)
		}
	}
	s.allowSubmitTime(c)
	sub, err := s.drafts.Submit(c.Request().Context(), c.Param("id"),
		draft.SubmitOptions{ExpectedVersion: expected, NewWorkflow: req.NewWorkflow, AfterUnknown: req.AfterUnknown}, s.author(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"submission": toSubmissionJSON(sub, language(c))})
}

// allowSubmitTime lifts the server's read and write deadlines for a submit
// request to what the call may take (every try, backoff, recording), so a
// slow DataWorks never ends in a closed connection without a reply.
func (s *Server) allowSubmitTime(c echo.Context) {
	budget := s.drafts.SubmitDeadline()
	if budget == 0 {
		return // no submitter: the answer is immediate
	}
	deadline := time.Now().Add(budget)
	rc := http.NewResponseController(c.Response())
	if err := rc.SetWriteDeadline(deadline); err != nil {
		s.log.Warn("cannot extend the write deadline of a submit request", "err", err)
	}
	// An expired read deadline would cancel the request's context mid-call.
	if err := rc.SetReadDeadline(deadline); err != nil {
		s.log.Warn("cannot extend the read deadline of a submit request", "err", err)
	}
}

// handleListSubmissions serves GET /api/v1/drafts/{id}/submissions.
func (s *Server) handleListSubmissions(c echo.Context) error {
	subs, err := s.drafts.Submissions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	lang := language(c)
	out := make([]submissionJSON, len(subs))
	for i, sub := range subs {
		out[i] = toSubmissionJSON(sub, lang)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"submissions": out})
}

// sendSubmissionConflict answers 409 with the submission in the way.
func (s *Server) sendSubmissionConflict(c echo.Context, de *draft.Error) {
	lang := language(c)
	status := fromDraft(de).Status
	body := map[string]any{"error": errorDetail{Code: string(de.Code), Message: de.Message.In(lang)},
		"submission": toSubmissionJSON(*de.Submission, lang)}
	if err := c.JSON(status, body); err != nil {
		s.log.Warn("writing submission conflict", "err", err)
	}
}
