package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// committer is SQLite's group commit. SQLite has one writer at a time and
// every commit waits for the disk; so concurrent write transactions are
// queued to one goroutine, which runs a batch of them in one database
// transaction, each inside its own savepoint, and commits once. A failing
// transaction rolls back to its savepoint and leaves the others alone; no
// caller hears back before the commit that holds its change is durable.
//
// A caller that gives up (its context is cancelled) loses its own
// transaction only. Its statements never see the cancellation (see
// detachHook): the SQLite driver answers a cancelled statement with
// sqlite3_interrupt, and an interrupted INSERT, UPDATE or DELETE rolls back
// the whole database transaction, that is every caller of the batch. Instead
// the cancellation is noticed between statements (the next one is refused
// before it starts) and once the function returns, when the caller's
// savepoint is rolled back.
type committer struct {
	owner *DB
	db    *bun.DB
	reqs  chan *txReq
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

type txReq struct {
	ctx context.Context
	fn  func(tx register.Store) error
	err chan error
}

// maxBatch bounds the work one commit carries, and so the wait of the first
// caller in it.
const maxBatch = 64

func newCommitter(owner *DB) *committer {
	c := &committer{owner: owner, db: owner.write, reqs: make(chan *txReq), stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// close stops the committer after its current batch; closing twice is fine.
func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

// do queues fn and waits for its outcome.
func (c *committer) do(ctx context.Context, fn func(tx register.Store) error) error {
	r := &txReq{ctx: ctx, fn: fn, err: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-c.stop:
		return errors.New("database closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	err := <-r.err
	var p *panicked
	if errors.As(err, &p) {
		panic(p.value) // in the caller's goroutine, where the server recovers it
	}
	return err
}

// panicked carries a panic of a transaction function back to its caller.
type panicked struct{ value any }

func (p *panicked) Error() string { return fmt.Sprint("panic in transaction: ", p.value) }

func (c *committer) run() {
	defer close(c.done)
	for {
		var batch []*txReq
		select {
		case r := <-c.reqs:
			batch = append(batch, r)
		case <-c.stop:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		c.commit(batch)
	}
}

func (c *committer) commit(batch []*txReq) {
	// The transaction outlives any one caller's context: a caller that gives
	// up must not roll back the others.
	ctx := context.Background()
	results := make([]error, len(batch))
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		for _, r := range batch {
			r.err <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	st := &Store{db: c.owner, idb: tx, inTx: true}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT registre_tx"); err != nil {
			results[i] = fmt.Errorf("savepoint: %w", err)
			continue
		}
		results[i] = call(r.fn, st)
		if err := r.ctx.Err(); err != nil && results[i] == nil {
			// The caller gave up before its transaction was done: undo it,
			// as PostgreSQL would, rather than keep a change it was told
			// failed.
			results[i] = err
		}
		if err := endSavepoint(ctx, tx, results[i] != nil); err != nil {
			// The savepoint cannot be undone: nothing of this batch is kept.
			_ = tx.Rollback()
			for _, r := range batch {
				r.err <- fmt.Errorf("savepoint: %w", err)
			}
			return
		}
	}
	commitErr := tx.Commit()
	if st.wrotePublic {
		c.owner.terms.gen.Add(1) // as Store.InTx does (publicWritten)
	}
	for i, r := range batch {
		if results[i] == nil && commitErr != nil {
			results[i] = fmt.Errorf("commit: %w", dbError(commitErr, "change"))
		}
		r.err <- results[i]
	}
}

func endSavepoint(ctx context.Context, tx bun.Tx, undo bool) error {
	if undo {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO registre_tx"); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, "RELEASE registre_tx")
	return err
}

// call runs fn, turning a panic into an error for its caller to re-raise.
func call(fn func(tx register.Store) error, st *Store) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &panicked{value: v}
		}
	}()
	return fn(st)
}

// detachHook runs every statement of the SQLite write connection without its
// caller's cancellation, so that a caller giving up cannot interrupt a
// statement of the shared transaction (see committer). A context that is
// already done is passed through: database/sql then refuses the statement
// before it reaches the connection, which stops a cancelled caller's
// transaction at its next statement without disturbing the others.
type detachHook struct{}

func (detachHook) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	if ctx.Err() != nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

func (detachHook) AfterQuery(context.Context, *bun.QueryEvent) {}
