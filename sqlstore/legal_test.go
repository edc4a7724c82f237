package sqlstore_test

import (
	"context"
	"encoding/json"
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

// TestRecordsWrittenBeforeIssue14Migrate: an organisation written without
// the transparency contact reads back with none and keeps it once set; a
// processing version written before the DPIA checklist, the retention
// criteria and the information items (JSON without them) reads back with
// them empty, and its retention period is still accepted.
func TestRecordsWrittenBeforeIssue14Migrate(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		if _, err := db.Bun().NewRaw(`INSERT INTO organisations (slug, name, address, website, dpo_contact, lipad_contact, created_at, updated_at)
			VALUES ('onex', 'Ville d''Onex', '', '', '', 'lipad@onex.example', ?, ?)`, now, now).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		st := db.Store()
		o, err := st.GetOrganisation(ctx, "onex")
		if err != nil || o.TransparencyContact != "" {
			t.Fatalf("old organisation: %+v, %v", o, err)
		}
		o.TransparencyContact = "transparence@onex.example"
		if err := st.InTx(ctx, func(tx register.Store) error { return tx.UpdateOrganisation(ctx, o) }); err != nil {
			t.Fatal(err)
		}
		if o, _ := st.GetOrganisation(ctx, "onex"); o.TransparencyContact != "transparence@onex.example" {
			t.Fatalf("transparency contact not kept: %+v", o)
		}
		var old register.Processing
		if err := json.Unmarshal([]byte(`{"id":"p1","unit":"etat-civil","title":"Registre","purpose":"Tenir le registre.",
			"retention":{"period":"P10Y","trigger":"décès","disposal":"archive"},"dpia":{"required":true,"status":"done","completed_on":"2025-01-01","reference":"AIPD-1"}}`), &old); err != nil {
			t.Fatal(err)
		}
		if old.Retention.Period != "P10Y" || !old.Retention.Given() || old.Retention.PerCategory != nil || old.DPIA.Criteria != nil ||
			old.DPIA.Needed() || old.DPIA.Consultation != nil || old.Information != (register.Information{}) {
			t.Fatalf("old record: %+v", old)
		}
		if err := register.NewValidator().Struct(&old.Fields); err != nil {
			t.Fatalf("old record refused: %v", err)
		}
	})
}
