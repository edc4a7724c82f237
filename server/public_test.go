package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// publicTotal is how many processings e2e.Load publishes.
const publicTotal = 6 + e2e.Fillers

func total(t *testing.T, r *apitest.Response) int {
	t.Helper()
	var l struct {
		Items []json.RawMessage `json:"items"`
		Total int               `json:"total"`
	}
	r.JSON(t, &l)
	return l.Total
}

func TestPublicJSON(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.Load(t, e)

		t.Run("Organisations", func(t *testing.T) {
			r := e.Must(200, "GET", "/public/v1/organisations", "", nil)
			var l struct {
				Items []struct {
					Slug, Name, LIPADContact string
					Count                    int
				} `json:"items"`
			}
			r.JSON(t, &l)
			var got []string
			for _, o := range l.Items {
				got = append(got, o.Slug)
			}
			if want := "hug etat-de-geneve ville-de-geneve"; strings.Join(got, " ") != want {
				t.Fatalf("got %v, want %s (by name)", got, want)
			}
			if l.Items[1].Count != 2+e2e.Fillers {
				t.Errorf("count: got %d, want %d", l.Items[1].Count, 2+e2e.Fillers)
			}
			if r.Header.Get("Cache-Control") != "public, max-age=60" || r.Header.Get("ETag") == "" {
				t.Errorf("cache headers: %v", r.Header)
			}
			e.Must(200, "GET", "/public/v1/organisations/hug", "", nil)
			if r := e.Must(404, "GET", "/public/v1/organisations/nope", "", nil); r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("404: got %s", r.Header.Get("Content-Type"))
			}
		})

		t.Run("Search", func(t *testing.T) {
			for _, c := range []struct {
				query string
				want  int
			}{
				{"", publicTotal},
				{"org=hug", 2},
				{"q=IMPOTS", 1},
				{"q=imp%C3%B4ts", 1},
				{"q=s%C3%A9jour&org=etat-de-geneve", e2e.Fillers},
				{"sensitive=true", 3},
				{"sensitive=false", publicTotal - 3},
				{"legal_basis=consent", 1},
				{"category=SANTE", 1},
				{"category=sant%C3%A9&sensitive=true&org=hug", 1},
				{"q=brouillon", 0},
				{"q=relecture", 0},
				{"q=archiv%C3%A9e", 0},
			} {
				r := e.Must(200, "GET", "/public/v1/processings?"+c.query, "", nil)
				if got := total(t, r); got != c.want {
					t.Errorf("%s: got total %d, want %d", c.query, got, c.want)
				}
			}
			for _, c := range []struct {
				query string
				want  int
			}{{"sensitive=maybe", 400}, {"legal_basis=whim", 422}, {"per_page=201", 422}, {"page=0", 422}, {"page=x", 400}} {
				e.Must(c.want, "GET", "/public/v1/processings?"+c.query, "", nil)
			}
			r := e.Must(200, "GET", "/public/v1/processings?per_page=2&page=2", "", nil)
			m := r.Map(t)
			if m["page"] != float64(2) || m["per_page"] != float64(2) || len(m["items"].([]any)) != 2 {
				t.Errorf("paging: %v", m)
			}
		})

		t.Run("ItemsAreTheStoredBytes", func(t *testing.T) {
			r := e.Must(200, "GET", "/public/v1/processings?org=hug", "", nil)
			var l struct {
				Items []json.RawMessage `json:"items"`
			}
			r.JSON(t, &l)
			one := e.Must(200, "GET", "/public/v1/processings/"+f.Sensitive, "", nil)
			found := false
			for _, it := range l.Items {
				found = found || bytes.Equal(append(append([]byte{}, it...), '\n'), one.Body)
			}
			if !found {
				t.Fatalf("the list does not hold the processing's bytes:\n%s\n%s", r.Body, one.Body)
			}
		})

		t.Run("Hidden", func(t *testing.T) {
			for state, id := range f.Hidden {
				want := 404
				if state == "archived" {
					want = 410 // it ended: its address says when and why (issue 20)
				}
				if r := e.Do("GET", "/public/v1/processings/"+id, "", nil); r.Status != want {
					t.Errorf("%s: got %d, want %d", state, r.Status, want)
				}
			}
			for _, id := range []string{"nope", "0193a3b0-0000-7000-8000-000000000000", "..%2f..%2fapi"} {
				e.Must(404, "GET", "/public/v1/processings/"+id, "", nil)
			}
		})

		t.Run("ConditionalAndRepublish", func(t *testing.T) {
			id := f.Published["Registre des naissances"]
			path := "/public/v1/processings/" + id
			r := e.Must(200, "GET", path, "", nil)
			tag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
			if tag == "" || lm == "" || r.Header.Get("Cache-Control") != "public, max-age=60" {
				t.Fatalf("headers: %v", r.Header)
			}
			// The page and the home page are rendered once and kept.
			pagePath := "/processings/" + id + "?lang=fr"
			for range 2 {
				if pg := e.Must(200, "GET", pagePath, "", nil); !strings.Contains(string(pg.Body), "<h1>Registre des naissances</h1>") {
					t.Fatalf("page: %s", pg.Body)
				}
			}
			home := string(e.Must(200, "GET", "/?q=reconnaissances", "", nil).Body)
			if !strings.Contains(home, "Aucun traitement ne correspond") {
				t.Fatalf("home before: %s", home)
			}
			e.Must(304, "GET", path, "", nil, "If-None-Match: "+tag)
			e.Must(304, "GET", path, "", nil, "If-None-Match: W/"+tag)
			e.Must(304, "GET", path, "", nil, "If-Modified-Since: "+lm)
			e.Must(200, "GET", path, "", nil, `If-None-Match: "p0.0"`)

			// A new draft leaves the public version as it was...
			dpo := e.Token(auth.RoleDPO, "ville-de-geneve")
			cur := e.Must(200, "GET", "/api/v1/processings/"+id, dpo, nil)
			body := apitest.Complete("etat-civil", "Registre des naissances et des reconnaissances")
			e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, body, "If-Match: "+cur.Header.Get("ETag"))
			if again := e.Must(200, "GET", path, "", nil); !bytes.Equal(again.Body, r.Body) || again.Header.Get("ETag") != tag {
				t.Fatalf("a draft changed the public version:\n%s", again.Body)
			}
			// ...until it is published: then the new bytes show at once.
			e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
			r2 := e.Must(200, "GET", path, "", nil, "If-None-Match: "+tag)
			if r2.Header.Get("ETag") == tag || !strings.Contains(string(r2.Body), "reconnaissances") || !strings.Contains(string(r2.Body), `"version":2`) {
				t.Fatalf("republished: got %s %s", r2.Header.Get("ETag"), r2.Body)
			}
			if pg := e.Must(200, "GET", pagePath, "", nil); !strings.Contains(string(pg.Body), "<h1>Registre des naissances et des reconnaissances</h1>") {
				t.Fatalf("the page still shows the old version")
			}
			if home := string(e.Must(200, "GET", "/?q=reconnaissances", "", nil).Body); !strings.Contains(home, "1 traitement trouvé") {
				t.Fatalf("the home page still shows the old search")
			}
			// An archive shows at once too, cache or not.
			e.Must(200, "POST", "/api/v1/processings/"+id+"/archive", dpo, nil)
			e.Must(410, "GET", path, "", nil)
			e.Must(410, "GET", path, "", nil, "If-None-Match: "+r2.Header.Get("ETag"))
			e.Must(410, "GET", "/processings/"+id, "", nil)
			e.Must(410, "GET", pagePath, "", nil)
		})
	})
}

