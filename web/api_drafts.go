package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// Drafts is the draft service the web layer needs (implemented by
// draft.Service).
type Drafts interface {
	Create(ctx context.Context, in draft.Input, author string) (*draft.Draft, error)
	Get(ctx context.Context, token string) (*draft.Draft, error)
	View(ctx context.Context, viewToken string) (*draft.Draft, error)
	Update(ctx context.Context, token string, expected int64, in draft.Input, author string) (*draft.Draft, error)
	RotateView(ctx context.Context, token string) (*draft.Draft, error)
	Revisions(ctx context.Context, token string) ([]draft.RevisionInfo, error)
	Revision(ctx context.Context, token string, version int64) (draft.Revision, error)
	Diff(ctx context.Context, token string, from, to int64) ([]flowspec.Change, error)
	Restore(ctx context.Context, token string, version, expected int64, author string) (*draft.Draft, error)
	SaveVersion(ctx context.Context, token string, expected int64, in draft.Input, message, author string) (*draft.Draft, error)
	History(ctx context.Context, token string) ([]draft.Entry, error)
	Duplicate(ctx context.Context, token, author string) (*draft.Draft, error)
	Delete(ctx context.Context, token string) (time.Time, error)
	Undelete(ctx context.Context, token string) (*draft.Draft, error)
	// The drafts each browser opened, for the home page.
	Remember(ctx context.Context, browserID, token string) error
	Opened(ctx context.Context, browserID string) ([]draft.Opened, error)

	// Submission: always offered; without a submitter Submit answers why.
	Submit(ctx context.Context, token string, opts draft.SubmitOptions, author string) (draft.Submission, error)
	Submissions(ctx context.Context, token string) ([]draft.Submission, error)
	Submission(ctx context.Context, token string, id int64) (draft.Submission, error)
	Resume(ctx context.Context, token string, id int64) (draft.Submission, error)
	Plan(ctx context.Context, token string, opts draft.SubmitOptions) (*draft.Draft, draft.SubmitPlan, error)
	Delivery(ctx context.Context, token string) (draft.Delivery, error)
	// Open from DataWorks: list a workspace's workflows, open one as a draft.
	Workflows(ctx context.Context, q draft.WorkflowQuery) (draft.WorkflowPage, error)
	Open(ctx context.Context, req draft.OpenRequest, author string) (*draft.Draft, error)
	Endpoint() string            // "sandbox", "real", or "" when submission is unavailable
	Domain(region string) string // the public DataWorks host of a region
	Target(region string) string // where a region's calls are sent
	Unavailable() *draft.Error   // why submission is not possible here, or nil
	SubmitDeadline() time.Duration

	// Health is nil while drafts can be read and saved.
	Health(ctx context.Context) error
	DatabaseKind() string // "sqlite" or "postgres"
}

// draftJSON is the contract shape of a draft. id and editUrl are absent when
// the draft is read through a view token.
type draftJSON struct {
	ID         string         `json:"id,omitempty"`
	Version    int64          `json:"version"`
	ProjectID  string         `json:"projectId"`
	Region     string         `json:"region"`
	Spec       []byte         `json:"-"` // spliced in raw by draftBytes
	Validation validationJSON `json:"validation"`
	EditURL    string         `json:"editUrl,omitempty"`
	ViewURL    string         `json:"viewUrl"`
	CreatedAt  time.Time      `json:"createdAt"`
	UpdatedAt  time.Time      `json:"updatedAt"`
}

type validationJSON struct {
	Valid    bool          `json:"valid"`
	Errors   []findingJSON `json:"errors"`
	Warnings []findingJSON `json:"warnings"`
}

