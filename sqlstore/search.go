package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// Full-text search and keyset paging (issue 17). The terms are built in Go
// (register.ProcessingTerms) and stored in search_high/search_low; SQLite
// matches them with FTS5, PostgreSQL with a GIN-indexed tsvector. Both match
// the same rows: the query is the same terms (register.Query), AND of
// OR-groups, prefixes for the word being typed; both score a match of every
// word in the title, purpose or summary 2, else 1.

// The columns of the rows, spelled out: "p.*" would also read PostgreSQL's
// tsvector.
const (
	publicationCols = "p.processing_id, p.organisation, p.version, p.title, p.sensitive, p.basis_types, " +
		"p.categories, p.data, p.published_at, p.rules_version, p.planned_start"
	processingCols = "p.id, p.organisation, p.unit, p.reference, p.title, p.status, p.version, p.revision, " +
		"p.published_version, p.data, p.created_at, p.updated_at, " +
		"p.blocking, p.warnings, p.sensitive, p.checked_at, p.created_by, p.updated_by, p.submitted_by, p.returned, " +
		"p.return_comment, p.review_due, p.blocking_laws, p.dpia_due, p.abroad, p.profiling"
)

type scoredPublication struct {
	publicationRow `bun:",extend"`
	Score          float64 `bun:"score"`
	Matches        int     `bun:"matches"`
	RowNumber      int64   `bun:"row_number,scanonly"` // SQLite's rowid: the tie of a ranked page
}

type scoredProcessing struct {
	processingRow `bun:",extend"`
	Score         float64 `bun:"score"`
	Matches       int     `bun:"matches"`
	RowNumber     int64   `bun:"row_number,scanonly"`
}

// tie is the key of a ranked row among equal scores: its row number on
// SQLite, its id on PostgreSQL; in both the oldest first.
func (s *Store) tie(id string, rowNumber int64) string {
	if s.db.postgres {
		return id
	}
	return strconv.FormatInt(rowNumber, 10)
}

// ftsQuery renders sq for FTS5 over the term columns only (a prefix such
// as "o" must not match the organisations' terms), and within the
// organisation org when it is not "": the organisation's term is in the
// index (migration 0130), so one organisation's search is an intersection
// in the index rather than every organisation's matches filtered after.
// highOnly keeps the matches in the title, purpose and summary.
func ftsQuery(sq register.Query, org string, highOnly bool) string {
	cols := "{search_high search_low}"
	if highOnly {
		cols = "search_high"
	}
	q := cols + " : (" + sq.FTS5() + ")"
	if org != "" {
		q = `search_org : "` + ftsOrgTerm(org) + `" AND ` + q
	}
	return q
}

// ftsOrgTerm is an organisation's term in the FTS5 index, as the generated
// column search_org computes it: 'o' and the hex of the slug, one token.
func ftsOrgTerm(org string) string { return "o" + hex.EncodeToString([]byte(org)) }

// maxExpansions bounds the terms a prefix of the word being typed expands
// into; past it the prefix is matched by FTS5 as it is.
const maxExpansions = 64

// expandPrefixes returns sq with each prefix form of more than 3 letters
// replaced by the whole terms it begins (table search_terms, migrations 0130
// and 0180): FTS5 answers a longer prefix by merging the doclists of every
// term it begins before it returns a row, which for a word found in most
// records costs tens of milliseconds, while whole terms are read as far as
// the page needs; PostgreSQL's GIN index collects every posting of a prefix
// into a bitmap before it intersects (10 ms of 12 for two frequent words at
// 200,000), and ORs whole terms' postings as it goes. ok is false when a
// prefix begins no term at all and its word has no other form: nothing can
// match.
func (s *Store) expandPrefixes(ctx context.Context, sq register.Query) (register.Query, bool, error) {
	out := register.Query{Groups: make([][]register.QueryForm, 0, len(sq.Groups))}
	for _, g := range sq.Groups {
		var forms []register.QueryForm
		has := func(t string) bool {
			for _, f := range forms {
				if !f.Prefix && f.Term == t {
					return true
				}
			}
			return false
		}
		var prefixes []string
		for _, f := range g {
			if f.Prefix && len(f.Term) > 3 {
				prefixes = append(prefixes, f.Term)
				continue
			}
			forms = append(forms, f)
		}
		for _, p := range prefixes {
			var terms []string
			err := s.idb.NewSelect().TableExpr("search_terms").ColumnExpr("term").
				Where("term >= ? AND term < ?", p, p+"{").OrderExpr("term").Limit(maxExpansions+1).Scan(ctx, &terms)
			if err != nil {
				return sq, false, dbError(err, "search")
			}
			if len(terms) > maxExpansions {
				forms = append(forms, register.QueryForm{Term: p, Prefix: true})
				continue
			}
			for _, t := range terms {
				if !has(t) {
					forms = append(forms, register.QueryForm{Term: t})
				}
			}
		}
		if len(forms) == 0 {
			return sq, false, nil
		}
		out.Groups = append(out.Groups, forms)
	}
	return out, true, nil
}

