// Package migrations holds the database schema as embedded SQL files, one set
// for both databases, and applies them with bun's migrator. The files are
// text/template: {{.TS}} is the timestamp type of the dialect and
// {{.Postgres}} is true on PostgreSQL.
//
// A migration is marked applied only when it succeeds, and each file runs in
// one transaction (the ".tx." in its name), so a failed migration leaves the
// schema as it was.
package migrations

import (
	"context"
	"embed"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

//go:embed *.sql
var files embed.FS

// templateData is what the SQL templates may use.
type templateData struct {
	Postgres bool
	TS       string
}

// Migrator returns bun's migrator over the embedded migrations for db.
func Migrator(db *bun.DB) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(files); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	data := templateData{TS: "TIMESTAMP"}
	if db.Dialect().Name() == dialect.PG {
		data = templateData{Postgres: true, TS: "TIMESTAMPTZ"}
	}
	return migrate.NewMigrator(db, ms,
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(data),
		migrate.WithTableName("registre_migrations"),
		migrate.WithLocksTableName("registre_migration_locks"),
	), nil
}

// Up applies every pending migration and returns the names applied.
func Up(ctx context.Context, db *bun.DB) ([]string, error) {
	return run(ctx, db, func(m *migrate.Migrator) (*migrate.MigrationGroup, error) { return m.Migrate(ctx) })
}

// Down rolls back the last group of migrations.
func Down(ctx context.Context, db *bun.DB) ([]string, error) {
	return run(ctx, db, func(m *migrate.Migrator) (*migrate.MigrationGroup, error) { return m.Rollback(ctx) })
}

// migrationLockKey is the PostgreSQL advisory lock that keeps two processes
// from migrating at once. bun's lock table is not used: a process killed
// while holding it would leave the table locked for ever, whereas an advisory
// lock ends with its session.
const migrationLockKey = 7_253_420_001

func run(ctx context.Context, db *bun.DB, step func(*migrate.Migrator) (*migrate.MigrationGroup, error)) ([]string, error) {
	m, err := Migrator(db)
	if err != nil {
		return nil, err
	}
	if db.Dialect().Name() == dialect.PG {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(?)", migrationLockKey); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", migrationLockKey) //nolint:errcheck // released with the session anyway
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	group, err := step(m)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return names(group), nil
}

// Status describes each migration and whether it is applied.
type Status struct {
	Name    string
	Comment string
	Applied bool
}

// List returns the status of every known migration.
func List(ctx context.Context, db *bun.DB) ([]Status, error) {
	m, err := Migrator(db)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations: %w", err)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]Status, 0, len(ms))
	for _, mg := range ms {
		out = append(out, Status{Name: mg.Name, Comment: mg.Comment, Applied: mg.IsApplied()})
	}
	return out, nil
}

func names(g *migrate.MigrationGroup) []string {
	if g == nil {
		return nil
	}
	out := make([]string, 0, len(g.Migrations))
	for _, m := range g.Migrations {
		out = append(out, m.Name+"_"+m.Comment)
	}
	return out
}
