package register

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/register/articles"
)

// completeProcessing is a record that passes every rule: each basis cites
// its norm, the transfer to France rests on adequacy, the processor in
// Switzerland works under a contract.
func completeProcessing() (*Processing, *Organisation) {
	created := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	p := &Processing{ID: "p1", Organisation: "geneve", CreatedAt: created, ReviewedAt: &created, Fields: Fields{
		Unit: "etat-civil", Title: "Registre", Purpose: "Tenir le registre.", PublicSummary: "Résumé.",
		Controller:       Party{Name: "Service", Contact: "s@example.ch"},
		LegalBases:       []LegalBasis{{Type: BasisLaw, Reference: "Loi sur l'état civil (rsGE E 1 13), art. 2", Level: NormFormalLaw}},
		DataSubjects:     []string{"habitants"},
		DataCategories:   []DataCategory{{Name: "identité"}},
		Recipients:       []Recipient{{Name: "OCPM", Type: RecipientPublicBody}},
		Processors:       []Processor{{Name: "Hébergeur", Country: "CH", Contract: true}},
		Retention:        Retention{Period: "P10Y"},
		Sources:          []string{"la personne concernée"},
		SecurityMeasures: []SecurityMeasure{{Category: SecAccessControl}},
		Transfers:        []Transfer{{Country: "FR", Safeguard: SafeguardAdequacy}},
		ReviewDue:        "2027-06-30",
	}}
	return p, &Organisation{Slug: "geneve", LIPADContact: "lipad@example.ch", Regime: RegimeLIPAD}
}

