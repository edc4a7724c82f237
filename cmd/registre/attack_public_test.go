package main

// Hostile input against the public side and the request plumbing (issue 10,
// items 2, 3, 5, 7 and 8): NUL bytes and invalid UTF-8 in request targets,
// foreign Host names, the existence oracle of the public register, the
// metrics address and formulas in the CSV's list cells.

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
)

// loggedTarget is a target whose log the tests read (for ERROR lines and
// the metrics address); every target keeps its log.
type loggedTarget = target

// eachLoggedTarget is eachTarget.
func eachLoggedTarget(t *testing.T, env map[string]string, fn func(t *testing.T, tg *loggedTarget)) {
	t.Helper()
	eachTarget(t, env, fn)
}

// startLoggedTarget is startTarget.
func startLoggedTarget(t *testing.T, kind dbtest.Kind, dsn string, env map[string]string) *loggedTarget {
	t.Helper()
	return startTarget(t, kind, dsn, env)
}

// errorLines returns the log lines at level ERROR.
func (tg *loggedTarget) errorLines() []string {
	var out []string
	for _, line := range strings.Split(tg.logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") {
			out = append(out, line)
		}
	}
	return out
}

// raw writes a request as given on a new connection and reads the answer:
// for request lines and Host headers no client library would send.
func (tg *target) raw(t *testing.T, request string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(tg.base, "http://"), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer to %q: %v", strings.SplitN(request, "\r\n", 2)[0], err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp, b
}

// hostPort is the target's listen address.
func (tg *target) hostPort() string { return strings.TrimPrefix(tg.base, "http://") }

// pdfToText returns what pdftotext reads in a PDF.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext not found: install poppler-utils: %v", err)
	}
	cmd := exec.Command(bin, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestAttackNULAndBadUTF8Refused sends NUL bytes and bytes that are not
// UTF-8 in the query, the filters and the path segments of public JSON
// routes, pages and authenticated routes: each is a 400 that says what is
// wrong (problem+json, or an HTML page on page paths), nothing is written,
// and the service logs no ERROR (before the fix, PostgreSQL got a query
// text cut at the NUL and answered 500).
func TestAttackNULAndBadUTF8Refused(t *testing.T) {
	eachLoggedTarget(t, nil, func(t *testing.T, tg *loggedTarget) {
		id := tg.seed("ville-a")
		admin := tg.admin()
		before := tg.auditEntries()
		cases := []struct {
			name, method, path string
			auth, page         bool
		}{
			{"PublicQ", "GET", "/public/v1/processings?q=a%00b", false, false},
			{"PublicOrgFilter", "GET", "/public/v1/processings?org=ville-a%00", false, false},
			{"PublicCategory", "GET", "/public/v1/processings?category=%00", false, false},
			{"PublicLegalBasis", "GET", "/public/v1/processings?legal_basis=law%00", false, false},
			{"PublicQInvalidUTF8", "GET", "/public/v1/processings?q=%ff%fe", false, false},
			{"PublicKeyNUL", "GET", "/public/v1/processings?q%00=x", false, false},
			{"PublicOrgSegment", "GET", "/public/v1/organisations/ville%00a", false, false},
			{"RegisterPDFSegment", "GET", "/public/v1/organisations/ville%00a/register.pdf", false, false},
			{"ProcessingSegment", "GET", "/public/v1/processings/" + id + "%00", false, false},
			{"NoticeLang", "GET", "/public/v1/processings/" + id + "/notice.pdf?lang=fr%00", false, false},
			{"CSVOrg", "GET", "/public/v1/processings.csv?org=%00", false, false},
			{"FeedOrg", "GET", "/public/v1/feed.atom?org=ville-a%00", false, false},
			{"PageQ", "GET", "/?q=%00", false, true},
			{"PageQInvalidUTF8", "GET", "/?q=caf%e9", false, true},
			{"PageOrgSegment", "GET", "/organisations/ville%00a", false, true},
			{"PageProcessingSegment", "GET", "/processings/%00", false, true},
			{"PagePathInvalidUTF8", "GET", "/organisations/%c3%28", false, true},
			{"APIListQ", "GET", "/api/v1/processings?q=%00", true, false},
			{"APIListUnit", "GET", "/api/v1/processings?unit=etat%00civil", true, false},
			{"APIOrgSegment", "GET", "/api/v1/organisations/ville%00a", true, false},
			{"APIUnitsSegment", "GET", "/api/v1/organisations/ville%00a/units", true, false},
			{"APIAuditActor", "GET", "/api/v1/audit?actor=%00", true, false},
			{"APIStepSegment", "POST", "/api/v1/processings/" + id + "%00/submit", true, false},
			{"APIUserSegment", "DELETE", "/api/v1/users/admin%00", true, false},
			{"Healthz", "GET", "/healthz?x=%00", false, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				h := map[string]string{}
				if c.auth {
					h["Authorization"] = "Bearer " + admin
				}
				resp, body := tg.send(request{method: c.method, path: c.path, header: h})
				if c.page {
					if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
						t.Fatalf("%s: got %d %s, want 400 text/html", c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
					}
					if !strings.Contains(string(body), "NUL") || !strings.Contains(string(body), "UTF-8") {
						t.Errorf("%s: the page does not say what is wrong: %s", c.path, truncate(body, 400))
					}
					return
				}
				p := problemOf(t, resp, body, http.StatusBadRequest)
				if d, _ := p["detail"].(string); !strings.Contains(d, "NUL") || !strings.Contains(d, "UTF-8") {
					t.Errorf("%s: detail %q does not say what is wrong", c.path, d)
				}
			})
		}
		// The same requests, well formed, still work: the guard is not a wall.
		tg.must(200, "GET", "/public/v1/processings?q=naissances", "", nil)
		tg.must(200, "GET", "/api/v1/processings?q=caf%C3%A9", admin, nil)
		tg.wroteNothing(before)
		if lines := tg.errorLines(); len(lines) > 0 {
			t.Errorf("bad input was logged as an error:\n%s", strings.Join(lines, "\n"))
		}
	})
}

