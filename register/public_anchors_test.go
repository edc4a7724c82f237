package register_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// anchorStore counts the readings of the anchors, and can hold them or make
// them fail.
type anchorStore struct {
	register.Store
	reads atomic.Int64

	mu      sync.Mutex
	gate    chan struct{} // non-nil: a reading waits for it to close
	entered chan struct{} // told when a reading waits at gate
	fail    error
}

func (s *anchorStore) PublicListAnchors(ctx context.Context, every int) (register.PublicAnchors, error) {
	s.reads.Add(1)
	s.mu.Lock()
	gate, entered, fail := s.gate, s.entered, s.fail
	s.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		select {
		case <-gate:
		case <-ctx.Done():
			return register.PublicAnchors{}, ctx.Err()
		}
	}
	if fail != nil {
		return register.PublicAnchors{}, fail
	}
	return s.Store.PublicListAnchors(ctx, every)
}

// hold makes the next reading wait until release is called; entered tells
// when it waits.
func (s *anchorStore) hold() (entered <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.entered = make(chan struct{}), make(chan struct{}, 1)
	gate := s.gate
	return s.entered, func() {
		s.mu.Lock()
		s.gate = nil
		s.mu.Unlock()
		close(gate)
	}
}

func (s *anchorStore) failWith(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

// anchorFixture seeds 24 processings in carouge and onex, 8 of them
// published, and returns a service over a counting store with anchors every
// 4 rows, reading them in the background (stopped at the test's end), a
// service that reads every page by offset, and the unpublished ids.
func anchorFixture(t *testing.T, db *sqlstore.DB, log *slog.Logger) (*register.Service, *anchorStore, *register.Service, []string) {
	t.Helper()
	var docs []searchDoc
	for i := range 24 {
		// The published share their titles within each organisation, so
		// that ids break ties across anchors; the others are named apart,
		// to be found by title.
		d := searchDoc{[]string{"carouge", "onex"}[i%2], "Registre " + string(rune('A'+i/2%3)), "Tenue.", "", i%3 == 0}
		if !d.publish {
			d.title += fmt.Sprint(" ", i)
		}
		docs = append(docs, d)
	}
	plain, ids := seedSearch(t, db, docs)
	var unpublished []string
	for _, d := range docs {
		if !d.publish {
			unpublished = append(unpublished, ids[d.title])
		}
	}
	st := &anchorStore{Store: db.Store()}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc := register.NewService(st, register.WithPageAnchors(4), register.WithLogger(log))
	// Readings a millisecond apart: the bounds tested are on counts.
	register.SetAnchorReadingGap(svc, time.Millisecond)
	t.Cleanup(svc.KeepPublicAnchors(context.Background()))
	return svc, st, plain, unpublished
}

// publish submits and publishes id through svc.
func publish(t *testing.T, svc *register.Service, id string) {
	t.Helper()
	if err := publishErr(svc, id); err != nil {
		t.Fatal(err)
	}
}

func publishErr(svc *register.Service, id string) error {
	for _, s := range []register.Step{register.StepSubmit, register.StepPublish} {
		if _, err := svc.Transition(context.Background(), register.CommandLine("test"), id, s, nil, ""); err != nil {
			return err
		}
	}
	return nil
}

// waitAnchorsCurrent waits until svc's anchors are as of the public change
// sequence, reading it so that the reader is not woken by the waiting.
func waitAnchorsCurrent(t *testing.T, svc *register.Service, st register.Store, why string) {
	t.Helper()
	ctx := context.Background()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Millisecond) {
		seq, err := register.QuietPublicSeq(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if register.AnchorsSeq(svc) == seq {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the anchors are as of %d, not %d, after a minute", why, register.AnchorsSeq(svc), seq)
		}
	}
}

// sameDeepPages asks every page of the public list, of all and of each
// organisation, from svc and by offset from plain.
func sameDeepPages(t *testing.T, svc, plain *register.Service) {
	t.Helper()
	ctx := context.Background()
	for _, org := range []string{"", "carouge", "onex"} {
		for _, per := range []int{1, 3} {
			for page := 1; page <= 26/per+1; page++ {
				f := register.PublicFilter{Organisation: org, Page: page, PerPage: per}
				want, err := plain.ListPublicPage(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := svc.ListPublicPage(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(titlesAndIDs(got.Items), titlesAndIDs(want.Items)) || got.Total != want.Total {
					t.Fatalf("org %q page %d of %d: %v (total %d), want %v (total %d)", org, page, per,
						titlesAndIDs(got.Items), got.Total, titlesAndIDs(want.Items), want.Total)
				}
			}
		}
	}
}

// TestAnchorsAreReadInTheBackgroundAfterAPublication: the anchors are read
// at start and again after a publication, with no deep page asked; the
// deep pages that follow read nothing more and are the pages by offset.
func TestAnchorsAreReadInTheBackgroundAfterAPublication(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, st, plain, unpublished := anchorFixture(t, db, nil)
		waitAnchorsCurrent(t, svc, st, "at start")
		publish(t, svc, unpublished[0])
		waitAnchorsCurrent(t, svc, st, "after a publication")
		reads := st.reads.Load()
		sameDeepPages(t, svc, plain)
		if n := st.reads.Load() - reads; n != 0 {
			t.Errorf("the deep pages read the anchors %d times, want 0: the background reading was not used", n)
		}
	})
}

// TestPublicationsDuringAReadingMakeOneMore: ten publications while a
// reading is in flight neither wait for it nor make ten readings: one more
// after it, and the anchors are then current.
func TestPublicationsDuringAReadingMakeOneMore(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, st, plain, unpublished := anchorFixture(t, db, nil)
		waitAnchorsCurrent(t, svc, st, "at start")
		entered, release := st.hold()
		// The hooks run before a use case returns: were they to read, the
		// publications would wait for the held reading.
		var failed error
		next, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			if failed = publishErr(svc, unpublished[0]); failed != nil {
				return
			}
			<-next
			for _, id := range unpublished[1:11] {
				if failed = publishErr(svc, id); failed != nil {
					return
				}
			}
		}()
		select {
		case <-entered: // the first publication's reading, held
		case <-time.After(time.Minute):
			t.Fatal("a publication did not start a reading of the anchors")
		}
		close(next)
		select {
		case <-done:
		case <-time.After(time.Minute):
			release()
			t.Fatal("publications waited for the reading in flight")
		}
		if failed != nil {
			t.Fatal(failed)
		}
		reads := st.reads.Load()
		release()
		waitAnchorsCurrent(t, svc, st, "after ten publications")
		if n := st.reads.Load() - reads; n != 1 {
			t.Errorf("ten publications during a reading made %d more readings, want 1", n)
		}
		sameDeepPages(t, svc, plain)
	})
}

