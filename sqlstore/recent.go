package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// recentRows is how many of a table's newest rows (by id) a search of two
// frequent words looks in first (see rankedPostgres): at 200,000 rows, the
// newest 5 %. A pair found in one record in 50 has its SearchRankCap+1
// newest matches there.
const recentRows = 10_000

// recentEvery is how long a table's recent boundary is used before it is
// read again. A stale boundary only changes how many rows the first look
// covers, never the result: a look that finds fewer matches than it needs
// is followed by one over the whole table.
const recentEvery = time.Minute

// recentBounds keeps, per table, the id of its rows-th newest row.
type recentBounds struct {
	mu     sync.Mutex
	rows   int // recentRows unless SetRecentRows said otherwise; 0: no first look
	set    bool
	bounds map[string]recentBound
}

// SetRecentRows sets how many of a table's newest rows a PostgreSQL search
// of words expected to be rare looks in first (default recentRows); 0 turns
// the first look off. The results are the same whatever the number: tests
// set it small to take both ways at a small scale.
func (db *DB) SetRecentRows(n int) {
	r := &db.recent
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows, r.set, r.bounds = n, true, nil
}

type recentBound struct {
	id   string // "" when the table has no more rows than recentRows
	read time.Time
}

// recentBound returns the id past which the newest recentRows rows of table
// (whose id column is idCol) lie, "" when the table is smaller or there is
// no first look.
func (s *Store) recentBound(ctx context.Context, table, idCol string) (string, error) {
	r := &s.db.recent
	r.mu.Lock()
	b, ok := r.bounds[table]
	rows := recentRows
	if r.set {
		rows = r.rows
	}
	r.mu.Unlock()
	if rows <= 0 {
		return "", nil
	}
	if ok && time.Since(b.read) < recentEvery {
		return b.id, nil
	}
	var id string
	err := s.db.read.NewSelect().TableExpr(table).ColumnExpr(idCol).
		OrderExpr(idCol+" DESC").Offset(int64(rows)).Limit(1).Scan(ctx, &id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", dbError(err, "search")
	}
	r.mu.Lock()
	if r.bounds == nil {
		r.bounds = map[string]recentBound{}
	}
	r.bounds[table] = recentBound{id: id, read: time.Now()}
	r.mu.Unlock()
	return id, nil
}
