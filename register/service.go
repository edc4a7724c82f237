package register

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/registre/registre/auth/identity"
)

// Service is the register's use cases. Each method decides who may act, what
// is valid, which state comes next and what the audit trail says, inside one
// store transaction.
type Service struct {
	store     Store
	passwords Passwords
	sheets    SheetReader

	hooksMu     sync.Mutex
	publicHooks []func() // OnPublicChange
	validate    *Validator
	now         Clock
	log         *slog.Logger
	publog      PublicLog // nil: no transparency log
	zone        *time.Location

	sessionIdle, sessionMax time.Duration // 0: the defaults (sessions.go)
	localOff                bool          // local passwords refused (external.go)

	anchors publicAnchors // deep pages of the public list (public_anchors.go)
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests use a fixed one).
func WithClock(c Clock) Option { return func(s *Service) { s.now = c } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, passwords: noPasswords{}, sheets: noSheets, validate: NewValidator(), now: time.Now, log: slog.Default(), zone: zurich()}
	s.anchors.init()
	if l, ok := store.(PublicChangeListener); ok {
		s.publicHooks = append(s.publicHooks, l.PublicChanged)
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Validator returns the service's validator, for callers that check input
// before it reaches a use case (the CSV import).
func (s *Service) Validator() *Validator { return s.validate }

// Store returns the underlying store (for commands such as export).
func (s *Service) Store() Store { return s.store }

// clock is read once per transaction: every timestamp a change writes, audit
// entry included, is the same instant.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Paging bounds.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
)

// CheckPage validates page and per_page, giving their defaults.
func CheckPage(page, perPage int) (int, int, error) {
	var fields []FieldError
	if page == 0 {
		page = 1
	}
	if perPage == 0 {
		perPage = DefaultPerPage
	}
	if page < 1 || page > 1_000_000 {
		fields = append(fields, FieldError{Field: "page", Message: "must be a whole number from 1"})
	}
	if perPage < 1 || perPage > MaxPerPage {
		fields = append(fields, FieldError{Field: "per_page", Message: fmt.Sprintf("must be a whole number from 1 to %d", MaxPerPage)})
	}
	if fields != nil {
		return 0, 0, invalid(fields...)
	}
	return page, perPage, nil
}

func requireRole(p *identity.Principal, roles ...identity.Role) error {
	if p == nil {
		return Errorf(EUnauthorized, "authentication required")
	}
	for _, r := range roles {
		if p.Role == r {
			return nil
		}
	}
	return Errorf(EForbidden, "your role may not do this")
}

// sameOrg reports whether p may see organisation org at all.
func sameOrg(p *identity.Principal, org string) bool {
	return p != nil && (p.Role == identity.RoleAdmin || p.Org == org)
}

// audit appends one entry to the chain inside tx.
func (s *Service) audit(ctx context.Context, tx Store, p *identity.Principal, at time.Time, org, action, target string, version int, comment string) error {
	prev, err := tx.LastAudit(ctx)
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e := &AuditEntry{At: at, Organisation: org, Action: action, Target: target, Version: version, Comment: comment}
	switch {
	case p == nil:
		e.Actor, e.Role = SystemActor, SystemActor
	case isCommandLine(p):
		e.Actor, e.Role = p.Subject, CommandLineRole
	default:
		e.Actor, e.Role = p.Subject, string(p.Role)
	}
	e.Chain(prev)
	if err := tx.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("append audit: %w", err)
	}
	return nil
}

// Audit appends an entry for a change made outside this service (accounts,
// logins) in the caller's transaction.
func (s *Service) Audit(ctx context.Context, tx Store, p *identity.Principal, org, action, target string) error {
	return s.audit(ctx, tx, p, s.clock(), org, action, target, 0, "")
}

// ---- organisations and units ----

