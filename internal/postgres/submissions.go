package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flowform/flowform/internal/draft"
)

const submissionColumns = `id, draft_version, spec, project_id, region, endpoint, operation, state, workflow_id,
	request_id, http_status, error_code, error_message, guidance_en, guidance_zh, author, created_at, finished_at`

func scanSubmission(row pgx.Row, first ...any) (draft.Submission, error) {
	var s draft.Submission
	var created int64
	var finished *int64
	err := row.Scan(append(first, &s.ID, &s.DraftVersion, &s.Spec, &s.ProjectID, &s.Region, &s.Endpoint, &s.Operation, &s.State,
		&s.WorkflowID, &s.RequestID, &s.HTTPStatus, &s.ErrorCode, &s.Error, &s.Guidance.EN, &s.Guidance.ZH, &s.Author, &created, &finished)...)
	s.CreatedAt, s.FinishedAt = time.UnixMilli(created).UTC(), fromMillis(finished)
	return s, err
}

// lockDraftSubmissions serialises, until the transaction ends, the
// transactions that decide on a draft's submission history (create and
// resume), so that each reads the history as the one before left it.
// Saves of the draft do not wait on it, as they would on a row lock.
func lockDraftSubmissions(ctx context.Context, tx pgx.Tx, key string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, submitLockClass, key)
	return err
}

// CreateSubmission implements draft.SubmissionStore. The check that the
// latest submission is still after and the insert are one transaction
// under the draft's submission lock; the unique index on pending rows
// turns a second pending submission into ErrPending in any case.
func (s *Store) CreateSubmission(ctx context.Context, key string, after int64, sub draft.Submission) (draft.Submission, error) {
	stale := false
	err := s.write(ctx, "record submission", func(tx pgx.Tx) error {
		if err := lockDraftSubmissions(ctx, tx, key); err != nil {
			return err
		}
		var latest int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM submissions WHERE draft_key = $1`, key).Scan(&latest); err != nil {
			return err
		}
		if latest != after {
			stale = true
			return draft.ErrPending
		}
		if err := tx.QueryRow(ctx, `INSERT INTO submissions (draft_key, draft_version, spec, project_id, region, endpoint,
			operation, state, workflow_id, guidance_en, guidance_zh, author, created_at, owner) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13)
			RETURNING id`,
			key, sub.DraftVersion, nonNil(sub.Spec), sub.ProjectID, sub.Region, sub.Endpoint, sub.Operation, sub.WorkflowID,
			sub.Guidance.EN, sub.Guidance.ZH, sub.Author, sub.CreatedAt.UnixMilli(), sub.Owner).Scan(&sub.ID); err != nil {
			return err
		}
		sub.State = draft.Pending
		if len(sub.Steps) == 0 {
			return nil
		}
		b := &pgx.Batch{}
		for _, st := range sub.Steps {
			b.Queue(insertStepSQL, stepArgs(sub.ID, st)...)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if stale || isUnique(err, "submissions_one_pending") {
		// Another submission came first: answer with it.
		latest, perr := scanSubmission(s.pool.QueryRow(ctx,
			`SELECT `+submissionColumns+` FROM submissions WHERE draft_key = $1 ORDER BY id DESC LIMIT 1`, key))
		if perr != nil {
			latest = draft.Submission{State: draft.Pending}
		}
		return latest, draft.ErrPending
	}
	return sub, err
}

// FinishSubmission implements draft.SubmissionStore.
func (s *Store) FinishSubmission(ctx context.Context, sub draft.Submission) error {
	return s.write(ctx, "finish submission", func(tx pgx.Tx) error {
		if err := affectOne(tx.Exec(ctx, `UPDATE submissions SET state = $1, workflow_id = $2, request_id = $3, http_status = $4,
			error_code = $5, error_message = $6, guidance_en = $7, guidance_zh = $8, finished_at = $9 WHERE id = $10 AND state = 'pending'`,
			sub.State, sub.WorkflowID, sub.RequestID, sub.HTTPStatus, sub.ErrorCode, sub.Error, sub.Guidance.EN, sub.Guidance.ZH,
			millis(sub.FinishedAt), sub.ID)); err != nil || sub.State != draft.Succeeded {
			return err
		}
		// What DataWorks holds after the delivery (NULL: not read back).
		_, err := tx.Exec(ctx, `UPDATE deliveries SET live = $1 WHERE draft_key = (SELECT draft_key FROM submissions WHERE id = $2)`, sub.Live, sub.ID)
		return err
	})
}

// Submissions implements draft.SubmissionStore: newest first.
func (s *Store) Submissions(ctx context.Context, key string) ([]draft.Submission, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE draft_key = $1 ORDER BY id DESC`, key)
	if err != nil {
		return nil, s.fail("list submissions", err)
	}
	subs, err := scanSubmissions(rows)
	return subs, s.fail("list submissions", err)
}

