package e2e

import (
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
)

// MyTasksFixture is the office fixture with two open review campaigns over
// the whole organisation (issue 20, "my review tasks"): one due on Today,
// which the test makes overdue by moving the service's clock a day on, and
// one due far ahead; the fixture's published births has a task in each.
type MyTasksFixture struct {
	*OfficeFixture
	Urgent, Yearly string // campaign ids
}

// LoadMyTasks loads LoadOffice and the two campaigns through the API;
// today is the service's Zurich day (YYYY-MM-DD).
func LoadMyTasks(t testing.TB, e *apitest.Env, today string) *MyTasksFixture {
	t.Helper()
	f := &MyTasksFixture{OfficeFixture: LoadOffice(t, e)}
	dpo := e.Token(auth.RoleDPO, f.Org)
	open := func(title, due string) string {
		var c struct {
			ID string `json:"id"`
		}
		e.Must(201, "POST", "/api/v1/organisations/"+f.Org+"/campaigns", dpo,
			map[string]any{"title": title, "due_on": due, "units": []string{}}).JSON(t, &c)
		return c.ID
	}
	f.Urgent, f.Yearly = open("Revue « urgente »", today), open("Revue annuelle", "2099-12-31")
	return f
}