// matchOnly adds the full-text match of sq within org ("" for every
// organisation) to q, a select over table AS p, without scoring.
func (s *Store) matchOnly(q *bun.SelectQuery, table string, sq register.Query, org string) *bun.SelectQuery {
	if s.db.postgres {
		// The organisation is filtered by the caller's p.organisation = ?.
		return q.Where("p.search_tsv @@ to_tsquery('simple', ?)", sq.TSQuery())
	}
	return q.Join("JOIN "+table+"_fts ON "+table+"_fts.rowid = p.rowid").
		Where(table+"_fts MATCH ?", ftsQuery(sq, org, false))
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
	literal := register.LiteralPattern(f.Query)
	filtered := strings.TrimSpace(f.Category) != "" || f.Sensitive != nil || f.BasisType != "" || literal != ""
	// The public search across organisations without other filters, on
	// PostgreSQL: the newest publications' terms in memory, when current
	// (termwindow.go). It matches prefixes itself: no expansion.
	var rows []scoredPublication
	rare := false
	query := f.Search()
	if !query.Empty() && f.Organisation == "" && !filtered {
		if w := s.termWindow(ctx); w != nil {
			cands, ok := w.match(query)
			if ok {
				err := s.rankTerms(ctx, &rows, cands, f.After, f.PerPage+1, (f.Page-1)*f.PerPage)
				if page.Total, page.TotalIsCapped, err = capTotal(len(cands), err); err != nil {
					return page, err
				}
				return s.publicationPage(f, page, rows, false), nil
			}
			rare = true // too rare among the newest
		}
	}
	sq, ok, err := s.expandPrefixes(ctx, query)
	if err != nil || !ok {
		return page, err
	}
	if f.Searching() && sq.Empty() && literal == "" {
		return page, nil // only stop words: nothing to find
	}
	// base selects from publications AS p with the filters; from, when given,
	// is the FROM clause instead (it names the table p).
	base := func(from ...string) *bun.SelectQuery {
		t := "publications AS p"
		if len(from) > 0 {
			t = from[0]
		}
		q := publicFilters(s.idb.NewSelect().ModelTableExpr(t), f)
		if literal != "" {
			q = q.Where(`p.search_key LIKE ? ESCAPE '\'`, literal)
		}
		return q
	}
	if sq.Empty() {
		q := base().Model(&rows).ColumnExpr(publicationCols).ColumnExpr("0.0 AS score")
		if f.After != nil {
			k := f.After.Keys
			q = q.Where("(p.organisation, p.title, p.processing_id) > (?, ?, ?)", k[0], k[1], k[2])
		}
		q = q.OrderExpr("p.organisation, p.title, p.processing_id").Limit(int64(f.PerPage + 1))
		switch {
		case f.After == nil:
			q = q.Offset(int64((f.Page - 1) * f.PerPage))
		case f.Skip > 0:
			q = q.Offset(int64(f.Skip)) // a deep page, from the service's anchor before it
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
		var err error
		page.Total, page.TotalIsCapped, err = s.ranked(ctx, &rows, base, "publications", "processing_id", publicationCols,
			sq, f.Organisation, filtered, rare, f.After, f.PerPage+1, (f.Page-1)*f.PerPage)
		if err != nil {
			return page, err
		}
	}
	return s.publicationPage(f, page, rows, sq.Empty()), nil
}

// publicationPage completes page with rows, the page's and one more, and
// the cursor to the next page (a list's, or a search's when ranked).
func (s *Store) publicationPage(f register.PublicFilter, page register.PublicationPage, rows []scoredPublication, list bool) register.PublicationPage {
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
		if list {
			page.NextCursor = f.NextCursor(&page.Items[len(page.Items)-1])
		} else {
			page.NextCursor = f.RankedCursor(last.Score, s.tie(last.ProcessingID, last.RowNumber))
		}
	}
	return page
}

