package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.EndingStore = (*Store)(nil)

type endingRow struct {
	bun.BaseModel `bun:"table:processing_endings"`
	ProcessingID  string    `bun:"processing_id,pk"`
	Organisation  string    `bun:"organisation"`
	Title         string    `bun:"title"`
	Version       int       `bun:"version"`
	EndedOn       string    `bun:"ended_on"`
	Reason        string    `bun:"reason"`
	ArchivedAt    time.Time `bun:"archived_at"`
}

func (r *endingRow) domain() register.Ending {
	return register.Ending{ProcessingID: r.ProcessingID, Organisation: r.Organisation, Title: r.Title,
		Version: r.Version, EndedOn: r.EndedOn, Reason: r.Reason, ArchivedAt: utc(r.ArchivedAt)}
}

// PutEnding implements register.EndingStore. A processing ends once: it is
// archived once, and an archived processing cannot be published again.
func (s *Store) PutEnding(ctx context.Context, e *register.Ending) error {
	row := &endingRow{ProcessingID: e.ProcessingID, Organisation: e.Organisation, Title: e.Title, Version: e.Version,
		EndedOn: e.EndedOn, Reason: e.Reason, ArchivedAt: utc(e.ArchivedAt)}
	_, err := s.idb.NewInsert().Model(row).Exec(ctx)
	return dbError(err, "ending")
}

// GetEnding implements register.EndingStore.
func (s *Store) GetEnding(ctx context.Context, id string) (*register.Ending, error) {
	var r endingRow
	if err := s.idb.NewSelect().Model(&r).Where("processing_id = ?", id).Scan(ctx); err != nil {
		return nil, dbError(err, "processing")
	}
	e := r.domain()
	return &e, nil
}

// ListEndings implements register.EndingStore.
func (s *Store) ListEndings(ctx context.Context, org string, limit int) ([]register.Ending, error) {
	var rows []endingRow
	q := s.idb.NewSelect().Model(&rows)
	if org != "" {
		q = q.Where("organisation = ?", org)
	}
	if err := q.OrderExpr("ended_on DESC, processing_id").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, dbError(err, "endings")
	}
	out := make([]register.Ending, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].domain())
	}
	return out, nil
}
