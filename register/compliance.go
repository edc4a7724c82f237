package register

import (
	"fmt"
	"sort"
	"time"
)

// Severity of a compliance finding.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"   // a legally required item is missing: blocks publication
	SeverityWarning Severity = "warning" // a risk to look at
)

// Laws a rule can name. The first four are the register and notice duties of
// API.md; the others are where a warning's risk comes from.
const (
	LawGDPR30  = "gdpr-30"  // GDPR Art. 30, records of processing activities
	LawFADP12  = "fadp-12"  // Swiss FADP Art. 12, records of processing activities
	LawLIPAD43 = "lipad-43" // Geneva LIPAD art. 43, catalogue of files
	LawNotice  = "notice"   // GDPR Art. 13/14 and FADP Art. 19, information of the person
	LawGDPR6   = "gdpr-6"   // lawfulness; legitimate interest not for public tasks
	LawGDPR22  = "gdpr-22"  // automated decisions, profiling
	LawFADP21  = "fadp-21"  // automated individual decisions
	LawGDPR35  = "gdpr-35"  // impact assessment
	LawFADP22  = "fadp-22"  // impact assessment
	LawGDPR44  = "gdpr-44"  // transfers abroad
	LawFADP16  = "fadp-16"  // disclosure abroad
	LawGDPR5   = "gdpr-5"   // accountability: records kept up to date
)

// Finding is one result of a compliance rule on one processing.
type Finding struct {
	ProcessingID string   `json:"processing_id"`
	Rule         string   `json:"rule"`
	Severity     Severity `json:"severity"`
	Field        string   `json:"field"`
	Laws         []string `json:"laws"`
	Message      string   `json:"message"`
}

// Rule is one row of the rule table.
type Rule struct {
	ID       string
	Severity Severity
	Field    string
	Laws     []string
	Message  string
	// check returns the fields (JSON paths) where the rule fails; an empty
	// path means the rule's Field.
	check func(c *checkCtx) []string
}

type checkCtx struct {
	p   *Processing
	org *Organisation
	now time.Time
}

func when(b bool) []string {
	if b {
		return []string{""}
	}
	return nil
}

// allRegister are the register and notice duties together.
func allRegister() []string { return []string{LawGDPR30, LawFADP12, LawLIPAD43, LawNotice} }

