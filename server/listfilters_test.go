package server_test

import (
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestListQueryParametersFilterAndSort: the register list's filters on the
// standing, its views and its sorts are reachable from GET /api/v1/processings.
func TestListQueryParametersFilterAndSort(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		var ids []string
		for _, title := range []string{"Registre A", "Registre B", "Registre C"} {
			r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", title))
			ids = append(ids, r.Map(t)["id"].(string))
		}
		incomplete := apitest.Complete("etat-civil", "Registre D")
		delete(incomplete, "data_subjects")
		e.Must(201, "POST", "/api/v1/processings", dpo, incomplete)
		e.Must(200, "POST", "/api/v1/processings/"+ids[1]+"/submit", dpo, nil)
		titles := func(path string) []string {
			items, _ := e.Must(200, "GET", path, dpo, nil).Map(t)["items"].([]any)
			var out []string
			for _, it := range items {
				out = append(out, it.(map[string]any)["title"].(string))
			}
			return out
		}
		for _, tc := range []struct{ path, want string }{
			{"/api/v1/processings?sort=title", "Registre A,Registre B,Registre C,Registre D"},
			{"/api/v1/processings?sort=-title", "Registre D,Registre C,Registre B,Registre A"},
			{"/api/v1/processings?blocking=true", "Registre D"},
			{"/api/v1/processings?view=to-review", "Registre B"},
			{"/api/v1/processings?view=my-drafts&blocking=false&sort=title", "Registre A,Registre C"},
			{"/api/v1/processings?sensitive=true", ""},
			{"/api/v1/processings?overdue=false&sort=-title&per_page=1", "Registre D"},
		} {
			got := ""
			for i, s := range titles(tc.path) {
				if i > 0 {
					got += ","
				}
				got += s
			}
			if got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.path, got, tc.want)
			}
		}
	})
}
