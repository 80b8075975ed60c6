package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// handleHome serves GET /: the templates and a schedule explainer that works
// without JavaScript (?expr=…&timezone=…).
func (s *Server) handleHome(c echo.Context) error {
	lang := language(c)
	v := components.HomeView{
		Page:    components.Page{Lang: lang, Title: i18n.Text{EN: "Home", ZH: "首页"}.In(lang)},
		Explain: s.explain(c.QueryParam("expr"), c.QueryParam("timezone"), lang),
	}
	for _, t := range flowspec.Templates {
		tv := components.TemplateView{ID: t.ID, Title: t.Title.In(lang)}
		if f := t.New("x").Form(); f.TriggerType == flowspec.TriggerScheduler {
			tv.Cron = f.Cron
			if e, err := cron.Parse(f.Cron); err == nil {
				tv.Description = e.Describe().In(lang)
			}
		}
		v.Templates = append(v.Templates, tv)
	}
	return render(c, http.StatusOK, components.Home(v))
}

// explain fills the explainer; an empty expression shows the default one.
func (s *Server) explain(expr, zone string, lang i18n.Lang) components.ExplainView {
	if expr == "" {
		expr = "00 30 02 * * ?"
	}
	if zone == "" {
		zone = cron.DefaultTimezone
	}
	v := components.ExplainView{Expr: expr, Timezone: zone}
	parsed, err := cron.Parse(expr)
	if err != nil {
		v.Errors = append(v.Errors, fromCron("expr", err).Message.In(lang))
	}
	loc, _, err := cron.LoadZone(zone)
	if err != nil {
		v.Errors = append(v.Errors, fromCron("timezone", err).Message.In(lang))
	}
	if len(v.Errors) > 0 {
		return v
	}
	runs, err := parsed.Next(cron.Query{Location: loc, Now: s.now(), Count: defaultRuns})
	if err != nil {
		v.Errors = append(v.Errors, fromCron("expr", err).Message.In(lang))
		return v
	}
	v.Description, v.CycleType = parsed.Describe().In(lang), parsed.CycleType()
	for _, w := range parsed.Warnings() {
		v.Warnings = append(v.Warnings, w.Message.In(lang))
	}
	for _, r := range runs {
		v.Runs = append(v.Runs, components.RunView{
			Local: r.At.Format("Mon 2006-01-02 15:04 ") + cron.FormatOffset(r.At),
			UTC:   r.At.UTC().Format(time.DateTime),
			Flag:  r.Flag,
			Note:  r.Note.In(lang),
		})
	}
	return v
}
