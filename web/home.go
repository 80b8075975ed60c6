package web

import (
	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/cron"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// explain fills the home page's explainer; an empty expression shows the
// default one.
func (s *Server) explain(expr, zone, viewer string, lang i18n.Lang) components.ExplainView {
	if expr == "" {
		expr = "00 30 02 * * ?"
	}
	if zone == "" {
		zone = cron.DefaultTimezone
	}
	var problems []string
	if _, err := cron.Parse(expr); err != nil {
		problems = append(problems, errText(err).In(lang))
	}
	if _, _, err := cron.LoadZone(zone); err != nil {
		problems = append(problems, errText(err).In(lang))
	}
	if len(problems) > 0 {
		return components.ExplainView{Expr: expr, Timezone: zone, Errors: problems}
	}
	x := s.explainSchedule(lang, flowspec.Form{Cron: expr, Timezone: zone, InstanceMode: "T+1"}, "", viewer, false)
	x.Expr = expr
	return x
}