// Rules is the compliance rule table. Errors are the items the law requires
// before a processing can be published; warnings point at risk.
func Rules() []Rule {
	return []Rule{
		{ID: "controller", Severity: SeverityError, Field: "controller.name", Laws: allRegister(),
			Message: "name the controller responsible for the processing",
			check:   func(c *checkCtx) []string { return when(c.p.Controller.Name == "") }},
		{ID: "controller-contact", Severity: SeverityError, Field: "controller.contact", Laws: []string{LawGDPR30, LawFADP12, LawNotice},
			Message: "give the controller's contact details",
			check:   func(c *checkCtx) []string { return when(c.p.Controller.Contact == "") }},
		{ID: "purpose", Severity: SeverityError, Field: "purpose", Laws: allRegister(),
			Message: "state the purpose of the processing",
			check:   func(c *checkCtx) []string { return when(c.p.Purpose == "") }},
		{ID: "data-subjects", Severity: SeverityError, Field: "data_subjects", Laws: []string{LawGDPR30, LawFADP12, LawLIPAD43},
			Message: "list the categories of people whose data are processed",
			check:   func(c *checkCtx) []string { return when(len(c.p.DataSubjects) == 0) }},
		{ID: "data-categories", Severity: SeverityError, Field: "data_categories", Laws: allRegister(),
			Message: "list the categories of personal data",
			check:   func(c *checkCtx) []string { return when(len(c.p.DataCategories) == 0) }},
		{ID: "legal-basis", Severity: SeverityError, Field: "legal_bases", Laws: []string{LawLIPAD43, LawNotice},
			Message: "give at least one legal basis",
			check:   func(c *checkCtx) []string { return when(len(c.p.LegalBases) == 0) }},
		{ID: "legal-basis-reference", Severity: SeverityError, Field: "legal_bases[].reference", Laws: []string{LawLIPAD43, LawNotice},
			Message: "a legal basis that is a law or a legal obligation must cite its reference",
			check: func(c *checkCtx) []string {
				var out []string
				for i, b := range c.p.LegalBases {
					if (b.Type == BasisLaw || b.Type == BasisLegalObligation) && b.Reference == "" {
						out = append(out, fmt.Sprintf("legal_bases[%d].reference", i))
					}
				}
				return out
			}},
		{ID: "retention", Severity: SeverityError, Field: "retention.period", Laws: allRegister(),
			Message: "say how long the data are kept",
			check:   func(c *checkCtx) []string { return when(c.p.Retention.Period == "") }},
		{ID: "security-measures", Severity: SeverityError, Field: "security_measures", Laws: []string{LawGDPR30, LawFADP12},
			Message: "describe the security measures",
			check:   func(c *checkCtx) []string { return when(len(c.p.SecurityMeasures) == 0) }},
		{ID: "recipients", Severity: SeverityError, Field: "recipients", Laws: allRegister(),
			Message: "list the recipients of the data (internal ones included)",
			check:   func(c *checkCtx) []string { return when(len(c.p.Recipients) == 0) }},
		{ID: "transfer-safeguard", Severity: SeverityError, Field: "transfers[].safeguard", Laws: []string{LawGDPR30, LawFADP12, LawNotice},
			Message: "a transfer abroad must name its safeguard",
			check: func(c *checkCtx) []string {
				var out []string
				for i, t := range c.p.Transfers {
					if t.Safeguard == "" {
						out = append(out, fmt.Sprintf("transfers[%d].safeguard", i))
					}
				}
				return out
			}},
		{ID: "public-summary", Severity: SeverityError, Field: "public_summary", Laws: []string{LawNotice},
			Message: "write a plain-language summary for the public",
			check:   func(c *checkCtx) []string { return when(c.p.PublicSummary == "") }},
		{ID: "lipad-contact", Severity: SeverityError, Field: "organisation.lipad_contact", Laws: []string{LawLIPAD43, LawNotice},
			Message: "the organisation must name who answers access requests under the LIPAD",
			check:   func(c *checkCtx) []string { return when(c.org == nil || c.org.LIPADContact == "") }},

		{ID: "dpia-sensitive", Severity: SeverityWarning, Field: "dpia.status", Laws: []string{LawGDPR35, LawFADP22},
			Message: "sensitive data are processed without a finished impact assessment",
			check:   func(c *checkCtx) []string { return when(c.p.Sensitive() && c.p.DPIA.Status != DPIADone) }},
		{ID: "transfer-no-safeguard", Severity: SeverityWarning, Field: "transfers[].safeguard", Laws: []string{LawGDPR44, LawFADP16},
			Message: "a transfer abroad has no safeguard",
			check: func(c *checkCtx) []string {
				var out []string
				for i, t := range c.p.Transfers {
					if t.Safeguard == SafeguardNone {
						out = append(out, fmt.Sprintf("transfers[%d].safeguard", i))
					}
				}
				return out
			}},
		{ID: "transfer-not-adequate", Severity: SeverityWarning, Field: "transfers[].country", Laws: []string{LawGDPR44, LawFADP16},
			Message: "the country has no adequacy decision under Swiss law (or only a partial one) and no other safeguard is named",
			check: func(c *checkCtx) []string {
				var out []string
				for i, t := range c.p.Transfers {
					if (t.Safeguard == SafeguardAdequacy || t.Safeguard == SafeguardNone) && Adequacy(t.Country) < AdequacyFull {
						out = append(out, fmt.Sprintf("transfers[%d].country", i))
					}
				}
				return out
			}},
		{ID: "automated-decision", Severity: SeverityWarning, Field: "automated_decision", Laws: []string{LawGDPR22, LawFADP21, LawNotice},
			Message: "automated individual decisions must be announced and a human review offered",
			check:   func(c *checkCtx) []string { return when(c.p.AutomatedDecision) }},
		{ID: "profiling", Severity: SeverityWarning, Field: "profiling", Laws: []string{LawGDPR22, LawNotice},
			Message: "profiling needs a clear legal basis and usually an impact assessment",
			check:   func(c *checkCtx) []string { return when(c.p.Profiling) }},
		{ID: "public-task-basis", Severity: SeverityWarning, Field: "legal_bases[].type", Laws: []string{LawGDPR6},
			Message: "consent or legitimate interest is rarely a valid basis for a public body's task; cite the law",
			check: func(c *checkCtx) []string {
				var out []string
				for i, b := range c.p.LegalBases {
					if b.Type == BasisConsent || b.Type == BasisLegitimateInterest {
						out = append(out, fmt.Sprintf("legal_bases[%d].type", i))
					}
				}
				return out
			}},
		{ID: "review-overdue", Severity: SeverityWarning, Field: "review_due", Laws: []string{LawGDPR5},
			Message: "the planned review date has passed",
			check: func(c *checkCtx) []string {
				return when(c.p.ReviewDue != "" && c.p.ReviewDue < c.now.Format(time.DateOnly))
			}},
		{ID: "not-reviewed", Severity: SeverityWarning, Field: "reviewed_at", Laws: []string{LawGDPR5},
			Message: "the processing has not been reviewed for more than a year",
			check: func(c *checkCtx) []string {
				last := c.p.CreatedAt
				if c.p.ReviewedAt != nil {
					last = *c.p.ReviewedAt
				}
				return when(c.now.Sub(last) > 365*24*time.Hour)
			}},
	}
}

// Check runs every rule on p (org is its organisation) at time now.
func Check(p *Processing, org *Organisation, now time.Time) []Finding {
	c := &checkCtx{p: p, org: org, now: now}
	var out []Finding
	for _, r := range Rules() {
		for _, field := range r.check(c) {
			if field == "" {
				field = r.Field
			}
			out = append(out, Finding{ProcessingID: p.ID, Rule: r.ID, Severity: r.Severity,
				Field: field, Laws: r.Laws, Message: r.Message})
		}
	}
	return out
}

// Blocking keeps the findings that block publication.
func Blocking(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// ComplianceSummary sums up the findings of an organisation.
type ComplianceSummary struct {
	Processings  int            `json:"processings"`
	Complete     int            `json:"complete"`     // processings with no error finding
	Completeness float64        `json:"completeness"` // % of required items present, over all processings
	BySeverity   map[string]int `json:"by_severity"`
	ByLaw        map[string]int `json:"by_law"`
	ByRule       map[string]int `json:"by_rule"`
}

// Summarise builds the summary of findings over n processings (those
// without findings included).
func Summarise(n int, fs []Finding) ComplianceSummary {
	t := newTally()
	by := map[string][]Finding{}
	for _, f := range fs {
		by[f.ProcessingID] = append(by[f.ProcessingID], f)
	}
	for _, g := range by {
		t.add(g)
	}
	t.s.Processings = n
	return t.summary()
}

// SortFindings orders findings by processing, severity (errors first), rule.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.ProcessingID != b.ProcessingID {
			return a.ProcessingID < b.ProcessingID
		}
		if a.Severity != b.Severity {
			return a.Severity == SeverityError
		}
		return a.Rule < b.Rule
	})
}
