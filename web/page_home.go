package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// browserCookie holds this browser's id, the key to the list of drafts it
// created or opened. The list lives in the database (a cookie cannot hold
// every edit token); see draft.Service.Opened.
const browserCookie = "ff_browser"

// recentCookie is where earlier versions kept this browser's edit tokens
// (at most maxRecent). The next home visit moves them into the list and
// clears it.
const recentCookie = "ff_recent"

// maxRecent is how many of the old cookie's entries are read: it never
// held more, and the cookie is the client's to write.
const maxRecent = 10

// Context keys: this request's browser id once given, and the draft the
// page asked to remember.
const (
	browserContextKey  = "ff.browser"
	rememberContextKey = "ff.remember"
)

// browserID is this browser's id, or "" when it has none yet.
func browserID(c echo.Context) string {
	if id, ok := c.Get(browserContextKey).(string); ok {
		return id
	}
	if ck, err := c.Cookie(browserCookie); err == nil && draft.PlausibleBrowserID(ck.Value) {
		return ck.Value
	}
	return ""
}

// ensureBrowser returns this browser's id, giving it one first if needed.
func ensureBrowser(c echo.Context) string {
	id := browserID(c)
	if id == "" {
		id = draft.NewBrowserID()
		setBrowserCookie(c, id)
	}
	return id
}

// setBrowserCookie (re)sets the id cookie; the home page renews it, so an
// id in use does not expire.
func setBrowserCookie(c echo.Context, id string) {
	c.Set(browserContextKey, id)
	c.SetCookie(&http.Cookie{Name: browserCookie, Value: id, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
}

// rememberDraft asks for the draft with edit token id to join this
// browser's list; s.rememberDrafts writes it once the page has succeeded.
//
// A browser on its first visit (no id yet) gets its id and keeps the draft
// in the recent cookie, which its next home visit moves into the list: a
// visitor that never comes back (a link preview, a crawler, a load test)
// writes nothing to the database.
func rememberDraft(c echo.Context, id string) {
	if browserID(c) != "" {
		c.Set(rememberContextKey, id)
		return
	}
	setBrowserCookie(c, draft.NewBrowserID())
	tokens := []string{id}
	if ck, err := c.Cookie(recentCookie); err == nil {
		for _, t := range strings.Split(ck.Value, ".") {
			if t != id && t != "" && len(tokens) < maxRecent {
				tokens = append(tokens, t)
			}
		}
	}
	c.SetCookie(&http.Cookie{Name: recentCookie, Value: strings.Join(tokens, "."), Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Scheme() == "https"})
}

// rememberDrafts is page middleware: after a page that succeeded, the draft
// it asked to remember joins the browser's list. A failure costs the list
// an entry, not the page, so it is logged (never with a token or an id).
func (s *Server) rememberDrafts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		if token, ok := c.Get(rememberContextKey).(string); ok && err == nil {
			if err := s.drafts.Remember(c.Request().Context(), browserID(c), token); err != nil {
				s.log.Warn("remembering a draft for the home page", "route", c.Path(), "err", err)
			}
		}
		return err
	}
}

