package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// TestUpdateUserAPI: PATCH /api/v1/users/{username} sets the e-mail
// address and disables an account, whose token is refused from the next
// request on.
func TestUpdateUserAPI(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(server.LoginLimits{}))
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		dpo := e.Token(auth.RoleDPO, "geneve")
		r := e.Must(201, "POST", "/api/v1/users", admin, body{"username": "dora", "password": password, "role": "dpo", "org": "geneve", "email": "dora@geneve.ch"})
		if r.Map(t)["email"] != "dora@geneve.ch" || r.Map(t)["disabled"] != false {
			t.Fatalf("got %s", r.Body)
		}
		e.Must(422, "POST", "/api/v1/users", admin, body{"username": "dino", "password": password, "role": "dpo", "org": "geneve", "email": "not an address"})

		var tok struct {
			Token string `json:"token"`
		}
		login(e, "dora", password).JSON(t, &tok)
		e.Must(200, "GET", "/api/v1/processings", tok.Token, nil)

		tests := []struct {
			name   string
			token  string
			user   string
			body   any
			status int
			field  string
		}{
			{"ErrNotAdmin", dpo, "dora", body{"disabled": true}, 403, ""},
			{"ErrUnknownAccount", admin, "nobody", body{"disabled": true}, 404, ""},
			{"ErrBadEmail", admin, "dora", body{"email": "dora@"}, 422, "email"},
			{"ErrUnknownField", admin, "dora", body{"password": password}, 400, "password"},
			{"ErrWrongType", admin, "dora", body{"disabled": "yes"}, 400, "disabled"},
			{"EmailChanged", admin, "dora", body{"email": "dora.dupont@geneve.ch"}, 200, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := e.WithT(t)
				before := auditCount(t, e, register.ActionUserUpdate)
				r := e.Do("PATCH", "/api/v1/users/"+tc.user, tc.token, tc.body)
				if r.Status != tc.status {
					t.Fatalf("got %d, want %d: %s", r.Status, tc.status, r.Body)
				}
				if tc.field != "" && !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
					t.Errorf("got %s, want an error on field %q", r.Body, tc.field)
				}
				want := before
				if tc.status == 200 {
					want++
				}
				if got := auditCount(t, e, register.ActionUserUpdate); got != want {
					t.Errorf("got %d user.update entries, want %d", got-before, want-before)
				}
			})
		}
		// The e-mail change left the token working; disabling ends it.
		e.Must(200, "GET", "/api/v1/processings", tok.Token, nil)
		r = e.Must(200, "PATCH", "/api/v1/users/dora", admin, body{"disabled": true})
		if r.Map(t)["disabled"] != true || r.Map(t)["disabled_at"] == nil {
			t.Fatalf("got %s", r.Body)
		}
		e.Must(401, "GET", "/api/v1/processings", tok.Token, nil)
		if r := login(e, "dora", password); r.Status != 401 {
			t.Fatalf("login of a disabled account: got %d %s", r.Status, r.Body)
		}
		if got := auditCount(t, e, register.ActionUserDisable); got != 1 {
			t.Fatalf("got %d user.disable entries", got)
		}
		r = e.Must(200, "GET", "/api/v1/users", admin, nil)
		if !strings.Contains(string(r.Body), `"disabled":true`) || !strings.Contains(string(r.Body), `"email":"dora.dupont@geneve.ch"`) {
			t.Fatalf("list: got %s", r.Body)
		}
		e.Must(200, "PATCH", "/api/v1/users/dora", admin, body{"disabled": false})
		// A token's iat is in whole seconds, and one issued in the second
		// of the disabling is refused (register.Service.Revoked).
		time.Sleep(time.Second)
		login(e, "dora", password).JSON(t, &tok)
		e.Must(200, "GET", "/api/v1/processings", tok.Token, nil)
	})
}
