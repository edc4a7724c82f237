package server_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// Two sentinels: one in every internal field of published processings (and
// in the name of the account that wrote them), one in every field of
// processings that are not, or no longer, published.
const (
	internalSentinel = "SENTINEL-INTERNAL-7f3a"
	hiddenSentinel   = "SENTINEL-HIDDEN-91c2"
)

// TestPublicNeverShowsInternals is the privacy test of DESIGN.md: it fills
// every internal field with a sentinel, keeps drafts, reviews and archived
// processings around with another, then crawls every public JSON, CSV, feed
// and page, following the pages' links: neither sentinel ever appears.
func TestPublicNeverShowsInternals(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.Load(t, e)
		org := "ville-de-geneve"
		// An account whose very name is the sentinel writes everything below.
		tok, _, err := e.Signer.Issue(auth.Principal{Subject: internalSentinel, Role: auth.RoleDPO, Org: org}, time.Hour, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		withInternals := func(title string) map[string]any {
			p := apitest.Complete("etat-civil", title)
			p["internal_notes"] = "notes " + internalSentinel
			p["common_identifier"] = "numéro AVS " + internalSentinel
			p["security_measures"] = []any{
				map[string]any{"category": "access_control", "details": "badge " + internalSentinel},
				map[string]any{"category": "encryption_at_rest", "details": internalSentinel},
			}
			p["processors"] = []any{map[string]any{"name": "Prestataire SA", "country": "CH", "contract": true}}
			// The consultation's reference and outcome are internal; its
			// authority and date are public (issue 14).
			p["dpia"] = map[string]any{"required": true, "status": "done", "completed_on": "2026-03-01", "reference": "AIPD-" + internalSentinel,
				"criteria": []any{"public-monitoring"}, "residual_risk": "high",
				"consultation": map[string]any{"authority": "ppdt", "consulted_on": "2026-02-01", "reference": "PPDT-" + internalSentinel, "outcome": "avis " + internalSentinel}}
			return p
		}
		hidden := func(title string) map[string]any {
			p := withInternals(title + " " + hiddenSentinel)
			p["purpose"] = "But " + hiddenSentinel
			p["public_summary"] = "Résumé " + hiddenSentinel
			p["data_subjects"] = []any{hiddenSentinel}
			return p
		}
		create := func(body map[string]any) string {
			return e.Must(201, "POST", "/api/v1/processings", tok, body).Map(t)["id"].(string)
		}
		step := func(id string, steps ...string) {
			for _, s := range steps {
				var body any
				if s == "return" {
					body = map[string]any{"comment": "à revoir " + internalSentinel}
				}
				e.Must(200, "POST", "/api/v1/processings/"+id+"/"+s, tok, body)
			}
		}

		// Published, after a review that returned it with a comment.
		pub := create(withInternals("Fichier des chiens"))
		step(pub, "submit", "return", "submit", "publish")
		// Published, then edited: the new draft must stay private while the
		// published version stays public.
		edited := create(withInternals("Cartes de parking"))
		step(edited, "submit", "publish")
		cur := e.Must(200, "GET", "/api/v1/processings/"+edited, tok, nil)
		e.Must(200, "PUT", "/api/v1/processings/"+edited, tok, hidden("Cartes de parking, nouvelle version"), "If-Match: "+cur.Header.Get("ETag"))
		// Never published, or no longer.
		ids := map[string]string{
			"draft":     create(hidden("Brouillon")),
			"in_review": create(hidden("En relecture")),
			"returned":  create(hidden("Renvoyé")),
			// An ended processing's title is public (410 with its ending,
			// issue 20); its internals never are.
			"archived": create(withInternals("Archivé")),
		}
		step(ids["in_review"], "submit")
		step(ids["returned"], "submit", "return")
		step(ids["archived"], "submit", "publish", "archive")
		for _, id := range f.Hidden {
			ids[id] = id
		}

		seen := map[string]bool{}
		check := func(path string, r *apitest.Response) {
			t.Helper()
			for _, s := range []string{internalSentinel, hiddenSentinel} {
				if strings.Contains(string(r.Body), s) {
					t.Errorf("%s shows %s:\n%s", path, s, r.Body)
				}
				for k, vs := range r.Header {
					if strings.Contains(k+strings.Join(vs, ","), s) {
						t.Errorf("%s: header %s shows %s", path, k, s)
					}
				}
			}
		}
		get := func(path string, okStatus ...int) *apitest.Response {
			t.Helper()
			r := e.Do("GET", path, "", nil)
			ok := r.Status == 200
			for _, s := range okStatus {
				ok = ok || r.Status == s
			}
			if !ok {
				t.Errorf("GET %s: %d", path, r.Status)
			}
			check(path, r)
			return r
		}

		// The JSON, the open data and the direct addresses of what is hidden.
		get("/public/v1/organisations")
		for _, o := range f.Orgs {
			get("/public/v1/organisations/" + o)
			for _, l := range []string{"fr", "en"} {
				get("/public/v1/feed.atom?org=" + o + "&lang=" + l)
			}
			get("/public/v1/processings.csv?org=" + o)
		}
		get("/public/v1/feed.atom")
		get("/public/v1/feed.atom?lang=en")
		get("/public/v1/processings.csv")
		get("/public/v1/processings.csv?bom=true")
		list := get("/public/v1/processings?per_page=200")
		var l struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Total int `json:"total"`
		}
		list.JSON(t, &l)
		if l.Total != publicTotal+2 {
			t.Errorf("got %d published, want %d", l.Total, publicTotal+2)
		}
		for _, it := range l.Items {
			get("/public/v1/processings/" + it.ID)
		}
		// The linked data: the JSON-LD of each processing (its own address
		// and by content negotiation), the graphs and the catalogue.
		getLD := func(path string, okStatus ...int) *apitest.Response {
			t.Helper()
			r := e.Do("GET", path, "", nil, "Accept: application/ld+json")
			if r.Status == 200 && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/ld+json") {
				t.Errorf("GET %s as JSON-LD: Content-Type %q", path, r.Header.Get("Content-Type"))
			}
			if ok := r.Status == 200 || (len(okStatus) > 0 && r.Status == okStatus[0]); !ok {
				t.Errorf("GET %s as JSON-LD: %d", path, r.Status)
			}
			check(path+" (ld+json)", r)
			return r
		}
		for _, it := range l.Items {
			get("/public/v1/processings/" + it.ID + "/dpv.jsonld")
			getLD("/public/v1/processings/" + it.ID)
		}
		get("/public/v1/processings.jsonld")
		get("/public/v1/context.jsonld")
		get("/public/v1/catalog.rdf")
		for _, o := range f.Orgs {
			get("/public/v1/processings.jsonld?org=" + o)
			get("/public/v1/catalog.rdf?org=" + o)
		}
		for state, id := range ids {
			// Unpublished and nonexistent answer alike, and as the JSON does.
			want := e.Do("GET", "/public/v1/processings/"+id, "", nil).Status
			for _, r := range []*apitest.Response{get("/public/v1/processings/"+id+"/dpv.jsonld", want), getLD("/public/v1/processings/"+id, want)} {
				if r.Status != want || r.Status == 200 {
					t.Errorf("linked data of %s (%s): got %d, want %d as its JSON", id, state, r.Status, want)
				}
			}
		}
		for _, q := range []string{"q=HIDDEN-91", "q=INTERNAL-7f", "q=sentinel", "q=brouillon", "category=" + url.QueryEscape("identité")} {
			get("/public/v1/processings?" + q)
			get("/?" + q)
		}
		for state, id := range ids {
			want := 404
			if id == ids["archived"] || id == f.Hidden["archived"] {
				want = 410 // ended: its address says when and why
			}
			for _, p := range []string{"/public/v1/processings/" + id, "/processings/" + id, "/processings/" + id + "?lang=en"} {
				if r := get(p, want); r.Status != want {
					t.Errorf("%s (%s): got %d, want %d", p, state, r.Status, want)
				}
			}
		}

		// The pages, following every local link from the home page in both
		// languages.
		href := regexp.MustCompile(`href="([^"]+)"`)
		queue := []string{"/", "/?lang=en", "/no-such-page"}
		for len(queue) > 0 && len(seen) < 600 {
			p := queue[0]
			queue = queue[1:]
			if seen[p] {
				continue
			}
			seen[p] = true
			u, _ := url.Parse(p)
			isPDF := strings.HasSuffix(u.Path, ".pdf")
			r := get(p, 404, 410) // 410: a processing that ended, linked from ?include=ended
			if r.Status == 404 && !isPDF && u.Path != "/no-such-page" {
				t.Errorf("broken link %s", p)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				continue
			}
			for _, m := range href.FindAllStringSubmatch(string(r.Body), -1) {
				next, err := url.Parse(html.UnescapeString(m[1]))
				if err != nil || next.Scheme != "" || next.Host != "" || !strings.HasPrefix(next.Path, "/") {
					continue // mail links, the law texts, other sites
				}
				next.Fragment = ""
				queue = append(queue, next.String())
			}
		}
		pages := 0
		for p := range seen {
			if !strings.HasPrefix(p, "/public/") {
				pages++
			}
		}
		// Every published processing in both languages, the organisations,
		// the home pages and their second pages at least.
		if want := 2*(publicTotal+2) + 2*len(f.Orgs) + 4; pages < want {
			t.Errorf("crawled %d pages, want at least %d: %v", pages, want, seen)
		}
		t.Logf("crawled %d addresses", len(seen))
	})
}
