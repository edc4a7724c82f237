package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/reports"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// publishOne creates a complete processing in org through the API,
// publishes it and returns its id.
func publishOne(t *testing.T, e *apitest.Env, org, title string) string {
	t.Helper()
	dpo := e.Token(auth.RoleDPO, org)
	id := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", title)).Map(t)["id"].(string)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
	return id
}

// pdfText returns what pdftotext reads in a PDF; a missing pdftotext fails
// the test (./scripts/test installs poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext not found: install poppler-utils (./scripts/test does): %v", err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

func isPDF(t *testing.T, r *apitest.Response) {
	t.Helper()
	if !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
		t.Fatalf("body: got %.40q, want a PDF", r.Body)
	}
	if got := r.Header.Get("Content-Type"); got != "application/pdf" {
		t.Errorf("Content-Type: got %q, want application/pdf", got)
	}
	if got := r.Header.Get("Content-Disposition"); !strings.HasPrefix(got, `inline; filename="`) || !strings.HasSuffix(got, `.pdf"`) {
		t.Errorf("Content-Disposition: got %q, want inline with a .pdf filename", got)
	}
}

func TestPDFPublicRoutes(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge") // nothing published
		id := publishOne(t, e, "geneve", "Registre des naissances")
		dpo := e.Token(auth.RoleDPO, "geneve")
		draft := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Brouillon jamais publié")).Map(t)["id"].(string)
		archived := publishOne(t, e, "geneve", "Ancien registre")
		e.Must(200, "POST", "/api/v1/processings/"+archived+"/archive", dpo, nil)

		notice := "/public/v1/processings/" + id + "/notice.pdf"
		tests := []struct {
			name     string
			path     string
			headers  []string
			want     int
			lang     string
			contains string
		}{
			{"NoticeDefaultFrench", notice, nil, 200, "fr", "Qui est responsable"},
			{"NoticeEnglish", notice + "?lang=en", nil, 200, "en", "Who is responsible"},
			{"NoticeAcceptEnglish", notice, []string{"Accept-Language: en-GB,en;q=0.9"}, 200, "en", "Who is responsible"},
			{"NoticeAcceptGermanIsFrench", notice, []string{"Accept-Language: de-CH"}, 200, "fr", "Qui est responsable"},
			{"NoticeAcceptFrenchOverEnglish", notice, []string{"Accept-Language: fr-CH, en;q=0.5"}, 200, "fr", "Vos droits"},
			{"NoticeLangWinsOverHeader", notice + "?lang=fr", []string{"Accept-Language: en"}, 200, "fr", "Vos droits"},
			{"NoticeBadLang", notice + "?lang=de", nil, 422, "", ""},
			{"NoticeEmptyLang", notice + "?lang=", nil, 422, "", ""},
			{"NoticeDraft", "/public/v1/processings/" + draft + "/notice.pdf", nil, 404, "", ""},
			// An archived processing's notice answers 410 with its ending
			// (TestEndedProcessingsNoticeIsGone).
			{"NoticeUnknown", "/public/v1/processings/0193a5b2-7c1d-7e00-8a11-000000000000/notice.pdf", nil, 404, "", ""},
			{"NoticeNotUUID", "/public/v1/processings/nope/notice.pdf", nil, 404, "", ""},
			{"Register", "/public/v1/organisations/geneve/register.pdf", nil, 200, "fr", "Table des matières"},
			{"RegisterEnglish", "/public/v1/organisations/geneve/register.pdf?lang=en", nil, 200, "en", "Contents"},
			{"RegisterBadLang", "/public/v1/organisations/geneve/register.pdf?lang=xx", nil, 422, "", ""},
			{"RegisterNothingPublished", "/public/v1/organisations/carouge/register.pdf", nil, 404, "", ""},
			{"RegisterUnknownOrg", "/public/v1/organisations/nowhere/register.pdf", nil, 404, "", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do("GET", tt.path, "", nil, tt.headers...)
				if r.Status != tt.want {
					t.Fatalf("GET %s: got %d, want %d: %.300s", tt.path, r.Status, tt.want, r.Body)
				}
				if tt.want != 200 {
					if got := r.Header.Get("Content-Type"); got != "application/problem+json" {
						t.Errorf("Content-Type: got %q, want application/problem+json", got)
					}
					if got := r.Header.Get("Cache-Control"); strings.Contains(got, "public") || r.Header.Get("ETag") != "" {
						t.Errorf("error answer: got Cache-Control %q and ETag %q, want neither public nor a tag", got, r.Header.Get("ETag"))
					}
					return
				}
				isPDF(t, r)
				if got := r.Header.Get("Content-Language"); got != tt.lang {
					t.Errorf("Content-Language: got %q, want %q", got, tt.lang)
				}
				if got := r.Header.Get("Cache-Control"); !strings.HasPrefix(got, "public") {
					t.Errorf("Cache-Control: got %q, want public", got)
				}
				if r.Header.Get("ETag") == "" {
					t.Errorf("ETag: got none, want one")
				}
				if !strings.Contains(r.Header.Get("Vary"), "Accept-Language") {
					t.Errorf("Vary: got %q, want Accept-Language", r.Header.Get("Vary"))
				}
				if text := pdfText(t, r.Body); !strings.Contains(text, tt.contains) {
					t.Errorf("text: got no %q in\n%.500s", tt.contains, text)
				}
			})
		}

		t.Run("NotModified", func(t *testing.T) {
			for _, path := range []string{notice, "/public/v1/organisations/geneve/register.pdf"} {
				tag := e.Must(200, "GET", path, "", nil).Header.Get("ETag")
				r := e.Do("GET", path, "", nil, "If-None-Match: "+tag)
				if r.Status != 304 || len(r.Body) != 0 {
					t.Errorf("GET %s with If-None-Match: got %d and %d bytes, want 304 and none", path, r.Status, len(r.Body))
				}
				if got := r.Header.Get("ETag"); got != tag {
					t.Errorf("304 ETag: got %q, want %q", got, tag)
				}
				if r := e.Do("GET", path, "", nil, `If-None-Match: "other"`); r.Status != 200 {
					t.Errorf("GET %s with another tag: got %d, want 200", path, r.Status)
				}
			}
		})

		t.Run("RegisterChangesWithPublications", func(t *testing.T) {
			path := "/public/v1/organisations/geneve/register.pdf"
			before := e.Must(200, "GET", path, "", nil).Header.Get("ETag")
			other := publishOne(t, e, "geneve", "Registre des décès")
			after := e.Must(200, "GET", path, "", nil)
			if after.Header.Get("ETag") == before {
				t.Fatalf("register ETag after a publication: got %s again, want a new one", before)
			}
			if !strings.Contains(pdfText(t, after.Body), "Registre des décès") {
				t.Errorf("register after a publication: the new processing is missing")
			}
			e.Must(200, "POST", "/api/v1/processings/"+other+"/archive", dpo, nil)
			if got := e.Must(200, "GET", path, "", nil).Header.Get("ETag"); got != before {
				t.Errorf("register ETag after archiving it again: got %s, want %s", got, before)
			}
		})
	})
}

