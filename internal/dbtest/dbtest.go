// Package dbtest runs tests on every database Registre supports: SQLite in a
// temporary directory, and PostgreSQL from REGISTRE_TEST_POSTGRES with a
// fresh database per test. With REGISTRE_REQUIRE_POSTGRES=1 (as in CI) a
// missing PostgreSQL fails the test instead of skipping it.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/registre/registre/sqlstore"
)

// Env names.
const (
	EnvPostgres        = "REGISTRE_TEST_POSTGRES"
	EnvRequirePostgres = "REGISTRE_REQUIRE_POSTGRES"
)

// Kind names a database kind.
type Kind string

// Kinds.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// DSNs returns, for each kind, a function that makes a fresh, empty database
// for t and returns its DSN.
func DSNs() map[Kind]func(t testing.TB) string {
	return map[Kind]func(t testing.TB) string{SQLite: SQLiteDSN, Postgres: PostgresDSN}
}

// EachDB runs fn as a subtest on a fresh, migrated database of every kind.
func EachDB(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, kind := range []Kind{SQLite, Postgres} {
		t.Run(string(kind), func(t *testing.T) {
			db := Open(t, DSNs()[kind](t))
			fn(t, db)
		})
	}
}

// EachDSN runs fn as a subtest with the DSN of a fresh, empty database of
// every kind (for tests that start the real program).
func EachDSN(t *testing.T, fn func(t *testing.T, kind Kind, dsn string)) {
	t.Helper()
	for _, kind := range []Kind{SQLite, Postgres} {
		t.Run(string(kind), func(t *testing.T) { fn(t, kind, DSNs()[kind](t)) })
	}
}

// Open opens and migrates the database at dsn, closing it when t ends.
func Open(t testing.TB, dsn string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// SQLiteDSN returns the DSN of a new SQLite file in t's temporary directory.
func SQLiteDSN(t testing.TB) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "registre.db")
}

// PostgresDSN creates an empty database on the test server and returns its
// DSN; the database is dropped when t ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s is not set but %s=1: PostgreSQL tests must run", EnvPostgres, EnvRequirePostgres)
		}
		t.Skipf("PostgreSQL tests need %s (./scripts/test sets it up)", EnvPostgres)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "registre_t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("postgres at %s unreachable or refusing (%s): %v", EnvPostgres, name, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres URL: %v", err)
	}
	u.Path = "/" + name
	return strings.TrimSpace(u.String())
}
