package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// standClock is a clock the test moves.
type standClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *standClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *standClock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

var (
	standAdmin = &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	standDPO   = &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "carouge"}
	standEve   = &auth.Principal{Subject: "eve", Role: auth.RoleEditor, Org: "carouge", Units: []string{"social"}}
	standEd    = &auth.Principal{Subject: "ed", Role: auth.RoleEditor, Org: "carouge", Units: []string{"social"}}
)

// standingFixture makes carouge (units social, culture) and onex (social)
// with a clock at clk.
func standingFixture(t *testing.T, db *sqlstore.DB, clk *standClock) *register.Service {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithClock(clk.now), register.WithSheets(spreadsheet.Read))
	for _, org := range []string{"carouge", "onex"} {
		if _, err := svc.CreateOrganisation(ctx, standAdmin, register.Organisation{Slug: org, Name: "Ville de " + org,
			DPOContact: "dpo@" + org + ".example.ch", LIPADContact: "lipad@" + org + ".example.ch"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"social", "culture"} {
			if _, err := svc.CreateUnit(ctx, standAdmin, org, register.Unit{Slug: u, Name: "Service " + u}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return svc
}

// wantStanding compares the stored standing of id with the rules run now.
func wantStanding(t *testing.T, svc *register.Service, id string, now time.Time) register.Standing {
	t.Helper()
	ctx := context.Background()
	p, err := svc.Store().GetProcessing(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	org, err := svc.Store().GetOrganisation(ctx, p.Organisation)
	if err != nil {
		t.Fatal(err)
	}
	fs := register.Check(p, org, now)
	b := len(register.Blocking(fs))
	st := p.Standing
	if st.Blocking != b || st.Warnings != len(fs)-b || st.Sensitive != p.Fields.Sensitive() || !st.CheckedAt.Equal(now) {
		t.Fatalf("standing %+v; the rules at %s give blocking %d, warnings %d, sensitive %v", st, now, b, len(fs)-b, p.Fields.Sensitive())
	}
	return st
}

// TestStandingIsWrittenByEveryWrite: create, update, each workflow step,
// override and CSV import leave the standing the rules give, with who.
func TestStandingIsWrittenByEveryWrite(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		tick := func() time.Time { clk.set(clk.now().Add(time.Minute)); return clk.now() }

		tick()
		p, err := svc.CreateProcessing(ctx, standEve, "", demo.Publishable("social", "Aide sociale", "Gérer les aides.", "Résumé.", ""))
		if err != nil {
			t.Fatal(err)
		}
		st := wantStanding(t, svc, p.ID, clk.now())
		if st.CreatedBy != "eve" || st.UpdatedBy != "eve" || st.Blocking != 0 {
			t.Fatalf("after create: %+v", st)
		}
		// An edit that drops the data subjects: one blocking finding more.
		f := p.Fields
		f.DataSubjects = nil
		f.DataCategories = append(f.DataCategories, register.DataCategory{Name: "santé", Sensitive: true})
		tick()
		if p, err = svc.UpdateProcessing(ctx, standEd, p.ID, p.Revision, f); err != nil {
			t.Fatal(err)
		}
		st = wantStanding(t, svc, p.ID, clk.now())
		if st.CreatedBy != "eve" || st.UpdatedBy != "ed" || st.Blocking == 0 || !st.Sensitive {
			t.Fatalf("after update: %+v", st)
		}
		// Override of the purpose finding by the DPO.
		tick()
		if p, err = svc.OverrideFinding(ctx, standDPO, p.ID, nil, register.OverrideInput{Rule: "data-subjects", Field: "data_subjects",
			Justification: "Les personnes concernées sont décrites dans la loi citée."}); err != nil {
			t.Fatal(err)
		}
		before := st.Blocking
		st = wantStanding(t, svc, p.ID, clk.now())
		if st.UpdatedBy != "dora" || st.Blocking != before-1 {
			t.Fatalf("after override: %+v (blocking before %d)", st, before)
		}
		f.DataSubjects = []string{"habitant·e"}
		tick()
		if p, err = svc.UpdateProcessing(ctx, standEve, p.ID, p.Revision, f); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			who      *auth.Principal
			step     register.Step
			comment  string
			returned bool
		}{
			{standEve, register.StepSubmit, "", false},
			{standDPO, register.StepReturn, "Précisez la durée.", true},
			{standEd, register.StepSubmit, "", false},
			{standDPO, register.StepPublish, "", false},
			{standDPO, register.StepArchive, "", false},
		}
		for _, s := range steps {
			tick()
			if p, err = svc.Transition(ctx, s.who, p.ID, s.step, nil, s.comment); err != nil {
				t.Fatalf("%s: %v", s.step, err)
			}
			st = wantStanding(t, svc, p.ID, clk.now())
			if st.UpdatedBy != s.who.Subject || st.Returned != s.returned || st.CreatedBy != "eve" {
				t.Fatalf("after %s: %+v", s.step, st)
			}
			if s.step == register.StepReturn && (st.ReturnComment != s.comment || st.SubmittedBy != "eve") {
				t.Fatalf("after return: %+v", st)
			}
			if s.step == register.StepSubmit && (st.SubmittedBy != s.who.Subject || st.ReturnComment != "") {
				t.Fatalf("after submit: %+v", st)
			}
		}
		// A CSV import: each imported record is created by the importer.
		tick()
		items, err := svc.ImportCSV(ctx, standDPO, "", "social", strings.NewReader("Nom du traitement;Finalité(s);Unité;Données sensibles ?;Durées de conservation\nTraitement importé;Gérer les dossiers;social;Non;10 ans\n"))
		if err != nil || len(items) != 1 {
			if re := (*register.Error)(nil); asError(err, &re) {
				t.Fatalf("import: %v %+v", err, re.Fields)
			}
			t.Fatalf("import: %d, %v", len(items), err)
		}
		st = wantStanding(t, svc, items[0].ID, clk.now())
		if st.CreatedBy != "dora" || st.UpdatedBy != "dora" || st.Blocking == 0 {
			t.Fatalf("after CSV import: %+v", st)
		}
	})
}

type listRow struct {
	title, unit string
	by          *auth.Principal // creator
	steps       []register.Step // taken by the DPO, or by the creator for submit
	sensitive   bool
	incomplete  bool   // no data subjects: a blocking finding
	reviewDue   string // "" for none
}

// seedList creates rows in carouge and returns the ids by title.
func seedList(t *testing.T, svc *register.Service, rows []listRow) map[string]string {
	t.Helper()
	ctx := context.Background()
	ids := map[string]string{}
	for _, r := range rows {
		f := demo.Publishable(r.unit, r.title, "Gérer les dossiers.", "Résumé.", "")
		f.ReviewDue = r.reviewDue
		if r.sensitive {
			f.DataCategories = append(f.DataCategories, register.DataCategory{Name: "santé", Sensitive: true})
		}
		if r.incomplete {
			f.DataSubjects = nil
		}
		p, err := svc.CreateProcessing(ctx, r.by, "", f)
		if err != nil {
			if re := (*register.Error)(nil); asError(err, &re) {
				t.Fatalf("%s: %v %+v", r.title, err, re.Fields)
			}
			t.Fatalf("%s: %v", r.title, err)
		}
		for _, s := range r.steps {
			who := standDPO
			if s == register.StepSubmit {
				who = r.by
			}
			if _, err := svc.Transition(ctx, who, p.ID, s, nil, "Revoir."); err != nil {
				t.Fatalf("%s %s: %v", r.title, s, err)
			}
		}
		ids[r.title] = p.ID
	}
	return ids
}

var listRows = []listRow{
	{title: "A brouillon eve", unit: "social", by: standEve},
	{title: "B brouillon eve incomplet", unit: "social", by: standEve, incomplete: true},
	{title: "C renvoyé à eve", unit: "social", by: standEve, steps: []register.Step{register.StepSubmit, register.StepReturn}},
	{title: "D en revue eve", unit: "social", by: standEve, steps: []register.Step{register.StepSubmit}},
	{title: "E brouillon ed sensible", unit: "social", by: standEd, sensitive: true},
	{title: "F renvoyé à ed", unit: "social", by: standEd, steps: []register.Step{register.StepSubmit, register.StepReturn}},
	{title: "G publié dora", unit: "culture", by: standDPO, steps: []register.Step{register.StepSubmit, register.StepPublish}, reviewDue: "2026-11-30"},
	{title: "H brouillon dora échu", unit: "culture", by: standDPO, reviewDue: "2026-12-01", sensitive: true},
	{title: "I en revue dora incomplet", unit: "culture", by: standDPO, incomplete: true, steps: []register.Step{register.StepSubmit}},
}

// TestListFiltersAndViewsSelectTheirRows: each filter and view of the
// register list gives exactly its rows, judged from the standing.
func TestListFiltersAndViewsSelectTheirRows(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		name string
		who  *auth.Principal
		f    register.ProcessingFilter
		want string // first letters of the titles, sorted
	}{
		{"All", standDPO, register.ProcessingFilter{}, "ABCDEFGHI"},
		{"Sensitive", standDPO, register.ProcessingFilter{Sensitive: &yes}, "EH"},
		{"NotSensitive", standDPO, register.ProcessingFilter{Sensitive: &no}, "ABCDFGI"},
		{"Blocking", standDPO, register.ProcessingFilter{Blocking: &yes}, "BI"},
		{"NotBlocking", standDPO, register.ProcessingFilter{Blocking: &no}, "ACDEFGH"},
		// Today is 2026-12-02 in Zurich: both dates have passed.
		{"Overdue", standDPO, register.ProcessingFilter{Overdue: true}, "GH"},
		{"OverdueAndSensitive", standDPO, register.ProcessingFilter{Overdue: true, Sensitive: &yes}, "H"},
		{"StatusAndUnit", standDPO, register.ProcessingFilter{Status: register.StatusDraft, Unit: "social"}, "ABCEF"},
		{"MyDraftsEve", standEve, register.ProcessingFilter{View: register.ViewMyDrafts}, "ABC"},
		{"MyDraftsDora", standDPO, register.ProcessingFilter{View: register.ViewMyDrafts}, "CFH"}, // she returned C and F
		{"ReturnedToEve", standEve, register.ProcessingFilter{View: register.ViewReturned}, "C"},
		{"ReturnedToEd", standEd, register.ProcessingFilter{View: register.ViewReturned}, "F"},
		{"ReturnedToDora", standDPO, register.ProcessingFilter{View: register.ViewReturned}, ""},
		{"ToReview", standEve, register.ProcessingFilter{View: register.ViewToReview}, "DI"},
		{"ToReviewBlocking", standDPO, register.ProcessingFilter{View: register.ViewToReview, Blocking: &yes}, "I"},
		{"ViewWithQuery", standEve, register.ProcessingFilter{View: register.ViewMyDrafts, Query: "incomplet"}, "B"},
		{"OtherOrganisation", &auth.Principal{Subject: "olga", Role: auth.RoleDPO, Org: "onex"}, register.ProcessingFilter{}, ""},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		seedList(t, svc, listRows)
		// 23:30 UTC on the 1st is the 2nd in Zurich.
		clk.set(time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC))
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				page, err := svc.ListProcessingsPage(ctx, tc.who, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, it := range page.Items {
					got = append(got, it.Title[:1])
				}
				slices.Sort(got)
				if strings.Join(got, "") != tc.want || page.Total != len(tc.want) {
					t.Fatalf("got %q (total %d), want %q", strings.Join(got, ""), page.Total, tc.want)
				}
			})
		}
		for _, bad := range []struct {
			f     register.ProcessingFilter
			field string
		}{
			{register.ProcessingFilter{Sort: "colour"}, "sort"},
			{register.ProcessingFilter{View: "mine"}, "view"},
		} {
			_, err := svc.ListProcessingsPage(ctx, standDPO, bad.f)
			if re := (*register.Error)(nil); !asError(err, &re) || re.Code != register.EInvalid || len(re.Fields) != 1 || re.Fields[0].Field != bad.field {
				t.Fatalf("%+v: %v, want invalid %s", bad.f, err, bad.field)
			}
		}
	})
}

