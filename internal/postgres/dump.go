package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/flowform/flowform/internal/dump"
)

// copyTables are the tables in the order a copy fills them (parents
// first) with their columns as dump.Data holds them.
var copyTables = []struct {
	name    string
	columns []string
	rows    func(d *dump.Data) [][]any
}{
	{"drafts", []string{"key", "view_key", "view_seq", "version", "project_id", "region", "spec", "author", "created_at", "updated_at", "deleted_at"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.Drafts {
				out = append(out, []any{r.Key, r.ViewKey, r.ViewSeq, r.Version, r.ProjectID, r.Region, notNull(r.Spec), r.Author, r.CreatedAt, r.UpdatedAt, r.DeletedAt})
			}
			return out
		}},
	{"revisions", []string{"draft_key", "version", "spec", "project_id", "region", "author", "created_at", "kind", "message", "restored_from"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.Revisions {
				out = append(out, []any{r.DraftKey, r.Version, notNull(r.Spec), r.ProjectID, r.Region, r.Author, r.CreatedAt, r.Kind, r.Message, r.RestoredFrom})
			}
			return out
		}},
	{"submissions", []string{"id", "draft_key", "draft_version", "spec", "project_id", "region", "endpoint", "operation", "state", "workflow_id",
		"request_id", "http_status", "error_code", "error_message", "guidance_en", "guidance_zh", "author", "owner", "created_at", "finished_at"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.Submissions {
				out = append(out, []any{r.ID, r.DraftKey, r.DraftVersion, notNull(r.Spec), r.ProjectID, r.Region, r.Endpoint, r.Operation, r.State, r.WorkflowID,
					r.RequestID, int32(r.HTTPStatus), r.ErrorCode, r.ErrorMessage, r.GuidanceEN, r.GuidanceZH, r.Author, r.Owner, r.CreatedAt, r.FinishedAt})
			}
			return out
		}},
	{"submission_steps", []string{"submission_id", "seq", "action", "node", "name", "repair", "target_id", "spec", "state", "tries", "request_id",
		"http_status", "error_code", "error_message", "note_en", "note_zh", "started_at", "finished_at"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.Steps {
				out = append(out, []any{r.SubmissionID, int32(r.Seq), r.Action, r.Node, r.Name, r.Repair, r.TargetID, notNull(r.Spec), r.State, int32(r.Tries),
					r.RequestID, int32(r.HTTPStatus), r.ErrorCode, r.ErrorMessage, r.NoteEN, r.NoteZH, r.StartedAt, r.FinishedAt})
			}
			return out
		}},
	{"deliveries", []string{"draft_key", "project_id", "region", "workflow_id", "live"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.Deliveries {
				out = append(out, []any{r.DraftKey, r.ProjectID, r.Region, r.WorkflowID, r.Live})
			}
			return out
		}},
	{"delivered_nodes", []string{"draft_key", "local_id", "remote_id", "name", "sent"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.DeliveredNodes {
				out = append(out, []any{r.DraftKey, r.LocalID, r.RemoteID, r.Name, notNull(r.Sent)})
			}
			return out
		}},
	{"browser_drafts", []string{"browser_key", "draft_key", "sealed_token"},
		func(d *dump.Data) (out [][]any) {
			for _, r := range d.BrowserDrafts {
				out = append(out, []any{r.BrowserKey, r.DraftKey, notNull(r.SealedToken)})
			}
			return out
		}},
}