// ranked reads a page of a search into model (a slice of scoredPublication
// or scoredProcessing) and returns the total of the search. The ids and
// scores of the matches are sorted first, narrow, after the cursor, and only
// the page's rows are then read whole (sorting whole rows, JSON included,
// cost more than scoring). base selects from table AS p with the filters,
// org the organisation among them ("" for none), filtered whether any other
// filter than org applies.
//
// At most register.SearchRankCap+1 matches are ranked, the most recently
// indexed: scoring is what costs, and a word found in most records would
// otherwise be scored in all of them (see docs/design.md, "Search").
func (s *Store) ranked(ctx context.Context, model any, base func(...string) *bun.SelectQuery, table, idCol, cols string,
	sq register.Query, org string, filtered, rare bool, after *register.Cursor, limit, offset int) (int, bool, error) {
	if s.db.postgres {
		return s.rankedPostgres(ctx, model, base, table, idCol, cols, sq, org, rare, after, limit, offset)
	}
	// SQLite: the candidates' rowids, newest first, from the index alone
	// when only the organisation filters (it is in the index); first the
	// matches in the title, purpose or summary, then all.
	// CROSS JOIN keeps the index outside: the planner would otherwise
	// walk the organisation's rows by processings_list and seek each in
	// FTS5, which costs far more than the matches.
	fts := table + "_fts"
	match := func(cols, fq string) *bun.SelectQuery {
		return base(fts+" CROSS JOIN "+table+" AS p ON p.rowid = "+fts+".rowid").ColumnExpr(cols).Where(fts+" MATCH ?", fq)
	}
	probe := func(fq string) ([]int64, error) {
		q := s.idb.NewSelect().TableExpr(fts).ColumnExpr(fts+".rowid").Where(fts+" MATCH ?", fq)
		if filtered {
			q = match(fts+".rowid", fq)
		}
		var rowids []int64
		err := q.OrderExpr(fts+".rowid DESC").Limit(register.SearchRankCap+1).Scan(ctx, &rowids)
		return rowids, dbError(err, "search")
	}
	all, high := ftsQuery(sq, org, false), ftsQuery(sq, org, true)
	rowids, err := probe(all)
	if err != nil || len(rowids) == 0 {
		return 0, false, err
	}
	total, capped := len(rowids), false
	if total > register.SearchRankCap {
		total, capped = register.SearchRankCap, true
	}
	// The candidates are the newest SearchRankCap matches; among them a
	// match of every word in the title, purpose or summary ranks above one
	// that needs the description, equal ones oldest first, as on
	// PostgreSQL (ids are in the order of creation). Not bm25: it
	// counts the documents of every term of the query over the whole index
	// before it scores a row, a walk of each term's whole doclist on every
	// search (tens of milliseconds for a frequent word, even when the
	// organisation has a hundred matches). The candidates are scored here
	// by their row numbers, from one more query of the index; only the
	// page's rows are read from the table (scoring in SQL joined every
	// candidate to its row: a fifth of a search's CPU).
	cands := rowids[:total]
	var highs []int64
	err = s.idb.NewSelect().TableExpr(fts).ColumnExpr(fts+".rowid").Where(fts+" MATCH ?", high).
		Where(fts+".rowid >= ?", cands[total-1]).Scan(ctx, &highs)
	if err != nil {
		return 0, false, dbError(err, "search")
	}
	isHigh := make(map[int64]bool, len(highs))
	for _, r := range highs {
		isHigh[r] = true
	}
	ranked := make([]rankedRow, total)
	for i, r := range cands {
		ranked[i] = rankedRow{rowid: r, score: 1}
		if isHigh[r] {
			ranked[i].score = 2
		}
	}
	page, err := s.rankPage(ranked, after, limit, offset)
	if err != nil || len(page) == 0 {
		return total, capped, err
	}
	ids := make([]int64, len(page))
	for i, r := range page {
		ids[i] = r.rowid
	}
	err = s.idb.NewSelect().Model(model).ModelTableExpr(table+" AS p").ColumnExpr(cols).
		ColumnExpr("p.rowid AS row_number").Where("p.rowid IN (?)", bun.List(ids)).Scan(ctx)
	if err != nil {
		return 0, false, dbError(err, "search")
	}
	placeRanked(model, page)
	return total, capped, nil
}

// rankedRow is a candidate of a search ranked in Go: its row number
// (SQLite) or id (the term window), and its score.
type rankedRow struct {
	rowid int64
	id    string
	score float64
}

// rankPage orders cands, given newest first, by score, the oldest first
// among equals, and returns the page of them after the cursor or offset.
// A cursor's tie is the id on PostgreSQL, the row number on SQLite
// (Store.tie).
func (s *Store) rankPage(cands []rankedRow, after *register.Cursor, limit, offset int) ([]rankedRow, error) {
	ranked := slices.Clone(cands)
	slices.Reverse(ranked) // oldest first; a stable sort keeps it among equals
	slices.SortStableFunc(ranked, func(a, b rankedRow) int { return cmp.Compare(b.score, a.score) })
	from := min(offset, len(ranked))
	if after != nil {
		var tie int64
		if !s.db.postgres {
			var err error
			if tie, err = strconv.ParseInt(after.Keys[0], 10, 64); err != nil {
				return nil, register.Errorf(register.EInvalid, "the cursor is not valid")
			}
		}
		from = sort.Search(len(ranked), func(i int) bool {
			r := ranked[i]
			later := r.rowid > tie
			if s.db.postgres {
				later = r.id > after.Keys[0]
			}
			return r.score < after.Score || r.score == after.Score && later
		})
	}
	return ranked[from:min(from+limit, len(ranked))], nil
}

