package register

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
)

// PublicOrganisation is an organisation as the public register shows it:
// its public contacts and how many processings it has published. Only
// organisations with at least one publication are ever shown.
type PublicOrganisation struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	Address      string `json:"address"`
	Website      string `json:"website"`
	DPOContact   string `json:"dpo_contact"`
	LIPADContact string `json:"lipad_contact"`
	// TransparencyContact answers requests for official documents.
	TransparencyContact string `json:"transparency_contact,omitempty"`
	Count               int    `json:"count"`
}

// PublicationStamp says which version of a processing the public register
// holds and since when; published versions never change, so the stamp is
// enough to tell whether bytes kept earlier are still the right ones.
type PublicationStamp struct {
	Version     int
	PublishedAt time.Time
}

// PublicEvent is a publication or an archiving as the public feed tells it.
// It never names the person who acted.
type PublicEvent struct {
	Seq          int64
	At           time.Time
	Action       string // ActionPublish or ActionArchive
	Organisation string
	ProcessingID string
	Version      int
	// Title is the title published at Version, set only while the
	// processing is in the public register: once archived, a processing
	// leaves the register, and its title with it, but for the archiving
	// itself, which tells how it ended (the ending is public).
	Title string
	// EndedOn and EndReason are set on the archiving of a processing that
	// ended with a date and a reason.
	EndedOn, EndReason string
	// PlannedStart is the planned start of the version public now, set on
	// its publication's entry: the feed says whether it is planned.
	PlannedStart string
}

// PublicHead is the latest publication or archiving (of an organisation, or
// of all): it changes whenever the public register does, so it makes a cheap
// validator for documents built from the whole register.
type PublicHead struct {
	Seq int64
	At  time.Time // zero when nothing was ever published
}

// MaxPublicEvents bounds a feed: readers poll it, they do not page through it.
const MaxPublicEvents = 200

// PublicOrganisations lists the organisations that have published at least
// one processing, by name.
func (s *Service) PublicOrganisations(ctx context.Context) ([]PublicOrganisation, error) {
	orgs, err := s.store.ListPublicOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	// By name as a reader sorts it: "État" among the E, not after "Z".
	// Each name folded once, not in every comparison: with thousands of
	// organisations the folding cost more than the query.
	keys := make(map[string]string, len(orgs))
	for _, o := range orgs {
		keys[o.Slug] = SearchKey(o.Name)
	}
	sort.SliceStable(orgs, func(i, j int) bool { return keys[orgs[i].Slug] < keys[orgs[j].Slug] })
	return orgs, nil
}

// PublicOrganisation returns one organisation of the public register; an
// organisation with nothing published is not found, as in the list.
func (s *Service) PublicOrganisation(ctx context.Context, slug string) (*PublicOrganisation, error) {
	orgs, err := s.store.ListPublicOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	for i := range orgs {
		if orgs[i].Slug == slug {
			return &orgs[i], nil
		}
	}
	return nil, notFound("organisation")
}

// PublicStamp returns the stamp of a processing's publication, a cheaper
// read than PublicProcessing for callers that keep the bytes.
func (s *Service) PublicStamp(ctx context.Context, id string) (PublicationStamp, error) {
	// Ids are UUIDs: anything else is not found without a query.
	if _, err := uuid.Parse(id); err != nil {
		return PublicationStamp{}, notFound("processing")
	}
	return s.store.GetPublicationStamp(ctx, id)
}

// ScanPublic calls fn for every published processing that f selects (its
// paging is ignored), in the order of ListPublic, until fn returns false.
// It reads in batches so that a whole register is never held in memory.
// Each publication carries its id, organisation, title and public JSON
// (Data) only.
func (s *Service) ScanPublic(ctx context.Context, f PublicFilter, fn func(Publication) bool) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.BasisType != "" && !f.BasisType.Valid() {
		return invalid(FieldError{Field: "legal_basis", Message: "is not a known legal basis type"})
	}
	return s.store.ScanPublications(ctx, f, fn)
}

