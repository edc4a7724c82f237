package register

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/registre/registre/auth/identity"
)

// Ending is how a processing ended, as the public keeps it once the
// processing has left the register: only public facts, and no one's name.
type Ending struct {
	ProcessingID string    `json:"id"`
	Organisation string    `json:"organisation"`
	Title        string    `json:"title"`
	EndedOn      string    `json:"ended_on"`
	Reason       string    `json:"reason"`
	Version      int       `json:"-"` // the version public when it ended
	ArchivedAt   time.Time `json:"-"` // when the DPO archived it
}

// EndInput is what ending a processing takes: the day it ended (today when
// empty; it may be in the past or the future) and a short public reason.
// Comment goes to the audit trail only.
type EndInput struct {
	EndedOn string `json:"ended_on"`
	Reason  string `json:"reason"`
	Comment string `json:"comment"`
}

// MaxEndReason bounds the public reason of an ending.
const MaxEndReason = 500

// EndingStore keeps the endings of processings.
type EndingStore interface {
	PutEnding(ctx context.Context, e *Ending) error
	GetEnding(ctx context.Context, id string) (*Ending, error)
	// ListEndings returns the endings of org ("" for all), latest end
	// first, at most limit.
	ListEndings(ctx context.Context, org string, limit int) ([]Ending, error)
}

// check validates in, giving EndedOn its default (today).
func (in *EndInput) check(today string) error {
	var fields []FieldError
	in.EndedOn = strings.TrimSpace(in.EndedOn)
	in.Reason = strings.Join(strings.Fields(in.Reason), " ")
	if in.EndedOn == "" {
		in.EndedOn = today
	} else if !validDate(in.EndedOn) {
		fields = append(fields, FieldError{Field: "ended_on", Message: "must be a date (YYYY-MM-DD)"})
	}
	switch {
	case utf8.RuneCountInString(in.Reason) > MaxEndReason:
		fields = append(fields, FieldError{Field: "reason", Message: "must be at most 500 characters long"})
	case badText(in.Reason) != "":
		fields = append(fields, FieldError{Field: "reason", Message: badText(in.Reason)})
	}
	c, err := trimComment(in.Comment)
	if err != nil {
		return err
	}
	in.Comment = c
	if fields != nil {
		return invalid(fields...)
	}
	return nil
}

// Archivable reports whether p can be archived now: it was published and
// is not archived yet, whatever draft is pending.
func Archivable(p *Processing) bool {
	return p.PublishedVersion > 0 && p.Status != StatusArchived
}

// Archive ends a processing: it leaves the public register, which keeps
// only its ending (id, organisation, title, end date, reason). A DPO may do
// it at any time, also while a newer draft is pending: that draft stays in
// the history as it was, never published. The transparency log records the
// archiving at the moment it is done, whatever the end date says.
func (s *Service) Archive(ctx context.Context, p *identity.Principal, id string, ifMatch *int64, in EndInput) (*Processing, error) {
	if err := in.check(s.today()); err != nil {
		return nil, err
	}
	var out *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := s.getProcessing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := requireRole(p, workflow()[StepArchive].roles...); err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != cur.Revision {
			return Errorf(EPreconditionFailed, "the processing was changed since you read it; read it again")
		}
		if !Archivable(cur) {
			return Errorf(EConflict, "cannot archive a processing that is %s", strings.ReplaceAll(string(cur.Status), "_", " "))
		}
		now := s.clock()
		pub, err := tx.GetPublication(ctx, id)
		if err != nil {
			return err
		}
		if err := s.logPublic(ctx, tx, pub, LogArchive, now); err != nil {
			return err
		}
		if err := tx.DeletePublication(ctx, id); err != nil {
			return err
		}
		if err := tx.PutEnding(ctx, &Ending{ProcessingID: id, Organisation: cur.Organisation, Title: pub.Title,
			EndedOn: in.EndedOn, Reason: in.Reason, Version: pub.Version, ArchivedAt: now}); err != nil {
			return err
		}
		next := *cur
		next.Status = StatusArchived
		next.Revision = cur.Revision + 1
		next.UpdatedAt = now
		next.Standing.Returned, next.Standing.ReturnComment = false, ""
		if err := s.stand(ctx, tx, &next, nil, p, now); err != nil {
			return err
		}
		if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&next.Fields), cur.Revision); err != nil {
			return err
		}
		out = &next
		comment := "ended " + in.EndedOn
		if cur.Status != StatusPublished {
			// The pending draft is kept, unpublished: say so in the trail.
			comment += "; draft version " + strconv.Itoa(cur.Version) + " not published"
		}
		if in.Comment != "" {
			comment += "; " + in.Comment
		}
		return s.audit(ctx, tx, p, now, cur.Organisation, ActionArchive, "processing/"+id, pub.Version, comment)
	})
	if err != nil {
		return nil, err
	}
	s.publicChanged(ctx)
	return out, nil
}

// PublicEnding returns how a processing that left the public register
// ended; not found when it never ended (or never existed).
func (s *Service) PublicEnding(ctx context.Context, id string) (*Ending, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, notFound("processing")
	}
	return s.store.GetEnding(ctx, id)
}

// PublicEndings returns the endings of org ("" for every organisation),
// latest end first, at most MaxPublicEvents of them.
func (s *Service) PublicEndings(ctx context.Context, org string) ([]Ending, error) {
	if err := checkTerms("org", org); err != nil {
		return nil, err
	}
	return s.store.ListEndings(ctx, org, MaxPublicEvents)
}

// Today is the service clock's date in Zurich (YYYY-MM-DD): the day the
// register's dates are judged on.
func (s *Service) Today() string { return s.today() }