// placeRanked puts the rows read into model in the order of page, with
// their scores; rows that went away meanwhile are left out.
func placeRanked(model any, page []rankedRow) {
	byRow := func(r rankedRow) int64 { return r.rowid }
	switch rows := model.(type) {
	case *[]scoredPublication:
		*rows = inRankOrder(*rows, page, func(r *scoredPublication) int64 { return r.RowNumber }, byRow,
			func(r *scoredPublication, score float64) { r.Score = score })
	case *[]scoredProcessing:
		*rows = inRankOrder(*rows, page, func(r *scoredProcessing) int64 { return r.RowNumber }, byRow,
			func(r *scoredProcessing, score float64) { r.Score = score })
	}
}

// inRankOrder returns rows in the order of page, with their scores; a row
// and a candidate are the same when their keys are.
func inRankOrder[T any, K comparable](rows []T, page []rankedRow, rowKey func(*T) K, candKey func(rankedRow) K, setScore func(*T, float64)) []T {
	byKey := make(map[K]int, len(rows))
	for i := range rows {
		byKey[rowKey(&rows[i])] = i
	}
	out := make([]T, 0, len(rows))
	for _, r := range page {
		if i, ok := byKey[candKey(r)]; ok {
			setScore(&rows[i], r.score)
			out = append(out, rows[i])
		}
	}
	return out
}

// rankedPostgres is ranked on PostgreSQL: the candidates are the newest
// SearchRankCap+1 matches (ids are UUIDv7, in the order of creation), each
// scored 2 when every word matched in the title, purpose or summary
// (weight A), else 1, as on SQLite, and counted in the same query.
//
// Across organisations they are looked for among the newest rows first:
// for the public search without other filters, in the newest
// publications' terms kept in memory (termwindow.go); otherwise, in the
// ranking query itself, in the table's search window (recent.go), walked
// newest first for words the statistics find in many rows, by the
// window's own index for the others. Found there, they are the newest of
// all; otherwise the words are rare among the newest rows and the whole
// table's index finds them all (older). One organisation's search, and a
// table without a window, asks the planner for its estimate first.
func (s *Store) rankedPostgres(ctx context.Context, model any, base func(...string) *bun.SelectQuery, table, idCol, cols string,
	sq register.Query, org string, rare bool, after *register.Cursor, limit, offset int) (int, bool, error) {
	match, high := sq.TSQuery(), highQuery(sq)
	// newest selects the newest SearchRankCap+1 matches.
	newest := func() *bun.SelectQuery {
		return s.matchOnly(base(), table, sq, org).OrderExpr("p." + idCol + " DESC")
	}
	// older selects the newest matches of words found too rarely among
	// the newest rows for a first look to have them all: every match,
	// by the whole table's index (ordered by an expression no index has,
	// so that the planner does not walk the ids through the newest rows
	// that did not match), then sorted.
	older := func() *bun.SelectQuery {
		return base().Where("p.search_tsv @@ $2::tsquery").OrderExpr("(p." + idCol + " || '') DESC")
	}
	if rare { // the newest publications' terms said so
		return capTotal(s.rankPostgres(ctx, model, older(), nil, true, match, high, table, idCol, cols, after, limit, offset))
	}
	var w searchWindow
	if org == "" {
		var err error
		if w, err = s.window(ctx, table); err != nil {
			return 0, false, err
		}
	}
	if w.bound != "" {
		var first *bun.SelectQuery
		if w.words.share(sq) >= walkAbove {
			// ts_match_vq is @@ by another name, which no index answers:
			// the planner walks the ids.
			first = base().Where("ts_match_vq(p.search_tsv, $2::tsquery)").OrderExpr("p." + idCol + " DESC")
		} else {
			// Ordered by an expression no index has, so that the planner
			// reads the window's index rather than walk the ids; the
			// bound is the window's own, which lets it.
			first = base().Where("p.search_tsv @@ $2::tsquery").OrderExpr("(p." + idCol + " || '') DESC")
		}
		first = first.Where("p."+idCol+" > ?", w.bound)
		n, err := s.rankPostgres(ctx, model, first, nil, true, match, high, table, idCol, cols, after, limit, offset)
		if err != nil || n > register.SearchRankCap {
			return capTotal(n, err)
		}
		return capTotal(s.rankPostgres(ctx, model, older(), nil, true, match, high, table, idCol, cols, after, limit, offset))
	}
	// For a word in many rows the planner walks the ids newest first and
	// tests each row, a few hundred rows. But it guesses a rare prefix
	// ("heliport:*") to match 1% of the rows, and would walk the whole
	// table for it (1.5 s at 200,000): when it expects few matches,
	// rankedRare reads them by the GIN index alone.
	frequent, err := s.expectsMany(ctx, s.matchOnly(base().ColumnExpr("1"), table, sq, org))
	if err != nil {
		return 0, false, err
	}
	if frequent {
		return capTotal(s.rankPostgres(ctx, model, newest(), nil, false, match, high, table, idCol, cols, after, limit, offset))
	}
	return capTotal(s.rankedRare(ctx, model, base, newest(), table, idCol, cols, sq, high, org, after, limit, offset))
}