func TestPDFInternalRoutes(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		id := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre en préparation")).Map(t)["id"].(string)
		preview := "/api/v1/processings/" + id + "/notice.pdf"
		report := "/api/v1/compliance/report.pdf"
		tests := []struct {
			name, path, token string
			want              int
			contains          string
		}{
			{"PreviewAnonymous", preview, "", 401, ""},
			{"PreviewEditor", preview, e.Token(auth.RoleEditor, "geneve", "etat-civil"), 200, "APERÇU"},
			{"PreviewAuditorEnglish", preview + "?lang=en", e.Token(auth.RoleAuditor, "geneve"), 200, "PREVIEW"},
			{"PreviewOtherOrg", preview, e.Token(auth.RoleDPO, "carouge"), 404, ""},
			{"PreviewBadLang", preview + "?lang=it", dpo, 422, ""},
			{"ReportAnonymous", report, "", 401, ""},
			{"ReportEditor", report, e.Token(auth.RoleEditor, "geneve", "etat-civil"), 403, ""},
			{"ReportDPO", report, dpo, 200, "Rapport de conformité"},
			{"ReportAuditorEnglish", report + "?lang=en", e.Token(auth.RoleAuditor, "geneve"), 200, "Compliance report"},
			{"ReportAdminNoOrg", report, e.Token(auth.RoleAdmin, ""), 422, ""},
			{"ReportAdminOrg", report + "?org=geneve", e.Token(auth.RoleAdmin, ""), 200, "Registre en préparation"},
			{"ReportAdminUnknownOrg", report + "?org=nowhere", e.Token(auth.RoleAdmin, ""), 404, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do("GET", tt.path, tt.token, nil)
				if r.Status != tt.want {
					t.Fatalf("GET %s: got %d, want %d: %.300s", tt.path, r.Status, tt.want, r.Body)
				}
				if tt.want != 200 {
					return
				}
				isPDF(t, r)
				if got := r.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control: got %q, want no-store", got)
				}
				if text := pdfText(t, r.Body); !strings.Contains(text, tt.contains) {
					t.Errorf("text: got no %q in\n%.600s", tt.contains, text)
				}
			})
		}
	})
}

