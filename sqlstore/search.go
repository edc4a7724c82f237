package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// Full-text search and keyset paging (issue 17). The terms are built in Go
// (register.ProcessingTerms) and stored in search_high/search_low; SQLite
// matches them with FTS5 and ranks with bm25, PostgreSQL with a GIN-indexed
// tsvector and ts_rank. Both match the same rows: the query is the same
// terms (register.Query), AND of OR-groups, prefixes for the word being typed.

// Weights of the two term columns: title, purpose and summary over the
// description. PostgreSQL's ts_rank weighs A (high) 1.0 and B (low) 0.4.
const bm25Weights = "10.0, 1.0"

// The columns of the rows, spelled out: "p.*" would also read PostgreSQL's
// tsvector.
const (
	publicationCols = "p.processing_id, p.organisation, p.version, p.title, p.search_key, p.sensitive, p.basis_types, " +
		"p.categories, p.data, p.published_at, p.rules_version, p.search_high, p.search_low, p.search_version, p.planned_start"
	processingCols = "p.id, p.organisation, p.unit, p.reference, p.title, p.status, p.version, p.revision, " +
		"p.published_version, p.search_key, p.search_high, p.search_low, p.search_version, p.data, p.created_at, p.updated_at, " +
		"p.blocking, p.warnings, p.sensitive, p.checked_at, p.created_by, p.updated_by, p.submitted_by, p.returned, " +
		"p.return_comment, p.review_due"
)

type scoredPublication struct {
	publicationRow `bun:",extend"`
	Score          float64 `bun:"score"`
}

type scoredProcessing struct {
	processingRow `bun:",extend"`
	Score         float64 `bun:"score"`
}

// match adds the full-text match and the score column to q, a select over
// table AS p.
func (s *Store) match(q *bun.SelectQuery, table string, sq register.Query) *bun.SelectQuery {
	if s.db.postgres {
		q = q.ColumnExpr("ts_rank(p.search_tsv, to_tsquery('simple', ?)) AS score", sq.TSQuery())
	} else {
		q = q.ColumnExpr("-bm25(" + table + "_fts, " + bm25Weights + ") AS score")
	}
	return s.matchOnly(q, table, sq)
}

// matchOnly adds the full-text match to q, without scoring.
func (s *Store) matchOnly(q *bun.SelectQuery, table string, sq register.Query) *bun.SelectQuery {
	if s.db.postgres {
		return q.Where("p.search_tsv @@ to_tsquery('simple', ?)", sq.TSQuery())
	}
	return q.Join("JOIN "+table+"_fts ON "+table+"_fts.rowid = p.rowid").
		Where(table+"_fts MATCH ?", sq.FTS5())
}

// publicFilters applies the filters of f other than the query to a select
// over publications AS p.
func publicFilters(q *bun.SelectQuery, f register.PublicFilter) *bun.SelectQuery {
	if f.Organisation != "" {
		q = q.Where("p.organisation = ?", f.Organisation)
	}
	if c := strings.TrimSpace(f.Category); c != "" {
		q = q.Where(`p.categories LIKE ? ESCAPE '\'`, register.LikePattern("\n"+c+"\n"))
	}
	if f.Sensitive != nil {
		q = q.Where("p.sensitive = ?", *f.Sensitive)
	}
	if f.BasisType != "" {
		q = q.Where("p.basis_types LIKE ?", "% "+string(f.BasisType)+" %")
	}
	return q
}

