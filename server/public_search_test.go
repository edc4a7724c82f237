package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestPublicListCursor walks the public list and a public search page by
// page with the cursor each page returns (issue 17): every published
// processing comes once, the last page has no cursor, and a search is
// ranked by relevance.
func TestPublicListCursor(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e2e.Load(t, e)
		type page struct {
			Items []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
			} `json:"items"`
			Total         int    `json:"total"`
			Page          int    `json:"page"`
			TotalIsCapped bool   `json:"total_is_capped"`
			Cursor        string `json:"cursor"`
		}
		for _, c := range []struct{ name, query string }{
			{"list", ""},
			{"search", "registre"},
		} {
			t.Run(c.name, func(t *testing.T) {
				seen := map[string]bool{}
				path := "/public/v1/processings?per_page=2&q=" + url.QueryEscape(c.query)
				var first page
				e.Must(200, "GET", path, "", nil).JSON(t, &first)
				if first.Total == 0 || first.TotalIsCapped {
					t.Fatalf("first page: total %d, capped %v", first.Total, first.TotalIsCapped)
				}
				p, pages := first, 1
				for {
					for _, it := range p.Items {
						if seen[it.ID] {
							t.Fatalf("%s came twice", it.ID)
						}
						seen[it.ID] = true
					}
					if p.Cursor == "" {
						break
					}
					if pages > 1 && p.Page != 0 {
						t.Errorf("a page fetched by cursor has a number (%d)", p.Page)
					}
					cursor := p.Cursor
					p = page{}
					e.Must(200, "GET", path+"&cursor="+url.QueryEscape(cursor), "", nil).JSON(t, &p)
					pages++
				}
				if len(seen) != first.Total {
					t.Errorf("walked %d processings in %d pages, total says %d", len(seen), pages, first.Total)
				}
			})
		}
		t.Run("ranked", func(t *testing.T) {
			// A title match ranks above matches elsewhere only.
			var p page
			e.Must(200, "GET", "/public/v1/processings?q=naissances", "", nil).JSON(t, &p)
			if len(p.Items) == 0 || !strings.Contains(strings.ToLower(p.Items[0].Title), "naissance") {
				t.Errorf("first result of \"naissances\": %+v", p.Items)
			}
		})
		t.Run("cursor of another query", func(t *testing.T) {
			var p page
			e.Must(200, "GET", "/public/v1/processings?per_page=1", "", nil).JSON(t, &p)
			e.Must(422, "GET", "/public/v1/processings?per_page=1&q=registre&cursor="+url.QueryEscape(p.Cursor), "", nil)
		})
	})
}

// TestKeptListPagesServeEveryClient asks a page of the public list and of a
// search three times: the first answer is made, the others come from the
// page kept compressed only. A client that takes gzip and one that does not
// read the same JSON, and the entity tags follow the encoding.
func TestKeptListPagesServeEveryClient(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e2e.Load(t, e)
		plain := &http.Client{Transport: &http.Transport{DisableCompression: true}}
		identity := func(path string) (*http.Response, []byte) {
			t.Helper()
			resp, err := plain.Get(e.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("%s without gzip: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Encoding"))
			}
			return resp, b
		}
		for _, path := range []string{"/public/v1/processings?per_page=50", "/public/v1/processings?q=registre"} {
			first, want := identity(path)
			zipped, got := gunzipGet(t, e, path)
			if zipped.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(got, want) {
				t.Fatalf("%s kept, with gzip: %q, %d bytes, want the %d bytes of the first answer", path,
					zipped.Header.Get("Content-Encoding"), len(got), len(want))
			}
			again, body := identity(path)
			if !bytes.Equal(body, want) || again.Header.Get("ETag") != first.Header.Get("ETag") ||
				zipped.Header.Get("ETag") == first.Header.Get("ETag") {
				t.Fatalf("%s kept, without gzip: %d bytes (want %d), tags %q %q %q", path, len(body), len(want),
					first.Header.Get("ETag"), again.Header.Get("ETag"), zipped.Header.Get("ETag"))
			}
		}
	})
}
