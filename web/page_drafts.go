package web

import (
	"net/http"
	"strings"

	"github.com/flowform/flowform/internal/draft"
	"github.com/labstack/echo/v4"
)

// noticeCookie carries, across the redirect to the home page, what a
// delete or an undo did: "deleted.<token>" or "restored.<token>". The home
// page shows it once, and only for a draft in this browser's own list.
const noticeCookie = "ff_notice"

func setNotice(c echo.Context, kind, token string) {
	c.SetCookie(&http.Cookie{Name: noticeCookie, Value: kind + "." + token, Path: "/", MaxAge: 600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
}

// takeNotice reads and clears the notice: whether it reports a delete, and
// the draft's edit token ("" for none).
func takeNotice(c echo.Context) (deleted bool, token string) {
	ck, err := c.Cookie(noticeCookie)
	if err != nil {
		return false, ""
	}
	c.SetCookie(&http.Cookie{Name: noticeCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	kind, token, _ := strings.Cut(ck.Value, ".")
	return kind == "deleted", token
}

// handleDeletePage serves POST /d/{id}/delete: a soft delete, then the home
// page with a banner offering undo until the restore window ends.
func (s *Server) handleDeletePage(c echo.Context) error {
	id := c.Param("id")
	if _, err := s.drafts.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	rememberDraft(c, id) // the banner names drafts of this browser's list only
	setNotice(c, "deleted", id)
	return c.Redirect(http.StatusSeeOther, "/")
}

// handleUndeletePage serves POST /d/{id}/undelete: the undo of a delete.
func (s *Server) handleUndeletePage(c echo.Context) error {
	d, err := s.drafts.Undelete(c.Request().Context(), c.Param("id"))
	if draft.IsUnknownToken(err) {
		// Undo pressed twice (or in two tabs): the draft is already back.
		d, err = s.drafts.Get(c.Request().Context(), c.Param("id"))
	}
	if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	setNotice(c, "restored", d.ID)
	return c.Redirect(http.StatusSeeOther, "/")
}

// handleDuplicatePage serves POST /d/{id}/duplicate: a copy of the draft,
// opened in the editor.
func (s *Server) handleDuplicatePage(c echo.Context) error {
	cp, err := s.drafts.Duplicate(c.Request().Context(), c.Param("id"), s.author(c))
	if err != nil {
		return err
	}
	rememberDraft(c, cp.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+cp.ID)
}