func TestComplianceRules(t *testing.T) {
	t.Parallel()
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
		// A public task with no norm cited is refused like a law without one.
		{"legal-basis-reference", SeverityError, "legal_bases[1].reference", func(p *Processing, o *Organisation) {
			p.LegalBases = append(p.LegalBases, LegalBasis{Type: BasisPublicTask, Reference: " "})
		}},
		// Health data on the strength of a regulation only.
		{"formal-law-basis", SeverityError, "legal_bases", func(p *Processing, o *Organisation) {
			p.DataCategories = []DataCategory{{Name: "santé", Sensitive: true}}
			p.DPIA.Status = DPIADone
			p.LegalBases[0] = LegalBasis{Type: BasisPublicTask, Reference: "Règlement sur la santé scolaire, art. 4", Level: NormRegulation}
		}},
		{"retention", SeverityError, "retention.period", func(p *Processing, o *Organisation) { p.Retention.Period = "" }},
		{"security-measures", SeverityError, "security_measures", func(p *Processing, o *Organisation) { p.SecurityMeasures = nil }},
		{"recipients", SeverityError, "recipients", func(p *Processing, o *Organisation) { p.Recipients = nil }},
		{"processor-contract", SeverityError, "processors[0].contract", func(p *Processing, o *Organisation) { p.Processors[0].Contract = false }},
		{"transfer-safeguard", SeverityError, "transfers[0].safeguard", func(p *Processing, o *Organisation) { p.Transfers[0].Safeguard = "" }},
		{"transfer-no-safeguard", SeverityError, "transfers[0].safeguard", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "DE", Safeguard: SafeguardNone}
		}},
		// India has no adequacy decision: claiming one is false.
		{"transfer-not-adequate", SeverityError, "transfers[0].country", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "IN", Safeguard: SafeguardAdequacy, Details: "support technique"}
		}},
		// The United States are adequate for certified recipients only.
		{"transfer-not-adequate", SeverityError, "transfers[0].country", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "US", Safeguard: SafeguardAdequacy}
		}},
		// Japan is on the EU list, not on the Swiss one.
		{"transfer-not-adequate", SeverityError, "transfers[0].country", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "JP", Safeguard: SafeguardAdequacy, RecipientCertified: true}
		}},
		{"transfer-details", SeverityError, "transfers[0].details", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "IN", Safeguard: SafeguardOther}
		}},
		{"transfer-details", SeverityError, "transfers[0].details", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "BR", Safeguard: SafeguardDerogation}
		}},
		{"transfer-details", SeverityError, "transfers[0].details", func(p *Processing, o *Organisation) {
			p.Transfers[0] = Transfer{Country: "MA", Safeguard: SafeguardTreaty}
		}},
		// A processor abroad with no transfer to its country.
		{"abroad-without-transfer", SeverityError, "processors[1].country", func(p *Processing, o *Organisation) {
			p.Processors = append(p.Processors, Processor{Name: "Éditeur", Country: "IN", Contract: true})
		}},
		{"abroad-without-transfer", SeverityError, "recipients[1].country", func(p *Processing, o *Organisation) {
			p.Recipients = append(p.Recipients, Recipient{Name: "Université de Liège", Type: RecipientPublicBody, Country: "BE"})
		}},
		{"public-summary", SeverityError, "public_summary", func(p *Processing, o *Organisation) { p.PublicSummary = "" }},
		{"lipad-contact", SeverityError, "organisation.lipad_contact", func(p *Processing, o *Organisation) { o.LIPADContact = "" }},
		// Sensitive data alone no longer ask for an assessment: the criteria do.
		{"dpia-required", SeverityError, "dpia.status", func(p *Processing, o *Organisation) {
			p.DPIA = DPIA{Required: true, Criteria: []DPIACriterion{CritPublicMonitoring}, Status: DPIAInProgress}
		}},
		{"dpia-required-mismatch", SeverityWarning, "dpia.required", func(p *Processing, o *Organisation) { p.DPIA.Required = true }},
		{"dpia-consultation", SeverityError, "dpia.consultation", func(p *Processing, o *Organisation) {
			p.DPIA = DPIA{Required: true, Criteria: []DPIACriterion{CritNewTechnology}, Status: DPIADone, ResidualRisk: ResidualHigh}
		}},
		{"retention-category", SeverityError, "retention.per_category[0].category", func(p *Processing, o *Organisation) {
			p.Retention.PerCategory = []CategoryRetention{{Category: "santé", Period: "P1Y"}}
		}},
		{"retention-category", SeverityError, "retention.per_category[0].period", func(p *Processing, o *Organisation) {
			p.Retention.PerCategory = []CategoryRetention{{Category: "identité"}}
		}},
		{"automated-decision", SeverityWarning, "information.decision_logic", func(p *Processing, o *Organisation) { p.AutomatedDecision = true }},
		{"sources", SeverityWarning, "sources", func(p *Processing, o *Organisation) { p.Sources = nil }},
		{"information-exception", SeverityWarning, "information.exception_reason", func(p *Processing, o *Organisation) {
			p.Information.Exception = InfoDisproportionate
		}},
		{"profiling", SeverityWarning, "profiling", func(p *Processing, o *Organisation) { p.Profiling = true }},
		{"public-task-basis", SeverityWarning, "legal_bases[1].type", func(p *Processing, o *Organisation) {
			p.LegalBases = append(p.LegalBases, LegalBasis{Type: BasisConsent, Reference: "LIPAD art. 35"})
		}},
		{"public-task-basis", SeverityWarning, "legal_bases[0].type", func(p *Processing, o *Organisation) {
			p.LegalBases[0].Type = BasisLegitimateInterest
		}},
		{"common-identifier", SeverityWarning, "common_identifier", func(p *Processing, o *Organisation) { p.CommonIdentifier = "numéro AVS" }},
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
			if f.Articles == nil {
				t.Fatalf("articles is nil, want a list (possibly empty)")
			}
			if blocks := len(Blocking(fs)) == 1; blocks != (tt.severity == SeverityError) {
				t.Fatalf("blocks %v, want %v", blocks, tt.severity == SeverityError)
			}
		})
	}
	// Domestic, adequate, certified and safeguarded transfers raise nothing.
	p, o := completeProcessing()
	p.Transfers = []Transfer{{Country: "CH", Safeguard: SafeguardAdequacy}, {Country: "GB", Safeguard: SafeguardAdequacy},
		{Country: "US", Safeguard: SafeguardSCC}, {Country: "CA", Safeguard: SafeguardAdequacy, RecipientCertified: true},
		{Country: "MA", Safeguard: SafeguardTreaty, Details: "Convention 108+"},
		{Country: "IN", Safeguard: SafeguardSpecificGuarantees, Details: "garanties communiquées au préposé le 2026-05-01"}}
	p.Processors = append(p.Processors, Processor{Name: "Éditeur", Country: "IN", Contract: true})
	if fs := Check(p, o, now); len(fs) != 0 {
		t.Fatalf("adequate transfers: got %+v", fs)
	}
	// A formal law lets sensitive data and profiling through (with their warnings only).
	p, o = completeProcessing()
	p.DataCategories = []DataCategory{{Name: "santé", Sensitive: true}}
	p.DPIA.Status = DPIADone
	if fs := Blocking(Check(p, o, now)); len(fs) != 0 {
		t.Fatalf("sensitive data on a formal law: got %+v", fs)
	}
}