// notNull is a NOT NULL bytea's value: an empty one is empty, not NULL.
func notNull(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Import writes d into an empty database in one transaction (COPY per
// table), keeping submission ids; a database that holds anything is
// refused and left as it is.
func (s *Store) Import(ctx context.Context, d *dump.Data) error {
	return s.write(ctx, "import", func(tx pgx.Tx) error {
		for _, t := range copyTables {
			var n int64
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t.name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("copy-db: the PostgreSQL database is not empty (%d rows in %s): copy only into an empty database; nothing was written", n, t.name)
			}
		}
		for _, t := range copyTables {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromRows(t.rows(d))); err != nil {
				return fmt.Errorf("copy-db: copy %s: %w", t.name, err)
			}
		}
		// New submissions are numbered after the copied ones.
		_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('submissions', 'id'), coalesce(max(id), 0) + 1, false) FROM submissions`)
		return err
	})
}

// Export reads every row in one repeatable-read transaction: a consistent
// snapshot, for checking a copy.
func (s *Store) Export(ctx context.Context) (*dump.Data, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, s.fail("export", err)
	}
	defer tx.Rollback(ctx)
	var d dump.Data
	scan := func(query string, row func(pgx.Rows) error) error {
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var int32s [3]int32
	steps := []func() error{
		func() error {
			return scan(`SELECT key, view_key, view_seq, version, project_id, region, spec, author, created_at, updated_at, deleted_at FROM drafts`, func(r pgx.Rows) error {
				var x dump.Draft
				err := r.Scan(&x.Key, &x.ViewKey, &x.ViewSeq, &x.Version, &x.ProjectID, &x.Region, &x.Spec, &x.Author, &x.CreatedAt, &x.UpdatedAt, &x.DeletedAt)
				d.Drafts = append(d.Drafts, x)
				return err
			})
		},
		func() error {
			return scan(`SELECT draft_key, version, spec, project_id, region, author, created_at, kind, message, restored_from FROM revisions`, func(r pgx.Rows) error {
				var x dump.Revision
				err := r.Scan(&x.DraftKey, &x.Version, &x.Spec, &x.ProjectID, &x.Region, &x.Author, &x.CreatedAt, &x.Kind, &x.Message, &x.RestoredFrom)
				d.Revisions = append(d.Revisions, x)
				return err
			})
		},
		func() error {
			return scan(`SELECT id, draft_key, draft_version, spec, project_id, region, endpoint, operation, state, workflow_id, request_id, http_status,
				error_code, error_message, guidance_en, guidance_zh, author, owner, created_at, finished_at FROM submissions`, func(r pgx.Rows) error {
				var x dump.Submission
				err := r.Scan(&x.ID, &x.DraftKey, &x.DraftVersion, &x.Spec, &x.ProjectID, &x.Region, &x.Endpoint, &x.Operation, &x.State, &x.WorkflowID,
					&x.RequestID, &int32s[0], &x.ErrorCode, &x.ErrorMessage, &x.GuidanceEN, &x.GuidanceZH, &x.Author, &x.Owner, &x.CreatedAt, &x.FinishedAt)
				x.HTTPStatus = int64(int32s[0])
				d.Submissions = append(d.Submissions, x)
				return err
			})
		},
		func() error {
			return scan(`SELECT submission_id, seq, action, node, name, repair, target_id, spec, state, tries, request_id, http_status, error_code,
				error_message, note_en, note_zh, started_at, finished_at FROM submission_steps`, func(r pgx.Rows) error {
				var x dump.Step
				err := r.Scan(&x.SubmissionID, &int32s[0], &x.Action, &x.Node, &x.Name, &x.Repair, &x.TargetID, &x.Spec, &x.State, &int32s[1], &x.RequestID,
					&int32s[2], &x.ErrorCode, &x.ErrorMessage, &x.NoteEN, &x.NoteZH, &x.StartedAt, &x.FinishedAt)
				x.Seq, x.Tries, x.HTTPStatus = int64(int32s[0]), int64(int32s[1]), int64(int32s[2])
				d.Steps = append(d.Steps, x)
				return err
			})
		},
		func() error {
			return scan(`SELECT draft_key, project_id, region, workflow_id, live FROM deliveries`, func(r pgx.Rows) error {
				var x dump.Delivery
				err := r.Scan(&x.DraftKey, &x.ProjectID, &x.Region, &x.WorkflowID, &x.Live)
				d.Deliveries = append(d.Deliveries, x)
				return err
			})
		},
		func() error {
			return scan(`SELECT draft_key, local_id, remote_id, name, sent FROM delivered_nodes`, func(r pgx.Rows) error {
				var x dump.DeliveredNode
				err := r.Scan(&x.DraftKey, &x.LocalID, &x.RemoteID, &x.Name, &x.Sent)
				d.DeliveredNodes = append(d.DeliveredNodes, x)
				return err
			})
		},
		func() error {
			return scan(`SELECT browser_key, draft_key, sealed_token FROM browser_drafts`, func(r pgx.Rows) error {
				var x dump.BrowserDraft
				err := r.Scan(&x.BrowserKey, &x.DraftKey, &x.SealedToken)
				d.BrowserDrafts = append(d.BrowserDrafts, x)
				return err
			})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, s.fail("export", err)
		}
	}
	return &d, nil
}
