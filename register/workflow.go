package register

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Step is a workflow transition.
type Step string

// Workflow steps.
const (
	StepSubmit  Step = "submit"
	StepReturn  Step = "return"
	StepPublish Step = "publish"
	StepArchive Step = "archive"
)

// transition is one row of the workflow table: from which state a step may be
// taken, by whom, and where it leads.
type transition struct {
	from  Status
	to    Status
	roles []identity.Role
}

func workflow() map[Step]transition {
	return map[Step]transition{
		StepSubmit:  {StatusDraft, StatusInReview, []identity.Role{identity.RoleEditor, identity.RoleDPO, identity.RoleAdmin}},
		StepReturn:  {StatusInReview, StatusDraft, []identity.Role{identity.RoleDPO, identity.RoleAdmin}},
		StepPublish: {StatusInReview, StatusPublished, []identity.Role{identity.RoleDPO, identity.RoleAdmin}},
		StepArchive: {StatusPublished, StatusArchived, []identity.Role{identity.RoleDPO, identity.RoleAdmin}},
	}
}

// Steps returns every workflow step, in the order a processing meets them.
func Steps() []Step { return []Step{StepSubmit, StepReturn, StepPublish, StepArchive} }

// StepRoles returns the roles that may take step, in the order of
// identity.Roles(); nil for an unknown step. The route table reads it: who
// may take a step is decided in this table only.
func StepRoles(step Step) []identity.Role {
	t, ok := workflow()[step]
	if !ok {
		return nil
	}
	var out []identity.Role
	for _, r := range identity.Roles() {
		if slices.Contains(t.roles, r) {
			out = append(out, r)
		}
	}
	return out
}

// Transition takes a workflow step on a processing. ifMatch, when not nil, is
// the revision the caller last saw. comment is kept in the audit trail (only
// "return" takes one).
func (s *Service) Transition(ctx context.Context, p *identity.Principal, id string, step Step, ifMatch *int64, comment string) (*Processing, error) {
	return s.transition(ctx, p, id, step, ifMatch, comment, nil)
}

// transition takes step; notes are a return's comments on fields.
func (s *Service) transition(ctx context.Context, p *identity.Principal, id string, step Step, ifMatch *int64, comment string, notes map[string]string) (*Processing, error) {
	t, ok := workflow()[step]
	if !ok {
		return nil, notFound("workflow step")
	}
	if step == StepArchive {
		// Archiving may leave a pending draft behind (Archive).
		return s.Archive(ctx, p, id, ifMatch, EndInput{Comment: comment})
	}
	comment, err := trimComment(comment)
	if err != nil {
		return nil, err
	}
	var out *Processing
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := s.getProcessing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := requireRole(p, t.roles...); err != nil {
			return err
		}
		if p.Role == identity.RoleEditor && !p.HasUnit(cur.Unit) {
			return Errorf(EForbidden, "editors may only submit processings of their own units")
		}
		if ifMatch != nil && *ifMatch != cur.Revision {
			return Errorf(EPreconditionFailed, "the processing was changed since you read it; read it again")
		}
		if cur.Status != t.from {
			return Errorf(EConflict, "cannot %s a processing that is %s", step, strings.ReplaceAll(string(cur.Status), "_", " "))
		}
		now := s.clock()
		next := *cur
		next.Status = t.to
		next.Revision = cur.Revision + 1
		next.UpdatedAt = now
		switch step {
		case StepPublish:
			org, err := tx.GetOrganisation(ctx, cur.Organisation)
			if err != nil {
				return err
			}
			if blocking := Blocking(Check(cur, org, now)); len(blocking) > 0 {
				return &Error{Code: EInvalid, Message: "the processing lacks items the law requires, or states something the law does not allow, before publication", Findings: blocking}
			}
			next.PublishedVersion = cur.Version
			next.PublishedAt, next.ReviewedAt = &now, &now
			next.RulesVersion = RulesVersion
			comment = publishComment(RulesVersion, comment)
			pub := newPublication(&next, now)
			if err := tx.PutPublication(ctx, pub); err != nil {
				return err
			}
			if err := s.logPublic(ctx, tx, pub, LogPublish, now); err != nil {
				return err
			}
		}
		switch step {
		case StepSubmit:
			next.Standing.SubmittedBy, next.Standing.Returned, next.Standing.ReturnComment = p.Subject, false, ""
		case StepReturn:
			next.Standing.Returned, next.Standing.ReturnComment = true, comment
			if comment, err = putNotes(ctx, tx, p, cur, notes, now, comment); err != nil {
				return err
			}
		default:
			next.Standing.Returned, next.Standing.ReturnComment = false, ""
		}
		if err := s.stand(ctx, tx, &next, nil, p, now); err != nil {
			return err
		}
		if err := tx.UpdateProcessing(ctx, &next, processingSearchKey(&next.Fields), cur.Revision); err != nil {
			return err
		}
		v, err := encodeVersion(&next, p.Subject)
		if err != nil {
			return err
		}
		if err := tx.PutVersion(ctx, v); err != nil {
			return err
		}
		out = &next
		return s.audit(ctx, tx, p, now, cur.Organisation, string(step), "processing/"+id, cur.Version, comment)
	})
	if err != nil {
		return nil, err
	}
	if step == StepPublish {
		s.publicChanged(ctx)
	}
	return out, nil
}

func newPublication(p *Processing, at time.Time) *Publication {
	return publicationOf(Public(p, at), p.Version, at, p.RulesVersion)
}

// publicationOf is the stored row of pub, published as version at at and
// passed by the rule table rulesVersion.
func publicationOf(pub *PublicProcessing, version int, at time.Time, rulesVersion string) *Publication {
	data, err := json.Marshal(pub)
	if err != nil {
		// PublicProcessing holds only strings, numbers and bools.
		panic(fmt.Sprintf("encode public processing: %v", err))
	}
	types := make([]string, 0, len(pub.LegalBases))
	for _, b := range pub.LegalBases {
		types = append(types, string(b.Type))
	}
	cats := make([]string, 0, len(pub.DataCategories))
	for _, c := range pub.DataCategories {
		cats = append(cats, SearchKey(c.Name))
	}
	return &Publication{
		ProcessingID: pub.ID,
		Organisation: pub.Organisation,
		Version:      version,
		Title:        pub.Title,
		SearchKey:    SearchKey(pub.Title, pub.Purpose, pub.Reference, pub.Description, pub.PublicSummary),
		Sensitive:    pub.Sensitive(),
		BasisTypes:   " " + strings.Join(types, " ") + " ",
		Categories:   "\n" + strings.Join(cats, "\n") + "\n",
		Data:         data,
		PublishedAt:  at,
		RulesVersion: rulesVersion,
		Terms:        PublicationTerms(pub),
		PlannedStart: pub.PlannedStart,
	}
}

// publishComment records in the audit entry of a publication which rule
// table passed it.
func publishComment(version, comment string) string {
	c := "rules " + version
	if comment != "" {
		c += "; " + comment
	}
	return c
}
