package web

import (
	"net/http"
	"strconv"

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
