package sqlstore

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

var _ register.StandingStore = (*Store)(nil)

// ListStandings implements register.StandingStore: by id, after f.After,
// with the columns a check needs (the whole row: the rules read the data).
func (s *Store) ListStandings(ctx context.Context, f register.StandingScan) ([]register.Processing, error) {
	stale := "(checked_at IS NULL OR checked_at < ?)"
	if !f.CheckedBefore.IsZero() && f.After == "" {
		// Every hour but the day's first, nothing is stale: one probe of
		// processings_checked answers, instead of a walk of every row.
		any, err := s.idb.NewSelect().TableExpr("processings").ColumnExpr("1").
			Where(stale, utc(f.CheckedBefore)).Exists(ctx)
		if err != nil {
			return nil, dbError(err, "processings")
		}
		if !any {
			return nil, nil
		}
	}
	var rows []processingRow
	q := s.idb.NewSelect().Model(&rows)
	if f.Organisation != "" {
		q = q.Where("organisation = ?", f.Organisation)
	}
	if !f.CheckedBefore.IsZero() {
		q = q.Where(stale, utc(f.CheckedBefore))
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	if err := q.Order("id").Limit(int64(f.Limit)).Scan(ctx); err != nil {
		return nil, dbError(err, "processings")
	}
	out := make([]register.Processing, 0, len(rows))
	for i := range rows {
		p, err := rows[i].domain()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// SetStanding implements register.StandingStore. Only the findings and the
// review date are written, and only while the row is still at revision:
// a save since the read has written a newer standing itself.
func (s *Store) SetStanding(ctx context.Context, id string, revision int64, st register.Standing, reviewDue string) (bool, error) {
	res, err := s.idb.NewUpdate().TableExpr("processings").
		Set("blocking = ?, warnings = ?, sensitive = ?, checked_at = ?, review_due = ?",
			st.Blocking, st.Warnings, st.Sensitive, utc(st.CheckedAt), reviewDue).
		Where("id = ? AND revision = ?", id, revision).Exec(ctx)
	if err != nil {
		return false, dbError(err, "processing")
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// fillWho sets who created, last changed, last submitted and last returned
// the rows whose standing was never computed (from before migration
// 20261130000080_standing, or restored from a backup), from the audit
// trail: one probe of audit_target_seq per column and row.
func fillWho(ctx context.Context, db bun.IDB) error {
	const target = "a.target = 'processing/' || processings.id"
	_, err := db.NewUpdate().TableExpr("processings").
		Set("created_by = COALESCE((SELECT a.actor FROM audit_log a WHERE " + target + " ORDER BY a.seq LIMIT 1), '')").
		Set("updated_by = COALESCE((SELECT a.actor FROM audit_log a WHERE " + target + " ORDER BY a.seq DESC LIMIT 1), '')").
		Set("submitted_by = COALESCE((SELECT a.actor FROM audit_log a WHERE " + target + " AND a.action = 'submit' ORDER BY a.seq DESC LIMIT 1), '')").
		Set("returned = (status = 'draft' AND COALESCE((SELECT a.action FROM audit_log a WHERE " + target +
			" AND a.action IN ('submit', 'return') ORDER BY a.seq DESC LIMIT 1), '') = 'return')").
		Set("return_comment = COALESCE((SELECT CASE WHEN a.action = 'return' THEN a.comment ELSE '' END FROM audit_log a WHERE " + target +
			" AND a.action IN ('submit', 'return') ORDER BY a.seq DESC LIMIT 1), '')").
		Where("checked_at IS NULL").Exec(ctx)
	return dbError(err, "processings")
}
