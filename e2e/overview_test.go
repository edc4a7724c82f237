package e2e_test

import (
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// TestOverviewImportModelsInBrowser drives the pages of part 2b in headless
// Chromium, on both databases: the overview's numbers equal the compliance
// endpoint's; an import with errors shows them and writes nothing, then a
// clean import creates drafts; a model shared by one organisation and
// copied into another carries no internal field; every new page kind passes
// axe-core's WCAG 2.2 A/AA rules at 1280 and 375 px.
func TestOverviewImportModelsInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		env := apitest.Start(t, db, func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		f := e2e.LoadOffice(t, env)
		b := &officeBrowser{t: t, ctx: startBrowser(t, chrome), env: env, axe: string(axe)}
		dpoTok := env.Token(auth.RoleDPO, f.Org)
		b.signIn(f.Users["dpo"], f.Password)

		// The overview against GET /api/v1/compliance.
		b.checkPage("/office/overview?lang=fr", "fr", 200, "overview")
		b.checkPage("/office/overview?lang=en", "en", 200, "overview")
		var comp register.FindingsPage
		env.Must(200, "GET", "/api/v1/compliance?per_page=200", dpoTok, nil).JSON(t, &comp)
		if comp.Total > len(comp.Items) {
			t.Fatalf("the fixture has %d findings, more than a page", comp.Total)
		}
		laws := map[string]map[string]bool{}
		for _, fd := range comp.Items {
			if fd.Blocks() {
				for _, l := range fd.Laws {
					if laws[l] == nil {
						laws[l] = map[string]bool{}
					}
					laws[l][fd.ProcessingID] = true
				}
			}
		}
		links, err := chromedp.Run(b.ctx, chromedp.Evaluate[[][]string](
			`Array.from(document.querySelectorAll('main a[href^="/office/?"]')).map(a => [a.getAttribute('href'), a.textContent.replace(/[^0-9]/g, '')])`))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"current=1&lang=en": comp.Summary.Processings,
			"blocking=yes&current=1&lang=en":   comp.Summary.Processings - comp.Summary.Complete,
			"current=1&overdue=1&lang=en":      comp.Summary.ByRule["review-overdue"],
			"current=1&risk=dpia&lang=en":      comp.Summary.ByRule["dpia-required"],
			"current=1&risk=profiling&lang=en": comp.Summary.ByRule["profiling"]}
		for l, ids := range laws {
			want["current=1&law="+l+"&lang=en"] = len(ids)
		}
		seen := 0
		for _, l := range links {
			q := strings.TrimPrefix(l[0], "/office/?")
			w, ok := want[q]
			if !ok {
				continue
			}
			seen++
			if n, _ := strconv.Atoi(l[1]); n != w {
				t.Errorf("the overview shows %d for %s, the compliance endpoint %d", n, q, w)
			}
		}
		if seen < len(want) {
			t.Errorf("%d of the %d numbers compared were on the page: %v", seen, len(want), links)
		}

		// An import with errors, then a clean one.
		count := func() int {
			var res struct{ Total int }
			env.Must(200, "GET", "/api/v1/processings?per_page=1", dpoTok, nil).JSON(t, &res)
			return res.Total
		}
		before := count()
		dir := t.TempDir()
		upload := func(name, content string) {
			t.Helper()
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			b.open("/office/import?lang=fr", 200)
			if err := chromedp.Do(b.ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{path})); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`form.import-form button[type=submit]`))); err != nil {
				t.Fatalf("upload %s: %v", name, err)
			}
		}
		b.checkPage("/office/import?lang=fr", "fr", 200, "import")
		upload("erreurs.csv", "Nom du traitement;Unité;Profilage;Finalité\nAide sociale;nulle-part;peut-être;Aider\n")
		if txt := b.text("#import-errors-caption"); !strings.Contains(txt, "2 erreurs dans le tableur ; rien n’a été importé") {
			t.Errorf("the errors are not shown, in French: %q", txt)
		}
		if rows := b.text(".import-errors tbody"); !strings.Contains(rows, "ligne 2, colonne « Unité »") || !strings.Contains(rows, "ligne 2, colonne « Profilage »") ||
			!strings.Contains(rows, "doit être oui ou non") {
			t.Errorf("the errors do not name row and column, in French: %q", rows)
		}
		b.axeHere("fr", "import with errors")
		if n := count(); n != before {
			t.Fatalf("an import with errors wrote %d records", n-before)
		}
		upload("propre.csv", "Nom du traitement;Unité;Finalité\nAbonnements à la piscine;etat-civil;Gérer les abonnements\nPrêt de vélos;informatique;Prêter des vélos\n")
		if txt := b.text("main h1"); !strings.Contains(txt, "Aperçu") {
			t.Fatalf("no preview: %q", txt)
		}
		b.axeHere("fr", "import preview")
		if n := count(); n != before {
			t.Fatalf("a preview wrote %d records", n-before)
		}
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.ID("confirm-import"))); err != nil {
			t.Fatal(err)
		}
		b.axeHere("fr", "import done")
		if n := count(); n != before+2 {
			t.Fatalf("%d records after the import, want %d", n, before+2)
		}

		// A model shared, then copied by the other organisation.
		b.checkPage("/office/processings/"+f.Births+"/model?lang=fr", "fr", 200, "model-mark")
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.ID("model-on"))); err != nil {
			t.Fatal(err)
		}
		b.axeHere("fr", "model shared")
		b.signOut()
		b.signIn(f.OtherDPO, f.Password)
		b.checkPage("/office/models?lang=en", "en", 200, "models")
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`form.model-start button`))); err != nil {
			t.Fatal(err)
		}
		loc := b.facts().Location
		id := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/office/processings/"), "/edit")
		var cp register.Processing
		env.Must(200, "GET", "/api/v1/processings/"+url.PathEscape(id), env.Token(auth.RoleDPO, f.OtherOrg), nil).JSON(t, &cp)
		var src register.Processing
		env.Must(200, "GET", "/api/v1/processings/"+f.Births+"/versions/1", dpoTok, nil).JSON(t, &src)
		if cp.Organisation != f.OtherOrg || cp.Title != src.Title || cp.Reference != "" || cp.InternalNotes != "" || cp.DPIA.Reference != "" {
			t.Errorf("the copy: %+v", cp.Fields)
		}
		for _, m := range cp.SecurityMeasures {
			if m.Details != "" {
				t.Errorf("a security detail reached the copy: %q", m.Details)
			}
		}
	})
}
