package register_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestTwoWordSearchIsTheSameWhereverItLooksFirst: on PostgreSQL, a search
// of words expected to be rare looks for its newest matches among the
// table's newest rows first (sqlstore's recent.go). Whether that first look
// finds enough matches, too few (and the whole table is searched), or is
// turned off, every page of the public search and of an administrator's
// search across organisations is the same, total and cap included. On
// SQLite the setting changes nothing and the pages must be equal too.
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
		// Twice: without the planner's statistics, every query is looked
		// for by the window's index; with them, these words are in most
		// rows and the window is walked.
		for _, stats := range []bool{false, true} {
			if stats && db.Postgres() {
				if _, err := db.Bun().ExecContext(ctx, "ANALYZE publications, processings"); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{"gestion personnel", "personnel gestion", "gestion pers", "salles gestion"} {
				db.SetRecentRows(0)
				if err := db.RefreshSearchWindows(ctx); err != nil {
					t.Fatal(err)
				}
				want, wantTotal, wantCapped := pages(q)
				if len(want[0]) == 0 {
					t.Fatalf("%q: nothing found", q)
				}
				// 60 newest rows hold fewer matches than the cap (the whole
				// table is searched after); 320 hold more.
				for _, recent := range []int{60, 320} {
					db.SetRecentRows(recent)
					if err := db.RefreshSearchWindows(ctx); err != nil {
						t.Fatal(err)
					}
					got, total, capped := pages(q)
					if total != wantTotal || capped != wantCapped {
						t.Fatalf("%q, first look in %d rows: total %d (capped %v), want %d (capped %v)", q, recent, total, capped, wantTotal, wantCapped)
					}
					for i := range want {
						if !slices.Equal(got[i], want[i]) {
							t.Fatalf("%q, first look in %d rows, list %d: %d items %v…, want %d items %v…", q, recent, i, len(got[i]), got[i][:min(3, len(got[i]))], len(want[i]), want[i][:min(3, len(want[i]))])
						}
					}
				}
			}
		}
		// The pair is in more records than the cap: the total says so.
		db.SetRecentRows(320)
		if err := db.RefreshSearchWindows(ctx); err != nil {
			t.Fatal(err)
		}
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
