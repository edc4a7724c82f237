package register

import (
	"testing"
	"time"
)

func completeProcessing() (*Processing, *Organisation) {
	created := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p := &Processing{ID: "p1", Organisation: "geneve", CreatedAt: created, ReviewedAt: &created, Fields: Fields{
		Unit: "etat-civil", Title: "Registre", Purpose: "Tenir le registre.", PublicSummary: "Résumé.",
		Controller:       Party{Name: "Service", Contact: "s@example.ch"},
		LegalBases:       []LegalBasis{{Type: BasisLaw, Reference: "LIPAD art. 35"}},
		DataSubjects:     []string{"habitants"},
		DataCategories:   []DataCategory{{Name: "identité"}},
		Recipients:       []Recipient{{Name: "OCPM", Type: RecipientPublicBody}},
		Retention:        Retention{Period: "P10Y"},
		SecurityMeasures: []SecurityMeasure{{Category: SecAccessControl}},
		Transfers:        []Transfer{{Country: "FR", Safeguard: SafeguardAdequacy}},
		ReviewDue:        "2027-06-30",
	}}
	return p, &Organisation{Slug: "geneve", LIPADContact: "lipad@example.ch"}
}

func TestComplianceRules(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		rule     string
		severity Severity
		field    string
		change   func(p *Processing, o *Organisation)
	}{
		{"controller", SeverityError, "controller.name", func(p *Processing, o *Organisation) { p.Controller.Name = "" }},
		{"controller-contact", SeverityError, "controller.contact", func(p *Processing, o *Organisation) { p.Controller.Contact = "" }},
		{"purpose", SeverityError, "purpose", func(p *Processing, o *Organisation) { p.Purpose = "" }},
		{"data-subjects", SeverityError, "data_subjects", func(p *Processing, o *Organisation) { p.DataSubjects = nil }},
		{"data-categories", SeverityError, "data_categories", func(p *Processing, o *Organisation) { p.DataCategories = nil }},
		{"legal-basis", SeverityError, "legal_bases", func(p *Processing, o *Organisation) { p.LegalBases = nil }},
		{"legal-basis-reference", SeverityError, "legal_bases[0].reference", func(p *Processing, o *Organisation) { p.LegalBases[0].Reference = "" }},
		{"retention", SeverityError, "retention.period", func(p *Processing, o *Organisation) { p.Retention.Period = "" }},
		{"security-measures", SeverityError, "security_measures", func(p *Processing, o *Organisation) { p.SecurityMeasures = nil }},
		{"recipients", SeverityError, "recipients", func(p *Processing, o *Organisation) { p.Recipients = nil }},
		{"transfer-safeguard", SeverityError, "transfers[0].safeguard", func(p *Processing, o *Organisation) { p.Transfers[0].Safeguard = "" }},
		{"public-summary", SeverityError, "public_summary", func(p *Processing, o *Organisation) { p.PublicSummary = "" }},
		{"lipad-contact", SeverityError, "organisation.lipad_contact", func(p *Processing, o *Organisation) { o.LIPADContact = "" }},
		{"dpia-sensitive", SeverityWarning, "dpia.status", func(p *Processing, o *Organisation) {
			p.DataCategories = []DataCategory{{Name: "santé", Sensitive: true}}
			p.DPIA.Status = DPIAInProgress
		}},
		{"transfer-no-safeguard", SeverityWarning, "transfers[0].safeguard", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "DE", Safeguard: SafeguardNone}
		}},
		{"transfer-not-adequate", SeverityWarning, "transfers[0].country", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "IN", Safeguard: SafeguardAdequacy}
		}},
		{"transfer-not-adequate", SeverityWarning, "transfers[0].country", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "US", Safeguard: SafeguardAdequacy} // only DPF-certified recipients
		}},
		{"automated-decision", SeverityWarning, "automated_decision", func(p *Processing, o *Organisation) { p.AutomatedDecision = true }},
		{"profiling", SeverityWarning, "profiling", func(p *Processing, o *Organisation) { p.Profiling = true }},
		{"public-task-basis", SeverityWarning, "legal_bases[1].type", func(p *Processing, o *Organisation) {
			p.LegalBases = append(p.LegalBases, LegalBasis{Type: BasisConsent})
		}},
		{"public-task-basis", SeverityWarning, "legal_bases[0].type", func(p *Processing, o *Organisation) {
			p.LegalBases[0] = LegalBasis{Type: BasisLegitimateInterest}
		}},
		{"review-overdue", SeverityWarning, "review_due", func(p *Processing, o *Organisation) { p.ReviewDue = "2026-11-21" }},
		{"not-reviewed", SeverityWarning, "reviewed_at", func(p *Processing, o *Organisation) {
			old := now.AddDate(-1, 0, -1)
			p.ReviewedAt = &old
		}},
		{"not-reviewed", SeverityWarning, "reviewed_at", func(p *Processing, o *Organisation) {
			p.ReviewedAt, p.CreatedAt = nil, now.AddDate(-2, 0, 0)
		}},
	}
	base, org := completeProcessing()
	if fs := Check(base, org, now); len(fs) != 0 {
		t.Fatalf("complete processing: got findings %+v, want none", fs)
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p, o := completeProcessing()
			tt.change(p, o)
			fs := Check(p, o, now)
			if len(fs) != 1 {
				t.Fatalf("got %d findings %+v, want exactly one", len(fs), fs)
			}
			f := fs[0]
			if f.Rule != tt.rule || f.Severity != tt.severity || f.Field != tt.field || len(f.Laws) == 0 || f.Message == "" || f.ProcessingID != "p1" {
				t.Fatalf("got %+v, want rule %s severity %s field %s", f, tt.rule, tt.severity, tt.field)
			}
		})
	}
	// Domestic and adequate transfers raise nothing.
	p, o := completeProcessing()
	p.Transfers = []Transfer{{Country: "CH", Safeguard: SafeguardAdequacy}, {Country: "GB", Safeguard: SafeguardAdequacy}, {Country: "US", Safeguard: SafeguardSCC}}
	if fs := Check(p, o, now); len(fs) != 0 {
		t.Fatalf("adequate transfers: got %+v", fs)
	}
}

