package main

// Hostile input against accounts and the text of records (issues 10 and 11):
// mailto parameters in contacts, bidirectional controls and non-characters,
// the last administrator, re-created accounts, weak passwords, reserved
// actor names.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
)

// refusedAt sends a JSON request that must be refused with want, and with
// a field error at field when field is not empty; the audit trail must not
// grow.
func (tg *target) refusedAt(want int, field, method, path, token string, body any) map[string]any {
	tg.t.Helper()
	before := tg.auditEntries()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tg.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	resp, b := tg.send(request{method: method, path: path, body: rd,
		header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}})
	p := problemOf(tg.t, resp, b, want)
	if field != "" {
		errs, _ := p["errors"].([]any)
		found := false
		for _, e := range errs {
			if m, _ := e.(map[string]any); m["field"] == field {
				found = true
			}
		}
		if !found {
			tg.t.Errorf("%s %s: got errors %v, want one at %q", method, path, p["errors"], field)
		}
	}
	tg.wroteNothing(before)
	return p
}

// login returns a token for username, or fails the test.
func (tg *target) login(username, password string) string {
	tg.t.Helper()
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(tg.must(200, "POST", "/api/v1/auth/login", "", map[string]any{"username": username, "password": password}), &v); err != nil {
		tg.t.Fatal(err)
	}
	return v.Token
}

func TestAttackMailtoParametersRefused(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		id := tg.seed("ville-a")
		admin := tg.admin()
		smuggled := "ctl@x.example?cc=someone%40elsewhere.example&body=je%20renonce"
		org := map[string]any{"slug": "ville-b", "name": "Ville B", "dpo_contact": smuggled}
		tg.refusedAt(422, "dpo_contact", "POST", "/api/v1/organisations", admin, org)
		tg.refusedAt(422, "lipad_contact", "PUT", "/api/v1/organisations/ville-a", admin,
			map[string]any{"name": "Ville de ville-a", "lipad_contact": "mailto:lipad@ville-a.example.ch"})
		// A DPO changing their own contacts gets the same answer.
		tg.refusedAt(422, "dpo_contact", "PUT", "/api/v1/organisations/ville-a", tg.token(auth.RoleDPO, "ville-a"),
			map[string]any{"name": "Ville de ville-a", "dpo_contact": "DPO <dpo@ville-a.example.ch&bcc=x@evil.example>"})

		p := apitest.Complete("etat-civil", "Registre des mariages")
		p["organisation"] = "ville-a"
		p["controller"] = map[string]any{"name": "Service", "contact": smuggled}
		tg.refusedAt(422, "controller.contact", "POST", "/api/v1/processings", admin, p)
		p["controller"] = map[string]any{"name": "Service", "contact": "etat-civil@example.ch"}
		p["joint_controllers"] = []any{
			map[string]any{"name": "Canton", "contact": "+41 22 327 00 00"},
			map[string]any{"name": "Commune", "contact": "mailto:c@commune.example.ch?subject=x"},
		}
		tg.refusedAt(422, "joint_controllers[1].contact", "POST", "/api/v1/processings", admin, p)

		// Plain addresses and text contacts are fine, and the public page
		// links only the plain address.
		tg.must(200, "PUT", "/api/v1/organisations/ville-a", admin, map[string]any{"name": "Ville de ville-a",
			"dpo_contact": "dpo@ville-a.example.ch", "lipad_contact": "Guichet LIPAD, +41 22 418 00 00"})
		resp, page := tg.send(request{method: "GET", path: "/organisations/ville-a"})
		if resp.StatusCode != 200 || !strings.Contains(string(page), `href="mailto:dpo@ville-a.example.ch"`) ||
			strings.Count(string(page), "mailto:") != 1 {
			t.Errorf("organisation page: got %d, want exactly one mailto link, to the plain address", resp.StatusCode)
		}
		tg.must(200, "GET", "/public/v1/processings/"+id, "", nil)
	})
}