// ListOrganisations lists the organisations p may see.
func (s *Service) ListOrganisations(ctx context.Context, p *identity.Principal) ([]Organisation, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return nil, err
	}
	if p.Role == identity.RoleAdmin {
		return s.store.ListOrganisations(ctx)
	}
	o, err := s.store.GetOrganisation(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	return []Organisation{*o}, nil
}

// GetOrganisation returns one organisation if p may see it.
func (s *Service) GetOrganisation(ctx context.Context, p *identity.Principal, slug string) (*Organisation, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return nil, err
	}
	if !sameOrg(p, slug) || !storableKeys(slug) {
		return nil, notFound("organisation")
	}
	return s.store.GetOrganisation(ctx, slug)
}

// OrganisationExists reports whether slug names an organisation (for token checks).
func (s *Service) OrganisationExists(ctx context.Context, slug string) (bool, error) {
	if !storableKeys(slug) {
		return false, nil
	}
	_, err := s.store.GetOrganisation(ctx, slug)
	if ErrorCode(err) == ENotFound {
		return false, nil
	}
	return err == nil, err
}

// CreateOrganisation adds an organisation (admin).
func (s *Service) CreateOrganisation(ctx context.Context, p *identity.Principal, o Organisation) (*Organisation, error) {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return nil, err
	}
	if err := s.validate.Struct(&o); err != nil {
		return nil, err
	}
	o.Regime = o.EffectiveRegime()
	err := s.store.InTx(ctx, func(tx Store) error {
		now := s.clock()
		o.CreatedAt, o.UpdatedAt = now, now
		if err := tx.CreateOrganisation(ctx, &o); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, o.Slug, ActionOrgCreate, "organisation/"+o.Slug, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// UpdateOrganisation changes an organisation: an admin may change its name
// and contacts, its DPO only the contacts.
func (s *Service) UpdateOrganisation(ctx context.Context, p *identity.Principal, slug string, in Organisation) (*Organisation, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return nil, err
	}
	if !sameOrg(p, slug) {
		return nil, notFound("organisation")
	}
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return nil, err
	}
	if in.Slug == "" {
		in.Slug = slug
	}
	if in.Slug != slug {
		return nil, invalid(FieldError{Field: "slug", Message: "cannot be changed"})
	}
	if err := s.validate.Struct(&in); err != nil {
		return nil, err
	}
	var out *Organisation
	err := s.store.InTx(ctx, func(tx Store) error {
		o, err := tx.GetOrganisation(ctx, slug)
		if err != nil {
			return err
		}
		if p.Role != identity.RoleAdmin && in.Name != o.Name {
			return Errorf(EForbidden, "only an administrator may rename an organisation")
		}
		// Clients written before regimes existed send none: the regime and
		// the GDPR flag then stay as they are.
		if in.Regime == "" {
			in.Regime, in.GDPRApplies = o.EffectiveRegime(), o.GDPRApplies
		}
		if p.Role != identity.RoleAdmin && (in.Regime != o.EffectiveRegime() || in.GDPRApplies != o.GDPRApplies) {
			return Errorf(EForbidden, "only an administrator may change an organisation's regime")
		}
		o.Regime, o.GDPRApplies = in.Regime, in.GDPRApplies
		now := s.clock()
		o.Name, o.Address, o.Website, o.DPOContact, o.LIPADContact = in.Name, in.Address, in.Website, in.DPOContact, in.LIPADContact
		o.TransparencyContact = in.TransparencyContact
		o.UpdatedAt = now
		if err := tx.UpdateOrganisation(ctx, o); err != nil {
			return err
		}
		out = o
		return s.audit(ctx, tx, p, now, slug, ActionOrgUpdate, "organisation/"+slug, 0, "")
	})
	if err == nil {
		s.publicChanged(ctx)
		// Some rules read the organisation (its regime, its contacts): its
		// records' findings are computed again. The change is committed
		// whatever happens here; a failed refresh is made good by the
		// daily one.
		if _, rerr := s.RefreshStandings(ctx, slug); rerr != nil {
			s.log.WarnContext(ctx, "refreshing the standings after an organisation change", "org", slug, "err", rerr)
		}
	}
	return out, err
}

