package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/flowform/flowform/internal/draft"
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
			operation, state, workflow_id, guidance_en, guidance_zh, author, created_at, owner) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`,
			key, sub.DraftVersion, sub.Spec, sub.ProjectID, sub.Region, sub.Endpoint, sub.Operation, sub.WorkflowID,
			sub.Guidance.EN, sub.Guidance.ZH, sub.Author, sub.CreatedAt.UnixMilli(), sub.Owner)
		if err != nil {
			return err
		}
		if sub.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		sub.State = draft.Pending
		for _, st := range sub.Steps {
			if err := insertStep(ctx, tx, sub.ID, st); err != nil {
				return err
			}
		}
		return nil
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
		if err := affectOne(tx.ExecContext(ctx, `UPDATE submissions SET state = ?, workflow_id = ?, request_id = ?, http_status = ?,
			error_code = ?, error_message = ?, guidance_en = ?, guidance_zh = ?, finished_at = ? WHERE id = ? AND state = 'pending'`,
			sub.State, sub.WorkflowID, sub.RequestID, sub.HTTPStatus, sub.ErrorCode, sub.Error, sub.Guidance.EN, sub.Guidance.ZH,
			millis(sub.FinishedAt), sub.ID)); err != nil || sub.State != draft.Succeeded {
			return err
		}
		// What DataWorks holds after the delivery (NULL: not read back).
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET live = ? WHERE draft_key = (SELECT draft_key FROM submissions WHERE id = ?)`, sub.Live, sub.ID)
		return err
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

// Submission implements draft.SubmissionStore.
func (s *Store) Submission(ctx context.Context, key string, id int64) (draft.Submission, error) {
	sub, err := scanSubmission(s.reader.QueryRowContext(ctx,
		`SELECT `+submissionColumns+` FROM submissions WHERE draft_key = ? AND id = ?`, key, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, draft.ErrNotFound
	} else if err != nil {
		return sub, s.fail("read submission", err)
	}
	sub.DraftKey = key
	sub.Steps, err = s.steps(ctx, s.reader, id)
	return sub, s.fail("read submission steps", err)
}

// ResumeSubmission implements draft.SubmissionStore: in one immediate
// transaction the submission is read and made pending, so of two resumes
// one wins and the other finds it pending.
func (s *Store) ResumeSubmission(ctx context.Context, key string, id int64, owner string) (draft.Submission, error) {
	err := s.write(ctx, "resume submission", func(tx *sql.Tx) error {
		var state string
		var latest int64
		err := tx.QueryRowContext(ctx, `SELECT state, (SELECT max(id) FROM submissions WHERE draft_key = ?1)
			FROM submissions WHERE draft_key = ?1 AND id = ?2`, key, id).Scan(&state, &latest)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return draft.ErrNotFound
		case err != nil:
			return err
		case state == draft.Pending:
			return draft.ErrPending
		case state != draft.Partial && state != draft.Unknown || latest != id:
			return draft.ErrNotResumable
		}
		return affectOne(tx.ExecContext(ctx, `UPDATE submissions SET state = 'pending', finished_at = NULL, owner = ? WHERE id = ?`, owner, id))
	})
	if errors.Is(err, draft.ErrPending) || err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed: submissions.draft_key") {
		pending, _ := scanSubmission(s.reader.QueryRowContext(ctx,
			`SELECT `+submissionColumns+` FROM submissions WHERE draft_key = ? AND state = 'pending'`, key))
		return pending, draft.ErrPending
	} else if err != nil {
		return draft.Submission{}, err
	}
	return s.Submission(ctx, key, id)
}

// Renew implements draft.SubmissionStore.
func (s *Store) Renew(ctx context.Context, owner string, at time.Time) error {
	return s.write(ctx, "renew lease", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO instances (id, seen_at) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, owner, at.UnixMilli())
		return err
	})
}