func asError(err error, re **register.Error) bool {
	e, ok := err.(*register.Error)
	*re = e
	return ok
}

// TestEverySortPagesThroughEveryRowOnceInOrder: by cursor, in both
// directions, every sort visits each row once, in its order; a cursor of
// one sort is refused with another.
func TestEverySortPagesThroughEveryRowOnceInOrder(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		var rows []listRow
		for i := range 23 {
			clk.set(clk.now().Add(time.Duration(i%5) * time.Second)) // ties on updated_at
			r := listRow{title: fmt.Sprintf("T%02d", (i*7)%23), unit: []string{"social", "culture"}[i%2], by: standDPO,
				incomplete: i%3 == 0 && i%4 != 2, sensitive: i%4 == 0}
			switch i % 4 {
			case 1:
				r.steps = []register.Step{register.StepSubmit}
			case 2:
				r.steps = []register.Step{register.StepSubmit, register.StepPublish}
			}
			rows = append(rows, r)
		}
		ids := seedList(t, svc, rows)
		key := map[register.SortKey]func(p *register.Processing) string{
			register.SortUpdated:   func(p *register.Processing) string { return p.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000000000") },
			register.SortTitle:     func(p *register.Processing) string { return p.Title },
			register.SortReference: func(p *register.Processing) string { return p.Reference },
			register.SortUnit:      func(p *register.Processing) string { return p.Unit },
			register.SortStatus:    func(p *register.Processing) string { return string(p.Status) },
			register.SortVersion:   func(p *register.Processing) string { return fmt.Sprintf("%04d", p.Version) },
			register.SortBlocking:  func(p *register.Processing) string { return fmt.Sprintf("%04d", p.Standing.Blocking) },
		}
		var firstCursor string
		for _, k := range []register.SortKey{"", register.SortUpdated, register.SortTitle, register.SortReference,
			register.SortUnit, register.SortStatus, register.SortVersion, register.SortBlocking} {
			for _, desc := range []bool{false, true} {
				f := register.ProcessingFilter{Sort: k, Desc: desc, PerPage: 4}
				var got []register.Processing
				for {
					page, err := svc.ListProcessingsPage(ctx, standDPO, f)
					if err != nil {
						t.Fatalf("sort %q desc %v: %v", k, desc, err)
					}
					got = append(got, page.Items...)
					if page.NextCursor == "" {
						break
					}
					if firstCursor == "" {
						firstCursor = page.NextCursor
					}
					f.Cursor = page.NextCursor
				}
				seen := map[string]bool{}
				for _, p := range got {
					if seen[p.ID] {
						t.Fatalf("sort %q desc %v: %s twice", k, desc, p.Title)
					}
					seen[p.ID] = true
				}
				if len(seen) != len(ids) {
					t.Fatalf("sort %q desc %v: %d rows, want %d", k, desc, len(seen), len(ids))
				}
				sk, d := k, desc
				if k == "" {
					sk, d = register.SortUpdated, true
				}
				for i := 1; i < len(got); i++ {
					// Ties: the last change, then id, in the same direction.
					a, b := key[sk](&got[i-1]), key[sk](&got[i])
					if a == b {
						a, b = key[register.SortUpdated](&got[i-1]), key[register.SortUpdated](&got[i])
					}
					if a == b {
						a, b = got[i-1].ID, got[i].ID
					}
					if (a > b) != d || a == b {
						t.Fatalf("sort %q desc %v: %q before %q", k, desc, key[sk](&got[i-1]), key[sk](&got[i]))
					}
				}
			}
		}
		_, err := svc.ListProcessingsPage(ctx, standDPO, register.ProcessingFilter{Sort: register.SortTitle, PerPage: 4, Cursor: firstCursor})
		if re := (*register.Error)(nil); !asError(err, &re) || re.Code != register.EInvalid {
			t.Fatalf("cursor of another sort: %v, want invalid", err)
		}
	})
}

