package register_test

import (
	"context"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func countProcessings(t *testing.T, svc *register.Service, org string) int {
	t.Helper()
	_, n, err := svc.Store().ListProcessings(context.Background(), register.ProcessingFilter{Organisation: org, Page: 1, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPreviewWritesNothingAndConfirmWritesAllOnce: a spreadsheet with
// errors is refused with every error and nothing kept; a clean one is
// previewed row by row with nothing written; only who previewed it
// confirms it, once, within the time allowed; a preview that went stale
// (a reference taken since) writes nothing.
func TestPreviewWritesNothingAndConfirmWritesAllOnce(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		bad := []byte("Nom du traitement;Unité;Profilage\nAide sociale;nulle-part;peut-être\n;social;non\n")
		_, err := svc.PreviewImport(ctx, standDPO, "", "", "bad.csv", bad)
		if e, ok := register.AsError(err); !ok || e.Code != register.EInvalid || len(e.Fields) < 3 {
			t.Fatalf("bad file: %v, want EInvalid with at least 3 errors", err)
		}
		good := []byte("Nom du traitement;Unité;Référence;Finalité\nAide sociale;social;CAR-1;Verser les aides\nBibliothèque;culture;CAR-2;Prêter des livres\n")
		pv, err := svc.PreviewImport(ctx, standDPO, "", "", "registre.csv", good)
		if err != nil {
			t.Fatal(err)
		}
		if len(pv.Rows) != 2 || pv.Rows[0].Line != 2 || pv.Rows[1].Fields.Unit != "culture" || len(pv.Rows[0].Blocking) == 0 {
			t.Fatalf("preview %+v", pv.Rows)
		}
		if n := countProcessings(t, svc, "carouge"); n != 0 {
			t.Fatalf("a preview wrote %d records", n)
		}
		other := &auth.Principal{Subject: "olga", Role: auth.RoleDPO, Org: "carouge"}
		for name, p := range map[string]*auth.Principal{"another DPO": other, "an editor": standEve} {
			if _, err := svc.ConfirmImport(ctx, p, pv.ID); err == nil {
				t.Fatalf("%s confirmed someone else's import", name)
			}
		}
		items, err := svc.ConfirmImport(ctx, standDPO, pv.ID)
		if err != nil || len(items) != 2 || items[0].Status != register.StatusDraft {
			t.Fatalf("confirm: %d items, %v", len(items), err)
		}
		if _, err := svc.ConfirmImport(ctx, standDPO, pv.ID); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("confirmed twice: %v", err)
		}
		// Stale: the same references are now taken; and expired.
		pv2, err := svc.PreviewImport(ctx, standDPO, "", "", "encore.csv",
			[]byte("Nom du traitement;Unité;Référence;Finalité\nÉcoles;social;CAR-3;Inscrire\n"))
		if err != nil {
			t.Fatal(err)
		}
		clk.set(clk.now().Add(register.StagedImportTTL + time.Minute))
		if _, err := svc.ConfirmImport(ctx, standDPO, pv2.ID); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("expired preview confirmed: %v", err)
		}
		pv3, err := svc.PreviewImport(ctx, standDPO, "", "", "encore.csv",
			[]byte("Nom du traitement;Unité;Référence;Finalité\nÉcoles;social;CAR-4;Inscrire\nCrèches;social;CAR-5;Accueillir\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateProcessing(ctx, standDPO, "", register.Fields{Unit: "social", Title: "Déjà là", Purpose: "x", Reference: "car-5"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ConfirmImport(ctx, standDPO, pv3.ID); register.ErrorCode(err) != register.EInvalid {
			t.Fatalf("stale preview: %v, want EInvalid", err)
		}
		if n := countProcessings(t, svc, "carouge"); n != 3 {
			t.Fatalf("%d records, want the 2 imported and the one created", n)
		}
	})
}
