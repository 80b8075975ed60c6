package components

import "github.com/a-h/templ"

// NodesView is the editor's Nodes card: the picture, the list and the
// form of the node being edited.
type NodesView struct {
	Rows []NodeRow
	// DAG is the server-drawn SVG picture (escaped by its writer).
	DAG   templ.Component
	Kinds []Option // kinds a new node can have
	Names []string // every node's name, for the upstream suggestions
	Form  *NodeFormView
	// Removed is the node just deleted, for undo.
	Removed *RemovedNode
	// Shape is the summary line: roots, leaves, longest chain.
	Shape string
	// NewName is the new node's name as typed, shown back when adding it
	// was refused.
	NewName string
}

// NodeRow is one line of the node list.
type NodeRow struct {
	Index     int
	Name      string
	Kind      string
	Upstreams string // upstream names, comma-separated
	State     string // run state when not Normal
	Errors    int
	Href      string
	Selected  bool
	Search    string // lower-case text the search box matches
}

// NodeFormView is the form of one node.
type NodeFormView struct {
	Index     int
	ID        string
	Name      string
	Inputs    map[string]FieldView // the node field table's inputs
	Params    []ParamRow
	Outputs   []OutputRow
	Upstreams []UpstreamRow
	// Kept says the kind is not one the form offers: it is shown as its
	// command and kept.
	Kept      bool
	KindLabel string // what the kind is called ("Branch" for CONTROLLER_BRANCH)
	CodeLang  string // sql, python, shell or ""
	// Datasource and Code say whether the kind has them (a value already
	// there is always shown).
	Datasource, Code bool
	Suggested        OutputRow
	// DependencyTypes are the choices of an upstream's type.
	DependencyTypes []Option
	First           bool
	Last            bool
	Count           int
}

// UpstreamRow is one dependency of the node being edited.
type UpstreamRow struct {
	Value    string // the upstream node's name, or the output as typed
	Type     string
	Internal bool // Value names a node of this workflow
}

// RemovedNode is a node just deleted, which Undo puts back.
type RemovedNode struct {
	ID, Name string
	From     int64 // the version that still had it
	// Dependents are the nodes that had it as an upstream, and no longer do.
	Dependents string
}

// PlanView is the delivery plan: the calls submission makes, in order,
// with each one's exact Spec.
type PlanView struct {
	Open    bool // drawn only while its panel is open: it can be large
	Blocked string
	Steps   []PlanStep
	Note    string
}

// PlanStep is one call of the plan.
type PlanStep struct {
	N         int
	Operation string
	Name      string
	After     string // upstream names
	Assigned  string // ids DataWorks fills in
	Spec      string
}