func scanSubmissions(rows pgx.Rows) ([]draft.Submission, error) {
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
	rows, err := s.pool.Query(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE id IN (
		(SELECT max(id) FROM submissions WHERE draft_key = $1),
		(SELECT max(id) FROM submissions WHERE draft_key = $1 AND state = 'succeeded')) ORDER BY id DESC`, key)
	if err != nil {
		return nil, s.fail("read latest submissions", err)
	}
	subs, err := scanSubmissions(rows)
	return subs, s.fail("read latest submissions", err)
}

// Submission implements draft.SubmissionStore.
func (s *Store) Submission(ctx context.Context, key string, id int64) (draft.Submission, error) {
	sub, err := scanSubmission(s.pool.QueryRow(ctx,
		`SELECT `+submissionColumns+` FROM submissions WHERE draft_key = $1 AND id = $2`, key, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, draft.ErrNotFound
	} else if err != nil {
		return sub, s.fail("read submission", err)
	}
	sub.DraftKey = key
	sub.Steps, err = steps(ctx, s.pool, id)
	return sub, s.fail("read submission steps", err)
}

// ResumeSubmission implements draft.SubmissionStore: under the draft's
// submission lock the submission is read and made pending, so of two
// resumes one wins and the other finds it pending.
func (s *Store) ResumeSubmission(ctx context.Context, key string, id int64, owner string) (draft.Submission, error) {
	err := s.write(ctx, "resume submission", func(tx pgx.Tx) error {
		if err := lockDraftSubmissions(ctx, tx, key); err != nil {
			return err
		}
		var state string
		var latest int64
		err := tx.QueryRow(ctx, `SELECT state, (SELECT max(id) FROM submissions WHERE draft_key = $1)
			FROM submissions WHERE draft_key = $1 AND id = $2`, key, id).Scan(&state, &latest)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return draft.ErrNotFound
		case err != nil:
			return err
		case state == draft.Pending:
			return draft.ErrPending
		case state != draft.Partial && state != draft.Unknown || latest != id:
			return draft.ErrNotResumable
		}
		return affectOne(tx.Exec(ctx, `UPDATE submissions SET state = 'pending', finished_at = NULL, owner = $1
			WHERE id = $2 AND state IN ('partial', 'unknown')`, owner, id))
	})
	if errors.Is(err, draft.ErrPending) || isUnique(err, "submissions_one_pending") {
		pending, _ := scanSubmission(s.pool.QueryRow(ctx,
			`SELECT `+submissionColumns+` FROM submissions WHERE draft_key = $1 AND state = 'pending'`, key))
		return pending, draft.ErrPending
	} else if err != nil {
		return draft.Submission{}, err
	}
	return s.Submission(ctx, key, id)
}

// Renew implements draft.SubmissionStore.
func (s *Store) Renew(ctx context.Context, owner string, at time.Time) error {
	_, err := s.exec(ctx, "renew lease", `INSERT INTO instances (id, seen_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`, owner, at.UnixMilli())
	return err
}

// ClaimOrphans implements draft.SubmissionStore: the pending rows whose
// owner's lease is older than staleBefore (or was never renewed) change
// owner in one UPDATE. Claims are serialised by an advisory lock, so the
// UPDATE of a second claimer reads leases and owners as the first left
// them (a row the first just took has a live owner) and never takes a
// delivery twice.
func (s *Store) ClaimOrphans(ctx context.Context, owner string, staleBefore time.Time) ([]draft.Submission, error) {
	var ids []int64
	err := s.write(ctx, "claim interrupted deliveries", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, claimLock); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE submissions SET owner = $1 WHERE state = 'pending' AND owner <> $1
			AND NOT EXISTS (SELECT 1 FROM instances WHERE id = submissions.owner AND seen_at >= $2) RETURNING id`, owner, staleBefore.UnixMilli())
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []draft.Submission
	for _, id := range ids {
		var key string
		sub, err := scanSubmission(s.pool.QueryRow(ctx, `SELECT draft_key, `+submissionColumns+` FROM submissions WHERE id = $1`, id), &key)
		if err != nil {
			return nil, s.fail("read claimed delivery", err)
		}
		sub.DraftKey = key
		if sub.Steps, err = steps(ctx, s.pool, id); err != nil {
			return nil, s.fail("read submission steps", err)
		}
		out = append(out, sub)
	}
	return out, nil
}

const stepColumns = `seq, action, node, name, repair, target_id, spec, state, tries, request_id, http_status,
	error_code, error_message, note_en, note_zh, started_at, finished_at`

const insertStepSQL = `INSERT INTO submission_steps (submission_id, ` + stepColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`

func stepArgs(submission int64, st draft.Step) []any {
	return []any{submission, st.Seq, st.Action, st.Node, st.Name, st.Repair, st.TargetID, nonNil(st.Spec), st.State, st.Tries,
		st.RequestID, st.HTTPStatus, st.ErrorCode, st.Error, st.Note.EN, st.Note.ZH, millis(st.StartedAt), millis(st.FinishedAt)}
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func steps(ctx context.Context, q querier, submission int64) ([]draft.Step, error) {
	rows, err := q.Query(ctx, `SELECT `+stepColumns+` FROM submission_steps WHERE submission_id = $1 ORDER BY seq`, submission)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []draft.Step
	for rows.Next() {
		var st draft.Step
		var started, finished *int64
		if err := rows.Scan(&st.Seq, &st.Action, &st.Node, &st.Name, &st.Repair, &st.TargetID, &st.Spec, &st.State, &st.Tries,
			&st.RequestID, &st.HTTPStatus, &st.ErrorCode, &st.Error, &st.Note.EN, &st.Note.ZH, &started, &finished); err != nil {
			return nil, err
		}
		st.StartedAt, st.FinishedAt = fromMillis(started), fromMillis(finished)
		out = append(out, st)
	}
	return out, rows.Err()
}

// updateStep rewrites a step of a pending submission.
func updateStep(ctx context.Context, tx pgx.Tx, submission int64, st draft.Step) error {
	return affectOne(tx.Exec(ctx, `UPDATE submission_steps SET target_id = $1, spec = $2, state = $3, tries = $4, request_id = $5,
		http_status = $6, error_code = $7, error_message = $8, note_en = $9, note_zh = $10, started_at = $11, finished_at = $12
		WHERE submission_id = $13 AND seq = $14
		AND (SELECT state FROM submissions WHERE id = $13) = 'pending'`,
		st.TargetID, nonNil(st.Spec), st.State, st.Tries, st.RequestID, st.HTTPStatus, st.ErrorCode, st.Error, st.Note.EN, st.Note.ZH,
		millis(st.StartedAt), millis(st.FinishedAt), submission, st.Seq))
}

// StartStep implements draft.DeliveryStore.
func (s *Store) StartStep(ctx context.Context, submission int64, st draft.Step) error {
	return s.write(ctx, "record step", func(tx pgx.Tx) error { return updateStep(ctx, tx, submission, st) })
}

// AddStep implements draft.DeliveryStore.
func (s *Store) AddStep(ctx context.Context, submission int64, st draft.Step) error {
	_, err := s.exec(ctx, "record step", insertStepSQL, stepArgs(submission, st)...)
	return err
}

// FinishStep implements draft.DeliveryStore: the step's outcome and what
// it changed in the draft's delivery, in one transaction.
func (s *Store) FinishStep(ctx context.Context, key string, submission int64, st draft.Step, change draft.DeliveryChange) error {
	return s.write(ctx, "record step", func(tx pgx.Tx) error {
		if err := updateStep(ctx, tx, submission, st); err != nil {
			return err
		}
		if w := change.Workflow; w != nil {
			var current string
			// FOR UPDATE: the comparison holds until the upsert below.
			err := tx.QueryRow(ctx, `SELECT workflow_id FROM deliveries WHERE draft_key = $1 FOR UPDATE`, key).Scan(&current)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if current != w.WorkflowID {
				// Another workflow: its nodes are not this one's.
				if _, err := tx.Exec(ctx, `DELETE FROM delivered_nodes WHERE draft_key = $1`, key); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO deliveries (draft_key, project_id, region, workflow_id) VALUES ($1, $2, $3, $4)
				ON CONFLICT (draft_key) DO UPDATE SET project_id = excluded.project_id, region = excluded.region,
				workflow_id = excluded.workflow_id, live = CASE WHEN deliveries.workflow_id = excluded.workflow_id THEN deliveries.live END`,
				key, w.ProjectID, w.Region, w.WorkflowID); err != nil {
				return err
			}
		}
		if n := change.Node; n != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO delivered_nodes (draft_key, local_id, remote_id, name, sent) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (draft_key, local_id) DO UPDATE SET remote_id = excluded.remote_id, name = excluded.name, sent = excluded.sent`,
				key, n.Local, n.ID, n.Name, nonNil(n.Sent)); err != nil {
				return err
			}
		}
		if change.Forget != "" {
			if _, err := tx.Exec(ctx, `DELETE FROM delivered_nodes WHERE draft_key = $1 AND local_id = $2`, key, change.Forget); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delivery implements draft.DeliveryStore: the workflow and its nodes in
// one query, so they are read at one moment. Nodes order bytewise, as in
// SQLite.
func (s *Store) Delivery(ctx context.Context, key string) (draft.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT d.project_id, d.region, d.workflow_id, d.live, n.local_id, n.remote_id, n.name, n.sent
		FROM deliveries d LEFT JOIN delivered_nodes n ON n.draft_key = d.draft_key
		WHERE d.draft_key = $1 ORDER BY n.local_id COLLATE "C"`, key)
	if err != nil {
		return draft.Delivery{}, s.fail("read delivery", err)
	}
	defer rows.Close()
	var dl draft.Delivery
	for rows.Next() {
		var local, remote, name *string
		var sent []byte
		if err := rows.Scan(&dl.ProjectID, &dl.Region, &dl.WorkflowID, &dl.Live, &local, &remote, &name, &sent); err != nil {
			return draft.Delivery{}, s.fail("read delivery", err)
		}
		if local != nil {
			dl.Nodes = append(dl.Nodes, draft.DeliveredNode{Local: *local, ID: *remote, Name: *name, Sent: sent})
		}
	}
	if err := rows.Err(); err != nil {
		return draft.Delivery{}, s.fail("read delivery", err)
	}
	return dl, nil
}