// draftBody renders a draft; notes are import warnings of this request.
func (s *Server) draftBody(c echo.Context, d *draft.Draft, notes []flowspec.Finding) draftJSON {
	lang := language(c)
	report := d.Validate(s.now())
	base := s.baseURL(c)
	out := draftJSON{
		ID: d.ID, Version: d.Version, ProjectID: d.ProjectID, Region: d.Region, Spec: d.SpecJSON,
		Validation: validationJSON{
			Valid:    report.Valid(),
			Errors:   localise(fromSpec(report.Errors), lang),
			Warnings: localise(fromSpec(append(notes, report.Warnings...)), lang),
		},
		ViewURL:   base + "/v/" + d.ViewToken,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.ID != "" {
		out.EditURL = base + "/d/" + d.ID
	}
	return out
}

// baseURL is --public-url, else the scheme and host of the request.
func (s *Server) baseURL(c echo.Context) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return c.Scheme() + "://" + c.Request().Host
}

// author is the identity the trusted header carries, else "anonymous".
func (s *Server) author(c echo.Context) string {
	if s.authHeader == "" {
		return draft.Anonymous
	}
	a := strings.TrimSpace(c.Request().Header.Get(s.authHeader))
	if a == "" || len(a) > 254 {
		return draft.Anonymous
	}
	return a
}

// draftBytes encodes a draft. The canonical spec is spliced in as it is:
// passing it through encoding/json as a RawMessage re-scanned 4 KB per
// response and was a fifth of a GET's cost.
func (s *Server) draftBytes(c echo.Context, d *draft.Draft, notes []flowspec.Finding) ([]byte, error) {
	body := s.draftBody(c, d, notes)
	head, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(head)+len(body.Spec)+16)
	out = append(out, head[:len(head)-1]...)
	out = append(out, `,"spec":`...)
	out = append(out, body.Spec...)
	return append(out, '}'), nil
}

// sendDraft answers a draft with its version as the ETag. Capability data
// is never cached.
func (s *Server) sendDraft(c echo.Context, status int, d *draft.Draft, notes []flowspec.Finding) error {
	data, err := s.draftBytes(c, d, notes)
	if err != nil {
		return err
	}
	return writeDraft(c, status, d.Version, data)
}

// writeDraft sends a draft's JSON with its version as the ETag.
func writeDraft(c echo.Context, status int, version int64, data []byte) error {
	h := c.Response().Header()
	h.Set("ETag", etag(version))
	h.Set("Cache-Control", "no-store")
	return c.Blob(status, echo.MIMEApplicationJSON, data)
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// draftRequest is the body of POST and PUT /api/v1/drafts. template and name
// (create only) pick a starting point when no spec is sent.
type draftRequest struct {
	ProjectID json.RawMessage `json:"projectId"`
	Region    *string         `json:"region"`
	Spec      json.RawMessage `json:"spec"`
	Template  string          `json:"template"`
	Name      string          `json:"name"`
}

var errSpecNotObject = &Error{Status: http.StatusBadRequest, Code: "not_an_object", Message: i18n.Text{
	EN: "spec must be a JSON object (a FlowSpec document); nothing was changed",
	ZH: "spec 必须是 JSON 对象（FlowSpec 文档）；未做任何更改"}}

// readDraftRequest decodes and checks a draft body. Only malformed or
// oversized requests are refused; an invalid spec is saved with findings.
func readDraftRequest(c echo.Context) (draft.Input, []flowspec.Finding, draftRequest, error) {
	var req draftRequest
	body, err := readBody(c)
	if err != nil {
		return draft.Input{}, nil, req, err
	}
	if err := decodeBody(body, &req, draftBody); err != nil {
		return draft.Input{}, nil, req, err
	}
	// A field a request leaves out keeps its stored value on update.
	in := draft.Input{KeepProjectID: len(req.ProjectID) == 0, KeepRegion: req.Region == nil}
	if req.Region != nil {
		in.Region = *req.Region
	}
	if in.ProjectID, err = projectID(req.ProjectID); err != nil {
		return in, nil, req, err
	}
	var notes []flowspec.Finding
	if spec := bytes.TrimSpace(req.Spec); len(spec) > 0 && !bytes.Equal(spec, []byte("null")) {
		if spec[0] != '{' {
			return in, nil, req, errSpecNotObject
		}
		if in.Spec, notes, err = importSpec(spec); err != nil {
			return in, nil, req, err
		}
	}
	return in, notes, req, nil
}

// What a JSON body is, for the message that refuses it.
var (
	draftBody  = i18n.Text{EN: "draft request", ZH: "草稿请求"}
	submitBody = i18n.Text{EN: "submit request", ZH: "提交请求"}
	openBody   = i18n.Text{EN: "open request", ZH: "打开请求"}
)

// decodeBody reads a JSON object body into v. Unknown fields, a value of
// the wrong type and anything after the object are refused with a
// message naming the field, before anything is done.
func decodeBody(body []byte, v any, what i18n.Text) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err == nil {
		return nil
	}
	return badJSON(err, what)
}

