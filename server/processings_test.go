package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

func TestConcurrentUpdatesOneWins(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre des naissances"))
		id, etag := r.Map(t)["id"].(string), r.Header.Get("ETag")

		const n = 20
		statuses := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				body := apitest.Complete("etat-civil", fmt.Sprintf("Registre des naissances %d", i))
				statuses[i] = e.Do("PUT", "/api/v1/processings/"+id, dpo, body, "If-Match: "+etag).Status
			}()
		}
		close(start)
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[200] != 1 || count[412] != n-1 {
			t.Fatalf("got statuses %v, want one 200 and %d 412", count, n-1)
		}
		r = e.Must(200, "GET", "/api/v1/processings/"+id+"/versions", dpo, nil)
		if got := r.Map(t)["total"]; got != float64(2) {
			t.Fatalf("got %v versions, want 2", got)
		}
		r = e.Must(200, "GET", "/api/v1/audit?target=processing/"+id, dpo, nil)
		if got := r.Map(t)["total"]; got != float64(2) {
			t.Fatalf("got %v audit entries, want 2 (create, update)", got)
		}
	})
}

func TestConcurrentCreatesSQLite(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	e := apitest.Start(t, db)
	e.Seed("geneve")
	dpo := e.Token(auth.RoleDPO, "geneve")
	const n = 50
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.Do("POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", fmt.Sprintf("Traitement %d", i))).Status
		}()
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 201 {
			t.Fatalf("create %d: got %d, want 201", i, s)
		}
	}
	r := e.Must(200, "GET", "/api/v1/processings?per_page=200", dpo, nil)
	if got := r.Map(t)["total"]; got != float64(n) {
		t.Fatalf("got %v processings, want %d", got, n)
	}
	if strings.Contains(e.Logs.String(), "locked") {
		t.Fatalf("database locked in logs")
	}
}

func TestSearch(t *testing.T) {
	titles := []string{
		"Géolocalisation des véhicules de levée",
		"GEOLOCALISATION des balayeuses",
		"Taux de 50% des subventions",
		"Taux de 50 pour cent",
		"Fichier a_b des bénéficiaires",
		"Fichier axb des bénéficiaires",
		"Œuvres sociales",
		"Contrôle de l'habitant",
	}
	queries := []struct {
		q    string
		want []string
	}{
		{"geolocalisation", titles[:2]},
		{"GÉOLOCALISATION", titles[:2]},
		{"véhicules", titles[:1]},
		{"50%", titles[2:3]},
		{"a_b", titles[4:5]},
		{"oeuvres", titles[6:7]},
		{"controle", titles[7:8]},
		{"%", titles[2:3]},
		{"_", titles[4:5]},
		{"VDG-EC-7", []string{"Œuvres sociales"}}, // reference
		{"maternités", nil},                       // not in title/purpose/reference/description of these
	}
	results := map[string]map[string][]string{}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		for i, title := range titles {
			b := apitest.Complete("etat-civil", title)
			b["purpose"] = "Gestion."
			b["description"] = ""
			if title == "Œuvres sociales" {
				b["reference"] = "VDG-EC-7"
			}
			e.Must(201, "POST", "/api/v1/processings", dpo, b)
			_ = i
		}
		// Another organisation's matching record is never found.
		e.Must(201, "POST", "/api/v1/processings", e.Token(auth.RoleDPO, "carouge"), apitest.Complete("etat-civil", "Géolocalisation à Carouge"))
		got := map[string][]string{}
		for _, q := range queries {
			r := e.Must(200, "GET", "/api/v1/processings?q="+urlQuery(q.q), dpo, nil)
			var page struct {
				Items []struct {
					Title string `json:"title"`
				} `json:"items"`
			}
			r.JSON(t, &page)
			var titles []string
			for _, it := range page.Items {
				titles = append(titles, it.Title)
			}
			sort.Strings(titles)
			want := append([]string{}, q.want...)
			sort.Strings(want)
			if strings.Join(titles, "|") != strings.Join(want, "|") {
				t.Errorf("q=%q: got %q, want %q", q.q, titles, want)
			}
			got[q.q] = titles
		}
		results[t.Name()] = got
	})
	if len(results) == 2 {
		var all []string
		for _, r := range results {
			all = append(all, fmt.Sprint(r))
		}
		if all[0] != all[1] {
			t.Fatalf("databases disagree: %v", all)
		}
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "+", "#", "%23")
	return r.Replace(s)
}

