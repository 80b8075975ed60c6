package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/flowform/flowform/components"
	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

func submissionRow(sub draft.Submission, lang i18n.Lang) components.SubmissionRow {
	return components.SubmissionRow{ID: sub.ID, When: sub.CreatedAt.Format("2006-01-02 15:04:05 UTC"), State: sub.State,
		Operation: sub.Operation, WorkflowID: sub.WorkflowID, RequestID: sub.RequestID, Error: strings.TrimSpace(sub.ErrorCode + " " + sub.Error),
		Guidance: sub.Guidance.In(lang), Author: draft.AuthorName(sub.Author, lang), DraftVersion: sub.DraftVersion, Endpoint: sub.Endpoint}
}

// submitView builds the confirmation page; message explains a refused submit.
func (s *Server) submitView(c echo.Context, message string, newWorkflow bool) (components.SubmitView, error) {
	lang := language(c)
	d, plan, err := s.drafts.Plan(c.Request().Context(), c.Param("id"))
	if err != nil {
		return components.SubmitView{}, err
	}
	subs, err := s.drafts.Submissions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return components.SubmitView{}, err
	}
	f := d.Spec.Form()
	v := components.SubmitView{
		Page:    s.page(c, i18n.Text{EN: "Submit " + f.Name, ZH: "提交 " + f.Name}),
		DraftID: d.ID, Name: f.Name, Version: d.Version, ProjectID: d.ProjectID, Region: d.Region, Endpoint: s.drafts.Endpoint(), Host: s.drafts.Target(d.Region),
		CanUpdate: plan.Operation == draft.OpUpdate, WorkflowID: plan.WorkflowID, NewWorkflow: newWorkflow, Message: message,
		AskUnknown: plan.LastAny != nil && plan.LastAny.State == draft.Unknown,
		UpToDate:   plan.Last != nil && plan.Last.DraftVersion == d.Version,
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
	}
	if len(f.Outputs) > 0 {
		v.OutputsNote = i18n.Text{EN: "Output names must be unique in the workspace; FlowForm does not check existing workflows before sending (V18), DataWorks refuses duplicates at deploy time.",
			ZH: "输出名称在工作空间内必须唯一；FlowForm 发送前不检查已有工作流（V18），DataWorks 会在发布时拒绝重复。"}.In(lang)
	}
	doc := d.Spec
	if v.CanUpdate && !newWorkflow {
		doc = d.Spec.Clone()
		doc.SetWorkflowID(plan.WorkflowID)
	}
	v.Spec = highlightJSON(doc.Indented())
	compact := string(doc.Canonical())
	op := "CreateWorkflowDefinition"
	if v.CanUpdate && !newWorkflow {
		op = "UpdateWorkflowDefinition"
	}
	v.CLI = cliCommand(op, d.Region, d.ProjectID, plan.WorkflowID, compact)
	v.GoSnippet = goSnippet(op, d.Region, s.drafts.Domain(d.Region), d.ProjectID, plan.WorkflowID, compact)
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
	v, err := s.submitView(c, "", c.QueryParam("new") != "")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, components.Submit(v))
}

// handleSubmitPost serves POST /d/{id}/submit: submits, then shows the
// result page; a refused submit shows the confirmation page again.
func (s *Server) handleSubmitPost(c echo.Context) error {
	newWorkflow := c.FormValue("operation") == "new"
	s.allowSubmitTime(c)
	sub, err := s.drafts.Submit(c.Request().Context(), c.Param("id"), draft.SubmitOptions{
		ExpectedVersion: pageVersion(c), NewWorkflow: newWorkflow, AfterUnknown: c.FormValue("after_unknown") != "",
	}, s.author(c))
	var de *draft.Error
	if errors.As(err, &de) && de.Code != draft.NotFound {
		v, verr := s.submitView(c, de.Message.In(language(c)), newWorkflow)
		if verr != nil {
			return verr
		}
		return render(c, fromDraft(de).Status, components.Submit(v))
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/d/%s/submissions/%d", c.Param("id"), sub.ID))
}

// handleSubmissionPage serves GET /d/{id}/submissions/{sid}: a result.
func (s *Server) handleSubmissionPage(c echo.Context) error {
	id, _ := strconv.ParseInt(c.Param("sid"), 10, 64)
	subs, err := s.drafts.Submissions(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	lang := language(c)
	for _, sub := range subs {
		if sub.ID == id {
			return render(c, http.StatusOK, components.Result(components.ResultView{
				Page:    s.page(c, i18n.Sprintf("Submission %d", "提交 %d", id)),
				DraftID: c.Param("id"), Submission: submissionRow(sub, lang)}))
		}
	}
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: i18n.Text{EN: "no such submission", ZH: "没有这条提交记录"}}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// cliCommand is the aliyun CLI call equivalent to the submission. It names
// no --version: the official CLI refuses any version its meta/versions.json
// does not list ("unchecked version"), which has never listed
// dataworks-public, and it already defaults to 2024-05-18 and POST.
func cliCommand(op, region, projectID, workflowID, spec string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "aliyun dataworks-public %s --region %s \\\n  --ProjectId %s", op, shellQuote(region), shellQuote(projectID))
	if op == "UpdateWorkflowDefinition" {
		fmt.Fprintf(&b, " \\\n  --Id %s", shellQuote(workflowID))
	}
	fmt.Fprintf(&b, " \\\n  --Spec %s", shellQuote(spec))
	return b.String()
}

// goSnippet is the same call with the Go SDK, as FlowForm makes it.
func goSnippet(op, region, domain, projectID, workflowID, spec string) string {
	idLine := ""
	if op == "UpdateWorkflowDefinition" {
		idLine = fmt.Sprintf("\treq.FormParams[\"Id\"] = %s\n", strconv.Quote(workflowID))
	}
	return fmt.Sprintf(`package main

import (
	"fmt"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

func main() {
	// Credentials from the default chain (ALIBABA_CLOUD_ACCESS_KEY_ID, …).
	client, err := sdk.NewClientWithOptions(%[2]s, sdk.NewConfig().WithScheme(requests.HTTPS), nil)
	if err != nil {
		panic(err)
	}
	req := requests.NewCommonRequest()
	req.Method = requests.POST
	req.Scheme = requests.HTTPS
	req.Domain = %[3]s
	req.Version = "2024-05-18"
	req.ApiName = %[1]s
	req.FormParams["ProjectId"] = %[4]s
%[5]s	req.FormParams["Spec"] = %[6]s
	resp, err := client.ProcessCommonRequest(req)
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.GetHttpContentString())
}
`, strconv.Quote(op), strconv.Quote(region), strconv.Quote(domain), strconv.Quote(projectID), idLine, strconv.Quote(spec))
}
