package web

import (
	"net/http"
	"strings"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/labstack/echo/v4"
)

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
