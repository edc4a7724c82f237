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

// TestDeleteUnitOnlyWhenNothingRefersToIt: a unit created by mistake is
// removed (204, audited, gone from the list, 404 after); one that a
// processing or an account names is kept (409, nothing written); only
// the organisation's DPO or an administrator may remove one.
func TestDeleteUnitOnlyWhenNothingRefersToIt(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("carouge")
		e.Seed("onex")
		seedUnits(e, "carouge", "social", "spare", "staffed", "ab-c")
		dpo, admin := e.Token(auth.RoleDPO, "carouge"), e.Token(auth.RoleAdmin, "")
		e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("social", "Aide sociale"))
		e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "eva", "password": "a long enough passphrase",
			"role": "editor", "org": "carouge", "units": []string{"staffed", "ab-c"}})

		for _, c := range []struct {
			name, unit, token string
			status            int
		}{
			{"ErrEditor", "spare", e.Token(auth.RoleEditor, "carouge", "social"), 403},
			{"ErrAuditor", "spare", e.Token(auth.RoleAuditor, "carouge"), 403},
			{"ErrOtherOrganisation", "spare", e.Token(auth.RoleDPO, "onex"), 404},
			{"ErrUsedByAProcessing", "social", dpo, 409},
			{"ErrUsedByAnAccount", "staffed", dpo, 409},
			{"ErrUsedByAnAccountSecond", "ab-c", dpo, 409},
			{"ErrUnknown", "nowhere", dpo, 404},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := e.Must(c.status, "DELETE", "/api/v1/organisations/carouge/units/"+c.unit, c.token, nil)
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("content type %q", ct)
				}
			})
		}
		// "ab" is not "ab-c": a slug is matched whole in the accounts' lists.
		seedUnits(e, "carouge", "ab")
		e.Must(204, "DELETE", "/api/v1/organisations/carouge/units/spare", dpo, nil)
		e.Must(204, "DELETE", "/api/v1/organisations/carouge/units/ab", admin, nil)
		e.Must(404, "DELETE", "/api/v1/organisations/carouge/units/spare", dpo, nil)
		body := string(e.Must(200, "GET", "/api/v1/organisations/carouge/units", dpo, nil).Body)
		for _, kept := range []string{`"social"`, `"staffed"`, `"ab-c"`} {
			if !strings.Contains(body, kept) {
				t.Errorf("unit %s is gone: %s", kept, body)
			}
		}
		if strings.Contains(body, `"spare"`) || strings.Contains(body, `"slug":"ab"`) {
			t.Errorf("removed units still listed: %s", body)
		}
		trail := string(e.Must(200, "GET", "/api/v1/audit?action=unit.delete", admin, nil).Body)
		if strings.Count(trail, `"unit.delete"`) != 2 || !strings.Contains(trail, "unit/carouge/spare") {
			t.Fatalf("the trail has not the two removals: %s", trail)
		}
	})
}
