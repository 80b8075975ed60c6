package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/flowform/flowform/internal/draft"
)

// Remember implements draft.Store. Opening a draft the browser already
// lists is the common case (every editor page view), so it is a read
// first, and only a new entry writes.
func (s *Store) Remember(ctx context.Context, browserKey, draftKey string, sealed []byte) error {
	var one int
	err := s.pool.QueryRow(ctx, `SELECT 1 FROM browser_drafts WHERE browser_key = $1 AND draft_key = $2`, browserKey, draftKey).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return s.fail("read browser drafts", err)
	}
	_, err = s.exec(ctx, "remember draft", `INSERT INTO browser_drafts (browser_key, draft_key, sealed_token)
		SELECT $1, key, $2 FROM drafts WHERE key = $3 ON CONFLICT DO NOTHING`, browserKey, nonNil(sealed), draftKey)
	return err
}

// Opened implements draft.Store: one query for the whole list. Keys
// order bytewise (COLLATE "C"), as in SQLite, whatever the database's
// collation.
func (s *Store) Opened(ctx context.Context, browserKey string, deletedAfter time.Time) ([]draft.OpenedRecord, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+draftColumns+`, deleted_at, sealed_token
		FROM browser_drafts JOIN drafts ON key = draft_key
		WHERE browser_key = $1 AND (deleted_at IS NULL OR deleted_at > $2)
		ORDER BY updated_at DESC, key COLLATE "C"`, browserKey, deletedAfter.UnixMilli())
	if err != nil {
		return nil, s.fail("list browser drafts", err)
	}
	defer rows.Close()
	var out []draft.OpenedRecord
	for rows.Next() {
		var o draft.OpenedRecord
		var deleted *int64
		if o.Record, err = scanRecord(rows, &deleted, &o.Sealed); err != nil {
			return nil, s.fail("list browser drafts", err)
		}
		o.DeletedAt = fromMillis(deleted)
		out = append(out, o)
	}
	return out, s.fail("list browser drafts", rows.Err())
}
