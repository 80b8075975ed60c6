package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// page fills what every page needs.
func (s *Server) page(c echo.Context, title i18n.Text) components.Page {
	lang := language(c)
	token, _ := c.Get(csrfContextKey).(string)
	return components.Page{Lang: lang, Title: title.In(lang), CSRF: token, Path: routePath(c),
		Sandbox: s.drafts.Endpoint() == "sandbox"}
}

// routePath is the path of the page being shown, rebuilt from its route
// and parameters — never the raw request path, which could be
// "//evil.example/x" and make the language link leave the site. Unmatched
// paths (404 pages) link to the home page.
func routePath(c echo.Context) string {
	route := c.Path()
	if !strings.HasPrefix(route, "/") || strings.Contains(route, "*") {
		return "/"
	}
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = url.PathEscape(c.Param(p[1:]))
		}
	}
	return strings.Join(parts, "/")
}

// viewerZone is the browser's own time zone: a viewer_tz form or query
// value (app.js fills it), else the ff_tz cookie app.js sets.
func viewerZone(c echo.Context) string {
	if z := c.FormValue("viewer_tz"); z != "" {
		return z
	}
	if ck, err := c.Cookie("ff_tz"); err == nil {
		if z, err := url.QueryUnescape(ck.Value); err == nil {
			return z
		}
	}
	return ""
}

// recentCookie remembers this browser's drafts (edit tokens), newest first.
const recentCookie = "ff_recent"

// maxRecent is how many of the cookie's entries are kept and read.
const maxRecent = 10

