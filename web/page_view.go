package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/a-h/templ"
	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/labstack/echo/v4"
)

// handleView serves GET /v/{token}: the read-only review page.
func (s *Server) handleView(c echo.Context) error {
	c.Response().Header().Set("Referrer-Policy", "no-referrer")
	d, err := s.drafts.View(c.Request().Context(), c.Param("token"))
	if err != nil {
		return err
	}
	return s.renderCached(c, s.pageKey(c, d.Version, d.ViewToken), func() templ.Component {
		lang := language(c)
		in := storedInput(d)
		in.view.ViewerZone = viewerZone(c)
		l := s.liveView(lang, in)
		name := d.Spec.Form().Name
		v := components.ReadOnlyView{
			Page:    s.page(c, i18n.Text{EN: name, ZH: name}),
			Token:   c.Param("token"),
			Version: d.Version, Sections: readOnlySections(lang, d.Spec.Form(), in.view), Explain: l.explain, Summary: l.summary, Preview: l.preview,
			Nodes: readOnlyNodes(lang, d.Spec),
			DAG:   dagPicture(lang, d.Spec.Graph(), -1, func(i int) string { return "#node-" + strconv.Itoa(i) }),
		}
		return components.ReadOnly(v)
	})
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

// sectionTitles are the read-only page's groups, in the editor's order.
var sectionTitles = []struct {
	section flowspec.Section
	title   i18n.Text
}{
	{flowspec.SectionWorkflow, i18n.Text{EN: "Workflow", ZH: "工作流"}},
	{flowspec.SectionTrigger, i18n.Text{EN: "Schedule", ZH: "调度"}},
	{flowspec.SectionStrategy, i18n.Text{EN: "When it runs", ZH: "运行策略"}},
	{flowspec.SectionOutputs, i18n.Text{EN: "Outputs", ZH: "输出"}},
}

// readOnlySections lists every field of the table by its label, with its
// value in the form's words and units. A manual workflow has no schedule
// fields to show.
func readOnlySections(lang i18n.Lang, f flowspec.Form, v components.FormView) []components.ReadOnlySection {
	var out []components.ReadOnlySection
	for _, st := range sectionTitles {
		sec := components.ReadOnlySection{Title: st.title.In(lang)}
		for _, fl := range flowspec.Fields {
			if fl.Section != st.section {
				continue
			}
			switch {
			case fl.Name == "param":
				for _, p := range f.Parameters {
					sec.Fields = append(sec.Fields, components.Field{Label: fl.Label.In(lang) + " “" + p.Name + "”", Value: p.Type + " · " + p.Value})
				}
			case fl.Name == "output":
				for i, o := range f.Outputs {
					label := fl.Label.In(lang) + " " + strconv.Itoa(i+1)
					if o.RefTableName != "" {
						label += " (" + o.RefTableName + ")"
					}
					sec.Fields = append(sec.Fields, components.Field{Label: label, Value: o.Data})
				}
			case fl.Name == "timeout_unit":
				// said with the timeout: "90 seconds"
			case fl.Name == "timeout" && v.Values[fl.Name] != "0":
				unit, _ := flowspec.FieldNamed("timeout_unit")
				sec.Fields = append(sec.Fields, components.Field{Label: fl.Label.In(lang), Value: v.Values[fl.Name] + " " + unit.ChoiceLabel(v.Values["timeout_unit"], lang)})
			case fl.Section == flowspec.SectionTrigger && fl.Name != "trigger_type" && f.TriggerType == flowspec.TriggerManual:
			default:
				sec.Fields = append(sec.Fields, components.Field{Label: fl.Label.In(lang), Value: readOnlyValue(lang, fl, v.Values[fl.Name])})
			}
		}
		if len(sec.Fields) > 0 {
			out = append(out, sec)
		}
	}
	return out
}

// readOnlyValue is a form value as a reviewer reads it: choices by their
// label, numbers with their unit, empty values said.
func readOnlyValue(lang i18n.Lang, fl *flowspec.Field, value string) string {
	switch {
	case value == "" && fl.Kind == flowspec.KindTime:
		if fl.Name == "start_time" {
			return i18n.Text{EN: "(from the start)", ZH: "（立即生效）"}.In(lang)
		}
		return i18n.Text{EN: "(no end)", ZH: "（永久有效）"}.In(lang)
	case value == "" && fl.Kind != flowspec.KindChoice:
		return i18n.Text{EN: "(not set)", ZH: "（未设置）"}.In(lang)
	case fl.Kind == flowspec.KindTime:
		return strings.Replace(value, "T", " ", 1)
	case fl.Kind == flowspec.KindChoice:
		return fl.ChoiceLabel(value, lang)
	case fl.Name == "timeout" && value == "0":
		return i18n.Text{EN: "None", ZH: "不限"}.In(lang)
	case fl.Kind == flowspec.KindNumber && fl.Unit.Name.EN != "":
		return value + " " + fl.Unit.Name.In(lang)
	}
	return value
}