// moveRecent moves the old cookie's entries into the browser's list. Its
// unknown tokens count as misses like on any token route; the cookie is
// cleared once every entry it may hold was read.
func (s *Server) moveRecent(c echo.Context, id string) {
	ck, err := c.Cookie(recentCookie)
	if err != nil {
		return
	}
	ctx, ip := c.Request().Context(), c.RealIP()
	tokens := strings.Split(ck.Value, ".")
	for i, token := range tokens {
		if i == maxRecent {
			break
		}
		if s.misses.blocked(ip) > 0 {
			return // keep the cookie for a later visit
		}
		d, err := s.drafts.Get(ctx, token)
		if draft.IsUnknownToken(err) {
			s.misses.take(ip)
			continue // deleted or revoked: forgotten with the cookie
		}
		if err == nil {
			err = s.drafts.Remember(ctx, id, d.ID)
		}
		if err != nil {
			s.log.Warn("moving the recent-drafts cookie into the browser's list", "err", err)
			return
		}
	}
	c.SetCookie(&http.Cookie{Name: recentCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// handleHome serves GET /: templates, this browser's drafts (filtered by
// ?q=), and a schedule explainer that works without JavaScript.
func (s *Server) handleHome(c echo.Context) error {
	v, err := s.homeView(c)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, components.Home(v))
}

func (s *Server) homeView(c echo.Context) (components.HomeView, error) {
	lang := language(c)
	v := components.HomeView{
		Page:    s.page(c, i18n.Text{EN: "Drafts", ZH: "草稿"}),
		Explain: s.explain(c.QueryParam("expr"), c.QueryParam("timezone"), viewerZone(c), lang),
		Filter:  strings.TrimSpace(c.QueryParam("q")),
	}
	id := browserID(c)
	if _, err := c.Cookie(recentCookie); err == nil {
		id = ensureBrowser(c)
		s.moveRecent(c, id)
	} else if id != "" {
		setBrowserCookie(c, id)
	}
	opened, err := s.drafts.Opened(c.Request().Context(), id)
	if err != nil {
		return v, err
	}
	deleted, noticeID := takeNotice(c)
	now, loc := s.now(), viewerLocation(c)
	filter := strings.ToLower(v.Filter)
	taken := map[string]bool{}
	for _, o := range opened {
		f := o.Spec.Form()
		if o.ID == noticeID && deleted == !o.RestoreUntil.IsZero() {
			v.Notice = &components.DraftNotice{Deleted: deleted, ID: o.ID, Name: f.Name}
			if deleted {
				v.Notice.Until, v.Notice.UntilIn, v.Notice.UntilISO = absolute(lang, o.RestoreUntil, loc), relative(lang, now, o.RestoreUntil), o.RestoreUntil.Format(time.RFC3339)
			}
		}
		if !o.RestoreUntil.IsZero() {
			continue
		}
		v.Total++
		taken[f.Name] = true
		row := components.DraftRow{ID: o.ID, Name: f.Name, Cron: f.Cron, Schedule: scheduleWords(f, lang),
			Changed: relative(lang, now, o.UpdatedAt), ChangedAt: absolute(lang, o.UpdatedAt, loc), ChangedISO: o.UpdatedAt.Format(time.RFC3339)}
		row.Search = strings.ToLower(row.Name + " " + row.Cron + " " + row.Schedule)
		if strings.Contains(row.Search, filter) {
			v.Drafts = append(v.Drafts, row)
		}
	}
	for _, t := range flowspec.Templates {
		tv := components.TemplateView{ID: t.ID, Title: t.Title.In(lang), Name: suggestName(t, taken)}
		if f := t.New(tv.Name).Form(); f.TriggerType == flowspec.TriggerScheduler {
			tv.Cron = f.Cron
			tv.Description = describe(f.Cron, lang)
		}
		v.Templates = append(v.Templates, tv)
	}
	return v, nil
}

// scheduleWords is a draft's schedule in words.
func scheduleWords(f flowspec.Form, lang i18n.Lang) string {
	if f.TriggerType != flowspec.TriggerScheduler {
		return i18n.Text{EN: "Runs only when started by hand", ZH: "仅手动运行"}.In(lang)
	}
	return describe(f.Cron, lang)
}

// suggestName is a template's name for a new draft: its id in the
// workflow-name style, numbered past the names this browser's drafts
// already have, so that the list tells them apart.
func suggestName(t flowspec.Template, taken map[string]bool) string {
	base := strings.ReplaceAll(t.ID, "-", "_") + "_workflow"
	name := base
	for n := 2; taken[name]; n++ {
		name = base + "_" + strconv.Itoa(n)
	}
	return name
}

// nameProblem says what is wrong with a new draft's name, by the editor's
// rules: the spec's limits, then validation's errors about the name and
// the folder path made from it.
func nameProblem(doc *flowspec.Document, now time.Time) *i18n.Text {
	if f := doc.CheckLimits(); f != nil {
		return &f.Message
	}
	wf := "spec.workflows[0]."
	for _, f := range doc.Validate(now).Errors {
		if f.Path == wf+"name" || strings.HasPrefix(f.Path, wf+"script") {
			return &f.Message
		}
	}
	return nil
}

// handleCreateDraftPage serves POST /drafts: a new draft from a template,
// with the name typed on its card. A bad name shows the home page again
// with the message at that field, and creates nothing. A form without a
// name field (an older page) gets the suggested name.
func (s *Server) handleCreateDraftPage(c echo.Context) error {
	tpl, ok := flowspec.TemplateByID(c.FormValue("template"))
	if !ok {
		tpl = flowspec.Templates[0]
	}
	typed, named := c.Request().PostForm["name"]
	name := suggestName(tpl, nil)
	if named {
		name = strings.TrimSpace(typed[0])
	}
	doc := tpl.New(name)
	if problem := nameProblem(doc, s.now()); problem != nil {
		v, err := s.homeView(c)
		if err != nil {
			return err
		}
		for i := range v.Templates {
			if v.Templates[i].ID == tpl.ID {
				v.Templates[i].Name, v.Templates[i].Errors = typed[0], []string{problem.In(v.Lang)}
			}
		}
		return render(c, http.StatusUnprocessableEntity, components.Home(v))
	}
	d, err := s.drafts.Create(c.Request().Context(), draft.Input{Spec: doc}, s.author(c))
	if err != nil {
		return err
	}
	rememberDraft(c, d.ID)
	return c.Redirect(http.StatusSeeOther, "/d/"+d.ID)
}

// absolute is a moment in the viewer's zone, named.
func absolute(lang i18n.Lang, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	zone := loc.String()
	if lang == i18n.ZH {
		return t.Format("2006年1月2日 15:04") + "（" + zone + "）"
	}
	return t.Format("2 Jan 2006, 15:04") + " (" + zone + ")"
}

// relative is how far t is from now in words: "5 minutes ago", "in 30
// days".
func relative(lang i18n.Lang, now, t time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if !future {
		d = -d
	}
	if d < time.Minute {
		return i18n.Text{EN: "just now", ZH: "刚刚"}.In(lang)
	}
	day := 24 * time.Hour
	unit, en, zh := time.Minute, "minute", "分钟"
	switch {
	case d >= 365*day:
		unit, en, zh = 365*day, "year", "年"
	case d >= 45*day:
		unit, en, zh = 30*day, "month", "个月"
	case d >= day:
		unit, en, zh = day, "day", "天"
	case d >= time.Hour:
		unit, en, zh = time.Hour, "hour", "小时"
	}
	// Rounded: a restore window of 30 days read a moment later is still
	// "in 30 days", not 29.
	n := int((d + unit/2) / unit)
	if n != 1 {
		en += "s"
	}
	if future {
		return i18n.Sprintf("in %[1]d %[2]s", "%[1]d %[3]s后", n, en, zh).In(lang)
	}
	return i18n.Sprintf("%[1]d %[2]s ago", "%[1]d %[3]s前", n, en, zh).In(lang)
}
