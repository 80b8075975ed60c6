package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/labstack/echo/v4"
)

// editorView builds the editor page for a draft, optionally with posted
// input shown back in place of the stored values.
func (s *Server) editorView(c echo.Context, d *draft.Draft, posted *editorInput, status string) components.EditorView {
	lang := language(c)
	in := storedInput(d)
	if posted != nil {
		in = *posted
	}
	if in.node < 0 && in.doc.NodeCount() > 0 {
		// The node asked for, or the first: a workflow with nodes opens
		// with one node's form.
		n, err := strconv.Atoi(c.QueryParam("node"))
		if err != nil || n < 0 || n >= in.doc.NodeCount() {
			n = 0
		}
		in.node = n
	}
	if in.view.ViewerZone == "" {
		in.view.ViewerZone = viewerZone(c)
	}
	l := s.liveView(lang, in)
	name := in.doc.Form().Name
	base := s.baseURL(c)
	v := components.EditorView{
		Page:    s.page(c, i18n.Text{EN: "Edit " + name, ZH: "编辑 " + name}),
		DraftID: d.ID, Name: name, Version: d.Version, EditURL: base + "/d/" + d.ID, ViewURL: base + "/v/" + d.ViewToken,
		Form: in.view, Inputs: inputs(lang, in.view, l.errs), Errors: l.errs, Explain: l.explain, Summary: l.summary,
		Preview: l.preview, Status: status, Zones: s.zoneOptions(), Regions: s.regions,
		Nodes: nodesView(lang, d.ID, in.doc, in.node, l.errs, l.nodeErrs, in.nodeTyped),
		Plan:  planView(lang, in.doc, in.planOpen, s.delivery(c, d), d.ProjectID),
	}
	if posted != nil {
		v.Nodes.NewName = c.FormValue("new_name")
	}
	return v
}

// createdWorkflow is the workflow this draft's submissions created ("" for
// none): read only while the plan is open, which names it.
// delivery is what the draft holds in DataWorks, read only while the
// plan panel is open (it shows the calls a submit would make).
func (s *Server) delivery(c echo.Context, d *draft.Draft) draft.Delivery {
	if d.ID == "" || c.FormValue("plan_open") != "1" {
		return draft.Delivery{}
	}
	dl, err := s.drafts.Delivery(c.Request().Context(), d.ID)
	if err != nil {
		return draft.Delivery{}
	}
	return dl
}

// handleEditor serves GET /d/{id}.
func (s *Server) handleEditor(c echo.Context) error {
	d, err := s.drafts.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	status := ""
	if c.QueryParam("saved") != "" {
		status = savedStatus(c, d.Version, d.UpdatedAt)
	}
	if notice, _ := s.revisionNotice(c, d.ID, viewerLocation(c)); notice != "" {
		status = notice // a named version or a restore says which
	}
	return s.renderCached(c, s.pageKey(c, d.Version, d.ViewToken), func() templ.Component {
		v := s.editorView(c, d, nil, status)
		v.Rotated = c.QueryParam("rotated") != ""
		v.Nodes.Removed = s.removedNode(c, d.ID)
		return components.Editor(v)
	})
}

// savedStatus says which version was saved when, in the viewer's zone.
func savedStatus(c echo.Context, version int64, at time.Time) string {
	loc := viewerLocation(c)
	when := at.In(loc).Format("15:04:05")
	if loc == time.UTC {
		when += " UTC"
	}
	return i18n.Sprintf("Saved as version %d at %s", "已保存为版本 %d（%s）", version, when).In(language(c))
}

// postedEditor reads the draft an editor post is for and applies the
// posted form to a copy of its spec.
func (s *Server) postedEditor(c echo.Context) (context.Context, *draft.Draft, editorInput, i18n.Lang, error) {
	ctx := c.Request().Context()
	lang := language(c)
	d, err := s.drafts.Get(ctx, c.Param("id"))
	if err != nil {
		return ctx, nil, editorInput{}, lang, err
	}
	return ctx, d, readEditorForm(c, d, lang), lang, nil
}

// pageVersion reads the version the page was loaded with.
func pageVersion(c echo.Context) int64 {
	v, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	return v
}

