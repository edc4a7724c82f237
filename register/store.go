package register

import (
	"context"
	"time"
)

// Store keeps the register. It is declared here, where it is used, and
// implemented by sqlstore for SQLite and PostgreSQL.
//
// Errors: a missing row is an ENotFound *Error; a unique violation an
// EConflict *Error; anything else is wrapped with context.
type Store interface {
	// InTx runs fn in one write transaction: everything fn does through tx
	// is committed together, or nothing is. Writers never fail with "database
	// is locked": the store serialises or waits.
	InTx(ctx context.Context, fn func(tx Store) error) error

	OrganisationStore
	ProcessingStore
	PublicationStore
	AuditStore
	AccountStore
	SessionStore
	IdentityStore
	BackupStore
	MaintenanceStore
	StandingStore
	ImportStore
	ModelStore
	EndingStore
	ReviewStore
	CampaignStore
	ReminderStore

	Ping(ctx context.Context) error
}

// OrganisationStore keeps organisations and their units.
type OrganisationStore interface {
	CreateOrganisation(ctx context.Context, o *Organisation) error
	UpdateOrganisation(ctx context.Context, o *Organisation) error
	GetOrganisation(ctx context.Context, slug string) (*Organisation, error)
	ListOrganisations(ctx context.Context) ([]Organisation, error)

	CreateUnit(ctx context.Context, u *Unit) error
	GetUnit(ctx context.Context, org, slug string) (*Unit, error)
	ListUnits(ctx context.Context, org string) ([]Unit, error)
	// UnitUses counts what refers to a unit; DeleteUnit removes it.
	UnitUses(ctx context.Context, org, slug string) (UnitUses, error)
	DeleteUnit(ctx context.Context, org, slug string) error
}

// UnitUses is what still refers to a unit: processings in any status,
// accounts, review campaigns and their tasks, imports under way.
type UnitUses struct {
	Processings, Accounts, Campaigns, Imports int
}

// Any reports whether anything refers to the unit.
func (u UnitUses) Any() bool { return u.Processings+u.Accounts+u.Campaigns+u.Imports > 0 }

// ProcessingStore keeps processings and their versions.
type ProcessingStore interface {
	// CreateProcessing inserts the head row of a new processing.
	CreateProcessing(ctx context.Context, p *Processing, searchKey string) error
	// UpdateProcessing replaces the head row if its revision is still
	// prevRevision; otherwise it returns an EPreconditionFailed *Error.
	UpdateProcessing(ctx context.Context, p *Processing, searchKey string, prevRevision int64) error
	GetProcessing(ctx context.Context, id string) (*Processing, error)
	DeleteProcessing(ctx context.Context, id string) error
	ListProcessings(ctx context.Context, f ProcessingFilter) ([]Processing, int, error)
	// ScanProcessings calls fn for every processing f selects (paging
	// ignored), in id order, until fn returns false; it holds one batch in
	// memory at a time.
	ScanProcessings(ctx context.Context, f ProcessingFilter, fn func(Processing) bool) error

	// PutVersion inserts a version or replaces one that was never published.
	PutVersion(ctx context.Context, v *Version) error
	GetVersion(ctx context.Context, id string, n int) (*Version, error)
	ListVersions(ctx context.Context, id string) ([]Version, error)
}

// PublicationStore keeps the public register: what the public read side
// needs (publications, their stamps, the public organisations and events)
// and what the workflow writes there.
type PublicationStore interface {
	// PutPublication makes p the public record of its processing.
	PutPublication(ctx context.Context, p *Publication) error
	DeletePublication(ctx context.Context, id string) error
	GetPublication(ctx context.Context, id string) (*Publication, error)
	ListPublications(ctx context.Context, f PublicFilter) ([]Publication, int, error)
	// SearchPublications returns a page of publications: by relevance when
	// f.Search() is not empty, else by (organisation, title, id); after
	// f.After when set, else at f.Page.
	SearchPublications(ctx context.Context, f PublicFilter) (PublicationPage, error)
	// PublicListAnchors returns the anchors of the public list, every rows
	// apart.
	PublicListAnchors(ctx context.Context, every int) (PublicAnchors, error)
	// SearchProcessings is SearchPublications for the back office: by
	// relevance or by (updated_at DESC, id DESC).
	SearchProcessings(ctx context.Context, f ProcessingFilter) (ProcessingPage, error)
	// ScanPublications calls fn for every publication f selects (paging
	// ignored), ordered as ListPublications, until fn returns false. For
	// open data: each publication carries its id, organisation, title and
	// Data (the public JSON, which holds the rest), and fn may keep them.
	ScanPublications(ctx context.Context, f PublicFilter, fn func(Publication) bool) error
	// GetPublicationStamp returns the version and date of a publication.
	GetPublicationStamp(ctx context.Context, id string) (PublicationStamp, error)
	// ListPublicOrganisations lists organisations with at least one
	// publication, by name, with their count.
	ListPublicOrganisations(ctx context.Context) ([]PublicOrganisation, error)
	// ListPublicEvents returns the latest publish and archive audit entries
	// (of org, or all), newest first; Title is set only for processings
	// still in the public register, from the version the entry names.
	ListPublicEvents(ctx context.Context, org string, limit int) ([]PublicEvent, error)
	// GetPublicHead returns the latest publish or archive audit entry.
	GetPublicHead(ctx context.Context, org string) (PublicHead, error)
}