// highQuery is sq matched in the title, purpose and summary only (weight A).
func highQuery(sq register.Query) string {
	high := sq
	high.Groups = make([][]register.QueryForm, len(sq.Groups))
	for i, g := range sq.Groups {
		for _, f := range g {
			f.Term += ":"
			if f.Prefix {
				f.Term += "*"
				f.Prefix = false
			}
			f.Term += "A"
			high.Groups[i] = append(high.Groups[i], f)
		}
	}
	return high.TSQuery()
}

// capTotal turns a count of candidates into a search's total.
func capTotal(n int, err error) (int, bool, error) {
	if err != nil {
		return 0, false, err
	}
	if n > register.SearchRankCap {
		return register.SearchRankCap, true, nil
	}
	return n, false, nil
}

// rankedRare ranks the matches of words expected to be rare: the first
// SearchRankCap+1 read by the GIN index alone (the planner told not to walk
// any other index), which are all of them when fewer; else the newest.
func (s *Store) rankedRare(ctx context.Context, model any, base func(...string) *bun.SelectQuery, newest *bun.SelectQuery,
	table, idCol, cols string, sq register.Query, high, org string, after *register.Cursor, limit, offset int) (int, error) {
	var some []string
	err := s.idb.RunInTx(ctx, &sql.TxOptions{ReadOnly: true}, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off"); err != nil {
			return err
		}
		if err := s.matchOnly(base().ColumnExpr("p."+idCol), table, sq, org).Limit(register.SearchRankCap+1).Conn(tx).Scan(ctx, &some); err != nil {
			return err
		}
		// Within a caller's transaction the savepoint's SET LOCAL
		// would outlive it.
		_, err := tx.ExecContext(ctx, "RESET enable_indexscan; RESET enable_seqscan")
		return err
	})
	if err != nil {
		return 0, dbError(err, "search")
	}
	if len(some) == 0 {
		return 0, nil
	}
	if len(some) > register.SearchRankCap {
		some = nil // more than the cap: the newest of them all
	}
	return s.rankPostgres(ctx, model, newest, some, false, sq.TSQuery(), high, table, idCol, cols, after, limit, offset)
}

