package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/flowform/flowform/internal/draft"
)

// Remember implements draft.Store. Opening a draft the browser already
// lists is the common case (every editor page view), so it is a read on
// the reader pool, and only a new entry takes the writer.
func (s *Store) Remember(ctx context.Context, browserKey, draftKey string, sealed []byte) error {
	var one int
	err := s.reader.QueryRowContext(ctx, `SELECT 1 FROM browser_drafts WHERE browser_key = ? AND draft_key = ?`, browserKey, draftKey).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return s.fail("read browser drafts", err)
	}
	return s.write(ctx, "remember draft", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO browser_drafts (browser_key, draft_key, sealed_token)
			SELECT ?, key, ? FROM drafts WHERE key = ?`, browserKey, sealed, draftKey)
		return err
	})
}

// Opened implements draft.Store: one query for the whole list.
func (s *Store) Opened(ctx context.Context, browserKey string, deletedAfter time.Time) ([]draft.OpenedRecord, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+draftColumns+`, deleted_at, sealed_token
		FROM browser_drafts JOIN drafts ON key = draft_key
		WHERE browser_key = ? AND (deleted_at IS NULL OR deleted_at > ?)
		ORDER BY updated_at DESC, key`, browserKey, deletedAfter.UnixMilli())
	if err != nil {
		return nil, s.fail("list browser drafts", err)
	}
	defer rows.Close()
	var out []draft.OpenedRecord
	for rows.Next() {
		var o draft.OpenedRecord
		var deleted sql.NullInt64
		if o.Record, err = scanRecord(withMore{rows, []any{&deleted, &o.Sealed}}); err != nil {
			return nil, s.fail("list browser drafts", err)
		}
		if deleted.Valid {
			o.DeletedAt = time.UnixMilli(deleted.Int64).UTC()
		}
		out = append(out, o)
	}
	return out, s.fail("list browser drafts", rows.Err())
}

// withMore scans a draft record followed by more columns.
type withMore struct {
	rows *sql.Rows
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.more...)...) }