// TestRefreshFollowsTheOrganisationAndTheDate: an organisation change and
// the passing of a review date change the findings without an edit (no
// revision, no audit entry).
func TestRefreshFollowsTheOrganisationAndTheDate(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		ids := seedList(t, svc, []listRow{
			{title: "AAA", unit: "social", by: standDPO, reviewDue: "2026-12-05"},
			{title: "BBB", unit: "culture", by: standDPO},
		})
		a0, err := svc.Store().GetProcessing(ctx, ids["AAA"])
		if err != nil {
			t.Fatal(err)
		}
		audit0, _, err := svc.Store().ListAudit(ctx, register.AuditFilter{PerPage: 200, Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		// The organisation loses its LIPAD contact: a blocking finding on
		// every record of it.
		clk.set(clk.now().Add(time.Hour))
		org, err := svc.GetOrganisation(ctx, standDPO, "carouge")
		if err != nil {
			t.Fatal(err)
		}
		org.LIPADContact = ""
		if _, err := svc.UpdateOrganisation(ctx, standDPO, "carouge", *org); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			st := wantStanding(t, svc, id, clk.now())
			if st.Blocking != 1 {
				t.Fatalf("after the organisation change: blocking %d, want 1", st.Blocking)
			}
		}
		a1, err := svc.Store().GetProcessing(ctx, ids["AAA"])
		if err != nil {
			t.Fatal(err)
		}
		if a1.Revision != a0.Revision || a1.Version != a0.Version || !a1.UpdatedAt.Equal(a0.UpdatedAt) {
			t.Fatalf("refresh edited the record: revision %d→%d, version %d→%d", a0.Revision, a1.Revision, a0.Version, a1.Version)
		}
		// The review date passes: the daily refresh sees it.
		warn := a1.Standing.Warnings
		clk.set(time.Date(2026, 12, 6, 0, 30, 0, 0, time.UTC))
		if page, err := svc.ListProcessingsPage(ctx, standDPO, register.ProcessingFilter{Overdue: true}); err != nil || len(page.Items) != 1 {
			t.Fatalf("overdue on the 6th: %d items, %v; want A", len(page.Items), err)
		}
		n, err := svc.RefreshStaleStandings(ctx)
		if err != nil || n != 2 {
			t.Fatalf("daily refresh: %d, %v; want 2", n, err)
		}
		st := wantStanding(t, svc, ids["AAA"], clk.now())
		if st.Warnings != warn+1 {
			t.Fatalf("after the review date: warnings %d, want %d", st.Warnings, warn+1)
		}
		// Again the same day: nothing left to do.
		if n, err := svc.RefreshStaleStandings(ctx); err != nil || n != 0 {
			t.Fatalf("second refresh of the day: %d, %v; want 0", n, err)
		}
		audit1, _, err := svc.Store().ListAudit(ctx, register.AuditFilter{PerPage: 200, Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(audit1) != len(audit0)+1 { // the organisation's update only
			t.Fatalf("audit entries %d → %d, want one more (the organisation change)", len(audit0), len(audit1))
		}
	})
}

// racingStore saves a record between the refresh's read and its write.
type racingStore struct {
	register.Store
	save func()
}

func (s *racingStore) ListStandings(ctx context.Context, f register.StandingScan) ([]register.Processing, error) {
	out, err := s.Store.ListStandings(ctx, f)
	if s.save != nil && len(out) > 0 {
		s.save()
		s.save = nil
	}
	return out, err
}

// TestRefreshKeepsAConcurrentSave: a save between the refresh's read and
// its write keeps the standing the save computed.
func TestRefreshKeepsAConcurrentSave(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		ids := seedList(t, svc, []listRow{{title: "AAA", unit: "social", by: standDPO}, {title: "BBB", unit: "social", by: standDPO}})
		rs := &racingStore{Store: db.Store()}
		racing := register.NewService(rs, register.WithClock(clk.now))
		rs.save = func() {
			p, err := svc.Store().GetProcessing(ctx, ids["AAA"])
			if err != nil {
				t.Fatal(err)
			}
			f := p.Fields
			f.DataSubjects = nil // one blocking finding
			if _, err := svc.UpdateProcessing(ctx, standEve, p.ID, p.Revision, f); err != nil {
				t.Fatal(err)
			}
		}
		n, err := racing.RefreshStandings(ctx, "carouge")
		if err != nil || n != 1 {
			t.Fatalf("refresh: %d, %v; want 1 (B; A was saved meanwhile)", n, err)
		}
		st := wantStanding(t, svc, ids["AAA"], clk.now())
		if st.Blocking != 1 || st.UpdatedBy != "eve" {
			t.Fatalf("the refresh overwrote the save: %+v", st)
		}
	})
}

