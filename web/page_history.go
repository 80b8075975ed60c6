package web

import (
	"net/http"
	"strconv"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/labstack/echo/v4"
)

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
