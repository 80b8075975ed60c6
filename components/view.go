// Package components holds FlowForm's templ pages. Pages are pure functions
// of the view models defined here; web fills them.
package components

import (
	"slices"
	"strconv"

	"github.com/flowform/flowform/internal/i18n"
)

// Page is what every page needs.
type Page struct {
	Lang  i18n.Lang
	Title string
	CSRF  string // the CSRF token for forms and htmx
	Path  string // the current path, for the language switcher
	// Sandbox says submissions go to the in-process fake endpoint.
	Sandbox bool
}

// ExplainView is a schedule in words with its next runs.
type ExplainView struct {
	Expr        string
	Timezone    string
	ViewerZone  string
	Description string
	CycleType   string
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
}

// Finding is a validation result shown to the user.
type Finding struct {
	Path    string
	Field   string // the input it belongs to, "" if none
	Message string
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
	Name, Folder, Description, Owner, ProjectID, Region string
	Params                                              []ParamRow
	TriggerType                                         string
	Cycle                                               CycleView
	Cron, CronBefore                                    string
	StartTime, EndTime, Timezone, DelaySeconds          string
	RecurrenceType, InstanceMode, RerunMode             string
	RerunTimes, RerunInterval                           string
	Timeout, TimeoutUnit, FailureStrategy               string
	Priority, PriorityWeight                            string
	Outputs                                             []OutputRow
	ViewerZone                                          string
	SuggestedOutput                                     OutputRow // the console's default, for the blank row
}

// EditorView is the editor page.
type EditorView struct {
	Page
	DraftID  string
	Version  int64
	EditURL  string
	ViewURL  string
	Form     FormView
	Errors   map[string][]string // field → messages (form and validation)
	Explain  ExplainView
	Preview  PreviewView
	Status   string // "Saved at 10:32", "Not saved: …"
	Conflict *ConflictView
	Zones    []Option
	Regions  []string
}

// ConflictView is shown when someone else saved first.
type ConflictView struct {
	TheirVersion int64
	Changes      []ChangeView // theirs → yours
}

// ChangeView is one field-level difference.
type ChangeView struct{ Path, Op, Theirs, Yours string }

// ReadOnlyView is the review page of a view link.
type ReadOnlyView struct {
	Page
	Token   string
	Version int64
	Fields  []Field
	Explain ExplainView
	Preview PreviewView
}

// Field is a label and a value for the read-only page.
type Field struct {
	Section, Label, Value string
}

// ImportView is the import page.
type ImportView struct {
	Page
	Spec      string
	ProjectID string
	Warnings  []string
	Errors    []string
	Checked   bool // the spec was read; offer to create
}

// HistoryView is a draft's history page.
type HistoryView struct {
	Page
	DraftID   string
	Version   int64
	Revisions []RevisionRow
	From, To  int64
	Changes   []ChangeView
}

// RevisionRow is one revision in the history list.
type RevisionRow struct {
	Version int64
	Author  string
	When    string
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
}

// SubmissionRow is one submission in a history.
type SubmissionRow struct {
	ID                                 int64
	When, State, Operation, WorkflowID string
	RequestID, Error, Guidance, Author string
	DraftVersion                       int64
	Endpoint                           string
}

// ResultView is a submission's result page.
type ResultView struct {
	Page
	DraftID    string
	Submission SubmissionRow
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
	zh := map[string]string{"pending": "进行中", "succeeded": "成功", "failed": "失败", "unknown": "结果未知"}[state]
	if zh == "" {
		return state
	}
	return tr(lang, state, zh)
}
