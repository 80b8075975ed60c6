// Package components holds FlowForm's templ pages. Pages are pure functions
// of the view models defined here; web fills them.
package components

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/a-h/templ"

	"github.com/flowform/flowform/internal/i18n"
)

// Page is what every page needs.
type Page struct {
	Lang  i18n.Lang
	Title string
	Path  string // the current path, for the language switcher
	// Sandbox says submissions go to the in-process fake endpoint.
	Sandbox bool
	Query   string // the current query without lang, kept by the language switcher
	Theme   string // "", "light" or "dark" (remembered; "" follows the system)
}

// ExplainView is a schedule in words with its next runs.
type ExplainView struct {
	Expr        string
	Timezone    string
	ViewerZone  string
	Description string
	FirstRun    string
	Runs        []RunView
	Errors      []string
	Warnings    []string
}

// RunView is one upcoming run in the schedule's zone, the viewer's and UTC.
type RunView struct {
	Local  string
	Viewer string
	UTC    string
	Flag   string
	Note   string
	Mark   string // "Dry run" or "Paused": the run does not do its work
	Offset string // "+08:00"
}

// SummaryView is "What this will do": the workflow in plain words.
type SummaryView struct {
	Name     string
	Schedule string // in words; for a manual workflow, how it runs
	Problem  string // why the schedule cannot be described now
	FirstRun string
	Next     []RunView
	RunState string
	Retries  string
	Timeout  string
	Zone     string
	Window   string
	// Nodes sums up the inner nodes: how many, roots, leaves, the
	// longest chain.
	Nodes    string
	Errors   []Finding
	Warnings []Finding
	// Stale says the form holds values that could not be read: what is
	// shown is the last readable state.
	Stale bool
}

// FieldView is one input of a form, as the field table describes it.
type FieldView struct {
	Name, Label, Help string
	Kind              string // "text", "number", "choice", "time", "radio"
	Unit              string
	Value             string
	Min, Max          string
	List              string // id of a datalist of suggestions
	Options           []Option
	Errors            []string
	// Placeholder is shown while the input is empty: for a node's run
	// setting, the workflow's value it then follows.
	Placeholder string
	// Source says where a run setting's value comes from, in words ("" for
	// other fields).
	Source string
}

// Finding is a validation result shown to the user.
type Finding struct {
	Path    string
	Field   string // the input it belongs to, "" if none
	Message string
	// Href is where the finding is fixed when its input is not on the
	// page (another node's form).
	Href string
}

