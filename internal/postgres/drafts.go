package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flowform/flowform/internal/draft"
)

const draftColumns = `key, view_key, view_seq, version, project_id, region, spec, author, created_at, updated_at`

func scanRecord(row pgx.Row, more ...any) (draft.Record, error) {
	var r draft.Record
	var created, updated int64
	err := row.Scan(append([]any{&r.Key, &r.ViewKey, &r.ViewSeq, &r.Version, &r.ProjectID, &r.Region, &r.Spec, &r.Author, &created, &updated}, more...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, draft.ErrNotFound
	}
	r.CreatedAt, r.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return r, err
}

// Create implements draft.Store.
func (s *Store) Create(ctx context.Context, rec draft.Record) error {
	return s.write(ctx, "create draft", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO drafts (`+draftColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			rec.Key, rec.ViewKey, rec.ViewSeq, rec.Version, rec.ProjectID, rec.Region, nonNil(rec.Spec), rec.Author,
			rec.CreatedAt.UnixMilli(), rec.UpdatedAt.UnixMilli()); err != nil {
			return err
		}
		if rec.Delivery != nil {
			if err := insertDelivery(ctx, tx, rec.Key, rec.Delivery); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO revisions (draft_key, version, spec, project_id, region, author, created_at, kind, message, restored_from)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, revisionArgs(rec)...)
		return err
	})
}

// revisionArgs are the revision columns of a save, $1 to $10.
func revisionArgs(rec draft.Record) []any {
	var restoredFrom *int64
	if rec.RestoredFrom > 0 {
		restoredFrom = &rec.RestoredFrom
	}
	return []any{rec.Key, rec.Version, nonNil(rec.Spec), rec.ProjectID, rec.Region, rec.Author, rec.UpdatedAt.UnixMilli(),
		string(rec.Kind), rec.Message, restoredFrom}
}

// Get implements draft.Store.
func (s *Store) Get(ctx context.Context, key string) (draft.Record, error) {
	r, err := scanRecord(s.pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE key = $1 AND deleted_at IS NULL`, key))
	return r, s.fail("read draft", err)
}

// GetByView implements draft.Store.
func (s *Store) GetByView(ctx context.Context, viewKey string) (draft.Record, error) {
	r, err := scanRecord(s.pool.QueryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE view_key = $1 AND deleted_at IS NULL`, viewKey))
	return r, s.fail("read draft", err)
}

// updateDraft is a save in one statement, so one round trip: the
// compare-and-swap on the version, and the revision inserted only if it
// swapped. A concurrent saver of the same draft waits on the row lock and
// then finds the version changed: the WHERE is evaluated again against
// the row as committed. live tells a conflict from a missing draft.
const updateDraft = `WITH swapped AS (
	UPDATE drafts SET version = $2, project_id = $4, region = $5, spec = $3, author = $6, updated_at = $7
	WHERE key = $1 AND version = $11 AND deleted_at IS NULL
	RETURNING key
), revision AS (
	INSERT INTO revisions (draft_key, version, spec, project_id, region, author, created_at, kind, message, restored_from)
	SELECT $1, $2, $3, $4, $5, $6, $7, $8::text, $9::text, $10::bigint FROM swapped
	RETURNING 1
)
SELECT (SELECT count(*) FROM revision),
	EXISTS (SELECT 1 FROM drafts WHERE key = $1 AND deleted_at IS NULL)`

// Update implements draft.Store: a compare-and-swap on the version, with
// the revision written in the same statement.
func (s *Store) Update(ctx context.Context, expected int64, rec draft.Record) error {
	corrupt := s.health.Corrupt()
	if corrupt != nil {
		return corrupt
	}
	var saved int
	var live bool
	err := s.pool.QueryRow(ctx, updateDraft, append(revisionArgs(rec), expected)...).Scan(&saved, &live)
	switch {
	case err != nil:
		return s.fail("save draft", err)
	case saved == 1:
		s.health.Wrote()
		return nil
	case !live:
		return draft.ErrNotFound
	}
	return draft.ErrConflict
}

// SetView implements draft.Store.
func (s *Store) SetView(ctx context.Context, key, viewKey string, viewSeq int64) error {
	return affectOne(s.exec(ctx, "replace view link", `UPDATE drafts SET view_key = $1, view_seq = $2 WHERE key = $3 AND deleted_at IS NULL`, viewKey, viewSeq, key))
}

const revisionInfoColumns = `r.version, r.author, r.created_at, r.kind, r.message, r.restored_from`

func scanRevisionInfo(row pgx.Row, more ...any) (draft.RevisionInfo, error) {
	var r draft.RevisionInfo
	var created int64
	var kind string
	var restoredFrom *int64
	err := row.Scan(append([]any{&r.Version, &r.Author, &created, &kind, &r.Message, &restoredFrom}, more...)...)
	r.CreatedAt, r.Kind = time.UnixMilli(created).UTC(), draft.RevisionKind(kind)
	if restoredFrom != nil {
		r.RestoredFrom = *restoredFrom
	}
	return r, err
}

// Revisions implements draft.Store.
func (s *Store) Revisions(ctx context.Context, key string) ([]draft.RevisionInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+revisionInfoColumns+` FROM revisions r
		JOIN drafts d ON d.key = r.draft_key AND d.deleted_at IS NULL
		WHERE r.draft_key = $1 ORDER BY r.version DESC`, key)
	if err != nil {
		return nil, s.fail("list revisions", err)
	}
	defer rows.Close()
	var out []draft.RevisionInfo
	for rows.Next() {
		r, err := scanRevisionInfo(rows)
		if err != nil {
			return nil, s.fail("list revisions", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("list revisions", err)
	}
	if len(out) == 0 {
		return nil, draft.ErrNotFound
	}
	return out, nil
}

// Revision implements draft.Store. The spec is stored as it was saved,
// so one lookup reads it all.
func (s *Store) Revision(ctx context.Context, key string, version int64) (draft.Revision, error) {
	var r draft.Revision
	var err error
	r.RevisionInfo, err = scanRevisionInfo(s.pool.QueryRow(ctx, `SELECT `+revisionInfoColumns+`, r.project_id, r.region, r.spec FROM revisions r
		JOIN drafts d ON d.key = r.draft_key AND d.deleted_at IS NULL
		WHERE r.draft_key = $1 AND r.version = $2`, key, version), &r.ProjectID, &r.Region, &r.Spec)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, draft.ErrNotFound
	}
	return r, s.fail("read revision", err)
}

// Delete implements draft.Store.
func (s *Store) Delete(ctx context.Context, key string, at time.Time) error {
	return affectOne(s.exec(ctx, "delete draft", `UPDATE drafts SET deleted_at = $1 WHERE key = $2 AND deleted_at IS NULL`, at.UnixMilli(), key))
}

// Undelete implements draft.Store.
func (s *Store) Undelete(ctx context.Context, key string, deletedAfter time.Time) error {
	return affectOne(s.exec(ctx, "undelete draft", `UPDATE drafts SET deleted_at = NULL WHERE key = $1 AND deleted_at > $2`, key, deletedAfter.UnixMilli()))
}

// Purge implements draft.Store. One instance purges at a time: the others,
// finding the lock taken, purge nothing (0, nil); the one holding it will
// have removed what they would have.
func (s *Store) Purge(ctx context.Context, deletedBefore time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "purge deleted drafts", func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, purgeLock).Scan(&locked); err != nil || !locked {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM drafts WHERE deleted_at IS NOT NULL AND deleted_at < $1`, deletedBefore.UnixMilli())
		n = tag.RowsAffected()
		return err
	})
	return int(n), err
}
