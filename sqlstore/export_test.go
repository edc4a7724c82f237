package sqlstore

import (
	"context"
	"database/sql/driver"
	"os"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/registre/registre/register"
)

// cancelDuring maps a key to the cancel function that the SQL function
// test_cancel(key) calls while its statement runs.
var cancelDuring sync.Map

// TestMain registers test_cancel before any connection is opened (the
// driver gives registered functions to new connections only).
func TestMain(m *testing.M) {
	sqlite.MustRegisterScalarFunction("test_cancel", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		key, _ := args[0].(string)
		if f, ok := cancelDuring.Load(key); ok {
			f.(context.CancelFunc)()
			// Leave the driver time to act on the cancellation while the
			// statement is still running.
			time.Sleep(20 * time.Millisecond)
		}
		return int64(1), nil
	})
	os.Exit(m.Run())
}

// WriteCancelledDuring runs, inside the transaction tx, an UPDATE during
// which cancel is called: the caller gives up while its statement runs.
func WriteCancelledDuring(ctx context.Context, tx register.Store, slug string, cancel context.CancelFunc) error {
	st := tx.(*Store)
	if st.db.postgres {
		timer := time.AfterFunc(30*time.Millisecond, cancel)
		defer timer.Stop()
		_, err := st.idb.ExecContext(ctx, "UPDATE organisations SET name = name || '' WHERE slug = ? AND (SELECT true FROM pg_sleep(0.3))", slug)
		return err
	}
	cancelDuring.Store(slug, cancel)
	defer cancelDuring.Delete(slug)
	// The statement goes on for a while after test_cancel, so that SQLite
	// checks for an interrupt before it ends.
	_, err := st.idb.ExecContext(ctx, `UPDATE organisations SET name = name || '' WHERE slug = ?
		AND (WITH RECURSIVE c(x) AS (SELECT test_cancel(?) UNION ALL SELECT x + 1 FROM c WHERE x < 50000) SELECT count(*) FROM c) > 0`, slug, slug)
	return err
}