// TestUncheckedRowsAreFilledAfterMigrating: rows from before the standings
// (checked_at NULL, no who) get who from the audit trail when the store
// migrates, show their findings in a list at once, and are checked by the
// start-up refresh.
func TestUncheckedRowsAreFilledAfterMigrating(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk := &standClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc := standingFixture(t, db, clk)
		ids := seedList(t, svc, listRows)
		if _, err := db.Bun().NewUpdate().TableExpr("processings").
			Set("blocking = 0, warnings = 0, sensitive = FALSE, checked_at = NULL, created_by = '', updated_by = ''").
			Set("submitted_by = '', returned = FALSE, return_comment = '', review_due = ''").Where("1 = 1").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		page, err := svc.ListProcessingsPage(ctx, standDPO, register.ProcessingFilter{PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Items {
			org, _ := svc.Store().GetOrganisation(ctx, p.Organisation)
			if b := len(register.Blocking(register.Check(&p, org, clk.now()))); p.Standing.Blocking != b {
				t.Fatalf("%s unchecked: listed with blocking %d, want %d", p.Title, p.Standing.Blocking, b)
			}
		}
		c, err := svc.Store().GetProcessing(ctx, ids["C renvoyé à eve"])
		if err != nil {
			t.Fatal(err)
		}
		if st := c.Standing; st.CreatedBy != "eve" || st.UpdatedBy != "dora" || st.SubmittedBy != "eve" || !st.Returned || st.ReturnComment != "Revoir." {
			t.Fatalf("who from the audit trail: %+v", st)
		}
		n, err := svc.RefreshStaleStandings(ctx)
		if err != nil || n != len(listRows) {
			t.Fatalf("start-up refresh: %d, %v; want %d", n, err, len(listRows))
		}
		for _, id := range ids {
			wantStanding(t, svc, id, clk.now())
		}
	})
}
