package register

import (
	"context"
	"fmt"
	"time"
	_ "time/tzdata" // "today" is a Zurich date on any machine

	"github.com/registre/registre/auth/identity"
)

// StandingStore is the part of Store that keeps the standings fresh
// without editing the records.
type StandingStore interface {
	// ListStandings returns up to f.Limit processings f selects, by id.
	ListStandings(ctx context.Context, f StandingScan) ([]Processing, error)
	// SetStanding writes the findings of st (Blocking, Warnings, Sensitive,
	// Laws, DPIADue, Abroad, Profiling, CheckedAt) and the review date of processing id if it is still at
	// revision; it reports whether it did. Neither the revision nor the
	// version nor who did what changes: a refresh is not an edit.
	SetStanding(ctx context.Context, id string, revision int64, st Standing, reviewDue string) (bool, error)
	// Overview counts the records of org by the standing's columns
	// (overview.go): one row per distinct combination.
	Overview(ctx context.Context, org, today string) ([]OverviewCount, error)
}

// StandingScan selects processings whose standing to compute.
type StandingScan struct {
	Organisation string // "" for all
	// CheckedBefore, when not zero, keeps the rows never checked or checked
	// before it.
	CheckedBefore time.Time
	After         string // ids after this one
	Limit         int
}

// standingBatch is how many records a refresh reads, checks and writes at
// a time: one write transaction each, short enough that saves wait little.
const standingBatch = 500

// zurich is where the register's days begin and end.
func zurich() *time.Location {
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		// Embedded with time/tzdata: only a broken build lacks it.
		panic(fmt.Sprintf("Europe/Zurich: %v", err))
	}
	return loc
}

// today is the service clock's date in Zurich, YYYY-MM-DD.
func (s *Service) today() string { return s.now().In(s.zone).Format(time.DateOnly) }

// startOfDay is midnight (Zurich) of the service clock's day.
func (s *Service) startOfDay() time.Time {
	y, m, d := s.now().In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, s.zone).UTC()
}

// check sets the findings part of p's standing as of now, against org.
func check(p *Processing, org *Organisation, now time.Time) {
	fs := Check(p, org, now)
	b := len(Blocking(fs))
	p.Standing.Blocking, p.Standing.Warnings = b, len(fs)-b
	p.Standing.Sensitive = p.Fields.Sensitive()
	p.Standing.CheckedAt = now
	p.Standing.Laws, p.Standing.DPIADue = blockingLaws(fs), false
	for _, f := range fs {
		if f.Rule == ruleDPIARequired {
			p.Standing.DPIADue = true
		}
	}
	p.Standing.Abroad, p.Standing.Profiling = p.Fields.TransfersAbroad(), p.Fields.Profiling
}

// stand computes the standing of next, about to be written in tx at now by
// principal by (nil for the system, whose cleaning is nobody's change).
// org may be nil: it is then read.
func (s *Service) stand(ctx context.Context, tx Store, next *Processing, org *Organisation, by *identity.Principal, now time.Time) error {
	if org == nil {
		var err error
		if org, err = tx.GetOrganisation(ctx, next.Organisation); err != nil {
			return err
		}
	}
	check(next, org, now)
	if by != nil {
		next.Standing.UpdatedBy = by.Subject
		if next.Standing.CreatedBy == "" {
			next.Standing.CreatedBy = by.Subject
		}
	}
	return nil
}

// RefreshStandings recomputes the findings of the records of org (of every
// organisation when org is ""), standingBatch at a time, and returns how
// many it wrote. It is not an edit: no version, no audit entry, the
// revision (and so every ETag) stays. A record saved meanwhile keeps the
// standing its save computed: the refresh writes a row only while it is at
// the revision the refresh read. UpdateOrganisation calls it (some rules
// read the organisation); serve calls RefreshStaleStandings daily.
func (s *Service) RefreshStandings(ctx context.Context, org string) (int, error) {
	return s.refresh(ctx, StandingScan{Organisation: org})
}

// RefreshStaleStandings recomputes the findings of the records never
// checked (from before the standings existed, or restored from a backup)
// or checked before today (Zurich): the rules on review dates depend on
// the day. serve calls it at start and then every hour; after the day's
// first pass it only reads.
func (s *Service) RefreshStaleStandings(ctx context.Context) (int, error) {
	return s.refresh(ctx, StandingScan{CheckedBefore: s.startOfDay()})
}

func (s *Service) refresh(ctx context.Context, f StandingScan) (int, error) {
	f.Limit = standingBatch
	orgs := map[string]*Organisation{}
	done := 0
	for {
		batch, err := s.store.ListStandings(ctx, f)
		if err != nil {
			return done, fmt.Errorf("refresh standings: %w", err)
		}
		if len(batch) == 0 {
			return done, nil
		}
		now := s.clock()
		for i := range batch {
			p := &batch[i]
			o, ok := orgs[p.Organisation]
			if !ok {
				if o, err = s.store.GetOrganisation(ctx, p.Organisation); err != nil {
					return done, fmt.Errorf("refresh standings: %w", err)
				}
				orgs[p.Organisation] = o
			}
			check(p, o, now)
		}
		err = s.store.InTx(ctx, func(tx Store) error {
			for i := range batch {
				p := &batch[i]
				ok, err := tx.SetStanding(ctx, p.ID, p.Revision, p.Standing, p.ReviewDue)
				if err != nil {
					return err
				}
				if ok {
					done++
				}
			}
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("refresh standings: %w", err)
		}
		f.After = batch[len(batch)-1].ID
	}
}

// standUnchecked computes, for the page only, the findings of items never
// checked yet: until the start-up refresh reaches them, the list still
// shows them right (its filters on findings do not see them yet).
func (s *Service) standUnchecked(ctx context.Context, items []Processing) error {
	orgs := map[string]*Organisation{}
	now := s.clock()
	for i := range items {
		p := &items[i]
		if !p.Standing.CheckedAt.IsZero() {
			continue
		}
		o, ok := orgs[p.Organisation]
		if !ok {
			var err error
			if o, err = s.store.GetOrganisation(ctx, p.Organisation); err != nil {
				return err
			}
			orgs[p.Organisation] = o
		}
		check(p, o, now)
	}
	return nil
}
