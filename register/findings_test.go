package register_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// seedFindings creates n drafts in "carouge" (and one in "onex") whose
// findings differ: every third has a retention period, every fifth
// sensitive data. It returns the service.
func seedFindings(t *testing.T, db *sqlstore.DB, n int) *register.Service {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	for _, org := range []string{"carouge", "onex"} {
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: org, Name: "Ville de " + org, LIPADContact: "lipad@" + org + ".example"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, admin, org, register.Unit{Slug: "social", Name: "Social"}); err != nil {
			t.Fatal(err)
		}
	}
	var b strings.Builder
	b.WriteString("Nom du traitement;Finalité(s);Données sensibles ?;Durées de conservation\n")
	for i := range n {
		sensitive, retention := "", ""
		if i%5 == 0 {
			sensitive = "santé"
		}
		if i%3 == 0 {
			retention = "10 ans"
		}
		fmt.Fprintf(&b, "Traitement %d;Finalité %d;%s;%s\n", i, i, sensitive, retention)
	}
	if _, err := svc.ImportCSV(ctx, admin, "carouge", "social", strings.NewReader(b.String())); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportCSV(ctx, admin, "onex", "social", strings.NewReader("Nom du traitement;Finalité(s)\nAilleurs;Autre chose\n")); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestCompliancePagesAreTheWholeList pages through the findings: the pages
// put together are exactly the findings of every processing, sorted as
// SortFindings sorts them, and every page carries the summary of them all.
func TestCompliancePagesAreTheWholeList(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := seedFindings(t, db, 230)
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		org, err := svc.GetOrganisation(ctx, dpo, "carouge")
		if err != nil {
			t.Fatal(err)
		}
		var want []register.Finding
		n := 0
		f := register.ProcessingFilter{PerPage: register.MaxPerPage}
		for f.Page = 1; ; f.Page++ {
			items, total, err := svc.ListProcessings(ctx, dpo, f)
			if err != nil {
				t.Fatal(err)
			}
			for i := range items {
				want = append(want, register.Check(&items[i], org, svc.Now())...)
				n++
			}
			if f.Page*f.PerPage >= total {
				break
			}
		}
		register.SortFindings(want)
		wantSummary := register.Summarise(n, want)

		var got []register.Finding
		for page := 1; ; page++ {
			res, err := svc.Compliance(ctx, dpo, "onex", page, 37) // org ignored for a dpo
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(want) || res.Page != page || res.PerPage != 37 {
				t.Fatalf("page %d: got total %d, page %d, per_page %d; want %d, %d, 37", page, res.Total, res.Page, res.PerPage, len(want), page)
			}
			if !reflect.DeepEqual(res.Summary, wantSummary) {
				t.Fatalf("page %d: got summary %+v, want %+v", page, res.Summary, wantSummary)
			}
			if len(res.Items) == 0 {
				break
			}
			got = append(got, res.Items...)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %d findings over the pages, want %d (or in another order)", len(got), len(want))
		}
		if wantSummary.Processings != 230 || wantSummary.Complete != 0 {
			t.Fatalf("summary: got %+v, want 230 processings, none complete", wantSummary)
		}
		for _, tt := range []struct {
			name          string
			page, perPage int
		}{{"PerPageOverMax", 1, register.MaxPerPage + 1}, {"NegativePage", -1, 10}} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := svc.Compliance(ctx, dpo, "", tt.page, tt.perPage); register.ErrorCode(err) != register.EInvalid {
					t.Fatalf("got %v, want EInvalid", err)
				}
			})
		}
	})
}