// TestAttackForeignHostMisdirected: without REGISTRE_PUBLIC_URL, a request
// for another host name (Host header, or an absolute request line whose
// host overrides the header) gets 421 on every route that prints a URL
// (pages, PDFs, the feed, the CSV) and on the JSON API; the health probes
// answer whatever the host; the listen address and localhost still work and
// their name is what the documents print.
func TestAttackForeignHostMisdirected(t *testing.T) {
	eachLoggedTarget(t, nil, func(t *testing.T, tg *loggedTarget) {
		id := tg.seed("ville-a")
		admin := tg.admin()
		before := tg.auditEntries()
		paths := []string{
			"/", "/?q=naissances", "/organisations/ville-a", "/processings/" + id, "/nowhere",
			"/public/v1/processings/" + id + "/notice.pdf", "/public/v1/organisations/ville-a/register.pdf",
			"/public/v1/feed.atom", "/public/v1/processings.csv",
			"/public/v1/processings", "/public/v1/processings/" + id, "/public/v1/organisations", "/api/openapi.json",
		}
		check := func(t *testing.T, resp *http.Response, body []byte) {
			t.Helper()
			p := problemOf(t, resp, body, http.StatusMisdirectedRequest)
			if d, _ := p["detail"].(string); !strings.Contains(d, "REGISTRE_PUBLIC_URL") {
				t.Errorf("detail %q does not name the setting", d)
			}
			if bytes.Contains(body, []byte("evil")) {
				t.Errorf("the answer repeats the foreign host: %s", body)
			}
		}
		_, port, _ := net.SplitHostPort(tg.hostPort())
		for _, host := range []string{"evil.example", "evil.example:80", "127.0.0.2:" + port, "a.localhost:" + port, "localhost:1", "[::1]:2"} {
			for _, path := range paths {
				t.Run("Header "+host+" "+path, func(t *testing.T) {
					resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Host": host}})
					check(t, resp, body)
				})
			}
		}
		t.Run("Header on an authenticated route", func(t *testing.T) {
			resp, body := tg.send(request{method: "GET", path: "/api/v1/processings",
				header: map[string]string{"Host": "evil.example", "Authorization": "Bearer " + admin}})
			check(t, resp, body)
		})
		for _, path := range []string{"/public/v1/feed.atom", "/public/v1/processings.csv", "/public/v1/organisations/ville-a/register.pdf", "/"} {
			t.Run("AbsoluteRequestLine "+path, func(t *testing.T) {
				// The Host header is right; the request line names another host.
				resp, body := tg.raw(t, "GET http://evil.example"+path+" HTTP/1.1\r\nHost: "+tg.hostPort()+"\r\nConnection: close\r\n\r\n")
				check(t, resp, body)
			})
		}
		for _, path := range []string{"/healthz", "/readyz"} {
			for _, host := range []string{"evil.example", "10.0.0.7"} {
				resp, _ := tg.send(request{method: "GET", path: path, header: map[string]string{"Host": host}})
				if resp.StatusCode != http.StatusOK {
					t.Errorf("%s with Host %s: got %d, want 200", path, host, resp.StatusCode)
				}
			}
		}
		// The listen address and localhost on its port are answered, and the
		// documents print the name they were asked under.
		for _, host := range []string{tg.hostPort(), "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port} {
			resp, body := tg.send(request{method: "GET", path: "/public/v1/feed.atom", header: map[string]string{"Host": host}})
			if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("http://"+strings.ToLower(host)+"/")) {
				t.Errorf("feed with Host %s: got %d, want 200 with links to it: %s", host, resp.StatusCode, truncate(body, 300))
			}
		}
		tg.wroteNothing(before)
		if lines := tg.errorLines(); len(lines) > 0 {
			t.Errorf("foreign hosts were logged as errors:\n%s", strings.Join(lines, "\n"))
		}
	})
}