// AuditStore keeps the audit chain.
type AuditStore interface {
	// LastAudit returns the head of the audit chain (nil when empty). Inside
	// InTx it also takes the chain's lock, so that two processes writing to
	// the same database extend one chain.
	LastAudit(ctx context.Context) (*AuditEntry, error)
	// LastAuditOf returns the seq of the latest audit entry whose action is
	// one of actions, 0 for none.
	LastAuditOf(ctx context.Context, actions []string) (int64, error)
	AppendAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, int, error)
	// ScanAudit calls fn for every entry in seq order until fn returns false.
	ScanAudit(ctx context.Context, fn func(AuditEntry) bool) error
}

// ProcessingFilter selects processings for a list.
type ProcessingFilter struct {
	Organisation string // "" for all organisations (admin only)
	Unit         string
	Status       Status
	Query        string // raw query; the store matches LikePattern(Query) against the search key
	Page         int
	PerPage      int
	Cursor       string  // from a previous page's NextCursor; Page is then ignored
	After        *Cursor // Cursor decoded by the service, for the store

	// The back office's filters (ListProcessingsPage), read from the
	// Standing kept with each record, so that no list recomputes findings.
	Sensitive *bool // holds sensitive data, or not
	Blocking  *bool // has blocking findings, or not
	Overdue   bool  // its review date (review_due) has passed
	View      View  // one of the one-click views; "" for none
	// The overview's filters (overview.go): a blocking finding under the
	// law code Law; the risk Risk; Current leaves archived records out.
	Law     string
	Risk    Risk
	Current bool
	// Sort is the column the list is ordered by (SortUpdated when empty);
	// Desc reverses it. Ties are broken by the last change, then by id, in
	// the same direction.
	Sort SortKey
	Desc bool

	// Actor and Today are set by the service, never by callers: the
	// principal the views are relative to, and the day overdue is judged on
	// (YYYY-MM-DD, Europe/Zurich).
	Actor string
	Today string
}

// View is a one-click view of the back office's register list.
type View string

// The views: drafts Actor created or last changed; drafts returned to
// Actor (they submitted them and a DPO sent them back); records waiting for
// review (in_review; for a DPO or an administrator, everyone's).
const (
	ViewMyDrafts View = "my-drafts"
	ViewReturned View = "returned"
	ViewToReview View = "to-review"
)

// SortKey names a column of the register list.
type SortKey string

// The sortable columns.
const (
	SortUpdated   SortKey = "updated" // last change (default: newest first)
	SortTitle     SortKey = "title"
	SortReference SortKey = "reference"
	SortUnit      SortKey = "unit"
	SortStatus    SortKey = "status"
	SortVersion   SortKey = "version"
	SortBlocking  SortKey = "blocking"
)

// PublicFilter selects published processings.
type PublicFilter struct {
	Organisation string
	Query        string
	Category     string // a data category name, matched on its search key
	Sensitive    *bool
	BasisType    LegalBasisType
	Page         int
	PerPage      int
	Cursor       string  // from a previous page's NextCursor; Page is then ignored
	After        *Cursor // Cursor decoded by the service, for the store
	// Skip is how many rows after After the page starts: the service turns a
	// deep ?page= of the list into the nearest anchor before it and a short
	// offset (paging.go, publicAnchors). Only with After and no query.
	Skip int
}

// PublicAnchors are the sort keys (organisation, title, id) of the rows of
// the public list at every multiple of a spacing (1-based), in list order,
// and how many rows of the list come before each organisation's first.
type PublicAnchors struct {
	Keys   [][]string
	Before map[string]int
}

// Clock gives the time of a transaction; tests pass a fixed one.
type Clock func() time.Time
