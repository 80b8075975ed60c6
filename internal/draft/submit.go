package draft

import (
	"context"
	"errors"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// Submission states: pending → succeeded | failed | unknown.
const (
	Pending   = "pending"
	Succeeded = "succeeded"
	Failed    = "failed"
	Unknown   = "unknown" // the call may or may not have created the workflow
)

// Operations.
const (
	OpCreate = "create"
	OpUpdate = "update"
)

// SubmitRequest is one call to DataWorks.
type SubmitRequest struct {
	Operation  string // OpCreate or OpUpdate
	ProjectID  string
	Region     string
	WorkflowID string // for OpUpdate
	Spec       []byte // compact canonical FlowSpec, exactly as sent
}

// SubmitResult is what came of a call. Messages are already redacted.
type SubmitResult struct {
	State      string // Succeeded, Failed or Unknown
	WorkflowID string
	RequestID  string
	HTTPStatus int
	ErrorCode  string
	Error      string    // redacted error text
	Guidance   i18n.Text // what the analyst should do
}

// Submitter sends specs to DataWorks (implemented by package dataworks).
type Submitter interface {
	Submit(ctx context.Context, req SubmitRequest) SubmitResult
	// Endpoint says where submissions go: "sandbox" or "real".
	Endpoint() string
	// Domain is the DataWorks host a region's calls go to.
	Domain(region string) string
}

// Submission is a recorded submission.
type Submission struct {
	ID           int64
	DraftVersion int64
	Spec         []byte
	ProjectID    string
	Region       string
	Endpoint     string
	Operation    string
	State        string
	WorkflowID   string
	RequestID    string
	HTTPStatus   int
	ErrorCode    string
	Error        string
	Author       string
	CreatedAt    time.Time
	FinishedAt   time.Time
}

// SubmissionStore is what submitting needs from storage; the database
// enforces at most one pending submission per draft.
type SubmissionStore interface {
	// CreateSubmission records a pending submission, or returns
	// ErrPending with the one already pending.
	CreateSubmission(ctx context.Context, key string, s Submission) (Submission, error)
	FinishSubmission(ctx context.Context, s Submission) error
	Submissions(ctx context.Context, key string) ([]Submission, error)
	// AbandonPending marks every pending submission unknown (after a restart
	// the call's outcome cannot be known).
	AbandonPending(ctx context.Context, at time.Time) (int, error)
}

// ErrPending reports a submission already in flight for the draft.
var ErrPending = errors.New("draft: a submission is pending")

// Submit error codes.
const (
	NotReady  Code = "not_submittable" // invalid spec or no ProjectId: nothing sent
	InFlight  Code = "pending"
	Submitted Code = "already_submitted"
	Unsure    Code = "unknown_outcome"
)

// SubmitOptions are the analyst's explicit choices.
type SubmitOptions struct {
	NewWorkflow     bool // create another workflow even though one was created
	AfterUnknown    bool // I checked DataWorks after an unknown outcome; send again
	ExpectedVersion int64
}

// SubmitPlan is what a submission would do, for the confirm page.
type SubmitPlan struct {
	Operation  string
	WorkflowID string      // the workflow an update targets
	Last       *Submission // the last succeeded submission, if any
	LastAny    *Submission // the latest submission of any state
	Report     flowspec.Report
}

// Submissions lists a draft's submissions, newest first.
func (s *Service) Submissions(ctx context.Context, token string) ([]Submission, error) {
	rec, err := s.lookup(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.store.Submissions(ctx, rec.Key)
}

// Endpoint says where submissions go ("sandbox" or "real"), "" when
// submission is not configured.
func (s *Service) Endpoint() string {
	if s.submitter == nil {
		return ""
	}
	return s.submitter.Endpoint()
}

// Domain is the DataWorks host for a region, for showing the request.
func (s *Service) Domain(region string) string {
	if s.submitter == nil {
		return ""
	}
	return s.submitter.Domain(region)
}

// Plan says what submitting the draft now would do.
func (s *Service) Plan(ctx context.Context, token string) (*Draft, SubmitPlan, error) {
	d, err := s.Get(ctx, token)
	if err != nil {
		return nil, SubmitPlan{}, err
	}
	subs, err := s.store.Submissions(ctx, key(token))
	if err != nil {
		return nil, SubmitPlan{}, err
	}
	return d, plan(d, subs, SubmitOptions{}, s.now()), nil
}

func plan(d *Draft, subs []Submission, opts SubmitOptions, now time.Time) SubmitPlan {
	p := SubmitPlan{Operation: OpCreate, Report: d.Validate(now)}
	if len(subs) > 0 {
		p.LastAny = &subs[0]
	}
	for i := range subs {
		if subs[i].State == Succeeded {
			p.Last = &subs[i]
			break
		}
	}
	if p.Last != nil && p.Last.WorkflowID != "" && !opts.NewWorkflow {
		p.Operation, p.WorkflowID = OpUpdate, p.Last.WorkflowID
	}
	return p
}

// Submit sends the draft's current version to DataWorks, recorded as a
// state machine: pending → succeeded | failed | unknown. At most one
// submission per draft is pending (the database enforces it), an unknown
// outcome is never retried without the analyst saying they checked, and a
// version that already succeeded is not sent again unless a new workflow is
// asked for. After a draft created workflow N, submitting updates N.
func (s *Service) Submit(ctx context.Context, token string, opts SubmitOptions, author string) (Submission, error) {
	if s.submitter == nil {
		return Submission{}, invalid("submission is not configured on this server", "此服务器未配置提交")
	}
	d, err := s.Get(ctx, token)
	if err != nil {
		return Submission{}, err
	}
	if opts.ExpectedVersion != d.Version {
		return Submission{}, &Error{Code: Conflict, Current: d, Message: conflictMessage(opts.ExpectedVersion, d.Version)}
	}
	k := key(token)
	subs, err := s.store.Submissions(ctx, k)
	if err != nil {
		return Submission{}, err
	}
	p := plan(d, subs, opts, s.now())
	switch {
	case !p.Report.Valid():
		return Submission{}, &Error{Code: NotReady, Message: i18n.Sprintf("this draft has %d error(s) to fix before it can be submitted; nothing was sent",
			"此草稿有 %d 个错误需先修正才能提交；未发送任何内容", len(p.Report.Errors))}
	case d.ProjectID == "":
		return Submission{}, &Error{Code: NotReady, Message: i18n.Text{EN: "set the workspace ProjectId before submitting; nothing was sent", ZH: "提交前请设置工作空间 ProjectId；未发送任何内容"}}
	case p.LastAny != nil && p.LastAny.State == Pending:
		return Submission{}, &Error{Code: InFlight, Submission: p.LastAny, Message: i18n.Text{
			EN: "a submission of this draft is already in progress; wait for its result", ZH: "此草稿已有提交正在进行；请等待结果"}}
	case p.LastAny != nil && p.LastAny.State == Unknown && !opts.AfterUnknown:
		return Submission{}, &Error{Code: Unsure, Submission: p.LastAny, Message: i18n.Text{
			EN: "the last submission's outcome is unknown: the workflow may exist. Check DataWorks first, then confirm to send again",
			ZH: "上次提交结果未知：工作流可能已创建。请先在 DataWorks 中确认，再确认重新发送"}}
	case p.Last != nil && p.Last.DraftVersion == d.Version && !opts.NewWorkflow:
		return Submission{}, &Error{Code: Submitted, Submission: p.Last, Message: i18n.Sprintf(
			"version %d was already submitted (workflow %s); edit the draft, or ask for a new workflow",
			"版本 %d 已提交（工作流 %s）；请先修改草稿，或明确要求新建工作流", d.Version, p.Last.WorkflowID)}
	}
	doc := d.Spec
	if p.Operation == OpUpdate {
		doc = d.Spec.Clone()
		doc.SetWorkflowID(p.WorkflowID)
	}
	spec := doc.Canonical()
	sub, err := s.store.CreateSubmission(ctx, k, Submission{
		DraftVersion: d.Version, Spec: spec, ProjectID: d.ProjectID, Region: d.Region, Endpoint: s.submitter.Endpoint(),
		Operation: p.Operation, WorkflowID: p.WorkflowID, State: Pending, Author: author, CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	})
	if errors.Is(err, ErrPending) {
		return Submission{}, &Error{Code: InFlight, Submission: &sub, Message: i18n.Text{
			EN: "a submission of this draft is already in progress; wait for its result", ZH: "此草稿已有提交正在进行；请等待结果"}}
	} else if err != nil {
		return Submission{}, err
	}
	res := s.submitter.Submit(ctx, SubmitRequest{Operation: p.Operation, ProjectID: d.ProjectID, Region: d.Region, WorkflowID: p.WorkflowID, Spec: spec})
	sub.State, sub.RequestID, sub.HTTPStatus, sub.ErrorCode, sub.Error = res.State, res.RequestID, res.HTTPStatus, res.ErrorCode, res.Error
	if res.WorkflowID != "" {
		sub.WorkflowID = res.WorkflowID
	}
	sub.FinishedAt = s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.FinishSubmission(context.WithoutCancel(ctx), sub); err != nil {
		return sub, err
	}
	return sub, nil
}

// AbandonPending marks submissions left pending by a stopped server as
// unknown: their calls may or may not have reached DataWorks.
func (s *Service) AbandonPending(ctx context.Context) (int, error) {
	return s.store.AbandonPending(ctx, s.now())
}

// Guidance says what to do about a finished submission.
func Guidance(sub Submission) i18n.Text {
	switch {
	case sub.State == Succeeded:
		return i18n.Text{EN: "Done: the workflow exists in DataWorks. Deploy it from Data Studio when ready.", ZH: "完成：工作流已在 DataWorks 中。准备好后在 Data Studio 中发布。"}
	case sub.State == Unknown:
		return i18n.Text{EN: "The outcome is unknown (the call timed out or the connection failed): the workflow may have been created. Look for it in Data Studio before trying again; FlowForm will not retry on its own.",
			ZH: "结果未知（调用超时或连接失败）：工作流可能已创建。重试前请先在 Data Studio 中查找；FlowForm 不会自动重试。"}
	case sub.State == Pending:
		return i18n.Text{EN: "Waiting for DataWorks.", ZH: "正在等待 DataWorks。"}
	}
	return errorGuidance(sub.ErrorCode)
}

func errorGuidance(code string) i18n.Text {
	switch {
	case code == "Forbidden.Access" || code == "ResourceNotAuthorized.Api" || code == "Forbidden.Not.Server":
		return i18n.Text{EN: "DataWorks refused: the account lacks permission on this workspace, or the workspace's edition or region does not offer this API. Ask the workspace admin.",
			ZH: "DataWorks 拒绝：账号在此工作空间没有权限，或该版本/地域不提供此 API。请联系工作空间管理员。"}
	case code == "InvalidAccessKeyId.NotFound" || code == "SignatureDoesNotMatch" || code == "IncompleteSignature" ||
		len(code) > 20 && code[:20] == "InvalidSecurityToken" || code == "InvalidTimeStamp.Expired":
		return i18n.Text{EN: "The server's Alibaba Cloud credentials were rejected (wrong AccessKey, secret or expired STS token). The operator must fix the credentials; nothing was created.",
			ZH: "服务器的阿里云凭证被拒绝（AccessKey、密钥错误或 STS 令牌过期）。需由运维修正凭证；未创建任何内容。"}
	case len(code) >= 10 && code[:10] == "Throttling":
		return i18n.Text{EN: "DataWorks is throttling requests; FlowForm retried with back-off. Wait a minute and submit again.",
			ZH: "DataWorks 正在限流；FlowForm 已退避重试。请稍等一分钟后再提交。"}
	case len(code) >= 16 && code[:16] == "InvalidParameter" || code == "58014884415":
		return i18n.Text{EN: "DataWorks rejected the spec as invalid; fix the draft (see the message) and submit again.",
			ZH: "DataWorks 认为规范无效；请根据信息修正草稿后重新提交。"}
	}
	return i18n.Text{EN: "DataWorks answered with an error; nothing was created. Try again later, or contact DataWorks support with the RequestId.",
		ZH: "DataWorks 返回错误；未创建任何内容。请稍后重试，或带上 RequestId 联系 DataWorks 支持。"}
}