// ListUnits lists the units of an organisation.
func (s *Service) ListUnits(ctx context.Context, p *identity.Principal, org string) ([]Unit, error) {
	if _, err := s.GetOrganisation(ctx, p, org); err != nil {
		return nil, err
	}
	return s.store.ListUnits(ctx, org)
}

// CreateUnit adds a unit (dpo of the organisation, admin).
func (s *Service) CreateUnit(ctx context.Context, p *identity.Principal, org string, u Unit) (*Unit, error) {
	if _, err := s.GetOrganisation(ctx, p, org); err != nil {
		return nil, err
	}
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return nil, err
	}
	u.Organisation = org
	if err := s.validate.Struct(&u); err != nil {
		return nil, err
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		now := s.clock()
		u.CreatedAt = now
		if err := tx.CreateUnit(ctx, &u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, org, ActionUnitCreate, "unit/"+org+"/"+u.Slug, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// RenameUnit changes the name of a unit (its identifier stays: accounts,
// processings and published versions refer to it). Admins, and the DPO of
// the organisation. Published versions keep the name they were published
// with.
func (s *Service) RenameUnit(ctx context.Context, p *identity.Principal, org, slug, name string) (*Unit, error) {
	if _, err := s.GetOrganisation(ctx, p, org); err != nil {
		return nil, err
	}
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return nil, err
	}
	var u *Unit
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if u, err = tx.GetUnit(ctx, org, slug); err != nil {
			return err
		}
		old := u.Name
		u.Name = name
		if err := s.validate.Struct(u); err != nil {
			return err
		}
		if u.Name == old {
			return nil
		}
		if err := tx.UpdateUnitName(ctx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.clock(), org, ActionUnitUpdate, "unit/"+org+"/"+slug, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// DeleteUnit removes a unit that nothing refers to: one created by mistake
// or never used. A unit that any processing (in any status, archived
// ones included), account, review campaign or import under way names is
// kept (conflict): its name is in their history. Admins, and the DPO of the
// organisation.
func (s *Service) DeleteUnit(ctx context.Context, p *identity.Principal, org, slug string) error {
	if _, err := s.GetOrganisation(ctx, p, org); err != nil {
		return err
	}
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetUnit(ctx, org, slug); err != nil {
			return err
		}
		uses, err := tx.UnitUses(ctx, org, slug)
		if err != nil {
			return err
		}
		if uses.Any() {
			return Errorf(EConflict, "the unit is still used (%d processings, %d accounts, %d review campaigns, %d imports under way): move or remove those first",
				uses.Processings, uses.Accounts, uses.Campaigns, uses.Imports)
		}
		if err := tx.DeleteUnit(ctx, org, slug); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.clock(), org, ActionUnitDelete, "unit/"+org+"/"+slug, 0, "")
	})
}

// ---- processings ----

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func processingSearchKey(f *Fields) string {
	return SearchKey(f.Title, f.Purpose, f.Reference, f.Description)
}

// GetProcessing returns a processing of p's organisation.
func (s *Service) GetProcessing(ctx context.Context, p *identity.Principal, id string) (*Processing, error) {
	return s.getProcessing(ctx, s.store, p, id)
}

func (s *Service) getProcessing(ctx context.Context, st Store, p *identity.Principal, id string) (*Processing, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, notFound("processing")
	}
	pr, err := st.GetProcessing(ctx, id)
	if err != nil {
		return nil, err
	}
	if !sameOrg(p, pr.Organisation) {
		return nil, notFound("processing")
	}
	return pr, nil
}

