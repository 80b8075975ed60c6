package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

// workflowQuery reads a workflow search from the query string (the page)
// or the API's parameters; a value out of range is refused, named.
func workflowQuery(c echo.Context, project, region string) (draft.WorkflowQuery, error) {
	q := draft.WorkflowQuery{ProjectID: strings.TrimSpace(project), Region: strings.TrimSpace(region),
		Name: strings.TrimSpace(c.QueryParam("name")), Page: 1, PageSize: 20}
	bad := func(en, zh string) error {
		return &Error{Status: http.StatusBadRequest, Code: "invalid_parameter", Message: i18n.Text{EN: en, ZH: zh}}
	}
	if v := c.QueryParam("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			return q, bad("page: a page number from 1", "page：页码从 1 开始")
		}
		q.Page = n
	}
	if v := c.QueryParam("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return q, bad("pageSize: from 1 to 100 workflows a page (DataWorks lists at most 100)", "pageSize：每页 1 到 100 个工作流（DataWorks 每页最多 100 个）")
		}
		q.PageSize = n
	}
	switch c.QueryParam("type") {
	case "", "cycle":
	case "manual":
		q.Manual = true
	default:
		return q, bad("type: cycle (scheduled workflows) or manual", "type：cycle（周期调度工作流）或 manual（手动工作流）")
	}
	if len(q.Name) > 128 {
		return q, bad("name: at most 128 characters", "name：最多 128 个字符")
	}
	return q, nil
}

// maxPage bounds a page number (DataWorks' paging is an int32).
const maxPage = 100000

// handleOpenPage serves GET /open: a workspace's workflows in DataWorks,
// filtered by name and type, one page at a time, each opened as a new
// draft with one click.
func (s *Server) handleOpenPage(c echo.Context) error {
	lang := language(c)
	q, qerr := workflowQuery(c, c.QueryParam("project_id"), c.QueryParam("region"))
	v := components.OpenView{Page: s.page(c, i18n.Text{EN: "Open from DataWorks", ZH: "从 DataWorks 打开"}),
		ProjectID: q.ProjectID, Region: q.Region, Name: q.Name, Manual: q.Manual, Regions: s.regions, SandboxProject: s.sandboxProject,
		PageNumber: q.Page}
	var e *Error
	if errors.As(qerr, &e) {
		v.Error = e.Message.In(lang)
		return render(c, e.Status, components.Open(v))
	}
	if why := s.drafts.Unavailable(); why != nil {
		v.Error = why.Message.In(lang)
		return render(c, http.StatusOK, components.Open(v))
	}
	if v.ProjectID == "" && s.sandboxProject != "" {
		v.ProjectID, q.ProjectID = s.sandboxProject, s.sandboxProject
	}
	if q.ProjectID == "" {
		return render(c, http.StatusOK, components.Open(v))
	}
	page, err := s.drafts.Workflows(c.Request().Context(), q)
	var de *draft.Error
	if errors.As(err, &de) {
		v.Error = de.Message.In(lang)
		return render(c, fromDraft(de).Status, components.Open(v))
	} else if err != nil {
		return err
	}
	v.Listed, v.PageNumber, v.Total = true, page.Page, page.Total
	v.HasNext = page.Page*page.PageSize < page.Total
	for _, w := range page.Workflows {
		v.Workflows = append(v.Workflows, components.RemoteWorkflowRow{ID: w.ID, Name: w.Name, Owner: w.Owner, Path: w.Path,
			Type: w.Type, Modified: w.ModifiedAt.Format("2006-01-02 15:04 UTC")})
	}
	return render(c, http.StatusOK, components.Open(v))
}

// handleOpenPost serves POST /open: the workflow becomes a new draft; a
// refusal is shown on the /open page.
func (s *Server) handleOpenPost(c echo.Context) error {
	req := draft.OpenRequest{ProjectID: strings.TrimSpace(c.FormValue("project_id")),
		Region: strings.TrimSpace(c.FormValue("region")), WorkflowID: strings.TrimSpace(c.FormValue("workflow_id"))}
	d, err := s.drafts.Open(c.Request().Context(), req, s.author(c))
	var de *draft.Error
	if errors.As(err, &de) {
		v := components.OpenView{Page: s.page(c, i18n.Text{EN: "Open from DataWorks", ZH: "从 DataWorks 打开"}),
			ProjectID: req.ProjectID, Region: req.Region, Regions: s.regions, SandboxProject: s.sandboxProject, Error: de.Message.In(language(c))}
		return render(c, fromDraft(de).Status, components.Open(v))
	} else if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID)
}

// remoteWorkflowJSON is one workflow of a workspace in DataWorks.
type remoteWorkflowJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Owner      string `json:"owner"`
	Path       string `json:"path"`
	Type       string `json:"type"`
	ModifiedAt string `json:"modifiedAt"`
}

// handleListWorkflows serves GET /api/v1/dataworks/workflows?projectId=…:
// one page (page, pageSize ≤ 100) of a workspace's workflows, filtered by
// name and type (cycle or manual).
func (s *Server) handleListWorkflows(c echo.Context) error {
	q, err := workflowQuery(c, c.QueryParam("projectId"), c.QueryParam("region"))
	if err != nil {
		return err
	}
	page, err := s.drafts.Workflows(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := make([]remoteWorkflowJSON, 0, len(page.Workflows))
	for _, w := range page.Workflows {
		out = append(out, remoteWorkflowJSON{ID: w.ID, Name: w.Name, Owner: w.Owner, Path: w.Path, Type: w.Type,
			ModifiedAt: w.ModifiedAt.Format("2006-01-02T15:04:05Z")})
	}
	return c.JSON(http.StatusOK, map[string]any{"workflows": out, "page": page.Page, "pageSize": page.PageSize, "total": page.Total})
}

// openRequest is the body of POST /api/v1/dataworks/open.
type openRequest struct {
	ProjectID  json.RawMessage `json:"projectId"` // a number or a string, as for drafts
	Region     string          `json:"region"`
	WorkflowID string          `json:"workflowId"`
}

// handleOpen serves POST /api/v1/dataworks/open: 201 with the new draft.
func (s *Server) handleOpen(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req openRequest
	if err := decodeBody(body, &req, openBody); err != nil {
		return err
	}
	project, err := projectID(req.ProjectID)
	if err != nil {
		return err
	}
	d, err := s.drafts.Open(c.Request().Context(), draft.OpenRequest{ProjectID: project, Region: strings.TrimSpace(req.Region),
		WorkflowID: strings.TrimSpace(req.WorkflowID)}, s.author(c))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusCreated, d, nil)
}
