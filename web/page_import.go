package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/labstack/echo/v4"
)

// handleImportPage serves GET /import.
func (s *Server) handleImportPage(c echo.Context) error {
	return render(c, http.StatusOK, components.Import(components.ImportView{Page: s.page(c, i18n.Text{EN: "Import", ZH: "导入"})}))
}

// handleImportPost serves POST /import: "check" lists what import changes
// and what the editor will show; "create" creates the draft.
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
	create := c.FormValue("action") == "create"
	s.checkImport(&v, doc, notes, lang, !create)
	if !v.CanCreate {
		return render(c, http.StatusUnprocessableEntity, components.Import(v))
	}
	if !create {
		return render(c, http.StatusOK, components.Import(v))
	}
	d, err := s.drafts.Create(c.Request().Context(), draft.Input{ProjectID: strings.TrimSpace(v.ProjectID), Spec: doc}, s.author(c))
	var de *draft.Error
	if errors.As(err, &de) && de.Code == draft.Invalid {
		v.CanCreate, v.Errors = false, []string{de.Message.In(lang)}
		return render(c, http.StatusUnprocessableEntity, components.Import(v))
	} else if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID)
}

// checkImport fills in the check: what import changed in the document,
// what the editor will show once the draft exists, and whether creating
// it can succeed. prefill offers the ProjectId the document's metadata
// records when none was entered.
func (s *Server) checkImport(v *components.ImportView, doc *flowspec.Document, notes []flowspec.Finding, lang i18n.Lang, prefill bool) {
	entered := strings.TrimSpace(v.ProjectID)
	if id, from := doc.MetadataProjectID(); id != "" {
		switch {
		case entered == "" && prefill:
			v.ProjectID, v.ProjectIDFrom, entered = id, from, id
		case entered != "" && entered != id:
			v.DocumentProjectID = id
		}
	}
	v.Checked = true
	line := func(f flowspec.Finding) components.ImportFinding {
		return components.ImportFinding{Path: f.Path, Message: f.Message.In(lang)}
	}
	for _, n := range notes {
		v.Normalised = append(v.Normalised, line(n))
	}
	// Creating refuses these (draft.Service.check); say so now.
	for _, f := range []*flowspec.Finding{flowspec.CheckProjectID(entered), doc.CheckLimits()} {
		if f != nil {
			v.Errors = append(v.Errors, f.Message.In(lang))
		}
	}
	v.CanCreate = len(v.Errors) == 0
	// The editor's own findings (liveView), on the document it will read
	// back: import is a fixed point, so that is this document.
	l := s.liveView(lang, storedInput(&draft.Draft{Spec: doc, ProjectID: entered}))
	for _, f := range l.summary.Errors {
		if f.Field != "project_id" { // already above, as why creating fails
			v.EditorErrors = append(v.EditorErrors, components.ImportFinding{Path: f.Path, Message: f.Message})
		}
	}
	for _, f := range l.summary.Warnings {
		v.EditorWarnings = append(v.EditorWarnings, components.ImportFinding{Path: f.Path, Message: f.Message})
	}
}