// insertDelivery records the workflow a draft was opened from.
func insertDelivery(ctx context.Context, tx pgx.Tx, key string, dl *draft.Delivery) error {
	if _, err := tx.Exec(ctx, `INSERT INTO deliveries (draft_key, project_id, region, workflow_id, live) VALUES ($1, $2, $3, $4, $5)`,
		key, dl.ProjectID, dl.Region, dl.WorkflowID, dl.Live); err != nil {
		return err
	}
	for _, n := range dl.Nodes {
		if _, err := tx.Exec(ctx, `INSERT INTO delivered_nodes (draft_key, local_id, remote_id, name, sent) VALUES ($1, $2, $3, $4, $5)`,
			key, n.Local, n.ID, n.Name, nonNil(n.Sent)); err != nil {
			return err
		}
	}
	return nil
}

// Claimed implements draft.DeliveryStore, in one query.
func (s *Store) Claimed(ctx context.Context, key string, workflowIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range workflowIDs {
		out[id] = false
	}
	if len(workflowIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT workflow_id FROM deliveries WHERE workflow_id = ANY($1) AND draft_key <> $2`, workflowIDs, key)
	if err != nil {
		return nil, s.fail("read deliveries", err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.fail("read deliveries", err)
	}
	for _, id := range held {
		out[id] = true
	}
	return out, nil
}
