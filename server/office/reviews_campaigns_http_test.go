package office_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestCampaignPagesWithoutJavaScript: the DPO opens a campaign from the
// office (a bad due date is refused beside its field, input kept); the
// editor of etat-civil sees the buttons of its unit's tasks only, confirms
// one and asks changes for another (landing on the draft's sections); the
// progress table counts them; the DPO closes the campaign and the task
// left is flagged overdue, with no button any more.
func TestCampaignPagesWithoutJavaScript(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpoTok := e.Token(auth.RoleDPO, f.Org)
		publish := func(unit, title string) string {
			id := e.Must(201, "POST", "/api/v1/processings", dpoTok, apitest.Complete(unit, title)).Map(t)["id"].(string)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpoTok, nil)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpoTok, nil)
			return id
		}
		a, b := publish("etat-civil", "Registre des chiens"), publish("etat-civil", "Registre des chats")
		c := publish("informatique", "Annuaire interne")
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		editor := signIn(t, e, f.Users["editor"], f.Password)

		list := dpo.page("/office/campaigns?lang=en")
		form := mustForm(t, list, "/office/campaigns")
		form.Set("title", "Revue annuelle 2026")
		form.Set("due_on", "1.1.2020")
		st, _, body := dpo.post("/office/campaigns", form)
		body = html.UnescapeString(body)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#due_on"`) || !strings.Contains(body, `value="Revue annuelle 2026"`) {
			t.Fatalf("bad due date: %d\n%s", st, excerptOf(body))
		}
		form.Set("due_on", "2099-12-31")
		st, h, _ := dpo.post("/office/campaigns", form)
		if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=opened") {
			t.Fatalf("open: %d %s", st, h.Get("Location"))
		}
		page := h.Get("Location")
		u, _ := url.Parse(page)
		base := u.Path

		ed := html.UnescapeString(editor.page(base + "?lang=en"))
		for _, id := range []string{a, b, f.Births} {
			if !strings.Contains(ed, base+"/tasks/"+id+"/confirm") {
				t.Errorf("the editor has no button for %s of their unit", id)
			}
		}
		if strings.Contains(ed, base+"/tasks/"+c+"/confirm") || strings.Contains(ed, "/close") {
			t.Error("the editor may take another unit's task, or close the campaign")
		}
		vals := mustForm(t, ed, base+"/tasks/"+a+"/confirm")
		if st, h, _ := editor.post(base+"/tasks/"+a+"/confirm", vals); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=confirmed") {
			t.Fatalf("confirm: %d %s", st, h.Get("Location"))
		}
		vals = mustForm(t, ed, base+"/tasks/"+b+"/changes")
		st, h, _ = editor.post(base+"/tasks/"+b+"/changes", vals)
		if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/office/processings/"+b+"/edit") {
			t.Fatalf("changes: %d %s", st, h.Get("Location"))
		}
		if st, _, _ := editor.post(base+"/tasks/"+c+"/confirm", vals); st != http.StatusForbidden {
			t.Errorf("another unit's task: %d, want 403", st)
		}
		if rec := readRecord(t, e, b); rec.Status != "draft" || rec.Version != 2 {
			t.Errorf("changes: %+v", rec)
		}

		prog := html.UnescapeString(dpo.page(base + "?lang=en"))
		// etat-civil: births, a, b: 1 confirmed, 1 changes, 1 left; informatique: c left.
		for _, want := range []string{`<th scope="row" lang="fr">etat-civil</th><td class="num">3</td><td class="num">1</td><td class="num">1</td><td class="num">1</td><td class="num">0</td>`,
			`<th scope="row" lang="fr">informatique</th><td class="num">1</td><td class="num">0</td><td class="num">0</td><td class="num">1</td>`} {
			if !strings.Contains(prog, want) {
				t.Errorf("progress lacks %s:\n%s", want, excerptOf(prog))
			}
		}
		closeForm := mustForm(t, prog, base+"/close")
		if st, h, _ := dpo.post(base+"/close", closeForm); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=closed") {
			t.Fatalf("close: %d", st)
		}
		closed := html.UnescapeString(dpo.page(base + "?lang=en"))
		if strings.Count(closed, ">overdue</strong>") != 2 || strings.Contains(closed, "/confirm\"") {
			t.Errorf("closed: the two tasks left are not flagged overdue, or buttons remain:\n%s", excerptOf(closed))
		}
		if l := dpo.page("/office/campaigns?lang=en"); !strings.Contains(l, "Revue annuelle 2026") || !strings.Contains(l, ">closed<") {
			t.Error("the list does not show the closed campaign")
		}
	})
}