// TestAChangeFoundByPublicSeqIsRead: a publication another process made
// (another service on the same database, whose hooks this one does not
// hear) is read in the background once PublicSeq, which the public site's
// caches ask every second, finds it.
func TestAChangeFoundByPublicSeqIsRead(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, st, plain, unpublished := anchorFixture(t, db, nil)
		waitAnchorsCurrent(t, svc, st, "at start")
		publish(t, plain, unpublished[0])
		seq, err := register.QuietPublicSeq(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if register.AnchorsSeq(svc) == seq {
			t.Fatal("the anchors followed a change nothing told them of")
		}
		if _, err := svc.PublicSeq(ctx); err != nil {
			t.Fatal(err)
		}
		waitAnchorsCurrent(t, svc, st, "after PublicSeq saw another process's publication")
		sameDeepPages(t, svc, plain)
	})
}

// lockedBuffer is a bytes.Buffer for a logger and a test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFailedAnchorReadingsAreLoggedOnce: background readings that fail are
// logged once, not once each; deep pages still are the pages by offset
// (they read the anchors themselves, and fail as the store does); the first
// reading that works again is logged, and the anchors are then current.
func TestFailedAnchorReadingsAreLoggedOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		var logs lockedBuffer
		svc, st, plain, unpublished := anchorFixture(t, db, slog.New(slog.NewTextHandler(&logs, nil)))
		waitAnchorsCurrent(t, svc, st, "at start")
		st.failWith(errors.New("disk on fire"))
		for i, id := range unpublished[:3] {
			reads := st.reads.Load()
			publish(t, svc, id)
			for deadline := time.Now().Add(time.Minute); st.reads.Load() == reads; time.Sleep(2 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("publication %d: no reading of the anchors after a minute", i)
				}
			}
		}
		// The reading after the third publication may still be logging.
		for deadline := time.Now().Add(time.Minute); !strings.Contains(logs.String(), "disk on fire"); time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no warning after failed readings: %q", logs.String())
			}
		}
		st.failWith(nil)
		publish(t, svc, unpublished[3])
		waitAnchorsCurrent(t, svc, st, "once readings work again")
		for deadline := time.Now().Add(time.Minute); !strings.Contains(logs.String(), "read in the background again"); time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no notice of readings working again: %q", logs.String())
			}
		}
		if n := strings.Count(logs.String(), "disk on fire"); n != 1 {
			t.Errorf("three failed readings logged %d times, want once:\n%s", n, logs.String())
		}
		sameDeepPages(t, svc, plain)
	})
}

// TestAnchorReaderStopsWithItsContext: the reader's goroutine ends when its
// context does (stop returns only once it has), and changes after that
// neither block nor read.
func TestAnchorReaderStopsWithItsContext(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		var docs []searchDoc
		for i := range 4 {
			docs = append(docs, searchDoc{"carouge", "Registre " + string(rune('A'+i)), "Tenue.", "", i < 2})
		}
		_, ids := seedSearch(t, db, docs)
		st := &anchorStore{Store: db.Store()}
		svc := register.NewService(st, register.WithPageAnchors(1))
		register.SetAnchorReadingGap(svc, time.Millisecond)
		ctx, cancel := context.WithCancel(context.Background())
		stop := svc.KeepPublicAnchors(ctx)
		waitAnchorsCurrent(t, svc, st, "at start")
		cancel()
		stop() // returns once the goroutine ended: a leak would hang here
		reads := st.reads.Load()
		publish(t, svc, ids["Registre C"])
		publish(t, svc, ids["Registre D"])
		if n := st.reads.Load() - reads; n != 0 {
			t.Errorf("a stopped reader read the anchors %d times", n)
		}
		// Started again, it reads at once.
		t.Cleanup(svc.KeepPublicAnchors(context.Background()))
		waitAnchorsCurrent(t, svc, st, "started again")
	})
}
