package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// Error is the one error type handlers return. handleError turns it into an
// HTTP response; nothing else writes error responses.
type Error struct {
	Status   int
	Code     string    // stable machine-readable code
	Message  i18n.Text // what the user should know, in both languages
	Findings []finding // for 422: every problem, each with its path
}

func (e *Error) Error() string { return e.Code + ": " + e.Message.EN }

// errorBody is the JSON shape of an error: {"error":{"code","message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

var errInternal = &Error{Status: http.StatusInternalServerError, Code: "internal",
	Message: i18n.Text{EN: "something went wrong on our side; nothing was changed", ZH: "服务器内部错误；未做任何更改"}}

// handleError is echo's HTTPErrorHandler: the one place errors become
// responses. Internal errors are logged; users see a safe message.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var e *Error
	var de *draft.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &de):
		if de.Current != nil {
			s.sendConflict(c, de)
			return
		}
		if de.Submission != nil && !wantsPage(c) {
			s.sendSubmissionConflict(c, de)
			return
		}
		e = fromDraft(de)
	case errors.As(err, &he):
		e = fromEcho(he)
	default:
		s.log.Error("request failed", "route", c.Path(), "err", err)
		e = errInternal
		if msg, ok := draft.StorageTrouble(err); ok {
			e = &Error{Status: http.StatusServiceUnavailable, Code: "storage_unavailable", Message: msg}
		}
	}
	lang := language(c)
	var writeErr error
	switch {
	case wantsPage(c):
		writeErr = render(c, e.Status, components.ErrorPage(components.ErrorView{
			Page:   s.page(c, i18n.Text{EN: http.StatusText(e.Status), ZH: statusZH(e.Status)}),
			Status: e.Status, Message: e.Message.In(lang)}))
	case c.Request().Method == http.MethodHead:
		writeErr = c.NoContent(e.Status)
	case len(e.Findings) > 0:
		writeErr = c.JSON(e.Status, findingsBody{Errors: localise(e.Findings, lang)})
	default:
		writeErr = c.JSON(e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message.In(lang)}})
	}
	if writeErr != nil {
		s.log.Warn("writing error response", "err", writeErr)
	}
}

// wantsPage reports whether an error should be a page rather than JSON:
// browser requests outside the API.
func wantsPage(c echo.Context) bool {
	p := c.Request().URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/healthz" && !strings.HasPrefix(p, "/static/") &&
		c.Request().Method != http.MethodHead
}

func statusZH(status int) string {
	switch status {
	case http.StatusNotFound:
		return "未找到"
	case http.StatusForbidden:
		return "已拒绝"
	case http.StatusTooManyRequests:
		return "请求过多"
	case http.StatusRequestEntityTooLarge:
		return "内容过大"
	case http.StatusBadRequest:
		return "请求有误"
	}
	return "出错了"
}

// fromDraft maps domain errors to statuses.
func fromDraft(de *draft.Error) *Error {
	status := map[draft.Code]int{
		draft.NotFound:     http.StatusNotFound,
		draft.Conflict:     http.StatusPreconditionFailed,
		draft.Invalid:      http.StatusBadRequest,
		draft.NotReady:     http.StatusUnprocessableEntity,
		draft.InFlight:     http.StatusConflict,
		draft.Submitted:    http.StatusConflict,
		draft.Unsure:       http.StatusConflict,
		draft.Unavailable:  http.StatusServiceUnavailable,
		draft.LiveChanged:  http.StatusConflict,
		draft.NotResumable: http.StatusConflict,
		draft.Remote:       http.StatusBadGateway,
	}[de.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	return &Error{Status: status, Code: string(de.Code), Message: de.Message}
}

// sendConflict answers a stale save with 412, the message and the draft as
// it now is, so the client can show both sides.
func (s *Server) sendConflict(c echo.Context, de *draft.Error) {
	c.Response().Header().Set("ETag", etag(de.Current.Version))
	current, err := s.draftBytes(c, de.Current, nil)
	if err != nil {
		s.log.Error("encoding conflict", "err", err)
		return
	}
	body := struct {
		Error   errorDetail     `json:"error"`
		Current json.RawMessage `json:"current"`
	}{errorDetail{Code: string(de.Code), Message: de.Message.In(language(c))}, current}
	if err := c.JSON(http.StatusPreconditionFailed, body); err != nil {
		s.log.Warn("writing conflict response", "err", err)
	}
}

// fromEcho maps echo's own errors (unknown route, wrong method) to Error.
func fromEcho(he *echo.HTTPError) *Error {
	switch he.Code {
	case http.StatusNotFound:
		return &Error{Status: he.Code, Code: "not_found", Message: i18n.Text{
			EN: "there is no page or API route at this address; check the link, or start again from the home page",
			ZH: "此地址没有对应的页面或 API 路由；请检查链接，或从首页重新开始"}}
	case http.StatusMethodNotAllowed:
		return &Error{Status: he.Code, Code: "method_not_allowed", Message: i18n.Text{EN: "method not allowed", ZH: "不支持该请求方法"}}
	case http.StatusRequestEntityTooLarge:
		return errTooLarge
	}
	return &Error{Status: he.Code, Code: "http_error", Message: i18n.Text{EN: http.StatusText(he.Code), ZH: http.StatusText(he.Code)}}
}

// findingsBody is the 422 shape: {"errors":[…]}.
type findingsBody struct {
	Errors []findingJSON `json:"errors"`
}