// gunzipGet sends a request that asks for gzip itself, so that the client
// does not decode it, and returns the response and the decoded body.
func gunzipGet(t *testing.T, e *apitest.Env, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return resp, raw
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return resp, body
}

func TestPublicCSV(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e2e.Load(t, e)
		dpo := e.Token(auth.RoleDPO, "hug")
		evil := apitest.Complete("recherche", "=HYPERLINK(\"http://evil.example\",\"clic\")")
		evil["reference"] = "+41 22 000 00 00"
		evil["purpose"] = "-2+3"
		evil["description"] = "\tindented"
		evil["data_subjects"] = []any{"@SUM(A1)", "patients"}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, evil).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)

		r := e.Must(200, "GET", "/public/v1/processings.csv", "", nil)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv; charset=utf-8") {
			t.Errorf("content type %q", ct)
		}
		if !bytes.Contains(r.Body, []byte("\r\n")) || bytes.HasPrefix(r.Body, []byte("\ufeff")) {
			t.Errorf("want CRLF lines and no BOM by default")
		}
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatalf("parse: %v", err)
		}
		if rows[0][0] != "id" || rows[0][32] != "url" || rows[0][len(rows[0])-1] != "state" || len(rows[0]) != 48 { // planned_start, state: issue 20
			t.Fatalf("header: %v", rows[0])
		}
		if len(rows) != 1+publicTotal+1 {
			t.Fatalf("got %d rows, want %d", len(rows), 1+publicTotal+1)
		}
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		var row []string
		for _, rw := range rows {
			if rw[0] == id {
				row = rw
			}
		}
		for name, want := range map[string]string{
			"title":         `'=HYPERLINK("http://evil.example","clic")`,
			"reference":     "'+41 22 000 00 00",
			"purpose":       "'-2+3",
			"description":   "'\tindented",
			"data_subjects": "'@SUM(A1) ; patients",
			"sensitive":     "false",
			"organisation":  "hug",
		} {
			if row[col[name]] != want {
				t.Errorf("%s: got %q, want %q", name, row[col[name]], want)
			}
		}
		hug := e.Must(200, "GET", "/public/v1/processings.csv?org=hug", "", nil)
		if !strings.Contains(hug.Header.Get("Content-Disposition"), "registre-hug.csv") {
			t.Errorf("disposition %q", hug.Header.Get("Content-Disposition"))
		}
		sens, _ := csv.NewReader(bytes.NewReader(hug.Body)).ReadAll()
		if len(sens) != 1+3 {
			t.Errorf("org=hug: got %d rows, want 4", len(sens))
		}
		for _, rw := range sens[1:] {
			if strings.Contains(rw[col["title"]], "Dossier patient") &&
				(rw[col["sensitive"]] != "true" || rw[col["sensitive_categories"]] != "santé ; données génétiques" ||
					rw[col["transfers"]] != "FR | adequacy | lecture d’imagerie par un prestataire à Annemasse ; US | scc | assistance technique du fournisseur du logiciel") {
				t.Errorf("sensitive row: %q", rw)
			}
		}
		bom := e.Must(200, "GET", "/public/v1/processings.csv?bom=true&org=hug", "", nil)
		if !bytes.HasPrefix(bom.Body, []byte("\ufeffid,")) {
			t.Errorf("bom=true: starts with %q", bom.Body[:8])
		}
		e.Must(404, "GET", "/public/v1/processings.csv?org=nope", "", nil)

		resp, body := gunzipGet(t, e, "/public/v1/processings.csv")
		if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, r.Body) {
			t.Errorf("gzip: %v, same body %v", resp.Header, bytes.Equal(body, r.Body))
		}
		e.Must(304, "GET", "/public/v1/processings.csv", "", nil, "If-None-Match: "+r.Header.Get("ETag"))
		// Publishing changes the file, so its tag.
		e.Must(200, "POST", "/api/v1/processings/"+id+"/archive", dpo, nil)
		if r2 := e.Must(200, "GET", "/public/v1/processings.csv", "", nil, "If-None-Match: "+r.Header.Get("ETag")); bytes.Contains(r2.Body, []byte(id)) {
			t.Errorf("archived processing still in the CSV")
		}
	})
}

