package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// The store contract: what register.Store promises its callers, checked by
// one table of cases on every database (bun's testEachDB style), each case
// on a fresh database of its own, so the cases run in parallel.
func TestStoreContract(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	org := func(slug string) *register.Organisation {
		return &register.Organisation{Slug: slug, Name: "Ville de " + slug, Regime: register.RegimeLIPAD, CreatedAt: now, UpdatedAt: now}
	}
	audit := func(seq int64, action string) *register.AuditEntry {
		return &register.AuditEntry{Seq: seq, At: now, Actor: "admin", Role: "admin", Organisation: "geneve", Action: action,
			Target: "organisation/geneve", Hash: fmt.Sprintf("h%d", seq), PrevHash: fmt.Sprintf("h%d", seq-1)}
	}
	cases := []struct {
		name string
		run  func(t *testing.T, st register.Store)
	}{
		{"MissingRowsAreNotFound", func(t *testing.T, st register.Store) {
			const id = "0193a5b2-7c1d-7e00-8a11-000000000000"
			for what, err := range map[string]error{
				"organisation": func() error { _, err := st.GetOrganisation(ctx, "nowhere"); return err }(),
				"unit":         func() error { _, err := st.GetUnit(ctx, "nowhere", "none"); return err }(),
				"processing":   func() error { _, err := st.GetProcessing(ctx, id); return err }(),
				"version":      func() error { _, err := st.GetVersion(ctx, id, 1); return err }(),
				"publication":  func() error { _, err := st.GetPublication(ctx, id); return err }(),
				"stamp":        func() error { _, err := st.GetPublicationStamp(ctx, id); return err }(),
			} {
				if register.ErrorCode(err) != register.ENotFound {
					t.Errorf("%s: got %v, want not found", what, err)
				}
			}
		}},
		{"DuplicateIsConflict", func(t *testing.T, st register.Store) {
			err := st.InTx(ctx, func(tx register.Store) error { return tx.CreateOrganisation(ctx, org("geneve")) })
			if err != nil {
				t.Fatal(err)
			}
			err = st.InTx(ctx, func(tx register.Store) error { return tx.CreateOrganisation(ctx, org("geneve")) })
			if register.ErrorCode(err) != register.EConflict {
				t.Errorf("second organisation geneve: got %v, want conflict", err)
			}
		}},
		{"FailedTransactionWritesNothing", func(t *testing.T, st register.Store) {
			boom := errors.New("boom")
			err := st.InTx(ctx, func(tx register.Store) error {
				if err := tx.CreateOrganisation(ctx, org("carouge")); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("got %v, want the callback's error", err)
			}
			if _, err := st.GetOrganisation(ctx, "carouge"); register.ErrorCode(err) != register.ENotFound {
				t.Errorf("after rollback: got %v, want not found", err)
			}
		}},
		{"OrganisationRoundTrips", func(t *testing.T, st register.Store) {
			in := org("onex")
			in.Address, in.DPOContact = "Route de Chancy 1", "dpo@onex.example.ch"
			if err := st.InTx(ctx, func(tx register.Store) error { return tx.CreateOrganisation(ctx, in) }); err != nil {
				t.Fatal(err)
			}
			got, err := st.GetOrganisation(ctx, "onex")
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != in.Name || got.Address != in.Address || got.DPOContact != in.DPOContact || !got.CreatedAt.Equal(now) || got.CreatedAt.Location() != time.UTC {
				t.Errorf("got %+v, want %+v in UTC", got, in)
			}
		}},
		{"LastAuditOfFindsTheLatestOfItsActions", func(t *testing.T, st register.Store) {
			if seq, err := st.LastAuditOf(ctx, []string{register.ActionPublish}); err != nil || seq != 0 {
				t.Fatalf("empty chain: got %d, %v; want 0", seq, err)
			}
			err := st.InTx(ctx, func(tx register.Store) error {
				for i, action := range []string{register.ActionCreate, register.ActionPublish, register.ActionUpdate, register.ActionArchive, register.ActionSubmit} {
					if err := tx.AppendAudit(ctx, audit(int64(i+1), action)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				actions []string
				want    int64
			}{
				{[]string{register.ActionPublish}, 2},
				{[]string{register.ActionPublish, register.ActionArchive}, 4},
				{[]string{register.ActionSubmit}, 5},
				{[]string{register.ActionLogin}, 0},
			} {
				if got, err := st.LastAuditOf(ctx, c.actions); err != nil || got != c.want {
					t.Errorf("LastAuditOf(%v): got %d, %v; want %d", c.actions, got, err, c.want)
				}
			}
			if head, err := st.LastAudit(ctx); err != nil || head == nil || head.Seq != 5 {
				t.Errorf("LastAudit: got %+v, %v; want seq 5", head, err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) { c.run(t, db.Store()) })
		})
	}
}
