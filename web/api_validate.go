package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// validateResponse is the contract of POST /api/v1/validate.
type validateResponse struct {
	Valid    bool            `json:"valid"`
	Errors   []findingJSON   `json:"errors"`
	Warnings []findingJSON   `json:"warnings"`
	Spec     json.RawMessage `json:"spec"`
}

// handleValidate serves POST /api/v1/validate: it imports the posted
// FlowSpec, validates it, and answers the findings with the canonical,
// label-normalised spec. Problems with the spec are findings in a 200;
// only malformed or oversized bodies are refused.
func (s *Server) handleValidate(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	doc, notes, err := importSpec(body)
	if err != nil {
		return err
	}
	report := doc.Validate(s.now())
	lang := language(c)
	return c.JSON(http.StatusOK, validateResponse{
		Valid:    report.Valid(),
		Errors:   localise(fromSpec(report.Errors), lang),
		Warnings: localise(fromSpec(append(notes, report.Warnings...)), lang),
		Spec:     doc.Canonical(),
	})
}

// readBody reads the whole request body, mapping the 1 MiB limit to 413.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errTooLarge
	case err != nil:
		return nil, &Error{Status: http.StatusBadRequest, Code: "read_body",
			Message: i18n.Text{EN: "the request body could not be read", ZH: "无法读取请求体"}}
	}
	return body, nil
}

// importSpec imports a FlowSpec, mapping malformed JSON and non-objects to 400.
func importSpec(data []byte) (*flowspec.Document, []flowspec.Finding, error) {
	doc, notes, err := flowspec.Import(data)
	var syntax *flowspec.SyntaxError
	var shape *flowspec.ShapeError
	switch {
	case errors.As(err, &syntax):
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: "malformed_json", Message: i18n.Sprintf(
			"the body is not valid JSON (byte %d: %s); nothing was changed", "请求体不是有效的 JSON（第 %d 字节：%s）；未做任何更改",
			syntax.Offset, syntax.Msg)}
	case errors.As(err, &shape):
		return nil, nil, &Error{Status: http.StatusBadRequest, Code: "not_an_object", Message: shape.Message}
	case err != nil:
		return nil, nil, err
	}
	return doc, notes, nil
}