// ClaimOrphans implements draft.SubmissionStore: the pending rows whose
// owner's lease is older than staleBefore (or was never renewed) change
// owner in one statement, so two instances never both take one.
func (s *Store) ClaimOrphans(ctx context.Context, owner string, staleBefore time.Time) ([]draft.Submission, error) {
	var ids []int64
	err := s.write(ctx, "claim interrupted deliveries", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE submissions SET owner = ?1 WHERE state = 'pending' AND owner <> ?1
			AND NOT EXISTS (SELECT 1 FROM instances WHERE id = submissions.owner AND seen_at >= ?2) RETURNING id`, owner, staleBefore.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []draft.Submission
	for _, id := range ids {
		var key string
		sub, err := scanSubmission(prefixed{s.reader.QueryRowContext(ctx, `SELECT draft_key, `+submissionColumns+` FROM submissions WHERE id = ?`, id), &key})
		if err != nil {
			return nil, s.fail("read claimed delivery", err)
		}
		sub.DraftKey = key
		if sub.Steps, err = s.steps(ctx, s.reader, id); err != nil {
			return nil, s.fail("read submission steps", err)
		}
		out = append(out, sub)
	}
	return out, nil
}

// prefixed scans one column before a submission's.
type prefixed struct {
	row   interface{ Scan(...any) error }
	first any
}

func (p prefixed) Scan(dest ...any) error { return p.row.Scan(append([]any{p.first}, dest...)...) }

const stepColumns = `seq, action, node, name, repair, target_id, spec, state, tries, request_id, http_status,
	error_code, error_message, note_en, note_zh, started_at, finished_at`

func insertStep(ctx context.Context, tx *sql.Tx, submission int64, st draft.Step) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO submission_steps (submission_id, `+stepColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		submission, st.Seq, st.Action, st.Node, st.Name, st.Repair, st.TargetID, nonNil(st.Spec), st.State, st.Tries,
		st.RequestID, st.HTTPStatus, st.ErrorCode, st.Error, st.Note.EN, st.Note.ZH, millis(st.StartedAt), millis(st.FinishedAt))
	return err
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// millis is a time as stored, NULL when unset.
func millis(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: !t.IsZero()}
}