// PublicEvents returns the latest publications and archivings, newest first
// (of org, or of every organisation when org is ""), at most limit of them.
func (s *Service) PublicEvents(ctx context.Context, org string, limit int) ([]PublicEvent, error) {
	if limit < 1 || limit > MaxPublicEvents {
		limit = MaxPublicEvents
	}
	if err := checkTerms("org", org); err != nil {
		return nil, err
	}
	return s.store.ListPublicEvents(ctx, org, limit)
}

// PublicHead returns the latest publication or archiving of org ("" for all).
func (s *Service) PublicHead(ctx context.Context, org string) (PublicHead, error) {
	if err := checkTerms("org", org); err != nil {
		return PublicHead{}, err
	}
	return s.store.GetPublicHead(ctx, org)
}

// PublicUnitName returns the name of a unit of an organisation: units are
// how an organisation is divided, which its public register shows.
func (s *Service) PublicUnitName(ctx context.Context, org, unit string) (string, error) {
	if !storableKeys(org, unit) {
		return "", notFound("unit")
	}
	u, err := s.store.GetUnit(ctx, org, unit)
	if err != nil {
		return "", err
	}
	return u.Name, nil
}

// PublicActions are the audit actions that change what the public register
// shows: a publication, an archiving, an organisation's name or contacts,
// the cleaning of stored text. Nothing else does (drafts, reviews, accounts
// and logins are not public).
func PublicActions() []string {
	return []string{ActionPublish, ActionArchive, ActionOrgUpdate, ActionTextClean}
}

// PublicSeq returns the sequence number of the latest change of the public
// register, 0 for none. It moves only with public content, so a cache keyed
// on it, or anything a visitor can time, tells nothing of drafts or of the
// back office. Processes that share a database poll it (see the public
// site's cache) to see each other's publications.
func (s *Service) PublicSeq(ctx context.Context) (int64, error) {
	seq, err := s.store.LastAuditOf(ctx, PublicActions())
	if err == nil {
		s.anchorsSeen(seq) // a change no hook told of: public_anchors.go
	}
	return seq, err
}

// OnPublicChange registers f, called after every change of the public
// register this service commits (publish, archive, organisation update),
// before the use case returns: the public site's cache invalidates there,
// where the change happens. Register before serving.
func (s *Service) OnPublicChange(f func()) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	s.publicHooks = append(s.publicHooks, f)
}

// PublicChangeListener is implemented by a store that keeps something of
// the public register in memory (the newest publications' search terms):
// the service tells it of every public change it commits or hears of, as
// it tells its OnPublicChange hooks.
type PublicChangeListener interface {
	PublicChanged()
}

// PublicNotifier is implemented by a store that several processes share
// (PostgreSQL): it tells the others that the public register changed, so
// that they drop what they kept at once instead of within a second (their
// caches ask PublicSeq again after that anyway, so a lost notice only
// delays).
type PublicNotifier interface {
	NotifyPublicChange(ctx context.Context) error
}

// publicChanged runs the OnPublicChange hooks after a public change this
// service committed, and tells the other processes.
func (s *Service) publicChanged(ctx context.Context) {
	s.PublicChangedElsewhere()
	if n, ok := s.store.(PublicNotifier); ok {
		if err := n.NotifyPublicChange(context.WithoutCancel(ctx)); err != nil {
			s.log.WarnContext(ctx, "could not tell other processes of a public change; they see it within a second", "err", err)
		}
	}
}

// PublicChangedElsewhere runs the OnPublicChange hooks: for a change this
// process made, or one another process made and notified (the store's
// listener calls it).
func (s *Service) PublicChangedElsewhere() {
	s.hooksMu.Lock()
	hooks := slices.Clone(s.publicHooks)
	s.hooksMu.Unlock()
	for _, f := range hooks {
		f()
	}
}

// ChangeSeq returns the sequence number of the register's latest change of
// any kind, 0 for none. Every change appends an audit entry in its own
// transaction, so what a caller derived from the register stays current for
// as long as this number does not move.
func (s *Service) ChangeSeq(ctx context.Context) (int64, error) {
	e, err := s.store.LastAudit(ctx)
	if err != nil || e == nil {
		return 0, err
	}
	return e.Seq, nil
}