func TestVersionsAndPaging(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Version un"))
		id := r.Map(t)["id"].(string)
		if loc := r.Header.Get("Location"); loc != "/api/v1/processings/"+id {
			t.Fatalf("got Location %q", loc)
		}
		v1 := e.Must(200, "GET", "/api/v1/processings/"+id+"/versions/1", dpo, nil).Body
		etag := r.Header.Get("ETag")
		body := apitest.Complete("etat-civil", "Version deux")
		body["status"] = "published" // read-only: never takes effect
		body["version"] = 99
		body["organisation"] = "carouge"
		r = e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, body, "If-Match: "+etag)
		m := r.Map(t)
		if m["version"] != float64(2) || m["status"] != "draft" || m["organisation"] != "geneve" {
			t.Fatalf("read-only fields took effect: %s", r.Body)
		}
		if r.Header.Get("ETag") == etag {
			t.Fatalf("ETag did not change")
		}
		created, err := time.Parse(time.RFC3339Nano, m["created_at"].(string))
		if err != nil || created.Location() != time.UTC || !strings.HasSuffix(m["created_at"].(string), "Z") {
			t.Fatalf("created_at %v not RFC 3339 UTC", m["created_at"])
		}
		r = e.Must(200, "GET", "/api/v1/processings/"+id+"/versions", dpo, nil)
		var vs struct {
			Items []struct {
				Version int    `json:"version"`
				Title   string `json:"title"`
			} `json:"items"`
		}
		r.JSON(t, &vs)
		if len(vs.Items) != 2 || vs.Items[0].Version != 2 || vs.Items[1].Version != 1 || vs.Items[1].Title != "Version un" {
			t.Fatalf("got versions %+v, want 2 then 1", vs.Items)
		}
		if got := e.Must(200, "GET", "/api/v1/processings/"+id+"/versions/1", dpo, nil).Body; string(got) != string(v1) {
			t.Fatalf("version 1 changed:\n%s\n%s", v1, got)
		}
		e.Must(404, "GET", "/api/v1/processings/"+id+"/versions/3", dpo, nil)

		for i := range 5 {
			e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("informatique", fmt.Sprintf("Paged %d", i)))
		}
		r = e.Must(200, "GET", "/api/v1/processings?per_page=2&page=2&unit=informatique", dpo, nil)
		var page struct {
			Items   []map[string]any `json:"items"`
			Total   int              `json:"total"`
			Page    int              `json:"page"`
			PerPage int              `json:"per_page"`
		}
		r.JSON(t, &page)
		if page.Total != 5 || page.Page != 2 || page.PerPage != 2 || len(page.Items) != 2 {
			t.Fatalf("got page %+v", page)
		}
		r = e.Must(200, "GET", "/api/v1/processings?status=draft&unit=etat-civil", dpo, nil)
		if got := r.Map(t)["total"]; got != float64(1) {
			t.Fatalf("status filter: got %v", got)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Fatalf("got Cache-Control %q, want no-store", cc)
		}
		// Delete a draft never published.
		e.Must(204, "DELETE", "/api/v1/processings/"+id, dpo, nil)
		e.Must(404, "GET", "/api/v1/processings/"+id, dpo, nil)
	})
}