type feed struct {
	Lang    string `xml:"lang,attr"`
	ID      string `xml:"id"`
	Updated string `xml:"updated"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Link    struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Category struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
	} `xml:"entry"`
}

func TestPublicFeed(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.Load(t, e)
		r := e.Must(200, "GET", "/public/v1/feed.atom?lang=en", "", nil)
		if ct := r.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
			t.Errorf("content type %q", ct)
		}
		var fd feed
		if err := xml.Unmarshal(r.Body, &fd); err != nil {
			t.Fatalf("parse: %v\n%s", err, r.Body)
		}
		// One entry per publication (the archived one's included) and one
		// for the archiving.
		if want := publicTotal + 2; len(fd.Entries) != want {
			t.Fatalf("got %d entries, want %d", len(fd.Entries), want)
		}
		if fd.Lang != "en" || fd.ID != "tag:registre,2026:feed" || fd.Updated == "" {
			t.Errorf("feed: %+v", fd)
		}
		ids := map[string]bool{}
		for _, en := range fd.Entries {
			if ids[en.ID] {
				t.Errorf("duplicate id %s", en.ID)
			}
			ids[en.ID] = true
			if !strings.HasPrefix(en.ID, "tag:registre,2026:processing/") || en.Updated == "" || en.Link.Href == "" {
				t.Errorf("entry: %+v", en)
			}
			// Its publication's entry loses the title; the archiving tells
			// how it ended, title included (the ending is public, issue 20).
			if strings.Contains(en.Title, "archivée") && !strings.HasSuffix(en.ID, "/archive/1") {
				t.Errorf("an archived processing's title is in the feed: %q", en.Title)
			}
		}
		archived := f.Hidden["archived"]
		if !ids["tag:registre,2026:processing/"+archived+"/archive/1"] || !ids["tag:registre,2026:processing/"+archived+"/publish/1"] {
			t.Errorf("missing the archived processing's entries: %v", ids)
		}
		if fd.Entries[0].Category.Term != "archive" || !strings.HasPrefix(fd.Entries[0].Title, "Withdrawn from the register") {
			t.Errorf("newest first: %+v", fd.Entries[0])
		}
		want := "/processings/" + f.Sensitive + "?lang=en"
		found := false
		for _, en := range fd.Entries {
			found = found || (strings.HasSuffix(en.Link.Href, want) && en.Title == "Published: Dossier patient informatisé")
		}
		if !found {
			t.Errorf("no entry links to %s", want)
		}

		var hug feed
		if err := xml.Unmarshal(e.Must(200, "GET", "/public/v1/feed.atom?org=hug", "", nil).Body, &hug); err != nil {
			t.Fatal(err)
		}
		if len(hug.Entries) != 2+2 || hug.ID != "tag:registre,2026:feed:hug" || hug.Lang != "fr" {
			t.Errorf("org=hug: %d entries, id %s, lang %s", len(hug.Entries), hug.ID, hug.Lang)
		}
		e.Must(404, "GET", "/public/v1/feed.atom?org=nope", "", nil)
		e.Must(304, "GET", "/public/v1/feed.atom?lang=en", "", nil, "If-None-Match: "+r.Header.Get("ETag"))

		// A republished processing: each publication keeps the title it had.
		id := f.Published["Registre des naissances"]
		dpo := e.Token(auth.RoleDPO, "ville-de-geneve")
		cur := e.Must(200, "GET", "/api/v1/processings/"+id, dpo, nil)
		e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, apitest.Complete("etat-civil", "Registre des naissances, 2e édition"), "If-Match: "+cur.Header.Get("ETag"))
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
		var ville feed
		if err := xml.Unmarshal(e.Must(200, "GET", "/public/v1/feed.atom?org=ville-de-geneve", "", nil).Body, &ville); err != nil {
			t.Fatal(err)
		}
		titles := map[string]string{}
		for _, en := range ville.Entries {
			titles[en.ID] = en.Title
		}
		for v, want := range map[string]string{"1": "Publication\u00a0: Registre des naissances", "2": "Publication\u00a0: Registre des naissances, 2e édition"} {
			if got := titles["tag:registre,2026:processing/"+id+"/publish/"+v]; got != want {
				t.Errorf("publication of version %s: got %q, want %q", v, got, want)
			}
		}
	})
}

func TestPublicPages(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.Load(t, e)
		page := func(status int, path string, headers ...string) string {
			t.Helper()
			r := e.Must(status, "GET", path, "", nil, headers...)
			if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Fatalf("%s: content type %q", path, ct)
			}
			if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
				t.Errorf("%s: CSP %q", path, csp)
			}
			if r.Header.Get("Referrer-Policy") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: headers %v", path, r.Header)
			}
			body := string(r.Body)
			if strings.Contains(body, "⟦") {
				t.Errorf("%s: a label is missing: %s", path, body)
			}
			if strings.Count(body, "<h1") != 1 {
				t.Errorf("%s: want one h1", path)
			}
			return body
		}

		home := page(200, "/")
		if !strings.Contains(home, `<html lang="fr">`) || !strings.Contains(home, `hreflang="en" lang="en">English</a>`) {
			t.Errorf("home in French with a switch to English: %s", home)
		}
		if en := page(200, "/", "Accept-Language: en-GB,en;q=0.9,fr;q=0.5"); !strings.Contains(en, `<html lang="en">`) {
			t.Errorf("Accept-Language en: %s", en[:300])
		}
		if fr := page(200, "/?lang=fr", "Accept-Language: en"); !strings.Contains(fr, `<html lang="fr">`) {
			t.Errorf("?lang=fr wins over Accept-Language")
		}
		if !strings.Contains(home, "Page 1 sur 2") || !strings.Contains(home, `rel="next"`) {
			t.Errorf("home: want a pager over %d processings", publicTotal)
		}
		p2 := page(200, "/?page=2&lang=en")
		if !strings.Contains(p2, "Page 2 of 2") || !strings.Contains(p2, `rel="prev"`) {
			t.Errorf("page 2: %s", p2)
		}

		if beyond := page(200, "/?page=9&lang=en"); !strings.Contains(beyond, "There is nothing on this page") || !strings.Contains(beyond, `href="/?page=1&amp;lang=en"`) {
			t.Errorf("page 9: %s", beyond)
		}
		search := page(200, "/?q=SANTE&sensitive=true&lang=en")
		if !strings.Contains(search, "Dossier patient informatisé") || !strings.Contains(search, `value="SANTE"`) ||
			!strings.Contains(search, `<option value="true" selected>`) {
			t.Errorf("search: %s", search)
		}
		if none := page(200, "/?q=zzzz"); !strings.Contains(none, "Aucun traitement ne correspond") {
			t.Errorf("no result: %s", none)
		}

		org := page(200, "/organisations/hug?lang=fr")
		for _, want := range []string{"Hôpitaux universitaires de Genève (HUG)", "lipad@hug.example.ch", "Délégué à la protection des données",
			"/public/v1/organisations/hug/register.pdf?lang=fr", "Dossier patient informatisé", "Biobanque"} {
			if !strings.Contains(org, want) {
				t.Errorf("organisation page lacks %q", want)
			}
		}
		if strings.Contains(org, "Ancienne étude archivée") {
			t.Errorf("organisation page shows an archived processing")
		}

		proc := page(200, "/processings/"+f.Sensitive+"?lang=en")
		for _, want := range []string{"Dossier patient informatisé", "HUG-DPI-1", "Documenter la prise en charge", "anamnèse",
			"Direction des systèmes d’information", "Clinique de Joli-Mont", "Hébergeur Santé SA", "Switzerland (CH)",
			"Loi sur la santé (LS), K 1 03, art. 52", `href="https://silgeneve.ch/legis/data/rsg_k1_03.htm"`, "Task in the public interest",
			"proches aidants", "données génétiques", "Sensitive data", "médecins traitants", "Assureurs-maladie", "third party",
			"Service du médecin cantonal", "United States (US)", "standard contractual clauses", "20\u00a0years", "dernière consultation",
			"the data are offered to the archives.", "Encryption of stored data", "Impact assessment required", "15 January 2026",
			"How to exercise your rights", "lipad@hug.example.ch", "30 days", "Préposé cantonal à la protection des données et à la transparence",
			"/public/v1/processings/" + f.Sensitive + "/notice.pdf?lang=en", "/public/v1/organisations/hug/register.pdf?lang=en",
			`<html lang="en">`, `hreflang="fr" lang="fr">Français</a>`} {
			if !strings.Contains(proc, want) {
				t.Errorf("processing page lacks %q", want)
			}
		}

		for state, id := range f.Hidden {
			if state == "archived" {
				if body := page(410, "/processings/"+id); !strings.Contains(body, "Traitement terminé") {
					t.Errorf("%s: %s", state, body)
				}
				continue
			}
			if body := page(404, "/processings/"+id); !strings.Contains(body, "Page introuvable") {
				t.Errorf("%s: %s", state, body)
			}
		}
		page(404, "/organisations/nope")
		page(404, "/no/such/page")
		page(404, "/processings/not-a-uuid?lang=en")
		for _, p := range []string{"/api/nope", "/public/v1/nope", "/api/v1/processings/x/y/z"} {
			if r := e.Do("GET", p, "", nil); r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: got %d %s, want a 404 problem", p, r.Status, r.Header.Get("Content-Type"))
			}
		}

		// Conditional pages.
		r := e.Must(200, "GET", "/?lang=fr", "", nil)
		e.Must(304, "GET", "/?lang=fr", "", nil, "If-None-Match: "+r.Header.Get("ETag"))
	})
}

func TestPublicPagesEscapeUserText(t *testing.T) {
	e := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)))
	e.Seed("geneve")
	dpo := e.Token(auth.RoleDPO, "geneve")
	const evil = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	body := apitest.Complete("etat-civil", "Titre "+evil)
	body["purpose"] = evil
	body["public_summary"] = evil
	body["legal_bases"] = []any{map[string]any{"type": "law", "reference": evil, "url": "https://example.ch/?q=\"><script>"}}
	body["data_subjects"] = []any{evil}
	id := e.Must(201, "POST", "/api/v1/processings", dpo, body).Map(t)["id"].(string)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
	for _, path := range []string{"/processings/" + id, "/?q=" + url.QueryEscape(evil), "/organisations/geneve", "/?q=titre"} {
		r := e.Must(200, "GET", path, "", nil)
		if bytes.Contains(r.Body, []byte("<script")) || bytes.Contains(r.Body, []byte("<img")) {
			t.Errorf("%s: user text is not escaped", path)
		}
	}
}

func TestPublicStatic(t *testing.T) {
	e := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)))
	home := string(e.Must(200, "GET", "/", "", nil).Body)
	i := strings.Index(home, "/static/registre.css?v=")
	if i < 0 {
		t.Fatalf("no stylesheet link in %s", home)
	}
	href := home[i : i+strings.IndexByte(home[i:], '"')]
	r := e.Must(200, "GET", href, "", nil)
	if r.Header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("headers %v", r.Header)
	}
	e.Must(304, "GET", href, "", nil, "If-None-Match: "+r.Header.Get("ETag"))
	if r := e.Must(200, "GET", "/static/registre.css", "", nil); strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("without its fingerprint the file must be revalidated")
	}
	e.Must(404, "GET", "/static/nope.js", "", nil)
	resp, body := gunzipGet(t, e, href)
	if resp.Header.Get("Content-Encoding") != "gzip" || !bytes.Equal(body, r.Body) {
		t.Errorf("gzip css: %v", resp.Header)
	}
}

// TestPublicCacheSeesOtherWriters archives a processing behind the server's
// back, as another process would: the public answer follows within the
// cache's freshness bound (one second).
func TestPublicCacheSeesOtherWriters(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	e := apitest.Start(t, db)
	f := e2e.Load(t, e)
	id := f.Published["Contrôle des habitants"]
	e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
	p := &auth.Principal{Subject: "cli", Role: auth.RoleAdmin}
	// Another service on the same database, as another process has: the
	// server hears nothing of its change and must poll for it.
	other := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	if _, err := other.Transition(t.Context(), p, id, register.StepArchive, nil, ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for e.Do("GET", "/public/v1/processings/"+id, "", nil).Status != 410 {
		if time.Now().After(deadline) {
			t.Fatalf("still public 3 s after it was archived")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
