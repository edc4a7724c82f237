package register

import (
	"context"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Findings of a large register are listed without ever holding them all:
// the rules run on one processing at a time, in id order, the summary is
// tallied as they go, and only the findings of the page asked for are kept.
// Every request therefore costs one pass over the organisation's
// processings (CPU) but memory for one batch and one page. See
// docs/security.md, "Heavy authenticated reads".

// FindingsPage is one page of an organisation's findings with the summary
// of all of them.
type FindingsPage struct {
	Items   []Finding         `json:"items"`
	Summary ComplianceSummary `json:"summary"` // every finding, not only this page's
	Total   int               `json:"total"`   // findings in all pages
	Page    int               `json:"page"`
	PerPage int               `json:"per_page"`
}

// tally sums up findings one processing at a time.
type tally struct {
	s        ComplianceSummary
	required int // error rules: items the law requires of each processing
	missing  int // required items missing, over all processings
	failed   int // processings with at least one error finding
}

func newTally() *tally {
	t := &tally{s: ComplianceSummary{BySeverity: map[string]int{string(SeverityError): 0, string(SeverityWarning): 0},
		ByLaw: map[string]int{}, ByRule: map[string]int{}}}
	for _, r := range Rules() {
		if r.Severity == SeverityError {
			t.required++
		}
	}
	return t
}

// add counts one processing and its findings (all of one processing).
func (t *tally) add(fs []Finding) {
	t.s.Processings++
	var errRules map[string]bool
	for _, f := range fs {
		t.s.BySeverity[string(f.Severity)]++
		t.s.ByRule[f.Rule]++
		for _, l := range f.Laws {
			t.s.ByLaw[l]++
		}
		if f.Blocks() {
			if errRules == nil {
				errRules = map[string]bool{}
			}
			errRules[f.Rule] = true
		}
	}
	if errRules != nil {
		t.failed++
		t.missing += len(errRules)
	}
}

// summary is the summary so far.
func (t *tally) summary() ComplianceSummary {
	s := t.s
	n := s.Processings
	s.Complete = n - t.failed
	if n == 0 || t.required == 0 {
		s.Completeness = 100
	} else {
		pct := 100 * float64(n*t.required-t.missing) / float64(n*t.required)
		s.Completeness = float64(int(pct*10+0.5)) / 10
	}
	return s
}

// checkAll runs the rules over every processing of org ("" for all) that
// is not archived, in id order, and calls visit with each processing and
// its findings, sorted as SortFindings sorts them. It returns the summary
// of all findings. Each call gets a new processing and a new slice, which
// visit may keep.
func (s *Service) checkAll(ctx context.Context, org string, now time.Time, visit func(p *Processing, fs []Finding)) (ComplianceSummary, error) {
	orgs := map[string]*Organisation{}
	if org != "" {
		o, err := s.store.GetOrganisation(ctx, org)
		if err != nil {
			return ComplianceSummary{}, err
		}
		orgs[org] = o
	}
	t := newTally()
	var failure error
	err := s.store.ScanProcessings(ctx, ProcessingFilter{Organisation: org}, func(p Processing) bool {
		if failure = ctx.Err(); failure != nil {
			return false
		}
		if p.Status == StatusArchived {
			return true
		}
		o, ok := orgs[p.Organisation]
		if !ok {
			if o, failure = s.store.GetOrganisation(ctx, p.Organisation); failure != nil {
				return false
			}
			orgs[p.Organisation] = o
		}
		fs := Check(&p, o, now)
		SortFindings(fs)
		t.add(fs)
		visit(&p, fs)
		return true
	})
	if err == nil {
		err = failure
	}
	if err != nil {
		return ComplianceSummary{}, err
	}
	return t.summary(), nil
}

// Compliance runs the rule table over every processing of an organisation
// that is not archived (admin: org names the organisation, "" for all) and
// returns one page of the findings, ordered by processing id, severity
// (errors first) and rule, with the summary of all of them.
func (s *Service) Compliance(ctx context.Context, p *identity.Principal, org string, page, perPage int) (*FindingsPage, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleAuditor); err != nil {
		return nil, err
	}
	page, perPage, err := CheckPage(page, perPage)
	if err != nil {
		return nil, err
	}
	if p.Role != identity.RoleAdmin {
		org = p.Org
	}
	out := &FindingsPage{Items: []Finding{}, Page: page, PerPage: perPage}
	first := (page - 1) * perPage
	n := 0
	out.Summary, err = s.checkAll(ctx, org, s.clock(), func(_ *Processing, fs []Finding) {
		for _, f := range fs {
			if n >= first && len(out.Items) < perPage {
				out.Items = append(out.Items, f)
			}
			n++
		}
	})
	if err != nil {
		return nil, err
	}
	out.Total = n
	return out, nil
}