// badJSON refuses a body, saying what is wrong in words rather than Go's.
func badJSON(err error, what i18n.Text) *Error {
	why := i18n.Text{EN: err.Error(), ZH: err.Error()}
	var typ *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &typ):
		want := map[string]string{"string": "a string", "bool": "true or false", "int64": "a whole number", "int": "a whole number"}[typ.Type.String()]
		if want == "" {
			want = typ.Type.String()
		}
		why = i18n.Sprintf("field %q must be %s, not %s", "字段 %q 应为 %s，而不是 %s", typ.Field, want, typ.Value)
	case errors.As(err, &syntax):
		why = i18n.Sprintf("not valid JSON at byte %d", "第 %d 字节处不是有效的 JSON", syntax.Offset)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		why = i18n.Sprintf("unknown field %s", "未知字段 %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		why = i18n.Text{EN: "the JSON ends too early", ZH: "JSON 提前结束"}
	}
	return &Error{Status: http.StatusBadRequest, Code: "malformed_json", Message: i18n.Text{
		EN: "the body is not a valid " + what.EN + " (" + why.EN + "); nothing was changed",
		ZH: "请求体不是有效的" + what.ZH + "（" + why.ZH + "）；未做任何更改"}}
}

// projectID accepts a JSON number, a string or null.
func projectID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", nil
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", badJSON(err, draftBody)
		}
		return s, nil
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		return string(raw), nil
	}
	return "", &Error{Status: http.StatusBadRequest, Code: "project_id", Message: i18n.Text{
		EN: "projectId must be a workspace ID: a number or a string of digits", ZH: "projectId 必须是工作空间 ID：数字或数字字符串"}}
}

// ifMatch reads the version a save was made against. No If-Match is 428: a
// save must say which version it edited, so it can never overwrite blindly.
// The comparison is strong (RFC 9110 §13.1.1): a weak tag never matches,
// and a well-formed tag that is not exactly a version's ETag ("01", "+1")
// matches none (-1: the save is refused with 412). A malformed header is 400.
func ifMatch(c echo.Context) (int64, error) {
	v := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if v == "" || v == "*" {
		return 0, &Error{Status: http.StatusPreconditionRequired, Code: "precondition_required", Message: i18n.Text{
			EN: `send If-Match: "<version>" with the version you edited; nothing was changed`,
			ZH: `请在 If-Match 中发送你编辑的版本，例如 "3"；未做任何更改`}}
	}
	weak := strings.HasPrefix(v, "W/")
	tag := strings.TrimPrefix(v, "W/")
	if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' || !entityTagChars(tag[1:len(tag)-1]) {
		return 0, &Error{Status: http.StatusBadRequest, Code: "if_match", Message: i18n.Sprintf(
			`If-Match: %q is not an entity-tag such as "3" (quotes included); nothing was changed`,
			`If-Match：「%s」不是实体标签，例如 "3"（含引号）；未做任何更改`, v)}
	}
	n, err := strconv.ParseInt(tag[1:len(tag)-1], 10, 64)
	if weak || err != nil || n < 1 || etag(n) != tag {
		return -1, nil
	}
	return n, nil
}

