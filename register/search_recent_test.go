package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestTwoWordSearchIsTheSameWhereverItLooksFirst: on PostgreSQL, a search
// across organisations looks for its newest matches among the table's
// newest rows first: by the search window's index (sqlstore's recent.go),
// walked or not, or, for the public search, in the newest publications'
// terms kept in memory (termwindow.go). Whether that first look finds
// enough matches, too few (and the whole table is searched), all of them,
// or is turned off, every page of the public search and of an
// administrator's search across organisations is the same, total and cap
// included. On SQLite the settings change nothing and the pages must be
// equal too.
func TestTwoWordSearchIsTheSameWhereverItLooksFirst(t *testing.T) {
	var docs []searchDoc
	for i := range register.SearchRankCap + 130 {
		// Both words in two records of three; one of them in the third.
		title := fmt.Sprintf("Gestion du personnel %d", i)
		if i%3 == 2 {
			title = fmt.Sprintf("Gestion des salles %d", i)
		}
		docs = append(docs, searchDoc{[]string{"carouge", "onex"}[i%2], title, "Tenue des dossiers.", "", true})
	}
	matches := 0
	for i := range docs {
		if i%3 != 2 {
			matches++
		}
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := seedSearch(t, db, docs)
		admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
		// pages reads every page of the query by cursor and by number.
		pages := func(q string) (lists [][]string, total int, capped bool) {
			t.Helper()
			for _, per := range []int{7, 50} {
				var byCursor, byNumber []string
				pf := register.PublicFilter{Query: q, PerPage: per}
				for n := 0; ; n++ {
					page, err := svc.ListPublicPage(ctx, pf)
					if err != nil {
						t.Fatal(err)
					}
					total, capped = page.Total, page.TotalIsCapped
					byCursor = append(byCursor, titlesAndIDs(page.Items)...)
					if page.NextCursor == "" || n > 100 {
						break
					}
					pf.Cursor = page.NextCursor
				}
				for n := 1; n <= total/per+1; n++ {
					page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: q, PerPage: per, Page: n})
					if err != nil {
						t.Fatal(err)
					}
					byNumber = append(byNumber, titlesAndIDs(page.Items)...)
				}
				var office []string
				of := register.ProcessingFilter{Query: q, PerPage: per}
				for n := 0; ; n++ {
					page, err := svc.ListProcessingsPage(ctx, admin, of)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range page.Items {
						office = append(office, it.Title+" "+it.ID)
					}
					if page.NextCursor == "" || n > 100 {
						break
					}
					of.Cursor = page.NextCursor
				}
				lists = append(lists, byCursor, byNumber, office)
			}
			return lists, total, capped
		}
		// look sets where a search looks first: the search window's index
		// over the recent newest rows, the terms of the newest in memory
		// (0: not there).
		look := func(recent, terms int) {
			t.Helper()
			db.SetRecentRows(recent)
			if err := db.RefreshSearchWindows(ctx); err != nil {
				t.Fatal(err)
			}
			db.SetTermRows(terms)
			if err := db.BuildTermWindow(ctx); err != nil {
				t.Fatal(err)
			}
		}
		looks := []struct{ recent, terms int }{{60, 0}, {320, 0}, {0, 60}, {0, 320}, {0, 1000}}
		// Twice: without the planner's statistics, every query is looked
		// for by the window's index; with them, these words are in most
		// rows and the window is walked.
		for _, stats := range []bool{false, true} {
			if stats && !db.Postgres() {
				break // SQLite: no statistics, no windows; one pass shows it
			}
			if stats {
				if _, err := db.Bun().ExecContext(ctx, "ANALYZE publications, processings"); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{"gestion personnel", "personnel gestion", "gestion pers", "salles gestion", "pers"} {
				// Both first looks off: the whole table's index.
				look(0, 0)
				want, wantTotal, wantCapped := pages(q)
				if len(want[0]) == 0 {
					t.Fatalf("%q: nothing found", q)
				}
				// 60 newest rows hold fewer matches than the cap (the whole
				// table is searched after); 320 hold more; 1,000 are all.
				for _, l := range looks {
					if stats && l.terms > 0 || !db.Postgres() && l.recent > 0 {
						continue // statistics change only the search window's way; SQLite has neither
					}
					look(l.recent, l.terms)
					got, total, capped := pages(q)
					if total != wantTotal || capped != wantCapped {
						t.Fatalf("%q, first look %+v: total %d (capped %v), want %d (capped %v)", q, l, total, capped, wantTotal, wantCapped)
					}
					for i := range want {
						if !slices.Equal(got[i], want[i]) {
							t.Fatalf("%q, first look %+v, list %d: %d items %v…, want %d items %v…", q, l, i, len(got[i]), got[i][:min(3, len(got[i]))], len(want[i]), want[i][:min(3, len(want[i]))])
						}
					}
				}
			}
		}
		// The pair is in more records than the cap: the total says so.
		look(320, 320)
		page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "gestion personnel"})
		if err != nil {
			t.Fatal(err)
		}
		if matches <= register.SearchRankCap || page.Total != register.SearchRankCap || !page.TotalIsCapped {
			t.Fatalf("total %d (capped %v) for %d matches, want %d capped", page.Total, page.TotalIsCapped, matches, register.SearchRankCap)
		}
	})
}