func TestEveryRuleNamesLaws(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if len(r.Laws) == 0 || r.Message == "" || r.Field == "" {
			t.Errorf("rule %s is incomplete", r.ID)
		}
		if r.Severity == SeverityError {
			for _, l := range r.Laws {
				if l != LawGDPR30 && l != LawFADP12 && l != LawLIPAD43 && l != LawNotice {
					t.Errorf("blocking rule %s names %s, not a register or notice duty", r.ID, l)
				}
			}
		}
		if seen[r.ID] {
			t.Errorf("rule %s twice", r.ID)
		}
		seen[r.ID] = true
	}
}

func TestSummarise(t *testing.T) {
	fs := []Finding{
		{ProcessingID: "a", Rule: "purpose", Severity: SeverityError, Laws: []string{LawGDPR30, LawNotice}},
		{ProcessingID: "a", Rule: "profiling", Severity: SeverityWarning, Laws: []string{LawGDPR22}},
		{ProcessingID: "b", Rule: "recipients", Severity: SeverityWarning, Laws: []string{LawGDPR30}},
	}
	s := Summarise(2, fs)
	if s.Processings != 2 || s.Complete != 1 || s.BySeverity["error"] != 1 || s.BySeverity["warning"] != 2 || s.ByLaw[LawGDPR30] != 2 {
		t.Fatalf("got %+v", s)
	}
	required := 0
	for _, r := range Rules() {
		if r.Severity == SeverityError {
			required++
		}
	}
	want := float64(int(1000*float64(2*required-1)/float64(2*required)+0.5)) / 10
	if s.Completeness != want {
		t.Fatalf("got completeness %v, want %v", s.Completeness, want)
	}
	if e := Summarise(0, nil); e.Completeness != 100 {
		t.Fatalf("empty register: got %v, want 100", e.Completeness)
	}
}