func recentDrafts(c echo.Context) []string {
	ck, err := c.Cookie(recentCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	return strings.Split(ck.Value, ".")
}

func rememberDraft(c echo.Context, id string) {
	ids := []string{id}
	for _, other := range recentDrafts(c) {
		if other != id && len(ids) < maxRecent {
			ids = append(ids, other)
		}
	}
	setRecent(c, ids)
}

func setRecent(c echo.Context, ids []string) {
	c.SetCookie(&http.Cookie{Name: recentCookie, Value: strings.Join(ids, "."), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
}

// handleHome serves GET /: templates, this browser's recent drafts, and a
// schedule explainer that works without JavaScript.
func (s *Server) handleHome(c echo.Context) error {
	lang := language(c)
	v := components.HomeView{
		Page:    s.page(c, i18n.Text{EN: "New draft", ZH: "新建草稿"}),
		Explain: s.explain(c.QueryParam("expr"), c.QueryParam("timezone"), viewerZone(c), lang),
	}
	for _, t := range flowspec.Templates {
		tv := components.TemplateView{ID: t.ID, Title: t.Title.In(lang)}
		if f := t.New("x").Form(); f.TriggerType == flowspec.TriggerScheduler {
			tv.Cron = f.Cron
			tv.Description = describe(f.Cron, lang)
		}
		v.Templates = append(v.Templates, tv)
	}
	ip := c.RealIP()
	recent := recentDrafts(c)
	var live []string
	read := 0
	for _, id := range recent {
		// The cookie is the client's to write: read a bounded number of
		// entries, and count unknown ones as misses like any token route.
		if read == maxRecent || s.misses.blocked(ip) > 0 {
			break
		}
		read++
		d, err := s.drafts.Get(c.Request().Context(), id)
		if draft.IsUnknownToken(err) {
			s.misses.take(ip)
		}
		if err != nil {
			continue // deleted or revoked
		}
		live = append(live, id)
		f := d.Spec.Form()
		v.Recent = append(v.Recent, components.RecentDraft{ID: d.ID, Name: f.Name, Cron: f.Cron,
			Updated: d.UpdatedAt.Format("2006-01-02 15:04 UTC")})
	}
	if read == min(len(recent), maxRecent) && len(live) < read {
		// Forget what opened nothing, so that a deleted draft counts as a
		// miss once, not on every visit.
		setRecent(c, live)
	}
	return render(c, http.StatusOK, components.Home(v))
}

// handleCreateDraftPage serves POST /drafts: a new draft from a template.
func (s *Server) handleCreateDraftPage(c echo.Context) error {
	tpl, ok := flowspec.TemplateByID(c.FormValue("template"))
	if !ok {
		tpl = flowspec.Templates[0]
	}
	d, err := s.drafts.Create(c.Request().Context(), draft.Input{Spec: tpl.New("new_workflow")}, s.author(c))
	if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID)
}

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

// handleView serves GET /v/{token}: the read-only review page.
func (s *Server) handleView(c echo.Context) error {
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	d, err := s.drafts.View(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	lang := language(c)
	f := d.Spec.Form()
	l := s.liveView(lang, d.Spec, d.ProjectID, d.Region, viewerZone(c), nil)
	v := components.ReadOnlyView{
		Page:    s.page(c, i18n.Text{EN: f.Name, ZH: f.Name}),
		Token:   c.Param("token"),
		Version: d.Version, Fields: readOnlyFields(lang, f, d), Explain: l.explain, Preview: l.preview,
	}
	return render(c, http.StatusOK, components.ReadOnly(v))
}

// handleViewCopy serves POST /v/{token}/copy: copy to my drafts.
func (s *Server) handleViewCopy(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.drafts.View(ctx, c.Param("token"))
	if err != nil {
		return err
	}
	cp, err := s.drafts.Create(ctx, draft.Input{ProjectID: d.ProjectID, Region: d.Region, Spec: d.Spec}, s.author(c))
	if err != nil {
		return err
	}
	rememberDraft(c, cp.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+cp.ID)
}

func readOnlyFields(lang i18n.Lang, f flowspec.Form, d *draft.Draft) []components.Field {
	t := func(en, zh string) string { return i18n.Text{EN: en, ZH: zh}.In(lang) }
	var fields []components.Field
	add := func(section, label, value string) {
		fields = append(fields, components.Field{Section: section, Label: label, Value: value})
	}
	num := func(n int64) string { return strconv.FormatInt(n, 10) }
	wf, tg, st := t("Workflow", "工作流"), t("Trigger", "触发"), t("Strategy", "调度策略")
	add(wf, t("Name", "名称"), f.Name)
	add(wf, t("Folder", "文件夹"), f.Folder)
	add(wf, t("Description", "描述"), f.Description)
	add(wf, t("Owner", "责任人"), f.Owner)
	add(wf, t("Workspace ProjectId", "工作空间 ProjectId"), d.ProjectID)
	add(wf, t("Region", "地域"), d.Region)
	for _, p := range f.Parameters {
		add(wf, t("Parameter ", "参数 ")+p.Name, p.Type+" · "+p.Value)
	}
	add(tg, t("Trigger type", "触发方式"), f.TriggerType)
	add(tg, t("Cron expression", "Cron 表达式"), f.Cron)
	add(tg, t("Effective from", "生效开始"), f.StartTime)
	add(tg, t("Effective until", "生效结束"), f.EndTime)
	add(tg, t("Time zone", "时区"), f.Timezone)
	add(tg, t("Delay (seconds)", "延迟（秒）"), num(f.DelaySeconds))
	add(st, t("Run state", "运行状态"), f.RecurrenceType)
	add(st, t("Instance generation", "实例生成方式"), f.InstanceMode)
	add(st, t("Rerun", "重跑属性"), f.RerunMode)
	add(st, t("Retries", "重跑次数"), num(f.RerunTimes))
	add(st, t("Retry interval (minutes)", "重跑间隔（分钟）"), num(f.RerunIntervalMinutes))
	add(st, t("Timeout", "超时"), num(f.Timeout)+" "+f.TimeoutUnit)
	add(st, t("When an inner node fails", "内部节点失败时"), f.FailureStrategy)
	add(st, t("Priority", "优先级"), num(f.Priority))
	for _, o := range f.Outputs {
		add(t("Outputs", "输出"), o.RefTableName, o.Data)
	}
	return fields
}

// handleImportPage serves GET /import.
func (s *Server) handleImportPage(c echo.Context) error {
	return render(c, http.StatusOK, components.Import(components.ImportView{Page: s.page(c, i18n.Text{EN: "Import", ZH: "导入"})}))
}

// handleImportPost serves POST /import: "check" shows what import would
// normalise; "create" creates the draft.
func (s *Server) handleImportPost(c echo.Context) error {
	lang := language(c)
	v := components.ImportView{Page: s.page(c, i18n.Text{EN: "Import", ZH: "导入"}), Spec: c.FormValue("spec"), ProjectID: c.FormValue("project_id")}
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err == nil {
			data, _ := io.ReadAll(io.LimitReader(f, maxBody))
			f.Close()
			v.Spec = string(data)
		}
	}
	if strings.TrimSpace(v.Spec) == "" {
		v.Errors = []string{i18n.Text{EN: "Paste a FlowSpec or choose a file.", ZH: "请粘贴 FlowSpec 或选择文件。"}.In(lang)}
		return render(c, http.StatusUnprocessableEntity, components.Import(v))
	}
	doc, notes, err := importSpec([]byte(v.Spec))
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			v.Errors = []string{e.Message.In(lang)}
		}
		return render(c, http.StatusUnprocessableEntity, components.Import(v))
	}
	if c.FormValue("action") != "create" {
		v.Checked = true
		for _, n := range notes {
			v.Warnings = append(v.Warnings, n.Message.In(lang))
		}
		return render(c, http.StatusOK, components.Import(v))
	}
	d, err := s.drafts.Create(c.Request().Context(), draft.Input{ProjectID: strings.TrimSpace(v.ProjectID), Spec: doc}, s.author(c))
	var de *draft.Error
	if errors.As(err, &de) && de.Code == draft.Invalid {
		v.Checked, v.Errors = true, []string{de.Message.In(lang)}
		return render(c, http.StatusUnprocessableEntity, components.Import(v))
	} else if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID)
}