// ListProcessings lists processings of p's organisation (admin: of all, or of f.Organisation).
func (s *Service) ListProcessings(ctx context.Context, p *identity.Principal, f ProcessingFilter) ([]Processing, int, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return nil, 0, err
	}
	var err error
	if f.Page, f.PerPage, err = CheckPage(f.Page, f.PerPage); err != nil {
		return nil, 0, err
	}
	if err := s.checkListFilter(p, &f); err != nil {
		return nil, 0, err
	}
	items, n, err := s.store.ListProcessings(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	return items, n, s.standUnchecked(ctx, items)
}

// checkWrite decides whether p may write a processing of org in unit.
func checkWrite(p *identity.Principal, org, unit string) error {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor); err != nil {
		return err
	}
	if !sameOrg(p, org) {
		return notFound("processing")
	}
	if p.Role == identity.RoleEditor && !p.HasUnit(unit) {
		return Errorf(EForbidden, "editors may only write in their own units")
	}
	return nil
}

func (s *Service) checkFields(ctx context.Context, st Store, org string, f *Fields) error {
	f.normalise()
	if err := s.validate.Struct(f); err != nil {
		return err
	}
	if _, err := st.GetUnit(ctx, org, f.Unit); err != nil {
		if ErrorCode(err) == ENotFound {
			return invalid(FieldError{Field: "unit", Message: "is not a unit of the organisation"})
		}
		return err
	}
	return nil
}

// referenceTaken turns a unique violation on the reference into a field error.
func referenceTaken(err error) error {
	if ErrorCode(err) == EConflict {
		return invalid(FieldError{Field: "reference", Message: "is already used by another processing of the organisation"})
	}
	return err
}

func encodeVersion(pr *Processing, by string) (*Version, error) {
	data, err := json.Marshal(pr)
	if err != nil {
		return nil, fmt.Errorf("encode version: %w", err)
	}
	return &Version{ProcessingID: pr.ID, Number: pr.Version, Status: pr.Status, Data: data, SavedAt: pr.UpdatedAt, SavedBy: by}, nil
}

// CreateProcessing records a new draft. org is the organisation for an
// admin; for everyone else the token's organisation is used.
func (s *Service) CreateProcessing(ctx context.Context, p *identity.Principal, org string, f Fields) (*Processing, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor); err != nil {
		return nil, err
	}
	if p.Role != identity.RoleAdmin {
		org = p.Org
	} else if org == "" {
		return nil, invalid(FieldError{Field: "organisation", Message: "is required"})
	}
	if err := checkWrite(p, org, f.Unit); err != nil {
		return nil, err
	}
	var pr *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetOrganisation(ctx, org); err != nil {
			if ErrorCode(err) == ENotFound {
				return invalid(FieldError{Field: "organisation", Message: "is not a known organisation"})
			}
			return err
		}
		if err := s.checkFields(ctx, tx, org, &f); err != nil {
			return err
		}
		var err error
		pr, err = s.insertDraft(ctx, tx, p, org, f, ActionCreate, s.clock())
		return err
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// insertDraft writes a new, checked processing as a draft in tx: its head,
// version 1 and its audit entry.
func (s *Service) insertDraft(ctx context.Context, tx Store, p *identity.Principal, org string, f Fields, action string, now time.Time) (*Processing, error) {
	pr := &Processing{ID: newID(), Organisation: org, Fields: f, Status: StatusDraft, Version: 1,
		CreatedAt: now, UpdatedAt: now, Revision: 1}
	if err := s.stand(ctx, tx, pr, nil, p, now); err != nil {
		return nil, err
	}
	if err := tx.CreateProcessing(ctx, pr, processingSearchKey(&f)); err != nil {
		return nil, referenceTaken(err)
	}
	v, err := encodeVersion(pr, p.Subject)
	if err != nil {
		return nil, err
	}
	if err := tx.PutVersion(ctx, v); err != nil {
		return nil, err
	}
	return pr, s.audit(ctx, tx, p, now, org, action, "processing/"+pr.ID, 1, "")
}

