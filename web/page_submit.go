package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
	"github.com/flowform/flowform/internal/kit"
)

func submissionRow(sub draft.Submission, lang i18n.Lang) components.SubmissionRow {
	row := components.SubmissionRow{ID: sub.ID, When: sub.CreatedAt.Format("2006-01-02 15:04:05 UTC"), State: sub.State,
		Operation: sub.Operation, WorkflowID: sub.WorkflowID, RequestID: sub.RequestID, Error: strings.TrimSpace(sub.ErrorCode + " " + sub.Error),
		Guidance: sub.Guidance.In(lang), Author: draft.AuthorName(sub.Author, lang), DraftVersion: sub.DraftVersion, Endpoint: sub.Endpoint,
		Resumable: sub.Resumable()}
	for _, st := range sub.Steps {
		row.Steps = append(row.Steps, stepRow(st, lang))
	}
	return row
}

func stepRow(st draft.Step, lang i18n.Lang) components.StepRow {
	return components.StepRow{Seq: st.Seq, Action: st.Action, Name: st.Name, Repair: st.Repair, ID: st.TargetID, State: st.State,
		Tries: st.Tries, RequestID: st.RequestID, Error: strings.TrimSpace(st.ErrorCode + " " + st.Error), Note: st.Note.In(lang),
		Spec: string(st.Spec)}
}

// submitOptions reads the analyst's choices from the confirm form (or,
// for the page itself, its query).
func submitOptions(c echo.Context) draft.SubmitOptions {
	return draft.SubmitOptions{
		NewWorkflow: c.FormValue("operation") == "new" || c.QueryParam("new") != "", AfterUnknown: c.FormValue("after_unknown") != "",
		DeleteRemoved: c.FormValue("delete_removed") != "", OverwriteLive: c.FormValue("overwrite_live") != "",
	}
}

