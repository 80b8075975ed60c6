package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/flowform/flowform/internal/draft"
)

// Health implements draft.Store: nil while the database is usable.
func (s *Store) Health(context.Context) error { return s.health.Err() }

// fail names the operation that failed and classifies storage trouble
// (storehealth.Health.Fail).
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return s.health.Fail("sqlite: "+s.path, op, err, classify(err))
}

// Damaged implements draft.Store.
func (s *Store) Damaged(err error) { s.health.Damaged("sqlite: "+s.path, err) }

// classify maps SQLite result codes to the domain's storage errors.
func classify(err error) error {
	if errors.Is(err, draft.ErrCorrupt) {
		return draft.ErrCorrupt
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return draft.ErrCorrupt
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR:
		return draft.ErrStorageFull
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return draft.ErrStorageBusy
	}
	return nil
}

// quickCheckTime bounds the start-up integrity check: a large file is
// checked as far as it gets in that time.
const quickCheckTime = 10 * time.Second

// checkIntegrity runs PRAGMA quick_check on an existing file and refuses a
// damaged one with the way back.
func checkIntegrity(ctx context.Context, db *sql.DB, path string) error {
	ctx, cancel := context.WithTimeout(ctx, quickCheckTime)
	defer cancel()
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check`)
	var problems []string
	if err == nil {
		for rows.Next() {
			var line string
			if rows.Scan(&line) == nil && line != "ok" {
				problems = append(problems, line)
			}
		}
		err = rows.Err()
		rows.Close()
	}
	if ctx.Err() != nil && len(problems) == 0 {
		return nil // checked as far as the time allowed
	}
	if err != nil && classify(err) != draft.ErrCorrupt {
		return fmt.Errorf("sqlite: checking %s: %w", path, err)
	}
	if err != nil || len(problems) > 0 {
		detail := strings.Join(problems, "; ")
		if err != nil {
			detail = err.Error()
		}
		if len(detail) > 300 {
			detail = detail[:300] + "…"
		}
		return fmt.Errorf("%w: %s fails its integrity check (%s). FlowForm will not write into a damaged file. "+
			"To recover: stop FlowForm, move %s (and any -wal/-shm beside it) aside, copy your latest backup "+
			"(made with `flowform backup --db %s --to FILE`) to %s, and start FlowForm again",
			draft.ErrCorrupt, path, detail, path, path, path)
	}
	return nil
}