// UpdateProcessing replaces the content of a processing and saves it as a
// new version. ifMatch is the revision the client last saw. Editing a
// published processing opens a new draft; the public keeps the published
// version until the new one is published.
func (s *Service) UpdateProcessing(ctx context.Context, p *identity.Principal, id string, ifMatch int64, f Fields) (*Processing, error) {
	var pr *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := s.getProcessing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkWrite(p, cur.Organisation, cur.Unit); err != nil {
			return err
		}
		if err := checkWrite(p, cur.Organisation, f.Unit); err != nil {
			return err
		}
		if p.Role == identity.RoleEditor && cur.Status != StatusDraft {
			return Errorf(EForbidden, "editors may only edit drafts")
		}
		if cur.Revision != ifMatch {
			return Errorf(EPreconditionFailed, "the processing was changed since you read it; read it again")
		}
		if cur.Status == StatusArchived {
			return Errorf(EConflict, "an archived processing cannot be edited")
		}
		if err := s.checkFields(ctx, tx, cur.Organisation, &f); err != nil {
			return err
		}
		now := s.clock()
		next := *cur
		next.Fields = f
		if len(cur.Overrides) > 0 {
			org, err := tx.GetOrganisation(ctx, cur.Organisation)
			if err != nil {
				return err
			}
			// Overrides whose field changed have lapsed: drop them, the
			// audit trail keeps them.
			next.Overrides = liveOverrides(&next, org)
		}
		next.Version = cur.Version + 1
		next.Revision = cur.Revision + 1
		next.UpdatedAt = now
		if cur.Status == StatusPublished {
			next.Status = StatusDraft
		}
		if err := s.stand(ctx, tx, &next, nil, p, now); err != nil {
			return err
		}
		if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&f), cur.Revision); err != nil {
			return referenceTaken(err)
		}
		v, err := encodeVersion(&next, p.Subject)
		if err != nil {
			return err
		}
		if err := tx.PutVersion(ctx, v); err != nil {
			return err
		}
		pr = &next
		return s.audit(ctx, tx, p, now, cur.Organisation, ActionUpdate, "processing/"+id, next.Version, "")
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// DeleteProcessing removes a draft that was never published.
func (s *Service) DeleteProcessing(ctx context.Context, p *identity.Principal, id string, ifMatch *int64) error {
	return s.store.InTx(ctx, func(tx Store) error {
		cur, err := s.getProcessing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != cur.Revision {
			return Errorf(EPreconditionFailed, "the processing was changed since you read it; read it again")
		}
		if cur.Status != StatusDraft || cur.PublishedVersion != 0 {
			return Errorf(EConflict, "only drafts that were never published can be deleted; archive a published processing instead")
		}
		if err := tx.DeleteProcessing(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.clock(), cur.Organisation, ActionDelete, "processing/"+id, cur.Version, "")
	})
}

// ListVersions returns every saved version of a processing, newest first.
func (s *Service) ListVersions(ctx context.Context, p *identity.Principal, id string) ([]Version, error) {
	if _, err := s.GetProcessing(ctx, p, id); err != nil {
		return nil, err
	}
	return s.store.ListVersions(ctx, id)
}

// GetVersion returns one saved version of a processing.
func (s *Service) GetVersion(ctx context.Context, p *identity.Principal, id string, n int) (*Version, error) {
	if _, err := s.GetProcessing(ctx, p, id); err != nil {
		return nil, err
	}
	return s.store.GetVersion(ctx, id, n)
}

// trimComment bounds a review comment.
func trimComment(c string) (string, error) {
	c = strings.TrimSpace(c)
	if len([]rune(c)) > 2000 {
		return "", invalid(FieldError{Field: "comment", Message: "must be at most 2000 characters long"})
	}
	if bad := badText(c); bad != "" {
		return "", invalid(FieldError{Field: "comment", Message: bad})
	}
	return c, nil
}
