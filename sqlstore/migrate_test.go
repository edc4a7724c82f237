package sqlstore_test

import (
	"context"
	"testing"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestMigrateVacuumsAfterRewritingTheSearchRows: on PostgreSQL, the upgrade
// that writes every row of processings and publications again (search_tsv
// kept in the row) is followed by a VACUUM of both, so that the lists that
// read an index alone do not visit the table until autovacuum comes. A
// second Migrate, with nothing to apply, vacuums nothing.
func TestMigrateVacuumsAfterRewritingTheSearchRows(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if kind != dbtest.Postgres {
			return // SQLite's migration changes nothing there
		}
		found := false
		for _, n := range applied {
			found = found || n == "20261201000190_search_tsv_inline"
		}
		if !found {
			t.Fatalf("the migration was not applied: %v", applied)
		}
		vacuums := func() int {
			t.Helper()
			var n int
			// VACUUM reports its count at once; a snapshot this backend
			// may hold from an earlier read is cleared first.
			if _, err := db.Bun().ExecContext(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
				t.Fatal(err)
			}
			err := db.Bun().NewRaw("SELECT COALESCE(SUM(vacuum_count), 0) FROM pg_stat_user_tables WHERE relname IN ('processings', 'publications')").Scan(ctx, &n)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := vacuums(); n != 2 {
			t.Fatalf("after the upgrade: %d VACUUMs of processings and publications, want 2", n)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := vacuums(); n != 2 {
			t.Fatalf("after a Migrate with nothing to apply: %d VACUUMs, want still 2", n)
		}
	})
}
