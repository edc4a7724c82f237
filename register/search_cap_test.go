package register_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestFrequentWordSearchIsCappedOwnOrganisationTitleFirst: a word found in
// more records than register.SearchRankCap gives a capped total; within the
// ranked matches a title match comes before description matches; paging by
// cursor walks the capped set without repeating a record; and the matches of
// another organisation, more recent and as many, never appear (the
// organisation is in the full-text index, migration 0130).
func TestFrequentWordSearchIsCappedOwnOrganisationTitleFirst(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store())
		cli := register.CommandLine("test")
		for _, org := range []string{"carouge", "onex"} {
			if _, err := svc.CreateOrganisation(ctx, cli, register.Organisation{Slug: org, Name: "Ville de " + org, LIPADContact: "lipad@" + org + ".example"}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateUnit(ctx, cli, org, register.Unit{Slug: "social", Name: "Social"}); err != nil {
				t.Fatal(err)
			}
		}
		n := register.SearchRankCap + 50
		create := func(org, title, description string, count int) {
			t.Helper()
			err := db.Store().InTx(ctx, func(tx register.Store) error {
				ts := register.NewService(tx)
				for i := range count {
					f := demo.Publishable("social", fmt.Sprintf("%s %d", title, i), "Gérer les dossiers.", "Résumé.", description)
					if _, err := ts.CreateProcessing(ctx, cli, org, f); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		create("carouge", "Dossier", "Tenue du cadastre communal.", n)
		create("carouge", "Cadastre des conduites", "", 1)
		create("onex", "Cadastre d'Onex", "Tenue du cadastre.", n)

		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		f := register.ProcessingFilter{Query: "cadastres", PerPage: 100}
		page, err := svc.ListProcessingsPage(ctx, dpo, f)
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != register.SearchRankCap || !page.TotalIsCapped {
			t.Fatalf("total %d (capped %v), want %d capped", page.Total, page.TotalIsCapped, register.SearchRankCap)
		}
		if len(page.Items) == 0 || page.Items[0].Title != "Cadastre des conduites 0" {
			t.Fatalf("the title match is not first: %q", page.Items[0].Title)
		}
		seen := map[string]bool{}
		for pages := 0; ; pages++ {
			for _, it := range page.Items {
				if it.Organisation != "carouge" || strings.Contains(it.Title, "Onex") {
					t.Fatalf("another organisation's record: %s %q", it.Organisation, it.Title)
				}
				if seen[it.ID] {
					t.Fatalf("%q twice", it.Title)
				}
				seen[it.ID] = true
			}
			if page.NextCursor == "" || pages > 20 {
				break
			}
			f.Cursor = page.NextCursor
			if page, err = svc.ListProcessingsPage(ctx, dpo, f); err != nil {
				t.Fatal(err)
			}
		}
		// The cap counts candidates; the pages hold about as many.
		if len(seen) < register.SearchRankCap || len(seen) > register.SearchRankCap+1 {
			t.Fatalf("the pages hold %d records, want %d", len(seen), register.SearchRankCap)
		}
		// A rare word within the organisation is ranked in full and exact.
		page, err = svc.ListProcessingsPage(ctx, dpo, register.ProcessingFilter{Query: "conduite"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 1 || page.TotalIsCapped || len(page.Items) != 1 {
			t.Fatalf("rare word: total %d (capped %v), %d items", page.Total, page.TotalIsCapped, len(page.Items))
		}
		// A prefix of one letter is capped too, and never matches the
		// organisation's own index term ("o…" on SQLite).
		page, err = svc.ListProcessingsPage(ctx, dpo, register.ProcessingFilter{Query: "o"})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 0 {
			t.Fatalf("prefix o: total %d, want 0 (no word of carouge's records starts with o)", page.Total)
		}
	})
}
