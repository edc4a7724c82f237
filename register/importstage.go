package register

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/registre/registre/auth/identity"
)

// The back office's import wizard: a spreadsheet is uploaded and checked,
// and its rows shown as the drafts they will become; nothing is written
// until the person confirms. Between the two the file is kept in the
// database (table staged_imports), not in the browser nor in one
// instance's memory: a confirmation may reach another instance, and a
// file of up to a megabyte does not travel back and forth in forms. It is
// bounded: one per person (a new upload replaces it), StagedImportTTL old
// at most (older ones are deleted at each upload and refused at
// confirmation), and of the size the upload allowed. Confirming checks the
// rows again against the register as it is then, and writes them all, or
// none, in the transaction that deletes the staged file: a second
// confirmation finds nothing.

// StagedImportTTL is how long a previewed import may be confirmed.
const StagedImportTTL = 30 * time.Minute

// StagedImport is a spreadsheet previewed and waiting for confirmation.
type StagedImport struct {
	ID           string
	Organisation string
	Actor        string // who uploaded it: only they confirm it
	Unit         string // for rows without a unit column
	Name         string // the file's name, as uploaded (shown only)
	Data         []byte
	CreatedAt    time.Time
}

// ImportStore keeps staged imports.
type ImportStore interface {
	// PutStagedImport stores s, deleting the other staged imports of its
	// actor and every one created before expired.
	PutStagedImport(ctx context.Context, s *StagedImport, expired time.Time) error
	// GetStagedImport returns a staged import; ENotFound when there is none.
	GetStagedImport(ctx context.Context, id string) (*StagedImport, error)
	// DeleteStagedImport deletes one and reports whether it was there.
	DeleteStagedImport(ctx context.Context, id string) (bool, error)
}

// ImportRow is one row of a previewed spreadsheet: its line and the draft
// it will become, with the findings that will block its publication.
type ImportRow struct {
	Line     int
	Fields   Fields
	Blocking []Finding
}

// ImportPreview is a spreadsheet checked and staged: confirm it with its
// ID before ExpiresAt.
type ImportPreview struct {
	ID           string
	Organisation string
	Name         string
	Rows         []ImportRow
	ExpiresAt    time.Time
}

// PreviewImport checks a spreadsheet for org as ImportCSV does, writing no
// record. With errors it returns them (EInvalid, by line and column) and
// keeps nothing; else it stages the file and returns every row as the
// draft it will become.
func (s *Service) PreviewImport(ctx context.Context, p *identity.Principal, org, unit, name string, data []byte) (*ImportPreview, error) {
	org, err := s.importOrg(ctx, p, org)
	if err != nil {
		return nil, err
	}
	rows, err := s.prepareImport(ctx, org, unit, data)
	if err != nil {
		return nil, err
	}
	o, err := s.store.GetOrganisation(ctx, org)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	st := &StagedImport{ID: stagedID(), Organisation: org, Actor: p.Subject, Unit: unit, Name: clipRunes(name, 200), Data: data, CreatedAt: now}
	err = s.store.InTx(ctx, func(tx Store) error { return tx.PutStagedImport(ctx, st, now.Add(-StagedImportTTL)) })
	if err != nil {
		return nil, err
	}
	return previewOf(st, rows, o, now), nil
}

func previewOf(st *StagedImport, rows []csvRow, o *Organisation, now time.Time) *ImportPreview {
	out := &ImportPreview{ID: st.ID, Organisation: st.Organisation, Name: st.Name, ExpiresAt: st.CreatedAt.Add(StagedImportTTL)}
	for _, r := range rows {
		pr := Processing{Organisation: st.Organisation, Fields: r.fields, Status: StatusDraft, Version: 1, CreatedAt: now, UpdatedAt: now}
		out.Rows = append(out.Rows, ImportRow{Line: r.line, Fields: r.fields, Blocking: Blocking(Check(&pr, o, now))})
	}
	return out
}

// StagedPreview shows a staged import again (the page after the upload):
// to who previewed it, while it may be confirmed.
func (s *Service) StagedPreview(ctx context.Context, p *identity.Principal, id string) (*ImportPreview, error) {
	st, err := s.staged(ctx, p, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.prepareImport(ctx, st.Organisation, st.Unit, st.Data)
	if err != nil {
		return nil, err
	}
	o, err := s.store.GetOrganisation(ctx, st.Organisation)
	if err != nil {
		return nil, err
	}
	return previewOf(st, rows, o, s.clock()), nil
}

// staged returns the staged import id of p, while it may be confirmed.
func (s *Service) staged(ctx context.Context, p *identity.Principal, id string) (*StagedImport, error) {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO); err != nil {
		return nil, err
	}
	gone := Errorf(ENotFound, "this import was confirmed already, or its preview is more than %d minutes old: upload the file again", int(StagedImportTTL/time.Minute))
	if id == "" || len(id) > 64 {
		return nil, gone
	}
	st, err := s.store.GetStagedImport(ctx, id)
	if ErrorCode(err) == ENotFound {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	if st.Actor != p.Subject || (p.Role != identity.RoleAdmin && st.Organisation != p.Org) ||
		s.clock().Sub(st.CreatedAt) > StagedImportTTL {
		return nil, gone
	}
	return st, nil
}

// ConfirmImport writes a previewed import: every row as a draft, or none.
// Only who previewed it confirms it, within StagedImportTTL; the rows are
// checked again first (a reference may have been taken since).
func (s *Service) ConfirmImport(ctx context.Context, p *identity.Principal, id string) ([]Processing, error) {
	st, err := s.staged(ctx, p, id)
	if err != nil {
		return nil, err
	}
	org, err := s.importOrg(ctx, p, st.Organisation)
	if err != nil {
		return nil, err
	}
	rows, err := s.prepareImport(ctx, org, st.Unit, st.Data)
	if err != nil {
		return nil, err
	}
	return s.writeImport(ctx, p, org, rows, func(tx Store) error {
		ok, err := tx.DeleteStagedImport(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			// Confirmed meanwhile, in another tab: nothing is written twice.
			return Errorf(ENotFound, "this import was confirmed already")
		}
		return nil
	})
}

func stagedID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems (Go 1.24+)
	return hex.EncodeToString(b)
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
