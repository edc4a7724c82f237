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
