package register_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

type searchDoc struct {
	org, title, summary, description string
	publish                          bool
}

// seedSearch creates docs in carouge and onex and publishes those marked;
// it returns the service and the ids by title.
func seedSearch(t *testing.T, db *sqlstore.DB, docs []searchDoc) (*register.Service, map[string]string) {
	t.Helper()
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
	ids := map[string]string{}
	for _, d := range docs {
		p, err := svc.CreateProcessing(ctx, cli, d.org, demo.Publishable("social", d.title, "Gérer les dossiers.", d.summary, d.description))
		if err != nil {
			t.Fatal(err)
		}
		ids[d.title] = p.ID
		if d.publish {
			for _, s := range []register.Step{register.StepSubmit, register.StepPublish} {
				if _, err := svc.Transition(ctx, cli, p.ID, s, nil, ""); err != nil {
					var re *register.Error
					if errors.As(err, &re) {
						t.Fatalf("%s %q: %v %+v %+v", s, d.title, err, re.Fields, re.Findings)
					}
					t.Fatal(err)
				}
			}
		}
	}
	return svc, ids
}

var searchDocs = []searchDoc{
	{"carouge", "Vidéosurveillance des parkings", "Caméras aux entrées.", "Enregistrement des images.", true},
	{"carouge", "Gestion des salles communales", "Réservations.", "Les salles sont sous vidéosurveillance la nuit.", true},
	{"carouge", "Inscriptions scolaires des élèves", "Rentrée scolaire.", "", true},
	{"onex", "Registre des habitants", "Données personnelles des habitants.", "", true},
	{"onex", "Prestations de l'aide sociale", "Aide aux personnes.", "", true},
	{"carouge", "Vidéosurveillance secrète du dépôt", "Brouillon.", "", false},
	{"onex", "Vidéosurveillance de la voirie", "Brouillon d'Onex.", "", false},
}

// TestPublicSearchFindsWordFormsOnBothDatabases checks accents, case,
// plural and singular, French word forms, prefixes and ranking, and that a
// search never reaches a draft.
func TestPublicSearchFindsWordFormsOnBothDatabases(t *testing.T) {
	cases := []struct {
		name, q string
		want    []string // in order when ordered
		ordered bool
	}{
		{"TitleRanksAboveDescription", "vidéosurveillance", []string{"Vidéosurveillance des parkings", "Gestion des salles communales"}, true},
		{"NoAccentsNoCase", "VIDEOSURVEILLANCE", []string{"Vidéosurveillance des parkings", "Gestion des salles communales"}, true},
		{"PrefixOfWordBeingTyped", "vidéo", []string{"Vidéosurveillance des parkings", "Gestion des salles communales"}, false},
		{"ShortPrefix", "vi", []string{"Vidéosurveillance des parkings", "Gestion des salles communales"}, false},
		{"SingularFindsPlural", "élève", []string{"Inscriptions scolaires des élèves"}, false},
		{"PluralFindsSingularForms", "habitant inscription", nil, false},
		{"TwoWords", "inscription eleves", []string{"Inscriptions scolaires des élèves"}, false},
		{"FrenchForms", "donnée personnelle", []string{"Registre des habitants"}, false},
		{"SummaryWords", "caméra", []string{"Vidéosurveillance des parkings"}, false},
		{"DraftsNeverFound", "secrète", nil, false},
		{"OtherOrganisationsDraftsNeverFound", "voirie", nil, false},
		{"StopWordsAloneFindNothing", "des ", nil, false},
		{"PunctuationFindsNothing", "%_'", nil, false},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := seedSearch(t, db, searchDocs)
		// On PostgreSQL, the public search ranks in the database, or in
		// the newest publications' terms kept in memory.
		for _, terms := range []int{0, 1000} {
			db.SetTermRows(terms)
			if err := db.BuildTermWindow(ctx); err != nil {
				t.Fatal(err)
			}
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s/terms%d", c.name, terms), func(t *testing.T) {
					page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: c.q})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, it := range page.Items {
						got = append(got, it.Title)
					}
					want := slices.Clone(c.want)
					if !c.ordered {
						slices.Sort(got)
						slices.Sort(want)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("q=%q: got %q, want %q", c.q, got, want)
					}
					// Narrowed to the organisation of the results (another
					// plan on SQLite), the same results in the same order.
					if len(page.Items) > 0 {
						org := page.Items[0].Organisation
						scoped, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: c.q, Organisation: org})
						if err != nil {
							t.Fatal(err)
						}
						var all, in []string
						for _, it := range page.Items {
							if it.Organisation == org {
								all = append(all, it.ProcessingID)
							}
						}
						for _, it := range scoped.Items {
							in = append(in, it.ProcessingID)
						}
						if !slices.Equal(all, in) || scoped.Total != len(in) {
							t.Fatalf("q=%q org=%s: got %q (total %d), want %q", c.q, org, in, scoped.Total, all)
						}
					}
					if page.Total != len(c.want) || page.TotalIsCapped {
						t.Fatalf("total %d (capped %v), want %d", page.Total, page.TotalIsCapped, len(c.want))
					}
					// The old interface gives the same answer.
					items, total, err := svc.ListPublic(ctx, register.PublicFilter{Query: c.q})
					if err != nil || total != len(c.want) || len(items) != len(c.want) {
						t.Fatalf("ListPublic: %d items, total %d, %v", len(items), total, err)
					}
				})
			}
		}
	})
}

