package register_test

import (
	"context"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// ComplianceTallies is what the overview counts, computed from the
// compliance endpoint's findings (the rules run now) and the records: the
// reference the overview's standings must equal.
func complianceTallies(t *testing.T, svc *register.Service, p *auth.Principal, org string) *register.Overview {
	t.Helper()
	ctx := context.Background()
	want := &register.Overview{Organisation: org, ByStatus: map[register.Status]int{}, ByLaw: map[string]int{}, ByUnit: map[string]int{}}
	all, _, err := svc.Store().ListProcessings(ctx, register.ProcessingFilter{Organisation: org, Page: 1, PerPage: 100000})
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]string{}
	for _, x := range all {
		unit[x.ID] = x.Unit
		want.ByStatus[x.Status]++
		want.Total++
		if x.Status == register.StatusArchived {
			continue
		}
		if x.Sensitive() {
			want.Sensitive++
		}
		if x.TransfersAbroad() {
			want.Abroad++
		}
	}
	page, err := svc.Compliance(ctx, p, org, 1, 200)
	if err != nil {
		t.Fatal(err)
	}
	for n := 2; len(page.Items) < page.Total; n++ {
		next, err := svc.Compliance(ctx, p, org, n, 200)
		if err != nil {
			t.Fatal(err)
		}
		page.Items = append(page.Items, next.Items...)
	}
	want.Current = page.Summary.Processings
	want.Blocked = page.Summary.Processings - page.Summary.Complete
	want.DPIADue, want.Profiling, want.Overdue = page.Summary.ByRule["dpia-required"], page.Summary.ByRule["profiling"], page.Summary.ByRule["review-overdue"]
	laws := map[string]map[string]bool{}
	blocked := map[string]bool{}
	for _, f := range page.Items {
		if !f.Blocks() {
			continue
		}
		blocked[f.ProcessingID] = true
		for _, l := range f.Laws {
			if laws[l] == nil {
				laws[l] = map[string]bool{}
			}
			laws[l][f.ProcessingID] = true
		}
	}
	for l, ids := range laws {
		want.ByLaw[l] = len(ids)
	}
	for id := range blocked {
		want.ByUnit[unit[id]]++
	}
	return want
}

func sameOverview(t *testing.T, got, want *register.Overview) {
	t.Helper()
	for _, st := range []register.Status{register.StatusDraft, register.StatusInReview, register.StatusPublished, register.StatusArchived} {
		if got.ByStatus[st] != want.ByStatus[st] {
			t.Errorf("%s: got %d, want %d", st, got.ByStatus[st], want.ByStatus[st])
		}
	}
	pairs := []struct {
		name      string
		got, want int
	}{{"total", got.Total, want.Total}, {"current", got.Current, want.Current}, {"blocked", got.Blocked, want.Blocked},
		{"sensitive", got.Sensitive, want.Sensitive}, {"dpia", got.DPIADue, want.DPIADue}, {"abroad", got.Abroad, want.Abroad},
		{"profiling", got.Profiling, want.Profiling}, {"overdue", got.Overdue, want.Overdue}}
	for _, p := range pairs {
		if p.got != p.want {
			t.Errorf("%s: got %d, want %d", p.name, p.got, p.want)
		}
	}
	for _, m := range []struct {
		name      string
		got, want map[string]int
	}{{"by law", got.ByLaw, want.ByLaw}, {"by unit", got.ByUnit, want.ByUnit}} {
		keys := map[string]bool{}
		for k := range m.got {
			keys[k] = true
		}
		for k := range m.want {
			keys[k] = true
		}
		for k := range keys {
			if m.got[k] != m.want[k] {
				t.Errorf("%s %q: got %d, want %d", m.name, k, m.got[k], m.want[k])
			}
		}
	}
}

// TestOverviewEqualsTheComplianceFindings: on the demo register (every
// state, blocking findings under many laws, every risk), the overview read
// from the standings gives the numbers the rules give when run now.
func TestOverviewEqualsTheComplianceFindings(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store(), register.WithSheets(spreadsheet.Read))
		if _, err := demo.Load(ctx, svc); err != nil {
			t.Fatal(err)
		}
		orgs, err := svc.Store().ListOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, o := range orgs {
			dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: o.Slug}
			got, err := svc.Overview(ctx, dpo, "someone-else")
			if err != nil {
				t.Fatal(err)
			}
			if got.Organisation != o.Slug {
				t.Fatalf("a DPO's overview is of %q, want their own %q", got.Organisation, o.Slug)
			}
			t.Logf("%s: %+v", o.Slug, *got)
			sameOverview(t, got, complianceTallies(t, svc, dpo, o.Slug))
			seen += len(got.ByLaw)
		}
		if seen == 0 {
			t.Fatal("the demo has no blocking finding: the test proves nothing")
		}
	})
}

// TestOverviewRefusesWhoMayNotRead: editors get 403, an administrator must
// name an existing organisation.
func TestOverviewRefusesWhoMayNotRead(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store())
		if _, err := svc.CreateOrganisation(ctx, register.CommandLine("t"), register.Organisation{Slug: "onex", Name: "Onex"}); err != nil {
			t.Fatal(err)
		}
		admin := &auth.Principal{Subject: "a", Role: auth.RoleAdmin}
		for _, c := range []struct {
			name string
			p    *auth.Principal
			org  string
			want register.Code
		}{
			{"EditorForbidden", &auth.Principal{Subject: "e", Role: auth.RoleEditor, Org: "onex"}, "", register.EForbidden},
			{"AdminWithoutOrgInvalid", admin, "", register.EInvalid},
			{"AdminUnknownOrgNotFound", admin, "nowhere", register.ENotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := svc.Overview(ctx, c.p, c.org)
				if got := register.ErrorCode(err); got != c.want {
					t.Fatalf("got %v (%v), want %v", got, err, c.want)
				}
			})
		}
		if _, err := svc.Overview(ctx, admin, "onex"); err != nil {
			t.Fatal(err)
		}
	})
}
