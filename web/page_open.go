package web

import (
	"bytes"
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
// or the API's parameters.
func workflowQuery(c echo.Context, project, region string) draft.WorkflowQuery {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	size, _ := strconv.Atoi(c.QueryParam("pageSize"))
	return draft.WorkflowQuery{ProjectID: strings.TrimSpace(project), Region: strings.TrimSpace(region),
		Name: strings.TrimSpace(c.QueryParam("name")), Manual: c.QueryParam("type") == "manual", Page: page, PageSize: size}
}

// handleOpenPage serves GET /open: a workspace's workflows in DataWorks,
// filtered by name and type, one page at a time, each opened as a new
// draft with one click.
func (s *Server) handleOpenPage(c echo.Context) error {
	lang := language(c)
	q := workflowQuery(c, c.QueryParam("project_id"), c.QueryParam("region"))
	v := components.OpenView{Page: s.page(c, i18n.Text{EN: "Open from DataWorks", ZH: "从 DataWorks 打开"}),
		ProjectID: q.ProjectID, Region: q.Region, Name: q.Name, Manual: q.Manual, Regions: s.regions, SandboxProject: s.sandboxProject}
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

// handleOpenPost serves POST /open: the workflow becomes a new draft.
func (s *Server) handleOpenPost(c echo.Context) error {
	d, err := s.drafts.Open(c.Request().Context(), draft.OpenRequest{ProjectID: strings.TrimSpace(c.FormValue("project_id")),
		Region: strings.TrimSpace(c.FormValue("region")), WorkflowID: strings.TrimSpace(c.FormValue("workflow_id"))}, s.author(c))
	if err != nil {
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
	page, err := s.drafts.Workflows(c.Request().Context(), workflowQuery(c, c.QueryParam("projectId"), c.QueryParam("region")))
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
	ProjectID  string `json:"projectId"`
	Region     string `json:"region"`
	WorkflowID string `json:"workflowId"`
}

// handleOpen serves POST /api/v1/dataworks/open: 201 with the new draft.
func (s *Server) handleOpen(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req openRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return badJSON(err)
	}
	d, err := s.drafts.Open(c.Request().Context(), draft.OpenRequest{ProjectID: req.ProjectID, Region: req.Region, WorkflowID: req.WorkflowID}, s.author(c))
	if err != nil {
		return err
	}
	return s.sendDraft(c, http.StatusCreated, d, nil)
}
