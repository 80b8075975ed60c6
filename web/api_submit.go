package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// submissionJSON is the contract shape {"id","state","workflowId","requestId","error"}
// plus what a client needs to act on it, and the delivery's steps.
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
	Resumable    bool         `json:"resumable"`
	CreatedAt    time.Time    `json:"createdAt"`
	FinishedAt   *time.Time   `json:"finishedAt,omitempty"`
	Steps        []stepJSON   `json:"steps,omitempty"`
}

// stepJSON is one call of a delivery.
type stepJSON struct {
	Seq       int          `json:"seq"`
	Action    string       `json:"action"`
	Node      string       `json:"node,omitempty"`
	Name      string       `json:"name"`
	Repair    bool         `json:"repair,omitempty"`
	ID        string       `json:"id,omitempty"`
	State     string       `json:"state"`
	Tries     int          `json:"tries"`
	RequestID string       `json:"requestId,omitempty"`
	Error     *errorDetail `json:"error,omitempty"`
	Note      string       `json:"note,omitempty"`
	Spec      string       `json:"spec,omitempty"` // exactly as sent
}

func toSubmissionJSON(sub draft.Submission, lang i18n.Lang) submissionJSON {
	out := submissionJSON{ID: sub.ID, State: sub.State, WorkflowID: sub.WorkflowID, RequestID: sub.RequestID,
		Operation: sub.Operation, DraftVersion: sub.DraftVersion, Endpoint: sub.Endpoint,
		Guidance: sub.Guidance.In(lang), Resumable: sub.Resumable(), CreatedAt: sub.CreatedAt}
	if sub.ErrorCode != "" || sub.Error != "" {
		out.Error = &errorDetail{Code: sub.ErrorCode, Message: sub.Error}
	}
	if !sub.FinishedAt.IsZero() {
		out.FinishedAt = &sub.FinishedAt
	}
	for _, st := range sub.Steps {
		js := stepJSON{Seq: st.Seq, Action: st.Action, Node: st.Node, Name: st.Name, Repair: st.Repair, ID: st.TargetID,
			State: st.State, Tries: st.Tries, RequestID: st.RequestID, Note: st.Note.In(lang), Spec: string(st.Spec)}
		if st.ErrorCode != "" || st.Error != "" {
			js.Error = &errorDetail{Code: st.ErrorCode, Message: st.Error}
		}
		out.Steps = append(out.Steps, js)
	}
	return out
}

// submitRequest is the optional body of POST /api/v1/drafts/{id}/submit.
type submitRequest struct {
	NewWorkflow   bool `json:"newWorkflow"`   // create another workflow although one exists
	AfterUnknown  bool `json:"afterUnknown"`  // I checked DataWorks after an unknown outcome
	DeleteRemoved bool `json:"deleteRemoved"` // delete in DataWorks the nodes removed from the draft
	OverwriteLive bool `json:"overwriteLive"` // send although the workflow was changed in DataWorks
}

// handleSubmit serves POST /api/v1/drafts/{id}/submit: delivers the
// draft's current version (If-Match) and answers the final state, or the
// delivery still pending when it outlasts the request.
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
		if err := decodeBody(body, &req, submitBody); err != nil {
			return err
		}
	}
	ctx, cancel := s.submitContext(c)
	defer cancel()
	sub, err := s.drafts.Submit(ctx, c.Param("id"), draft.SubmitOptions{ExpectedVersion: expected, NewWorkflow: req.NewWorkflow,
		AfterUnknown: req.AfterUnknown, DeleteRemoved: req.DeleteRemoved, OverwriteLive: req.OverwriteLive}, s.author(c))
	if err != nil {
		return err
	}
	return s.sendSubmission(c, sub)
}

// sendSubmission answers a delivery: 200 once it ended, 202 while it is
// still running (GET its URL to follow it).
func (s *Server) sendSubmission(c echo.Context, sub draft.Submission) error {
	status := http.StatusOK
	if sub.State == draft.Pending {
		status = http.StatusAccepted
		c.Response().Header().Set("Location", "/api/v1/drafts/"+c.Param("id")+"/submissions/"+strconv.FormatInt(sub.ID, 10))
	}
	return c.JSON(status, map[string]any{"submission": toSubmissionJSON(sub, language(c))})
}

// handleGetSubmission serves GET /api/v1/drafts/{id}/submissions/{sid}:
// one delivery with its steps.
func (s *Server) handleGetSubmission(c echo.Context) error {
	id, err := submissionID(c)
	if err != nil {
		return err
	}
	sub, err := s.drafts.Submission(c.Request().Context(), c.Param("id"), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"submission": toSubmissionJSON(sub, language(c))})
}

// handleResume serves POST /api/v1/drafts/{id}/submissions/{sid}/resume:
// goes on with a delivery that stopped part-way.
func (s *Server) handleResume(c echo.Context) error {
	ctx, cancel := s.submitContext(c)
	defer cancel()
	id, err := submissionID(c)
	if err != nil {
		return err
	}
	sub, err := s.drafts.Resume(ctx, c.Param("id"), id)
	if err != nil {
		return err
	}
	return s.sendSubmission(c, sub)
}

// submissionID reads {sid}: a submission number, else 400 naming it.
func submissionID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("sid"), 10, 64)
	if err != nil || id < 1 {
		return 0, &Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Message: i18n.Text{
			EN: "sid: a submission is named by its number, such as 3", ZH: "sid：提交记录以编号表示，例如 3"}}
	}
	return id, nil
}

// submitContext lifts the request's deadlines for a delivery and bounds
// the wait for it a little below them: a delivery that takes longer goes
// on, and the answer is its state so far.
func (s *Server) submitContext(c echo.Context) (context.Context, context.CancelFunc) {
	budget := s.allowSubmitTime(c)
	if budget == 0 {
		return context.WithCancel(c.Request().Context())
	}
	return context.WithTimeout(c.Request().Context(), budget-answerTime)
}

// answerTime is kept back from a submit request's deadline to answer it.
const answerTime = 5 * time.Second

// allowSubmitTime lifts the server's read and write deadlines for a
// submit request to what one call may take (every try, backoff,
// recording), so a slow DataWorks never ends in a closed connection
// without a reply; it returns that budget.
func (s *Server) allowSubmitTime(c echo.Context) time.Duration {
	budget := s.drafts.SubmitDeadline()
	if budget == 0 {
		return 0 // no submitter: the answer is immediate
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
	return budget
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
