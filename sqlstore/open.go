// Package sqlstore keeps the register in SQLite (embedded, the default) or
// PostgreSQL (production) through bun. It implements register.Store.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx": verifies TLS certificates
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // pure-Go SQLite driver "sqlite": CGO_ENABLED=0 builds work

	"github.com/registre/registre/migrations"
	"github.com/registre/registre/register"
)

// DB is an open database: the store and the bun handles behind it.
type DB struct {
	// write takes every write transaction. On SQLite it has one connection,
	// so writers queue in Go instead of failing with "database is locked".
	write *bun.DB
	// read serves reads outside transactions; on SQLite a pool of read-only
	// connections that WAL lets run beside the writer.
	read     *bun.DB
	postgres bool
	dsn      string // PostgreSQL: for the connection that listens (notify.go)
	instance string // PostgreSQL: this process's name in notifications
	// commit batches write transactions on SQLite (group commit); nil on
	// PostgreSQL, where each transaction commits on its own.
	commit *committer
	// recent keeps each table's search window as last read (recent.go);
	// PostgreSQL only.
	recent searchWindows
	// terms keeps the newest publications' terms in memory for the
	// public search (termwindow.go).
	terms termWindows
}

// Open opens the database named by dsn: "sqlite:PATH" or a postgres:// URL.
// It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return openPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("database %q: want sqlite:PATH or a postgres:// URL", Redact(dsn))
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.Contains(path, "?") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: want a file path, got %q", path)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: %w", err)
		}
	}
	// synchronous=FULL: an acknowledged write survives a power cut, not
	// only a crash. _txlock=immediate: a write transaction takes the write
	// lock at BEGIN, so it waits (busy_timeout) instead of failing later.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// Readers map the file (no read syscall per page; the largest map
	// SQLite allows by default, 2 GB), and keep a page cache of 4 MB each for
	// the pages past it: the page cache is the process's own memory, four
	// of 32 MB took more than the service's budget at 200,000 processings
	// (and four of 8 MB left a serve process at 165 MB under load), while
	// mapped pages and the pages read past the map are the kernel's file
	// cache, reclaimed at will.
	r, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)&_pragma=mmap_size(2147418112)&_pragma=cache_size(-4000)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db := &DB{
		// The write connection runs shared transactions (group commit):
		// no caller's cancellation may interrupt one (see detachHook).
		write: bun.NewDB(w, sqlitedialect.New()).WithQueryHook(detachHook{}),
		read:  bun.NewDB(r, sqlitedialect.New()),
	}
	db.commit = newCommitter(db)
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad URL: %w", errors.Unwrap(err))
	}
	q := u.Query()
	if q.Get("timezone") == "" {
		// Times come back in UTC whatever the server's zone.
		q.Set("timezone", "UTC")
		u.RawQuery = q.Encode()
	}
	connector, err := postgresConnector(u.String())
	if err != nil {
		return nil, fmt.Errorf("postgres: bad URL: %w", err)
	}
	sqldb := sql.OpenDB(connector)
	sqldb.SetMaxOpenConns(max(8, runtime.GOMAXPROCS(0)*4))
	sqldb.SetMaxIdleConns(max(8, runtime.GOMAXPROCS(0)*4))
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres %s: %w", Redact(dsn), err)
	}
	return &DB{write: db, read: db, postgres: true, dsn: u.String(), instance: newInstanceName()}, nil
}

// Redact hides the password of a database URL in messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Migrate applies pending migrations.
// Migrate applies pending migrations, then builds the search terms of rows
// that lack them (issue 17: terms are built in Go, not in SQL).
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	names, err := migrations.Up(ctx, db.write)
	if err != nil {
		return names, err
	}
	if db.postgres && slices.Contains(names, rewritesSearchRows) {
		// That migration wrote every row of both tables again: until a
		// VACUUM, the lists that read an index alone visit the table for
		// every entry (an administrator's list of 200,000: p99 127 ms
		// before, 17 ms after). Autovacuum would come within minutes;
		// the upgrade does it now, once (VACUUM cannot run in the
		// migration's transaction).
		for _, t := range []string{"processings", "publications"} {
			if _, err := db.write.ExecContext(ctx, "VACUUM (ANALYZE) "+t); err != nil {
				return names, fmt.Errorf("vacuum %s after %s: %w", t, rewritesSearchRows, err)
			}
		}
	}
	n, err := reindex(ctx, db.write)
	if err != nil {
		return names, fmt.Errorf("search terms: %w", err)
	}
	if n > 0 || len(names) > 0 {
		db.terms.gen.Add(1) // the term window (termwindow.go) read them before
	}
	if err := fillWho(ctx, db.write); err != nil {
		return names, fmt.Errorf("standing: %w", err)
	}
	return names, nil
}

// rewritesSearchRows is the migration that writes every row of processings
// and publications again (search_tsv kept in the row).
const rewritesSearchRows = "20261201000190_search_tsv_inline"

// Bun returns the write handle, for migrations and tests.
func (db *DB) Bun() *bun.DB { return db.write }

// Postgres reports whether the database is PostgreSQL.
func (db *DB) Postgres() bool { return db.postgres }

// Close closes the database.
func (db *DB) Close() error {
	if db.commit != nil {
		db.commit.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Store returns the register.Store over db.
func (db *DB) Store() *Store { return &Store{db: db, idb: db.read} }

var (
	_ register.Store             = (*Store)(nil)
	_ register.OrganisationStore = (*Store)(nil)
	_ register.ProcessingStore   = (*Store)(nil)
	_ register.PublicationStore  = (*Store)(nil)
	_ register.AuditStore        = (*Store)(nil)
)