// SearchPublications implements register.Store.
func (s *Store) SearchPublications(ctx context.Context, f register.PublicFilter) (register.PublicationPage, error) {
	var page register.PublicationPage
	sq := f.Search()
	literal := register.LiteralPattern(f.Query)
	if f.Searching() && sq.Empty() && literal == "" {
		return page, nil // only stop words: nothing to find
	}
	base := func() *bun.SelectQuery {
		q := publicFilters(s.idb.NewSelect().ModelTableExpr("publications AS p"), f)
		if literal != "" {
			q = q.Where(`p.search_key LIKE ? ESCAPE '\'`, literal)
		}
		return q
	}
	var rows []scoredPublication
	if sq.Empty() {
		q := base().Model(&rows).ColumnExpr(publicationCols).ColumnExpr("0.0 AS score")
		if f.After != nil {
			k := f.After.Keys
			q = q.Where("(p.organisation, p.title, p.processing_id) > (?, ?, ?)", k[0], k[1], k[2])
		}
		q = q.OrderExpr("p.organisation, p.title, p.processing_id").Limit(int64(f.PerPage + 1))
		if f.After == nil {
			q = q.Offset(int64((f.Page - 1) * f.PerPage))
		}
		if err := q.Scan(ctx); err != nil {
			return page, dbError(err, "publications")
		}
		total, err := s.countPublications(ctx, f, literal, base)
		if err != nil {
			return page, err
		}
		page.Total = total
	} else {
		q := s.ranked(base(), "publications", "processing_id", publicationCols, sq, f.After, f.PerPage+1, (f.Page-1)*f.PerPage).Model(&rows)
		if err := q.Scan(ctx); err != nil {
			return page, dbError(err, "publications")
		}
		var err error
		filtered := f.Organisation != "" || strings.TrimSpace(f.Category) != "" || f.Sensitive != nil || f.BasisType != "" || literal != ""
		page.Total, page.TotalIsCapped, err = s.cappedCount(ctx, s.countQuery(base(), "publications", sq, filtered))
		if err != nil {
			return page, err
		}
	}
	more := len(rows) > f.PerPage
	if more {
		rows = rows[:f.PerPage]
	}
	page.Items = make([]register.Publication, 0, len(rows))
	for i := range rows {
		page.Items = append(page.Items, rows[i].domain())
	}
	if more {
		last := rows[len(rows)-1]
		page.NextCursor = f.NextCursor(&page.Items[len(page.Items)-1], last.Score)
	}
	return page, nil
}

// ranked selects a page of a search: the ids and scores of the matches are
// sorted first, narrow, after the cursor, and only the page's rows are then
// read whole (sorting whole rows, JSON included, cost more than scoring).
// base selects from table AS p with the filters; the result has the columns
// cols and score.
func (s *Store) ranked(base *bun.SelectQuery, table, idCol, cols string, sq register.Query, after *register.Cursor, limit, offset int) *bun.SelectQuery {
	scores := s.match(base.ColumnExpr("p."+idCol+" AS rid"), table, sq)
	keyed := s.idb.NewSelect().TableExpr("(?) AS k", scores).ColumnExpr("k.rid, k.score")
	if after != nil {
		keyed = keyed.Where("(k.score < ? OR (k.score = ? AND k.rid > ?))", after.Score, after.Score, after.Keys[0])
	} else if offset > 0 {
		keyed = keyed.Offset(int64(offset))
	}
	keyed = keyed.OrderExpr("k.score DESC, k.rid").Limit(int64(limit))
	return s.idb.NewSelect().ModelTableExpr("(?) AS s", keyed).
		Join("JOIN " + table + " AS p ON p." + idCol + " = s.rid").
		ColumnExpr(cols).ColumnExpr("s.score").OrderExpr("s.score DESC, s.rid")
}

// countQuery selects one row per match of a search. Without other filters
// SQLite counts in the full-text index alone.
func (s *Store) countQuery(base *bun.SelectQuery, table string, sq register.Query, filtered bool) *bun.SelectQuery {
	if !filtered && !s.db.postgres {
		return s.idb.NewSelect().TableExpr(table+"_fts").ColumnExpr("1").Where(table+"_fts MATCH ?", sq.FTS5())
	}
	return s.matchOnly(base.ColumnExpr("1"), table, sq)
}

// countPublications counts a list exactly: from the organisations' kept
// counts when only the organisation filters it, else with COUNT.
func (s *Store) countPublications(ctx context.Context, f register.PublicFilter, literal string, base func() *bun.SelectQuery) (int, error) {
	if strings.TrimSpace(f.Category) == "" && f.Sensitive == nil && f.BasisType == "" && literal == "" {
		var n int
		q := s.idb.NewSelect().TableExpr("organisations").ColumnExpr("COALESCE(SUM(public_count), 0)")
		if f.Organisation != "" {
			q = q.Where("slug = ?", f.Organisation)
		}
		if err := q.Scan(ctx, &n); err != nil {
			return 0, dbError(err, "publications")
		}
		return n, nil
	}
	n, err := base().Count(ctx)
	return int(n), dbError(err, "publications")
}

