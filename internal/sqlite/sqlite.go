// Package sqlite stores drafts in a SQLite file (modernc.org/sqlite, no cgo).
// It is the only package with SQL in it.
//
// Durability: WAL journal with synchronous=FULL, so a save that returned
// successfully survives a process crash and a power loss. Writes go through
// one connection with BEGIN IMMEDIATE, so concurrent savers queue in Go
// instead of failing with SQLITE_BUSY; reads use a separate pool.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/storehealth"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a draft.Store on one SQLite file.
type Store struct {
	path   string
	writer *sql.DB // one connection, BEGIN IMMEDIATE
	reader *sql.DB // read-only pool
	health storehealth.Health

	// The two hottest reads, prepared once per pooled connection.
	getDraft, getView *sql.Stmt
}

// Kind implements draft.Store.
func (s *Store) Kind() string { return "sqlite" }

// dsn builds the connection string; every pragma is applied to every pooled
// connection by the driver.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	// Only another program can hold the lock (writes in this process queue
	// on one connection), so waiting long helps nobody.
	q.Set("_busy_timeout", "5000")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "1")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies pending
// migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: database path %q must not contain ? or #", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("sqlite: create folder: %w", err)
		}
	}
	existing, err := create(path)
	if err != nil {
		return nil, err
	}
	writer, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if existing {
		if err := checkIntegrity(ctx, writer, path); err != nil {
			writer.Close()
			return nil, err
		}
	}
	if err := migrate(ctx, writer, -1); err != nil {
		writer.Close()
		if classify(err) == draft.ErrCorrupt {
			return nil, fmt.Errorf("%w: %s is not a FlowForm database or is damaged (%v); restore it from a backup made with `flowform backup`", draft.ErrCorrupt, path, err)
		}
		return nil, err
	}
	reader, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		writer.Close()
		return nil, err
	}
	reader.SetMaxOpenConns(8)
	reader.SetMaxIdleConns(8)
	s := &Store{path: path, writer: writer, reader: reader}
	if s.getDraft, err = reader.PrepareContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE key = ? AND deleted_at IS NULL`); err == nil {
		s.getView, err = reader.PrepareContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE view_key = ? AND deleted_at IS NULL`)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// create makes the database file readable by its owner only (SQLite gives
// the -wal and -shm files the same mode), and says whether it existed
// with content.
func create(path string) (existing bool, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		info, err := os.Stat(path)
		return err == nil && info.Size() > 0, err
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return false, f.Close()
}

// Close closes both pools.
func (s *Store) Close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.getDraft, s.getView} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(append(errs, s.reader.Close(), s.writer.Close())...)
}

// migrate applies the embedded migrations in order, each in its own
// transaction, recording each in schema_migrations.
func migrate(ctx context.Context, db *sql.DB, upTo int) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	known := 0
	for _, name := range names {
		if v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0]); err == nil {
			known = max(known, v)
		}
	}
	var newest int
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("sqlite: read schema_migrations: %w", err)
	}
	if newest > known {
		// A newer FlowForm migrated this file: this binary would
		// misread what it does not know about.
		return fmt.Errorf("sqlite: the database has migration %d, newer than this FlowForm knows (%d): run the newer FlowForm, or restore a backup", newest, known)
	}
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("sqlite: migration %s has no number", base)
		}
		if upTo >= 0 && version > upTo {
			break
		}
		if err := applyMigration(ctx, db, version, name); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, version int, name string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", filepath.Base(name), err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		version, filepath.Base(name), time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// Backup writes a consistent copy of the database at path to dest with
// VACUUM INTO. It opens its own connection, so it runs beside a live server.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite: backup source: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("sqlite: backup target %s already exists", dest)
	}
	// An empty file of our making is allowed as the target, and keeps the
	// copy readable by its owner only.
	f, err := os.OpenFile(dest, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: backup target: %w", err)
	}
	f.Close()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("sqlite: backup %s to %s: %w", path, dest, err)
	}
	return os.Chmod(dest, 0o600)
}
