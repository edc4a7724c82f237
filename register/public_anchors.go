package register

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// defaultAnchorEvery is the spacing of the public list's anchors: a deep
// page walks at most this many rows of the index before its own, whatever
// its number. 200,000 published processings make 400 anchors: kilobytes.
const defaultAnchorEvery = 500

// anchorReadingGap is the least time between the end of one background
// reading of the anchors and the start of the next. A reading walks the
// whole index (40–90 ms at 200,000 warm, up to 0.7 s cold): an import that
// publishes thousands of records, each a public change, would otherwise
// keep a core re-reading them. Within this second a deep page that finds
// them stale reads them itself, as it did before they were read in the
// background.
const anchorReadingGap = time.Second

// WithPageAnchors sets the spacing of the public list's deep-page anchors
// (default 500); 0 turns them off, every page then read by offset.
func WithPageAnchors(every int) Option { return func(s *Service) { s.anchors.every = every } }

// publicAnchors keeps the sort keys of every every-th row of the public
// list, and where each organisation's rows begin in it, as of a public
// change sequence (PublicSeq). ?page=4000 by offset walks 200,000 index
// entries (20 ms on SQLite; on PostgreSQL the planner sorts the table
// instead, most of a second); from the nearest anchor it walks fewer than
// the spacing (issue 17: the last page as fast as the first). Reading them
// takes one walk of the index (40–90 ms at 200,000): KeepPublicAnchors
// reads them in the background after every public change, and a deep page
// that still finds them stale reads them itself.
type publicAnchors struct {
	every int        // spacing; 0: off
	mu    sync.Mutex // held while the keys are read: one reading at a time
	seq   int64
	built bool
	PublicAnchors

	// readSeq is seq once built (-1 before), for PublicSeq's callers to
	// compare without waiting for a reading that holds mu.
	readSeq atomic.Int64
	// wake asks the background reader for a reading; its one slot is how
	// changes during a reading coalesce into one more.
	wake    chan struct{}
	running atomic.Bool   // a KeepPublicAnchors runs
	gap     time.Duration // anchorReadingGap; tests shorten it
}

// init sets the defaults, before the options.
func (a *publicAnchors) init() {
	a.every, a.gap, a.wake = defaultAnchorEvery, anchorReadingGap, make(chan struct{}, 1)
	a.readSeq.Store(-1)
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
// now, reading them again when it moved. A deep page waits here for a
// background reading in flight rather than use older anchors.
func (s *Service) currentAnchors(ctx context.Context) (PublicAnchors, error) {
	// From the store, not PublicSeq: that one wakes the background reader
	// when the sequence moved (anchorsSeen), which this reading serves.
	seq, err := s.store.LastAuditOf(ctx, PublicActions())
	if err != nil {
		return PublicAnchors{}, err
	}
	a := &s.anchors
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.built || a.seq != seq {
		// The sequence was read before the keys: a publication between
		// the two leaves keys newer than their sequence, which the next
		// reading reads again; never older keys under a newer one.
		read, err := s.store.PublicListAnchors(ctx, a.every)
		if err != nil {
			return PublicAnchors{}, err
		}
		a.PublicAnchors, a.seq, a.built = read, seq, true
		a.readSeq.Store(seq)
	}
	return a.PublicAnchors, nil
}

// anchorsSeen is told every public change sequence PublicSeq reads: one
// that the anchors are not as of is a change this process was not told of
// (another process on SQLite, a lost notice on PostgreSQL), which the
// public site's caches find within a second by asking PublicSeq. The
// background reader, if any, then reads the anchors again.
func (s *Service) anchorsSeen(seq int64) {
	if s.anchors.every > 0 && s.anchors.readSeq.Load() != seq {
		s.wakeAnchors()
	}
}

// wakeAnchors asks the background reader for a reading, without waiting:
// it runs in the OnPublicChange hooks, before a use case returns. A
// request already pending absorbs this one.
func (s *Service) wakeAnchors() {
	select {
	case s.anchors.wake <- struct{}{}:
	default:
	}
}

// KeepPublicAnchors reads the public list's anchors now and again after
// every public change (OnPublicChange: this process's changes and those
// other processes notified; PublicSeq: those found by asking), in one
// goroutine, until ctx ends or stop is called; stop returns once the
// goroutine has. So no visitor's deep page pays for the reading in the
// usual case. Readings are one at a time, at least anchorReadingGap
// apart, and changes during one make at most one more. A failed reading is
// logged once until one succeeds; deep pages then read the anchors
// themselves as without this. Call it once, before serving; with the
// anchors off, or when it already runs, it does nothing.
func (s *Service) KeepPublicAnchors(ctx context.Context) (stop func()) {
	a := &s.anchors
	if a.every <= 0 || !a.running.CompareAndSwap(false, true) {
		return func() {}
	}
	s.OnPublicChange(s.wakeAnchors)
	s.wakeAnchors() // the first reading, at start
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer a.running.Store(false)
		s.readAnchorsOnWake(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// readAnchorsOnWake is KeepPublicAnchors' goroutine.
func (s *Service) readAnchorsOnWake(ctx context.Context) {
	a := &s.anchors
	var last time.Time // end of the last reading
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
		}
		if wait := a.gap - time.Since(last); !last.IsZero() && wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		// Changes committed until now are in the sequence this reading
		// reads first: requests made while waiting are served by it.
		select {
		case <-a.wake:
		default:
		}
		_, err := s.currentAnchors(ctx)
		last = time.Now()
		switch {
		case err != nil && ctx.Err() != nil:
			return
		case err != nil && !failing:
			s.log.WarnContext(ctx, "reading the public list's anchors in the background; deep pages read them themselves until it works again", "err", err)
			failing = true
		case err == nil && failing:
			s.log.InfoContext(ctx, "the public list's anchors are read in the background again")
			failing = false
		}
	}
}