func TestAttackBidiAndNonCharactersRefused(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		id := tg.seed("ville-a")
		admin := tg.admin()
		tests := []struct {
			name, field string
			change      func(p map[string]any)
		}{
			{"RightToLeftOverrideInTitle", "title", func(p map[string]any) { p["title"] = "Photos \u202egnp.exe" }},
			{"IsolateInPurpose", "purpose", func(p map[string]any) { p["purpose"] = "But \u2067caché\u2069" }},
			{"MarkInInternalNotes", "internal_notes", func(p map[string]any) { p["internal_notes"] = "\u200f" }},
			{"NonCharacterInNestedList", "data_categories[1].name", func(p map[string]any) {
				p["data_categories"] = []any{map[string]any{"name": "identité"}, map[string]any{"name": "santé\ufdd0"}}
			}},
			{"PlaneNonCharacterInContact", "joint_controllers[0].contact", func(p map[string]any) {
				p["joint_controllers"] = []any{map[string]any{"name": "Canton", "contact": "x\U0010FFFF"}}
			}},
			{"FFFEInDataSubjects", "data_subjects[0]", func(p map[string]any) { p["data_subjects"] = []any{"\ufffe"} }},
			{"ArabicLetterMarkInRetention", "retention.trigger", func(p map[string]any) {
				p["retention"] = map[string]any{"period": "P10Y", "trigger": "clôture\u061c"}
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tg := *tg
				tg.t = t
				p := apitest.Complete("etat-civil", "Registre des mariages")
				p["organisation"] = "ville-a"
				tc.change(p)
				tg.refusedAt(422, tc.field, "POST", "/api/v1/processings", admin, p)
			})
		}
		// An edit, an organisation, a unit and a review comment too.
		var cur struct {
			Revision string
		}
		resp, _ := tg.send(request{method: "GET", path: "/api/v1/processings/" + id, header: map[string]string{"Authorization": "Bearer " + admin}})
		cur.Revision = resp.Header.Get("ETag")
		p := apitest.Complete("etat-civil", "Registre des naissances\u202a")
		before := tg.auditEntries()
		b, _ := json.Marshal(p)
		resp, body := tg.send(request{method: "PUT", path: "/api/v1/processings/" + id, body: bytes.NewReader(b),
			header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + admin, "If-Match": cur.Revision}})
		if pr := problemOf(t, resp, body, 422); !strings.Contains(string(body), `"title"`) {
			t.Errorf("PUT: got %v, want a title field error", pr)
		}
		tg.wroteNothing(before)
		tg.refusedAt(422, "name", "POST", "/api/v1/organisations", admin, map[string]any{"slug": "ville-b", "name": "Ville\u2066 B"})
		tg.refusedAt(422, "address", "PUT", "/api/v1/organisations/ville-a", admin, map[string]any{"name": "Ville de ville-a", "address": "Rue\uffff 1"})
		tg.refusedAt(422, "name", "POST", "/api/v1/organisations/ville-a/units", admin, map[string]any{"slug": "archives", "name": "Archives\u200e"})
		draft := apitest.Complete("etat-civil", "Registre des décès")
		draft["organisation"] = "ville-a"
		var d struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(tg.must(201, "POST", "/api/v1/processings", admin, draft), &d); err != nil {
			t.Fatal(err)
		}
		tg.must(200, "POST", "/api/v1/processings/"+d.ID+"/submit", admin, nil)
		tg.refusedAt(422, "comment", "POST", "/api/v1/processings/"+d.ID+"/return", admin, map[string]any{"comment": "voir \u202eci-dessous"})
	})
}

func TestAttackLastAdministratorCannotDeleteItself(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		admin := tg.admin()
		const pw = "violet tram Carouge 1987"
		tg.must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "ada", "password": pw, "role": "admin"})
		// The first-start account "admin" goes: two administrators, one left.
		status, _ := tg.call("DELETE", "/api/v1/users/admin", admin, nil)
		if status != http.StatusNoContent {
			t.Fatalf("delete one of two administrators: got %d, want 204", status)
		}
		ada := tg.login("ada", pw)
		p := tg.refusedAt(409, "", "DELETE", "/api/v1/users/ada", ada, nil)
		if d, _ := p["detail"].(string); !strings.Contains(d, "last administrator") {
			t.Errorf("got detail %q, want it to say why", d)
		}
		var users struct {
			Items []struct {
				Username string `json:"username"`
			} `json:"items"`
		}
		if err := json.Unmarshal(tg.must(200, "GET", "/api/v1/users", ada, nil), &users); err != nil {
			t.Fatal(err)
		}
		if len(users.Items) != 1 || users.Items[0].Username != "ada" {
			t.Errorf("got accounts %+v, want ada alone", users.Items)
		}
	})
}

