package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.ReviewStore = (*Store)(nil)

type reviewNoteRow struct {
	bun.BaseModel `bun:"table:review_notes"`
	ProcessingID  string    `bun:"processing_id,pk"`
	ReturnedAt    time.Time `bun:"returned_at,pk"`
	Version       int       `bun:"version"`
	Field         string    `bun:"field,pk"`
	Note          string    `bun:"note"`
	Author        string    `bun:"author"`
}

// PutReviewNotes implements register.ReviewStore.
func (s *Store) PutReviewNotes(ctx context.Context, notes []register.ReviewNote) error {
	if len(notes) == 0 {
		return nil
	}
	rows := make([]reviewNoteRow, 0, len(notes))
	for _, n := range notes {
		rows = append(rows, reviewNoteRow{ProcessingID: n.ProcessingID, ReturnedAt: utc(n.ReturnedAt), Version: n.Version,
			Field: n.Field, Note: n.Note, Author: n.Author})
	}
	_, err := s.idb.NewInsert().Model(&rows).Exec(ctx)
	return dbError(err, "review notes")
}

// ListReviewNotes implements register.ReviewStore.
func (s *Store) ListReviewNotes(ctx context.Context, id string) ([]register.ReviewNote, error) {
	var rows []reviewNoteRow
	if err := s.idb.NewSelect().Model(&rows).Where("processing_id = ?", id).
		OrderExpr("returned_at DESC, field").Scan(ctx); err != nil {
		return nil, dbError(err, "review notes")
	}
	out := make([]register.ReviewNote, 0, len(rows))
	for _, r := range rows {
		out = append(out, register.ReviewNote{ProcessingID: r.ProcessingID, ReturnedAt: utc(r.ReturnedAt), Version: r.Version,
			Field: r.Field, Note: r.Note, Author: r.Author})
	}
	return out, nil
}
