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
	Guidance   i18n.Text // what the analyst should do, decided by the submitter
}

// Submitter sends specs to DataWorks (implemented by package dataworks).
type Submitter interface {
	// Submit makes the call; it returns within MaxDuration, and at once
	// (throttled) when ctx ends during a backoff wait.
	Submit(ctx context.Context, req SubmitRequest) SubmitResult
	// Endpoint says where submissions go: "sandbox" or "real".
	Endpoint() string
	// Domain is the public DataWorks host of a region.
	Domain(region string) string
	// Target is where a region's calls are really sent (scheme://host):
	// the public host, or an endpoint override.
	Target(region string) string
	// MaxDuration bounds one Submit, retries and backoff included.
	MaxDuration() time.Duration
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
	Guidance     i18n.Text // what the analyst should do about this outcome
	Author       string
	CreatedAt    time.Time
	FinishedAt   time.Time
}

// SubmissionStore is what submitting needs from storage; the database
// enforces at most one pending submission per draft.
type SubmissionStore interface {
	// CreateSubmission records a pending submission if the draft's latest
	// submission is still the one with id after (0: none), so that a
	// decision made on stale history is never sent; otherwise it returns
	// ErrPending with the submission in the way.
	CreateSubmission(ctx context.Context, key string, after int64, s Submission) (Submission, error)
	FinishSubmission(ctx context.Context, s Submission) error
	Submissions(ctx context.Context, key string) ([]Submission, error)
	// LatestSubmissions returns, newest first, the draft's latest
	// submission and its latest succeeded one (one row when they are the
	// same, none before the first submit): all a submit decides on.
	LatestSubmissions(ctx context.Context, key string) ([]Submission, error)
	// AbandonPending marks every pending submission unknown with the given
	// guidance (after a stop the call's outcome cannot be known).
	AbandonPending(ctx context.Context, at time.Time, guidance i18n.Text) (int, error)
}

// ErrPending reports a submission already in flight for the draft.
var ErrPending = errors.New("draft: a submission is pending")

// Submit error codes.
const (
	Unavailable Code = "submission_unavailable" // no submitter could be built
	NotReady    Code = "not_submittable"        // invalid spec or no ProjectId: nothing sent
	InFlight    Code = "pending"
	Submitted   Code = "already_submitted"
	Unsure      Code = "unknown_outcome"
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

// Endpoint says where submissions go ("sandbox" or "real"), "" when no
// submitter could be built.
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

// Target is where a region's calls are sent, "" when no submitter could be
// built.
func (s *Service) Target(region string) string {
	if s.submitter == nil {
		return ""
	}
	return s.submitter.Target(region)
}

// Unavailable says why submitting is not possible on this server, or nil.
func (s *Service) Unavailable() *Error {
	if s.submitter != nil {
		return nil
	}
	return s.unavailable()
}

// SubmitDeadline bounds one Submit call, for the HTTP layer's deadlines.
func (s *Service) SubmitDeadline() time.Duration {
	if s.submitter == nil {
		return 0
	}
	return s.submitter.MaxDuration() + finishing
}

// finishing is the time allowed for recording a submission around the call.
const finishing = 10 * time.Second

// unavailable is the answer when no submitter could be built.
func (s *Service) unavailable() *Error {
	why := s.unavailableWhy
	if why == "" {
		why = "no submitter is configured"
	}
	return &Error{Code: Unavailable, Message: i18n.Sprintf("submission is not available on this server (%s); nothing was sent. The operator must fix the configuration and restart FlowForm.",
		"此服务器当前无法提交（%s）；未发送任何内容。需由运维修正配置并重启 FlowForm。", why)}
}

// Plan says what submitting the draft now would do.
func (s *Service) Plan(ctx context.Context, token string) (*Draft, SubmitPlan, error) {
	d, err := s.Get(ctx, token)
	if err != nil {
		return nil, SubmitPlan{}, err
	}
	subs, err := s.store.LatestSubmissions(ctx, key(token))
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
		return Submission{}, s.unavailable()
	}
	d, err := s.Get(ctx, token)
	if err != nil {
		return Submission{}, err
	}
	if opts.ExpectedVersion != d.Version {
		return Submission{}, &Error{Code: Conflict, Current: d, Message: conflictMessage(opts.ExpectedVersion, d.Version)}
	}
	k := key(token)
	subs, err := s.store.LatestSubmissions(ctx, k)
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
	var after int64
	if p.LastAny != nil {
		after = p.LastAny.ID
	}
	sub, err := s.store.CreateSubmission(ctx, k, after, Submission{
		DraftVersion: d.Version, Spec: spec, ProjectID: d.ProjectID, Region: d.Region, Endpoint: s.submitter.Endpoint(),
		Operation: p.Operation, WorkflowID: p.WorkflowID, State: Pending, Guidance: waiting, Author: author, CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	})
	if errors.Is(err, ErrPending) && sub.State != Pending {
		return Submission{}, &Error{Code: InFlight, Submission: &sub, Message: i18n.Text{
			EN: "another submission of this draft was just made; look at its result before submitting again", ZH: "此草稿刚刚有另一次提交；请先查看其结果再提交"}}
	} else if errors.Is(err, ErrPending) {
		return Submission{}, &Error{Code: InFlight, Submission: &sub, Message: i18n.Text{
			EN: "a submission of this draft is already in progress; wait for its result", ZH: "此草稿已有提交正在进行；请等待结果"}}
	} else if err != nil {
		return Submission{}, err
	}
	res := s.submitter.Submit(ctx, SubmitRequest{Operation: p.Operation, ProjectID: d.ProjectID, Region: d.Region, WorkflowID: p.WorkflowID, Spec: spec})
	sub.State, sub.RequestID, sub.HTTPStatus, sub.ErrorCode, sub.Error, sub.Guidance = res.State, res.RequestID, res.HTTPStatus, res.ErrorCode, res.Error, res.Guidance
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
	return s.store.AbandonPending(ctx, s.now(), interrupted)
}

var (
	waiting     = i18n.Text{EN: "Waiting for DataWorks.", ZH: "正在等待 DataWorks。"}
	interrupted = i18n.Text{EN: "FlowForm stopped while this call was in flight, so its outcome is unknown: the workflow may have been created. Look for it in Data Studio before trying again.",
		ZH: "调用进行中 FlowForm 停止了，因此结果未知：工作流可能已创建。重试前请先在 Data Studio 中查找。"}
)