// TestBackOfficeSearchSeesOwnDraftsOnly: the same search over the back
// office's list finds the organisation's drafts, never another's.
func TestBackOfficeSearchSeesOwnDraftsOnly(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := seedSearch(t, db, searchDocs)
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		page, err := svc.ListProcessingsPage(ctx, dpo, register.ProcessingFilter{Query: "videosurv"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range page.Items {
			got = append(got, it.Title)
		}
		slices.Sort(got)
		want := []string{"Gestion des salles communales", "Vidéosurveillance des parkings", "Vidéosurveillance secrète du dépôt"}
		if !slices.Equal(got, want) || page.Total != 3 {
			t.Fatalf("got %q (total %d), want %q", got, page.Total, want)
		}
		if page.Items[len(page.Items)-1].Title != "Gestion des salles communales" {
			t.Fatalf("description match ranked above title matches: %q", got)
		}
	})
}

// TestHighlightsMarkTheMatchedWords: pages mark the words a search found,
// in their written form.
func TestHighlightsMarkTheMatchedWords(t *testing.T) {
	text := "Données personnelles des habitants et vidéosurveillance"
	for _, c := range []struct{ q, want string }{
		{"donnee habitant", "Données|habitants"},
		{"VIDEO", "vidéosurveillance"},
		{"personnel", "personnelles"},
		{"", ""},
	} {
		var got []string
		for _, s := range register.ParseQuery(c.q).Highlights(text) {
			got = append(got, text[s.Start:s.End])
		}
		if g := join(got); g != c.want {
			t.Errorf("q=%q: marked %q, want %q", c.q, g, c.want)
		}
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "|"
		}
		out += x
	}
	return out
}

// TestCursorPagesAreTheWholeList walks lists and searches by cursor: the
// pages put together are every match once, in the order of the first page's
// ranking, and the organisation counts follow publications and archivings.
func TestCursorPagesAreTheWholeList(t *testing.T) {
	var docs []searchDoc
	for i := range 23 {
		desc := ""
		if i%2 == 0 {
			desc = "Registre tenu à jour."
		}
		docs = append(docs, searchDoc{[]string{"carouge", "onex"}[i%2], "Registre numéro " + string(rune('A'+i)), "Tenue du registre.", desc, true})
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, ids := seedSearch(t, db, docs)
		for _, q := range []string{"", "registre", "reg"} {
			f := register.PublicFilter{Query: q, PerPage: 5}
			seen := map[string]bool{}
			pages := 0
			for {
				page, err := svc.ListPublicPage(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != 23 {
					t.Fatalf("q=%q: total %d, want 23", q, page.Total)
				}
				for _, it := range page.Items {
					if seen[it.ProcessingID] {
						t.Fatalf("q=%q: %s twice", q, it.Title)
					}
					seen[it.ProcessingID] = true
				}
				pages++
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if len(seen) != 23 || pages != 5 {
				t.Fatalf("q=%q: %d items in %d pages, want 23 in 5", q, len(seen), pages)
			}
		}
		// A cursor is refused with another query.
		page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "registre", PerPage: 5})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.ListPublicPage(ctx, register.PublicFilter{Query: "tenue", PerPage: 5, Cursor: page.NextCursor})
		if re := (*register.Error)(nil); !errors.As(err, &re) || re.Code != register.EInvalid {
			t.Fatalf("cursor of another query: %v, want invalid", err)
		}
		// Counts kept by the publishing transaction.
		cli := register.CommandLine("test")
		if _, err := svc.Transition(ctx, cli, ids["Registre numéro A"], register.StepArchive, nil, ""); err != nil {
			t.Fatal(err)
		}
		orgs, err := svc.PublicOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, o := range orgs {
			counts[o.Slug] = o.Count
		}
		if counts["carouge"] != 11 || counts["onex"] != 11 {
			t.Fatalf("counts %v, want carouge 11 and onex 11", counts)
		}
		// Back office: by cursor too.
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		f := register.ProcessingFilter{PerPage: 4}
		n := 0
		for {
			p, err := svc.ListProcessingsPage(ctx, dpo, f)
			if err != nil {
				t.Fatal(err)
			}
			n += len(p.Items)
			if p.Total != 12 {
				t.Fatalf("back-office total %d, want 12", p.Total)
			}
			if p.NextCursor == "" {
				break
			}
			f.Cursor = p.NextCursor
		}
		if n != 12 {
			t.Fatalf("back office: %d items by cursor, want 12", n)
		}
	})
}