// TestSearchWindowsAreBuiltKeptAndReplaced: on PostgreSQL a table's search
// window (a partial index over its newest rows, sqlstore's recent.go) is
// built when the table has more rows than a window begins with, kept while
// the rows past its bound stay between half and twice that, and replaced
// otherwise; the one before the newest is kept for the processes that
// still use its bound, older ones are dropped. The planner can answer a
// window's query from its index. On SQLite nothing is built.
func TestSearchWindowsAreBuiltKeptAndReplaced(t *testing.T) {
	var docs []searchDoc
	for i := range 330 {
		docs = append(docs, searchDoc{[]string{"carouge", "onex"}[i%2], fmt.Sprintf("Gestion du personnel %d", i), "Tenue des dossiers.", "", true})
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		seedSearch(t, db, docs)
		type window struct{ Name, Pred string }
		windows := func(table string) []window {
			t.Helper()
			var ws []window
			err := db.Bun().NewSelect().TableExpr("pg_index AS i").Join("JOIN pg_class AS c ON c.oid = i.indexrelid").
				ColumnExpr("c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS pred").
				Where("i.indrelid = ?::regclass AND c.relname LIKE ?", table, table+`\_search\_recent\_%`).
				OrderExpr("c.relname DESC").Scan(ctx, &ws)
			if err != nil {
				t.Fatal(err)
			}
			return ws
		}
		refresh := func(rows int) {
			t.Helper()
			db.SetRecentRows(rows)
			if err := db.RefreshSearchWindows(ctx); err != nil {
				t.Fatal(err)
			}
		}
		refresh(60)
		if !db.Postgres() {
			return // nothing to build; the searches above ran on SQLite too
		}
		nth := func(table, idCol string, n int) string {
			t.Helper()
			var id string
			if err := db.Bun().NewSelect().TableExpr(table).ColumnExpr(idCol).OrderExpr(idCol+" DESC").Offset(int64(n)).Limit(1).Scan(ctx, &id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		for _, tb := range []struct{ table, idCol string }{{"publications", "processing_id"}, {"processings", "id"}} {
			ws := windows(tb.table)
			if len(ws) != 1 || !strings.Contains(ws[0].Pred, nth(tb.table, tb.idCol, 60)) {
				t.Fatalf("%s: windows %v, want one past its 60 newest rows", tb.table, ws)
			}
		}
		first := windows("publications")[0]
		refresh(60)
		if ws := windows("publications"); len(ws) != 1 || ws[0] != first {
			t.Fatalf("a window that still fits was built again: %v", ws)
		}
		refresh(320) // 60 rows past the bound: fewer than half of 320
		ws := windows("publications")
		if len(ws) != 2 || ws[1] != first || !strings.Contains(ws[0].Pred, nth("publications", "processing_id", 320)) {
			t.Fatalf("windows %v, want a new one past the 320 newest rows, then %v", ws, first)
		}
		second := ws[0]
		refresh(100) // 320 rows past the bound: more than twice 100
		ws = windows("publications")
		if len(ws) != 2 || ws[1] != second || !strings.Contains(ws[0].Pred, nth("publications", "processing_id", 100)) {
			t.Fatalf("windows %v, want a new one past the 100 newest rows, then %v (and %v dropped)", ws, second, first)
		}
		newest := ws[0]
		// A leftover older window is dropped by the next refresh, though
		// nothing is built.
		if _, err := db.Bun().ExecContext(ctx, "CREATE INDEX publications_search_recent_0000000000000000001 ON publications USING gin (search_tsv) WHERE processing_id > ''"); err != nil {
			t.Fatal(err)
		}
		refresh(100)
		if ws := windows("publications"); len(ws) != 2 || ws[0] != newest {
			t.Fatalf("windows %v, want %v and the one before it", ws, newest)
		}
		// The planner proves that a query bounded as the window is can use
		// its index (a small table would otherwise be read whole).
		bound := nth("publications", "processing_id", 100)
		err := db.Bun().RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off"); err != nil {
				return err
			}
			var plan []string
			err := tx.NewRaw("EXPLAIN SELECT processing_id FROM publications AS p WHERE p.search_tsv @@ to_tsquery('simple', 'gestion') AND p.processing_id > ? ORDER BY p.processing_id || '' DESC LIMIT 201", bound).Scan(ctx, &plan)
			if err != nil {
				return err
			}
			if !strings.Contains(strings.Join(plan, "\n"), newest.Name) {
				t.Errorf("the window's query does not use %s:\n%s", newest.Name, strings.Join(plan, "\n"))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestTermWindowFollowsPublicChanges: the public search's terms kept in
// memory (PostgreSQL, sqlstore's termwindow.go) never hide a change. A
// publication of this process is found by the next search, a withdrawn
// one is gone from it; one of another process sharing the database is
// found within a couple of seconds even without its notice (the public
// audit head is compared once a second). On SQLite nothing is kept and
// the same holds.
func TestTermWindowFollowsPublicChanges(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		ctx := context.Background()
		db := dbtest.Open(t, dsn)
		svc, _ := seedSearch(t, db, searchDocs)
		db.SetTermRows(1000)
		if err := db.BuildTermWindow(ctx); err != nil {
			t.Fatal(err)
		}
		cli := register.CommandLine("test")
		found := func(svc *register.Service, q string) []string {
			t.Helper()
			page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return titlesAndIDs(page.Items)
		}
		publish := func(svc *register.Service, org, title string) string {
			t.Helper()
			p, err := svc.CreateProcessing(ctx, cli, org, demo.Publishable("social", title, "Gérer les dossiers.", "Transport des habitants.", ""))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []register.Step{register.StepSubmit, register.StepPublish} {
				if _, err := svc.Transition(ctx, cli, p.ID, s, nil, ""); err != nil {
					t.Fatal(err)
				}
			}
			return p.ID
		}
		if got := found(svc, "funiculaire"); len(got) != 0 {
			t.Fatalf("found %v before it was published", got)
		}
		id := publish(svc, "onex", "Funiculaire du Salève")
		if got := found(svc, "funiculaire"); len(got) != 1 {
			t.Fatalf("a publication of this process: found %v", got)
		}
		// Read again (as the background does), then withdrawn.
		if err := db.BuildTermWindow(ctx); err != nil {
			t.Fatal(err)
		}
		if got := found(svc, "funiculaire"); len(got) != 1 {
			t.Fatalf("after the terms were read again: found %v", got)
		}
		if _, err := svc.Transition(ctx, cli, id, register.StepArchive, nil, ""); err != nil {
			t.Fatal(err)
		}
		if got := found(svc, "funiculaire"); len(got) != 0 {
			t.Fatalf("a withdrawn publication is still found: %v", got)
		}
		// Another process, which tells nobody, while this one's terms are
		// current.
		if err := db.BuildTermWindow(ctx); err != nil {
			t.Fatal(err)
		}
		other := dbtest.Open(t, dsn)
		publish(register.NewService(other.Store()), "carouge", "Téléphérique communal")
		deadline := time.Now().Add(5 * time.Second)
		for len(found(svc, "telepherique")) != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("another process's publication is not found after 5 s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestTitleMatchRanksFirstWhateverItsAge: a match in the title ranks above
// an older and a newer match in the description only, whether the
// database ranks or the newest publications' terms in memory do (the
// ties otherwise go oldest first, which would hide a lost tier).
func TestTitleMatchRanksFirstWhateverItsAge(t *testing.T) {
	docs := []searchDoc{
		{"carouge", "Gestion des salles", "Réservations.", "Les locaux ont une ludothèque.", true},
		{"onex", "Ludothèque municipale", "Prêts de jeux.", "", true},
		{"carouge", "Prêt de matériel", "Prêts.", "Le matériel vient de la ludothèque.", true},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, _ := seedSearch(t, db, docs)
		for _, terms := range []int{0, 1000} {
			db.SetTermRows(terms)
			if err := db.BuildTermWindow(ctx); err != nil {
				t.Fatal(err)
			}
			page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "ludothèque"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range page.Items {
				got = append(got, it.Title)
			}
			want := []string{"Ludothèque municipale", "Gestion des salles", "Prêt de matériel"}
			if !slices.Equal(got, want) {
				t.Fatalf("terms in memory %d: %q, want %q (the title first, then the oldest)", terms, got, want)
			}
		}
	})
}

// TestTermWindowFollowsTheStoresOwnWrites: a change of publications that
// no service tells of (the store's own transaction) makes the terms kept
// in memory stale when it commits, even when they were read again while
// the transaction was open (from a snapshot without the change).
func TestTermWindowFollowsTheStoresOwnWrites(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, ids := seedSearch(t, db, searchDocs)
		db.SetTermRows(1000)
		if err := db.BuildTermWindow(ctx); err != nil {
			t.Fatal(err)
		}
		err := db.Store().InTx(ctx, func(tx register.Store) error {
			p, err := tx.GetPublication(ctx, ids["Registre des habitants"])
			if err != nil {
				return err
			}
			p.Terms = register.SearchTerms{High: "registre habitants telepherique"}
			if err := tx.PutPublication(ctx, p); err != nil {
				return err
			}
			return db.BuildTermWindow(ctx) // read while the change is not committed
		})
		if err != nil {
			t.Fatal(err)
		}
		page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "telepherique"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("after the store's own change: %d items, %v; want 1", len(page.Items), err)
		}
	})
}
