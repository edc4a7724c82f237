package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/uptrace/bun"

	"github.com/registre/registre/register"
)

// The term window: the terms of the newest published processings, kept in
// memory, where a public search across organisations finds its candidates
// without asking the database to rank them.
//
// Why: on PostgreSQL the ranking query cost 0.5–1.5 ms of the database's
// time per search even over the search window's index (recent.go); on
// SQLite, FTS5's walk of the words' doclists was two thirds of a cold
// search's CPU. The public search at 8 clients on 2 cores needs a search to
// take about 2 ms of CPU in all, HTTP, JSON and the load generator
// included. Here the newest 10,000 publications' terms (on PostgreSQL read
// from their tsvector, on SQLite split as FTS5's tokenizer splits them, so
// that they match exactly as the database would) are intersected in
// bitsets, and only the page's rows are read. It holds about 4 MB at
// 10,000 rows.
//
// It is used only while it is known to be current: it is read again in
// the background after every public change of this process or of another
// (the service's public-change hooks, which the other processes'
// notifications run too, and every write of publications by the store),
// and the public audit head is compared at most once a second, for a
// change whose notice was lost. Meanwhile, and for filtered searches and
// words too rare among the newest rows, searches go to the database as
// before.

// termRows is how many of the newest publications the term window holds.
const termRows = recentRows

// termWindow is the terms of the newest publications.
type termWindow struct {
	gen   int64    // the public generation it was read in (termWindows.gen)
	seq   int64    // the public audit head it reflects
	whole bool     // it holds every publication
	ids   []string // oldest first (UUIDv7: in the order of creation)
	// rowids are the rows' numbers on SQLite, where the newest are those
	// of the highest row numbers (as for FTS5), nil on PostgreSQL.
	rowids []int64
	// lexemes is sorted; all and high hold, for each lexeme, the
	// positions in ids of the rows that have it (anywhere, or in the
	// title, purpose or summary: weight A), ascending.
	lexemes   []string
	all, high [][]uint32
}

// termWindows keeps the term window and what tells whether it is current.
type termWindows struct {
	gen atomic.Int64 // moves with every public change this process hears of

	mu        sync.Mutex
	rows      int // termRows unless SetTermRows said otherwise; 0: off
	set       bool
	win       *termWindow
	building  bool
	lastBuild time.Time
	seq       int64     // the public audit head last read
	checked   time.Time // when it was read
}

// PublicChanged implements register.PublicChangeListener: the term window
// is no longer current.
func (s *Store) PublicChanged() { s.db.terms.gen.Add(1) }

// SetTermRows sets how many of the newest publications the term window
// holds (default termRows); 0 turns it off. Tests use it, then
// BuildTermWindow, to take both ways.
func (db *DB) SetTermRows(n int) {
	t := &db.terms
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows, t.set, t.win = n, true, nil
}

func (t *termWindows) size() int {
	if t.set {
		return t.rows
	}
	return termRows
}

// termWindow returns the term window when it is current, nil otherwise
// (and then starts reading it again in the background).
func (s *Store) termWindow(ctx context.Context) *termWindow {
	t := &s.db.terms
	t.mu.Lock()
	if t.size() <= 0 {
		t.mu.Unlock()
		return nil
	}
	w, due := t.win, time.Since(t.checked) >= time.Second
	if due {
		t.checked = time.Now() // one request a second asks, not every one waiting
	}
	seq := t.seq
	t.mu.Unlock()
	if due {
		// Another process's change whose notice was lost.
		var err error
		if seq, err = s.LastAuditOf(ctx, register.PublicActions()); err != nil {
			return nil // the database's own path says what is wrong
		}
		t.mu.Lock()
		t.seq = seq
		t.mu.Unlock()
	}
	if w == nil || w.gen != t.gen.Load() || w.seq != seq {
		s.db.readTermsLater()
		return nil
	}
	return w
}

// readTermsLater reads the term window again in the background, unless a
// reading is under way or began less than a second ago (the searches that
// follow then ask again).
func (db *DB) readTermsLater() {
	t := &db.terms
	t.mu.Lock()
	if t.building || time.Since(t.lastBuild) < time.Second {
		t.mu.Unlock()
		return
	}
	t.building, t.lastBuild = true, time.Now()
	t.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A failure leaves the searches to the database, which reports
		// what is wrong to the request that meets it.
		_ = db.BuildTermWindow(ctx)
		t.mu.Lock()
		t.building = false
		t.mu.Unlock()
	}()
}

