package sqlite

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/flowform/flowform/internal/draft"
)

// keyframeEvery sets how revisions are compressed: revision 1, 33, 65, …
// are deflated alone; the others are deflated with their keyframe as the
// dictionary, so a small edit of a 4 KB spec costs tens of bytes and any
// revision reads with at most two inflations.
const keyframeEvery = 32

func keyframe(version int64) int64 { return (version-1)/keyframeEvery*keyframeEvery + 1 }

var _ draft.Store = (*Store)(nil)

const draftColumns = `key, view_key, view_seq, version, project_id, region, spec, author, created_at, updated_at`

func scanRecord(row interface{ Scan(...any) error }) (draft.Record, error) {
	var r draft.Record
	var created, updated int64
	err := row.Scan(&r.Key, &r.ViewKey, &r.ViewSeq, &r.Version, &r.ProjectID, &r.Region, &r.Spec, &r.Author, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, draft.ErrNotFound
	}
	r.CreatedAt, r.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return r, err
}

// Create implements draft.Store.
func (s *Store) Create(ctx context.Context, rec draft.Record) error {
	rev, err := s.pack(ctx, rec)
	if err != nil {
		return s.fail("compress revision", err)
	}
	return s.write(ctx, "create draft", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (`+draftColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.Key, rec.ViewKey, rec.ViewSeq, rec.Version, rec.ProjectID, rec.Region, rec.Spec, rec.Author,
			rec.CreatedAt.UnixMilli(), rec.UpdatedAt.UnixMilli()); err != nil {
			return err
		}
		if rec.Delivery != nil {
			if err := insertDelivery(ctx, tx, rec.Key, rec.Delivery); err != nil {
				return err
			}
		}
		return insertRevision(ctx, tx, rec, rev)
	})
}

// Get implements draft.Store.
func (s *Store) Get(ctx context.Context, key string) (draft.Record, error) {
	r, err := scanRecord(s.getDraft.QueryRowContext(ctx, key))
	return r, s.fail("read draft", err)
}

// GetByView implements draft.Store.
func (s *Store) GetByView(ctx context.Context, viewKey string) (draft.Record, error) {
	r, err := scanRecord(s.getView.QueryRowContext(ctx, viewKey))
	return r, s.fail("read draft", err)
}

// Update implements draft.Store: a compare-and-swap on the version inside
// one immediate transaction, with the revision written alongside. The
// revision is compressed before the transaction, so the one writer is held
// only for the SQL and the commit.
func (s *Store) Update(ctx context.Context, expected int64, rec draft.Record) error {
	rev, err := s.pack(ctx, rec)
	if err != nil {
		return s.fail("compress revision", err)
	}
	return s.write(ctx, "save draft", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE drafts SET version = ?, project_id = ?, region = ?, spec = ?, author = ?, updated_at = ?
			WHERE key = ? AND version = ? AND deleted_at IS NULL`,
			rec.Version, rec.ProjectID, rec.Region, rec.Spec, rec.Author, rec.UpdatedAt.UnixMilli(), rec.Key, expected)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var live int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM drafts WHERE key = ? AND deleted_at IS NULL`, rec.Key).Scan(&live); err != nil {
				return err
			}
			if live == 0 {
				return draft.ErrNotFound
			}
			return draft.ErrConflict
		}
		return insertRevision(ctx, tx, rec, rev)
	})
}

// packed is a revision's spec as stored.
type packed struct {
	base sql.NullInt64 // the keyframe used as dictionary, if any
	spec []byte
}

// pack compresses a revision against its keyframe. Revisions are never
// rewritten, so the keyframe is read outside any write transaction.
func (s *Store) pack(ctx context.Context, rec draft.Record) (packed, error) {
	var p packed
	var dict []byte
	if kf := keyframe(rec.Version); kf != rec.Version {
		var err error
		if dict, err = readRevisionSpec(ctx, s.reader, rec.Key, kf); err != nil {
			return p, fmt.Errorf("keyframe %d: %w", kf, err)
		}
		p.base = sql.NullInt64{Int64: kf, Valid: true}
	}
	var err error
	p.spec, err = deflate(rec.Spec, dict)
	return p, err
}

func insertRevision(ctx context.Context, tx *sql.Tx, rec draft.Record, p packed) error {
	restoredFrom := sql.NullInt64{Int64: rec.RestoredFrom, Valid: rec.RestoredFrom > 0}
	_, err := tx.ExecContext(ctx, `INSERT INTO revisions (draft_key, version, base_version, spec, project_id, region, author, created_at, kind, message, restored_from)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		rec.Key, rec.Version, p.base, p.spec, rec.ProjectID, rec.Region, rec.Author, rec.UpdatedAt.UnixMilli(),
		string(rec.Kind), rec.Message, restoredFrom)
	return err
}

