package register_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

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
		for _, q := range []string{"gestion personnel", "personnel gestion", "gestion pers", "salles gestion"} {
			db.SetRecentRows(0)
			want, wantTotal, wantCapped := pages(q)
			if len(want[0]) == 0 {
				t.Fatalf("%q: nothing found", q)
			}
			// 60 newest rows hold fewer matches than the cap (the whole
			// table is searched after); 320 hold more.
			for _, recent := range []int{60, 320} {
				db.SetRecentRows(recent)
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
		// The pair is in more records than the cap: the total says so.
		db.SetRecentRows(320)
		page, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: "gestion personnel"})
		if err != nil {
			t.Fatal(err)
		}
		if matches <= register.SearchRankCap || page.Total != register.SearchRankCap || !page.TotalIsCapped {
			t.Fatalf("total %d (capped %v) for %d matches, want %d capped", page.Total, page.TotalIsCapped, matches, register.SearchRankCap)
		}
	})
}