// TestArticlesFollowTheRegime checks that one finding names the articles of
// the organisation's regime, and the GDPR's when it applies, while its laws
// codes stay the same.
func TestArticlesFollowTheRegime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		regime Regime
		gdpr   bool
		want   []string
	}{
		{"Lipad", RegimeLIPAD, false, []string{"RIPAD art. 13A", "LIPAD art. 37"}},
		{"LipadWithGDPR", RegimeLIPAD, true, []string{"RIPAD art. 13A", "LIPAD art. 37", "GDPR art. 28"}},
		{"LipadRevised", RegimeLIPADRevised, false, []string{"nLIPAD (article not verified)"}},
		{"FederalBody", RegimeFADPFederal, false, []string{"FADP art. 9"}},
		{"NoRegimeRecordedIsLipad", "", false, []string{"RIPAD art. 13A", "LIPAD art. 37"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, o := completeProcessing()
			o.Regime, o.GDPRApplies = tt.regime, tt.gdpr
			p.Processors[0].Contract = false
			fs := Check(p, o, now)
			if len(fs) != 1 || fs[0].Rule != "processor-contract" {
				t.Fatalf("got %+v, want one processor-contract finding", fs)
			}
			if !slices.Equal(fs[0].Articles, tt.want) {
				t.Fatalf("got articles %q, want %q", fs[0].Articles, tt.want)
			}
			if !slices.Equal(fs[0].Laws, []string{LawFADP9, LawGDPR28}) {
				t.Fatalf("got laws %q, want the codes of the contract", fs[0].Laws)
			}
		})
	}
	// The LIPAD contact is a LIPAD duty: a federal body is not asked for it.
	p, o := completeProcessing()
	o.Regime, o.LIPADContact = RegimeFADPFederal, ""
	if fs := Check(p, o, now); len(fs) != 0 {
		t.Fatalf("federal body without a LIPAD contact: got %+v", fs)
	}
}

func TestAdequateFor(t *testing.T) {
	t.Parallel()
	tests := []struct {
		country         string
		gdpr, certified bool
		want            bool
	}{
		{"FR", false, false, true}, {"CH", true, false, true}, {"GB", true, false, true},
		{"IN", false, false, false}, {"IN", true, true, false},
		{"US", false, false, false}, {"US", false, true, true}, {"US", true, true, true},
		{"CA", false, true, true},
		{"JP", false, true, false}, {"JP", true, true, false}, // on the EU list only
		{"AR", true, false, true}, {"NO", true, false, true}, {"MC", true, false, false}, // Monaco: Swiss list only
	}
	for _, tt := range tests {
		if got := AdequateFor(tt.country, tt.gdpr, tt.certified); got != tt.want {
			t.Errorf("AdequateFor(%s, gdpr=%v, certified=%v) = %v, want %v", tt.country, tt.gdpr, tt.certified, got, tt.want)
		}
	}
}

// TestOverrideLapsesWhenTheFieldChanges: an override silences its finding
// only while the field keeps the value the DPO judged.
func TestOverrideLapsesWhenTheFieldChanges(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	p, o := completeProcessing()
	p.Recipients = []Recipient{}
	p.Overrides = []Override{{Rule: "recipients", Field: "recipients", Justification: "no recipients: the data never leave the unit",
		By: "dpo", At: now, ValueHash: valueHash(p, o, "recipients")}}
	fs := Check(p, o, now)
	if len(fs) != 1 || fs[0].Override == nil || fs[0].Override.Justification == "" || len(Blocking(fs)) != 0 {
		t.Fatalf("got %+v, want one overruled finding that does not block", fs)
	}
	if s := Summarise(1, fs); s.Complete != 1 {
		t.Fatalf("summary counts an overruled record as incomplete: %+v", s)
	}
	// Another field changing leaves the override in place.
	p.Purpose = "Tenir le registre des naissances."
	if len(Blocking(Check(p, o, now))) != 0 {
		t.Fatal("an unrelated change lifted the override")
	}
	// The field it concerns changes: the override lapses.
	p.Recipients = []Recipient{{Name: "Archives", Type: RecipientInternal, Country: "FR"}}
	p.Transfers = nil
	fs = Check(p, o, now)
	if len(liveOverrides(p, o)) != 0 {
		t.Fatalf("override still live after its field changed")
	}
	if len(Blocking(fs)) == 0 {
		t.Fatalf("got %+v, want the new inconsistency to block", fs)
	}
	// Overrides on a list item follow the item's path.
	p, o = completeProcessing()
	p.Processors[0].Contract = false
	p.Overrides = []Override{{Rule: "processor-contract", Field: "processors[0].contract", Justification: "the processor is a public body bound by law",
		ValueHash: valueHash(p, o, "processors[0].contract")}}
	if len(Blocking(Check(p, o, now))) != 0 {
		t.Fatal("override on processors[0].contract did not apply")
	}
	p.Processors[0].Name = "Autre hébergeur"
	if len(Blocking(Check(p, o, now))) != 0 {
		t.Fatal("a change to another field of the item lifted the override")
	}
}