// TestPDFSentinel puts a sentinel in every internal field of a processing
// created through the API (and in a review comment, and in a newer draft),
// publishes it, and reads the public notice and register back as text: the
// sentinel never appears. The preview, which shows the draft, must not show
// internal fields either.
func TestPDFSentinel(t *testing.T) {
	const internal = "SENTINELINTERNAL"
	const draftOnly = "SENTINELDRAFT"
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		body := apitest.Complete("etat-civil", "Registre des naissances")
		body["internal_notes"] = internal + " notes"
		body["security_measures"] = []any{
			map[string]any{"category": "access_control", "details": internal + " details"},
			map[string]any{"category": "encryption_at_rest", "details": internal},
		}
		body["dpia"] = map[string]any{"required": true, "status": "done", "completed_on": "2026-01-15", "reference": internal + "-DPIA"}
		body["processors"] = []any{map[string]any{"name": "Prestataire SA", "country": "CH", "contract": true}}
		body["review_due"] = "2097-07-17"
		r := e.Must(201, "POST", "/api/v1/processings", dpo, body)
		id := r.Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/return", dpo, map[string]any{"comment": internal + " comment"})
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		etag := e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil).Header.Get("ETag")
		// A newer draft: the public keeps the published version.
		body["title"] = "Registre " + draftOnly
		body["public_summary"] = draftOnly
		e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, body, "If-Match: "+etag)

		forbidden := []string{internal, draftOnly, "2097", "dpo-geneve"}
		for _, path := range []string{
			"/public/v1/processings/" + id + "/notice.pdf?lang=fr",
			"/public/v1/processings/" + id + "/notice.pdf?lang=en",
			"/public/v1/organisations/geneve/register.pdf?lang=fr",
			"/public/v1/organisations/geneve/register.pdf?lang=en",
		} {
			r := e.Must(200, "GET", path, "", nil)
			text := pdfText(t, r.Body)
			for _, s := range forbidden {
				if strings.Contains(text, s) {
					t.Errorf("GET %s: got %q in the text, want it absent", path, s)
				}
			}
			// Metadata and link targets are not in the text: look at the
			// bytes too (the long sentinels only: short digits occur in
			// any PDF's offsets).
			for _, s := range []string{internal, draftOnly} {
				if bytes.Contains(r.Body, []byte(s)) {
					t.Errorf("GET %s: got %q in the file, want it absent", path, s)
				}
			}
			if !strings.Contains(text, "Prestataire SA") {
				t.Errorf("GET %s: the processor's (public) name is missing", path)
			}
		}
		r = e.Must(200, "GET", "/api/v1/processings/"+id+"/notice.pdf", dpo, nil)
		text := pdfText(t, r.Body)
		if !strings.Contains(text, draftOnly) {
			t.Errorf("preview: got no %q, want the current draft", draftOnly)
		}
		for _, s := range []string{internal, "2097"} {
			if strings.Contains(text, s) {
				t.Errorf("preview: got %q in the document, want it absent", s)
			}
		}
	})
}