// handleHistory serves GET /d/{id}/history?from=&to=.
func (s *Server) handleHistory(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := s.drafts.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	revs, err := s.drafts.Revisions(ctx, d.ID)
	if err != nil {
		return err
	}
	v := components.HistoryView{Page: s.page(c, i18n.Text{EN: "History of " + d.Spec.Form().Name, ZH: d.Spec.Form().Name + " 的历史"}),
		DraftID: d.ID, Version: d.Version}
	for _, r := range revs {
		v.Revisions = append(v.Revisions, components.RevisionRow{Version: r.Version, Author: r.Author, When: r.CreatedAt.Format("2006-01-02 15:04:05 UTC")})
	}
	from, _ := strconv.ParseInt(c.QueryParam("from"), 10, 64)
	to, _ := strconv.ParseInt(c.QueryParam("to"), 10, 64)
	if from > 0 {
		if to == 0 {
			to = d.Version
		}
		changes, err := s.drafts.Diff(ctx, d.ID, from, to)
		if err != nil {
			return err
		}
		v.From, v.To = from, to
		for _, ch := range changes {
			v.Changes = append(v.Changes, components.ChangeView{Path: ch.Path, Op: string(ch.Op), Theirs: ch.Old, Yours: ch.New})
		}
	}
	return render(c, http.StatusOK, components.History(v))
}

// handleHistoryRestore serves POST /d/{id}/history/restore.
func (s *Server) handleHistoryRestore(c echo.Context) error {
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	expected, _ := strconv.ParseInt(c.FormValue("expected"), 10, 64)
	if version < 1 || expected < 1 {
		return &Error{Status: http.StatusBadRequest, Code: "version", Message: i18n.Text{EN: "choose a version to restore", ZH: "请选择要恢复的版本"}}
	}
	d, err := s.drafts.Restore(c.Request().Context(), c.Param("id"), version, expected, s.author(c))
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID+"?saved=1")
}

// describe is a cron expression in words, or "" when it does not parse.
func describe(expr string, lang i18n.Lang) string {
	if e, err := cron.Parse(expr); err == nil {
		return e.Describe().In(lang)
	}
	return ""
}
