package register

import (
	"container/heap"
	"context"
	"sort"
	"time"

	"github.com/registre/registre/auth/identity"
)

// AuditorReport is what the auditor's report of an organisation shows:
// internal data, for the roles that may read compliance and the audit
// trail. The server and the command line read it here, once, so both draw
// the same document.
//
// A report is bounded whatever the size of the register: the summary
// covers every processing, but at most MaxReportProcessings are detailed
// (those that need the most attention), and the lists of overdue reviews
// and of sensitive processings hold at most as many, each with its full
// count. The complete findings are paged by GET /api/v1/compliance.
type AuditorReport struct {
	Organisation *Organisation
	// Processings are the processings detailed: at most MaxReportProcessings
	// of those that are not archived, the ones with the most blocking
	// findings first, then the most warnings, then by id.
	Processings []Processing
	Findings    []Finding         // of Processings, in their order, each one's sorted by SortFindings
	Omitted     int               // processings examined but not detailed
	Summary     ComplianceSummary // of every processing that is not archived
	// Overdue and Sensitive list, by id, at most MaxReportProcessings
	// processings whose planned review date has passed and processings of
	// sensitive data; the totals count them all.
	Overdue        []Processing
	OverdueTotal   int
	Sensitive      []Processing
	SensitiveTotal int
	Audit          []AuditEntry // the organisation's most recent entries, newest first, as the reader may see them
	AuditTotal     int          // the organisation's entries: the newest is its AuditTotal-th
	Verify         VerifyResult // the whole chain, every organisation, as the reader may see it
	Date           time.Time    // when the data were read: the report's date
}

// DefaultReportAudit is how many recent audit entries a report shows.
const DefaultReportAudit = 50

// MaxReportProcessings bounds the processings a report details and lists:
// drawing one costs about 2 ms and 10 pages' worth of findings, so the
// report's time and memory do not grow with the register.
const MaxReportProcessings = 200

// AuditorReport reads the report of org (for an admin; everyone else gets
// their own organisation) as of now: the rules run at the same instant as
// the report is dated.
func (s *Service) AuditorReport(ctx context.Context, p *identity.Principal, org string, recent int) (*AuditorReport, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleAuditor); err != nil {
		return nil, err
	}
	if p.Role != identity.RoleAdmin {
		org = p.Org
	}
	if org == "" {
		return nil, invalid(FieldError{Field: "org", Message: "is required: name the organisation of the report"})
	}
	if recent < 1 || recent > MaxPerPage {
		recent = DefaultReportAudit
	}
	o, err := s.store.GetOrganisation(ctx, org)
	if err != nil {
		return nil, err
	}
	r := &AuditorReport{Organisation: o, Date: s.clock(), Findings: []Finding{}}
	today := r.Date.Format(time.DateOnly)
	var worst worstFirst
	r.Summary, err = s.checkAll(ctx, org, r.Date, func(pr *Processing, fs []Finding) {
		if pr.ReviewDue != "" && pr.ReviewDue < today {
			r.OverdueTotal++
			if len(r.Overdue) < MaxReportProcessings {
				r.Overdue = append(r.Overdue, *pr)
			}
		}
		if pr.Sensitive() {
			r.SensitiveTotal++
			if len(r.Sensitive) < MaxReportProcessings {
				r.Sensitive = append(r.Sensitive, *pr)
			}
		}
		worst.keep(pr, fs, MaxReportProcessings)
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(worst, func(i, j int) bool { return worst[j].less(worst[i]) })
	for _, c := range worst {
		r.Processings = append(r.Processings, *c.p)
		r.Findings = append(r.Findings, c.fs...)
	}
	r.Omitted = r.Summary.Processings - len(r.Processings)
	if r.Audit, r.AuditTotal, err = s.store.ListAudit(ctx, AuditFilter{Organisation: org, Page: 1, PerPage: recent}); err != nil {
		return nil, err
	}
	for i := range r.Audit {
		r.Audit[i] = r.Audit[i].ForReader(p)
	}
	var v ChainVerifier
	if err := s.store.ScanAudit(ctx, v.Add); err != nil {
		return nil, err
	}
	r.Verify = v.Result().ForReader(p)
	return r, nil
}

// candidate is a processing the report may detail.
type candidate struct {
	p            *Processing
	fs           []Finding
	errs, warned int
}

// less reports whether c needs less attention than d: fewer blocking
// findings, then fewer warnings, then the later id.
func (c *candidate) less(d *candidate) bool {
	if c.errs != d.errs {
		return c.errs < d.errs
	}
	if c.warned != d.warned {
		return c.warned < d.warned
	}
	return c.p.ID > d.p.ID
}

// worstFirst keeps the processings that need the most attention: a heap
// whose top is the one that needs the least, evicted first.
type worstFirst []*candidate

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return h[i].less(h[j]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(*candidate)) }
func (h *worstFirst) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

// keep adds p if it is among the max that need the most attention so far.
func (h *worstFirst) keep(p *Processing, fs []Finding, max int) {
	c := &candidate{p: p, fs: fs}
	for _, f := range fs {
		if f.Severity == SeverityError {
			c.errs++
		} else {
			c.warned++
		}
	}
	if h.Len() < max {
		heap.Push(h, c)
		return
	}
	if (*h)[0].less(c) {
		(*h)[0] = c
		heap.Fix(h, 0)
	}
}
