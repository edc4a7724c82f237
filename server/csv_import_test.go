package server_test

import (
	"os"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func seedUnits(e *apitest.Env, org string, units ...string) {
	admin := e.Token(auth.RoleAdmin, "")
	for _, u := range units {
		e.Must(201, "POST", "/api/v1/organisations/"+org+"/units", admin, map[string]any{"slug": u, "name": "Service " + u})
	}
}

func TestCSVImportCNILTemplate(t *testing.T) {
	example, err := os.ReadFile("../docs/examples/registre-cnil.csv")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("carouge")
		seedUnits(e, "carouge", "social", "ecoles")
		dpo := e.Token(auth.RoleDPO, "carouge")
		r := e.Must(201, "POST", "/api/v1/import", dpo, example, "Content-Type: text/csv; charset=utf-8")
		var res struct {
			Imported int                   `json:"imported"`
			Items    []register.Processing `json:"items"`
		}
		r.JSON(t, &res)
		if res.Imported != 5 {
			t.Fatalf("imported %d, want 5", res.Imported)
		}
		byRef := map[string]register.Processing{}
		for _, p := range res.Items {
			if p.Status != register.StatusDraft || p.Version != 1 || p.Organisation != "carouge" {
				t.Fatalf("imported row is not a new draft: %+v", p)
			}
			byRef[p.Reference] = p
		}
		deces := byRef["CAR-EC-010"]
		if deces.Title != "Registre des décès" || deces.Unit != "etat-civil" || len(deces.DataSubjects) != 2 ||
			deces.Retention.Period != "P150Y" || deces.Retention.Trigger != "après l'inscription" ||
			len(deces.Recipients) != 2 || deces.Recipients[0].Type != register.RecipientPublicBody || deces.Recipients[1].Type != register.RecipientInternal ||
			deces.LegalBases[0].URL == "" || len(deces.SecurityMeasures) != 3 || deces.SecurityMeasures[2].Category != register.SecLogging {
			t.Fatalf("CAR-EC-010 mapped as %+v", deces.Fields)
		}
		social := byRef["CAR-SOC-011"]
		sensitive := 0
		for _, c := range social.DataCategories {
			if c.Sensitive {
				sensitive++
			}
		}
		if sensitive != 2 || social.Retention.Period != "P10Y" || social.LegalBases[0].Type != register.BasisLaw {
			t.Fatalf("CAR-SOC-011 mapped as %+v", social.Fields)
		}
		if g := byRef["CAR-NUM-014"]; len(g.Transfers) != 1 || g.Transfers[0].Country != "US" || g.Transfers[0].Safeguard != register.SafeguardSCC {
			t.Fatalf("CAR-NUM-014 transfers: %+v", g.Transfers)
		}
		if m := byRef["CAR-ECO-012"]; m.Transfers[0].Country != "FR" || m.Transfers[0].Safeguard != register.SafeguardAdequacy || m.Retention.Period != "P1Y" {
			t.Fatalf("CAR-ECO-012: %+v", m.Fields)
		}
		var audit struct {
			Total int `json:"total"`
		}
		e.Must(200, "GET", "/api/v1/audit?action=import", dpo, nil).JSON(t, &audit)
		if audit.Total != 5 {
			t.Fatalf("got %d import audit entries, want 5", audit.Total)
		}
		// The same file again: every reference is taken, nothing is imported.
		again := e.Do("POST", "/api/v1/import", dpo, example, "Content-Type: text/csv")
		checkProblem(t, again, 422, `line 2, column "Référence"`)
	})
}