func (s *Store) steps(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, submission int64) ([]draft.Step, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+stepColumns+` FROM submission_steps WHERE submission_id = ? ORDER BY seq`, submission)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []draft.Step
	for rows.Next() {
		var st draft.Step
		var started, finished sql.NullInt64
		if err := rows.Scan(&st.Seq, &st.Action, &st.Node, &st.Name, &st.Repair, &st.TargetID, &st.Spec, &st.State, &st.Tries,
			&st.RequestID, &st.HTTPStatus, &st.ErrorCode, &st.Error, &st.Note.EN, &st.Note.ZH, &started, &finished); err != nil {
			return nil, err
		}
		if started.Valid {
			st.StartedAt = time.UnixMilli(started.Int64).UTC()
		}
		if finished.Valid {
			st.FinishedAt = time.UnixMilli(finished.Int64).UTC()
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// updateStep rewrites a step of a pending submission.
func updateStep(ctx context.Context, tx *sql.Tx, submission int64, st draft.Step) error {
	return affectOne(tx.ExecContext(ctx, `UPDATE submission_steps SET target_id = ?, spec = ?, state = ?, tries = ?, request_id = ?,
		http_status = ?, error_code = ?, error_message = ?, note_en = ?, note_zh = ?, started_at = ?, finished_at = ?
		WHERE submission_id = ? AND seq = ?
		AND (SELECT state FROM submissions WHERE id = ?) = 'pending'`,
		st.TargetID, nonNil(st.Spec), st.State, st.Tries, st.RequestID, st.HTTPStatus, st.ErrorCode, st.Error, st.Note.EN, st.Note.ZH,
		millis(st.StartedAt), millis(st.FinishedAt), submission, st.Seq, submission))
}

// StartStep implements draft.DeliveryStore.
func (s *Store) StartStep(ctx context.Context, submission int64, st draft.Step) error {
	return s.write(ctx, "record step", func(tx *sql.Tx) error { return updateStep(ctx, tx, submission, st) })
}

// AddStep implements draft.DeliveryStore.
func (s *Store) AddStep(ctx context.Context, submission int64, st draft.Step) error {
	return s.write(ctx, "record step", func(tx *sql.Tx) error { return insertStep(ctx, tx, submission, st) })
}

// FinishStep implements draft.DeliveryStore: the step's outcome and what
// it changed in the draft's delivery, in one transaction.
func (s *Store) FinishStep(ctx context.Context, key string, submission int64, st draft.Step, change draft.DeliveryChange) error {
	return s.write(ctx, "record step", func(tx *sql.Tx) error {
		if err := updateStep(ctx, tx, submission, st); err != nil {
			return err
		}
		if w := change.Workflow; w != nil {
			var current string
			err := tx.QueryRowContext(ctx, `SELECT workflow_id FROM deliveries WHERE draft_key = ?`, key).Scan(&current)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if current != w.WorkflowID {
				// Another workflow: its nodes are not this one's.
				if _, err := tx.ExecContext(ctx, `DELETE FROM delivered_nodes WHERE draft_key = ?`, key); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (draft_key, project_id, region, workflow_id) VALUES (?, ?, ?, ?)
				ON CONFLICT (draft_key) DO UPDATE SET project_id = excluded.project_id, region = excluded.region,
				workflow_id = excluded.workflow_id, live = CASE WHEN workflow_id = excluded.workflow_id THEN live END`,
				key, w.ProjectID, w.Region, w.WorkflowID); err != nil {
				return err
			}
		}
		if n := change.Node; n != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO delivered_nodes (draft_key, local_id, remote_id, name, sent) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (draft_key, local_id) DO UPDATE SET remote_id = excluded.remote_id, name = excluded.name, sent = excluded.sent`,
				key, n.Local, n.ID, n.Name, nonNil(n.Sent)); err != nil {
				return err
			}
		}
		if change.Forget != "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM delivered_nodes WHERE draft_key = ? AND local_id = ?`, key, change.Forget); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delivery implements draft.DeliveryStore.
func (s *Store) Delivery(ctx context.Context, key string) (draft.Delivery, error) {
	var dl draft.Delivery
	err := s.reader.QueryRowContext(ctx, `SELECT project_id, region, workflow_id, live FROM deliveries WHERE draft_key = ?`, key).
		Scan(&dl.ProjectID, &dl.Region, &dl.WorkflowID, &dl.Live)
	if errors.Is(err, sql.ErrNoRows) {
		return draft.Delivery{}, nil
	} else if err != nil {
		return dl, s.fail("read delivery", err)
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT local_id, remote_id, name, sent FROM delivered_nodes WHERE draft_key = ? ORDER BY local_id`, key)
	if err != nil {
		return dl, s.fail("read delivered nodes", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n draft.DeliveredNode
		if err := rows.Scan(&n.Local, &n.ID, &n.Name, &n.Sent); err != nil {
			return dl, s.fail("read delivered nodes", err)
		}
		dl.Nodes = append(dl.Nodes, n)
	}
	return dl, s.fail("read delivered nodes", rows.Err())
}

// insertDelivery records the workflow a draft was opened from.
func insertDelivery(ctx context.Context, tx *sql.Tx, key string, dl *draft.Delivery) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (draft_key, project_id, region, workflow_id, live) VALUES (?, ?, ?, ?, ?)`,
		key, dl.ProjectID, dl.Region, dl.WorkflowID, dl.Live); err != nil {
		return err
	}
	for _, n := range dl.Nodes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivered_nodes (draft_key, local_id, remote_id, name, sent) VALUES (?, ?, ?, ?, ?)`,
			key, n.Local, n.ID, n.Name, nonNil(n.Sent)); err != nil {
			return err
		}
	}
	return nil
}

// Claimed implements draft.DeliveryStore.
func (s *Store) Claimed(ctx context.Context, key string, workflowIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range workflowIDs {
		var n int
		if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM deliveries WHERE workflow_id = ? AND draft_key <> ?`, id, key).Scan(&n); err != nil {
			return nil, s.fail("read deliveries", err)
		}
		out[id] = n > 0
	}
	return out, nil
}