// countingNotice counts renders.
type countingNotice struct{ calls atomic.Int64 }

func (c *countingNotice) render(w io.Writer, p *register.PublicProcessing, org *register.Organisation, opts reports.Options) error {
	c.calls.Add(1)
	return reports.Notice(w, p, org, opts)
}

func withPDF(f func(*server.PDFConfig)) apitest.Option {
	return func(c *server.Config) { f(&c.PDF) }
}

// TestPDFCache checks that an unchanged public notice is drawn once, even
// for concurrent requests, and again after a new version is published.
func TestPDFCache(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	counter := &countingNotice{}
	e := apitest.Start(t, db, withPDF(func(c *server.PDFConfig) { c.Notice = counter.render }))
	e.Seed("geneve")
	id := publishOne(t, e, "geneve", "Registre des naissances")
	path := "/public/v1/processings/" + id + "/notice.pdf"
	var wg sync.WaitGroup
	bodies := make([][]byte, 8)
	for i := range bodies {
		wg.Go(func() { bodies[i] = e.Must(200, "GET", path, "", nil).Body })
	}
	wg.Wait()
	for i := range bodies {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("concurrent requests: got different bodies, want the same bytes")
		}
	}
	if got := counter.calls.Load(); got != 1 {
		t.Fatalf("renders for 8 requests of one notice: got %d, want 1", got)
	}
	e.Must(200, "GET", path+"?lang=en", "", nil)
	if got := counter.calls.Load(); got != 2 {
		t.Fatalf("renders after asking for English: got %d, want 2", got)
	}
	dpo := e.Token(auth.RoleDPO, "geneve")
	cur := e.Must(200, "GET", "/api/v1/processings/"+id, dpo, nil)
	body := apitest.Complete("etat-civil", "Registre des naissances (v2)")
	e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, body, "If-Match: "+cur.Header.Get("ETag"))
	if got := counter.calls.Load(); got != 2 {
		t.Fatalf("renders after editing a draft: got %d, want 2 (the public version did not change)", got)
	}
	e.Must(200, "GET", path, "", nil)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
	r := e.Must(200, "GET", path, "", nil)
	if got := counter.calls.Load(); got != 3 {
		t.Fatalf("renders after publishing version 2: got %d, want 3", got)
	}
	if !strings.Contains(pdfText(t, r.Body), "(v2)") {
		t.Errorf("notice after publishing version 2: got the old title, want the new one")
	}
}

// TestPDFBusy fills the only render slot and checks that another document
// is refused with 429 and Retry-After, then served once the slot is free.
func TestPDFBusy(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	started, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	e := apitest.Start(t, db, withPDF(func(c *server.PDFConfig) {
		c.Concurrency = 1
		c.Wait = 50 * time.Millisecond
		c.Notice = func(w io.Writer, p *register.PublicProcessing, org *register.Organisation, opts reports.Options) error {
			first.Do(func() { // the first render holds the slot until released
				close(started)
				<-release
			})
			return reports.Notice(w, p, org, opts)
		}
	}))
	e.Seed("geneve")
	id := publishOne(t, e, "geneve", "Registre des naissances")
	path := "/public/v1/processings/" + id + "/notice.pdf"
	done := make(chan *apitest.Response, 1)
	go func() { done <- e.Do("GET", path+"?lang=fr", "", nil) }()
	<-started
	r := e.Do("GET", path+"?lang=en", "", nil)
	if r.Status != 429 {
		t.Fatalf("second document while the slot is taken: got %d, want 429: %s", r.Status, r.Body)
	}
	if got := r.Header.Get("Retry-After"); got == "" {
		t.Errorf("429: got no Retry-After, want one")
	}
	if got := r.Header.Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("429 Content-Type: got %q, want application/problem+json", got)
	}
	if got := r.Header.Get("Cache-Control"); strings.Contains(got, "public") {
		t.Errorf("429 Cache-Control: got %q, want it not public", got)
	}
	close(release)
	if got := (<-done).Status; got != 200 {
		t.Fatalf("first document: got %d, want 200", got)
	}
	if r := e.Do("GET", path+"?lang=en", "", nil); r.Status != 200 {
		t.Fatalf("second document once the slot is free: got %d, want 200", r.Status)
	}
}

