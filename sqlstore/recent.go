package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/registre/registre/register"
)

// Search windows (PostgreSQL): a partial GIN index over a table's newest
// rows, where a search across organisations looks for its newest matches
// first (see rankedPostgres).
//
// Why: the GIN index cannot give matches newest first, so the newest
// SearchRankCap+1 matches of two words were found either by intersecting
// the words' postings over the whole table (each word's thousands of
// entries, then every match's row read: 5–11 ms at 200,000 rows) or by
// walking the ids newest first and testing each row (about 1 µs a row,
// 2,000–8,000 rows for two words found together in one record in 10 to
// 40). The window's index holds only the newest 10,000–20,000 rows' terms:
// the same intersection there reads a few hundred entries and rows
// (0.5–1.5 ms). The planner proves that a query's "id > bound" implies the
// index's predicate only when the bound is the same, so the window's bound
// is read from the index itself.
//
// The window is built again, under a new name, when the rows past its
// bound are more than 1.5 times recentRows (or fewer than half, after
// withdrawals): CREATE INDEX CONCURRENTLY, then the windows older than the
// one before it are dropped. A process still using an older bound (it
// reads them at most once a minute) gets the same results from the whole
// table's index, a little slower.

// recentRows is how many of a table's newest rows a window begins with: at
// 200,000 rows, the newest 5 %. A pair found together in one record in 50
// has its SearchRankCap+1 newest matches there.
const recentRows = 10_000

// recentEvery is how long a table's window (its bound and the frequencies
// of its words) is used before it is read again. A stale window only
// changes how a search finds its candidates, never the result.
const recentEvery = time.Minute

// walkAbove is the share of rows past which the words of a query are
// looked for by walking the window's ids newest first and testing each
// row, rather than by its index: measured at 200,000 rows, the walk wins
// for single words and prefixes found in more than 15 % of the records
// (it stops at the SearchRankCap+1th match), the index below.
const walkAbove = 0.07

// windowPrefix names a table's windows: the table's name and this, then
// the time the window was built.
const windowPrefix = "_search_recent_"

// windowTables are the tables that have windows and their id columns.
var windowTables = []struct{ table, idCol string }{
	{"publications", "processing_id"},
	{"processings", "id"},
}

// searchWindows keeps, per table, its window as last read.
type searchWindows struct {
	mu      sync.Mutex
	rows    int // recentRows unless SetRecentRows said otherwise; 0: no window
	set     bool
	byTable map[string]searchWindow
}

// searchWindow is a table's window: the bound of its partial index ("" when
// there is none) and how common each of the table's frequent words is.
type searchWindow struct {
	bound string
	words wordShares
	read  time.Time
}

// wordShares are the table's most common lexemes (sorted) and the share of
// rows each is in, from the planner's statistics (pg_stats); a lexeme
// that is not there is in fewer rows than the least common listed.
type wordShares struct {
	lexemes []string
	shares  []float64
}

// share returns the share of rows that match sq, by the statistics,
// taking its words as independent (as the planner does). A prefix counts
// every listed lexeme it begins.
func (w wordShares) share(sq register.Query) float64 {
	est := 1.0
	for _, g := range sq.Groups {
		var s float64
		for _, f := range g {
			i := sort.SearchStrings(w.lexemes, f.Term)
			if !f.Prefix {
				if i < len(w.lexemes) && w.lexemes[i] == f.Term {
					s += w.shares[i]
				}
				continue
			}
			for ; i < len(w.lexemes) && strings.HasPrefix(w.lexemes[i], f.Term); i++ {
				s += w.shares[i]
			}
		}
		est *= min(s, 1)
	}
	return est
}

// SetRecentRows sets how many of a table's newest rows its search window
// begins with (default recentRows); 0 turns the windows off. Results are
// the same whatever the number: tests set it small to take every way at a
// small scale, then call RefreshSearchWindows.
func (db *DB) SetRecentRows(n int) {
	r := &db.recent
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows, r.set, r.byTable = n, true, nil
}