// handleEditorPost serves POST /d/{id}: the no-JavaScript editor. "preview"
// re-renders with the posted values; "save" saves and redirects, or shows
// the conflict with both sides.
func (s *Server) handleEditorPost(c echo.Context) error {
	ctx, d, in, lang, err := s.postedEditor(c)
	if err != nil {
		return err
	}
	if c.FormValue("action") != "save" {
		return render(c, http.StatusOK, components.Editor(s.editorView(c, d, &in, i18n.Text{EN: "Preview only: not saved yet.", ZH: "仅预览：尚未保存。"}.In(lang))))
	}
	if len(in.errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	}
	saved, err := s.drafts.Update(ctx, d.ID, pageVersion(c), draft.Input{ProjectID: in.projectID, Region: in.region, Spec: in.doc}, s.author(c))
	var de *draft.Error
	switch {
	case errors.As(err, &de) && de.Code == draft.Conflict:
		return s.conflictPage(c, de.Current, &in, lang)
	case errors.As(err, &de) && de.Code == draft.Invalid:
		in.errs["project_id"] = append(in.errs["project_id"], de.Message.In(lang))
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/d/"+saved.ID+"?saved=1")
}

// conflictPage shows the editor with the user's input and what the other
// save changed, keeping the stale version so saving again cannot overwrite.
// Nothing was saved.
func (s *Server) conflictPage(c echo.Context, current *draft.Draft, in *editorInput, lang i18n.Lang) error {
	v := s.editorView(c, current, in, i18n.Text{EN: "Not saved: someone else saved first.", ZH: "未保存：他人已先保存。"}.In(lang))
	v.Conflict = conflictView(lang, current, in.doc)
	v.Version = pageVersion(c)
	return render(c, http.StatusPreconditionFailed, components.Editor(v))
}

func notSaved(lang i18n.Lang) string {
	return i18n.Text{EN: "Not saved: correct the fields marked in red.", ZH: "未保存：请修正标红的字段。"}.In(lang)
}

// conflictView lists their current spec against the user's.
func conflictView(lang i18n.Lang, theirs *draft.Draft, yours *flowspec.Document) *components.ConflictView {
	return &components.ConflictView{TheirVersion: theirs.Version, Changes: changeViews(flowspec.Diff(theirs.Spec, yours), lang)}
}

// handlePreview serves POST /d/{id}/preview (htmx): every part of the page
// that follows the form, as out-of-band swaps. Parts of the form itself are
// redrawn only when their shape changed (another cycle, trigger type or row
// count), and the errors sent are those of the slots the page has (the
// posted _f names) that were not redrawn. Nothing is saved.
func (s *Server) handlePreview(c echo.Context) error {
	d, err := s.drafts.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	// The same form on the same version answers the same: the key is
	// checked before the form is even read.
	return s.renderCached(c, s.pageKey(c, d.Version, d.ViewToken), func() templ.Component {
		lang := language(c)
		return s.previewParts(c, d, readEditorForm(c, d, lang), lang)
	})
}

// previewParts are the out-of-band swaps answering a live update.
func (s *Server) previewParts(c echo.Context, d *draft.Draft, in editorInput, lang i18n.Lang) templ.Component {
	v := s.editorView(c, d, &in, "")
	form, _ := c.FormParams()
	parts := []templ.Component{
		components.Title(v.Name, true),
		components.Summary(lang, v.Summary, true),
		components.SpecBody(lang, v.Preview, d.ID, true),
	}
	redrawn := map[string]bool{}
	redraw := func(part templ.Component, fields ...string) {
		parts = append(parts, part)
		for _, f := range fields {
			redrawn[f] = true
		}
	}
	scheduleInputs := append([]string{"cron", "start_time", "end_time", "timezone", "delay_seconds"}, builderInputs...)
	switch source := form.Get("source"); {
	case form.Get("trigger_type") != form.Get("trigger_before"):
		redraw(components.Schedule(v, true), scheduleInputs...)
	case v.Form.Manual():
	default:
		parts = append(parts, components.Explain(lang, v.Explain, true))
		if source == "cron" || source == "builder" && form.Get("cycle") != form.Get("cycle_before") {
			redraw(components.Builder(lang, v.Form.Cycle, v.Errors, true), builderInputs...)
		}
		if source == "builder" {
			redraw(components.CronInput(lang, v.Inputs["cron"], true), "cron")
		}
	}
	if in.paramsChanged {
		parts = append(parts, components.ParamRows(lang, d.ID, v.Form.Params, v.Errors, true))
	}
	// The blank output row suggests <project>.<name>: it follows the name.
	if in.outputsChanged || form.Get("changed") == "name" {
		parts = append(parts, components.OutputRows(lang, d.ID, v.Form.Outputs, v.Form.SuggestedOutput, v.Errors, true))
	}
	// The nodes' picture, list and plan follow every change; the node's
	// rows are redrawn when they grow or shrink.
	parts = append(parts, components.DAG(lang, v.Nodes, true), components.NodeList(lang, v.Nodes.Rows, true), components.PlanBody(lang, v.Plan, true))
	nodeForm := form.Get("changed") == "node_command" && v.Nodes.Form != nil
	switch {
	case nodeForm:
		parts = append(parts, components.NodeForm(lang, d.ID, v.Nodes.Form, v.Errors, true))
	case in.nodeRowsChanged && v.Nodes.Form != nil:
		parts = append(parts, components.NodeRows(lang, d.ID, v.Nodes.Form, v.Errors, true))
	}
	var slots []string
	for _, f := range form["_f"] {
		nodeRow := strings.HasPrefix(f, "node_upstream-") || strings.HasPrefix(f, "node_param-") || strings.HasPrefix(f, "node_output-")
		rows := in.paramsChanged && strings.HasPrefix(f, "param-") || (in.outputsChanged || form.Get("changed") == "name") && strings.HasPrefix(f, "output-") ||
			in.nodeRowsChanged && v.Nodes.Form != nil && nodeRow || nodeForm && strings.HasPrefix(f, "node_")
		if !redrawn[f] && !rows {
			slots = append(slots, f)
		}
	}
	parts = append(parts, components.FieldErrors(slots, v.Errors))
	return templ.Join(parts...)
}

// handleAutosave serves POST /d/{id}/autosave (htmx): saves the form as the
// next version of the one the page holds, or shows the conflict.
func (s *Server) handleAutosave(c echo.Context) error {
	ctx, d, in, lang, err := s.postedEditor(c)
	if err != nil {
		return err
	}
	if len(in.errs) > 0 {
		return render(c, http.StatusOK, components.SaveStatus(notSaved(lang), false))
	}
	held := pageVersion(c)
	if held == d.Version && bytes.Equal(in.doc.Canonical(), d.SpecJSON) && in.projectID == d.ProjectID && in.region == d.Region {
		return render(c, http.StatusOK, components.SaveStatus(savedStatus(c, d.Version, d.UpdatedAt), false))
	}
	saved, err := s.drafts.Update(ctx, d.ID, held, draft.Input{ProjectID: in.projectID, Region: in.region, Spec: in.doc}, s.author(c))
	var de *draft.Error
	switch {
	case errors.As(err, &de) && de.Code == draft.Conflict:
		return render(c, http.StatusOK, templ.Join(
			components.SaveStatus(i18n.Text{EN: "Not saved: someone else saved first.", ZH: "未保存：他人已先保存。"}.In(lang), false),
			components.ConflictBanner(lang, d.ID, conflictView(lang, de.Current, in.doc), true)))
	case errors.As(err, &de) && de.Code == draft.Invalid:
		return render(c, http.StatusOK, components.SaveStatus(de.Message.In(lang), false))
	case err != nil:
		return err
	}
	return render(c, http.StatusOK, templ.Join(
		components.SaveStatus(savedStatus(c, saved.Version, saved.UpdatedAt), false),
		components.VersionOOB(saved.Version)))
}

// handleSaveCopy serves POST /d/{id}/copy: the posted form as a new draft
// (the way out of a conflict without overwriting anyone).
func (s *Server) handleSaveCopy(c echo.Context) error {
	ctx, d, in, lang, err := s.postedEditor(c)
	if err != nil {
		return err
	}
	if len(in.errs) > 0 {
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	}
	cp, err := s.drafts.Create(ctx, draft.Input{ProjectID: in.projectID, Region: in.region, Spec: in.doc}, s.author(c))
	if err != nil {
		return err
	}
	rememberDraft(c, cp.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+cp.ID+"?saved=1")
}

// handleRotatePage serves POST /d/{id}/share/rotate from the share dialog.
func (s *Server) handleRotatePage(c echo.Context) error {
	d, err := s.drafts.RotateView(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID+"?rotated=1")
}

// handleDownloadSpec serves GET /d/{id}/spec.json: the spec as a file.
func (s *Server) handleDownloadSpec(c echo.Context) error {
	d, err := s.drafts.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", attachment(fileName(d.Spec.Form().Name)+".flowspec.json"))
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, d.Spec.Indented())
}
