package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

type modelRow struct {
	bun.BaseModel `bun:"table:models"`
	ProcessingID  string    `bun:"processing_id,pk"`
	Organisation  string    `bun:"organisation"`
	MarkedBy      string    `bun:"marked_by"`
	MarkedAt      time.Time `bun:"marked_at"`
}

// PutModel implements register.ModelStore (marking twice keeps the first).
func (s *Store) PutModel(ctx context.Context, m register.ModelRef) error {
	row := &modelRow{ProcessingID: m.ProcessingID, Organisation: m.Organisation, MarkedBy: m.MarkedBy, MarkedAt: utc(m.MarkedAt)}
	_, err := s.idb.NewInsert().Model(row).On("CONFLICT (processing_id) DO NOTHING").Exec(ctx)
	return dbError(err, "model")
}

// DeleteModel implements register.ModelStore.
func (s *Store) DeleteModel(ctx context.Context, id string) (bool, error) {
	res, err := s.idb.NewDelete().TableExpr("models").Where("processing_id = ?", id).Exec(ctx)
	if err != nil {
		return false, dbError(err, "model")
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ListModels implements register.ModelStore.
func (s *Store) ListModels(ctx context.Context) ([]register.ModelRef, error) {
	var rows []modelRow
	if err := s.idb.NewSelect().Model(&rows).OrderExpr("marked_at DESC, processing_id").Limit(1000).Scan(ctx); err != nil {
		return nil, dbError(err, "models")
	}
	out := make([]register.ModelRef, 0, len(rows))
	for _, r := range rows {
		out = append(out, register.ModelRef{ProcessingID: r.ProcessingID, Organisation: r.Organisation, MarkedBy: r.MarkedBy, MarkedAt: utc(r.MarkedAt)})
	}
	return out, nil
}

// IsModel implements register.ModelStore.
func (s *Store) IsModel(ctx context.Context, id string) (bool, error) {
	ok, err := s.idb.NewSelect().TableExpr("models").ColumnExpr("1").Where("processing_id = ?", id).Exists(ctx)
	return ok, dbError(err, "models")
}
