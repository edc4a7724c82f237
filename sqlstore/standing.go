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
		Set("blocking_laws = ?, dpia_due = ?, abroad = ?, profiling = ?",
			register.LawSet(st.Laws), st.DPIADue, st.Abroad, st.Profiling).
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

// Overview implements register.StandingStore: the records of org grouped
// by the standing's columns the overview counts. The groups are few (the
// combinations of status, unit, laws and flags), whatever the register's
// size, and the query reads the organisation's rows once.
func (s *Store) Overview(ctx context.Context, org, today string) ([]register.OverviewCount, error) {
	var rows []struct {
		Status       string `bun:"status"`
		Unit         string `bun:"unit"`
		Blocking     bool   `bun:"b"`
		BlockingLaws string `bun:"blocking_laws"`
		Sensitive    bool   `bun:"sensitive"`
		DPIADue      bool   `bun:"dpia_due"`
		Abroad       bool   `bun:"abroad"`
		Profiling    bool   `bun:"profiling"`
		Overdue      bool   `bun:"o"`
		N            int    `bun:"n"`
	}
	const overdue = "(review_due <> '' AND review_due < ?)"
	err := s.idb.NewSelect().TableExpr("processings").
		ColumnExpr("status, unit, (blocking > 0) AS b, blocking_laws, sensitive, dpia_due, abroad, profiling").
		ColumnExpr(overdue+" AS o", today).ColumnExpr("COUNT(*) AS n").
		Where("organisation = ?", org).
		GroupExpr("status, unit, (blocking > 0), blocking_laws, sensitive, dpia_due, abroad, profiling, "+overdue, today).
		Scan(ctx, &rows)
	if err != nil {
		return nil, dbError(err, "processings")
	}
	out := make([]register.OverviewCount, 0, len(rows))
	for _, r := range rows {
		out = append(out, register.OverviewCount{Status: register.Status(r.Status), Unit: r.Unit, Blocking: r.Blocking,
			Laws: register.ParseLawSet(r.BlockingLaws), Sensitive: r.Sensitive, DPIADue: r.DPIADue, Abroad: r.Abroad,
			Profiling: r.Profiling, Overdue: r.Overdue, N: r.N})
	}
	return out, nil
}