// rankPostgres scores the rows of cands (a select over table AS p, with
// its order), or those of ids when given, reads the page of them after the
// cursor or offset into model, and returns how many there are, up to
// SearchRankCap+1. The statement takes the queries as parameters ($1 the
// title, purpose and summary match, $2 the match). When prepared, its text
// is the same for every search of a kind (a window's), and each connection
// parses and plans it once: inlined, each search was a new statement,
// prepared, planned and evicted, half a millisecond of PostgreSQL's time.
// Otherwise (cands depend on the words: one organisation's search, rare
// words) it is planned for its values each time, in one round trip.
func (s *Store) rankPostgres(ctx context.Context, model any, cands *bun.SelectQuery, ids []string, prepared bool, match, high, table, idCol, cols string,
	after *register.Cursor, limit, offset int) (int, error) {
	params, mode := []any{high, match}, []any(nil)
	if !prepared {
		// One round trip, planned for these values, not kept (cands
		// hold the match in their text).
		params, mode = []any{high}, []any{pgx.QueryExecModeExec}
	}
	queried := len(params) // the parameters cands use
	arg := func(v any) string {
		params = append(params, v)
		return "$" + strconv.Itoa(len(params))
	}
	if ids != nil {
		cands = s.idb.NewSelect().TableExpr(table + " AS p").Where("p." + idCol + " = ANY(" + arg(ids) + "::text[])")
	}
	c := cands.ColumnExpr("p." + idCol + " AS rid, (1 + (p.search_tsv @@ $1::tsquery)::int)::float8 AS score").
		Limit(register.SearchRankCap + 1).String()
	// The newest SearchRankCap of the candidates are ranked, as on SQLite;
	// the one more only tells that there are more.
	var keyed strings.Builder
	keyed.WriteString("SELECT k.rid, k.score, k.matches FROM (SELECT c.rid, c.score, count(*) OVER () AS matches, " +
		"row_number() OVER (ORDER BY c.rid DESC) AS nth FROM (" + c + ") AS c) AS k WHERE k.nth <= " + strconv.Itoa(register.SearchRankCap))
	if after != nil {
		sc := arg(after.Score)
		keyed.WriteString(" AND (k.score < " + sc + " OR (k.score = " + sc + " AND k.rid > " + arg(after.Keys[0]) + "))")
	}
	keyed.WriteString(" ORDER BY k.score DESC, k.rid LIMIT " + arg(limit))
	if after == nil && offset > 0 {
		keyed.WriteString(" OFFSET " + arg(offset))
	}
	query := "SELECT " + cols + ", s.score, s.matches FROM (" + keyed.String() + ") AS s JOIN " + table + " AS p ON p." + idCol +
		" = s.rid ORDER BY s.score DESC, s.rid"
	if err := s.queryArgs(ctx, model, query, append(mode, params...)...); err != nil {
		return 0, dbError(err, "search")
	}
	var n int
	switch rows := model.(type) {
	case *[]scoredPublication:
		if len(*rows) > 0 {
			n = (*rows)[0].Matches
		}
	case *[]scoredProcessing:
		if len(*rows) > 0 {
			n = (*rows)[0].Matches
		}
	}
	if n == 0 && (after != nil || offset > 0) {
		// Past the last page: no row brought the count.
		if ids != nil {
			return len(ids), nil
		}
		if err := s.queryArgs(ctx, &n, "SELECT count(*) FROM ("+c+") AS c", append(mode, params[:queried]...)...); err != nil {
			return 0, dbError(err, "search")
		}
	}
	return n, nil
}

// queryArgs runs query with args as the statement's parameters (bun would
// write them into its text) and scans its rows into dest. args may begin
// with a pgx.QueryExecMode.
func (s *Store) queryArgs(ctx context.Context, dest any, query string, args ...any) error {
	rows, err := s.queryRows(ctx, query, args...)
	if err != nil {
		return err
	}
	return s.db.read.ScanRows(ctx, rows, dest)
}

// queryRows is queryArgs' query.
func (s *Store) queryRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	switch db := s.idb.(type) {
	case *bun.DB:
		return db.DB.QueryContext(ctx, query, args...)
	case bun.Tx:
		return db.Tx.QueryContext(ctx, query, args...)
	case bun.Conn:
		return db.Conn.QueryContext(ctx, query, args...)
	}
	return nil, fmt.Errorf("search: a store over %T", s.idb)
}

// manyRows is the number of matches past which the planner's newest-first
// walk is the better plan (see rankedPostgres).
const manyRows = 20_000

// expectsMany reports whether PostgreSQL's planner expects q to select more
// than manyRows rows; its estimates of whole words and of frequent
// prefixes come from the column's statistics and are close.
func (s *Store) expectsMany(ctx context.Context, q *bun.SelectQuery) (bool, error) {
	var plan string
	if err := s.idb.NewRaw("EXPLAIN (FORMAT JSON) ?", q).Scan(ctx, &plan); err != nil {
		return false, dbError(err, "search")
	}
	var ex []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &ex); err != nil || len(ex) == 0 {
		return false, nil // no estimate: the plan that is safe for a rare word
	}
	return ex[0].Plan.Rows > manyRows, nil
}

// countQuery selects one row per match of a search within org. Without
// other filters SQLite counts in the full-text index alone.
func (s *Store) countQuery(base *bun.SelectQuery, table string, sq register.Query, org string, filtered bool) *bun.SelectQuery {
	if !filtered && !s.db.postgres {
		return s.idb.NewSelect().TableExpr(table+"_fts").ColumnExpr("1").Where(table+"_fts MATCH ?", ftsQuery(sq, org, false))
	}
	return s.matchOnly(base.ColumnExpr("1"), table, sq, org)
}