// TestAuditorReportIsBounded draws up the report of an organisation larger
// than a report details: it details the processings with the most blocking
// findings, counts the rest, and tells a dpo only whether the chain holds.
func TestAuditorReportIsBounded(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := seedFindings(t, db, register.MaxReportProcessings+50)
		dpo := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "carouge"}
		r, err := svc.AuditorReport(ctx, dpo, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Processings) != register.MaxReportProcessings || r.Omitted != 50 || r.Summary.Processings != register.MaxReportProcessings+50 {
			t.Fatalf("got %d detailed, %d omitted, %d examined", len(r.Processings), r.Omitted, r.Summary.Processings)
		}
		errs := map[string]int{}
		for _, f := range r.Findings {
			if f.Severity == register.SeverityError {
				errs[f.ProcessingID]++
			}
		}
		// Rows with a retention period miss one item less: the 50 left
		// out must be among them.
		for i, p := range r.Processings[1:] {
			if errs[p.ID] > errs[r.Processings[i].ID] {
				t.Fatalf("processing %d has more blocking findings (%d) than the one before it (%d)", i+1, errs[p.ID], errs[r.Processings[i].ID])
			}
		}
		if low := errs[r.Processings[len(r.Processings)-1].ID]; low != errs[r.Processings[0].ID]-1 {
			t.Fatalf("the least incomplete processing detailed has %d blocking findings, want %d", low, errs[r.Processings[0].ID]-1)
		}
		wantSensitive := (register.MaxReportProcessings + 50 + 4) / 5
		if r.SensitiveTotal != wantSensitive || len(r.Sensitive) != wantSensitive {
			t.Fatalf("sensitive: got %d listed of %d, want %d", len(r.Sensitive), r.SensitiveTotal, wantSensitive)
		}
		if r.Verify != (register.VerifyResult{OK: true}) {
			t.Fatalf("verify for a dpo: got %+v, want ok only", r.Verify)
		}
		// carouge: organisation, unit, and one import entry per row.
		if want := 2 + register.MaxReportProcessings + 50; r.AuditTotal != want || len(r.Audit) != register.DefaultReportAudit {
			t.Fatalf("audit: got %d entries of %d, want %d of %d", len(r.Audit), r.AuditTotal, register.DefaultReportAudit, want)
		}
		for _, e := range r.Audit {
			if e.Seq != 0 || e.PrevHash != "" || e.Organisation != "carouge" || len(e.Hash) != 64 {
				t.Fatalf("audit entry for a dpo: got %+v, want carouge's, without seq or prev_hash", e)
			}
		}
		admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
		if r, err = svc.AuditorReport(ctx, admin, "carouge", 0); err != nil {
			t.Fatal(err)
		}
		if !r.Verify.OK || r.Verify.Entries == 0 || len(r.Verify.Head) != 64 || r.Audit[0].Seq == 0 || r.Audit[0].PrevHash == "" {
			t.Fatalf("admin: got verify %+v, newest entry %+v; want the whole chain", r.Verify, r.Audit[0])
		}
	})
}

// TestVerifyAuditByRole: the whole chain's length and head, and checks
// against a saved head, are an administrator's.
func TestVerifyAuditByRole(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := seedFindings(t, db, 3)
		full, err := svc.VerifyAudit(ctx, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		head := register.FormatHead(full.Entries, full.Head)
		tests := []struct {
			name string
			p    *auth.Principal
			head string
			want register.VerifyResult
			code register.Code
		}{
			{"Operator", nil, "", full, ""},
			{"Admin", &auth.Principal{Role: auth.RoleAdmin}, "", full, ""},
			{"AdminWithHead", &auth.Principal{Role: auth.RoleAdmin}, head, func() register.VerifyResult {
				r, found := full, true
				r.HeadFound = &found
				return r
			}(), ""},
			{"DPO", &auth.Principal{Role: auth.RoleDPO, Org: "carouge"}, "", register.VerifyResult{OK: true}, ""},
			{"Auditor", &auth.Principal{Role: auth.RoleAuditor, Org: "onex"}, "", register.VerifyResult{OK: true}, ""},
			{"DPOWithHead", &auth.Principal{Role: auth.RoleDPO, Org: "carouge"}, head, register.VerifyResult{}, register.EForbidden},
			{"Editor", &auth.Principal{Role: auth.RoleEditor, Org: "carouge"}, "", register.VerifyResult{}, register.EForbidden},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := svc.VerifyAudit(ctx, tt.p, tt.head)
				if register.ErrorCode(err) != tt.code {
					t.Fatalf("got error %v, want code %q", err, tt.code)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
			})
		}
	})
}