// BuildTermWindow reads the term window now (nothing when it is off).
func (db *DB) BuildTermWindow(ctx context.Context) error {
	t := &db.terms
	t.mu.Lock()
	rows := t.size()
	t.mu.Unlock()
	if rows <= 0 {
		return nil
	}
	w := &termWindow{gen: t.gen.Load()}
	type termRow struct {
		RowID int64    `bun:"rowid"`
		ID    string   `bun:"processing_id"`
		All   []string `bun:"terms_all,array"`
		High  []string `bun:"terms_high,array"`
		// SQLite: the terms as FTS5 reads them.
		SearchHigh string `bun:"search_high"`
		SearchLow  string `bun:"search_low"`
	}
	var got []termRow
	// One snapshot for the audit head and the rows.
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	if !db.postgres {
		opts = &sql.TxOptions{ReadOnly: true} // a read transaction is a snapshot (WAL)
	}
	err := db.read.RunInTx(ctx, opts, func(ctx context.Context, tx bun.Tx) error {
		st := &Store{db: db, idb: tx, inTx: true}
		var err error
		if w.seq, err = st.LastAuditOf(ctx, register.PublicActions()); err != nil {
			return err
		}
		if !db.postgres {
			return tx.NewSelect().TableExpr("publications").ColumnExpr("rowid, processing_id, search_high, search_low").
				OrderExpr("rowid DESC").Limit(int64(rows+1)).Scan(ctx, &got)
		}
		return tx.NewSelect().TableExpr("publications").
			ColumnExpr("processing_id, tsvector_to_array(search_tsv) AS terms_all, tsvector_to_array(ts_filter(search_tsv, '{a}')) AS terms_high").
			OrderExpr("processing_id DESC").Limit(int64(rows+1)).Scan(ctx, &got)
	})
	if err != nil {
		return dbError(err, "search terms")
	}
	if !db.postgres {
		for i := range got {
			high := ftsTokens(got[i].SearchHigh)
			got[i].All = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(high), ftsTokens(got[i].SearchLow)...))))
			got[i].High = slices.Compact(slices.Sorted(slices.Values(high)))
		}
	}
	w.whole = len(got) <= rows
	got = got[:min(len(got), rows)]
	slices.Reverse(got)
	index := map[string]int{}
	for i, r := range got {
		w.ids = append(w.ids, r.ID)
		if !db.postgres {
			w.rowids = append(w.rowids, r.RowID)
		}
		for k, terms := range [][]string{r.All, r.High} {
			for _, lx := range terms {
				j, ok := index[lx]
				if !ok {
					j = len(w.lexemes)
					index[lx] = j
					w.lexemes = append(w.lexemes, lx)
					w.all, w.high = append(w.all, nil), append(w.high, nil)
				}
				if k == 0 {
					w.all[j] = append(w.all[j], uint32(i))
				} else {
					w.high[j] = append(w.high[j], uint32(i))
				}
			}
		}
	}
	// Sort the lexemes (prefixes are ranges), their postings with them.
	order := make([]int, len(w.lexemes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return w.lexemes[order[a]] < w.lexemes[order[b]] })
	lexemes, all, high := make([]string, len(order)), make([][]uint32, len(order)), make([][]uint32, len(order))
	for i, j := range order {
		lexemes[i], all[i], high[i] = w.lexemes[j], slices.Clip(w.all[j]), slices.Clip(w.high[j])
	}
	w.lexemes, w.all, w.high = lexemes, all, high
	t.mu.Lock()
	defer t.mu.Unlock()
	t.win = w
	if w.seq > t.seq || t.checked.IsZero() {
		t.seq, t.checked = w.seq, time.Now()
	}
	return nil
}