func TestAttackRecreatedAccountFreshTokenAccepted(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		admin := tg.admin()
		const pw = "violet tram Carouge 1987"
		account := map[string]any{"username": "dora", "password": pw, "role": "dpo", "org": "ville-a"}
		tg.must(201, "POST", "/api/v1/users", admin, account)
		old := tg.login("dora", pw)
		tg.must(200, "GET", "/api/v1/processings", old, nil)
		start := time.Now()
		tg.must(204, "DELETE", "/api/v1/users/dora", admin, nil)
		tg.must(201, "POST", "/api/v1/users", admin, account)
		fresh := tg.login("dora", pw)
		tg.must(200, "GET", "/api/v1/processings", fresh, nil)
		t.Logf("delete, re-create, log in and read: %v", time.Since(start))
		before := tg.auditEntries()
		resp, b := tg.send(request{method: "GET", path: "/api/v1/processings", header: map[string]string{"Authorization": "Bearer " + old}})
		problemOf(t, resp, b, 401)
		resp, b = tg.send(request{method: "POST", path: "/api/v1/organisations/ville-a/units", body: strings.NewReader(`{"slug":"x1","name":"X1"}`),
			header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + old}})
		problemOf(t, resp, b, 401)
		tg.wroteNothing(before)
	})
}

func TestAttackWeakPasswordsRefused(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		admin := tg.admin()
		for name, pw := range map[string]string{
			"TwelveSpaces":  strings.Repeat(" ", 12),
			"Username":      "marie.dupont",
			"ContainsName":  "marie.dupont2026",
			"Digits":        "123456789012",
			"Common":        "password1234",
			"CommonAndYear": "Sunshine2024!",
			"Keyboard":      "qwertzuiopas",
			"Short":         "Gen\u00e8ve-1",
		} {
			t.Run(name, func(t *testing.T) {
				tg := *tg
				tg.t = t
				tg.refusedAt(422, "password", "POST", "/api/v1/users", admin,
					map[string]any{"username": "marie.dupont", "password": pw, "role": "admin"})
			})
		}
	})
}

func TestAttackNFDLoginForNFCPassword(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		const nfc = "d\u00e9j\u00e0 vu \u00e0 Gen\u00e8ve"
		const nfd = "de\u0301ja\u0300 vu a\u0300 Gene\u0300ve"
		tg.must(201, "POST", "/api/v1/users", tg.admin(), map[string]any{"username": "zoe", "password": nfc, "role": "admin"})
		tg.must(200, "GET", "/api/v1/users", tg.login("zoe", nfd), nil)
		tg.must(200, "GET", "/api/v1/users", tg.login("zoe", nfc), nil)
	})
}

func TestAttackReservedActorNamesRefused(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		admin := tg.admin()
		signer, err := auth.NewHS256Signer([]byte(testSecret), "registre", "registre")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"import", "demo", "system", "cli", "migration", "registre-cli"} {
			t.Run(name, func(t *testing.T) {
				tg := *tg
				tg.t = t
				tg.refusedAt(422, "username", "POST", "/api/v1/users", admin,
					map[string]any{"username": name, "password": "violet tram Carouge 1987", "role": "admin"})
				// A token naming it, signed with a key the service trusts.
				tok, _, err := signer.Issue(auth.Principal{Subject: name, Role: auth.RoleAdmin}, time.Hour, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				tg.refusedAt(401, "", "POST", "/api/v1/organisations", tok, map[string]any{"slug": "ville-x", "name": "Ville X"})
			})
		}
	})
}

// TestCommandLineUserAddRefusesWeakPasswordsAndIsMarked: `registre user
// add` applies the password rule, and what it does is signed "cli:user-add"
// with role "cli" in the audit trail.
func TestCommandLineUserAddRefusesWeakPasswordsAndIsMarked(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
		for _, pw := range []string{strings.Repeat(" ", 12), "operator.jean", "123456789012"} {
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"user", "add", "--username", "operator.jean", "--role", "admin"}, getenv,
				strings.NewReader(pw+"\n"), &out, &errb)
			if err == nil || !strings.Contains(err.Error(), "password") {
				t.Errorf("weak password %q: got %v, want a password error", pw, err)
			}
		}
		cmdRun(t, dsn, strings.NewReader("violet tram Carouge 1987\n"), "user", "add", "--username", "operator.jean", "--role", "admin")
		db := dbtest.Open(t, dsn)
		var actors []struct {
			Actor, Role, Action, Target string
		}
		if err := db.Bun().NewRaw("SELECT actor, role, action, target FROM audit_log ORDER BY seq").Scan(context.Background(), &actors); err != nil {
			t.Fatal(err)
		}
		creates := 0
		for _, a := range actors {
			if a.Action == "user.create" && a.Target == "user/operator.jean" {
				creates++
				if a.Actor != "cli:user-add" || a.Role != "cli" {
					t.Errorf("got actor %q role %q, want cli:user-add, cli", a.Actor, a.Role)
				}
			}
		}
		if creates != 1 {
			t.Errorf("got %d user.create entries for the account, want 1 (refused attempts write nothing)", creates)
		}
	})
}
