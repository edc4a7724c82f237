package server_test

import (
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestRenameUnitKeepsItsIdentifier: the organisation's DPO renames a unit;
// the list shows the new name under the same identifier, and the trail
// has the change. (Refusals: TestErrors.)
func TestRenameUnitKeepsItsIdentifier(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("carouge")
		seedUnits(e, "carouge", "social")
		dpo := e.Token(auth.RoleDPO, "carouge")
		var u struct{ Slug, Name, Organisation string }
		e.Must(200, "PATCH", "/api/v1/organisations/carouge/units/social", dpo, map[string]any{"name": "Action sociale"}).JSON(t, &u)
		if u.Slug != "social" || u.Name != "Action sociale" || u.Organisation != "carouge" {
			t.Fatalf("renamed: %+v", u)
		}
		if body := e.Must(200, "GET", "/api/v1/organisations/carouge/units", dpo, nil).Body; !strings.Contains(string(body), `"Action sociale"`) || strings.Contains(string(body), `"Service social"`) {
			t.Fatalf("units after the rename: %s", body)
		}
		if body := e.Must(200, "GET", "/api/v1/audit?action=unit.update", e.Token(auth.RoleAdmin, ""), nil).Body; !strings.Contains(string(body), `"unit.update"`) || !strings.Contains(string(body), "unit/carouge/social") {
			t.Fatalf("the rename is not in the trail: %s", body)
		}
	})
}