// cappedCount counts the rows of q up to register.SearchTotalCap.
func (s *Store) cappedCount(ctx context.Context, q *bun.SelectQuery) (int, bool, error) {
	var n int
	err := s.idb.NewSelect().TableExpr("(?) AS c", q.Limit(register.SearchTotalCap+1)).ColumnExpr("COUNT(*)").Scan(ctx, &n)
	if err != nil {
		return 0, false, dbError(err, "search")
	}
	if n > register.SearchTotalCap {
		return register.SearchTotalCap, true, nil
	}
	return n, false, nil
}

// ListPublications implements register.Store, by offset.
func (s *Store) ListPublications(ctx context.Context, f register.PublicFilter) ([]register.Publication, int, error) {
	page, err := s.SearchPublications(ctx, f)
	return page.Items, page.Total, err
}

// sortColumns maps the list's sort keys to their SQL expressions. A
// reference may be NULL: it sorts as ” so that keyset comparisons hold.
var sortColumns = map[register.SortKey]string{
	register.SortUpdated:   "p.updated_at",
	register.SortTitle:     "p.title",
	register.SortReference: "COALESCE(p.reference, '')",
	register.SortUnit:      "p.unit",
	register.SortStatus:    "p.status",
	register.SortVersion:   "p.version",
	register.SortBlocking:  "p.blocking",
}

// sortKey is row's value of the sort column, as a cursor keeps it.
func sortKey(k register.SortKey, r *processingRow) string {
	switch k {
	case register.SortTitle:
		return r.Title
	case register.SortReference:
		return r.Reference.String
	case register.SortUnit:
		return r.Unit
	case register.SortStatus:
		return r.Status
	case register.SortVersion:
		return strconv.Itoa(r.Version)
	case register.SortBlocking:
		return strconv.Itoa(r.Blocking)
	}
	return utc(r.UpdatedAt).Format(time.RFC3339Nano)
}

// sortArg turns a cursor's key back into a value of the sort column's type.
func sortArg(k register.SortKey, v string) (any, error) {
	switch k {
	case register.SortUpdated:
		return time.Parse(time.RFC3339Nano, v)
	case register.SortVersion, register.SortBlocking:
		return strconv.Atoi(v)
	}
	return v, nil
}

// processingFilters applies the filters of f other than the query to a
// select over processings AS p: the standing's columns for the findings,
// the views relative to f.Actor.
func processingFilters(q *bun.SelectQuery, f register.ProcessingFilter) *bun.SelectQuery {
	if f.Organisation != "" {
		q = q.Where("p.organisation = ?", f.Organisation)
	}
	if f.Unit != "" {
		q = q.Where("p.unit = ?", f.Unit)
	}
	if f.Status != "" {
		q = q.Where("p.status = ?", string(f.Status))
	}
	if f.Sensitive != nil {
		q = q.Where("p.sensitive = ?", *f.Sensitive)
	}
	if f.Blocking != nil {
		if *f.Blocking {
			q = q.Where("p.blocking > 0")
		} else {
			q = q.Where("p.blocking = 0")
		}
	}
	if f.Overdue {
		q = q.Where("p.review_due <> '' AND p.review_due < ?", f.Today)
	}
	switch f.View {
	case register.ViewMyDrafts:
		q = q.Where("p.status = ?", string(register.StatusDraft)).
			Where("(p.created_by = ? OR p.updated_by = ?)", f.Actor, f.Actor)
	case register.ViewReturned:
		q = q.Where("p.status = ?", string(register.StatusDraft)).
			Where("p.returned = ?", true).Where("p.submitted_by = ?", f.Actor)
	case register.ViewToReview:
		q = q.Where("p.status = ?", string(register.StatusInReview))
	}
	return q
}

