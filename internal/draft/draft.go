// Package draft is FlowForm's domain: drafts (a FlowSpec document plus a
// little metadata), their revisions, and the capability tokens that grant
// editing or read-only access. It declares the Store it needs; package
// sqlite implements it.
package draft

import (
	"context"
	"errors"
	"time"

	"github.com/flowform/flowform/internal/flowspec"
	"github.com/flowform/flowform/internal/i18n"
)

// RestoreWindow is how long a deleted draft can be brought back before it
// is purged.
const RestoreWindow = 30 * 24 * time.Hour

// Anonymous is the author recorded when no identity header is configured.
const Anonymous = "anonymous"

// AuthorName is an author as a page shows it: the anonymous author in the
// page's language.
func AuthorName(author string, lang i18n.Lang) string {
	if author == Anonymous {
		return i18n.Text{EN: "anonymous", ZH: "匿名"}.In(lang)
	}
	return author
}

// Draft is a FlowSpec document with its workspace, version and tokens.
type Draft struct {
	ID        string // the edit token; empty when read through a view token
	ViewToken string
	Version   int64
	ProjectID string // a positive int64 in decimal, or "" until submission
	Region    string
	Spec      *flowspec.Document // shared between readers: Clone it before changing it
	SpecJSON  []byte             // Spec's canonical bytes, as stored and as submission sends them
	Author    string             // author of the current revision
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks the spec and the ProjectId. Invalid drafts can be saved;
// they cannot be submitted.
func (d *Draft) Validate(now time.Time) flowspec.Report {
	r := d.Spec.Validate(now)
	if f := flowspec.CheckProjectID(d.ProjectID); f != nil {
		r.Errors = append([]flowspec.Finding{*f}, r.Errors...)
	}
	return r
}

// Input is what a caller sets on a draft.
type Input struct {
	ProjectID string
	Region    string
	Spec      *flowspec.Document
	// KeepProjectID and KeepRegion leave the stored values as they are
	// (an update that does not mention them).
	KeepProjectID, KeepRegion bool
}

// RevisionKind says what made a revision.
type RevisionKind string

// The kinds of revision.
const (
	KindCreate  RevisionKind = "create"  // version 1: a new, imported or duplicated draft
	KindEdit    RevisionKind = "edit"    // an autosave, a form save or an API update
	KindVersion RevisionKind = "version" // an explicit "Save version", maybe with a message
	KindRestore RevisionKind = "restore" // an old revision's content saved again
)

// MaxMessage is the longest version message, in characters.
const MaxMessage = 200

// RevisionInfo describes one revision without its content.
type RevisionInfo struct {
	Version      int64
	Author       string
	CreatedAt    time.Time
	Kind         RevisionKind
	Message      string // a named version's message; may be empty
	RestoredFrom int64  // for a restore, the version whose content it saved again
}

// Revision is one saved state of a draft.
type Revision struct {
	RevisionInfo
	ProjectID string
	Region    string
	Spec      []byte // canonical compact FlowSpec
}

// Record is a draft as the store keeps it. Keys are SHA-256 hashes of the
// tokens: the database never holds a token, so a leaked copy opens nothing.
type Record struct {
	Key       string // hash of the edit token
	ViewKey   string // hash of the current view token
	ViewSeq   int64  // rotation count; the view token is derived from it
	Version   int64
	ProjectID string
	Region    string
	Spec      []byte
	Author    string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Kind, Message and RestoredFrom describe the save, for its revision.
	Kind         RevisionKind
	Message      string
	RestoredFrom int64
	// Delivery, on Create, is the workflow the draft was opened from.
	Delivery *Delivery
}

// Store persists drafts and revisions.
type Store interface {
	// Create stores a new draft and its first revision.
	Create(ctx context.Context, rec Record) error
	// Get returns the live (not deleted) draft with this key.
	Get(ctx context.Context, key string) (Record, error)
	// GetByView returns the live draft whose view key this is.
	GetByView(ctx context.Context, viewKey string) (Record, error)
	// Update stores rec as revision rec.Version if the draft is still at
	// version expected, else returns ErrConflict and changes nothing.
	Update(ctx context.Context, expected int64, rec Record) error
	// SetView replaces the view key, revoking the old view token.
	SetView(ctx context.Context, key, viewKey string, viewSeq int64) error
	// Revisions lists a live draft's revisions, newest first.
	Revisions(ctx context.Context, key string) ([]RevisionInfo, error)
	// Revision reads one revision of a live draft.
	Revision(ctx context.Context, key string, version int64) (Revision, error)
	// Delete marks a live draft deleted at the given time.
	Delete(ctx context.Context, key string, at time.Time) error
	// Undelete brings back a draft deleted after the given time.
	Undelete(ctx context.Context, key string, deletedAfter time.Time) error
	// Purge removes drafts deleted before the given time, with their revisions.
	Purge(ctx context.Context, deletedBefore time.Time) (int, error)
	// Health is nil while the store can read and write.
	Health(ctx context.Context) error
	// Kind names the database engine: "sqlite" or "postgres".
	Kind() string
	// Damaged tells the store that data it returned cannot be what was
	// written (a damaged page): it reports itself unhealthy and takes no
	// more writes.
	Damaged(err error)

	SubmissionStore
	BrowserStore
}

// Store errors.
var (
	ErrNotFound = errors.New("draft: not found")
	ErrConflict = errors.New("draft: version conflict")
	// Storage trouble: the store wraps its errors with one of these.
	ErrCorrupt     = errors.New("the database file is damaged")
	ErrStorageFull = errors.New("the database could not be written (disk full or I/O error)")
	ErrStorageBusy = errors.New("the database is locked by another program")
)

// StorageTrouble says, for a storage error, what the user should be told:
// what is wrong and that nothing was saved.
func StorageTrouble(err error) (i18n.Text, bool) {
	switch {
	case errors.Is(err, ErrCorrupt):
		return i18n.Text{EN: "FlowForm's database file is damaged, so FlowForm has stopped saving; nothing was saved. The operator must restore it from a backup.",
			ZH: "FlowForm 的数据库文件已损坏，因此已停止保存；未保存任何内容。需由运维从备份恢复。"}, true
	case errors.Is(err, ErrStorageFull):
		return i18n.Text{EN: "FlowForm could not write its database (the disk is full or failing); nothing was saved. Try again once the operator has freed space.",
			ZH: "FlowForm 无法写入数据库（磁盘已满或出错）；未保存任何内容。请在运维释放空间后重试。"}, true
	case errors.Is(err, ErrStorageBusy):
		return i18n.Text{EN: "FlowForm's database is locked by another program (a backup tool or an sqlite3 shell?); nothing was saved. Try again in a moment.",
			ZH: "FlowForm 的数据库被其他程序锁定（备份工具或 sqlite3 命令行？）；未保存任何内容。请稍后重试。"}, true
	}
	return i18n.Text{}, false
}

// Code classifies domain errors; the web layer maps each to a status.
type Code string

// Error codes.
const (
	NotFound Code = "not_found"
	Conflict Code = "conflict"
	Invalid  Code = "invalid"
)

// Error is the domain's error: a code, a message for the user, and for a
// conflict the draft as it now is, so both sides can be shown.
type Error struct {
	Code       Code
	Message    i18n.Text
	Current    *Draft
	Submission *Submission // the submission a submit conflicted with
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message.EN }

// errNotFound is the one answer for unknown, deleted and wrong-kind tokens,
// so none can be told apart.
var errNotFound = &Error{Code: NotFound, Message: i18n.Text{
	EN: "no draft at this link: it may have been deleted, or the link is wrong or was revoked",
	ZH: "此链接没有对应的草稿：可能已被删除，或链接有误或已被撤销"}}

func invalid(en, zh string, args ...any) *Error {
	return &Error{Code: Invalid, Message: i18n.Sprintf(en, zh, args...)}
}

// IsUnknownToken reports whether err is the answer for a token that opens
// nothing — what a guesser gets — as opposed to, say, a missing revision of
// a draft the caller may open.
func IsUnknownToken(err error) bool { return errors.Is(err, errNotFound) }
