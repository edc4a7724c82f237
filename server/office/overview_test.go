package office

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// overviewServer serves the overview and the list as pagesEnv serves its
// pages: signed in as the X-Test-As principal.
func overviewServer(t *testing.T, e *pagesEnv) {
	mux := http.NewServeMux()
	mux.Handle("GET /office/{$}", e.o.serve(e.o.home))
	mux.Handle("GET /office/overview", e.o.serve(e.o.overviewPage))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if who := e.as[r.Header.Get("X-Test-As")]; who != nil {
			r = r.WithContext(withVisit(r.Context(), &visit{p: who, sess: &register.Session{CSRF: "test-form-token"}}))
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
}

var (
	overviewLinkRE = regexp.MustCompile(`<a href="(/office/\?[^"]*)">(?:<strong class="figure">)?([0-9][0-9\x{202f},]*)`)
	countRE        = regexp.MustCompile(`<p class="count" role="status"><strong>([0-9][0-9\x{202f},]*) `)
)

func atoiGrouped(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.NewReplacer("\u202f", "", ",", "").Replace(s))
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// TestOverviewNumbersLeadToListsOfAsManyRecords: every number of the
// overview is a link to the register list, and that list counts exactly
// the number, for a DPO, an auditor and an administrator who chose the
// organisation; both languages; the charts are SVG hidden from screen
// readers, each followed by its table.
func TestOverviewNumbersLeadToListsOfAsManyRecords(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newPagesEnv(t, db)
		overviewServer(t, e)
		for _, c := range []struct{ who, path string }{
			{"dpo", "/office/overview?lang=fr"}, {"auditor", "/office/overview?lang=en"}, {"admin", "/office/overview?org=ville&lang=en"},
		} {
			body := e.mustGet(c.who, c.path)
			links := overviewLinkRE.FindAllStringSubmatch(body, -1)
			if len(links) < 3+4+5 {
				t.Fatalf("%s: %d numbers linked, want the figures, the statuses and the risks at least\n%s", c.who, len(links), excerpt(body))
			}
			nonZero := 0
			for _, m := range links {
				want := atoiGrouped(t, m[2])
				if want > 0 {
					nonZero++
				}
				list := e.mustGet(c.who, html.UnescapeString(m[1]))
				cm := countRE.FindStringSubmatch(list)
				if cm == nil {
					t.Fatalf("%s: %s shows no count", c.who, m[1])
				}
				if got := atoiGrouped(t, cm[1]); got != want {
					t.Errorf("%s: the overview says %d, its list %s counts %d", c.who, want, m[1], got)
				}
				if c.who == "admin" && !strings.Contains(m[1], "org=ville") {
					t.Errorf("admin: %s does not keep the organisation", m[1])
				}
			}
			if nonZero < 5 {
				t.Errorf("%s: only %d non-zero numbers: the fixture proves little", c.who, nonZero)
			}
			if n, tables := strings.Count(body, `<svg class="chart"`), strings.Count(body, `<table class="chart-table"`); n == 0 || n != tables ||
				strings.Count(body, `aria-hidden="true" focusable="false"`) < n {
				t.Errorf("%s: %d charts, %d tables: each chart hidden from screen readers and followed by its table", c.who, n, tables)
			}
			if strings.Contains(body, "⟦") {
				t.Errorf("%s: a label is missing: %s", c.who, excerpt(body))
			}
		}
		// The fixture's draft "school" has no controller and no legal basis:
		// it blocks under LIPAD art. 43 in unit etat-civil.
		body := e.mustGet("dpo", "/office/overview?lang=en")
		for _, want := range []string{"law=lipad-43", "blocking=yes&amp;current=1&amp;unit=etat-civil"} {
			if !strings.Contains(body, want) {
				t.Errorf("the overview has no link with %s", want)
			}
		}
	})
}

// TestOverviewIsForReadersOfFindings: an editor gets 403, an
// administrator first chooses the organisation, an unknown one is 404, and
// a DPO's org= cannot show another organisation.
func TestOverviewIsForReadersOfFindings(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newPagesEnv(t, db)
		overviewServer(t, e)
		if st, _, _ := e.get("editor", "/office/overview", ""); st != http.StatusForbidden {
			t.Errorf("editor: %d, want 403", st)
		}
		body := e.mustGet("admin", "/office/overview?lang=en")
		if !strings.Contains(body, `<select id="org" name="org"`) || strings.Contains(body, `<svg class="chart"`) {
			t.Errorf("admin without org: want the choice of organisation only\n%s", excerpt(body))
		}
		if st, _, _ := e.get("admin", "/office/overview?org=nowhere", ""); st != http.StatusNotFound {
			t.Errorf("admin, unknown organisation: %d, want 404", st)
		}
		mine := e.mustGet("dpo", "/office/overview?lang=en")
		theirs := e.mustGet("dpo", "/office/overview?org=autre&lang=en")
		main := func(s string) string { return s[strings.Index(s, "<main"):] }
		if main(mine) != main(theirs) || !strings.Contains(mine, "Ville de ville") {
			t.Error("a DPO's org= changed the overview")
		}
	})
}

// TestListFiltersOfTheOverview: the list refuses a law or a risk it does
// not know, and its filter form shows the ones chosen.
func TestListFiltersOfTheOverview(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newPagesEnv(t, db)
		overviewServer(t, e)
		for _, q := range []string{"law=gdpr-999", "risk=weather", "current=2"} {
			if st, _, _ := e.get("dpo", "/office/?"+q, ""); st != http.StatusBadRequest {
				t.Errorf("%s: %d, want 400", q, st)
			}
		}
		body := e.mustGet("dpo", "/office/?law=lipad-43&risk=dpia&current=1&lang=en")
		for _, want := range []string{`<option value="lipad-43" selected>`, `<option value="dpia" selected>`, `id="current" name="current" value="1" checked`} {
			if !strings.Contains(body, want) {
				t.Errorf("the filter form does not show %s", want)
			}
		}
	})
}

// TestOverviewCountsTheReviewTasks: the overview says how many review
// tasks the open campaigns leave to do and how many are overdue; for a DPO
// a link to their tasks, for an auditor (who takes none) a number alone.
func TestOverviewCountsTheReviewTasks(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newPagesEnv(t, db)
		overviewServer(t, e)
		if _, err := e.svc.OpenCampaign(t.Context(), e.as["dpo"], "ville", register.CampaignInput{Title: "Revue annuelle", DueOn: "2099-12-31"}); err != nil {
			t.Fatal(err)
		}
		tasks, err := e.svc.MyTasks(t.Context(), e.as["dpo"])
		if err != nil || len(tasks) == 0 {
			t.Fatalf("the campaign has no task: %v", err)
		}
		n := strconv.Itoa(len(tasks))
		if body := e.mustGet("dpo", "/office/overview?lang=fr"); !strings.Contains(body, `<a href="/office/tasks?lang=fr"><strong class="figure">`+n+`</strong> tâches de revue à faire (campagnes en cours)</a>`) ||
			!strings.Contains(body, `<strong class="figure">0</strong> tâches de revue en retard</a>`) {
			t.Errorf("the DPO's overview does not count %s tasks to do, none overdue, with a link:\n%s", n, excerpt(body))
		}
		if body := e.mustGet("auditor", "/office/overview?lang=en"); !strings.Contains(body, `<li><strong class="figure">`+n+`</strong> review tasks to do (open campaigns)</li>`) {
			t.Errorf("the auditor's overview does not count %s tasks to do:\n%s", n, excerpt(body))
		}
	})
}
