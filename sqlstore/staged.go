package sqlstore

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

type stagedImportRow struct {
	bun.BaseModel `bun:"table:staged_imports"`
	ID            string    `bun:"id,pk"`
	Organisation  string    `bun:"organisation"`
	Actor         string    `bun:"actor"`
	Unit          string    `bun:"unit"`
	Name          string    `bun:"name"`
	Data          []byte    `bun:"data"`
	CreatedAt     time.Time `bun:"created_at"`
}

// PutStagedImport implements register.ImportStore.
func (s *Store) PutStagedImport(ctx context.Context, st *register.StagedImport, expired time.Time) error {
	_, err := s.idb.NewDelete().TableExpr("staged_imports").
		Where("actor = ? OR created_at < ?", st.Actor, utc(expired)).Exec(ctx)
	if err != nil {
		return dbError(err, "staged import")
	}
	row := &stagedImportRow{ID: st.ID, Organisation: st.Organisation, Actor: st.Actor, Unit: st.Unit,
		Name: st.Name, Data: st.Data, CreatedAt: utc(st.CreatedAt)}
	_, err = s.idb.NewInsert().Model(row).Exec(ctx)
	return dbError(err, "staged import")
}

// GetStagedImport implements register.ImportStore.
func (s *Store) GetStagedImport(ctx context.Context, id string) (*register.StagedImport, error) {
	var row stagedImportRow
	if err := s.idb.NewSelect().Model(&row).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, dbError(err, "staged import")
	}
	return &register.StagedImport{ID: row.ID, Organisation: row.Organisation, Actor: row.Actor, Unit: row.Unit,
		Name: row.Name, Data: row.Data, CreatedAt: utc(row.CreatedAt)}, nil
}

// DeleteStagedImport implements register.ImportStore.
func (s *Store) DeleteStagedImport(ctx context.Context, id string) (bool, error) {
	res, err := s.idb.NewDelete().TableExpr("staged_imports").Where("id = ?", id).Exec(ctx)
	if err != nil {
		return false, dbError(err, "staged import")
	}
	n, err := res.RowsAffected()
	return n > 0, err
}