// TestMigrateIndexesRowsWithoutTerms: rows written before full-text search
// (no terms, version 0) are indexed when the store migrates, and found.
func TestMigrateIndexesRowsWithoutTerms(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := seedSearch(t, db, searchDocs)
		for _, table := range []string{"publications", "processings"} {
			if _, err := db.Bun().NewUpdate().TableExpr(table).
				Set("search_high = '', search_low = '', search_version = 0").Where("1 = 1").Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "vidéosurveillance"}); err != nil || len(page.Items) != 0 {
			t.Fatalf("before reindexing: %d items, %v; want none", len(page.Items), err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "vidéosurveillance"})
		if err != nil || len(page.Items) != 2 {
			t.Fatalf("after reindexing: %d items, %v; want 2", len(page.Items), err)
		}
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		bo, err := svc.ListProcessingsPage(ctx, dpo, register.ProcessingFilter{Query: "vidéosurveillance"})
		if err != nil || len(bo.Items) != 3 {
			t.Fatalf("back office after reindexing: %d items, %v; want 3", len(bo.Items), err)
		}
	})
}

// TestDeepPagesFromAnchorsAreThePagesByOffset asks every page of the public
// list, of the whole register and of each organisation, from a service that
// starts deep pages at its anchors and from one that reads them by offset:
// the same items in the same order, also past the end, and again after a
// publication and an archiving have moved the anchors.
func TestDeepPagesFromAnchorsAreThePagesByOffset(t *testing.T) {
	var docs []searchDoc
	for i := range 23 {
		// Titles that repeat, so that ids break ties across anchors.
		docs = append(docs, searchDoc{[]string{"carouge", "onex"}[i%3%2], "Registre " + string(rune('A'+i%7)), "Tenue.", "", i != 20})
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		plain, ids := seedSearch(t, db, docs)
		anchored := register.NewService(db.Store(), register.WithPageAnchors(4))
		compare := func(when string) {
			t.Helper()
			for _, org := range []string{"", "carouge", "onex"} {
				for _, per := range []int{1, 2, 3, 5} {
					for page := 1; page <= 25/per+2; page++ {
						f := register.PublicFilter{Organisation: org, Page: page, PerPage: per}
						want, err := plain.ListPublicPage(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						got, err := anchored.ListPublicPage(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						if !slices.Equal(titlesAndIDs(got.Items), titlesAndIDs(want.Items)) || got.Total != want.Total {
							t.Fatalf("%s: org %q page %d of %d: %v (total %d), want %v (total %d)", when, org, page, per,
								titlesAndIDs(got.Items), got.Total, titlesAndIDs(want.Items), want.Total)
						}
					}
				}
			}
		}
		compare("first")
		cli := register.CommandLine("test")
		for _, s := range []register.Step{register.StepSubmit, register.StepPublish} {
			if _, err := plain.Transition(ctx, cli, ids[docs[20].title], s, nil, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := plain.Transition(ctx, cli, ids[docs[0].title], register.StepArchive, nil, ""); err != nil {
			t.Fatal(err)
		}
		compare("after a publication and an archiving")
	})
}

func titlesAndIDs(items []register.Publication) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Title + " " + it.ProcessingID
	}
	return out
}
