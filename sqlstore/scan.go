package sqlstore

import (
	"context"
	"strings"

	"github.com/registre/registre/register"
)

// ScanProcessings implements register.Store. It reads in batches by key
// (organisation, id), not by offset: a long register costs one walk of the
// index, only one batch is in memory at a time, and a processing written
// meanwhile shifts nothing.
func (s *Store) ScanProcessings(ctx context.Context, f register.ProcessingFilter, fn func(register.Processing) bool) error {
	const batch = 200
	after := ""
	for {
		var rows []processingRow
		q := s.idb.NewSelect().Model(&rows)
		if f.Organisation != "" {
			q = q.Where("organisation = ?", f.Organisation)
		}
		if f.Unit != "" {
			q = q.Where("unit = ?", f.Unit)
		}
		if f.Status != "" {
			q = q.Where("status = ?", string(f.Status))
		}
		if strings.TrimSpace(f.Query) != "" {
			q = q.Where(`search_key LIKE ? ESCAPE '\'`, register.LikePattern(strings.TrimSpace(f.Query)))
		}
		if after != "" {
			q = q.Where("id > ?", after)
		}
		if err := q.Order("id").Limit(batch).Scan(ctx); err != nil {
			return dbError(err, "processings")
		}
		for i := range rows {
			p, err := rows[i].domain()
			if err != nil {
				return err
			}
			if !fn(p) {
				return nil
			}
		}
		if len(rows) < batch {
			return nil
		}
		after = rows[len(rows)-1].ID
	}
}