func TestEveryRuleNamesLaws(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range Rules() {
		if len(r.Laws) == 0 || r.Message == "" || r.Field == "" {
			t.Errorf("rule %s is incomplete", r.ID)
		}
		for _, l := range r.Laws {
			if !slices.Contains(LawCodes(), l) {
				t.Errorf("rule %s names %s, not a known law code", r.ID, l)
			}
		}
		policy := slices.Equal(r.Laws, []string{LawPolicy})
		if policy && len(r.Cites.All()) != 0 {
			t.Errorf("rule %s is policy but cites articles", r.ID)
		}
		// Every blocking legal rule cites an article in each regime it
		// applies to, unless it names "policy": where no article of a regime
		// could be verified, the register asks it as good practice.
		if r.Severity == SeverityError && !slices.Contains(r.Laws, LawPolicy) {
			for _, reg := range Regimes() {
				o := &Organisation{Regime: reg}
				if r.appliesTo(o) && len(r.Cites.of(o)) == 0 {
					t.Errorf("blocking rule %s cites no article for regime %s", r.ID, reg)
				}
			}
		}
		if seen[r.ID] {
			t.Errorf("rule %s twice", r.ID)
		}
		seen[r.ID] = true
	}
	if r := Rules(); !slices.ContainsFunc(r, func(r Rule) bool { return r.ID == "public-summary" && slices.Equal(r.Laws, []string{LawPolicy}) }) {
		t.Error("public-summary must be tagged policy, not a legal duty")
	}
}

// TestEveryCitedArticleHasARow: the legal table (articles.csv) has a row
// for every article any rule cites, with a source and a verified value.
func TestEveryCitedArticleHasARow(t *testing.T) {
	t.Parallel()
	arts, err := articles.All()
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]articles.Article{}
	for _, a := range arts {
		if _, dup := rows[a.ID]; dup {
			t.Errorf("article %q twice", a.ID)
		}
		rows[a.ID] = a
		if !slices.Contains([]string{"yes", "partial", "no"}, a.Verified) {
			t.Errorf("article %q: verified %q, want yes, partial or no", a.ID, a.Verified)
		}
		if a.Note == "" || a.Law == "" || a.Title == "" {
			t.Errorf("article %q: incomplete row", a.ID)
		}
		if a.Verified == "yes" && !strings.HasPrefix(a.URL, "https://") {
			t.Errorf("article %q is verified but has no source URL", a.ID)
		}
	}
	for _, r := range Rules() {
		for _, id := range r.Cites.All() {
			if _, ok := rows[id]; !ok {
				t.Errorf("rule %s cites %q, which has no row in articles.csv", r.ID, id)
			}
		}
	}
}

func TestSummarise(t *testing.T) {
	t.Parallel()
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

// TestComplianceDocCoversTheTable: docs/compliance.md names every rule and
// every article that is not fully verified.
func TestComplianceDocCoversTheTable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docs/compliance.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, r := range Rules() {
		if !strings.Contains(doc, "`"+r.ID+"`") {
			t.Errorf("docs/compliance.md does not describe rule %s", r.ID)
		}
	}
	arts, err := articles.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if a.Verified != "yes" && !strings.Contains(doc, "| "+a.ID+" | "+a.Verified+" |") {
			t.Errorf("docs/compliance.md does not list %s as %s", a.ID, a.Verified)
		}
	}
}
