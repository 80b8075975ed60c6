// Package dump is everything a FlowForm database holds, as plain rows:
// what `flowform copy-db` moves from one database to another. Each store
// adapter exports it and the PostgreSQL one imports it; Sums proves a
// copy whole (counts and checksums per table). It has no SQL.
package dump

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
)

// Data is a whole database. Revisions hold their canonical spec bytes
// (SQLite keeps them deflated; that is its business).
type Data struct {
	Drafts         []Draft
	Revisions      []Revision
	Submissions    []Submission
	Steps          []Step
	Deliveries     []Delivery
	DeliveredNodes []DeliveredNode
	BrowserDrafts  []BrowserDraft
}

// Times are Unix milliseconds, as both adapters keep them.

// Draft is a row of drafts; keys are token hashes.
type Draft struct {
	Key, ViewKey      string
	ViewSeq, Version  int64
	ProjectID, Region string
	Spec              []byte
	Author            string
	CreatedAt         int64
	UpdatedAt         int64
	DeletedAt         *int64
}

// Revision is one saved state of a draft.
type Revision struct {
	DraftKey                  string
	Version                   int64
	Spec                      []byte
	ProjectID, Region, Author string
	CreatedAt                 int64
	Kind, Message             string
	RestoredFrom              *int64
}

// Submission is a delivery.
type Submission struct {
	ID                                     int64
	DraftKey                               string
	DraftVersion                           int64
	Spec                                   []byte
	ProjectID, Region, Endpoint, Operation string
	State, WorkflowID, RequestID           string
	HTTPStatus                             int64
	ErrorCode, ErrorMessage                string
	GuidanceEN, GuidanceZH, Author, Owner  string
	CreatedAt                              int64
	FinishedAt                             *int64
}

// Step is one call of a delivery.
type Step struct {
	SubmissionID            int64
	Seq                     int64
	Action, Node, Name      string
	Repair                  bool
	TargetID                string
	Spec                    []byte
	State                   string
	Tries                   int64
	RequestID               string
	HTTPStatus              int64
	ErrorCode, ErrorMessage string
	NoteEN, NoteZH          string
	StartedAt, FinishedAt   *int64
}

// Delivery is what a draft holds in DataWorks.
type Delivery struct {
	DraftKey, ProjectID, Region, WorkflowID string
	Live                                    []byte
}

// DeliveredNode is a node of a draft in DataWorks.
type DeliveredNode struct {
	DraftKey, LocalID, RemoteID, Name string
	Sent                              []byte
}

// BrowserDraft is a draft a browser opened; the token is sealed.
type BrowserDraft struct {
	BrowserKey, DraftKey string
	SealedToken          []byte
}

// Sum is one table's row count and a SHA-256 over its rows in key order.
type Sum struct {
	Rows     int
	Checksum string
}

// Sums are the counts and checksums of every table, by table name: two
// databases with equal Sums hold the same rows, field for field.
func (d *Data) Sums() map[string]Sum {
	return map[string]Sum{
		"drafts":           sum(d.Drafts, func(r Draft) string { return r.Key }),
		"revisions":        sum(d.Revisions, func(r Revision) string { return fmt.Sprintf("%s/%020d", r.DraftKey, r.Version) }),
		"submissions":      sum(d.Submissions, func(r Submission) string { return fmt.Sprintf("%020d", r.ID) }),
		"submission_steps": sum(d.Steps, func(r Step) string { return fmt.Sprintf("%020d/%020d", r.SubmissionID, r.Seq) }),
		"deliveries":       sum(d.Deliveries, func(r Delivery) string { return r.DraftKey }),
		"delivered_nodes":  sum(d.DeliveredNodes, func(r DeliveredNode) string { return r.DraftKey + "/" + r.LocalID }),
		"browser_drafts":   sum(d.BrowserDrafts, func(r BrowserDraft) string { return r.BrowserKey + "/" + r.DraftKey }),
	}
}

func sum[T any](rows []T, key func(T) string) Sum {
	sorted := append([]T(nil), rows...)
	sort.Slice(sorted, func(i, j int) bool { return key(sorted[i]) < key(sorted[j]) })
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, r := range sorted {
		enc.Encode(r) // a []byte encodes as base64: every byte counts
	}
	return Sum{Rows: len(rows), Checksum: hex.EncodeToString(h.Sum(nil))}
}