// TestPDFPanic checks that a renderer that panics gives a 500 problem and
// leaves the server serving.
func TestPDFPanic(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	e := apitest.Start(t, db, withPDF(func(c *server.PDFConfig) {
		c.Notice = func(io.Writer, *register.PublicProcessing, *register.Organisation, reports.Options) error {
			panic("renderer exploded")
		}
		c.Report = func(io.Writer, reports.ReportData, reports.Options) error { panic("report exploded") }
	}))
	e.Seed("geneve")
	id := publishOne(t, e, "geneve", "Registre des naissances")
	dpo := e.Token(auth.RoleDPO, "geneve")
	for _, tc := range []struct{ path, token string }{
		{"/public/v1/processings/" + id + "/notice.pdf", ""},
		{"/public/v1/processings/" + id + "/notice.pdf", ""}, // not cached: drawn (and failing) again
		{"/api/v1/processings/" + id + "/notice.pdf", dpo},
		{"/api/v1/compliance/report.pdf", dpo},
	} {
		r := e.Do("GET", tc.path, tc.token, nil)
		if r.Status != 500 {
			t.Fatalf("GET %s with a panicking renderer: got %d, want 500", tc.path, r.Status)
		}
		if got := r.Header.Get("Content-Type"); got != "application/problem+json" {
			t.Errorf("500 Content-Type: got %q, want application/problem+json", got)
		}
		if bytes.Contains(r.Body, []byte("exploded")) {
			t.Errorf("500 body: got the panic's text, want a generic problem")
		}
	}
	e.Must(200, "GET", "/healthz", "", nil)
	e.Must(200, "GET", "/public/v1/organisations/geneve/register.pdf", "", nil)
}

// BenchmarkPublicNoticePDF serves an unchanged public notice over HTTP on
// loopback to several concurrent clients (budget: ≥ 5,000 requests/s).
func BenchmarkPublicNoticePDF(b *testing.B) {
	db := dbtest.Open(b, dbtest.SQLiteDSN(b))
	e := apitest.Start(b, db)
	e.Seed("geneve")
	dpo := e.Token(auth.RoleDPO, "geneve")
	id := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre des naissances")).Map(b)["id"].(string)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
	e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
	url := e.URL + "/public/v1/processings/" + id + "/notice.pdf?lang=fr"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	get := func() error {
		resp, err := client.Get(url)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("GET: got %d, want 200", resp.StatusCode)
		}
		return err
	}
	if err := get(); err != nil { // draw it once
		b.Fatal(err)
	}
	const clients = 16
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) && ctx.Err() == nil {
				if err := get(); err != nil {
					b.Error(err)
					cancel()
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// TestPDFOrganisationChange checks that new contacts of the organisation
// give a new notice (read again once OrgMaxAge has passed; here at once).
func TestPDFOrganisationChange(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	e := apitest.Start(t, db, withPDF(func(c *server.PDFConfig) { c.OrgMaxAge = -1 }))
	e.Seed("geneve")
	id := publishOne(t, e, "geneve", "Registre des naissances")
	path := "/public/v1/processings/" + id + "/notice.pdf"
	before := e.Must(200, "GET", path, "", nil).Header.Get("ETag")
	e.Must(200, "PUT", "/api/v1/organisations/geneve", e.Token(auth.RoleAdmin, ""), map[string]any{
		"slug": "geneve", "name": "Ville de geneve", "address": "Rue du Stand 1, 1204 Genève",
		"website": "https://www.example.ch", "dpo_contact": "dpo@geneve.example.ch",
		"lipad_contact": "nouveau-contact-lipad@geneve.example.ch"})
	r := e.Must(200, "GET", path, "", nil)
	if r.Header.Get("ETag") == before {
		t.Fatalf("notice ETag after new contacts: got %s again, want a new one", before)
	}
	if text := pdfText(t, r.Body); !strings.Contains(text, "nouveau-contact-lipad") {
		t.Errorf("notice after new contacts: got no new LIPAD contact in\n%.800s", text)
	}
}
