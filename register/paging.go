package register

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/registre/registre/auth/identity"
)

// SearchTotalCap bounds the count of a full-text search: past it the count
// stops and the page says so (TotalIsCapped). Counting every match of a
// frequent word would cost as much as the search itself; a reader refines a
// query long before ten thousand results. Lists without a query count exactly.
const SearchTotalCap = 10_000

// SearchRankCap bounds the matches a search ranked by relevance considers:
// past it, the search ranks the SearchRankCap most recently indexed matches
// only, its total is SearchRankCap and TotalIsCapped is true. A word found
// in most records (or a one-letter prefix) would otherwise be scored over
// every match on every request, and its relevance tells records apart
// little: it is in all of them. A reader narrows such a query with a second
// word, which brings the matches under the cap and ranks them all.
const SearchRankCap = 200

// Cursor marks where a page ended, in the list's sort order: (score, id) for
// a search ranked by relevance, the sort keys otherwise. Pages fetched by
// cursor cost one index seek however deep they are, unlike offsets.
type Cursor struct {
	// Filter is a digest of the filter that produced the page: a cursor is
	// refused with another query or other filters.
	Filter string   `json:"f"`
	Score  float64  `json:"s,omitempty"`
	Keys   []string `json:"k"`
}

// Encode returns the cursor as an opaque URL-safe string.
func (c *Cursor) Encode() string {
	b, _ := json.Marshal(c) // strings and a float: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// maxCursorLen bounds a cursor: its keys are a title and ids at most.
const maxCursorLen = 2048

func decodeCursor(s, filter string, keys int) (*Cursor, error) {
	bad := invalid(FieldError{Field: "cursor", Message: "is not a cursor of this list; start again from the first page"})
	if len(s) > maxCursorLen {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c Cursor
	if json.Unmarshal(b, &c) != nil || c.Filter != filter || len(c.Keys) != keys {
		return nil, bad
	}
	return &c, nil
}

func digest(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%x", h.Sum64())
}

// cursorDigest names the filter of a public list.
func (f PublicFilter) cursorDigest() string {
	s := ""
	if f.Sensitive != nil {
		s = fmt.Sprint(*f.Sensitive)
	}
	return digest("public", f.Organisation, strings.TrimSpace(f.Query), f.Category, s, string(f.BasisType))
}

// cursorDigest names the filter and the order of a back-office list: a
// cursor of one sort, view or filter is refused with another.
func (f ProcessingFilter) cursorDigest() string {
	opt := func(b *bool) string {
		if b == nil {
			return ""
		}
		return fmt.Sprint(*b)
	}
	today := ""
	if f.Overdue {
		today = f.Today
	}
	actor := ""
	if f.View != "" {
		actor = f.Actor
	}
	return digest("processings", f.Organisation, f.Unit, string(f.Status), strings.TrimSpace(f.Query),
		opt(f.Sensitive), opt(f.Blocking), fmt.Sprint(f.Overdue), today, string(f.View), actor,
		string(f.Sort), fmt.Sprint(f.Desc), f.Law, string(f.Risk), fmt.Sprint(f.Current))
}

// Ranked reports whether the list is ordered by relevance: a search whose
// caller chose no sort. An explicit Sort orders the matches by that column
// instead (the search then only filters).
func (f ProcessingFilter) Ranked() bool { return !f.Search().Empty() && f.Sort == "" }

// SortOrder is the column the list is ordered by and whether descending:
// (SortUpdated, newest first) when no sort is given; an explicit Sort is
// ascending unless Desc. Ties are broken by the last change, then by id,
// in the same direction: the order an index (column, updated_at, id)
// serves both ways, and within a group the records changed most recently
// first when descending.
func (f ProcessingFilter) SortOrder() (SortKey, bool) {
	if f.Sort == "" {
		return SortUpdated, true
	}
	return f.Sort, f.Desc
}

// Valid reports whether k is one of the sortable columns.
func (k SortKey) Valid() bool {
	switch k {
	case SortUpdated, SortTitle, SortReference, SortUnit, SortStatus, SortVersion, SortBlocking:
		return true
	}
	return false
}

// WithinOrganisation reports whether k's values mean something only within
// one organisation: references are each organisation's own numbering, unit
// identifiers are per organisation, and versions count one record's
// revisions. An administrator's list of every organisation is not sorted
// by them (it would also be the one list no index serves at 200,000
// records: issue 15).
func (k SortKey) WithinOrganisation() bool {
	return k == SortReference || k == SortUnit || k == SortVersion
}

// Valid reports whether v is one of the views.
func (v View) Valid() bool {
	switch v {
	case ViewMyDrafts, ViewReturned, ViewToReview:
		return true
	}
	return false
}

// PublicCursorKeys is the number of keys of a public list's cursor: (score,
// id) when searching, (organisation, title, id) otherwise.
func (f PublicFilter) cursorKeys() int {
	if f.Search().Empty() {
		return 3
	}
	return 1
}

func (f ProcessingFilter) cursorKeys() int {
	if f.Ranked() {
		return 1 // id; the score is the cursor's Score
	}
	if k, _ := f.SortOrder(); k != SortUpdated {
		return 3 // the sort column's value, the last change, id
	}
	return 2 // the last change, id
}

// Search returns the filter's query as full-text terms.
func (f PublicFilter) Search() Query { return ParseQuery(strings.TrimSpace(f.Query)) }

// Search returns the filter's query as full-text terms.
func (f ProcessingFilter) Search() Query { return ParseQuery(strings.TrimSpace(f.Query)) }

// Searching reports whether the filter has a query at all; a query with no
// searchable word (only punctuation) matches nothing.
func (f PublicFilter) Searching() bool { return strings.TrimSpace(f.Query) != "" }

// Searching reports whether the filter has a query at all.
func (f ProcessingFilter) Searching() bool { return strings.TrimSpace(f.Query) != "" }

// PublicationPage is one page of the public register.
type PublicationPage struct {
	Items []Publication
	// Total counts the matching publications: exactly for a list, up to
	// SearchTotalCap for a search (then TotalIsCapped is true).
	Total         int
	TotalIsCapped bool
	// NextCursor fetches the following page; "" on the last one.
	NextCursor string
	// Query is the search as terms, for highlighting: Query.Highlights(text)
	// gives the words of an item's title or summary that matched.
	Query Query
}

// ProcessingPage is one page of a back-office list.
type ProcessingPage struct {
	Items         []Processing
	Total         int
	TotalIsCapped bool
	NextCursor    string
	Query         Query
}

// ListPublicPage lists published processings: ranked by relevance when
// f.Query is set (title, purpose and summary weigh more than the
// description), else by organisation and title. f.Cursor, when set, fetches
// the page after the one that returned it and f.Page is ignored.
func (s *Service) ListPublicPage(ctx context.Context, f PublicFilter) (PublicationPage, error) {
	var err error
	if f.Page, f.PerPage, err = CheckPage(f.Page, f.PerPage); err != nil {
		return PublicationPage{}, err
	}
	if err := f.check(); err != nil {
		return PublicationPage{}, err
	}
	if len([]rune(f.Query)) > 200 {
		return PublicationPage{}, invalid(FieldError{Field: "q", Message: "must be at most 200 characters long"})
	}
	if f.BasisType != "" && !f.BasisType.Valid() {
		return PublicationPage{}, invalid(FieldError{Field: "legal_basis", Message: "is not a known legal basis type"})
	}
	if f.Cursor != "" {
		if f.After, err = decodeCursor(f.Cursor, f.cursorDigest(), f.cursorKeys()); err != nil {
			return PublicationPage{}, err
		}
		f.Page = 1
	}
	if err := s.deepPage(ctx, &f); err != nil {
		return PublicationPage{}, err
	}
	page, err := s.store.SearchPublications(ctx, f)
	if err != nil {
		return PublicationPage{}, err
	}
	page.Query = f.Search()
	return page, nil
}

// ListProcessingsPage is ListProcessings with cursors, capped search totals
// and relevance ranking: the back office's lists, all statuses, of p's
// organisation (an administrator's: of all, or of f.Organisation).
//
// The filters on findings (Blocking, Sensitive, Overdue) and the views read
// the standing kept with each record; the views are relative to p (Actor).
// ViewToReview is every record in review of the organisation, whoever asks:
// an editor sees those of other units too, as the list already shows them.
// Order: with a query and no Sort, by relevance; with a Sort, by that
// column (the query then only filters); else by last change, newest first.
func (s *Service) ListProcessingsPage(ctx context.Context, p *identity.Principal, f ProcessingFilter) (ProcessingPage, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return ProcessingPage{}, err
	}
	var err error
	if f.Page, f.PerPage, err = CheckPage(f.Page, f.PerPage); err != nil {
		return ProcessingPage{}, err
	}
	if err := s.checkListFilter(p, &f); err != nil {
		return ProcessingPage{}, err
	}
	if f.Cursor != "" {
		if f.After, err = decodeCursor(f.Cursor, f.cursorDigest(), f.cursorKeys()); err != nil {
			return ProcessingPage{}, err
		}
		f.Page = 1
	}
	page, err := s.store.SearchProcessings(ctx, f)
	if err != nil {
		return ProcessingPage{}, err
	}
	if err := s.standUnchecked(ctx, page.Items); err != nil {
		return ProcessingPage{}, err
	}
	page.Query = f.Search()
	return page, nil
}

// checkListFilter validates the filter of a back-office list and sets what
// only the service may: the organisation of anyone but an administrator,
// the actor the views are relative to and the day overdue is judged on.
func (s *Service) checkListFilter(p *identity.Principal, f *ProcessingFilter) error {
	var fields []FieldError
	if f.Status != "" && !f.Status.Valid() {
		fields = append(fields, FieldError{Field: "status", Message: "is not one of draft, in_review, published, archived"})
	}
	if len([]rune(f.Query)) > 200 {
		fields = append(fields, FieldError{Field: "q", Message: "must be at most 200 characters long"})
	}
	if f.Sort != "" && !f.Sort.Valid() {
		fields = append(fields, FieldError{Field: "sort", Message: "is not one of updated, title, reference, unit, status, version, blocking"})
	}
	if f.View != "" && !f.View.Valid() {
		fields = append(fields, FieldError{Field: "view", Message: "is not one of my-drafts, returned, to-review"})
	}
	if f.Law != "" && !slices.Contains(LawCodes(), f.Law) {
		fields = append(fields, FieldError{Field: "law", Message: "is not a law code of the rules"})
	}
	if f.Risk != "" && !f.Risk.Valid() {
		fields = append(fields, FieldError{Field: "risk", Message: "is not one of dpia, transfers, profiling"})
	}
	if fields != nil {
		return invalid(fields...)
	}
	if err := f.check(); err != nil {
		return err
	}
	if p.Role != identity.RoleAdmin {
		f.Organisation = p.Org
	}
	if f.Organisation == "" && f.Sort.WithinOrganisation() {
		return invalid(FieldError{Field: "sort", Message: "by reference, unit or version needs one organisation (org): their values mean something only within it"})
	}
	f.Actor, f.Today = p.Subject, s.today()
	return nil
}

// RankedCursor builds the cursor after the last item of a page ranked by
// relevance: its score and the store's key among equal scores (the store
// chooses it: an id, or SQLite's row number, newest first).
func (f PublicFilter) RankedCursor(score float64, tie string) string {
	return (&Cursor{Filter: f.cursorDigest(), Score: score, Keys: []string{tie}}).Encode()
}

// RankedCursor is PublicFilter.RankedCursor for the back office.
func (f ProcessingFilter) RankedCursor(score float64, tie string) string {
	return (&Cursor{Filter: f.cursorDigest(), Score: score, Keys: []string{tie}}).Encode()
}

// NextCursor builds the cursor after the last item of a page of the public
// list (a search's is RankedCursor).
func (f PublicFilter) NextCursor(last *Publication) string {
	return (&Cursor{Filter: f.cursorDigest(), Keys: []string{last.Organisation, last.Title, last.ProcessingID}}).Encode()
}

// NextCursor builds the cursor after the last item of a back-office page;
// keys are the item's values of the order's columns before its id (the
// sort column's, then the last change's, as the store compares them).
// (A page ranked by relevance has RankedCursor's.)
func (f ProcessingFilter) NextCursor(last *Processing, keys []string) string {
	return (&Cursor{Filter: f.cursorDigest(), Keys: append(slices.Clip(keys), last.ID)}).Encode()
}
