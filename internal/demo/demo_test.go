package demo_test

import (
	"context"
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

func TestLoad(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
		sum, err := demo.Load(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Organisations != 4 || sum.Processings < 38 {
			t.Fatalf("got %+v", sum)
		}
		for _, state := range []string{"draft", "in_review", "published", "archived", "republished", "returned"} {
			if sum.ByState[state] == 0 {
				t.Errorf("no processing ends %s", state)
			}
		}
		admin := &auth.Principal{Subject: "t", Role: auth.RoleAdmin}
		all, total, err := svc.ListProcessings(ctx, admin, register.ProcessingFilter{PerPage: register.MaxPerPage})
		if err != nil || total != sum.Processings {
			t.Fatalf("got %d processings, %v", total, err)
		}
		statuses := map[register.Status]int{}
		for _, p := range all {
			statuses[p.Status]++
		}
		if statuses[register.StatusPublished] < 20 || statuses[register.StatusDraft] == 0 || statuses[register.StatusInReview] == 0 || statuses[register.StatusArchived] == 0 {
			t.Fatalf("statuses %v", statuses)
		}
		// Every published processing passes the gate today; the demo shows warnings.
		rules := map[string]int{}
		for _, p := range all {
			org, _ := svc.GetOrganisation(ctx, admin, p.Organisation)
			for _, f := range register.Check(&p, org, time.Now()) {
				rules[f.Rule]++
				if p.Status == register.StatusPublished && f.Blocks() {
					t.Errorf("published %s has error finding %s", p.Reference, f.Rule)
				}
			}
		}
		// The video surveillance requires an impact assessment (systematic
		// monitoring of the public area), and every published record says
		// where its data come from.
		video := 0
		for _, p := range all {
			if p.Status == register.StatusPublished && len(p.Sources) == 0 {
				t.Errorf("published %s does not say where its data come from", p.Reference)
			}
			if strings.Contains(p.Title, "Vidéosurveillance") {
				video++
				if pub := register.Public(&p, time.Now()); !pub.DPIA.Required || !slices.Contains(pub.DPIA.Criteria, register.CritPublicMonitoring) {
					t.Errorf("video surveillance: public dpia %+v, want required by public-monitoring", pub.DPIA)
				}
			}
		}
		if video == 0 {
			t.Error("the demo has no video surveillance")
		}
		for _, want := range []string{"dpia-required-mismatch", "transfer-not-adequate", "transfer-no-safeguard", "public-task-basis", "review-overdue", "controller", "common-identifier", "processor-contract"} {
			if rules[want] == 0 {
				t.Errorf("the demo shows no %s finding (%v)", want, rules)
			}
		}
		res, err := svc.VerifyAudit(ctx, nil, "")
		if err != nil || !res.OK {
			t.Fatalf("chain: %+v %v", res, err)
		}
		pubs, n, err := svc.ListPublic(ctx, register.PublicFilter{})
		if err != nil || n < 20 || len(pubs) == 0 {
			t.Fatalf("public register: %d, %v", n, err)
		}

		// Loading again changes nothing.
		again, err := demo.Load(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		if again.Organisations != 0 || again.Units != 0 || again.Processings != 0 || again.Skipped != sum.Processings {
			t.Fatalf("second load: got %+v", again)
		}
		res2, err := svc.VerifyAudit(ctx, nil, "")
		if err != nil || res2.Head != res.Head || res2.Entries != res.Entries {
			t.Fatalf("second load changed the audit trail: %+v → %+v", res, res2)
		}
	})
}