func TestEditorScope(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		editor := e.Token(auth.RoleEditor, "geneve", "etat-civil")
		dpo := e.Token(auth.RoleDPO, "geneve")
		mine := e.Must(201, "POST", "/api/v1/processings", editor, apitest.Complete("etat-civil", "Le mien"))
		theirs := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("informatique", "Le leur"))
		// Editors read everything of their organisation…
		e.Must(200, "GET", "/api/v1/processings/"+theirs.Map(t)["id"].(string), editor, nil)
		// …but write only in their units.
		e.Must(403, "PUT", "/api/v1/processings/"+theirs.Map(t)["id"].(string), editor,
			apitest.Complete("informatique", "Changé"), "If-Match: "+theirs.Header.Get("ETag"))
		e.Must(403, "PUT", "/api/v1/processings/"+mine.Map(t)["id"].(string), editor,
			apitest.Complete("informatique", "Déplacé"), "If-Match: "+mine.Header.Get("ETag"))
		e.Must(200, "PUT", "/api/v1/processings/"+mine.Map(t)["id"].(string), editor,
			apitest.Complete("etat-civil", "Le mien, revu"), "If-Match: "+mine.Header.Get("ETag"))
		e.Must(403, "DELETE", "/api/v1/processings/"+mine.Map(t)["id"].(string), editor, nil)
	})
}

func TestHealth(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	e := apitest.Start(t, db)
	e.Must(200, "GET", "/healthz", "", nil)
	e.Must(200, "GET", "/readyz", "", nil)
	r := e.Do("HEAD", "/healthz", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("HEAD /healthz: got %d", r.Status)
	}
	db.Close()
	checkProblem(t, e.Do("GET", "/readyz", "", nil), 503, "")
}

func TestMetrics(t *testing.T) {
	e := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)))
	e.Must(200, "GET", "/healthz", "", nil)
	e.Do("GET", "/api/v1/processings", "", nil)
	checkProblem(t, e.Do("GET", "/metrics", "", nil), 404, "")
	rec := httptest.NewRecorder()
	e.Server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	r := &apitest.Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if r.Status != 200 {
		t.Fatalf("GET /metrics on the metrics handler: got %d", r.Status)
	}
	for _, want := range []string{
		`registre_http_requests_total{route="GET /healthz",method="GET",code="200"} 1`,
		`registre_http_requests_total{route="GET /api/v1/processings",method="GET",code="401"} 1`,
		`registre_http_request_duration_seconds_bucket{route="GET /healthz",method="GET",code="200",le="+Inf"} 1`,
		"go_goroutines ",
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Fatalf("metrics lack %q:\n%s", want, r.Body)
		}
	}
}

// The authenticated list walks by cursor: every processing once, in the
// order of the pages by number, with the total; a search walks the same way;
// a cursor from another query is refused on the field cursor.
func TestListWalksByCursor(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		want := map[string]bool{}
		for i := range 7 {
			body := apitest.Complete("etat-civil", fmt.Sprintf("Registre numéro %d", i))
			want[e.Must(201, "POST", "/api/v1/processings", dpo, body).Map(t)["id"].(string)] = true
		}
		type page struct {
			Items  []map[string]any `json:"items"`
			Total  int              `json:"total"`
			Cursor string           `json:"cursor"`
		}
		for _, query := range []string{"", "&q=registre"} {
			seen := map[string]bool{}
			var p page
			e.Must(200, "GET", "/api/v1/processings?per_page=3"+query, dpo, nil).JSON(t, &p)
			pages := 1
			for {
				if p.Total != len(want) {
					t.Fatalf("%q: total %d, want %d", query, p.Total, len(want))
				}
				for _, it := range p.Items {
					id := it["id"].(string)
					if seen[id] {
						t.Fatalf("%q: %s on two pages", query, id)
					}
					seen[id] = true
				}
				if p.Cursor == "" {
					break
				}
				cursor := p.Cursor
				p = page{}
				e.Must(200, "GET", "/api/v1/processings?per_page=3"+query+"&cursor="+url.QueryEscape(cursor), dpo, nil).JSON(t, &p)
				pages++
			}
			if len(seen) != len(want) || pages != 3 {
				t.Fatalf("%q: %d processings in %d pages, want %d in 3", query, len(seen), pages, len(want))
			}
			var first page
			e.Must(200, "GET", "/api/v1/processings?per_page=3"+query, dpo, nil).JSON(t, &first)
			other := "&q=naissances"
			if query != "" {
				other = ""
			}
			checkProblem(t, e.Do("GET", "/api/v1/processings?per_page=3"+other+"&cursor="+url.QueryEscape(first.Cursor), dpo, nil), 422, "cursor")
		}
	})
}
