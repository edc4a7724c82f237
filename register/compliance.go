package register

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Severity of a compliance finding.
type Severity string

// Severities.
const (
	SeverityError   Severity = "error"   // a legally required item is missing: blocks publication
	SeverityWarning Severity = "warning" // a risk to look at
)

// RulesVersion names the rule table below. Each publication records the
// version that passed it; change it whenever a rule is added, removed, or
// made stricter or looser. Publications made before versions were recorded
// carry "2026-11-22", the table of the first release.
const RulesVersion = "2026-11-30.2"

// Laws a rule can name (the "laws" codes of API.md, for grouping). The first
// four are the register and notice duties; the others are where a rule's
// requirement comes from. LawPolicy marks good practice that no law requires.
const (
	LawGDPR30  = "gdpr-30"  // GDPR Art. 30, records of processing activities
	LawFADP12  = "fadp-12"  // Swiss FADP Art. 12, records of processing activities
	LawLIPAD43 = "lipad-43" // Geneva LIPAD art. 43, catalogue of files
	LawNotice  = "notice"   // GDPR Art. 13/14 and FADP Art. 19, information of the person
	LawGDPR6   = "gdpr-6"   // lawfulness; legitimate interest not for public tasks
	LawGDPR9   = "gdpr-9"   // special categories of data
	LawGDPR22  = "gdpr-22"  // automated decisions, profiling
	LawFADP21  = "fadp-21"  // automated individual decisions
	LawGDPR35  = "gdpr-35"  // impact assessment
	LawFADP22  = "fadp-22"  // impact assessment
	LawGDPR36  = "gdpr-36"  // prior consultation of the supervisory authority
	LawFADP23  = "fadp-23"  // prior consultation of the FDPIC
	LawFADP20  = "fadp-20"  // exceptions to the duty to inform
	LawGDPR44  = "gdpr-44"  // transfers abroad
	LawFADP16  = "fadp-16"  // disclosure abroad
	LawGDPR5   = "gdpr-5"   // accountability: records kept up to date
	LawGDPR28  = "gdpr-28"  // processors
	LawFADP9   = "fadp-9"   // processors
	LawFADP34  = "fadp-34"  // legal bases of federal bodies
	LawLIPAD35 = "lipad-35" // lawfulness under the LIPAD
	LawLIPAD39 = "lipad-39" // communication of data under the LIPAD
	LawPolicy  = "policy"   // good practice of this register, not a legal duty
)

// LawCodes lists every code a rule may name.
func LawCodes() []string {
	return []string{LawGDPR30, LawFADP12, LawLIPAD43, LawNotice, LawGDPR5, LawGDPR6, LawGDPR9, LawGDPR22,
		LawFADP21, LawGDPR35, LawFADP22, LawGDPR36, LawFADP23, LawFADP20, LawGDPR44, LawFADP16, LawGDPR28, LawFADP9, LawFADP34,
		LawLIPAD35, LawLIPAD39, LawPolicy}
}

// Finding is one result of a compliance rule on one processing.
type Finding struct {
	ProcessingID string   `json:"processing_id"`
	Rule         string   `json:"rule"`
	Severity     Severity `json:"severity"`
	Field        string   `json:"field"`
	Laws         []string `json:"laws"`
	// Articles name the precise articles of the organisation's regime (and
	// of the GDPR when it applies); each is a row of articles.csv.
	Articles []string `json:"articles"`
	Message  string   `json:"message"`
	// Override is set when a DPO overruled this blocking finding: it no
	// longer blocks publication, and auditors see why.
	Override *Override `json:"override,omitempty"`
}

// Blocks reports whether f blocks publication.
func (f *Finding) Blocks() bool { return f.Severity == SeverityError && f.Override == nil }

// Cites are the articles a rule rests on, per regime.
type Cites struct {
	LIPAD, LIPADRevised, FADP, GDPR []string
}