// submitView builds the confirmation page; message explains a refused submit.
func (s *Server) submitView(c echo.Context, message string, opts draft.SubmitOptions) (components.SubmitView, error) {
	lang := language(c)
	ctx := c.Request().Context()
	d, plan, err := s.drafts.Plan(ctx, c.Param("id"), opts)
	if err != nil {
		return components.SubmitView{}, err
	}
	upToDate := plan.Operation == draft.OpUpdate && plan.Last != nil && plan.Last.DraftVersion == d.Version
	if upToDate {
		// This version is in DataWorks already: the one thing left to do
		// is another workflow, so that is the plan shown.
		opts.NewWorkflow = true
		if d, plan, err = s.drafts.Plan(ctx, c.Param("id"), opts); err != nil {
			return components.SubmitView{}, err
		}
	}
	subs, err := s.drafts.Submissions(ctx, c.Param("id"))
	if err != nil {
		return components.SubmitView{}, err
	}
	dl, err := s.drafts.Delivery(ctx, c.Param("id"))
	if err != nil {
		return components.SubmitView{}, err
	}
	f := d.Spec.Form()
	v := components.SubmitView{
		Page:    s.page(c, i18n.Text{EN: "Submit " + f.Name, ZH: "提交 " + f.Name}),
		DraftID: d.ID, Name: f.Name, Version: d.Version, ProjectID: d.ProjectID, Region: d.Region, Endpoint: s.drafts.Endpoint(), Host: s.drafts.Target(d.Region),
		CanUpdate: dl.For(d.ProjectID), WorkflowID: dl.WorkflowID, NewWorkflow: opts.NewWorkflow, Message: message,
		AskUnknown:    plan.LastAny != nil && (plan.LastAny.State == draft.Unknown || plan.LastAny.State == draft.Partial),
		UpToDate:      upToDate,
		DeleteRemoved: opts.DeleteRemoved, OverwriteLive: opts.OverwriteLive,
	}
	if v.UpToDate && v.Message == "" {
		v.Message = i18n.Sprintf("Version %d is already in DataWorks as workflow %s: edit the draft to send an update, or create another workflow.",
			"版本 %d 已作为工作流 %s 提交到 DataWorks：修改草稿后可发送更新，或新建另一个工作流。", d.Version, plan.Last.WorkflowID).In(lang)
	}
	for _, e := range plan.Report.Errors {
		v.Errors = append(v.Errors, components.Finding{Path: e.Path, Message: e.Message.In(lang)})
	}
	switch unavailable := s.drafts.Unavailable(); {
	case unavailable != nil:
		v.Blocked = unavailable.Message.In(lang)
	case len(v.Errors) > 0:
		v.Blocked = i18n.Text{EN: "This draft cannot be submitted until its errors are fixed.", ZH: "修正错误之前无法提交此草稿。"}.In(lang)
	case d.ProjectID == "":
		v.Blocked = i18n.Text{EN: "Set the workspace ProjectId in the editor first.", ZH: "请先在编辑器中设置工作空间 ProjectId。"}.In(lang)
	case plan.LastAny != nil && plan.LastAny.State == draft.Pending:
		v.Blocked = i18n.Text{EN: "A submission of this draft is in progress.", ZH: "此草稿已有提交正在进行。"}.In(lang)
	case len(plan.Refusals) > 0:
		v.Blocked = plan.Refusals[0].In(lang) + "."
	}
	if len(f.Outputs) > 0 {
		v.OutputsNote = i18n.Text{EN: "Output names must be unique in the workspace; FlowForm does not check existing workflows before sending (V18), DataWorks refuses duplicates at deploy time.",
			ZH: "输出名称在工作空间内必须唯一；FlowForm 发送前不检查已有工作流（V18），DataWorks 会在发布时拒绝重复。"}.In(lang)
	}
	for _, st := range plan.Steps {
		v.Steps = append(v.Steps, stepRow(st, lang))
	}
	for _, n := range plan.Removed {
		v.Removed = append(v.Removed, components.RemovedRemote{Name: n.Name, ID: n.ID})
	}
	if live := plan.Live; live != nil {
		v.LiveChecked, v.LiveError = true, live.Err
		var kept []flowspec.Change
		for _, c := range live.Console {
			if !slices.Contains(live.Overwritten, c) {
				kept = append(kept, c)
			}
		}
		v.Console, v.ConsoleKept = changeViews(live.Overwritten, lang), changeViews(kept, lang)
		v.WillChange = changeViews(live.Changes, lang)
	}
	v.Summary = planSummary(plan, lang)
	v.Spec = highlightJSON(plan.Steps[0].Spec)
	if wf, _, err := flowspec.Import(plan.Steps[0].Spec); err == nil {
		v.Spec = highlightJSON(wf.Indented())
	}
	calls := plan.Kit(d.Spec, dl, d.Spec.Kind() == flowspec.KindManual)
	v.CLI = kit.CLI(d.Region, d.ProjectID, calls)
	v.GoSnippet = kit.Go(d.Region, s.drafts.Domain(d.Region), d.ProjectID, calls)
	if plan.Last != nil {
		v.LastVersion = plan.Last.DraftVersion
		if last, _, err := flowspec.Import(plan.Last.Spec); err == nil {
			// Compare what the analyst wrote: the ids FlowForm writes into
			// a spec for an update are not their change.
			last.SetWorkflowID(plan.WorkflowID)
			now := d.Spec.Clone()
			now.SetWorkflowID(plan.WorkflowID)
			v.Changes = changeViews(flowspec.Diff(last, now), lang)
		}
	}
	for _, sub := range subs {
		v.Submissions = append(v.Submissions, submissionRow(sub, lang))
	}
	return v, nil
}

// handleSubmitPage serves GET /d/{id}/submit: the confirmation page.
func (s *Server) handleSubmitPage(c echo.Context) error {
	v, err := s.submitView(c, "", submitOptions(c))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, components.Submit(v))
}

