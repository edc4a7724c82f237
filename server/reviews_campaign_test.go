package server_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// TestReviewCampaignOverThreeUnits: a campaign over 3 units with 30
// published processings; in each unit some are confirmed (a review event:
// no version, the public bytes unchanged, reviewed_at and review_due moved,
// audited), some need changes (a draft opens, the public keeps its
// version), some are left; the progress figures per unit and in all are
// right; after the due date and after closing, what was left is overdue.
func TestReviewCampaignOverThreeUnits(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := &movableClock{}
		clk.set(zurichTime("2027-03-01 09:00"))
		e := apitest.Start(t, db, func(c *server.Config) {
			c.Service = register.NewService(db.Store(), register.WithClock(clk.now))
		})
		e.Seed("geneve")
		e.Seed("carouge")
		admin := e.Token(auth.RoleAdmin, "")
		e.Must(201, "POST", "/api/v1/organisations/geneve/units", admin, map[string]any{"slug": "ecoles", "name": "Service des écoles"})
		dpo := e.Token(auth.RoleDPO, "geneve")
		units := []string{"ecoles", "etat-civil", "informatique"}
		ids := map[string][]string{}
		for _, u := range units {
			for i := range 10 {
				id := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete(u, fmt.Sprintf("Traitement %s %02d", u, i))).Map(t)["id"].(string)
				e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
				e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
				ids[u] = append(ids[u], id)
			}
		}
		// A draft never published is not in scope.
		e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("ecoles", "Brouillon hors campagne"))

		e.Must(403, "POST", "/api/v1/organisations/geneve/campaigns", e.Token(auth.RoleEditor, "geneve", "ecoles"), map[string]any{"title": "Revue 2027", "due_on": "2027-03-31", "units": []string{}})
		e.Must(422, "POST", "/api/v1/organisations/geneve/campaigns", dpo, map[string]any{"title": "Revue 2027", "due_on": "2027-02-28", "units": []string{}})
		e.Must(422, "POST", "/api/v1/organisations/geneve/campaigns", dpo, map[string]any{"title": "Revue 2027", "due_on": "2027-03-31", "units": []string{"nope"}})
		r := e.Must(201, "POST", "/api/v1/organisations/geneve/campaigns", dpo, map[string]any{"title": "Revue 2027", "due_on": "2027-03-31", "units": units})
		var c register.CampaignProgress
		r.JSON(t, &c)
		if c.All.Total != 30 || c.All.Open != 30 || len(c.Units) != 3 || len(c.Tasks) != 30 {
			t.Fatalf("opened: %+v", c.All)
		}
		base := "/api/v1/campaigns/" + c.ID

		plan := map[string][2]int{"ecoles": {3, 1}, "etat-civil": {5, 2}, "informatique": {4, 3}} // confirmed, changes
		for _, u := range units {
			editor := e.Token(auth.RoleEditor, "geneve", u)
			other := e.Token(auth.RoleEditor, "geneve", units[(indexOf(units, u)+1)%3])
			n := plan[u]
			for i, id := range ids[u][:n[0]+n[1]] {
				task := base + "/tasks/" + id
				if i < n[0] {
					before := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil).Body
					e.Must(403, "POST", task+"/confirm", other, nil)
					p := e.Must(200, "POST", task+"/confirm", editor, nil).Map(t)
					if p["version"].(float64) != 1 || p["status"] != "published" || p["review_due"] != "2028-03-01" ||
						!strings.HasPrefix(p["reviewed_at"].(string), "2027-03-01T08:00:00") {
						t.Errorf("confirmed %s: version %v status %v review_due %v reviewed_at %v", id, p["version"], p["status"], p["review_due"], p["reviewed_at"])
					}
					if after := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil).Body; !bytes.Equal(before, after) {
						t.Errorf("a confirmation changed the public bytes of %s", id)
					}
					e.Must(409, "POST", task+"/confirm", editor, nil)
					e.Must(409, "POST", task+"/changes", editor, nil)
				} else {
					p := e.Must(200, "POST", task+"/changes", editor, nil).Map(t)
					if p["version"].(float64) != 2 || p["status"] != "draft" {
						t.Errorf("changes %s: version %v status %v", id, p["version"], p["status"])
					}
					if pub := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil).Map(t); pub["version"].(float64) != 1 {
						t.Errorf("changes published the draft of %s", id)
					}
				}
			}
		}
		e.Must(404, "POST", base+"/tasks/00000000-0000-4000-8000-000000000000/confirm", dpo, nil)
		e.Must(404, "GET", "/api/v1/campaigns/"+c.ID, e.Token(auth.RoleDPO, "carouge"), nil)

		// What is left to each, as GET /api/v1/me/tasks says it.
		myTasks := func(tok string) []register.MyTask {
			t.Helper()
			var l struct {
				Items []register.MyTask `json:"items"`
				Total int               `json:"total"`
			}
			e.Must(200, "GET", "/api/v1/me/tasks", tok, nil).JSON(t, &l)
			if l.Total != len(l.Items) {
				t.Fatalf("my tasks: total %d for %d items", l.Total, len(l.Items))
			}
			return l.Items
		}
		if mine := myTasks(e.Token(auth.RoleEditor, "geneve", "ecoles")); len(mine) != 6 || mine[0].Unit != "ecoles" || mine[0].DueOn != "2027-03-31" || mine[0].CampaignTitle != "Revue 2027" {
			t.Errorf("an editor's tasks: %d, first %+v", len(mine), mine)
		}
		if all := myTasks(dpo); len(all) != 12 {
			t.Errorf("the DPO's tasks: %d, want 12", len(all))
		}
		if none := myTasks(e.Token(auth.RoleDPO, "carouge")); len(none) != 0 {
			t.Errorf("another organisation's DPO sees %d tasks", len(none))
		}
		e.Must(403, "GET", "/api/v1/me/tasks", e.Token(auth.RoleAuditor, "geneve"), nil)

		check := func(when string, overdue bool) {
			t.Helper()
			var got register.CampaignProgress
			e.Must(200, "GET", base, e.Token(auth.RoleAuditor, "geneve"), nil).JSON(t, &got)
			for _, u := range got.Units {
				n := plan[u.Unit]
				want := register.UnitProgress{Unit: u.Unit, Total: 10, Confirmed: n[0], Changes: n[1], Open: 10 - n[0] - n[1]}
				if overdue {
					want.Overdue = want.Open
				}
				if u != want {
					t.Errorf("%s: unit %s: got %+v, want %+v", when, u.Unit, u, want)
				}
			}
			wantAll := register.UnitProgress{Total: 30, Confirmed: 12, Changes: 6, Open: 12}
			if overdue {
				wantAll.Overdue = 12
			}
			if got.All != wantAll {
				t.Errorf("%s: total %+v, want %+v", when, got.All, wantAll)
			}
			flagged := 0
			for _, task := range got.Tasks {
				if task.Overdue {
					flagged++
					if task.Outcome != "" {
						t.Errorf("%s: a done task is flagged overdue", when)
					}
				}
			}
			if (overdue && flagged != 12) || (!overdue && flagged != 0) {
				t.Errorf("%s: %d tasks flagged overdue", when, flagged)
			}
		}
		check("before the due date", false)
		clk.set(zurichTime("2027-03-31 23:00"))
		check("on the due date", false)
		clk.set(zurichTime("2027-04-01 00:30"))
		check("after the due date", true)

		e.Must(403, "POST", base+"/close", e.Token(auth.RoleEditor, "geneve", "ecoles"), nil)
		e.Must(200, "POST", base+"/close", dpo, nil)
		e.Must(409, "POST", base+"/close", dpo, nil)
		e.Must(409, "POST", base+"/tasks/"+ids["ecoles"][9]+"/confirm", dpo, nil)
		check("closed", true)

		var list struct {
			Items []register.Campaign `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/organisations/geneve/campaigns", dpo, nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ClosedAt == nil {
			t.Errorf("campaigns: %+v", list.Items)
		}
		audit := string(e.Must(200, "GET", "/api/v1/audit?per_page=200", dpo, nil).Body)
		for action, want := range map[string]int{"campaign.open": 1, "campaign.close": 1, "review.confirm": 12, "review.changes": 6} {
			if got := strings.Count(audit, `"action":"`+action+`"`); got != want {
				t.Errorf("audit: %d %s entries, want %d", got, action, want)
			}
		}
		e.Must(200, "GET", "/api/v1/audit/verify", dpo, nil)
	})
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}
