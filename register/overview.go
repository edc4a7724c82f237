package register

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/registre/registre/auth/identity"
)

// The DPO's overview of an organisation: its records by status, what blocks
// them by law and by unit, and the risks. Every number is read from the
// standing kept with each record (standing.go), by one grouped query: the
// overview never runs the rules. Each number is also a filter of the
// register list (ProcessingFilter), so that it leads to the records behind
// it. The compliance endpoint (Compliance), which does run the rules,
// agrees with it while the standings are fresh (a test checks both).

// ruleDPIARequired is the rule whose finding makes an impact assessment due.
const ruleDPIARequired = "dpia-required"

// Risk names one of the overview's risks, a filter of the register list.
type Risk string

// The risks the overview counts besides sensitive data and overdue
// reviews, which the list already filters on.
const (
	RiskDPIA      Risk = "dpia"      // an impact assessment is required and not finished
	RiskTransfers Risk = "transfers" // data go to a country outside Switzerland
	RiskProfiling Risk = "profiling"
)

// Valid reports whether r is one of the risks.
func (r Risk) Valid() bool { return r == RiskDPIA || r == RiskTransfers || r == RiskProfiling }

// Risks lists the risks in the overview's order.
func Risks() []Risk { return []Risk{RiskDPIA, RiskTransfers, RiskProfiling} }

// blockingLaws returns the law codes of the blocking findings of fs, sorted
// and each once.
func blockingLaws(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if !f.Blocks() {
			continue
		}
		for _, l := range f.Laws {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	sort.Strings(out)
	return out
}

// TransfersAbroad reports whether the record transfers data to a country
// outside Switzerland.
func (f *Fields) TransfersAbroad() bool {
	for _, t := range f.Transfers {
		if Abroad(t.Country) {
			return true
		}
	}
	return false
}

// LawSet writes law codes as the store keeps them: ",gdpr-30,notice,", so
// that one code is found with LIKE '%,code,%' on both databases.
func LawSet(laws []string) string {
	if len(laws) == 0 {
		return ""
	}
	return "," + strings.Join(laws, ",") + ","
}

// ParseLawSet reads what LawSet wrote.
func ParseLawSet(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// OverviewCount is one group of records with the same standing: how many.
type OverviewCount struct {
	Status    Status
	Unit      string
	Blocking  bool // has blocking findings
	Laws      []string
	Sensitive bool
	DPIADue   bool
	Abroad    bool
	Profiling bool
	Overdue   bool // review date passed (as of the day asked)
	N         int
}

// Overview is the DPO's overview of one organisation.
type Overview struct {
	Organisation string
	// ByStatus counts every record, archived ones included.
	ByStatus map[Status]int
	Total    int
	// The rest count the current records (not archived), as the
	// compliance endpoint does.
	Current int
	// Blocked counts the current records with a blocking finding.
	Blocked int
	// ByLaw counts the current records with a blocking finding under each
	// law code; ByUnit the current records with a blocking finding, by unit.
	ByLaw  map[string]int
	ByUnit map[string]int
	// Risks of the current records.
	Sensitive, DPIADue, Abroad, Profiling, Overdue int
}

// Overview reads the overview of an organisation from the standings. DPOs
// and auditors get their own organisation's; an administrator names one
// (org is required of them: one organisation's overview is what the page
// shows and every number filters on).
func (s *Service) Overview(ctx context.Context, p *identity.Principal, org string) (*Overview, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleAuditor); err != nil {
		return nil, err
	}
	if p.Role != identity.RoleAdmin {
		org = p.Org
	}
	if org == "" {
		return nil, invalid(FieldError{Field: "org", Message: "name the organisation"})
	}
	if err := checkTerms("org", org); err != nil {
		return nil, err
	}
	if _, err := s.store.GetOrganisation(ctx, org); err != nil {
		return nil, err
	}
	groups, err := s.store.Overview(ctx, org, s.today())
	if err != nil {
		return nil, err
	}
	return tallyOverview(org, groups), nil
}

func tallyOverview(org string, groups []OverviewCount) *Overview {
	o := &Overview{Organisation: org, ByStatus: map[Status]int{}, ByLaw: map[string]int{}, ByUnit: map[string]int{}}
	for _, st := range []Status{StatusDraft, StatusInReview, StatusPublished, StatusArchived} {
		o.ByStatus[st] = 0
	}
	for _, g := range groups {
		o.ByStatus[g.Status] += g.N
		o.Total += g.N
		if g.Status == StatusArchived {
			continue
		}
		o.Current += g.N
		if g.Blocking {
			o.Blocked += g.N
			o.ByUnit[g.Unit] += g.N
		}
		for _, l := range g.Laws {
			o.ByLaw[l] += g.N
		}
		count := func(b bool, n *int) {
			if b {
				*n += g.N
			}
		}
		count(g.Sensitive, &o.Sensitive)
		count(g.DPIADue, &o.DPIADue)
		count(g.Abroad, &o.Abroad)
		count(g.Profiling, &o.Profiling)
		count(g.Overdue, &o.Overdue)
	}
	return o
}
