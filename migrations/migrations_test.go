package migrations_test

import (
	"context"
	"testing"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/migrations"
	"github.com/registre/registre/sqlstore"
)

func tables(t *testing.T, db *sqlstore.DB) map[string]bool {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if db.Postgres() {
		q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
	}
	var names []string
	if err := db.Bun().NewRaw(q).Scan(context.Background(), &names); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

func TestUpDownUp(t *testing.T) {
	t.Parallel()
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		applied, err := migrations.Up(ctx, db.Bun())
		if err != nil || len(applied) == 0 {
			t.Fatalf("up: got %v, %v", applied, err)
		}
		if !tables(t, db)["processings"] || !tables(t, db)["audit_log"] {
			t.Fatalf("after up: tables %v", tables(t, db))
		}
		again, err := migrations.Up(ctx, db.Bun())
		if err != nil || len(again) != 0 {
			t.Fatalf("second up: got %v, %v, want nothing to do", again, err)
		}
		for {
			rolled, err := migrations.Down(ctx, db.Bun())
			if err != nil {
				t.Fatalf("down: %v", err)
			}
			if len(rolled) == 0 {
				break
			}
		}
		if tables(t, db)["processings"] {
			t.Fatalf("after down: processings still there")
		}
		st, err := migrations.List(ctx, db.Bun())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range st {
			if m.Applied {
				t.Fatalf("after down: %s still applied", m.Name)
			}
		}
		if _, err := migrations.Up(ctx, db.Bun()); err != nil {
			t.Fatalf("up again: %v", err)
		}
		if !tables(t, db)["processings"] {
			t.Fatalf("after up again: no processings table")
		}
	})
}
