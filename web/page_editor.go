package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
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
func (s *Server) editorView(c echo.Context, d *draft.Draft, in *editorInput, status string) components.EditorView {
	lang := language(c)
	doc, form, projectID, region, formErrs := d.Spec, formView(d.Spec.Form(), d.ProjectID, d.Region), d.ProjectID, d.Region, map[string][]string(nil)
	if in != nil {
		doc, form, projectID, region, formErrs = in.doc, in.view, in.projectID, in.region, in.errs
	}
	if form.ViewerZone == "" {
		form.ViewerZone = viewerZone(c)
	}
	l := s.liveView(lang, doc, projectID, region, form.ViewerZone, formErrs)
	base := s.baseURL(c)
	return components.EditorView{
		Page:    s.page(c, i18n.Text{EN: "Edit " + form.Name, ZH: "编辑 " + form.Name}),
		DraftID: d.ID, Version: d.Version, EditURL: base + "/d/" + d.ID, ViewURL: base + "/v/" + d.ViewToken,
		Form: form, Errors: l.errs, Explain: l.explain, Preview: l.preview, Status: status,
		Zones: s.zoneOptions(), Regions: s.regions,
	}
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
		status = savedStatus(language(c), d.Version, d.UpdatedAt)
	}
	return render(c, http.StatusOK, components.Editor(s.editorView(c, d, nil, status)))
}

func savedStatus(lang i18n.Lang, version int64, at time.Time) string {
	return i18n.Sprintf("Saved as version %d at %s UTC", "已保存为版本 %d（UTC %s）", version, at.UTC().Format("15:04:05")).In(lang)
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
		v := s.editorView(c, de.Current, &in, i18n.Text{EN: "Not saved: someone else saved first.", ZH: "未保存：他人已先保存。"}.In(lang))
		v.Conflict = conflictView(de.Current, in.doc)
		v.Version = pageVersion(c) // keep the stale version: saving again must not overwrite
		return render(c, http.StatusPreconditionFailed, components.Editor(v))
	case errors.As(err, &de) && de.Code == draft.Invalid:
		in.errs["project_id"] = append(in.errs["project_id"], de.Message.In(lang))
		return render(c, http.StatusUnprocessableEntity, components.Editor(s.editorView(c, d, &in, notSaved(lang))))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/d/"+saved.ID+"?saved=1")
}

func notSaved(lang i18n.Lang) string {
	return i18n.Text{EN: "Not saved: correct the fields marked in red.", ZH: "未保存：请修正标红的字段。"}.In(lang)
}

// conflictView lists their current spec against the user's.
func conflictView(theirs *draft.Draft, yours *flowspec.Document) *components.ConflictView {
	cv := &components.ConflictView{TheirVersion: theirs.Version}
	for _, ch := range flowspec.Diff(theirs.Spec, yours) {
		cv.Changes = append(cv.Changes, components.ChangeView{Path: ch.Path, Op: string(ch.Op), Theirs: ch.Old, Yours: ch.New})
	}
	return cv
}

// handlePreview serves POST /d/{id}/preview (htmx): the preview panel, with
// the explanation, inline errors and the other half of the schedule editor
// swapped out of band. Nothing is saved.
func (s *Server) handlePreview(c echo.Context) error {
	_, d, in, lang, err := s.postedEditor(c)
	if err != nil {
		return err
	}
	l := s.liveView(lang, in.doc, in.projectID, in.region, in.view.ViewerZone, in.errs)
	source := c.FormValue("source")
	fields := errorFields(in.view)
	parts := []templ.Component{
		components.Preview(lang, l.preview, d.ID),
		components.Explain(lang, l.explain, true),
	}
	switch source {
	case "builder":
		parts = append(parts, components.CronInput(lang, in.view.Cron, l.errs, true))
		fields = append(fields, builderFields(in.view.Cycle.Kind)...)
		fields = removeField(fields, "cron")
	case "cron":
		parts = append(parts, components.Builder(lang, in.view.Cycle, l.errs, true))
	default:
		fields = append(fields, builderFields(in.view.Cycle.Kind)...)
	}
	parts = append(parts, components.FieldErrors(fields, l.errs))
	return render(c, http.StatusOK, templ.Join(parts...))
}

func removeField(fields []string, name string) []string {
	out := fields[:0]
	for _, f := range fields {
		if f != name {
			out = append(out, f)
		}
	}
	return out
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
		return render(c, http.StatusOK, components.SaveStatus(savedStatus(lang, d.Version, d.UpdatedAt), false))
	}
	saved, err := s.drafts.Update(ctx, d.ID, held, draft.Input{ProjectID: in.projectID, Region: in.region, Spec: in.doc}, s.author(c))
	var de *draft.Error
	switch {
	case errors.As(err, &de) && de.Code == draft.Conflict:
		return render(c, http.StatusOK, templ.Join(
			components.SaveStatus(i18n.Text{EN: "Not saved: someone else saved first.", ZH: "未保存：他人已先保存。"}.In(lang), false),
			components.ConflictBanner(lang, d.ID, conflictView(de.Current, in.doc), true)))
	case errors.As(err, &de) && de.Code == draft.Invalid:
		return render(c, http.StatusOK, components.SaveStatus(de.Message.In(lang), false))
	case err != nil:
		return err
	}
	return render(c, http.StatusOK, templ.Join(
		components.SaveStatus(savedStatus(lang, saved.Version, saved.UpdatedAt), false),
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
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID)
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
