package e2e_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// progressRows reads the campaign page's progress table: unit → its cells.
const progressRows = `Array.from(document.querySelectorAll('table.register tbody tr')).map(tr =>
	[tr.querySelector('th').textContent.trim(), ...Array.from(tr.querySelectorAll('td')).map(td => td.textContent.trim())].join(' '))`

// TestReviewCampaignInBrowser: the campaign of e2e.LoadReviews (3 units, 30
// processings, some confirmed, some changed, some left) as the DPO and as an
// editor, in both languages, at 1280 and 375 px with axe-core's WCAG 2.2
// AA rules; the progress per unit is right; the editor confirms one task by
// pressing its button; once closed, what was left is flagged overdue.
func TestReviewCampaignInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		env := apitest.Start(t, db, func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		f := e2e.LoadReviews(t, env)
		ctx := startBrowser(t, chrome)
		b := &officeBrowser{t: t, ctx: ctx, env: env, axe: string(axe)}
		page := "/office/campaigns/" + f.Campaign
		// etat-civil also holds the office fixture's published births.
		total := map[string]int{"ecoles": 10, "etat-civil": 11, "informatique": 10}
		progress := func(overdue bool) {
			t.Helper()
			rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](progressRows))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, u := range f.Units {
				n := f.Plan[u]
				left := total[u] - n[0] - n[1]
				late := 0
				if overdue {
					late = left
				}
				want = append(want, fmt.Sprintf("%s %d %d %d %d %d", u, total[u], n[0], n[1], left, late))
			}
			if strings.Join(rows, "\n") != strings.Join(want, "\n") {
				t.Errorf("progress:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
			}
		}

		b.signIn(f.Users["dpo"], f.Password)
		for _, lang := range []string{"fr", "en"} {
			for _, k := range []struct{ name, path string }{{"campaigns", "/office/campaigns"}, {"campaign", page}} {
				t.Run(k.name+"/"+lang, func(t *testing.T) { b.withT(t).checkPage(withLang(k.path, lang), lang, 200, k.name) })
			}
		}
		b.open(withLang(page, "en"), 200)
		progress(false)
		b.signOut()

		// The editor of etat-civil presses "Still accurate" on a task left.
		b.signIn(f.Users["editor"], f.Password)
		t.Run("campaign-editor/fr", func(t *testing.T) { b.withT(t).checkPage(withLang(page, "fr"), "fr", 200, "campaign-editor") })
		b.open(withLang(page, "en"), 200)
		left := f.IDs["etat-civil"][9]
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/tasks/`+left+`/confirm"] button`))); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		b.checkHere("campaign-confirmed", "en")
		f.Plan["etat-civil"] = [2]int{f.Plan["etat-civil"][0] + 1, f.Plan["etat-civil"][1]}
		progress(false)
		b.signOut()

		// The DPO closes it: what was left is overdue.
		b.signIn(f.Users["dpo"], f.Password)
		b.open(withLang(page, "en"), 200)
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action$="/close"] button`))); err != nil {
			t.Fatalf("close: %v", err)
		}
		b.checkHere("campaign-closed", "en")
		progress(true)
	})
}
