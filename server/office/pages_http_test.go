package office_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// reader is a person reading the back office with plain HTTP and a cookie
// jar, as a browser without JavaScript does.
type reader struct {
	t      *testing.T
	base   string
	client *http.Client
}

var (
	hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	hrefRE     = regexp.MustCompile(`href="([^"]*)"`)
	rowTitleRE = regexp.MustCompile(`<th scope="row"><a href="[^"]*"[^>]*>([^<]*)</a>`)
	nextRE     = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
)

func signIn(t *testing.T, e *apitest.Env, user, pass string) *reader {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &reader{t: t, base: e.URL, client: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	st, _, body := r.get("/office/login")
	m := hiddenCSRF.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("sign-in page: %d, form token %v", st, m != nil)
	}
	st, _, body = r.post("/office/login", url.Values{"csrf": {html.UnescapeString(m[1])}, "username": {user}, "password": {pass}})
	if st != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%s", user, st, body)
	}
	return r
}

func (r *reader) do(req *http.Request) (int, http.Header, string) {
	r.t.Helper()
	res, err := r.client.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		r.t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(b)
}

func (r *reader) get(path string) (int, http.Header, string) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.base+path, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	return r.do(req)
}

func (r *reader) post(path string, form url.Values) (int, http.Header, string) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r.do(req)
}

// page fetches a page that must answer 200.
func (r *reader) page(path string) string {
	r.t.Helper()
	st, _, body := r.get(path)
	if st != http.StatusOK {
		r.t.Fatalf("GET %s: %d\n%s", path, st, body[:min(len(body), 1500)])
	}
	return html.UnescapeString(body)
}

// follow finds the link whose text or URL contains what, on body.
func follow(t *testing.T, body, what string) string {
	t.Helper()
	for _, part := range strings.Split(body, "<a ")[1:] {
		end := strings.Index(part, "</a>")
		if end < 0 {
			continue
		}
		if strings.Contains(part[:end], what) {
			if m := hrefRE.FindStringSubmatch(part); m != nil {
				return html.UnescapeString(m[1])
			}
		}
	}
	t.Fatalf("no link with %q", what)
	return ""
}