// ftsTokens splits terms as SQLite's unicode61 tokenizer does (the FTS5
// tables', migration 0050): at every character that is neither a letter
// nor a digit, in lower case. The terms are the store's own (words of
// a-z and 0-9, spaced), so that is their spaces.
func ftsTokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// match returns the newest SearchRankCap+1 rows of the window that match
// sq, newest first, scored as rankPostgres scores them; ok is false when
// the window cannot tell them (fewer, and older rows it does not hold may
// match).
func (w *termWindow) match(sq register.Query) (cands []rankedRow, ok bool) {
	words := (len(w.ids) + 63) / 64
	var all, high []uint64
	bits := make([]uint64, 4*words)
	for n, g := range sq.Groups {
		// The first group's bits are the result's; the others' are
		// ANDed into it.
		ga, gh := bits[:words], bits[words:2*words]
		if n > 0 {
			ga, gh = bits[2*words:3*words], bits[3*words:]
			clear(ga)
			clear(gh)
		}
		for _, f := range g {
			i := sort.SearchStrings(w.lexemes, f.Term)
			for ; i < len(w.lexemes); i++ {
				if f.Prefix && !strings.HasPrefix(w.lexemes[i], f.Term) || !f.Prefix && w.lexemes[i] != f.Term {
					break
				}
				for _, p := range w.all[i] {
					ga[p>>6] |= 1 << (p & 63)
				}
				for _, p := range w.high[i] {
					gh[p>>6] |= 1 << (p & 63)
				}
				if !f.Prefix {
					break
				}
			}
		}
		if all == nil {
			all, high = ga, gh
			continue
		}
		for k := range all {
			all[k] &= ga[k]
			high[k] &= gh[k]
		}
	}
	for p := len(w.ids) - 1; p >= 0 && len(cands) <= register.SearchRankCap; p-- {
		if all == nil || all[p>>6]&(1<<(p&63)) == 0 {
			continue
		}
		c := rankedRow{id: w.ids[p], score: 1}
		if w.rowids != nil {
			c.rowid = w.rowids[p]
		}
		if high[p>>6]&(1<<(p&63)) != 0 {
			c.score = 2
		}
		cands = append(cands, c)
	}
	return cands, len(cands) > register.SearchRankCap || w.whole
}

// rankTerms reads the page of cands (newest first) after the cursor or
// offset into model, a *[]scoredPublication, in rank order: score, then
// the oldest first.
func (s *Store) rankTerms(ctx context.Context, model *[]scoredPublication, cands []rankedRow,
	after *register.Cursor, limit, offset int) error {
	// The newest SearchRankCap are ranked, as the databases rank them; the
	// one more only tells that there are more.
	page, err := s.rankPage(cands[:min(len(cands), register.SearchRankCap)], after, limit, offset)
	if err != nil || len(page) == 0 {
		return err
	}
	ids := make([]string, len(page))
	for i, c := range page {
		ids[i] = c.id
	}
	rows, err := s.rowsByID(ctx, ids)
	if err != nil {
		return err
	}
	*model = inRankOrder(rows, page, func(r *scoredPublication) string { return r.ProcessingID },
		func(r rankedRow) string { return r.id }, func(r *scoredPublication, score float64) { r.Score = score })
	return nil
}

// rowsByID reads the publications of ids, in any order.
func (s *Store) rowsByID(ctx context.Context, ids []string) ([]scoredPublication, error) {
	var rows []scoredPublication
	if !s.db.postgres {
		// With their row numbers, the ties of SQLite's cursors.
		err := s.idb.NewSelect().Model(&rows).ModelTableExpr("publications AS p").ColumnExpr(publicationCols).
			ColumnExpr("p.rowid AS row_number").Where("p.processing_id IN (?)", bun.List(ids)).Scan(ctx)
		return rows, dbError(err, "search")
	}
	// Scanned by hand: bun's scan of these rows was a tenth of a cold
	// search's CPU.
	rs, err := s.queryRows(ctx, "SELECT "+publicationCols+" FROM publications AS p WHERE p.processing_id = ANY($1::text[])", ids)
	if err != nil {
		return nil, dbError(err, "search")
	}
	defer rs.Close()
	rows = make([]scoredPublication, 0, len(ids))
	for rs.Next() {
		var r scoredPublication
		// The order of publicationCols.
		if err := rs.Scan(&r.ProcessingID, &r.Organisation, &r.Version, &r.Title, &r.Sensitive, &r.BasisTypes,
			&r.Categories, &r.Data, &r.PublishedAt, &r.RulesVersion, &r.PlannedStart); err != nil {
			return nil, dbError(err, "search")
		}
		rows = append(rows, r)
	}
	return rows, dbError(rs.Err(), "search")
}
