package components

// HistoryView is a draft's history page: editing sessions and named
// versions, the diff between two of them, and restore.
type HistoryView struct {
	Page
	DraftID string
	Version int64
	Notice  string // what the save or restore just made, in words
	Zone    string // where the times are shown: the viewer's zone, or UTC
	Entries []HistoryEntry
	Options []VersionOption // the compare menus, newest first
	// From and To are the versions the diff compares; From 0: no diff.
	From, To int64
	// MenuFrom and MenuTo are the versions the compare menus show chosen.
	MenuFrom, MenuTo int64
	Changes          []ChangeView
}

// HistoryEntry is one line of the history: an editing session (however
// many autosaves it took), a named version, a restore or the creation.
type HistoryEntry struct {
	Kind     string // "create", "edit", "version" or "restore"
	Title    string // "Edited", "Version 42", "Restored version 12", "Created"
	Message  string // a named version's message
	Fields   string // the changed fields, by label: "Retry interval, Run state"
	Versions string // "versions 3–42, 40 saves"
	Author   string
	When     string // "10:02–10:04", in Zone
	At       string // the last save, RFC 3339, for <time datetime>
	Last     int64  // the version the entry ended at
	DiffFrom int64  // the version before it: its changes are DiffFrom → Last (0: none)
	Current  bool   // it ended at the current version: nothing to restore
}

// VersionOption is one choice of the compare menus: when, who, and for a
// named version its message.
type VersionOption struct {
	Version int64
	Label   string
}

// ChangeView is one field-level difference. Label is the form's name for
// the field ("Retry interval", "Parameter 2"), and Theirs and Yours are
// then the values in the form's words and units ("45 minutes"); a field
// the form does not know has no Label and is shown by its Path. Raw says
// the values are JSON, shown as code.
type ChangeView struct {
	Label, Path, Op string
	Theirs, Yours   string
	Raw             bool
	// OldLines and NewLines are a multi-line value (code) line by line,
	// the lines one side has and the other lacks marked.
	OldLines, NewLines []DiffLine
}

// DiffLine is one line of a multi-line value in a change.
type DiffLine struct {
	Text    string
	Changed bool
}