// entityTagChars reports whether s is made of etagc (RFC 9110 §8.8.3):
// '!', '#'–'~' and obs-text. A list of tags ("1", "2") is not accepted:
// a save names the one version it edited.
func entityTagChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b != 0x21 && (b < 0x23 || b > 0x7e) && b < 0x80 {
			return false
		}
	}
	return true
}

// handleCreateDraft serves POST /api/v1/drafts.
func (s *Server) handleCreateDraft(c echo.Context) error {
	in, notes, req, err := readDraftRequest(c)
	if err != nil {
		return err
	}
	if in.Spec == nil {
		name := strings.TrimSpace(req.Name)
		if name == "" {
			name = "new_workflow"
		}
		tpl := flowspec.Templates[0]
		if req.Template != "" {
			var ok bool
			if tpl, ok = flowspec.TemplateByID(req.Template); !ok {
				return &Error{Status: http.StatusBadRequest, Code: "template", Message: i18n.Sprintf(
					"template: %q is not a template (daily, hourly, every-15-min, weekly-monday, month-end, manual)",
					"template：「%s」不是模板（daily、hourly、every-15-min、weekly-monday、month-end、manual）", req.Template)}
			}
		}
		in.Spec = tpl.New(name)
	}
	d, err := s.drafts.Create(c.Request().Context(), in, s.author(c))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusCreated, d, notes)
}

// handleGetDraft serves GET /api/v1/drafts/{id}.
func (s *Server) handleGetDraft(c echo.Context) error {
	d, err := s.drafts.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	key := s.pageKey(c, d.Version, d.ViewToken)
	r, ok := s.pages.get(key)
	if !ok {
		data, err := s.draftBytes(c, d, nil)
		if err != nil {
			return err
		}
		r = rendered{status: http.StatusOK, body: data}
		s.pages.put(key, r)
	}
	return writeDraft(c, http.StatusOK, d.Version, r.body)
}

// handlePutDraft serves PUT /api/v1/drafts/{id}.
func (s *Server) handlePutDraft(c echo.Context) error {
	expected, err := ifMatch(c)
	if err != nil {
		return err
	}
	in, notes, _, err := readDraftRequest(c)
	if err != nil {
		return err
	}
	if in.Spec == nil {
		return &Error{Status: http.StatusBadRequest, Code: "spec_required", Message: i18n.Text{
			EN: "spec is required when saving a draft; nothing was changed", ZH: "保存草稿时必须提供 spec；未做任何更改"}}
	}
	d, err := s.drafts.Update(c.Request().Context(), c.Param("id"), expected, in, s.author(c))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusOK, d, notes)
}

// handleGetDraftSpec serves GET /api/v1/drafts/{id}/spec: the exact bytes
// submission sends.
func (s *Server) handleGetDraftSpec(c echo.Context) error {
	d, err := s.drafts.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(d.Version))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, d.SpecJSON)
}

// handleGetView serves GET /api/v1/views/{viewToken}: read-only.
func (s *Server) handleGetView(c echo.Context) error {
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	d, err := s.drafts.View(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusOK, d, nil)
}

// handleRotateView serves POST /api/v1/drafts/{id}/share/rotate.
func (s *Server) handleRotateView(c echo.Context) error {
	d, err := s.drafts.RotateView(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusOK, d, nil)
}

// revisionJSON is one revision. kind is create, edit, version (a named
// version, with its message) or restore (with restoredFrom).
type revisionJSON struct {
	Version      int64           `json:"version"`
	Author       string          `json:"author"`
	CreatedAt    time.Time       `json:"createdAt"`
	Kind         string          `json:"kind"`
	Message      string          `json:"message,omitempty"`
	RestoredFrom int64           `json:"restoredFrom,omitempty"`
	ProjectID    *string         `json:"projectId,omitempty"`
	Region       string          `json:"region,omitempty"`
	Spec         json.RawMessage `json:"spec,omitempty"`
}

