package sqlite

import (
	"context"
	"database/sql"

	"github.com/flowform/flowform/internal/dump"
)

// Export reads every row of the database in one read transaction (a
// consistent snapshot beside a live server), revisions inflated to their
// canonical bytes: what `flowform copy-db` moves and checks.
func (s *Store) Export(ctx context.Context) (*dump.Data, error) {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.fail("export", err)
	}
	defer tx.Rollback()
	var d dump.Data
	err = each(ctx, tx, `SELECT key, view_key, view_seq, version, project_id, region, spec, author, created_at, updated_at, deleted_at FROM drafts`,
		func(scan func(...any) error) error {
			var r dump.Draft
			err := scan(&r.Key, &r.ViewKey, &r.ViewSeq, &r.Version, &r.ProjectID, &r.Region, &r.Spec, &r.Author, &r.CreatedAt, &r.UpdatedAt, &r.DeletedAt)
			r.Spec = nonNil(r.Spec)
			d.Drafts = append(d.Drafts, r)
			return err
		})
	if err == nil {
		err = each(ctx, tx, `SELECT draft_key, version, project_id, region, author, created_at, kind, message, restored_from FROM revisions`,
			func(scan func(...any) error) error {
				var r dump.Revision
				err := scan(&r.DraftKey, &r.Version, &r.ProjectID, &r.Region, &r.Author, &r.CreatedAt, &r.Kind, &r.Message, &r.RestoredFrom)
				d.Revisions = append(d.Revisions, r)
				return err
			})
	}
	for i := range d.Revisions {
		if err != nil {
			break
		}
		r := &d.Revisions[i]
		r.Spec, err = readRevisionSpec(ctx, tx, r.DraftKey, r.Version)
		r.Spec = nonNil(r.Spec)
	}
	if err == nil {
		err = each(ctx, tx, `SELECT id, draft_key, draft_version, spec, project_id, region, endpoint, operation, state, workflow_id, request_id,
			http_status, error_code, error_message, guidance_en, guidance_zh, author, owner, created_at, finished_at FROM submissions`,
			func(scan func(...any) error) error {
				var r dump.Submission
				err := scan(&r.ID, &r.DraftKey, &r.DraftVersion, &r.Spec, &r.ProjectID, &r.Region, &r.Endpoint, &r.Operation, &r.State, &r.WorkflowID,
					&r.RequestID, &r.HTTPStatus, &r.ErrorCode, &r.ErrorMessage, &r.GuidanceEN, &r.GuidanceZH, &r.Author, &r.Owner, &r.CreatedAt, &r.FinishedAt)
				r.Spec = nonNil(r.Spec)
				d.Submissions = append(d.Submissions, r)
				return err
			})
	}
	if err == nil {
		err = each(ctx, tx, `SELECT submission_id, `+stepColumns+` FROM submission_steps`, func(scan func(...any) error) error {
			var r dump.Step
			err := scan(&r.SubmissionID, &r.Seq, &r.Action, &r.Node, &r.Name, &r.Repair, &r.TargetID, &r.Spec, &r.State, &r.Tries, &r.RequestID,
				&r.HTTPStatus, &r.ErrorCode, &r.ErrorMessage, &r.NoteEN, &r.NoteZH, &r.StartedAt, &r.FinishedAt)
			r.Spec = nonNil(r.Spec)
			d.Steps = append(d.Steps, r)
			return err
		})
	}
	if err == nil {
		err = each(ctx, tx, `SELECT draft_key, project_id, region, workflow_id, live FROM deliveries`, func(scan func(...any) error) error {
			var r dump.Delivery
			err := scan(&r.DraftKey, &r.ProjectID, &r.Region, &r.WorkflowID, &r.Live)
			d.Deliveries = append(d.Deliveries, r)
			return err
		})
	}
	if err == nil {
		err = each(ctx, tx, `SELECT draft_key, local_id, remote_id, name, sent FROM delivered_nodes`, func(scan func(...any) error) error {
			var r dump.DeliveredNode
			err := scan(&r.DraftKey, &r.LocalID, &r.RemoteID, &r.Name, &r.Sent)
			r.Sent = nonNil(r.Sent)
			d.DeliveredNodes = append(d.DeliveredNodes, r)
			return err
		})
	}
	if err == nil {
		err = each(ctx, tx, `SELECT browser_key, draft_key, sealed_token FROM browser_drafts`, func(scan func(...any) error) error {
			var r dump.BrowserDraft
			err := scan(&r.BrowserKey, &r.DraftKey, &r.SealedToken)
			r.SealedToken = nonNil(r.SealedToken)
			d.BrowserDrafts = append(d.BrowserDrafts, r)
			return err
		})
	}
	if err != nil {
		return nil, s.fail("export", err)
	}
	return &d, nil
}

// each runs a query and hands every row to row.
func each(ctx context.Context, tx *sql.Tx, query string, row func(scan func(...any) error) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