// countPublications counts a list exactly: from the organisations' kept
// counts when only the organisation filters it, else with COUNT.
func (s *Store) countPublications(ctx context.Context, f register.PublicFilter, literal string, base func(...string) *bun.SelectQuery) (int, error) {
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
// the views relative to f.Actor. noSeek keeps the terms on status and
// blocking from choosing an index of their own (SQLite's unary +; see
// countNoSeek).
func processingFilters(q *bun.SelectQuery, f register.ProcessingFilter, noSeek bool) *bun.SelectQuery {
	status, blocking := "p.status", "p.blocking"
	if noSeek {
		status, blocking = "+p.status", "+p.blocking"
	}
	if f.Organisation != "" {
		q = q.Where("p.organisation = ?", f.Organisation)
	}
	if f.Unit != "" {
		q = q.Where("p.unit = ?", f.Unit)
	}
	if f.Status != "" {
		q = q.Where(status+" = ?", string(f.Status))
	}
	if f.Sensitive != nil {
		q = q.Where("p.sensitive = ?", *f.Sensitive)
	}
	if f.Blocking != nil {
		if *f.Blocking {
			q = q.Where(blocking + " > 0")
		} else {
			q = q.Where(blocking + " = 0")
		}
	}
	if f.Overdue {
		q = q.Where("p.review_due > '' AND p.review_due < ?", f.Today)
	}
	if f.Law != "" {
		// f.Law is one of register.LawCodes (checked by the service): no
		// LIKE wildcard in it.
		q = q.Where("p.blocking_laws LIKE ?", "%,"+f.Law+",%")
	}
	// "= TRUE" as the partial indexes processings_risk_* (migration
	// 20261201000170) say it, so that both planners see the list is theirs.
	switch f.Risk {
	case register.RiskDPIA:
		q = q.Where("p.dpia_due = TRUE")
	case register.RiskTransfers:
		q = q.Where("p.abroad = TRUE")
	case register.RiskProfiling:
		q = q.Where("p.profiling = TRUE")
	}
	if f.Current {
		q = q.Where("p.status <> ?", string(register.StatusArchived))
	}
	switch f.View {
	case register.ViewMyDrafts:
		q = q.Where(status+" = ?", string(register.StatusDraft)).
			Where("(p.created_by = ? OR p.updated_by = ?)", f.Actor, f.Actor)
	case register.ViewReturned:
		q = q.Where(status+" = ?", string(register.StatusDraft)).
			Where("p.returned = ?", true).Where("p.submitted_by = ?", f.Actor)
	case register.ViewToReview:
		q = q.Where(status+" = ?", string(register.StatusInReview))
	}
	return q
}

// countNoSeek reports whether the count of an administrator's list on
// SQLite must not seek the indexes on status or blocking of migration
// 20261201000170: with another filter beside them, such a seek reads the
// row of every entry to test the other filter (10,000 rows for a capped
// count: 70-140 ms at 200,000 records), where a scan of the covering index
// processings_overview or processings_list reads entries only (10 ms).
// SQLite keeps no statistics here (no ANALYZE), so its planner takes an
// equality on an indexed column for a narrow one whatever it selects.
// PostgreSQL's planner weighs both from its statistics; the list itself
// (at most a page of rows) keeps the seek.
func (s *Store) countNoSeek(f register.ProcessingFilter, literal string) bool {
	if s.db.postgres || f.Organisation != "" {
		return false
	}
	n := 0
	for _, on := range []bool{f.Status != "" || f.View != "", f.View == register.ViewMyDrafts || f.View == register.ViewReturned,
		f.Blocking != nil, f.Unit != "", f.Sensitive != nil, f.Overdue, f.Law != "", f.Risk != "", f.Current, literal != ""} {
		if on {
			n++
		}
	}
	return n > 1
}

// SearchProcessings implements register.Store: by relevance when
// f.Ranked(), else by f.SortOrder(), the last change and id, by keyset
// after f.After.
func (s *Store) SearchProcessings(ctx context.Context, f register.ProcessingFilter) (register.ProcessingPage, error) {
	var page register.ProcessingPage
	sq, ok, err := s.expandPrefixes(ctx, f.Search())
	if err != nil || !ok {
		return page, err
	}
	literal := register.LiteralPattern(f.Query)
	if f.Searching() && sq.Empty() && literal == "" {
		return page, nil
	}
	// filter selects from t (which names the table p) with the filters;
	// base from processings AS p, or from the FROM clause it is given.
	filter := func(t string, noSeek bool) *bun.SelectQuery {
		q := processingFilters(s.idb.NewSelect().ModelTableExpr(t), f, noSeek)
		if literal != "" {
			q = q.Where(`p.search_key LIKE ? ESCAPE '\'`, literal)
		}
		return q
	}
	base := func(from ...string) *bun.SelectQuery {
		t := "processings AS p"
		if len(from) > 0 {
			t = from[0]
		}
		return filter(t, false)
	}
	// Filters other than the organisation, which the full-text index holds.
	filtered := f.Unit != "" || f.Status != "" || literal != "" || f.Sensitive != nil ||
		f.Blocking != nil || f.Overdue || f.View != "" || f.Law != "" || f.Risk != "" || f.Current
	var rows []scoredProcessing
	key, desc := f.SortOrder()
	if !f.Ranked() {
		col, ok := sortColumns[key]
		if !ok {
			return page, register.Errorf(register.EInvalid, "the sort is not known")
		}
		// The page's ids are sorted first, narrow (from the covering index
		// processings_list when one organisation is listed, from the index
		// of the sort column across every organisation), and only its rows
		// are then read whole: sorting whole rows, JSON included, would
		// cost as many row reads as the list has rows.
		order := []string{col, "p.updated_at", "p.id"} // ties: the last change, then id
		if key == register.SortUpdated {
			order = []string{col, "p.id"}
		}
		keyed := base().ColumnExpr("p.id AS rid").ColumnExpr(col + " AS sk").ColumnExpr("p.updated_at AS su")
		if !sq.Empty() {
			keyed = s.matchOnly(keyed, "processings", sq, f.Organisation)
		}
		cmp, dir := ">", ""
		if desc {
			cmp, dir = "<", " DESC"
		}
		if f.After != nil {
			// One row-value comparison, in the order's direction: both
			// databases read it as a range of an index on the order's
			// columns (an index of one direction throughout), where an OR
			// of the columns would be a filter over every entry before it.
			args := make([]any, len(order))
			for i, k := range f.After.Keys {
				var err error
				switch {
				case i == len(order)-1:
					args[i] = k // the id
				case i == 0:
					args[i], err = sortArg(key, k)
				default:
					args[i], err = sortArg(register.SortUpdated, k)
				}
				if err != nil {
					return page, register.Errorf(register.EInvalid, "the cursor is not valid")
				}
			}
			keyed = keyed.Where("("+strings.Join(order, ", ")+") "+cmp+" ("+strings.Repeat("?, ", len(order)-1)+"?)", args...)
		}
		if s.db.postgres && f.Organisation != "" && key != register.SortUpdated {
			// One organisation's list sorted by another column than the
			// last change: its entries are read from processings_list and
			// sorted (OFFSET 0 keeps the subquery apart). PostgreSQL would
			// otherwise walk the column's index of every organisation
			// (migration 20261201000170) expecting the organisation's share
			// of rows at every step, but organisations are not spread
			// evenly over a column: one with no record published, sorted by
			// status descending, walked every other organisation's published
			// and in-review records first (230 ms at 200,000 records).
			keyed = s.idb.NewSelect().TableExpr("(? OFFSET 0) AS p", keyed).ColumnExpr("p.rid, p.sk, p.su")
			order = []string{"p.sk", "p.su", "p.rid"}
		}
		keyed = keyed.OrderExpr(strings.Join(order, dir+", ") + dir).Limit(int64(f.PerPage + 1))
		if f.After == nil {
			keyed = keyed.Offset(int64((f.Page - 1) * f.PerPage))
		}
		q := s.idb.NewSelect().Model(&rows).ModelTableExpr("(?) AS s", keyed).
			Join("JOIN processings AS p ON p.id = s.rid").
			ColumnExpr(processingCols).ColumnExpr("0.0 AS score").OrderExpr("s.sk" + dir + ", s.su" + dir + ", s.rid" + dir)
		if err := q.Scan(ctx); err != nil {
			return page, dbError(err, "processings")
		}
		// Lists count up to SearchTotalCap too: an administrator's list of
		// every organisation would otherwise count 200,000 rows a page.
		var err error
		if sq.Empty() {
			page.Total, page.TotalIsCapped, err = s.cappedCount(ctx, filter("processings AS p", s.countNoSeek(f, literal)).ColumnExpr("1"))
		} else {
			page.Total, page.TotalIsCapped, err = s.cappedCount(ctx, s.countQuery(base(), "processings", sq, f.Organisation, filtered))
		}
		if err != nil {
			return page, err
		}
	} else {
		var err error
		page.Total, page.TotalIsCapped, err = s.ranked(ctx, &rows, base, "processings", "id", processingCols,
			sq, f.Organisation, filtered, false, f.After, f.PerPage+1, (f.Page-1)*f.PerPage)
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
		if f.Ranked() {
			page.NextCursor = f.RankedCursor(last.Score, s.tie(last.ID, last.RowNumber))
		} else {
			keys := []string{sortKey(key, &last.processingRow)}
			if key != register.SortUpdated {
				keys = append(keys, sortKey(register.SortUpdated, &last.processingRow))
			}
			page.NextCursor = f.NextCursor(&page.Items[len(page.Items)-1], keys)
		}
	}
	return page, nil
}

// ListProcessings implements register.Store, by offset.
func (s *Store) ListProcessings(ctx context.Context, f register.ProcessingFilter) ([]register.Processing, int, error) {
	page, err := s.SearchProcessings(ctx, f)
	return page.Items, page.Total, err
}
