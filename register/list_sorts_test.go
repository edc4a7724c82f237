package register_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// seedTwoOrganisations creates 26 records alternately in carouge and onex:
// titles, blocking counts, statuses and references repeat, and the clock
// moves every third record only, so that every sort has ties on its column
// and on the last change, across the two organisations. It returns every
// record as the store keeps it.
func seedTwoOrganisations(t *testing.T, svc *register.Service, clk *standClock) []register.Processing {
	t.Helper()
	ctx := context.Background()
	olga := &auth.Principal{Subject: "olga", Role: auth.RoleDPO, Org: "onex"}
	var (
		all  []register.Processing
		ids  []string
		whos []*auth.Principal
	)
	for i := range 26 {
		if i%3 == 0 {
			clk.set(clk.now().Add(time.Second))
		}
		who := standDPO
		if i%2 == 1 {
			who = olga
		}
		f := demo.Publishable([]string{"social", "culture"}[i%2], fmt.Sprintf("Titre %d", (i*5)%7), "Gérer les dossiers.", "Résumé.", "")
		if i%4 != 0 {
			f.Reference = fmt.Sprintf("R-%d", (i*3)%13) // unique within each organisation
		}
		var steps []register.Step
		switch i % 5 {
		case 0, 1: // drafts; one in three blocking once, one in three twice
			if i%3 != 0 {
				f.DataSubjects = nil
			}
			if i%3 == 2 {
				f.Controller = register.Party{}
			}
		case 2, 3:
			steps = []register.Step{register.StepSubmit}
			if i%5 == 3 {
				f.DataSubjects = nil // in review, blocking
			}
		case 4:
			steps = []register.Step{register.StepSubmit, register.StepPublish}
		}
		if i%5 != 4 { // the risks (not on the published: they could block)
			f.Profiling = i%4 == 1
			if i%3 == 1 {
				f.Transfers = []register.Transfer{{Country: "US", Safeguard: register.SafeguardSCC}}
			}
			if i%6 == 2 {
				f.DPIA = register.DPIA{Required: true, Criteria: []register.DPIACriterion{register.CritNewTechnology}, Status: register.DPIANotStarted}
			}
		}
		p, err := svc.CreateProcessing(ctx, who, "", f)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		for _, s := range steps {
			if _, err := svc.Transition(ctx, who, p.ID, s, nil, ""); err != nil {
				t.Fatalf("record %d %s: %v", i, s, err)
			}
		}
		if i%5 == 4 && i%3 == 0 { // published, then a new draft: the version sort has differences
			q, err := svc.Store().GetProcessing(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			q.Fields.Purpose = "Gérer les dossiers, révisé."
			if _, err := svc.UpdateProcessing(ctx, who, p.ID, q.Revision, q.Fields); err != nil {
				t.Fatalf("record %d update: %v", i, err)
			}
		}
		ids = append(ids, p.ID)
		whos = append(whos, who)
	}
	// Later, two drafts created first are changed at once: the last change
	// no longer follows the ids (UUIDv7, in the order of creation), and
	// two records share it.
	clk.set(clk.now().Add(time.Minute))
	for _, i := range []int{0, 6} {
		q, err := svc.Store().GetProcessing(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		q.Fields.Purpose = "Gérer les dossiers, repris."
		if _, err := svc.UpdateProcessing(ctx, whos[i], ids[i], q.Revision, q.Fields); err != nil {
			t.Fatalf("record %d update: %v", i, err)
		}
	}
	page, err := svc.ListProcessingsPage(ctx, standAdmin, register.ProcessingFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	all = page.Items
	if len(all) != 26 {
		t.Fatalf("seeded %d records, want 26", len(all))
	}
	return all
}

// listOrder compares a and b in the register list's order for sort key k
// (ascending): the column, then the last change, then id.
func listOrder(k register.SortKey, a, b *register.Processing) int {
	var c int
	switch k {
	case register.SortTitle:
		c = strings.Compare(a.Title, b.Title)
	case register.SortReference:
		c = strings.Compare(a.Reference, b.Reference)
	case register.SortUnit:
		c = strings.Compare(a.Unit, b.Unit)
	case register.SortStatus:
		c = strings.Compare(string(a.Status), string(b.Status))
	case register.SortVersion:
		c = cmp.Compare(a.Version, b.Version)
	case register.SortBlocking:
		c = cmp.Compare(a.Standing.Blocking, b.Standing.Blocking)
	}
	if c != 0 {
		return c
	}
	if c = a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// pageThrough follows a list's cursors to its end and returns its rows.
func pageThrough(t *testing.T, svc *register.Service, who *auth.Principal, f register.ProcessingFilter) []register.Processing {
	t.Helper()
	var got []register.Processing
	for range 100 {
		page, err := svc.ListProcessingsPage(context.Background(), who, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		got = append(got, page.Items...)
		if page.NextCursor == "" {
			return got
		}
		f.Cursor = page.NextCursor
	}
	t.Fatalf("%+v: no last page after 100", f)
	return nil
}

func titlesOf(ps []register.Processing) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "%s/%s/%s/b%d/v%d %s\n", p.Organisation, p.Title, p.Status, p.Standing.Blocking, p.Version, p.ID)
	}
	return b.String()
}

// TestAdministratorsListOfEveryOrganisationComesInItsOrder: an
// administrator's list of every organisation (the one the indexes of
// migration 20261201000170 serve), by cursor, five rows a page, gives
// exactly the rows of each filter and view, in the order of the sort
// (column, last change, id, one direction), with ties on the column and on
// the last change across organisations, on both databases.
func TestAdministratorsListOfEveryOrganisationComesInItsOrder(t *testing.T) {
	yes, no := true, false
	inReview := func(p *register.Processing) bool { return p.Status == register.StatusInReview }
	cases := []struct {
		name string
		f    register.ProcessingFilter
		keep func(*register.Processing) bool // nil: every row
	}{
		{"DefaultNewestFirst", register.ProcessingFilter{}, nil},
		{"TitleAscending", register.ProcessingFilter{Sort: register.SortTitle}, nil},
		{"TitleDescending", register.ProcessingFilter{Sort: register.SortTitle, Desc: true}, nil},
		{"BlockingDescending", register.ProcessingFilter{Sort: register.SortBlocking, Desc: true}, nil},
		{"BlockingAscending", register.ProcessingFilter{Sort: register.SortBlocking}, nil},
		{"StatusAscending", register.ProcessingFilter{Sort: register.SortStatus}, nil},
		{"StatusDescending", register.ProcessingFilter{Sort: register.SortStatus, Desc: true}, nil},
		// Sorts whose values mean something only within an organisation:
		// of one organisation (across all of them they are refused, below).
		{"ReferenceAscendingOfOneOrganisation", register.ProcessingFilter{Organisation: "carouge", Sort: register.SortReference},
			func(p *register.Processing) bool { return p.Organisation == "carouge" }},
		{"UnitDescendingOfOneOrganisation", register.ProcessingFilter{Organisation: "onex", Sort: register.SortUnit, Desc: true},
			func(p *register.Processing) bool { return p.Organisation == "onex" }},
		{"VersionDescendingOfOneOrganisation", register.ProcessingFilter{Organisation: "carouge", Sort: register.SortVersion, Desc: true},
			func(p *register.Processing) bool { return p.Organisation == "carouge" }},
		{"ToReview", register.ProcessingFilter{View: register.ViewToReview}, inReview},
		{"ToReviewByTitle", register.ProcessingFilter{View: register.ViewToReview, Sort: register.SortTitle}, inReview},
		{"ToReviewOfOneOrganisation", register.ProcessingFilter{View: register.ViewToReview, Organisation: "onex"},
			func(p *register.Processing) bool { return inReview(p) && p.Organisation == "onex" }},
		{"DraftsByBlockingDescending", register.ProcessingFilter{Status: register.StatusDraft, Sort: register.SortBlocking, Desc: true},
			func(p *register.Processing) bool { return p.Status == register.StatusDraft }},
		{"PublishedByTitle", register.ProcessingFilter{Status: register.StatusPublished, Sort: register.SortTitle},
			func(p *register.Processing) bool { return p.Status == register.StatusPublished }},
		{"BlockingByTitleDescending", register.ProcessingFilter{Blocking: &yes, Sort: register.SortTitle, Desc: true},
			func(p *register.Processing) bool { return p.Standing.Blocking > 0 }},
		// The overview's risk lists, read from partial indexes.
		{"TransfersCurrent", register.ProcessingFilter{Risk: register.RiskTransfers, Current: true},
			func(p *register.Processing) bool { return p.Standing.Abroad && p.Status != register.StatusArchived }},
		{"ProfilingByTitle", register.ProcessingFilter{Risk: register.RiskProfiling, Sort: register.SortTitle},
			func(p *register.Processing) bool { return p.Standing.Profiling }},
		{"DPIADue", register.ProcessingFilter{Risk: register.RiskDPIA},
			func(p *register.Processing) bool { return p.Standing.DPIADue }},
		// Two filters: on SQLite the count then reads a covering index
		// rather than seeking the status or blocking one (countNoSeek).
		{"ToReviewWithBlocking", register.ProcessingFilter{View: register.ViewToReview, Blocking: &yes},
			func(p *register.Processing) bool { return inReview(p) && p.Standing.Blocking > 0 }},
		{"DraftsWithoutBlockingByTitle", register.ProcessingFilter{Status: register.StatusDraft, Blocking: &no, Sort: register.SortTitle},
			func(p *register.Processing) bool { return p.Status == register.StatusDraft && p.Standing.Blocking == 0 }},
		{"UnitAndStatusByVersion", register.ProcessingFilter{Organisation: "carouge", Unit: "social", Status: register.StatusDraft, Sort: register.SortVersion, Desc: true},
			func(p *register.Processing) bool {
				return p.Organisation == "carouge" && p.Unit == "social" && p.Status == register.StatusDraft
			}},
		{"OneOrganisationByBlocking", register.ProcessingFilter{Organisation: "carouge", Sort: register.SortBlocking, Desc: true},
			func(p *register.Processing) bool { return p.Organisation == "carouge" }},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		all := seedTwoOrganisations(t, svc, clk)
		// The fixture has what the cases need to tell orders apart.
		blocking, orgs, risks := map[int]bool{}, map[string]bool{}, map[string]int{}
		for _, p := range all {
			blocking[p.Standing.Blocking] = true
			orgs[p.Organisation] = true
			if p.Standing.Abroad {
				risks["abroad"]++
			}
			if p.Standing.Profiling {
				risks["profiling"]++
			}
			if p.Standing.DPIADue {
				risks["dpia"]++
			}
		}
		if len(blocking) < 3 || len(orgs) != 2 || risks["abroad"] < 6 || risks["profiling"] < 6 || risks["dpia"] < 2 {
			t.Fatalf("fixture: blocking counts %v, organisations %v, risks %v", blocking, orgs, risks)
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var want []register.Processing
				for _, p := range all {
					if tc.keep == nil || tc.keep(&p) {
						want = append(want, p)
					}
				}
				key, desc := tc.f.SortOrder()
				slices.SortFunc(want, func(a, b register.Processing) int {
					if desc {
						return listOrder(key, &b, &a)
					}
					return listOrder(key, &a, &b)
				})
				f := tc.f
				f.PerPage = 5
				got := pageThrough(t, svc, standAdmin, f)
				if len(want) == 0 {
					t.Fatal("the case selects no row")
				}
				if g, w := titlesOf(got), titlesOf(want); g != w {
					t.Fatalf("got\n%swant\n%s", g, w)
				}
				first, err := svc.ListProcessingsPage(context.Background(), standAdmin, f)
				if err != nil {
					t.Fatal(err)
				}
				if first.Total != len(want) {
					t.Fatalf("total %d, want %d", first.Total, len(want))
				}
			})
		}
		// Across every organisation, the sorts by values that mean
		// something only within one are refused, naming the field.
		for _, k := range []register.SortKey{register.SortReference, register.SortUnit, register.SortVersion} {
			_, err := svc.ListProcessingsPage(context.Background(), standAdmin, register.ProcessingFilter{Sort: k, PerPage: 5})
			if e, ok := register.AsError(err); !ok || e.Code != register.EInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "sort" {
				t.Errorf("an administrator's list of every organisation by %s: %v, want invalid sort", k, err)
			}
		}
	})
}
