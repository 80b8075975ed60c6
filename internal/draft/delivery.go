package draft

import (
	"context"
	"strconv"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// Actions: the DataWorks operations a delivery step calls.
const (
	CreateWorkflow = "CreateWorkflowDefinition"
	UpdateWorkflow = "UpdateWorkflowDefinition"
	CreateNode     = "CreateNode"
	UpdateNode     = "UpdateNode"
	DeleteNode     = "DeleteNode"
)

// Step states: planned → sending → succeeded | adopted | failed | unknown;
// skipped for a removed node the analyst chose to leave in DataWorks.
const (
	StepPlanned = "planned"
	// StepSending is recorded before the call is made, so a step found in
	// it after a crash may or may not have been executed.
	StepSending = "sending"
	StepDone    = "succeeded"
	// StepAdopted: the call's outcome was unknown, and FlowForm found the
	// object it creates in DataWorks and took its Id.
	StepAdopted = "adopted"
	StepFailed  = "failed"
	StepUnknown = "unknown"
	StepSkipped = "skipped"
)

// Step is one call of a delivery, recorded before it is sent and after it
// answers.
type Step struct {
	Seq    int
	Action string
	Node   string // the node's id in the draft; "" for the workflow
	Name   string
	// Repair marks an UpdateNode that sets again dependencies DataWorks
	// dropped on creation.
	Repair bool
	// TargetID is the object updated or deleted, or the Id created or
	// adopted.
	TargetID   string
	Spec       []byte // the exact Spec sent (as planned until it is sent)
	State      string
	Tries      int // calls made for the step, lookups excluded
	RequestID  string
	HTTPStatus int
	ErrorCode  string
	Error      string    // redacted
	Note       i18n.Text // what FlowForm verified or looked for in DataWorks, and found
	StartedAt  time.Time
	FinishedAt time.Time
}

// Finished reports whether the step's outcome is settled and it is never
// sent again.
func (st Step) Finished() bool {
	return st.State == StepDone || st.State == StepAdopted || st.State == StepSkipped
}

// Delivery is what a draft holds in DataWorks: the workflow it created or
// opened, and that workflow's nodes.
type Delivery struct {
	ProjectID  string
	Region     string
	WorkflowID string
	// Live is the workflow as DataWorks last showed it (read back after a
	// delivery, or when it was opened), to tell whether someone changed
	// it since.
	Live  []byte
	Nodes []DeliveredNode
}

// DeliveredNode is a node of the draft that exists in DataWorks.
type DeliveredNode struct {
	Local string // its id in the draft
	ID    string // its id in DataWorks
	Name  string
	// Sent is the node's spec as DataWorks last received or showed it: an
	// update sends only what differs from it.
	Sent []byte
}

// For reports whether the delivery's workflow is the one a draft in this
// workspace updates.
func (dl Delivery) For(projectID string) bool {
	return dl.WorkflowID != "" && dl.ProjectID == projectID
}

func (dl Delivery) node(local string) (DeliveredNode, bool) {
	for _, n := range dl.Nodes {
		if n.Local == local {
			return n, true
		}
	}
	return DeliveredNode{}, false
}

// ids maps each delivered node's draft id to its DataWorks id.
func (dl Delivery) ids() map[string]string {
	m := make(map[string]string, len(dl.Nodes))
	for _, n := range dl.Nodes {
		if n.Local != n.ID {
			m[n.Local] = n.ID
		}
	}
	return m
}

// DeliveryChange is what a finished step changes in a draft's Delivery;
// the store applies it in the step's transaction, so an Id DataWorks
// assigned is never lost.
type DeliveryChange struct {
	// Workflow, when set, records the workflow (ProjectID, Region,
	// WorkflowID); a different workflow than before forgets the nodes.
	Workflow *Delivery
	Node     *DeliveredNode // recorded or replaced
	Forget   string         // the draft id of a node deleted in DataWorks
}

// DeliveryStore is what delivering needs from storage.
type DeliveryStore interface {
	// Delivery returns what the draft holds in DataWorks (zero before
	// anything was delivered or opened).
	Delivery(ctx context.Context, key string) (Delivery, error)
	// StartStep records that a step of a pending submission is about to
	// be sent: state sending, its exact Spec, its try count.
	StartStep(ctx context.Context, submission int64, st Step) error
	// FinishStep records a step's outcome and applies change, together.
	FinishStep(ctx context.Context, key string, submission int64, st Step, change DeliveryChange) error
	// AddStep appends a step to a pending submission.
	AddStep(ctx context.Context, submission int64, st Step) error
	// Claimed returns which of the workflow ids another draft holds.
	Claimed(ctx context.Context, key string, workflowIDs []string) (map[string]bool, error)
}

// RemoteError is a read from DataWorks that failed; its message is
// redacted.
type RemoteError struct {
	Code     string
	Message  string
	NotFound bool // DataWorks answered that the object does not exist
}

func (e *RemoteError) Error() string { return e.Code + ": " + e.Message }

// Lookup asks DataWorks for an object by its exact name: a workflow of
// the workspace, or, with ContainerID, a node of that workflow.
type Lookup struct {
	Region, ProjectID string
	Name              string
	Manual            bool   // a manual workflow (ListWorkflowDefinitions Type)
	ContainerID       string // the workflow a node is in
	Path              string // the workflow's script path, to tell same-named ones apart
	// Since leaves out objects created before it: they are not the
	// outcome of the call looked up.
	Since time.Time
}

// WorkflowQuery is one page of a workspace's workflows.
type WorkflowQuery struct {
	Region, ProjectID string
	Name              string // DataWorks matches it fuzzily
	Manual            bool
	Page              int // from 1
	PageSize          int // at most 100
}

// RemoteWorkflow is a workflow as ListWorkflowDefinitions shows it.
type RemoteWorkflow struct {
	ID, Name, Owner, Path, Type string
	ModifiedAt                  time.Time
}

// WorkflowPage is one page of a workspace's workflows.
type WorkflowPage struct {
	Workflows []RemoteWorkflow
	Page      int
	PageSize  int
	Total     int
}

// liveDocument assembles what Fetch read into one document, read again
// from its bytes as a stored draft is, so that both compare equal.
func liveDocument(definition []byte, nodes [][]byte) (*flowspec.Document, error) {
	doc, _, err := flowspec.Assemble(definition, nodes)
	if err != nil {
		return nil, err
	}
	doc, _, err = flowspec.Import(doc.Canonical())
	return doc, err
}

// KitCall is one call of a delivery as a request kit writes it (the
// aliyun CLI script and the Go program): a value DataWorks assigns during
// the delivery appears in Spec and ID as Placeholder(name), where name is
// WorkflowVar or the Captures of an earlier call.
type KitCall struct {
	Action      string
	Name        string
	ID          string // the workflow or node updated or deleted; may be a placeholder
	ContainerID string // CreateNode; a placeholder while the workflow is created by the kit
	Scene       string
	Spec        string // "" for DeleteNode
	Captures    string // the variable the answer's Id is kept in, "" when none
}

// WorkflowVar names the workflow's Id in a kit.
const WorkflowVar = "WORKFLOW_ID"

// Placeholder marks where a kit substitutes a variable.
func Placeholder(name string) string { return "@@flowform:" + name + "@@" }

// Kit is the plan's calls for a request kit, in order: created objects'
// Ids are captured and used by the calls after them.
func (p SubmitPlan) Kit(doc *flowspec.Document, dl Delivery, manual bool) []KitCall {
	ids := dl.ids()
	if p.Operation != OpUpdate {
		ids = map[string]string{}
		dl = Delivery{}
	}
	workflow := p.WorkflowID
	var calls []KitCall
	for _, st := range p.Steps {
		if st.State == StepSkipped {
			continue
		}
		c := KitCall{Action: st.Action, Name: st.Name, ID: st.TargetID, Spec: string(st.Spec)}
		switch st.Action {
		case CreateWorkflow:
			c.Captures, workflow = WorkflowVar, Placeholder(WorkflowVar)
		case CreateNode, UpdateNode:
			if i, ok := doc.NodeIndex(st.Node); ok {
				full := doc.WithIDs(ids).NodeSpec(i)
				c.Spec = string(full)
				if n, ok := dl.node(st.Node); ok && st.Action == UpdateNode {
					if spec, _, changed := flowspec.NodeUpdate(n.Sent, full); changed {
						c.Spec = string(spec)
					}
				}
			}
			if st.Action == CreateNode {
				c.ContainerID, c.Scene = workflow, "DATAWORKS_PROJECT"
				if manual {
					c.Scene = "DATAWORKS_MANUAL_WORKFLOW"
				}
				c.Captures = "NODE_" + strconv.Itoa(st.Seq)
				ids[st.Node] = Placeholder(c.Captures)
			}
		case DeleteNode:
			c.Spec = ""
		}
		calls = append(calls, c)
	}
	return calls
}
