package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/labstack/echo/v4"
)

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