var metricsAddrRE = regexp.MustCompile(`msg="metrics listening" addr=(\S+)`)

// metricsBase waits for the metrics address in the subprocess's log.
func (tg *loggedTarget) metricsBase(t *testing.T) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := metricsAddrRE.FindStringSubmatch(tg.logs.String()); m != nil {
			return "http://" + m[1]
		}
	}
	t.Fatalf("no metrics address in the log:\n%s", tg.logs.String())
	return ""
}

// rendersOf reads registre_public_pdf_renders_total from the metrics.
func rendersOf(t *testing.T, metricsBase string) string {
	t.Helper()
	resp, err := http.Get(metricsBase + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^registre_public_pdf_renders_total (\d+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no render counter in the metrics:\n%s", b)
	}
	return string(m[1])
}

// TestAttackPublicURLFixesDocuments: with REGISTRE_PUBLIC_URL set, any host
// is answered, every document prints the configured URL and never the
// request's host, and a second host name does not draw the PDFs again (the
// host is not part of the cache key: same ETag, same bytes, the render
// counter does not move).
func TestAttackPublicURLFixesDocuments(t *testing.T) {
	const public = "https://registre.example.ch"
	env := map[string]string{"REGISTRE_PUBLIC_URL": public, "REGISTRE_METRICS_ADDR": "127.0.0.1:0"}
	eachLoggedTarget(t, env, func(t *testing.T, tg *loggedTarget) {
		id := tg.seed("ville-a")
		metrics := tg.metricsBase(t)
		before := tg.auditEntries()
		docs := []string{"/public/v1/processings/" + id + "/notice.pdf?lang=fr", "/public/v1/organisations/ville-a/register.pdf?lang=fr"}
		first := map[string]*http.Response{}
		firstBody := map[string][]byte{}
		for _, path := range docs {
			resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Host": "evil-1.example"}})
			if resp.StatusCode != 200 {
				t.Fatalf("%s: got %d %s", path, resp.StatusCode, truncate(body, 300))
			}
			text := pdfToText(t, body)
			if !strings.Contains(text, "registre.example.ch") || strings.Contains(text, "evil") {
				t.Errorf("%s does not carry the public URL alone:\n%s", path, text)
			}
			first[path], firstBody[path] = resp, body
		}
		renders := rendersOf(t, metrics)
		start := time.Now()
		for i, host := range []string{"evil-2.example", "evil-3.example:8080", tg.hostPort()} {
			for _, path := range docs {
				resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Host": host}})
				if resp.StatusCode != 200 || resp.Header.Get("ETag") != first[path].Header.Get("ETag") || !bytes.Equal(body, firstBody[path]) {
					t.Errorf("%s with host %d: got %d, ETag %s (first %s), same bytes %v", path, i, resp.StatusCode,
						resp.Header.Get("ETag"), first[path].Header.Get("ETag"), bytes.Equal(body, firstBody[path]))
				}
			}
		}
		t.Logf("%s: 6 documents under 3 other host names in %v", tg.kind, time.Since(start))
		if after := rendersOf(t, metrics); after != renders {
			t.Errorf("other host names drew the documents again: renders %s, then %s", renders, after)
		}
		for _, path := range []string{"/public/v1/feed.atom", "/public/v1/processings.csv"} {
			resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Host": "evil-4.example"}})
			if resp.StatusCode != 200 || !bytes.Contains(body, []byte(public+"/")) || bytes.Contains(body, []byte("evil")) {
				t.Errorf("%s: got %d, want 200 with links to %s only: %s", path, resp.StatusCode, public, truncate(body, 400))
			}
		}
		resp, body := tg.raw(t, "GET http://evil-5.example/public/v1/feed.atom HTTP/1.1\r\nHost: evil-5.example\r\nConnection: close\r\n\r\n")
		if resp.StatusCode != 200 || bytes.Contains(body, []byte("evil")) {
			t.Errorf("absolute request line: got %d: %s", resp.StatusCode, truncate(body, 300))
		}
		tg.wroteNothing(before)
	})
}

// TestAttackPublicOracle: an organisation that exists with nothing
// published (a draft, a processing in review, an archived one) and one that
// does not exist get the same answers from every public route and page:
// status, headers and body (the slug aside, which pages repeat in links).
// So do the id of a draft and an id that names nothing.
func TestAttackPublicOracle(t *testing.T) {
	eachLoggedTarget(t, nil, func(t *testing.T, tg *loggedTarget) {
		tg.seed("ville-a")
		admin := tg.admin()
		// ville-b exists, with a draft, one in review and one archived.
		tg.must(201, "POST", "/api/v1/organisations", admin, map[string]any{
			"slug": "ville-b", "name": "Ville de B", "address": "Rue du Stand 2, 1204 Genève",
			"website": "https://www.example.ch", "dpo_contact": "dpo@ville-b.example.ch", "lipad_contact": "lipad@ville-b.example.ch"})
		tg.must(201, "POST", "/api/v1/organisations/ville-b/units", admin, map[string]any{"slug": "etat-civil", "name": "État civil"})
		ids := make([]string, 3)
		for i := range ids {
			m := apitest.Complete("etat-civil", fmt.Sprintf("Traitement %d", i))
			m["organisation"] = "ville-b"
			var p struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(tg.must(201, "POST", "/api/v1/processings", admin, m), &p); err != nil {
				t.Fatal(err)
			}
			ids[i] = p.ID
		}
		tg.must(200, "POST", "/api/v1/processings/"+ids[1]+"/submit", admin, nil)
		tg.must(200, "POST", "/api/v1/processings/"+ids[2]+"/submit", admin, nil)
		tg.must(200, "POST", "/api/v1/processings/"+ids[2]+"/publish", admin, nil)
		tg.must(200, "POST", "/api/v1/processings/"+ids[2]+"/archive", admin, nil)
		before := tg.auditEntries()

		orgRoutes := []string{
			"/public/v1/organisations/%s/register.pdf", "/public/v1/organisations/%s/register.pdf?lang=en",
			"/public/v1/organisations/%s", "/public/v1/processings?org=%s", "/public/v1/processings.csv?org=%s",
			"/public/v1/feed.atom?org=%s", "/organisations/%s", "/organisations/%s?lang=en", "/?org=%s",
		}
		const none = "00000000-0000-4000-8000-000000000000"
		idRoutes := []string{"/public/v1/processings/%s", "/public/v1/processings/%s/notice.pdf", "/processings/%s"}
		type pair struct{ existing, missing string }
		var pairs []pair
		for _, r := range orgRoutes {
			pairs = append(pairs, pair{fmt.Sprintf(r, "ville-b"), fmt.Sprintf(r, "ville-z")})
		}
		for _, r := range idRoutes {
			pairs = append(pairs, pair{fmt.Sprintf(r, ids[0]), fmt.Sprintf(r, none)}, pair{fmt.Sprintf(r, ids[1]), fmt.Sprintf(r, none)})
		}
		normalise := func(b []byte) string {
			s := string(b)
			for _, k := range []string{"ville-b", "ville-z", ids[0], ids[1], none} {
				s = strings.ReplaceAll(s, k, "KEY")
				s = strings.ReplaceAll(s, url.QueryEscape(k), "KEY")
			}
			return s
		}
		headers := func(resp *http.Response) string {
			var out []string
			for k, vs := range resp.Header {
				// The ETag of a page or list is a hash of its body, which
				// repeats the slug: the bodies are compared instead.
				if k == "Date" || k == "Etag" {
					continue
				}
				out = append(out, k+": "+normalise([]byte(strings.Join(vs, ", "))))
			}
			sort.Strings(out)
			return strings.Join(out, "\n")
		}
		for _, p := range pairs {
			t.Run(p.existing, func(t *testing.T) {
				r1, b1 := tg.send(request{method: "GET", path: p.existing})
				r2, b2 := tg.send(request{method: "GET", path: p.missing})
				if r1.StatusCode != r2.StatusCode {
					t.Fatalf("status %d for an existing key, %d for a missing one", r1.StatusCode, r2.StatusCode)
				}
				if (r1.Header.Get("ETag") == "") != (r2.Header.Get("ETag") == "") {
					t.Errorf("ETag %q for an existing key, %q for a missing one", r1.Header.Get("ETag"), r2.Header.Get("ETag"))
				}
				if h1, h2 := headers(r1), headers(r2); h1 != h2 {
					t.Errorf("headers differ:\n%s\n---\n%s", h1, h2)
				}
				if n1, n2 := normalise(b1), normalise(b2); n1 != n2 {
					t.Errorf("bodies differ:\n%s\n---\n%s", truncate([]byte(n1), 600), truncate([]byte(n2), 600))
				}
				t.Logf("%d", r1.StatusCode)
			})
		}
		tg.wroteNothing(before)
	})
}

// TestAttackMetricsNotPublic: /metrics is not served on the public
// address (404, as any unknown path), and is served on
// REGISTRE_METRICS_ADDR when set; without it nothing listens for metrics.
func TestAttackMetricsNotPublic(t *testing.T) {
	eachLoggedTarget(t, map[string]string{"REGISTRE_METRICS_ADDR": "127.0.0.1:0"}, func(t *testing.T, tg *loggedTarget) {
		before := tg.auditEntries()
		tg.must(200, "GET", "/healthz", "", nil)
		for _, h := range []map[string]string{nil, {"Authorization": "Bearer " + tg.admin()}} {
			resp, body := tg.send(request{method: "GET", path: "/metrics", header: h})
			problemOf(t, resp, body, http.StatusNotFound)
			if bytes.Contains(body, []byte("registre_http")) {
				t.Errorf("the public address leaks metrics: %s", body)
			}
		}
		metrics := tg.metricsBase(t)
		resp, err := http.Get(metrics + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`registre_http_requests_total{route="GET /healthz",method="GET",code="200"} 1`)) {
			t.Errorf("metrics address: got %d:\n%s", resp.StatusCode, truncate(b, 600))
		}
		// The metrics address serves nothing else.
		if resp, err := http.Get(metrics + "/api/v1/processings"); err != nil || resp.StatusCode != 404 {
			t.Errorf("metrics address serves the API: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		tg.wroteNothing(before)
	})
	t.Run("OffByDefault", func(t *testing.T) {
		tg := startLoggedTarget(t, dbtest.SQLite, "sqlite:"+t.TempDir()+"/r.db", nil)
		resp, body := tg.send(request{method: "GET", path: "/metrics"})
		problemOf(t, resp, body, http.StatusNotFound)
		if strings.Contains(tg.logs.String(), "metrics listening") {
			t.Errorf("metrics listen without REGISTRE_METRICS_ADDR:\n%s", tg.logs.String())
		}
	})
}

// TestAttackCSVListFormulas: formulas hidden in list items, in the parts of
// an item and after a ";" in free text are neutralised in the CSV, so that
// a spreadsheet that splits cells on ";" or "|" finds no formula.
func TestAttackCSVListFormulas(t *testing.T) {
	eachLoggedTarget(t, nil, func(t *testing.T, tg *loggedTarget) {
		tg.seed("ville-a")
		admin := tg.admin()
		m := apitest.Complete("etat-civil", "Formules")
		m["organisation"] = "ville-a"
		m["data_subjects"] = []any{"habitants", "=1+1", "+cmd|' /C calc'!A0"}
		m["sources"] = []any{"@SUM(A1:A9)", "-2+3"}
		m["description"] = "Texte libre; =HYPERLINK(\"http://evil.example\")"
		m["joint_controllers"] = []any{map[string]any{"name": "=2*3", "contact": "commune@example.ch"}}
		var p struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(tg.must(201, "POST", "/api/v1/processings", admin, m), &p); err != nil {
			t.Fatal(err)
		}
		tg.must(200, "POST", "/api/v1/processings/"+p.ID+"/submit", admin, nil)
		tg.must(200, "POST", "/api/v1/processings/"+p.ID+"/publish", admin, nil)
		before := tg.auditEntries()
		resp, body := tg.send(request{method: "GET", path: "/public/v1/processings.csv?org=ville-a"})
		if resp.StatusCode != 200 {
			t.Fatalf("csv: got %d %s", resp.StatusCode, truncate(body, 300))
		}
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		var row []string
		for _, r := range rows[1:] {
			if r[col["id"]] == p.ID {
				row = r
			}
		}
		if row == nil {
			t.Fatalf("the processing is not in the CSV")
		}
		want := map[string]string{
			"data_subjects":     "habitants ; '=1+1 ; '+cmd|' /C calc'!A0",
			"sources":           "'@SUM(A1:A9) ; '-2+3",
			"description":       `Texte libre; '=HYPERLINK("http://evil.example")`,
			"joint_controllers": "'=2*3 | commune@example.ch",
		}
		for name, w := range want {
			if got := row[col[name]]; got != w {
				t.Errorf("%s: got %q, want %q", name, got, w)
			}
		}
		// Whatever the cell and however a spreadsheet splits it, no piece
		// starts a formula.
		for _, r := range rows[1:] {
			for i, cell := range r {
				for _, piece := range strings.FieldsFunc(cell, func(c rune) bool { return c == ';' || c == '|' }) {
					if s := strings.TrimLeft(piece, " "); s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
						t.Errorf("column %s: piece %q of %q starts a formula", rows[0][i], piece, cell)
					}
				}
			}
		}
		tg.wroteNothing(before)
	})
}
