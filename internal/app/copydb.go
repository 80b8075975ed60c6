package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"

	"github.com/flowform/flowform/internal/postgres"
	"github.com/flowform/flowform/internal/sqlite"
)

// copyDB is `flowform copy-db --from FILE.db --to postgres://…`: every
// draft, revision, submission, step, delivery and browser list of a SQLite
// database is written into an empty PostgreSQL database in one
// transaction, then both are read back and their row counts and checksums
// compared. A target that holds anything is refused and left as it is.
func copyDB(ctx context.Context, args []string, getenv func(string) string, log *slog.Logger) error {
	fs := flag.NewFlagSet("flowform copy-db", flag.ContinueOnError)
	from := fs.String("from", "", "the SQLite file to copy (it is only read)")
	to := fs.String("to", getenv("FLOWFORM_DB"), "the empty PostgreSQL database to copy into (URL or host=… dbname=…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "":
		return errors.New("copy-db: --from FILE.db and --to postgres://… are required")
	case fs.NArg() > 0:
		return fmt.Errorf("copy-db: unexpected argument %q", fs.Arg(0))
	case !isPostgres(*to):
		return fmt.Errorf("copy-db: --to must be a PostgreSQL URL (postgres://…) or libpq settings (host=… dbname=…)")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("copy-db: %w", err) // never create an empty source
	}
	src, err := sqlite.Open(ctx, *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	data, err := src.Export(ctx)
	if err != nil {
		return err
	}
	if err := dst.Import(ctx, data); err != nil {
		return err
	}
	back, err := dst.Export(ctx)
	if err != nil {
		return err
	}
	want, got := data.Sums(), back.Sums()
	for _, table := range slices.Sorted(maps.Keys(want)) {
		if want[table] != got[table] {
			return fmt.Errorf("copy-db: table %s differs after the copy: %d rows %s in SQLite, %d rows %s in PostgreSQL",
				table, want[table].Rows, want[table].Checksum[:12], got[table].Rows, got[table].Checksum[:12])
		}
		log.Info("copied", "table", table, "rows", want[table].Rows, "sha256", want[table].Checksum[:12])
	}
	log.Info("copy-db: every table matches", "from", *from, "to", dbForLog(*to))
	return nil
}
