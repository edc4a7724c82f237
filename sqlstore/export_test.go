package sqlstore

import (
	"context"

	"github.com/registre/registre/register"
)

// SlowWrite runs, inside the transaction tx, an UPDATE that takes a while
// (about d seconds of work), so that a test can cancel its caller while the
// statement runs.
func SlowWrite(ctx context.Context, tx register.Store, slug string, seconds float64) error {
	st := tx.(*Store)
	if st.db.postgres {
		_, err := st.idb.ExecContext(ctx, "UPDATE organisations SET name = name || '' WHERE slug = ? AND (SELECT true FROM pg_sleep(?))", slug, seconds)
		return err
	}
	// A recursive count is pure CPU inside SQLite: the statement is running
	// (not waiting for a lock) when the caller gives up.
	n := int(seconds * 4_000_000)
	_, err := st.idb.ExecContext(ctx, `UPDATE organisations SET name = name || '' WHERE slug = ?
		AND (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c) > 0`, slug, n)
	return err
}
