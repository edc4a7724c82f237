package register

import (
	"context"
	"time"

	"github.com/registre/registre/auth/identity"
)

// ListAudit lists audit entries of p's organisation (admin: all, or f.Organisation).
func (s *Service) ListAudit(ctx context.Context, p *identity.Principal, f AuditFilter) ([]AuditEntry, int, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleAuditor, identity.RoleEditor); err != nil {
		return nil, 0, err
	}
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleAuditor); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Page, f.PerPage, err = CheckPage(f.Page, f.PerPage); err != nil {
		return nil, 0, err
	}
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	if p.Role != identity.RoleAdmin {
		f.Organisation = p.Org
	}
	items, total, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	for i := range items {
		items[i] = items[i].ForReader(p)
	}
	return items, total, nil
}

// History lists the audit entries of one processing, for every role of its
// organisation: editors see there why a draft was returned.
func (s *Service) History(ctx context.Context, p *identity.Principal, id string) ([]AuditEntry, error) {
	pr, err := s.GetProcessing(ctx, p, id)
	if err != nil {
		return nil, err
	}
	var out []AuditEntry
	f := AuditFilter{Organisation: pr.Organisation, Target: "processing/" + id, PerPage: MaxPerPage}
	for f.Page = 1; ; f.Page++ {
		items, total, err := s.store.ListAudit(ctx, f)
		if err != nil {
			return nil, err
		}
		for i := range items {
			out = append(out, items[i].ForReader(p))
		}
		if f.Page*f.PerPage >= total {
			break
		}
	}
	return out, nil
}

// VerifyAudit checks the whole chain. expectHead, when not empty, is a head
// saved earlier ("SEQ:HASH") that the chain must still pass through.
// Everyone who reads the audit trail learns whether the whole chain
// verifies; its length and head, and checking it against a saved head, are
// for administrators and the operator's command line (p nil): a head's seq
// counts every organisation's changes.
func (s *Service) VerifyAudit(ctx context.Context, p *identity.Principal, expectHead string) (VerifyResult, error) {
	if p != nil { // nil: the operator's command line
		if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleAuditor); err != nil {
			return VerifyResult{}, err
		}
		if expectHead != "" && !seesWholeChain(p) {
			return VerifyResult{}, Errorf(EForbidden, "only an administrator checks the trail against a saved head")
		}
	}
	var v ChainVerifier
	if expectHead != "" {
		seq, hash, err := ParseHead(expectHead)
		if err != nil {
			return VerifyResult{}, invalid(FieldError{Field: "head", Message: err.Error()})
		}
		v.ExpectHead(seq, hash)
	}
	if err := s.store.ScanAudit(ctx, v.Add); err != nil {
		return VerifyResult{}, err
	}
	return v.Result().ForReader(p), nil
}

// ---- the public register ----

// PublicProcessing returns the published record of a processing.
func (s *Service) PublicProcessing(ctx context.Context, id string) (*Publication, error) {
	if !storableKeys(id) {
		return nil, notFound("processing")
	}
	return s.store.GetPublication(ctx, id)
}

// ListPublic lists published processings.
func (s *Service) ListPublic(ctx context.Context, f PublicFilter) ([]Publication, int, error) {
	var err error
	if f.Page, f.PerPage, err = CheckPage(f.Page, f.PerPage); err != nil {
		return nil, 0, err
	}
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	if len([]rune(f.Query)) > 200 {
		return nil, 0, invalid(FieldError{Field: "q", Message: "must be at most 200 characters long"})
	}
	if f.BasisType != "" && !f.BasisType.Valid() {
		return nil, 0, invalid(FieldError{Field: "legal_basis", Message: "is not a known legal basis type"})
	}
	return s.store.ListPublications(ctx, f)
}

// Now returns the service's clock reading (for documents that print a date).
func (s *Service) Now() time.Time { return s.clock() }