func (db *DB) recentRows() int {
	r := &db.recent
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.set {
		return r.rows
	}
	return recentRows
}

// window returns table's search window, read again when older than
// recentEvery; none when windows are off or on SQLite.
func (s *Store) window(ctx context.Context, table string) (searchWindow, error) {
	if !s.db.postgres || s.db.recentRows() <= 0 {
		return searchWindow{}, nil
	}
	r := &s.db.recent
	r.mu.Lock()
	w, ok := r.byTable[table]
	r.mu.Unlock()
	if ok && time.Since(w.read) < recentEvery {
		return w, nil
	}
	w, err := readWindow(ctx, s.db.read, table)
	if err != nil {
		return w, err
	}
	r.mu.Lock()
	if r.byTable == nil {
		r.byTable = map[string]searchWindow{}
	}
	r.byTable[table] = w
	r.mu.Unlock()
	return w, nil
}

// boundRE reads the bound out of a window's predicate, as PostgreSQL
// prints it: (id > '…'::text).
var boundRE = regexp.MustCompile(`> '((?:[^']|'')*)'`)

// windowIndex is a table's partial index as the catalog lists it.
type windowIndex struct {
	Name  string `bun:"name"`
	Pred  string `bun:"pred"`
	Valid bool   `bun:"valid"`
}

// windowIndexes lists table's windows, the newest first.
func windowIndexes(ctx context.Context, db bun.IDB, table string) ([]windowIndex, error) {
	var ix []windowIndex
	err := db.NewSelect().TableExpr("pg_index AS i").Join("JOIN pg_class AS c ON c.oid = i.indexrelid").
		ColumnExpr("c.relname AS name, COALESCE(pg_get_expr(i.indpred, i.indrelid), '') AS pred, i.indisvalid AS valid").
		Where("i.indrelid = ?::regclass", table).Where("starts_with(c.relname, ?)", table+windowPrefix).
		OrderExpr("c.relname DESC").Scan(ctx, &ix)
	return ix, err
}

// windowBound returns the bound of table's newest valid window, "" for none.
func windowBound(ctx context.Context, db bun.IDB, table string) (string, error) {
	ix, err := windowIndexes(ctx, db, table)
	if err != nil {
		return "", dbError(err, "search")
	}
	for _, i := range ix {
		if m := boundRE.FindStringSubmatch(i.Pred); i.Valid && m != nil {
			return strings.ReplaceAll(m[1], "''", "'"), nil
		}
	}
	return "", nil
}

// readWindow reads table's newest valid window and its words' shares.
func readWindow(ctx context.Context, db bun.IDB, table string) (searchWindow, error) {
	w := searchWindow{read: time.Now()}
	var err error
	if w.bound, err = windowBound(ctx, db, table); err != nil {
		return w, err
	}
	var lexemes []string
	var shares []float64
	err = db.NewSelect().TableExpr("pg_stats").
		ColumnExpr("most_common_elems::text::text[], most_common_elem_freqs").
		Where("schemaname = current_schema() AND tablename = ? AND attname = 'search_tsv'", table).
		Limit(1).Scan(ctx, pgdialect.Array(&lexemes), pgdialect.Array(&shares))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return w, dbError(err, "search")
	}
	// The statistics end with three more figures (the least and most
	// common shares, the share of empty values).
	n := min(len(lexemes), len(shares))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return lexemes[idx[a]] < lexemes[idx[b]] })
	for _, i := range idx {
		w.words.lexemes = append(w.words.lexemes, lexemes[i])
		w.words.shares = append(w.words.shares, shares[i])
	}
	return w, nil
}

// windowLock is the advisory lock that one process at a time holds while
// it builds a window (the key is arbitrary: "rgsw").
const windowLock = 0x72677377