// queryer is what reading a revision needs from a *sql.DB or *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readRevisionSpec returns the canonical spec of one revision.
func readRevisionSpec(ctx context.Context, q queryer, key string, version int64) ([]byte, error) {
	var base sql.NullInt64
	var packed []byte
	err := q.QueryRowContext(ctx, `SELECT base_version, spec FROM revisions WHERE draft_key = ? AND version = ?`, key, version).Scan(&base, &packed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, draft.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	var dict []byte
	if base.Valid {
		if dict, err = readRevisionSpec(ctx, q, key, base.Int64); err != nil {
			return nil, err
		}
	}
	spec, err := inflate(packed, dict)
	if err != nil {
		// Revisions are written once, compressed by us: only damage on
		// disk makes one unreadable.
		return nil, fmt.Errorf("%w: revision %d does not decompress (%v)", draft.ErrCorrupt, version, err)
	}
	return spec, nil
}

// SetView implements draft.Store.
func (s *Store) SetView(ctx context.Context, key, viewKey string, viewSeq int64) error {
	return s.write(ctx, "replace view link", func(tx *sql.Tx) error {
		return affectOne(tx.ExecContext(ctx, `UPDATE drafts SET view_key = ?, view_seq = ? WHERE key = ? AND deleted_at IS NULL`, viewKey, viewSeq, key))
	})
}

const revisionInfoColumns = `r.version, r.author, r.created_at, r.kind, r.message, r.restored_from`

// scanRevisionInfo reads revisionInfoColumns, and into more the columns
// selected after them.
func scanRevisionInfo(row interface{ Scan(...any) error }, more ...any) (draft.RevisionInfo, error) {
	var r draft.RevisionInfo
	var created int64
	var kind string
	var restoredFrom sql.NullInt64
	err := row.Scan(append([]any{&r.Version, &r.Author, &created, &kind, &r.Message, &restoredFrom}, more...)...)
	r.CreatedAt, r.Kind, r.RestoredFrom = time.UnixMilli(created).UTC(), draft.RevisionKind(kind), restoredFrom.Int64
	return r, err
}

// Revisions implements draft.Store.
func (s *Store) Revisions(ctx context.Context, key string) ([]draft.RevisionInfo, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+revisionInfoColumns+` FROM revisions r
		JOIN drafts d ON d.key = r.draft_key AND d.deleted_at IS NULL
		WHERE r.draft_key = ? ORDER BY r.version DESC`, key)
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

// Revision implements draft.Store.
func (s *Store) Revision(ctx context.Context, key string, version int64) (draft.Revision, error) {
	var r draft.Revision
	var err error
	r.RevisionInfo, err = scanRevisionInfo(s.reader.QueryRowContext(ctx, `SELECT `+revisionInfoColumns+`, r.project_id, r.region FROM revisions r
		JOIN drafts d ON d.key = r.draft_key AND d.deleted_at IS NULL
		WHERE r.draft_key = ? AND r.version = ?`, key, version), &r.ProjectID, &r.Region)
	if errors.Is(err, sql.ErrNoRows) {
		return r, draft.ErrNotFound
	} else if err != nil {
		return r, s.fail("read revision", err)
	}
	r.Spec, err = readRevisionSpec(ctx, s.reader, key, version)
	return r, s.fail("read revision", err)
}

// Delete implements draft.Store.
func (s *Store) Delete(ctx context.Context, key string, at time.Time) error {
	return s.write(ctx, "delete draft", func(tx *sql.Tx) error {
		return affectOne(tx.ExecContext(ctx, `UPDATE drafts SET deleted_at = ? WHERE key = ? AND deleted_at IS NULL`, at.UnixMilli(), key))
	})
}

// Undelete implements draft.Store.
func (s *Store) Undelete(ctx context.Context, key string, deletedAfter time.Time) error {
	return s.write(ctx, "undelete draft", func(tx *sql.Tx) error {
		return affectOne(tx.ExecContext(ctx, `UPDATE drafts SET deleted_at = NULL WHERE key = ? AND deleted_at > ?`, key, deletedAfter.UnixMilli()))
	})
}

// Purge implements draft.Store.
func (s *Store) Purge(ctx context.Context, deletedBefore time.Time) (int, error) {
	var n int64
	err := s.write(ctx, "purge deleted drafts", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE deleted_at IS NOT NULL AND deleted_at < ?`, deletedBefore.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// write runs fn in one immediate transaction on the writer connection. A
// damaged file takes no more writes.
func (s *Store) write(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	corrupt := s.health.Corrupt()
	if corrupt != nil {
		return corrupt
	}
	err := s.transact(ctx, fn)
	if err == nil {
		s.health.Wrote()
	}
	return s.fail(op, err)
}

func (s *Store) transact(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func affectOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return draft.ErrNotFound
	}
	return nil
}

// writers pools deflate writers: each holds about 700 KB of tables, and
// allocating one per save was a fifth of a save's cost.
var writers = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

// deflate compresses data so that inflate(out, dict) returns it. A pooled
// writer cannot take a new dictionary, so the dictionary is compressed
// first and its output, up to a sync flush, cut off: what remains is
// exactly a stream whose back-references may reach into dict, which is what
// flate.NewReaderDict expects.
func deflate(data, dict []byte) ([]byte, error) {
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	var buf bytes.Buffer
	w.Reset(&buf)
	skip := 0
	if len(dict) > 0 {
		if _, err := w.Write(dict); err != nil {
			return nil, err
		}
		if err := w.Flush(); err != nil {
			return nil, err
		}
		skip = buf.Len()
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()[skip:]), nil
}

func inflate(data, dict []byte) ([]byte, error) {
	r := flate.NewReaderDict(bytes.NewReader(data), dict)
	defer r.Close()
	return io.ReadAll(r)
}
