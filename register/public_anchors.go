package register

import (
	"context"
	"sync"
)

// defaultAnchorEvery is the spacing of the public list's anchors: a deep
// page walks at most this many rows of the index before its own, whatever
// its number. 200,000 published processings make 400 anchors: kilobytes.
const defaultAnchorEvery = 500

// WithPageAnchors sets the spacing of the public list's deep-page anchors
// (default 500); 0 turns them off, every page then read by offset.
func WithPageAnchors(every int) Option { return func(s *Service) { s.anchors.every = every } }

// publicAnchors keeps the sort keys of every every-th row of the public
// list, and where each organisation's rows begin in it, as of a public
// change sequence (PublicSeq). ?page=4000 by offset walks 200,000 index
// entries (20 ms on SQLite; on PostgreSQL the planner sorts the table
// instead, most of a second); from the nearest anchor it walks fewer than
// the spacing (issue 17: the last page as fast as the first). The first
// deep page after the public register changed reads them again, in one
// walk of the index (40–90 ms at 200,000).
type publicAnchors struct {
	every int        // spacing; 0: off
	mu    sync.Mutex // held while the keys are read: one reading at a time
	seq   int64
	built bool
	PublicAnchors
}

// deepPage turns f, a page of the list past the first anchor, into the
// anchor before it and the rows to skip after it (f.After, f.Skip). It
// leaves f as it is for searches, filters other than the organisation,
// cursors and shallow pages.
func (s *Service) deepPage(ctx context.Context, f *PublicFilter) error {
	offset, every := (f.Page-1)*f.PerPage, s.anchors.every
	if every <= 0 || f.Cursor != "" || offset < every || f.Query != "" ||
		f.Category != "" || f.Sensitive != nil || f.BasisType != "" {
		return nil
	}
	a, err := s.currentAnchors(ctx)
	if err != nil {
		return err
	}
	// The organisation's rows are consecutive in the whole list (it is the
	// first key): its page is at the same place there.
	before := 0
	if f.Organisation != "" {
		b, ok := a.Before[f.Organisation]
		if !ok {
			return nil // nothing published: the page is empty anyway
		}
		before = b
	}
	n := min((before+offset)/every, len(a.Keys))
	if n*every <= before {
		return nil // no anchor inside the organisation's rows before the page
	}
	f.After = &Cursor{Keys: a.Keys[n-1]}
	f.Skip = before + offset - n*every
	return nil
}

// currentAnchors returns the anchors as of the public change sequence read
// now, reading them again when it moved.
func (s *Service) currentAnchors(ctx context.Context) (PublicAnchors, error) {
	seq, err := s.PublicSeq(ctx)
	if err != nil {
		return PublicAnchors{}, err
	}
	a := &s.anchors
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.built || a.seq != seq {
		// The sequence was read before the keys: a publication between
		// the two leaves keys newer than their sequence, which the next
		// deep page reads again; never older keys under a newer one.
		read, err := s.store.PublicListAnchors(ctx, a.every)
		if err != nil {
			return PublicAnchors{}, err
		}
		a.PublicAnchors, a.seq, a.built = read, seq, true
	}
	return a.PublicAnchors, nil
}
