// Package postgres stores drafts in PostgreSQL (github.com/jackc/pgx/v5),
// so that many FlowForm instances can share one database. It keeps every
// guarantee of package sqlite: a save is a compare-and-swap on the draft's
// version, revisions are immutable and contiguous, at most one submission
// per draft is pending, a pending delivery belongs to the instance whose
// lease is live, and tokens are stored only as hashes. Where SQLite gets
// these from having one writer, this package gets them from single
// statements, row locks, unique indexes and advisory locks.
//
// Durability is the server's: a save returns once its commit is flushed
// (synchronous_commit on, the default).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/flowform/flowform/internal/draft"
	"github.com/flowform/flowform/internal/storehealth"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock keys (single bigint space). Per-draft submission locks
// use the two-int space, which never collides with these.
const (
	migrationLock int64 = 0x466c6f77466f0001 // "FlowFo" + 1
	purgeLock     int64 = 0x466c6f77466f0002
	claimLock     int64 = 0x466c6f77466f0003
	// submitLockClass is the first half of a per-draft lock.
	submitLockClass int32 = 0x466c6f77
)

var _ draft.Store = (*Store)(nil)

// Store is a draft.Store on a PostgreSQL database.
type Store struct {
	pool   *pgxpool.Pool
	where  string // host:port/database, for messages (never the password)
	health storehealth.Health
}

// Open connects to the database at url (postgres://… or postgresql://…,
// or libpq key/value such as "host=… dbname=…") and applies pending
// migrations. Two instances opening together apply each migration once.
// A database with migrations newer than this binary knows is refused.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the connection string, password and all.
		return nil, errors.New("postgres: the database URL cannot be parsed (postgres://user@host:port/dbname or host=… dbname=…)")
	}
	if !strings.Contains(url, "pool_max_conns") {
		// Savers wait on the server, not on the pool.
		cfg.MaxConns = max(cfg.MaxConns, 16)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["lock_timeout"]; !ok {
		// As SQLite's busy timeout: a lock held that long is another
		// program's (a migration, a manual session), not a saver's.
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = "5s"
	}
	s := &Store{where: fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres: connect to %s: %w", s.where, err)
	}
	if err := s.migrate(ctx, -1); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Kind names the storage: "postgres".
func (s *Store) Kind() string { return "postgres" }

type migration struct {
	version int
	name    string // file name
}

func embedded() ([]migration, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %s has no number", base)
		}
		out = append(out, migration{v, base})
	}
	return out, nil
}

// migrate applies the embedded migrations up to upTo (-1: all) in one
// transaction under an advisory lock, so that of two instances starting
// together one migrates and the other then finds nothing to do.
func (s *Store) migrate(ctx context.Context, upTo int) error {
	known, err := embedded()
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect to %s: %w", s.where, err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: lock %s for migrations: %w", s.where, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`); err != nil {
		return fmt.Errorf("postgres: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	var newest int
	var newestName string
	rows, err := tx.Query(ctx, `SELECT version, name FROM schema_migrations ORDER BY version`)
	if err != nil {
		return fmt.Errorf("postgres: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		var name string
		if err := rows.Scan(&v, &name); err != nil {
			rows.Close()
			return err
		}
		applied[v], newest, newestName = true, v, name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	last := 0
	if len(known) > 0 {
		last = known[len(known)-1].version
	}
	if newest > last {
		return fmt.Errorf("postgres: the database %s is at migration %d (%s), newer than this FlowForm knows (up to %d): a newer FlowForm uses it; run that version, or restore a backup made before the upgrade",
			s.where, newest, newestName, last)
	}
	for _, m := range known {
		if upTo >= 0 && m.version > upTo {
			break
		}
		if applied[m.version] {
			continue
		}
		body, err := migrations.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, time.Now().UnixMilli()); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate %s: %w", s.where, err)
	}
	return nil
}

// Health implements draft.Store: nil while the database answers a read
// and a write; the error names the storage kind.
func (s *Store) Health(ctx context.Context) error {
	corrupt := s.health.Corrupt()
	if corrupt != nil {
		return corrupt
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var at int64
	err := s.pool.QueryRow(ctx, `INSERT INTO health (checked_at) VALUES ($1)
		ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at RETURNING checked_at`, time.Now().UnixMilli()).Scan(&at)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("postgres: health check %s: no answer in time: %w", s.where, err)
		}
		return s.fail("health check", err)
	}
	s.health.Wrote()
	return nil
}

// Damaged implements draft.Store.
func (s *Store) Damaged(err error) { s.health.Damaged("postgres: "+s.where, err) }

// fail names the operation that failed and classifies storage trouble
// (storehealth.Health.Fail), as package sqlite does.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	return s.health.Fail("postgres: "+s.where, op, err, classify(err))
}

// classify maps SQLSTATEs to the domain's storage errors.
func classify(err error) error {
	if errors.Is(err, draft.ErrCorrupt) {
		return draft.ErrCorrupt
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	switch pe.Code {
	case "XX001", "XX002": // data_corrupted, index_corrupted
		return draft.ErrCorrupt
	case "53100", "58030": // disk_full, io_error
		return draft.ErrStorageFull
	case "55P03", "57014", "40P01": // lock_not_available (lock_timeout), query_canceled (statement_timeout), deadlock
		return draft.ErrStorageBusy
	}
	return nil
}

// isUnique reports a unique violation on the named constraint or index.
func isUnique(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == constraint
}

// write runs fn in one transaction. A damaged store takes no more writes.
func (s *Store) write(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	corrupt := s.health.Corrupt()
	if corrupt != nil {
		return corrupt
	}
	err := pgx.BeginFunc(ctx, s.pool, fn)
	if err == nil {
		s.health.Wrote()
	}
	return s.fail(op, err)
}

// exec runs one statement on its own (its own transaction, one round
// trip), with write's checks.
func (s *Store) exec(ctx context.Context, op, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	corrupt := s.health.Corrupt()
	if corrupt != nil {
		return tag, corrupt
	}
	tag, err := s.pool.Exec(ctx, sql, args...)
	if err == nil {
		s.health.Wrote()
	}
	return tag, s.fail(op, err)
}

// affectOne is ErrNotFound when the statement changed no row.
func affectOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return draft.ErrNotFound
	}
	return nil
}

// millis is a time as stored, NULL when unset.
func millis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := t.UnixMilli()
	return &ms
}

// fromMillis reads a stored time: UTC, zero when NULL.
func fromMillis(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return time.UnixMilli(*ms).UTC()
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