// SearchProcessings implements register.Store: by relevance when
// f.Ranked(), else by f.SortOrder() and id, by keyset after f.After.
func (s *Store) SearchProcessings(ctx context.Context, f register.ProcessingFilter) (register.ProcessingPage, error) {
	var page register.ProcessingPage
	sq := f.Search()
	literal := register.LiteralPattern(f.Query)
	if f.Searching() && sq.Empty() && literal == "" {
		return page, nil
	}
	base := func() *bun.SelectQuery {
		q := processingFilters(s.idb.NewSelect().ModelTableExpr("processings AS p"), f)
		if literal != "" {
			q = q.Where(`p.search_key LIKE ? ESCAPE '\'`, literal)
		}
		return q
	}
	filtered := f.Organisation != "" || f.Unit != "" || f.Status != "" || literal != "" || f.Sensitive != nil ||
		f.Blocking != nil || f.Overdue || f.View != ""
	var rows []scoredProcessing
	key, desc := f.SortOrder()
	if !f.Ranked() {
		col, ok := sortColumns[key]
		if !ok {
			return page, register.Errorf(register.EInvalid, "the sort is not known")
		}
		// The page's ids are sorted first, narrow (from the covering index
		// processings_list when one organisation is listed), and only its
		// rows are then read whole: sorting whole rows, JSON included, would
		// cost as many row reads as the list has rows.
		keyed := base().ColumnExpr("p.id AS rid").ColumnExpr(col + " AS sk")
		if !sq.Empty() {
			keyed = s.matchOnly(keyed, "processings", sq)
		}
		cmp, dir := ">", ""
		if desc {
			cmp, dir = "<", " DESC"
		}
		if f.After != nil {
			v, err := sortArg(key, f.After.Keys[0])
			if err != nil {
				return page, register.Errorf(register.EInvalid, "the cursor is not valid")
			}
			keyed = keyed.Where("("+col+" "+cmp+" ? OR ("+col+" = ? AND p.id "+cmp+" ?))", v, v, f.After.Keys[1])
		}
		keyed = keyed.OrderExpr(col + dir + ", p.id" + dir).Limit(int64(f.PerPage + 1))
		if f.After == nil {
			keyed = keyed.Offset(int64((f.Page - 1) * f.PerPage))
		}
		q := s.idb.NewSelect().Model(&rows).ModelTableExpr("(?) AS s", keyed).
			Join("JOIN processings AS p ON p.id = s.rid").
			ColumnExpr(processingCols).ColumnExpr("0.0 AS score").OrderExpr("s.sk" + dir + ", s.rid" + dir)
		if err := q.Scan(ctx); err != nil {
			return page, dbError(err, "processings")
		}
		// Lists count up to SearchTotalCap too: an administrator's list of
		// every organisation would otherwise count 200,000 rows a page.
		var err error
		if sq.Empty() {
			page.Total, page.TotalIsCapped, err = s.cappedCount(ctx, base().ColumnExpr("1"))
		} else {
			page.Total, page.TotalIsCapped, err = s.cappedCount(ctx, s.countQuery(base(), "processings", sq, filtered))
		}
		if err != nil {
			return page, err
		}
	} else {
		q := s.ranked(base(), "processings", "id", processingCols, sq, f.After, f.PerPage+1, (f.Page-1)*f.PerPage).Model(&rows)
		if err := q.Scan(ctx); err != nil {
			return page, dbError(err, "processings")
		}
		var err error
		page.Total, page.TotalIsCapped, err = s.cappedCount(ctx, s.countQuery(base(), "processings", sq, filtered))
		if err != nil {
			return page, err
		}
	}
	more := len(rows) > f.PerPage
	if more {
		rows = rows[:f.PerPage]
	}
	page.Items = make([]register.Processing, 0, len(rows))
	for i := range rows {
		p, err := rows[i].domain()
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, p)
	}
	if more {
		last := rows[len(rows)-1]
		page.NextCursor = f.NextCursor(&page.Items[len(page.Items)-1], sortKey(key, &last.processingRow), last.Score)
	}
	return page, nil
}

// ListProcessings implements register.Store, by offset.
func (s *Store) ListProcessings(ctx context.Context, f register.ProcessingFilter) ([]register.Processing, int, error) {
	page, err := s.SearchProcessings(ctx, f)
	return page.Items, page.Total, err
}
