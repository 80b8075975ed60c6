package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/i18n"
)

const submissionColumns = `id, draft_version, spec, project_id, region, endpoint, operation, state, workflow_id,
	request_id, http_status, error_code, error_message, guidance_en, guidance_zh, author, created_at, finished_at`

func scanSubmission(row interface{ Scan(...any) error }) (draft.Submission, error) {
	var s draft.Submission
	var created int64
	var finished sql.NullInt64
	err := row.Scan(&s.ID, &s.DraftVersion, &s.Spec, &s.ProjectID, &s.Region, &s.Endpoint, &s.Operation, &s.State,
		&s.WorkflowID, &s.RequestID, &s.HTTPStatus, &s.ErrorCode, &s.Error, &s.Guidance.EN, &s.Guidance.ZH, &s.Author, &created, &finished)
	s.CreatedAt = time.UnixMilli(created).UTC()
	if finished.Valid {
		s.FinishedAt = time.UnixMilli(finished.Int64).UTC()
	}
	return s, err
}

// CreateSubmission implements draft.SubmissionStore. The unique index on
// pending rows turns a second concurrent submit into ErrPending.
func (s *Store) CreateSubmission(ctx context.Context, key string, after int64, sub draft.Submission) (draft.Submission, error) {
	stale := false
	err := s.write(ctx, "record submission", func(tx *sql.Tx) error {
		var latest int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM submissions WHERE draft_key = ?`, key).Scan(&latest); err != nil {
			return err
		}
		if latest != after {
			stale = true
			return draft.ErrPending
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO submissions (draft_key, draft_version, spec, project_id, region, endpoint,
			operation, state, workflow_id, guidance_en, guidance_zh, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)`,
			key, sub.DraftVersion, sub.Spec, sub.ProjectID, sub.Region, sub.Endpoint, sub.Operation, sub.WorkflowID,
			sub.Guidance.EN, sub.Guidance.ZH, sub.Author, sub.CreatedAt.UnixMilli())
		if err != nil {
			return err
		}
		sub.ID, err = res.LastInsertId()
		sub.State = draft.Pending
		return err
	})
	if stale || err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: submissions.draft_key") {
		// Another submission came first: answer with it.
		latest, perr := scanSubmission(s.reader.QueryRowContext(ctx,
			`SELECT `+submissionColumns+` FROM submissions WHERE draft_key = ? ORDER BY id DESC LIMIT 1`, key))
		if perr != nil {
			latest = draft.Submission{State: draft.Pending}
		}
		return latest, draft.ErrPending
	}
	return sub, err
}

// FinishSubmission implements draft.SubmissionStore.
func (s *Store) FinishSubmission(ctx context.Context, sub draft.Submission) error {
	return s.write(ctx, "finish submission", func(tx *sql.Tx) error {
		return affectOne(tx.ExecContext(ctx, `UPDATE submissions SET state = ?, workflow_id = ?, request_id = ?, http_status = ?,
			error_code = ?, error_message = ?, guidance_en = ?, guidance_zh = ?, finished_at = ? WHERE id = ? AND state = 'pending'`,
			sub.State, sub.WorkflowID, sub.RequestID, sub.HTTPStatus, sub.ErrorCode, sub.Error, sub.Guidance.EN, sub.Guidance.ZH,
			sub.FinishedAt.UnixMilli(), sub.ID))
	})
}

// Submissions implements draft.SubmissionStore: newest first.
func (s *Store) Submissions(ctx context.Context, key string) ([]draft.Submission, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE draft_key = ? ORDER BY id DESC`, key)
	if err != nil {
		return nil, s.fail("list submissions", err)
	}
	subs, err := scanSubmissions(rows)
	return subs, s.fail("list submissions", err)
}

func scanSubmissions(rows *sql.Rows) ([]draft.Submission, error) {
	defer rows.Close()
	var out []draft.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// LatestSubmissions implements draft.SubmissionStore.
func (s *Store) LatestSubmissions(ctx context.Context, key string) ([]draft.Submission, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE id IN (
		(SELECT max(id) FROM submissions WHERE draft_key = ?1),
		(SELECT max(id) FROM submissions WHERE draft_key = ?1 AND state = 'succeeded')) ORDER BY id DESC`, key)
	if err != nil {
		return nil, s.fail("read latest submissions", err)
	}
	subs, err := scanSubmissions(rows)
	return subs, s.fail("read latest submissions", err)
}

// AbandonPending implements draft.SubmissionStore.
func (s *Store) AbandonPending(ctx context.Context, at time.Time, guidance i18n.Text) (int, error) {
	var n int64
	err := s.write(ctx, "mark interrupted submissions", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE submissions SET state = 'unknown', error_code = 'Interrupted',
			error_message = 'FlowForm stopped while the call was in flight', guidance_en = ?, guidance_zh = ?, finished_at = ?
			WHERE state = 'pending'`, guidance.EN, guidance.ZH, at.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
