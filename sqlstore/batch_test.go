package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// Concurrent transactions, half of which fail after writing: exactly the
// others are kept, whether they shared a commit or not.
func TestTransactionsAreIsolated(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := db.Store()
		errRefused := errors.New("refused")
		const n = 60
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.InTx(ctx, func(tx register.Store) error {
					o := &register.Organisation{Slug: fmt.Sprintf("org-%02d", i), Name: "Org", CreatedAt: time.Now(), UpdatedAt: time.Now()}
					if err := tx.CreateOrganisation(ctx, o); err != nil {
						return err
					}
					if i%2 == 1 {
						return errRefused
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if (i%2 == 1) != errors.Is(err, errRefused) || (i%2 == 0 && err != nil) {
				t.Fatalf("transaction %d: got %v", i, err)
			}
		}
		orgs, err := st.ListOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(orgs) != n/2 {
			t.Fatalf("got %d organisations, want %d", len(orgs), n/2)
		}
		for _, o := range orgs {
			var i int
			fmt.Sscanf(o.Slug, "org-%d", &i)
			if i%2 == 1 {
				t.Fatalf("organisation %s of a failed transaction was kept", o.Slug)
			}
		}
		// A unique violation fails only its own transaction.
		err = st.InTx(ctx, func(tx register.Store) error {
			return tx.CreateOrganisation(ctx, &register.Organisation{Slug: "org-00", Name: "Dup", CreatedAt: time.Now(), UpdatedAt: time.Now()})
		})
		if register.ErrorCode(err) != register.EConflict {
			t.Fatalf("duplicate: got %v, want a conflict", err)
		}
	})
}

func TestPanicInTransactionReachesCaller(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := db.Store()
		func() {
			defer func() {
				if v := recover(); v != "boom" {
					t.Fatalf("got panic %v, want boom", v)
				}
			}()
			_ = st.InTx(ctx, func(tx register.Store) error {
				_ = tx.CreateOrganisation(ctx, &register.Organisation{Slug: "gone", Name: "Gone", CreatedAt: time.Now(), UpdatedAt: time.Now()})
				panic("boom")
			})
		}()
		if _, err := st.GetOrganisation(ctx, "gone"); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("a panicking transaction left its write: %v", err)
		}
		// The store still works.
		if err := st.InTx(ctx, func(tx register.Store) error {
			return tx.CreateOrganisation(ctx, &register.Organisation{Slug: "after", Name: "After", CreatedAt: time.Now(), UpdatedAt: time.Now()})
		}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTimesComeBackUTC(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		zurich := time.FixedZone("CET", 3600)
		at := time.Date(2026, 3, 1, 10, 30, 0, 123456000, zurich)
		if err := db.Store().InTx(ctx, func(tx register.Store) error {
			return tx.CreateOrganisation(ctx, &register.Organisation{Slug: "tz", Name: "TZ", CreatedAt: at, UpdatedAt: at})
		}); err != nil {
			t.Fatal(err)
		}
		o, err := db.Store().GetOrganisation(ctx, "tz")
		if err != nil {
			t.Fatal(err)
		}
		if o.CreatedAt.Location() != time.UTC || !o.CreatedAt.Equal(at) {
			t.Fatalf("got %v, want %v in UTC", o.CreatedAt, at.UTC())
		}
	})
}

// A caller that gives up while its write statement runs inside a shared
// commit loses its own transaction only: every other transaction of the
// batch is kept and answered without error, and the cancelled one leaves
// nothing behind.
func TestCancelledWriteDoesNotFailItsBatch(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		st := db.Store()
		bg := context.Background()
		// The gate holds the writer, so that the transactions started while
		// it runs queue up and share the next commit.
		gate, entered := make(chan struct{}), make(chan struct{})
		gateDone := make(chan error, 1)
		go func() {
			gateDone <- st.InTx(bg, func(tx register.Store) error {
				close(entered)
				<-gate
				return tx.CreateOrganisation(bg, &register.Organisation{Slug: "gate", Name: "Gate", CreatedAt: time.Now(), UpdatedAt: time.Now()})
			})
		}()
		<-entered
		const n = 24
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			cancelled := i%4 == 1
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithCancel(bg)
				defer cancel()
				slug := fmt.Sprintf("org-%02d", i)
				errs[i] = st.InTx(ctx, func(tx register.Store) error {
					if err := tx.CreateOrganisation(ctx, &register.Organisation{Slug: slug, Name: "Org", CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
						return err
					}
					if !cancelled {
						return nil
					}
					// The client goes away in the middle of the statement.
					if err := sqlstore.WriteCancelledDuring(ctx, tx, slug, cancel); err != nil {
						return err
					}
					// Later statements of a cancelled caller are not run.
					return tx.CreateUnit(ctx, &register.Unit{Organisation: slug, Slug: "late", Name: "Late", CreatedAt: time.Now()})
				})
			}()
		}
		// Let every transaction reach the queue before the gate opens.
		time.Sleep(100 * time.Millisecond)
		close(gate)
		wg.Wait()
		if err := <-gateDone; err != nil {
			t.Fatalf("gate transaction: %v", err)
		}
		for i, err := range errs {
			switch {
			case i%4 == 1 && !errors.Is(err, context.Canceled):
				t.Errorf("cancelled transaction %d: got %v, want context.Canceled", i, err)
			case i%4 != 1 && err != nil:
				t.Errorf("transaction %d, not cancelled: got %v, want no error", i, err)
			}
		}
		orgs, err := st.ListOrganisations(bg)
		if err != nil {
			t.Fatal(err)
		}
		kept := map[string]bool{}
		for _, o := range orgs {
			kept[o.Slug] = true
		}
		for i := range n {
			slug := fmt.Sprintf("org-%02d", i)
			if want := i%4 != 1; kept[slug] != want {
				t.Errorf("%s: kept %v, want %v", slug, kept[slug], want)
			}
		}
		if !kept["gate"] {
			t.Errorf("the gate transaction's write is missing")
		}
		// The store still works.
		if err := st.InTx(bg, func(tx register.Store) error {
			return tx.CreateOrganisation(bg, &register.Organisation{Slug: "after", Name: "After", CreatedAt: time.Now(), UpdatedAt: time.Now()})
		}); err != nil {
			t.Fatal(err)
		}
	})
}