func TestCSVImportRefusesBrokenFileWhole(t *testing.T) {
	broken := "Référence;Nom du traitement;Unité;Finalité;Durée de conservation;Transferts hors UE;Catégories de personnes concernées\n" +
		"R-1;Registre correct;etat-civil;Tenir un registre;10 ans;;habitants\n" +
		"R-2;;etat-civil;Sans titre;5 ans;;habitants\n" +
		"R-3;Durée illisible;etat-civil;But;dix ans;;habitants\n" +
		"R-4;Cellule sur\n" + // a quoted multi-line cell: the next row starts two lines later
		"R-5;\"Titre sur\ndeux lignes\";etat-civil;But;1 an;;habitants\n" +
		"R-6;Unité inconnue;nulle-part;But;1 an;;habitants\n" +
		"R-7;Pays inconnu;etat-civil;But;1 an;Atlantide (scc);habitants\n" +
		"R-1;Référence en double;etat-civil;But;1 an;;habitants\n"
	// Row "R-4;Cellule sur" has no purpose and a title: it is invalid for its purpose.
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "carouge")
		before := e.Must(200, "GET", "/api/v1/audit", dpo, nil).Map(t)["total"]
		r := e.Do("POST", "/api/v1/import", dpo, broken, "Content-Type: text/csv")
		p := checkProblem(t, r, 422, "")
		want := []string{
			`line 3, column "Nom du traitement"`,
			`line 4, column "Durée de conservation"`,
			`line 5, column "Unité"`,
			`line 5, column "Finalité"`,
			`line 7, column "Unité"`, // the spreadsheet's row: R-5's two-line cell is one row
			`line 8, column "Transferts hors UE"`,
			`line 9, column "Référence"`,
		}
		got := map[string]bool{}
		for _, fe := range p.Errors {
			got[fe.Field] = true
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("missing error %s; got %v", w, p.Errors)
			}
		}
		if got[`line 6, column "Nom du traitement"`] || got[`line 7, column "Nom du traitement"`] || len(p.Errors) != len(want) {
			t.Errorf("got %d errors %v, want exactly %v", len(p.Errors), p.Errors, want)
		}
		// Nothing was written.
		if n := e.Must(200, "GET", "/api/v1/processings", dpo, nil).Map(t)["total"]; n != float64(0) {
			t.Fatalf("a refused import left %v processings", n)
		}
		if after := e.Must(200, "GET", "/api/v1/audit", dpo, nil).Map(t)["total"]; after != before {
			t.Fatalf("a refused import wrote audit entries: %v → %v", before, after)
		}
		// Other refusals.
		checkProblem(t, e.Do("POST", "/api/v1/import", dpo, broken, "Content-Type: application/json"), 415, "")
		checkProblem(t, e.Do("POST", "/api/v1/import", dpo, strings.Repeat("a", 1<<20+1), "Content-Type: text/csv"), 413, "")
		// A dpo naming another organisation imports nothing anywhere.
		e.Seed("onex")
		checkProblem(t, e.Do("POST", "/api/v1/import?org=onex", dpo, "Nom du traitement;Finalité;Unité\nX;Y;etat-civil\n", "Content-Type: text/csv"), 404, "")
		if n := e.Must(200, "GET", "/api/v1/processings", dpo, nil).Map(t)["total"]; n != float64(0) {
			t.Fatalf("an import naming another organisation wrote %v processings", n)
		}
		checkProblem(t, e.Do("POST", "/api/v1/import", e.Token(auth.RoleEditor, "carouge", "etat-civil"), broken, "Content-Type: text/csv"), 403, "")
		checkProblem(t, e.Do("POST", "/api/v1/import", e.Token(auth.RoleAuditor, "carouge"), broken, "Content-Type: text/csv"), 403, "")
		checkProblem(t, e.Do("POST", "/api/v1/import?org=carouge", e.Token(auth.RoleAdmin, ""), "Couleur;Nom du traitement\nbleu;x\n", "Content-Type: text/csv"), 422, `line 1, column "Couleur"`)
		checkProblem(t, e.Do("POST", "/api/v1/import?org=nowhere", e.Token(auth.RoleAdmin, ""), broken, "Content-Type: text/csv"), 404, "")
	})
}