func titles(body string) []string {
	var out []string
	for _, m := range rowTitleRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestOfficeReadingPathsWithoutJavaScript signs in every role through the
// sign-in form and reads the register with plain HTTP: the list and its
// filters, views, search and paging; a record, its history, a comparison,
// an old version and the previews, each reached by following the page's own
// links; another organisation's record is 404 at every URL; an auditor meets
// no control that changes anything; signing out ends the session at once.
func TestOfficeReadingPathsWithoutJavaScript(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		readers := map[string]*reader{}
		for role, user := range f.Users {
			readers[role] = signIn(t, e, user, f.Password)
		}

		t.Run("every role sees its organisation's records, never another's", func(t *testing.T) {
			for role, r := range readers {
				body := r.page("/office/?q=" + url.QueryEscape("dossier patient"))
				if role != "admin" && slices.Contains(titles(body), e2e.OfficeOtherTitle) {
					t.Errorf("%s sees another organisation's record", role)
				}
				body = r.page("/office/?sort=title&order=asc&lang=en")
				for _, want := range []string{e2e.OfficeBirthsV2, e2e.OfficeCanteen, e2e.OfficeAccounts} {
					if role != "admin" && !strings.Contains(body, want) && !strings.Contains(r.page("/office/?q="+url.QueryEscape(want)), want) {
						t.Errorf("%s does not find %q", role, want)
					}
				}
			}
		})

		t.Run("filters, views and search give the right rows", func(t *testing.T) {
			for _, c := range []struct {
				role, query string
				want        []string
			}{
				{"dpo", "status=in_review", []string{e2e.OfficeAccounts}},
				{"dpo", "q=cantine", []string{e2e.OfficeCanteen}},
				{"auditor", "q=VDG-EC-001", []string{e2e.OfficeBirthsV2}},
				{"dpo", "unit=etat-civil", []string{e2e.OfficeCanteen, e2e.OfficeBirthsV2}},
				{"dpo", "unit=etat-civil&status=draft&sensitive=yes", []string{e2e.OfficeCanteen}},
				{"dpo", "unit=etat-civil&blocking=yes", []string{e2e.OfficeCanteen}},
				{"dpo", "unit=etat-civil&blocking=no", []string{e2e.OfficeBirthsV2}},
				{"dpo", "view=to-review", []string{e2e.OfficeAccounts}},
				{"editor", "view=returned", []string{e2e.OfficeCanteen}},
				{"editor", "view=my-drafts", []string{e2e.OfficeCanteen}},
			} {
				got := titles(readers[c.role].page("/office/?" + c.query))
				slices.Sort(got)
				want := slices.Clone(c.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s ?%s: rows %q, want %q", c.role, c.query, got, want)
				}
			}
		})

		t.Run("the list pages by cursor", func(t *testing.T) {
			r := readers["dpo"]
			first := r.page("/office/")
			total := 3 + f.Fillers
			seen := map[string]bool{}
			body, pages := first, 1
			for {
				for _, ti := range titles(body) {
					if seen[ti] {
						t.Errorf("%q on two pages", ti)
					}
					seen[ti] = true
				}
				m := nextRE.FindStringSubmatch(body)
				if m == nil {
					break
				}
				body = r.page(html.UnescapeString(m[1]))
				pages++
				if !strings.Contains(body, "Première page") {
					t.Error("a later page has no link to the first")
				}
			}
			if len(seen) != total || pages < 2 {
				t.Errorf("%d records over %d pages, want %d over at least 2", len(seen), pages, total)
			}
		})

		t.Run("a record's pages are reached by their links", func(t *testing.T) {
			for _, role := range []string{"dpo", "editor", "auditor", "admin"} {
				r := readers[role]
				list := r.page("/office/?q=reconnaissances&lang=en")
				rec := r.page(follow(t, list, e2e.OfficeBirthsV2))
				if !strings.Contains(rec, "What blocks publication") || !strings.Contains(rec, e2e.OfficeAddedRecip) {
					t.Errorf("%s: the record page lacks its findings or fields", role)
				}
				hist := r.page(follow(t, rec, "History"))
				cmp := r.page(follow(t, hist, "Compare with version 1"))
				if !strings.Contains(cmp, "<ins>") || !strings.Contains(cmp, e2e.OfficeAddedRecip) || !strings.Contains(cmp, e2e.OfficeBirthsV1) {
					t.Errorf("%s: the comparison does not show the changes", role)
				}
				old := r.page(follow(t, hist, "Read version 1"))
				if strings.Contains(old, e2e.OfficeAddedRecip) {
					t.Errorf("%s: version 1 shows a later recipient", role)
				}
				prev := r.page(follow(t, rec, "Public page preview"))
				if !strings.Contains(prev, "Preview — not published") || !strings.Contains(prev, `content="noindex"`) {
					t.Errorf("%s: the public preview is not marked", role)
				}
				st, h, pdf := r.get(follow(t, rec, "Notice preview"))
				if st != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") {
					t.Errorf("%s: notice preview %d %s", role, st, h.Get("Content-Type"))
				}
				ret := r.page("/office/processings/" + f.Canteen + "/history?lang=fr")
				if !strings.Contains(ret, e2e.OfficeReturnNote) {
					t.Errorf("%s: the return comment is not in the history", role)
				}
			}
		})

		t.Run("another organisation's record is 404 at every office URL", func(t *testing.T) {
			for _, role := range []string{"dpo", "editor", "auditor"} {
				for _, p := range []string{"", "/history", "/compare", "/compare?from=1&to=1", "/versions/1", "/notice.pdf", "/preview"} {
					st, _, body := readers[role].get("/office/processings/" + f.Other + p)
					if st != http.StatusNotFound || strings.Contains(html.UnescapeString(body), e2e.OfficeOtherTitle) {
						t.Errorf("%s %s: %d", role, p, st)
					}
				}
			}
			// The other organisation's DPO reads it.
			other := signIn(t, e, f.OtherDPO, f.Password)
			other.page("/office/processings/" + f.Other)
		})

		t.Run("an auditor meets no control that changes anything", func(t *testing.T) {
			r := readers["auditor"]
			form := regexp.MustCompile(`<form\b[^>]*>`)
			for _, p := range []string{"/office/", "/office/processings/" + f.Births, "/office/processings/" + f.Canteen,
				"/office/processings/" + f.Births + "/history", "/office/processings/" + f.Births + "/compare",
				"/office/processings/" + f.Births + "/versions/1"} {
				body := r.page(p)
				for _, fm := range form.FindAllString(body, -1) {
					if !(strings.Contains(fm, `method="get"`) && strings.Contains(fm, `action="/office/"`)) &&
						!(strings.Contains(fm, `method="post"`) && strings.Contains(fm, `action="/office/logout"`)) {
						t.Errorf("%s: %s", p, fm)
					}
				}
			}
		})

		t.Run("signing out ends the session at once", func(t *testing.T) {
			r := readers["auditor"]
			body := r.page("/office/")
			m := hiddenCSRF.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no sign-out form token")
			}
			if st, _, _ := r.post("/office/logout", url.Values{"csrf": {html.UnescapeString(m[1])}}); st != http.StatusSeeOther {
				t.Fatalf("sign out: %d", st)
			}
			for _, p := range []string{"/office/", "/office/processings/" + f.Births, "/office/processings/" + f.Births + "/history"} {
				st, h, _ := r.get(p)
				if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/office/login") {
					t.Errorf("%s after sign-out: %d %s", p, st, h.Get("Location"))
				}
			}
		})
	})
}