func revisionInfoJSON(r draft.RevisionInfo) revisionJSON {
	return revisionJSON{Version: r.Version, Author: r.Author, CreatedAt: r.CreatedAt, Kind: string(r.Kind), Message: r.Message, RestoredFrom: r.RestoredFrom}
}

// handleListRevisions serves GET /api/v1/drafts/{id}/revisions.
func (s *Server) handleListRevisions(c echo.Context) error {
	revs, err := s.drafts.Revisions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]revisionJSON, len(revs))
	for i, r := range revs {
		out[i] = revisionInfoJSON(r)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"revisions": out})
}

// handleGetRevision serves GET /api/v1/drafts/{id}/revisions/{version}.
func (s *Server) handleGetRevision(c echo.Context) error {
	v, err := versionParam(c, "version")
	if err != nil {
		return err
	}
	r, err := s.drafts.Revision(c.Request().Context(), c.Param("id"), v)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	out := revisionInfoJSON(r.RevisionInfo)
	out.ProjectID, out.Region, out.Spec = &r.ProjectID, r.Region, r.Spec
	return c.JSON(http.StatusOK, out)
}

type changeJSON struct {
	Path string          `json:"path"`
	Op   flowspec.Op     `json:"op"`
	Old  json.RawMessage `json:"old,omitempty"`
	New  json.RawMessage `json:"new,omitempty"`
}

// handleDiff serves GET /api/v1/drafts/{id}/diff?from=&to=: the field-level
// changes between two revisions (to defaults to the current version).
func (s *Server) handleDiff(c echo.Context) error {
	from, err := versionParam(c, "from")
	if err != nil {
		return err
	}
	var to int64
	if c.QueryParam("to") != "" {
		if to, err = versionParam(c, "to"); err != nil {
			return err
		}
	}
	changes, err := s.drafts.Diff(c.Request().Context(), c.Param("id"), from, to)
	if err != nil {
		return err
	}
	out := make([]changeJSON, len(changes))
	for i, ch := range changes {
		out[i] = changeJSON{Path: ch.Path, Op: ch.Op}
		if ch.Old != "" {
			out[i].Old = json.RawMessage(ch.Old)
		}
		if ch.New != "" {
			out[i].New = json.RawMessage(ch.New)
		}
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"from": from, "to": to, "changes": out})
}

// handleRestore serves POST /api/v1/drafts/{id}/revisions/{version}/restore.
// If-Match is optional; when sent, a stale version is refused with 412.
func (s *Server) handleRestore(c echo.Context) error {
	v, err := versionParam(c, "version")
	if err != nil {
		return err
	}
	var expected int64
	if c.Request().Header.Get("If-Match") != "" {
		if expected, err = ifMatch(c); err != nil {
			return err
		}
	}
	d, err := s.drafts.Restore(c.Request().Context(), c.Param("id"), v, expected, s.author(c))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusOK, d, nil)
}

// handleDuplicate serves POST /api/v1/drafts/{id}/duplicate.
func (s *Server) handleDuplicate(c echo.Context) error {
	d, err := s.drafts.Duplicate(c.Request().Context(), c.Param("id"), s.author(c))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusCreated, d, nil)
}

// handleDeleteDraft serves DELETE /api/v1/drafts/{id}: a soft delete.
func (s *Server) handleDeleteDraft(c echo.Context) error {
	until, err := s.drafts.Delete(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"deleted": true, "restoreUntil": until})
}

// handleUndelete serves POST /api/v1/drafts/{id}/undelete.
func (s *Server) handleUndelete(c echo.Context) error {
	d, err := s.drafts.Undelete(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusOK, d, nil)
}

func versionParam(c echo.Context, name string) (int64, error) {
	raw := c.Param(name)
	if raw == "" {
		raw = c.QueryParam(name)
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < 1 {
		return 0, &Error{Status: http.StatusBadRequest, Code: "version", Message: i18n.Sprintf(
			"%s: %q is not a version number", "%s：「%s」不是版本号", name, raw)}
	}
	return v, nil
}
