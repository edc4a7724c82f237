package register_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// Spreadsheets as DPOs really have them: the CNIL list's yes/no column for
// sensitive data, units named rather than slugged, Excel's Windows-1252.
func TestImportCSVSpreadsheetShapes(t *testing.T) {
	t.Parallel()
	const head = "Nom du traitement;Finalité(s);Unité;Données sensibles ?;Durées de conservation\n"
	tests := []struct {
		name        string
		csv         string
		defaultUnit string
		wantErrs    []string // fields of the errors, in order; nil: imported
		check       func(t *testing.T, p register.Processing)
	}{
		{name: "SensitiveNo", csv: head + "Registre des naissances;Tenir le registre;etat-civil;Non;150 ans\n",
			check: func(t *testing.T, p register.Processing) {
				if len(p.DataCategories) != 0 {
					t.Errorf("got data categories %+v, want none", p.DataCategories)
				}
			}},
		{name: "SensitiveYesWithoutNames", csv: head + "Registre des naissances;Tenir le registre;etat-civil;Oui;150 ans\n",
			wantErrs: []string{`line 2, column "Données sensibles ?"`}},
		{name: "SensitiveNamedQuoted", csv: head + "Aide sociale;Verser les aides;social;\"santé; mesures d'aide sociale\";10 ans\n",
			check: func(t *testing.T, p register.Processing) {
				if len(p.DataCategories) != 2 || !p.DataCategories[0].Sensitive || !p.DataCategories[1].Sensitive {
					t.Errorf("got data categories %+v, want two sensitive ones", p.DataCategories)
				}
			}},
		{name: "UnitByName", csv: head + "Registre des naissances;Tenir le registre;Service de l'état civil;;150 ans\n",
			check: func(t *testing.T, p register.Processing) {
				if p.Unit != "etat-civil" {
					t.Errorf("got unit %q, want etat-civil", p.Unit)
				}
			}},
		{name: "DefaultUnitByName", csv: "Nom du traitement;Finalité\nRegistre des naissances;Tenir le registre\n", defaultUnit: "SERVICE SOCIAL",
			check: func(t *testing.T, p register.Processing) {
				if p.Unit != "social" {
					t.Errorf("got unit %q, want social", p.Unit)
				}
			}},
		{name: "UnknownUnitReportedOnce", csv: head + "Registre des naissances;Tenir le registre;Service des fontaines;;150 ans\n",
			wantErrs: []string{`line 2, column "Unité"`}},
		{name: "Windows1252", csv: "Nom du traitement;Finalit\xe9;Unit\xe9\nCaf\xe9s-restaurants;Contr\xf4ler les patentes;social\n",
			check: func(t *testing.T, p register.Processing) {
				if p.Title != "Cafés-restaurants" || p.Purpose != "Contrôler les patentes" {
					t.Errorf("got %q / %q, want the Windows-1252 text read as such", p.Title, p.Purpose)
				}
			}},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read))
		admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "carouge", Name: "Ville de Carouge", LIPADContact: "lipad@carouge.example"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []register.Unit{{Slug: "etat-civil", Name: "Service de l'état civil"}, {Slug: "social", Name: "Service social"}} {
			if _, err := svc.CreateUnit(ctx, admin, "carouge", u); err != nil {
				t.Fatal(err)
			}
		}
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, err := svc.VerifyAudit(ctx, nil, "")
				if err != nil {
					t.Fatal(err)
				}
				items, err := svc.ImportCSV(ctx, dpo, "", tt.defaultUnit, strings.NewReader(tt.csv))
				after, verr := svc.VerifyAudit(ctx, nil, "")
				if verr != nil || !after.OK {
					t.Fatalf("audit chain after the import: %+v, %v", after, verr)
				}
				if tt.wantErrs != nil {
					e, ok := register.AsError(err)
					if !ok || e.Code != register.EInvalid {
						t.Fatalf("got %v, want an invalid error", err)
					}
					var got []string
					for _, f := range e.Fields {
						got = append(got, f.Field)
					}
					if strings.Join(got, "|") != strings.Join(tt.wantErrs, "|") {
						t.Fatalf("got errors %v, want %v", e.Fields, tt.wantErrs)
					}
					if after.Entries != before.Entries {
						t.Fatalf("a refused import wrote %d audit entries", after.Entries-before.Entries)
					}
					return
				}
				if err != nil {
					t.Fatalf("got %v, want the file imported", err)
				}
				if len(items) != 1 || items[0].Status != register.StatusDraft {
					t.Fatalf("got %d items, want one draft", len(items))
				}
				if after.Entries != before.Entries+1 {
					t.Fatalf("got %d new audit entries, want 1", after.Entries-before.Entries)
				}
				tt.check(t, items[0])
			})
		}
	})
}

// TestImportCSVCountsEveryError: a file with more errors than are listed
// says how many it has, not how many are listed: 250 rows with a bad
// oui/non give 200 errors and "and 50 more errors", and the message counts
// 250.
func TestImportCSVCountsEveryError(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store(), register.WithSheets(spreadsheet.Read))
		admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "carouge", Name: "Ville de Carouge", LIPADContact: "lipad@carouge.example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, admin, "carouge", register.Unit{Slug: "social", Name: "Service social"}); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		b.WriteString("Nom du traitement;Finalité;Profilage\n")
		for i := range 250 {
			fmt.Fprintf(&b, "Dossier %d;Tenir les dossiers;peut-être\n", i)
		}
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		_, err := svc.ImportCSV(ctx, dpo, "", "social", strings.NewReader(b.String()))
		e, ok := register.AsError(err)
		if !ok || e.Code != register.EInvalid {
			t.Fatalf("got %v, want a refusal", err)
		}
		if !strings.HasPrefix(e.Message, "250 errors") || len(e.Fields) != 201 || e.Fields[200].Message != "and 50 more errors" {
			t.Fatalf("got %q with %d fields (last %+v), want 250 errors, 200 listed and 50 more", e.Message, len(e.Fields), e.Fields[len(e.Fields)-1])
		}
	})
}
