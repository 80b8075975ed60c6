package draft

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// Submission states: pending → succeeded | failed | unknown | partial.
const (
	Pending   = "pending"
	Succeeded = "succeeded"
	Failed    = "failed"
	Unknown   = "unknown" // a step's outcome could not be told, even by looking
	// Partial: the delivery stopped between steps (FlowForm was stopped or
	// crashed) and every step's outcome is known; it can be resumed.
	Partial = "partial"
)

// Operations: what a submission does with the workflow.
const (
	OpCreate = "create"
	OpUpdate = "update"
)

// SubmitRequest is one write call to DataWorks.
type SubmitRequest struct {
	Action      string // CreateWorkflow … DeleteNode
	ProjectID   string
	Region      string
	ID          string // the workflow or node updated or deleted
	ContainerID string // CreateNode: the workflow the node goes in
	Scene       string // CreateNode
	Spec        []byte // exactly as sent
}

// SubmitResult is what came of a call. Messages are already redacted.
type SubmitResult struct {
	State      string // Succeeded, Failed or Unknown
	ID         string // the Id created, or the one updated
	RequestID  string
	HTTPStatus int
	ErrorCode  string
	Error      string    // redacted error text
	Guidance   i18n.Text // what the analyst should do, decided by the submitter
	Tries      int       // calls made (throttled calls are retried)
}

// Submitter talks to DataWorks (implemented by package dataworks).
type Submitter interface {
	// Submit makes one write call; it returns within MaxDuration, and at
	// once (throttled) when ctx ends during a backoff wait. Only
	// throttling is retried.
	Submit(ctx context.Context, req SubmitRequest) SubmitResult
	// Find looks objects up by their exact name and returns their ids,
	// newest first; DataWorks' name filters are fuzzy, so every page is
	// read and names compared exactly.
	Find(ctx context.Context, l Lookup) (ids []string, err error)
	// Dependencies reads the outputs DataWorks records a node depending
	// on (GetNode); a *RemoteError with NotFound when there is no node.
	Dependencies(ctx context.Context, region, projectID, nodeID string) ([]string, error)
	// Fetch reads a workflow as DataWorks holds it: its definition
	// (GetWorkflowDefinition) and the GetNode answers for inner nodes
	// (ListNodes by ContainerId) the definition lacks.
	Fetch(ctx context.Context, region, projectID, workflowID string) (definition []byte, nodes [][]byte, err error)
	// Workflows lists one page of a workspace's workflows.
	Workflows(ctx context.Context, q WorkflowQuery) (WorkflowPage, error)
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

// Submission is a recorded delivery: its steps and what came of them.
type Submission struct {
	ID           int64
	DraftVersion int64
	Spec         []byte // the draft version delivered, canonical
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
	Steps        []Step // filled by Submission and ClaimOrphans
	DraftKey     string // filled by ClaimOrphans
	// Owner is the FlowForm instance running a pending delivery.
	Owner string
	// Live, on a delivery that succeeded, is the workflow read back from
	// DataWorks; FinishSubmission keeps it as the draft's Delivery.Live.
	Live []byte
}

// Resumable reports whether the delivery stopped part-way and can go on.
func (s Submission) Resumable() bool {
	return s.State == Partial || s.State == Unknown && s.unsettled() >= 0
}

// Count counts the steps in any of the states.
func (s Submission) Count(states ...string) int {
	n := 0
	for _, st := range s.Steps {
		if slices.Contains(states, st.State) {
			n++
		}
	}
	return n
}

// unsettled is the index of the first step not finished, or -1.
func (s Submission) unsettled() int {
	for i, st := range s.Steps {
		if !st.Finished() {
			return i
		}
	}
	return -1
}

// SubmissionStore is what submitting needs from storage; the database
// enforces at most one pending submission per draft.
type SubmissionStore interface {
	// CreateSubmission records a pending submission and its planned steps
	// if the draft's latest submission is still the one with id after (0:
	// none), so that a decision made on stale history is never sent;
	// otherwise it returns ErrPending with the submission in the way.
	CreateSubmission(ctx context.Context, key string, after int64, s Submission) (Submission, error)
	FinishSubmission(ctx context.Context, s Submission) error
	// Submissions lists a draft's submissions, newest first, without steps.
	Submissions(ctx context.Context, key string) ([]Submission, error)
	// Submission reads one submission with its steps.
	Submission(ctx context.Context, key string, id int64) (Submission, error)
	// LatestSubmissions returns, newest first, the draft's latest
	// submission and its latest succeeded one (one row when they are the
	// same, none before the first submit): all a submit decides on.
	LatestSubmissions(ctx context.Context, key string) ([]Submission, error)
	// ResumeSubmission makes a partial or unknown submission pending
	// again, owned by owner, unless another one is pending (ErrPending).
	ResumeSubmission(ctx context.Context, key string, id int64, owner string) (Submission, error)
	// Renew records that instance owner is alive at the given time.
	Renew(ctx context.Context, owner string, at time.Time) error
	// ClaimOrphans makes owner the owner of every pending submission
	// whose owner was last renewed before staleBefore (it crashed or
	// stopped), in one statement, and returns them with their steps and
	// draft keys: the deliveries to settle.
	ClaimOrphans(ctx context.Context, owner string, staleBefore time.Time) ([]Submission, error)

	DeliveryStore
}

// ErrPending reports a submission already in flight for the draft.
var ErrPending = errors.New("draft: a submission is pending")

// ErrNotResumable reports a submission that did not stop part-way, or
// is not the draft's latest.
var ErrNotResumable = errors.New("draft: the submission cannot be resumed")

// Submit error codes.
const (
	Unavailable Code = "submission_unavailable" // no submitter could be built
	NotReady    Code = "not_submittable"        // invalid spec or no ProjectId: nothing sent
	InFlight    Code = "pending"
	Submitted   Code = "already_submitted"
	Unsure      Code = "unknown_outcome"
	// LiveChanged: the workflow was changed in DataWorks since this draft
	// last delivered or opened it; sending over it needs OverwriteLive.
	LiveChanged  Code = "live_changed"
	NotResumable Code = "not_resumable"
)

// SubmitOptions are the analyst's explicit choices.
type SubmitOptions struct {
	NewWorkflow     bool // create another workflow even though one was created
	AfterUnknown    bool // I checked DataWorks after an unknown outcome; send again
	DeleteRemoved   bool // delete in DataWorks the nodes removed from the draft
	OverwriteLive   bool // send although the workflow was changed in DataWorks
	ExpectedVersion int64
}

// SubmitPlan is what a submission would do, for the confirm page.
type SubmitPlan struct {
	Operation  string
	WorkflowID string      // the workflow an update targets
	Last       *Submission // the last succeeded submission, if any
	LastAny    *Submission // the latest submission of any state
	Report     flowspec.Report
	Steps      []Step          // the calls, in order (node specs as planned)
	Removed    []DeliveredNode // nodes in DataWorks the draft no longer has
	Live       *LiveReport     // for an update: what DataWorks holds now
	// Refusals say why DataWorks would refuse the plan part-way; it is
	// not sent while there are any.
	Refusals []i18n.Text
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
