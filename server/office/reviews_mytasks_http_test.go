package office_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// taskClock is a clock the test moves (the service reads it).
type taskClock struct{ t atomic.Pointer[time.Time] }

func (c *taskClock) now() time.Time  { return *c.t.Load() }
func (c *taskClock) set(t time.Time) { c.t.Store(&t) }

// TestMyReviewTasks: two open campaigns, one due yesterday (Zurich), one
// far ahead. The editor of etat-civil sees their unit's open tasks only,
// overdue ones first and marked, with the campaign and its due date, from
// the navigation and from the register list's quick views; "still
// accurate" from the page comes back to it with a banner and the task
// gone; "needs changes" lands on the draft. The DPO sees the whole
// organisation's, the other organisation's DPO none, the auditor gets 403
// and no link; a closed campaign's tasks leave the page. French and
// English.
func TestMyReviewTasks(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		zurich, err := time.LoadLocation("Europe/Zurich")
		if err != nil {
			t.Fatal(err)
		}
		clk := &taskClock{}
		clk.set(time.Date(2027, 3, 1, 9, 0, 0, 0, zurich))
		e := apitest.Start(t, db, func(c *server.Config) {
			c.Service = register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithClock(clk.now))
		})
		f := e2e.LoadOffice(t, e)
		dpoTok := e.Token(auth.RoleDPO, f.Org)
		publish := func(unit, title string) string {
			id := e.Must(201, "POST", "/api/v1/processings", dpoTok, apitest.Complete(unit, title)).Map(t)["id"].(string)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpoTok, nil)
			e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpoTok, nil)
			return id
		}
		dogs, dir := publish("etat-civil", "Registre des chiens"), publish("informatique", "Annuaire interne")
		urgent := e.Must(201, "POST", "/api/v1/organisations/"+f.Org+"/campaigns", dpoTok,
			map[string]any{"title": "Revue urgente", "due_on": "2027-03-01", "units": []string{}}).Map(t)["id"].(string)
		yearly := e.Must(201, "POST", "/api/v1/organisations/"+f.Org+"/campaigns", dpoTok,
			map[string]any{"title": "Revue annuelle", "due_on": "2099-12-31", "units": []string{"etat-civil"}}).Map(t)["id"].(string)
		clk.set(time.Date(2027, 3, 2, 9, 0, 0, 0, zurich)) // the urgent one is now overdue

		editor := signIn(t, e, f.Users["editor"], f.Password)
		page := editor.page("/office/tasks?lang=en")
		// Births and dogs in both campaigns (etat-civil), the urgent ones
		// first: 4 tasks, 2 overdue; informatique's directory is not theirs.
		if !strings.Contains(page, "4 task(s) to do, 2 of them overdue.") || strings.Contains(page, "Annuaire interne") ||
			strings.Count(page, `class="tag small tag-returned">overdue<`) != 2 || strings.Count(page, `<span class="tag small">to review</span>`) != 2 {
			t.Fatalf("the editor's tasks:\n%s", excerptOf(page))
		}
		if i, j := strings.Index(page, "Revue urgente"), strings.Index(page, "Revue annuelle"); i < 0 || j < 0 || i > j ||
			!strings.Contains(page, "Due on 1 March 2027") || !strings.Contains(page, "Due on 31 December 2099") {
			t.Errorf("overdue first, each with its campaign and due date:\n%s", excerptOf(page))
		}
		if !strings.Contains(page, `href="/office/tasks?lang=en" aria-current="page"`) {
			t.Errorf("the navigation does not lead to the page, or does not say it is the current one")
		}
		if list := editor.page("/office/?lang=en"); !strings.Contains(list, `<a href="/office/tasks?lang=en">My review tasks</a>`) {
			t.Errorf("the register list's quick views do not lead to the tasks")
		}
		fr := editor.page("/office/tasks?lang=fr")
		for _, w := range []string{"<h1>Mes tâches de revue</h1>", "4 tâche(s) à faire, dont 2 en retard.", "en retard", "Toujours exact", "À modifier"} {
			if !strings.Contains(fr, w) {
				t.Errorf("French page lacks %q", w)
			}
		}

		// Still accurate, from this page: back here, with a banner.
		confirm := "/office/campaigns/" + urgent + "/tasks/" + dogs + "/confirm"
		st, h, _ := editor.post(confirm, mustForm(t, page, confirm))
		if st != http.StatusSeeOther || h.Get("Location") != "/office/tasks?done=confirmed&lang=en" {
			t.Fatalf("confirm from the tasks: %d %s", st, h.Get("Location"))
		}
		page = editor.page(h.Get("Location"))
		if !strings.Contains(page, "Review recorded") || !strings.Contains(page, "3 task(s) to do, 1 of them overdue.") ||
			strings.Contains(page, "/office/campaigns/"+urgent+"/tasks/"+dogs+"/confirm") {
			t.Errorf("after confirming:\n%s", excerptOf(page))
		}
		// Needs changes: to the draft's sections.
		changes := "/office/campaigns/" + yearly + "/tasks/" + dogs + "/changes"
		st, h, _ = editor.post(changes, mustForm(t, page, changes))
		if st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/office/processings/"+dogs+"/edit") {
			t.Fatalf("changes from the tasks: %d %s", st, h.Get("Location"))
		}
		if page = editor.page("/office/tasks?lang=en"); !strings.Contains(page, "2 task(s) to do, 1 of them overdue.") || strings.Contains(page, "Registre des chiens") {
			t.Errorf("after both of the dogs' tasks:\n%s", excerptOf(page))
		}

		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		page = dpo.page("/office/tasks?lang=en")
		if !strings.Contains(page, "3 task(s) to do, 2 of them overdue.") || !strings.Contains(page, "Annuaire interne") ||
			!strings.Contains(page, "/office/campaigns/"+urgent+"/tasks/"+dir+"/confirm") {
			t.Errorf("the DPO's tasks (whole organisation):\n%s", excerptOf(page))
		}
		if page := signIn(t, e, f.OtherDPO, f.Password).page("/office/tasks?lang=en"); !strings.Contains(page, "No review task is waiting for you.") {
			t.Errorf("the other organisation's DPO:\n%s", excerptOf(page))
		}
		auditor := signIn(t, e, f.Users["auditor"], f.Password)
		if st, _, _ := auditor.get("/office/tasks?lang=en"); st != http.StatusForbidden {
			t.Errorf("the auditor: %d, want 403", st)
		}
		if strings.Contains(auditor.page("/office/?lang=en"), "/office/tasks") {
			t.Errorf("the auditor is offered the tasks page")
		}

		// A closed campaign's tasks can no longer be taken: they leave.
		e.Must(200, "POST", "/api/v1/campaigns/"+urgent+"/close", dpoTok, nil)
		if page := editor.page("/office/tasks?lang=en"); !strings.Contains(page, "1 task(s) to do, 0 of them overdue.") || strings.Contains(page, "Revue urgente") {
			t.Errorf("after closing the urgent campaign:\n%s", excerptOf(page))
		}
	})
}
