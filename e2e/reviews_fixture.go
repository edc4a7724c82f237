package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
)

// ReviewsFixture is the office fixture with a review campaign (issue 20):
// 30 published processings in 3 units (10 each), a campaign over the 3
// units in which, per unit, some are confirmed, some need changes and the
// rest are left.
type ReviewsFixture struct {
	*OfficeFixture
	Campaign string
	Units    []string
	// Plan is, per unit, how many were confirmed and how many need changes.
	Plan map[string][2]int
	IDs  map[string][]string
}

// LoadReviews loads LoadOffice, a third unit, the 30 processings and the
// campaign, as the people concerned would (through the API).
func LoadReviews(t testing.TB, e *apitest.Env) *ReviewsFixture {
	t.Helper()
	f := &ReviewsFixture{OfficeFixture: LoadOffice(t, e), Units: []string{"ecoles", "etat-civil", "informatique"},
		Plan: map[string][2]int{"ecoles": {3, 1}, "etat-civil": {5, 2}, "informatique": {4, 3}}, IDs: map[string][]string{}}
	admin := e.Token(auth.RoleAdmin, "")
	e.Must(201, "POST", "/api/v1/organisations/"+f.Org+"/units", admin, map[string]any{"slug": "ecoles", "name": "Service des écoles"})
	token := func(role auth.Role, units ...string) string {
		p := auth.Principal{Subject: f.Users[string(role)], Role: role, Org: f.Org, Units: units}
		tok, _, err := e.Signer.Issue(p, time.Hour, time.Now())
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		return tok
	}
	dpo := token(auth.RoleDPO)
	for _, u := range f.Units {
		for i := range 10 {
			r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete(u, fmt.Sprintf("Revue %s n°%02d", u, i+1)))
			var p struct {
				ID string `json:"id"`
			}
			r.JSON(t, &p)
			e.Must(200, "POST", "/api/v1/processings/"+p.ID+"/submit", dpo, nil)
			e.Must(200, "POST", "/api/v1/processings/"+p.ID+"/publish", dpo, nil)
			f.IDs[u] = append(f.IDs[u], p.ID)
		}
	}
	var c struct {
		ID string `json:"id"`
	}
	e.Must(201, "POST", "/api/v1/organisations/"+f.Org+"/campaigns", dpo,
		map[string]any{"title": "Revue annuelle 2026", "due_on": "2099-12-31", "units": f.Units}).JSON(t, &c)
	f.Campaign = c.ID
	for _, u := range f.Units {
		ed := token(auth.RoleEditor, u)
		n := f.Plan[u]
		for i, id := range f.IDs[u][:n[0]+n[1]] {
			outcome := "confirm"
			if i >= n[0] {
				outcome = "changes"
			}
			e.Must(200, "POST", "/api/v1/campaigns/"+c.ID+"/tasks/"+id+"/"+outcome, ed, nil)
		}
	}
	return f
}
