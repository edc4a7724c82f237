package register

import (
	"context"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/registre/registre/auth/identity"
)

// ReviewNote is a DPO's comment on one field of a draft, given when
// returning it. Every return's notes are kept (the history shows them); the
// editor sees the last return's beside the fields while the draft stays
// returned.
type ReviewNote struct {
	ProcessingID string    `json:"-"`
	ReturnedAt   time.Time `json:"returned_at"`
	Version      int       `json:"version"` // the version returned
	Field        string    `json:"field"`   // a field's JSON path: "purpose", "retention.period", "legal_bases"
	Note         string    `json:"note"`
	Author       string    `json:"author"`
}

// ReviewStore keeps the review notes.
type ReviewStore interface {
	PutReviewNotes(ctx context.Context, notes []ReviewNote) error
	// ListReviewNotes returns every note of a processing, the latest
	// return first, by field within a return.
	ListReviewNotes(ctx context.Context, id string) ([]ReviewNote, error)
}

// Bounds of the notes of one return.
const (
	MaxReviewNotes    = 60
	MaxReviewNoteRune = 1000
)

var notePathRE = regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)*$`)

// noteRoots are the top-level JSON names of Fields: a note names a field
// under one of them.
func noteRoots() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(Fields{})
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}

// checkNotes validates the notes of a return (field path → text): blank
// notes are dropped, each path must name a field of a processing.
func checkNotes(in map[string]string) (map[string]string, error) {
	roots := noteRoots()
	out := map[string]string{}
	var fields []FieldError
	for path, text := range in {
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		root, _, _ := strings.Cut(path, ".")
		switch {
		case !notePathRE.MatchString(path) || !roots[root]:
			fields = append(fields, FieldError{Field: "notes", Message: "name a field of the processing (its JSON path)"})
		case utf8.RuneCountInString(text) > MaxReviewNoteRune:
			fields = append(fields, FieldError{Field: "notes." + path, Message: "must be at most 1000 characters long"})
		case badText(text) != "":
			fields = append(fields, FieldError{Field: "notes." + path, Message: badText(text)})
		default:
			out[path] = text
		}
	}
	if len(out) > MaxReviewNotes {
		fields = append(fields, FieldError{Field: "notes", Message: "must be at most 60 notes"})
	}
	if fields != nil {
		sort.Slice(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
		return nil, invalid(fields...)
	}
	return out, nil
}

// ReturnWithNotes returns a draft in review to its editor with a comment
// and comments on fields (field path → text), kept in the history.
func (s *Service) ReturnWithNotes(ctx context.Context, p *identity.Principal, id string, ifMatch *int64, comment string, notes map[string]string) (*Processing, error) {
	notes, err := checkNotes(notes)
	if err != nil {
		return nil, err
	}
	return s.transition(ctx, p, id, StepReturn, ifMatch, comment, notes)
}

// ReviewNotes returns every review note of a processing p may read, the
// latest return first.
func (s *Service) ReviewNotes(ctx context.Context, p *identity.Principal, id string) ([]ReviewNote, error) {
	if _, err := s.GetProcessing(ctx, p, id); err != nil {
		return nil, err
	}
	return s.store.ListReviewNotes(ctx, id)
}

// CurrentNotes returns the notes of rec's last return while it is still
// returned (the editor has not submitted it again), by field path.
func (s *Service) CurrentNotes(ctx context.Context, p *identity.Principal, rec *Processing) (map[string]ReviewNote, error) {
	if !rec.Standing.Returned {
		return nil, nil
	}
	all, err := s.ReviewNotes(ctx, p, rec.ID)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	out := map[string]ReviewNote{}
	for _, n := range all {
		if n.ReturnedAt.Equal(all[0].ReturnedAt) {
			out[n.Field] = n
		}
	}
	return out, nil
}

// putNotes writes the notes of a return in tx, and says in the audit
// comment which fields they are on.
func putNotes(ctx context.Context, tx Store, p *identity.Principal, cur *Processing, notes map[string]string, at time.Time, comment string) (string, error) {
	if len(notes) == 0 {
		return comment, nil
	}
	paths := make([]string, 0, len(notes))
	for k := range notes {
		paths = append(paths, k)
	}
	sort.Strings(paths)
	rows := make([]ReviewNote, 0, len(paths))
	for _, k := range paths {
		rows = append(rows, ReviewNote{ProcessingID: cur.ID, ReturnedAt: at, Version: cur.Version, Field: k, Note: notes[k], Author: p.Subject})
	}
	if err := tx.PutReviewNotes(ctx, rows); err != nil {
		return "", err
	}
	c := "notes on " + strings.Join(paths, ", ")
	if comment != "" {
		c = comment + "; " + c
	}
	return c, nil
}
