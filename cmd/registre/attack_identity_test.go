package main

// Hostile input against account changes (e-mail, disabling) and the single
// sign-on's callback, on a `registre serve` subprocess.

import (
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/registre/registre/internal/oidctest"
)

// TestAttackAccountChangesRefused: malformed or hostile changes of an
// account get a 4xx problem and write nothing.
func TestAttackAccountChangesRefused(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		admin := tg.admin()
		tg.must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "dora", "password": "un mot de passe assez long", "role": "dpo", "org": "ville-a"})
		tg.must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "root2", "password": "un mot de passe assez long", "role": "admin"})
		tests := []struct {
			name   string
			status int
			field  string
			body   any
		}{
			{"ErrHeaderInjectionInEmail", 422, "email", map[string]any{"email": "dora@ville-a.ch\r\nBcc: all@evil.example"}},
			{"ErrTwoAddresses", 422, "email", map[string]any{"email": "dora@ville-a.ch, x@evil.example"}},
			{"ErrDisplayName", 422, "email", map[string]any{"email": "Dora <dora@ville-a.ch>"}},
			{"ErrHugeEmail", 422, "email", map[string]any{"email": strings.Repeat("a", 100_000) + "@x.ch"}},
			{"ErrRoleRoot", 422, "role", map[string]any{"role": "root"}},
			{"ErrUnitsOfADPO", 422, "units", map[string]any{"units": []string{"etat-civil"}}},
			{"ErrDisabledAsString", 400, "disabled", map[string]any{"disabled": "true"}},
			{"ErrPasswordHashSmuggled", 400, "password_hash", map[string]any{"password_hash": "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA"}},
			{"ErrNull", 400, "", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tg := *tg
				tg.t = t
				if tc.body == nil {
					before := tg.auditEntries()
					resp, b := tg.send(request{method: "PATCH", path: "/api/v1/users/dora", body: strings.NewReader(`{"email":`),
						header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + admin}})
					problemOf(t, resp, b, 400)
					tg.wroteNothing(before)
					return
				}
				tg.refusedAt(tc.status, tc.field, "PATCH", "/api/v1/users/dora", admin, tc.body)
			})
		}
		// Disabling every administrator is refused at the last one.
		tg.must(200, "PATCH", "/api/v1/users/root2", admin, map[string]any{"disabled": true})
		tg.refusedAt(409, "", "PATCH", "/api/v1/users/admin", admin, map[string]any{"disabled": true})
		tg.refusedAt(404, "", "PATCH", "/api/v1/users/"+strings.Repeat("x", 5000), admin, map[string]any{"disabled": true})
	})
}

// TestAttackSingleSignOnCallback: callbacks that no sign-in began here
// are refused (401) without a session or an audit entry, whatever their
// size; local passwords off refuse the API's login with a problem.
func TestAttackSingleSignOnCallback(t *testing.T) {
	idp := oidctest.Start(t, []oidctest.Client{{ID: "registre", Secret: "s", RedirectURI: "http://127.0.0.1:1/office/login/callback"}}, nil)
	env := map[string]string{"REGISTRE_OIDC_ISSUER": idp.Issuer, "REGISTRE_OIDC_CLIENT_ID": "registre", "REGISTRE_OIDC_CLIENT_SECRET": "s",
		"REGISTRE_OIDC_REDIRECT_URL": "http://127.0.0.1:1/office/login/callback", "REGISTRE_LOCAL_LOGIN": "off"}
	eachTarget(t, env, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		before := tg.auditEntries()
		for _, c := range []struct {
			q      url.Values
			status int
		}{
			{url.Values{"state": {"forged"}, "code": {"x"}}, 401},
			{url.Values{"state": {strings.Repeat("s", 6000)}, "code": {strings.Repeat("c", 6000)}}, 401},
			// NUL and invalid UTF-8 are refused before any handler
			// (docs/security.md, "Bad characters in requests").
			{url.Values{"state": {"\x00\xff"}, "error": {"access_denied"}}, 400},
			{url.Values{}, 401},
		} {
			q := c.q
			resp, b := tg.send(request{method: "GET", path: "/office/login/callback?" + q.Encode(),
				header: map[string]string{"Cookie": "registre_oidc=forged"}})
			if resp.StatusCode != c.status || c.status == 401 && !strings.Contains(string(b), "/office/login") {
				t.Errorf("callback %.80s: got %d, want %d", q.Encode(), resp.StatusCode, c.status)
			}
			if c := resp.Header.Values("Set-Cookie"); strings.Contains(strings.Join(c, ";"), "registre_session=") {
				t.Errorf("a refused callback set a session cookie: %v", c)
			}
		}
		tg.wroteNothing(before)
		resp, b := tg.send(request{method: "POST", path: "/api/v1/auth/login", body: strings.NewReader(`{"username":"admin","password":"whatever-it-is-here"}`),
			header: map[string]string{"Content-Type": "application/json"}})
		problemOf(t, resp, b, http.StatusForbidden)
		tg.wroteNothing(before)
	})
}

// TestServeRefusesABadSingleSignOnConfiguration: serve stops at once, with
// a message naming the variable, on a redirect URL it would never be sent
// back to.
func TestServeRefusesABadSingleSignOnConfiguration(t *testing.T) {
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", "sqlite:"+t.TempDir()+"/r.db")
	cmd.Env = []string{"REGISTRE_JWT_SECRET=" + testSecret, "REGISTRE_OIDC_ISSUER=https://idp.example.ch", "REGISTRE_OIDC_CLIENT_ID=registre",
		"REGISTRE_OIDC_REDIRECT_URL=https://registre.example.ch/elsewhere"}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "REGISTRE_OIDC_REDIRECT_URL") {
		t.Fatalf("serve with a bad redirect URL: %v\n%s", err, out)
	}
}