// handleSubmitPost serves POST /d/{id}/submit: delivers, then shows the
// result page; a refused submit shows the confirmation page again.
func (s *Server) handleSubmitPost(c echo.Context) error {
	opts := submitOptions(c)
	opts.ExpectedVersion = pageVersion(c)
	ctx, cancel := s.submitContext(c)
	defer cancel()
	sub, err := s.drafts.Submit(ctx, c.Param("id"), opts, s.author(c))
	var de *draft.Error
	if errors.As(err, &de) && de.Code != draft.NotFound {
		v, verr := s.submitView(c, de.Message.In(language(c)), opts)
		if verr != nil {
			return verr
		}
		return render(c, fromDraft(de).Status, components.Submit(v))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/d/%s/submissions/%d", c.Param("id"), sub.ID))
}

// handleSubmissionPage serves GET /d/{id}/submissions/{sid}: a result,
// step by step; it refreshes itself while the delivery runs.
func (s *Server) handleSubmissionPage(c echo.Context) error {
	id, err := submissionID(c)
	if err != nil {
		return err
	}
	sub, err := s.drafts.Submission(c.Request().Context(), c.Param("id"), id)
	if err != nil {
		return err
	}
	v := components.ResultView{Page: s.page(c, i18n.Sprintf("Submission %d", "提交 %d", id)),
		DraftID: c.Param("id"), Submission: submissionRow(sub, language(c))}
	if c.QueryParam("refused") != "" {
		// A fixed text per code: the link carries no message of its own.
		why, ok := resumeRefusals[draft.Code(c.QueryParam("refused"))]
		if !ok {
			why = i18n.Text{EN: "The delivery could not be resumed.", ZH: "无法继续此次提交。"}
		}
		v.Message = why.In(language(c))
	}
	return render(c, http.StatusOK, components.Result(v))
}

// resumeRefusals say why a resume from the result page was refused.
var resumeRefusals = map[draft.Code]i18n.Text{
	draft.InFlight:     {EN: "This delivery, or another of this draft, is running; wait for it to end.", ZH: "此次或此草稿的另一次提交正在进行；请等待其结束。"},
	draft.NotResumable: {EN: "This delivery did not stop part-way (or a later one was made), so there is nothing to resume.", ZH: "此次提交并未中途停止（或之后已有新的提交），无需继续。"},
	draft.Unavailable:  {EN: "Submission is not available on this server; nothing was sent.", ZH: "此服务器无法提交；未发送任何内容。"},
}

// handleResumePost serves POST /d/{id}/submissions/{sid}/resume.
func (s *Server) handleResumePost(c echo.Context) error {
	ctx, cancel := s.submitContext(c)
	defer cancel()
	id, err := submissionID(c)
	if err != nil {
		return err
	}
	sub, err := s.drafts.Resume(ctx, c.Param("id"), id)
	var de *draft.Error
	if errors.As(err, &de) && de.Code != draft.NotFound {
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/d/%s/submissions/%d?refused=%s", c.Param("id"), id, url.QueryEscape(string(de.Code))))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/d/%s/submissions/%d", c.Param("id"), sub.ID))
}

// planSummary says in one sentence what a delivery does.
func planSummary(plan draft.SubmitPlan, lang i18n.Lang) string {
	count := map[string]int{}
	calls := 0
	for _, st := range plan.Steps {
		if st.State != draft.StepSkipped {
			count[st.Action]++
			calls++
		}
	}
	var parts []i18n.Text
	for _, p := range []struct {
		action string
		text   i18n.Text
	}{
		{draft.CreateNode, i18n.Text{EN: "create " + plural(count[draft.CreateNode], "node"), ZH: "新建 " + strconv.Itoa(count[draft.CreateNode]) + " 个节点"}},
		{draft.UpdateNode, i18n.Text{EN: "update " + plural(count[draft.UpdateNode], "node") + " with what changed", ZH: "更新 " + strconv.Itoa(count[draft.UpdateNode]) + " 个节点的改动"}},
		{draft.DeleteNode, i18n.Text{EN: "delete " + plural(count[draft.DeleteNode], "node"), ZH: "删除 " + strconv.Itoa(count[draft.DeleteNode]) + " 个节点"}},
	} {
		if count[p.action] > 0 {
			parts = append(parts, p.text)
		}
	}
	head := i18n.Text{EN: "Create the workflow", ZH: "新建工作流"}
	if plan.Operation == draft.OpUpdate {
		head = i18n.Sprintf("Update workflow %s", "更新工作流 %s", plan.WorkflowID)
	}
	en, zh := head.EN, head.ZH
	for _, p := range parts {
		en, zh = en+", "+p.EN, zh+"，"+p.ZH
	}
	if len(parts) == 0 && plan.Operation == draft.OpUpdate {
		en, zh = en+"; no node changed", zh+"；没有节点改动"
	}
	return i18n.Text{EN: en + ": " + plural(calls, "call") + ", in the order above.",
		ZH: zh + "：共 " + strconv.Itoa(calls) + " 次调用，按上方顺序。"}.In(lang)
}

// plural is "1 node", "3 nodes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