// PreviewView is the FlowSpec preview panel.
type PreviewView struct {
	Highlighted string // server-highlighted, escaped HTML of the indented spec
	Compact     string // the exact bytes submission sends
	FileName    string
	Errors      []Finding
	Warnings    []Finding
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

// ParamRow is a workflow parameter row.
type ParamRow struct{ Name, Type, Value string }

// OutputRow is a node output row.
type OutputRow struct {
	Data, RefTableName string
	IsDefault          bool
}

// CycleView holds the schedule builder's inputs as typed.
type CycleView struct {
	Kind      string
	Every     string
	StartHour string
	EndHour   string
	Hours     string
	Hour      string
	Minute    string
	Weekdays  []int
	Days      string
	LastDay   bool
	Months    []int
	Day       string
}

// HasWeekday reports whether weekday d is chosen.
func (c CycleView) HasWeekday(d int) bool { return slices.Contains(c.Weekdays, d) }

// HasMonth reports whether month m is chosen.
func (c CycleView) HasMonth(m int) bool { return slices.Contains(c.Months, m) }

// FormView is the editor form's values, as typed (numbers stay text so a
// bad entry is shown back with its error).
type FormView struct {
	Values          map[string]string // field name → value as typed
	Params          []ParamRow
	Outputs         []OutputRow
	Cycle           CycleView
	CronBefore      string
	TriggerBefore   string
	ViewerZone      string
	SuggestedOutput OutputRow // the console's default, for the blank row
}

// Manual says the workflow runs only when started by hand.
func (f FormView) Manual() bool { return f.Values["trigger_type"] == "Manual" }

// EditorView is the editor page.
type EditorView struct {
	Page
	DraftID  string
	Name     string
	Version  int64
	EditURL  string
	ViewURL  string
	Form     FormView
	Inputs   map[string]FieldView // the field table's inputs, by name
	Errors   map[string][]string  // field → messages (form and validation)
	Explain  ExplainView
	Summary  SummaryView
	Preview  PreviewView
	Status   string // "Saved at 10:32", "Not saved: …"
	Conflict *ConflictView
	Zones    []Option
	Regions  []string
	// Rotated says the read-only link was just replaced.
	Rotated bool
	Nodes   NodesView
	Plan    PlanView
}

// ConflictView is shown when someone else saved first.
type ConflictView struct {
	TheirVersion int64
	Changes      []ChangeView // theirs → yours
}

// ReadOnlyView is the review page of a view link.
type ReadOnlyView struct {
	Page
	Token    string
	Version  int64
	Sections []ReadOnlySection
	Explain  ExplainView
	Summary  SummaryView
	Preview  PreviewView
	Nodes    []ReadOnlyNode
	DAG      templ.Component
}

// ReadOnlyNode is one inner node on the read-only page.
type ReadOnlyNode struct {
	Index      int
	Name, Kind string
	Fields     []Field
	Code       string
}

// ReadOnlySection is one titled group of the read-only page.
type ReadOnlySection struct {
	Title  string
	Fields []Field
}

// Field is a label and a value for the read-only page.
type Field struct {
	Label, Value string
}

// SubmitView is the submit confirmation page.
type SubmitView struct {
	Page
	DraftID     string
	Name        string
	Version     int64
	ProjectID   string
	Region      string
	Endpoint    string // "sandbox" or "real"
	Host        string // the DataWorks host of the region
	CanUpdate   bool   // a workflow was created before
	UpToDate    bool   // this version is what the workflow already holds
	WorkflowID  string // the workflow an update targets
	NewWorkflow bool   // the choice shown selected
	Errors      []Finding
	Blocked     string // why submitting is not possible now
	Message     string // the result of a refused submit
	AskUnknown  bool   // the last outcome is unknown: ask for confirmation
	Spec        string // highlighted HTML of the spec that will be sent
	Changes     []ChangeView
	LastVersion int64 // the draft version last submitted
	CLI         string
	GoSnippet   string
	Submissions []SubmissionRow
	OutputsNote string
	// The delivery plan: its calls in order, the nodes DataWorks has that
	// the draft no longer has, and what DataWorks holds now.
	Steps         []StepRow
	Summary       string // the plan in one sentence
	Removed       []RemovedRemote
	DeleteRemoved bool // the choice shown ticked
	LiveChecked   bool // the live workflow was read (an update)
	LiveError     string
	// Changed in DataWorks since the draft last delivered or opened it:
	// what submitting replaces, and what it leaves as it is.
	Console       []ChangeView
	ConsoleKept   []ChangeView
	WillChange    []ChangeView // what the delivery changes in DataWorks
	OverwriteLive bool
}

// StepRow is one call of a delivery.
type StepRow struct {
	Seq                     int
	Action, Name, ID, State string
	Repair                  bool
	Tries                   int
	RequestID, Error, Note  string
	Spec                    string
}

// RemovedRemote is a node DataWorks has that the draft no longer has.
type RemovedRemote struct{ Name, ID string }

// SubmissionRow is one submission in a history.
type SubmissionRow struct {
	ID                                 int64
	When, State, Operation, WorkflowID string
	RequestID, Error, Guidance, Author string
	DraftVersion                       int64
	Endpoint                           string
	Resumable                          bool
	Steps                              []StepRow
}

// ResultView is a submission's result page.
type ResultView struct {
	Page
	DraftID    string
	Submission SubmissionRow
	Message    string // why a resume was refused
}

// ErrorView is a friendly error page.
type ErrorView struct {
	Page
	Status  int
	Message string
}

// tr picks the English or Chinese text.
func tr(lang i18n.Lang, en, zh string) string {
	return i18n.Text{EN: en, ZH: zh}.In(lang)
}

// otherLang is the language the switcher offers.
func otherLang(lang i18n.Lang) (i18n.Lang, string) {
	if lang == i18n.ZH {
		return i18n.EN, "English"
	}
	return i18n.ZH, "简体中文"
}

// langURL is the current page in another language, its query kept.
func langURL(p Page, lang i18n.Lang) string {
	if p.Query != "" {
		return p.Path + "?" + p.Query + "&lang=" + string(lang)
	}
	return p.Path + "?lang=" + string(lang)
}

// themeLabel names the remembered theme.
func themeLabel(p Page) string {
	switch p.Theme {
	case "light":
		return tr(p.Lang, "Theme: light", "主题：浅色")
	case "dark":
		return tr(p.Lang, "Theme: dark", "主题：深色")
	}
	return tr(p.Lang, "Theme: auto", "主题：自动")
}

func itoa(n int) string     { return strconv.Itoa(n) }
func i64(n int64) string    { return strconv.FormatInt(n, 10) }
func errID(f string) string { return "err-" + f }

// fieldClass is a field's class: "field", plus "invalid" when it has errors.
// (A plain string: templ's class-list helpers cost a tenth of the page.)
func fieldClass(errs []string) string {
	if len(errs) > 0 {
		return "field invalid"
	}
	return "field"
}

// stateLabel names a submission state in the page's language.
func stateLabel(lang i18n.Lang, state string) string {
	label, ok := stateLabels[state]
	if !ok {
		return state
	}
	return tr(lang, label[0], label[1])
}

// stateLabels names submission and step states in both languages.
var stateLabels = map[string][2]string{
	"pending": {"pending", "进行中"}, "succeeded": {"succeeded", "成功"}, "failed": {"failed", "失败"},
	"unknown": {"unknown — check DataWorks", "结果未知——请在 DataWorks 中确认"}, "partial": {"stopped part-way", "中途停止"},
	"planned": {"planned", "待发送"}, "sending": {"sending", "发送中"}, "adopted": {"found in DataWorks, adopted", "已在 DataWorks 中找到并采用"},
	"skipped": {"left in DataWorks", "保留在 DataWorks 中"},
}

// OpenView is "Open from DataWorks": a workspace's workflows.
type OpenView struct {
	Page
	ProjectID, Region, Name string
	Manual                  bool
	Regions                 []string
	SandboxProject          string // the sandbox's demo workspace, "" outside it
	Error                   string
	Listed                  bool // a list was read (it may be empty)
	Workflows               []RemoteWorkflowRow
	PageNumber, Total       int
	HasNext                 bool
}

// RemoteWorkflowRow is one workflow in DataWorks.
type RemoteWorkflowRow struct {
	ID, Name, Owner, Path, Type, Modified string
}

// openPageURL is another page of the same workflow search.
func openPageURL(v OpenView, page int) string {
	q := url.Values{"project_id": {v.ProjectID}, "page": {strconv.Itoa(page)}}
	if v.Region != "" {
		q.Set("region", v.Region)
	}
	if v.Name != "" {
		q.Set("name", v.Name)
	}
	if v.Manual {
		q.Set("type", "manual")
	}
	return "/open?" + q.Encode()
}

// opLabel names what a submission does with the workflow.
func opLabel(lang i18n.Lang, op string) string {
	switch op {
	case "create":
		return tr(lang, "create", "新建")
	case "update":
		return tr(lang, "update", "更新")
	}
	return op
}

// endpointLabel names where a submission went.
func endpointLabel(lang i18n.Lang, endpoint string) string {
	switch endpoint {
	case "sandbox":
		return tr(lang, "sandbox", "沙箱")
	case "real":
		return tr(lang, "DataWorks", "DataWorks")
	}
	return endpoint
}
