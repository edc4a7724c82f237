package register

import (
	"context"
	"time"

	"github.com/registre/registre/auth"
)

// AuditorReport is what the auditor's report of an organisation shows:
// internal data, for the roles that may read compliance and the audit
// trail. The server and the command line read it here, once, so both draw
// the same document.
type AuditorReport struct {
	Organisation *Organisation
	Processings  []Processing      // every processing that is not archived, in list order
	Findings     []Finding         // of those processings, sorted by SortFindings
	Summary      ComplianceSummary // of those findings
	Audit        []AuditEntry      // the organisation's most recent entries, newest first
	Verify       VerifyResult      // the whole chain, every organisation
	Date         time.Time         // when the data were read: the report's date
}

// DefaultReportAudit is how many recent audit entries a report shows.
const DefaultReportAudit = 50

// AuditorReport reads the report of org (for an admin; everyone else gets
// their own organisation) as of now: the rules run at the same instant as
// the report is dated.
func (s *Service) AuditorReport(ctx context.Context, p *auth.Principal, org string, recent int) (*AuditorReport, error) {
	if err := requireRole(p, auth.RoleAdmin, auth.RoleDPO, auth.RoleAuditor); err != nil {
		return nil, err
	}
	if p.Role != auth.RoleAdmin {
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
	f := ProcessingFilter{Organisation: org, PerPage: MaxPerPage}
	for f.Page = 1; ; f.Page++ {
		items, total, err := s.store.ListProcessings(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range items {
			if items[i].Status == StatusArchived {
				continue
			}
			r.Processings = append(r.Processings, items[i])
			r.Findings = append(r.Findings, Check(&items[i], o, r.Date)...)
		}
		if f.Page*f.PerPage >= total {
			break
		}
	}
	SortFindings(r.Findings)
	r.Summary = Summarise(len(r.Processings), r.Findings)
	if r.Audit, _, err = s.store.ListAudit(ctx, AuditFilter{Organisation: org, Page: 1, PerPage: recent}); err != nil {
		return nil, err
	}
	var v ChainVerifier
	if err := s.store.ScanAudit(ctx, v.Add); err != nil {
		return nil, err
	}
	r.Verify = v.Result()
	return r, nil
}
