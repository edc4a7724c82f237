package register

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Models shared between administrations: a DPO marks a published
// processing of their organisation as a model; an editor or a DPO of any
// organisation starts a new draft from it. The draft is built from the
// model's PUBLISHED PUBLIC shape (PublicProcessing, what anyone may read on
// the public register), never from the record: internal notes, security
// details, impact-assessment references, processor contracts and every
// other internal field cannot reach another organisation, whatever is added
// to Fields later. Of the public shape, what belongs to the task is copied
// (purpose, legal bases, data, recipients, retention, ...); what belongs to
// the model's organisation is not (its reference, unit, controller and its
// contacts, processors, joint controllers, its impact assessment's status
// and dates). The new draft's history names its origin: the audit entry of
// its creation carries the model's organisation, id and version.

// ActionModel marks a processing as a model (comment "on") or no longer
// (comment "off").
const ActionModel = "model"

// ModelRef is a processing marked as a model.
type ModelRef struct {
	ProcessingID string
	Organisation string
	MarkedBy     string
	MarkedAt     time.Time
}

// ModelStore keeps the marks.
type ModelStore interface {
	PutModel(ctx context.Context, m ModelRef) error
	DeleteModel(ctx context.Context, id string) (bool, error)
	// ListModels lists every model, newest mark first.
	ListModels(ctx context.Context) ([]ModelRef, error)
	IsModel(ctx context.Context, id string) (bool, error)
}

// Model is a model as its readers see it: its public shape as published.
type Model struct {
	Ref    ModelRef
	Public PublicProcessing
}

// SetModel marks (on) or unmarks a published processing of the DPO's
// organisation as a model.
func (s *Service) SetModel(ctx context.Context, p *identity.Principal, id string, on bool) error {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		pr, err := s.getProcessing(ctx, tx, p, id)
		if err != nil {
			return err
		}
		now := s.clock()
		comment := "off"
		if on {
			if pr.PublishedVersion == 0 || pr.Status == StatusArchived {
				return Errorf(EConflict, "only a published processing may be a model")
			}
			comment = "on"
			if err := tx.PutModel(ctx, ModelRef{ProcessingID: pr.ID, Organisation: pr.Organisation, MarkedBy: p.Subject, MarkedAt: now}); err != nil {
				return err
			}
		} else if _, err := tx.DeleteModel(ctx, pr.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, pr.Organisation, ActionModel, ActionProcessingRef+"/"+pr.ID, pr.Version, comment)
	})
}

// IsModel reports whether a processing the reader may see is a model.
func (s *Service) IsModel(ctx context.Context, p *identity.Principal, id string) (bool, error) {
	if _, err := s.GetProcessing(ctx, p, id); err != nil {
		return false, err
	}
	return s.store.IsModel(ctx, id)
}

// ListModels lists the models of every organisation, as published, for
// whoever may write a record. A model whose processing is no longer
// published (archived) is left out.
func (s *Service) ListModels(ctx context.Context, p *identity.Principal) ([]Model, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor); err != nil {
		return nil, err
	}
	refs, err := s.store.ListModels(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Model, 0, len(refs))
	for _, ref := range refs {
		pub, err := s.modelPublic(ctx, s.store, ref.ProcessingID)
		if ErrorCode(err) == ENotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Model{Ref: ref, Public: *pub})
	}
	return out, nil
}

// modelPublic reads the public shape of a model as published.
func (s *Service) modelPublic(ctx context.Context, st Store, id string) (*PublicProcessing, error) {
	ok, err := st.IsModel(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound("model")
	}
	pub, err := st.GetPublication(ctx, id)
	if err != nil {
		return nil, err
	}
	var pp PublicProcessing
	if err := json.Unmarshal(pub.Data, &pp); err != nil {
		return nil, fmt.Errorf("decode model %s: %w", id, err)
	}
	return &pp, nil
}

// FieldsFromModel is what a new draft takes of a model's public shape.
func FieldsFromModel(m *PublicProcessing, unit string) Fields {
	f := Fields{
		Unit: unit, Title: m.Title, Purpose: m.Purpose, Description: m.Description, PublicSummary: m.PublicSummary,
		LegalBases: append([]LegalBasis{}, m.LegalBases...), DataSubjects: append([]string{}, m.DataSubjects...),
		DataCategories: append([]DataCategory{}, m.DataCategories...), Sources: append([]string{}, m.Sources...),
		Recipients: append([]Recipient{}, m.Recipients...), Transfers: append([]Transfer{}, m.Transfers...),
		Accesses: append([]Access{}, m.Accesses...), Retention: m.Retention,
		AutomatedDecision: m.AutomatedDecision, Profiling: m.Profiling, Information: m.Information,
		DPIA: DPIA{Criteria: append([]DPIACriterion(nil), m.DPIA.Criteria...), Required: m.DPIA.Required},
	}
	for _, sm := range m.SecurityMeasures {
		f.SecurityMeasures = append(f.SecurityMeasures, SecurityMeasure{Category: sm.Category})
	}
	f.normalise()
	return f
}

// StartFromModel creates a draft of the caller's organisation (an
// administrator names it) in unit from a model. The audit entry of its
// creation names the model's organisation, id and version.
func (s *Service) StartFromModel(ctx context.Context, p *identity.Principal, org, modelID, unit string) (*Processing, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor); err != nil {
		return nil, err
	}
	if p.Role != identity.RoleAdmin {
		org = p.Org
	} else if org == "" {
		return nil, invalid(FieldError{Field: "organisation", Message: "is required"})
	}
	if err := checkWrite(p, org, unit); err != nil {
		return nil, err
	}
	var pr *Processing
	err := s.store.InTx(ctx, func(tx Store) error {
		m, err := s.modelPublic(ctx, tx, modelID)
		if err != nil {
			return err
		}
		f := FieldsFromModel(m, unit)
		if err := s.checkFields(ctx, tx, org, &f); err != nil {
			return err
		}
		now := s.clock()
		pr = &Processing{ID: newID(), Organisation: org, Fields: f, Status: StatusDraft, Version: 1,
			CreatedAt: now, UpdatedAt: now, Revision: 1}
		if err := s.stand(ctx, tx, pr, nil, p, now); err != nil {
			return err
		}
		if err := tx.CreateProcessing(ctx, pr, processingSearchKey(&f)); err != nil {
			return referenceTaken(err)
		}
		v, err := encodeVersion(pr, p.Subject)
		if err != nil {
			return err
		}
		if err := tx.PutVersion(ctx, v); err != nil {
			return err
		}
		origin := fmt.Sprintf("from model %s/%s version %d", m.Organisation, m.ID, m.Version)
		return s.audit(ctx, tx, p, now, org, ActionCreate, ActionProcessingRef+"/"+pr.ID, 1, origin)
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}