func (c Cites) of(org *Organisation) []string {
	var out []string
	switch org.EffectiveRegime() {
	case RegimeLIPAD:
		out = append(out, c.LIPAD...)
	case RegimeLIPADRevised:
		out = append(out, c.LIPADRevised...)
	case RegimeFADPFederal:
		out = append(out, c.FADP...)
	}
	if org != nil && org.GDPRApplies {
		out = append(out, c.GDPR...)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// All lists every article the rule cites, whatever the regime.
func (c Cites) All() []string {
	var out []string
	for _, l := range [][]string{c.LIPAD, c.LIPADRevised, c.FADP, c.GDPR} {
		out = append(out, l...)
	}
	return out
}

// Rule is one row of the rule table.
type Rule struct {
	ID       string
	Severity Severity
	Field    string
	Laws     []string
	Cites    Cites
	Message  string
	// Regimes, when set, are the only regimes the rule applies to.
	Regimes []Regime
	// check returns the fields (JSON paths) where the rule fails; an empty
	// path means the rule's Field.
	check func(c *checkCtx) []string
}

func (r *Rule) appliesTo(org *Organisation) bool {
	return r.Regimes == nil || oneOf(org.EffectiveRegime(), r.Regimes)
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

// each returns the paths path(i) of the items of a list that fail.
func each[T any](list []T, path string, bad func(T) bool) []string {
	var out []string
	for i, x := range list {
		if bad(x) {
			out = append(out, fmt.Sprintf(path, i))
		}
	}
	return out
}

// allRegister are the register and notice duties together.
func allRegister() []string { return []string{LawGDPR30, LawFADP12, LawLIPAD43, LawNotice} }

const (
	nLIPAD      = "nLIPAD (article not verified)"
	opdo1       = "OPDo annexe 1"
	lipadInform = "LIPAD (information of the person, article not verified)"
)

// dpiaCites are the articles on impact assessments. The current LIPAD has
// none that this table could verify: the register asks for the assessment
// of its bodies as good practice (docs/compliance.md).
func dpiaCites() Cites {
	return Cites{LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 22"}, GDPR: []string{"GDPR art. 35"}}
}

// register cites the register duty of each regime.
func registerCites(lipad ...string) Cites {
	return Cites{LIPAD: append([]string{"LIPAD art. 43"}, lipad...), LIPADRevised: []string{nLIPAD},
		FADP: []string{"FADP art. 12"}, GDPR: []string{"GDPR art. 30"}}
}

func transferCites(gdpr ...string) Cites {
	return Cites{LIPAD: []string{"LIPAD art. 39", opdo1}, LIPADRevised: []string{nLIPAD, opdo1},
		FADP: []string{"FADP art. 12", "FADP art. 16", opdo1}, GDPR: append([]string{"GDPR art. 30", "GDPR art. 44"}, gdpr...)}
}

// Rules is the compliance rule table. Errors block publication: a legally
// required item is missing, or the record would publish something false.
// Warnings point at risk.
func Rules() []Rule {
	return []Rule{
		{ID: "controller", Severity: SeverityError, Field: "controller.name", Laws: allRegister(), Cites: registerCites(),
			Message: "name the controller responsible for the processing",
			check:   func(c *checkCtx) []string { return when(c.p.Controller.Name == "") }},
		{ID: "controller-contact", Severity: SeverityError, Field: "controller.contact", Laws: []string{LawGDPR30, LawFADP12, LawNotice}, Cites: registerCites(),
			Message: "give the controller's contact details",
			check:   func(c *checkCtx) []string { return when(c.p.Controller.Contact == "") }},
		{ID: "purpose", Severity: SeverityError, Field: "purpose", Laws: allRegister(), Cites: registerCites(),
			Message: "state the purpose of the processing",
			check:   func(c *checkCtx) []string { return when(c.p.Purpose == "") }},
		{ID: "data-subjects", Severity: SeverityError, Field: "data_subjects", Laws: []string{LawGDPR30, LawFADP12, LawLIPAD43}, Cites: registerCites(),
			Message: "list the categories of people whose data are processed",
			check:   func(c *checkCtx) []string { return when(len(c.p.DataSubjects) == 0) }},
		{ID: "data-categories", Severity: SeverityError, Field: "data_categories", Laws: allRegister(), Cites: registerCites(),
			Message: "list the categories of personal data",
			check:   func(c *checkCtx) []string { return when(len(c.p.DataCategories) == 0) }},
		{ID: "legal-basis", Severity: SeverityError, Field: "legal_bases", Laws: []string{LawLIPAD43, LawNotice},
			Cites: Cites{LIPAD: []string{"LIPAD art. 43", "LIPAD art. 35"}, LIPADRevised: []string{nLIPAD, "nLIPAD art. 35"},
				FADP: []string{"FADP art. 34"}, GDPR: []string{"GDPR art. 6"}},
			Message: "give at least one legal basis",
			check:   func(c *checkCtx) []string { return when(len(c.p.LegalBases) == 0) }},
		{ID: "legal-basis-reference", Severity: SeverityError, Field: "legal_bases[].reference", Laws: []string{LawLIPAD43, LawNotice, LawLIPAD35, LawFADP34, LawGDPR6},
			Cites: Cites{LIPAD: []string{"LIPAD art. 43", "LIPAD art. 35"}, LIPADRevised: []string{nLIPAD, "nLIPAD art. 35"},
				FADP: []string{"FADP art. 34"}, GDPR: []string{"GDPR art. 6"}},
			Message: "a public body processes personal data only on a legal basis: every basis cites the norm it rests on (law and article)",
			check: func(c *checkCtx) []string {
				return each(c.p.LegalBases, "legal_bases[%d].reference", func(b LegalBasis) bool { return strings.TrimSpace(b.Reference) == "" })
			}},
		{ID: "formal-law-basis", Severity: SeverityError, Field: "legal_bases", Laws: []string{LawLIPAD35, LawFADP34, LawGDPR9},
			Cites:   Cites{LIPAD: []string{"LIPAD art. 35"}, LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 34"}, GDPR: []string{"GDPR art. 9"}},
			Message: "sensitive data and profiling need a basis in a law in the formal sense: mark the basis that is a formal law (legal_bases[].level), or, when a regulation suffices by exception, overrule this finding with the reason",
			check: func(c *checkCtx) []string {
				if !c.p.Sensitive() && !c.p.Profiling {
					return nil
				}
				for _, b := range c.p.LegalBases {
					if b.Level == NormFormalLaw && strings.TrimSpace(b.Reference) != "" {
						return nil
					}
				}
				return []string{""}
			}},
		{ID: "retention", Severity: SeverityError, Field: "retention.period", Laws: allRegister(), Cites: registerCites(),
			Message: "say how long the data are kept: a period, or the criteria that fix it (retention.criteria)",
			check:   func(c *checkCtx) []string { return when(!c.p.Retention.Given()) }},
		{ID: "retention-category", Severity: SeverityError, Field: "retention.per_category[]", Laws: allRegister(), Cites: registerCites(),
			Message: "a retention per data category names one of the record's data categories and gives its period or criteria",
			check: func(c *checkCtx) []string {
				names := map[string]bool{}
				for _, dc := range c.p.DataCategories {
					names[dc.Name] = true
				}
				out := each(c.p.Retention.PerCategory, "retention.per_category[%d].category", func(r CategoryRetention) bool { return !names[r.Category] })
				return append(out, each(c.p.Retention.PerCategory, "retention.per_category[%d].period", func(r CategoryRetention) bool {
					return r.Period == "" && strings.TrimSpace(r.Criteria) == ""
				})...)
			}},
		{ID: "security-measures", Severity: SeverityError, Field: "security_measures", Laws: []string{LawGDPR30, LawFADP12},
			Cites:   Cites{LIPAD: []string{"LIPAD art. 37"}, LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 12"}, GDPR: []string{"GDPR art. 30"}},
			Message: "describe the security measures",
			check:   func(c *checkCtx) []string { return when(len(c.p.SecurityMeasures) == 0) }},
		{ID: "recipients", Severity: SeverityError, Field: "recipients", Laws: allRegister(), Cites: registerCites("LIPAD art. 39"),
			Message: "list the recipients of the data (internal ones included)",
			check:   func(c *checkCtx) []string { return when(len(c.p.Recipients) == 0) }},
		{ID: "processor-contract", Severity: SeverityError, Field: "processors[].contract", Laws: []string{LawFADP9, LawGDPR28},
			Cites: Cites{LIPAD: []string{"RIPAD art. 13A", "LIPAD art. 37"}, LIPADRevised: []string{nLIPAD},
				FADP: []string{"FADP art. 9"}, GDPR: []string{"GDPR art. 28"}},
			Message: "a processor works for the controller under a contract (or a law): sign it before publishing",
			check: func(c *checkCtx) []string {
				return each(c.p.Processors, "processors[%d].contract", func(pr Processor) bool { return !pr.Contract })
			}},
		{ID: "transfer-safeguard", Severity: SeverityError, Field: "transfers[].safeguard", Laws: []string{LawGDPR30, LawFADP12, LawNotice, LawGDPR44, LawFADP16, LawLIPAD39},
			Cites:   transferCites(),
			Message: "a transfer abroad must name its safeguard",
			check: func(c *checkCtx) []string {
				return each(c.p.Transfers, "transfers[%d].safeguard", func(t Transfer) bool { return t.Safeguard == "" })
			}},
		{ID: "transfer-no-safeguard", Severity: SeverityError, Field: "transfers[].safeguard", Laws: []string{LawGDPR44, LawFADP16, LawLIPAD39, LawNotice},
			Cites:   transferCites("GDPR art. 46"),
			Message: "a transfer abroad with no safeguard is not allowed: name the adequacy decision, the safeguard or the exception it rests on",
			check: func(c *checkCtx) []string {
				return each(c.p.Transfers, "transfers[%d].safeguard", func(t Transfer) bool { return t.Safeguard == SafeguardNone && Abroad(t.Country) })
			}},
		{ID: "transfer-not-adequate", Severity: SeverityError, Field: "transfers[].country", Laws: []string{LawGDPR44, LawFADP16, LawLIPAD39, LawNotice},
			Cites:   transferCites("GDPR art. 45"),
			Message: "the record claims adequacy for a country that has none under the applicable list (or only a partial one, and the recipient is not said to be covered): name the real safeguard",
			check: func(c *checkCtx) []string {
				return each(c.p.Transfers, "transfers[%d].country", func(t Transfer) bool {
					return t.Safeguard == SafeguardAdequacy && !AdequateFor(t.Country, c.org != nil && c.org.GDPRApplies, t.RecipientCertified)
				})
			}},
		{ID: "transfer-details", Severity: SeverityError, Field: "transfers[].details", Laws: []string{LawGDPR30, LawFADP12, LawNotice, LawFADP16},
			Cites: Cites{LIPAD: []string{"LIPAD art. 39"}, LIPADRevised: []string{nLIPAD},
				FADP: []string{"FADP art. 16", "FADP art. 17", "FADP art. 19"}, GDPR: []string{"GDPR art. 30", "GDPR art. 46", "GDPR art. 49"}},
			Message: "say which treaty, guarantees, consent or exception the transfer rests on (details)",
			check: func(c *checkCtx) []string {
				return each(c.p.Transfers, "transfers[%d].details", func(t Transfer) bool {
					return t.Safeguard.NeedsDetails() && strings.TrimSpace(t.Details) == ""
				})
			}},
		{ID: "abroad-without-transfer", Severity: SeverityError, Field: "processors[].country", Laws: []string{LawGDPR30, LawFADP12, LawNotice, LawGDPR44, LawFADP16, LawLIPAD39},
			Cites: Cites{LIPAD: []string{"LIPAD art. 39", "RIPAD art. 13A"}, LIPADRevised: []string{nLIPAD},
				FADP: []string{"FADP art. 12", "FADP art. 16", "FADP art. 19"}, GDPR: []string{"GDPR art. 13", "GDPR art. 30", "GDPR art. 44"}},
			Message: "a processor or recipient abroad receives the data: record the transfer to its country and its safeguard",
			check: func(c *checkCtx) []string {
				listed := map[string]bool{}
				for _, t := range c.p.Transfers {
					listed[t.Country] = true
				}
				out := each(c.p.Processors, "processors[%d].country", func(pr Processor) bool { return Abroad(pr.Country) && !listed[pr.Country] })
				return append(out, each(c.p.Recipients, "recipients[%d].country", func(r Recipient) bool { return Abroad(r.Country) && !listed[r.Country] })...)
			}},
		{ID: "public-summary", Severity: SeverityError, Field: "public_summary", Laws: []string{LawPolicy},
			Message: "write a plain-language summary for the public (a rule of this register: good practice, not a legal duty)",
			check:   func(c *checkCtx) []string { return when(c.p.PublicSummary == "") }},
		{ID: "lipad-contact", Severity: SeverityError, Field: "organisation.lipad_contact", Laws: []string{LawLIPAD43, LawNotice},
			Regimes: []Regime{RegimeLIPAD, RegimeLIPADRevised},
			Cites:   Cites{LIPAD: []string{"LIPAD art. 50", "LIPAD art. 43", "LIPAD art. 44"}, LIPADRevised: []string{nLIPAD}},
			Message: "the organisation must name who answers access requests under the LIPAD",
			check:   func(c *checkCtx) []string { return when(c.org == nil || c.org.LIPADContact == "") }},
		{ID: "dpia-required", Severity: SeverityError, Field: "dpia.status", Laws: []string{LawGDPR35, LawFADP22, LawPolicy},
			Cites:   dpiaCites(),
			Message: "a criterion of the checklist makes an impact assessment required (dpia.criteria): finish it before publishing",
			check:   func(c *checkCtx) []string { return when(c.p.DPIA.Needed() && c.p.DPIA.Status != DPIADone) }},

		{ID: "dpia-consultation", Severity: SeverityError, Field: "dpia.consultation", Laws: []string{LawFADP23, LawGDPR36, LawPolicy},
			Cites:   Cites{LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 23"}, GDPR: []string{"GDPR art. 36"}},
			Message: "the impact assessment leaves a high residual risk: consult the authority (FDPIC, or the cantonal commissioner for a Geneva body) before the processing and record when",
			check: func(c *checkCtx) []string {
				d := c.p.DPIA
				return when(d.ResidualRisk == ResidualHigh && (d.Consultation == nil || d.Consultation.ConsultedOn == ""))
			}},
		{ID: "dpia-required-mismatch", Severity: SeverityWarning, Field: "dpia.required", Laws: []string{LawGDPR35, LawFADP22},
			Cites:   dpiaCites(),
			Message: "dpia.required disagrees with the criteria (dpia.criteria): the criteria decide; tick the criterion that makes the assessment required, or correct dpia.required",
			check:   func(c *checkCtx) []string { return when(c.p.DPIA.Required != c.p.DPIA.Needed()) }},
		{ID: "automated-decision", Severity: SeverityWarning, Field: "information.decision_logic", Laws: []string{LawGDPR22, LawFADP21, LawNotice},
			Cites:   Cites{LIPADRevised: []string{"nLIPAD art. 38B"}, FADP: []string{"FADP art. 21"}, GDPR: []string{"GDPR art. 13", "GDPR art. 22"}},
			Message: "automated individual decisions are announced with their logic in plain words (information.decision_logic) and the right to be heard by a person",
			check: func(c *checkCtx) []string {
				return when(c.p.AutomatedDecision && strings.TrimSpace(c.p.Information.DecisionLogic) == "")
			}},
		{ID: "sources", Severity: SeverityWarning, Field: "sources", Laws: []string{LawNotice},
			Cites:   Cites{LIPAD: []string{lipadInform}, LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 19"}, GDPR: []string{"GDPR art. 14"}},
			Message: "say where the data come from: the person, or the other sources when they are not collected from the person",
			check:   func(c *checkCtx) []string { return when(len(c.p.Sources) == 0) }},
		{ID: "information-exception", Severity: SeverityWarning, Field: "information.exception_reason", Laws: []string{LawFADP20, LawNotice},
			Cites:   Cites{LIPAD: []string{lipadInform}, LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 20"}, GDPR: []string{"GDPR art. 14"}},
			Message: "the record invokes an exception to the duty to inform: say why, in words the public reads",
			check: func(c *checkCtx) []string {
				return when(c.p.Information.Exception != "" && strings.TrimSpace(c.p.Information.ExceptionReason) == "")
			}},
		{ID: "profiling", Severity: SeverityWarning, Field: "profiling", Laws: []string{LawGDPR22, LawNotice, LawFADP34, LawLIPAD35},
			Cites:   Cites{LIPAD: []string{"LIPAD art. 35"}, LIPADRevised: []string{nLIPAD}, FADP: []string{"FADP art. 34"}, GDPR: []string{"GDPR art. 22"}},
			Message: "profiling needs a clear legal basis and usually an impact assessment",
			check:   func(c *checkCtx) []string { return when(c.p.Profiling) }},
		{ID: "public-task-basis", Severity: SeverityWarning, Field: "legal_bases[].type", Laws: []string{LawGDPR6, LawFADP34, LawLIPAD35},
			Cites:   Cites{LIPAD: []string{"LIPAD art. 35"}, LIPADRevised: []string{"nLIPAD art. 35"}, FADP: []string{"FADP art. 34"}, GDPR: []string{"GDPR art. 6"}},
			Message: "consent or legitimate interest is rarely a valid basis for a public body's task; cite the law",
			check: func(c *checkCtx) []string {
				return each(c.p.LegalBases, "legal_bases[%d].type", func(b LegalBasis) bool {
					return b.Type == BasisConsent || b.Type == BasisLegitimateInterest
				})
			}},
		{ID: "common-identifier", Severity: SeverityWarning, Field: "common_identifier", Laws: []string{LawLIPAD35},
			Cites:   Cites{LIPAD: []string{"LIPAD art. 35 al. 4"}, LIPADRevised: []string{nLIPAD}, FADP: []string{"LAVS art. 153c"}},
			Message: "a common personal identifier (such as the AVS number) is used: the DPO checks that a law institutes its use for this task",
			check:   func(c *checkCtx) []string { return when(strings.TrimSpace(c.p.CommonIdentifier) != "") }},
		{ID: "review-overdue", Severity: SeverityWarning, Field: "review_due", Laws: []string{LawGDPR5},
			Cites:   Cites{GDPR: []string{"GDPR art. 5"}},
			Message: "the planned review date has passed",
			check: func(c *checkCtx) []string {
				return when(c.p.ReviewDue != "" && c.p.ReviewDue < c.now.Format(time.DateOnly))
			}},
		{ID: "not-reviewed", Severity: SeverityWarning, Field: "reviewed_at", Laws: []string{LawGDPR5},
			Cites:   Cites{GDPR: []string{"GDPR art. 5"}},
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

// Check runs every rule that applies to org's regime on p at time now. A
// blocking finding the DPO overruled carries its override, as long as the
// field it concerns has not changed since.
func Check(p *Processing, org *Organisation, now time.Time) []Finding {
	c := &checkCtx{p: p, org: org, now: now}
	var out []Finding
	for _, r := range Rules() {
		if !r.appliesTo(org) {
			continue
		}
		for _, field := range r.check(c) {
			if field == "" {
				field = r.Field
			}
			f := Finding{ProcessingID: p.ID, Rule: r.ID, Severity: r.Severity,
				Field: field, Laws: r.Laws, Articles: r.Cites.of(org), Message: r.Message}
			if r.Severity == SeverityError {
				f.Override = activeOverride(p, org, r.ID, field)
			}
			out = append(out, f)
		}
	}
	return out
}

// Blocking keeps the findings that block publication: errors no DPO
// overruled.
func Blocking(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Blocks() {
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
