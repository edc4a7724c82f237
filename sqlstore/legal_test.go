package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestRowsWrittenBeforeRegimesMigrate: rows written with the columns of the
// first schema (as every row was before 20261130000020_legal_precision) read
// back as LIPAD organisations without the GDPR, and as publications passed by
// the rule table of the first release.
func TestRowsWrittenBeforeRegimesMigrate(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		if _, err := db.Bun().NewRaw(`INSERT INTO organisations (slug, name, address, website, dpo_contact, lipad_contact, created_at, updated_at)
			VALUES ('onex', 'Ville d''Onex', '', '', '', 'lipad@onex.example', ?, ?)`, now, now).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		st := db.Store()
		o, err := st.GetOrganisation(ctx, "onex")
		if err != nil {
			t.Fatal(err)
		}
		if o.Regime != register.RegimeLIPAD || o.GDPRApplies {
			t.Fatalf("old organisation: got regime %q, gdpr %v; want lipad, false", o.Regime, o.GDPRApplies)
		}
		svc := register.NewService(st, register.WithPasswords(auth.Argon2id{}))
		admin := &auth.Principal{Subject: "t", Role: auth.RoleAdmin}
		if _, err := svc.CreateUnit(ctx, admin, "onex", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
			t.Fatal(err)
		}
		p, err := svc.CreateProcessing(ctx, admin, "onex", register.Fields{Unit: "etat-civil", Title: "Registre", Purpose: "Tenir le registre."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Bun().NewRaw(`INSERT INTO publications (processing_id, organisation, version, title, search_key, sensitive, basis_types, categories, data, published_at)
			VALUES (?, 'onex', 1, 'Registre', 'registre', FALSE, ' ', '', '{}', ?)`, p.ID, now).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		pub, err := st.GetPublication(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if pub.RulesVersion != "2026-11-22" {
			t.Fatalf("old publication: got rules version %q, want 2026-11-22", pub.RulesVersion)
		}
		// A new publication records the current table even if the caller
		// leaves it empty.
		pub.RulesVersion = ""
		if err := st.InTx(ctx, func(tx register.Store) error { return tx.PutPublication(ctx, pub) }); err != nil {
			t.Fatal(err)
		}
		if got, _ := st.GetPublication(ctx, p.ID); got.RulesVersion != register.RulesVersion {
			t.Fatalf("got rules version %q, want %s", got.RulesVersion, register.RulesVersion)
		}
	})
}