// RefreshSearchWindows builds a table's search window again when it has
// none (and more rows than a window begins with) or when the rows past its
// bound are more than 1.5 times, or fewer than half, that number; it drops the
// windows older than the one before the newest. One process at a time
// builds (an advisory lock); another finding the lock taken skips. It
// does nothing on SQLite.
func (db *DB) RefreshSearchWindows(ctx context.Context) error {
	rows := db.recentRows()
	if !db.postgres || rows <= 0 {
		return nil
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return dbError(err, "search windows")
	}
	defer conn.Close()
	var locked bool
	if err := conn.NewRaw("SELECT pg_try_advisory_lock(?)", windowLock).Scan(ctx, &locked); err != nil {
		return dbError(err, "search windows")
	}
	if !locked {
		return nil
	}
	// The session's lock is given back before the connection returns to
	// the pool, even when ctx is done.
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", windowLock) //nolint:errcheck
	for _, t := range windowTables {
		if err := refreshWindow(ctx, conn, t.table, t.idCol, rows); err != nil {
			return fmt.Errorf("search window of %s: %w", t.table, err)
		}
	}
	db.recent.mu.Lock()
	db.recent.byTable = nil
	db.recent.mu.Unlock()
	return nil
}

func refreshWindow(ctx context.Context, conn bun.Conn, table, idCol string, rows int) error {
	old, err := windowBound(ctx, conn, table)
	if err != nil {
		return err
	}
	if old != "" {
		var past int
		err := conn.NewSelect().TableExpr("(?) AS w", conn.NewSelect().TableExpr(table).ColumnExpr("1").
			Where(idCol+" > ?", old).Limit(int64(rows*3/2+1))).ColumnExpr("count(*)").Scan(ctx, &past)
		if err != nil {
			return dbError(err, "search")
		}
		if past >= rows/2 && past <= rows*3/2 {
			return dropOldWindows(ctx, conn, table) // it still fits
		}
	}
	var bound string
	err = conn.NewSelect().TableExpr(table).ColumnExpr(idCol).
		OrderExpr(idCol+" DESC").Offset(int64(rows)).Limit(1).Scan(ctx, &bound)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // no more rows than a window: the whole index is as small
	}
	if err != nil {
		return dbError(err, "search")
	}
	name := fmt.Sprintf("%s%s%d", table, windowPrefix, time.Now().UnixNano())
	_, err = conn.NewRaw("CREATE INDEX CONCURRENTLY ? ON ? USING gin (search_tsv) WHERE ? > ?",
		bun.Ident(name), bun.Ident(table), bun.Ident(idCol), bound).Exec(ctx)
	if err != nil {
		return dbError(err, "search")
	}
	return dropOldWindows(ctx, conn, table)
}

// dropOldWindows drops table's windows but the newest two valid ones, and
// any that a build interrupted left invalid (the caller holds the lock:
// no build is under way).
func dropOldWindows(ctx context.Context, conn bun.Conn, table string) error {
	ix, err := windowIndexes(ctx, conn, table)
	if err != nil {
		return dbError(err, "search")
	}
	kept := 0
	for _, i := range ix {
		if i.Valid && kept < 2 {
			kept++
			continue
		}
		if _, err := conn.NewRaw("DROP INDEX CONCURRENTLY IF EXISTS ?", bun.Ident(i.Name)).Exec(ctx); err != nil {
			return dbError(err, "search")
		}
	}
	return nil
}

// KeepSearchWindows refreshes the search windows now and then every
// recentEvery until ctx is done or stop is called (PostgreSQL; nothing on
// SQLite). Failures are logged: searches are right without a window.
func (db *DB) KeepSearchWindows(ctx context.Context, log *slog.Logger) (stop func()) {
	if !db.postgres {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(recentEvery)
		defer t.Stop()
		for {
			if err := db.RefreshSearchWindows(ctx); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "search window", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}
