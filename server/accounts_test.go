package server_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

const password = "Tr0ub4dor&3-horse-staple"

// withLogin gives the test server what serve gives it: a signer for login
// tokens, the revocation check, and login limits small enough to reach.
func withLogin(limits server.LoginLimits, proxies ...string) apitest.Option {
	return func(c *server.Config) {
		signer, err := auth.NewHS256Signer([]byte(apitest.Secret), "registre", "registre")
		if err != nil {
			panic(err)
		}
		c.Signer = signer
		c.Revoked = c.Service
		c.LoginLimits = limits
		for _, p := range proxies {
			c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(p))
		}
	}
}

// quickLimits refuse a key after 3 failures and hold answers back a little
// from the second one.
func quickLimits() server.LoginLimits {
	l := server.Limit{Free: 1, Burst: 3, Decay: time.Hour, Delay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond}
	return server.LoginLimits{Account: l, Address: l, MaxEntries: 100}
}

func auditCount(t *testing.T, e *apitest.Env, action string) int {
	t.Helper()
	r := e.Must(200, "GET", "/api/v1/audit?action="+action, e.Token(auth.RoleAdmin, ""), nil)
	return int(r.Map(t)["total"].(float64))
}

func TestUsersAPI(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(quickLimits()))
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		dpo := e.Token(auth.RoleDPO, "geneve")
		ok := body{"username": "eve@geneve.ch", "password": password, "role": "editor", "org": "geneve", "units": []string{"etat-civil"}}
		tests := []struct {
			name   string
			token  string
			body   any
			status int
			field  string
		}{
			{"Created", admin, ok, 201, ""},
			{"ErrDuplicateUsername", admin, ok, 409, ""},
			{"ErrPasswordShort", admin, ok.with("username", "p1").with("password", "short-pw"), 422, "password"},
			{"ErrBadRole", admin, ok.with("username", "r1").with("role", "root"), 422, "role"},
			{"ErrUnknownOrg", admin, ok.with("username", "o1").with("org", "lausanne"), 422, "org"},
			{"ErrUnknownUnit", admin, ok.with("username", "u1").with("units", []string{"cuisine"}), 422, "units[0]"},
			{"ErrBadUsername", admin, ok.with("username", "Eve Dupont"), 422, "username"},
			{"ErrUnknownField", admin, ok.with("password_hash", "$argon2id$"), 400, "password_hash"},
			{"ErrDuplicateMember", admin, `{"username":"x1","username":"x2","password":"` + password + `","role":"dpo","org":"geneve"}`, 400, "username"},
			{"ErrWrongType", admin, ok.with("units", "etat-civil"), 400, "units"},
			{"ErrNotAdmin", dpo, ok.with("username", "d1"), 403, ""},
			{"ErrNoToken", "", ok.with("username", "d2"), 401, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				e := e.WithT(t)
				before := auditCount(t, e, register.ActionUserCreate)
				r := e.Do("POST", "/api/v1/users", tc.token, tc.body)
				if r.Status != tc.status {
					t.Fatalf("got %d, want %d: %s", r.Status, tc.status, r.Body)
				}
				if bytes.Contains(r.Body, []byte(password)) || bytes.Contains(r.Body, []byte("$argon2id$v=")) {
					t.Fatalf("answer holds the password or a hash: %s", r.Body)
				}
				want := before
				if tc.status == 201 {
					want++
					if r.Header.Get("Location") != "/api/v1/users/eve@geneve.ch" {
						t.Errorf("got Location %q", r.Header.Get("Location"))
					}
				}
				if got := auditCount(t, e, register.ActionUserCreate); got != want {
					t.Errorf("got %d user.create entries, want %d", got, want)
				}
				if tc.field != "" && !strings.Contains(string(r.Body), `"field":"`+tc.field+`"`) {
					t.Errorf("got %s, want an error on field %q", r.Body, tc.field)
				}
			})
		}
		r := e.Must(200, "GET", "/api/v1/users", admin, nil)
		if strings.Contains(string(r.Body), "argon2") || strings.Contains(string(r.Body), "password") {
			t.Fatalf("user list holds password data: %s", r.Body)
		}
		items := r.Map(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["username"] != "eve@geneve.ch" || items[0].(map[string]any)["org"] != "geneve" {
			t.Fatalf("got %s", r.Body)
		}
		e.Must(403, "GET", "/api/v1/users", dpo, nil)
		e.Must(403, "DELETE", "/api/v1/users/eve@geneve.ch", dpo, nil)
		deletes := auditCount(t, e, register.ActionUserDelete)
		e.Must(204, "DELETE", "/api/v1/users/eve@geneve.ch", admin, nil)
		e.Must(404, "DELETE", "/api/v1/users/eve@geneve.ch", admin, nil)
		if got := auditCount(t, e, register.ActionUserDelete); got != deletes+1 {
			t.Fatalf("got %d user.delete entries, want 1", got-deletes)
		}
	})
}

// body is a request body; with returns a copy with one member changed.
type body map[string]any

func (b body) with(k string, v any) body {
	out := body{}
	for kk, vv := range b {
		out[kk] = vv
	}
	out[k] = v
	return out
}

func login(e *apitest.Env, user, pw string, headers ...string) *apitest.Response {
	e.T.Helper()
	return e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": user, "password": pw}, headers...)
}

func TestLoginLogout(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(server.LoginLimits{}))
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "dora", "password": password, "role": "dpo", "org": "geneve"})
		logins := auditCount(t, e, register.ActionLogin)

		// Unknown user and wrong password: the same answer, in similar time.
		// Each is timed three times, alternately, and the fastest of each
		// compared: a load spike on a shared machine slows one sample, never
		// all of them.
		var wrong, unknown *apitest.Response
		tWrong, tUnknown := time.Hour, time.Hour
		for range 3 {
			start := time.Now()
			wrong = login(e, "dora", password+"x")
			tWrong = min(tWrong, time.Since(start))
			start = time.Now()
			unknown = login(e, "nobody", password)
			tUnknown = min(tUnknown, time.Since(start))
		}
		for _, r := range []*apitest.Response{wrong, unknown} {
			if r.Status != 401 {
				t.Fatalf("got %d, want 401: %s", r.Status, r.Body)
			}
		}
		if !bytes.Equal(wrong.Body, unknown.Body) || wrong.Header.Get("WWW-Authenticate") != unknown.Header.Get("WWW-Authenticate") {
			t.Fatalf("answers differ:\nwrong password %s\nunknown user   %s", wrong.Body, unknown.Body)
		}
		// Both hash a password (tens of ms); an unknown user answered
		// without hashing would be several times faster.
		t.Logf("fastest wrong password %v, fastest unknown user %v", tWrong, tUnknown)
		if tUnknown < tWrong/3 {
			t.Errorf("unknown user took %v, wrong password %v: the difference tells which accounts exist", tUnknown, tWrong)
		}
		if got := auditCount(t, e, register.ActionLogin); got != logins {
			t.Fatalf("failed logins added %d audit entries, want none", got-logins)
		}
		e.Must(422, "POST", "/api/v1/auth/login", "", map[string]string{"username": "dora"})
		e.Must(400, "POST", "/api/v1/auth/login", "", map[string]string{"username": "dora", "password": password, "otp": "1"})

		r := login(e, "dora", password)
		if r.Status != 200 {
			t.Fatalf("login: got %d: %s", r.Status, r.Body)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("got Cache-Control %q, want no-store on an answer holding a token", r.Header.Get("Cache-Control"))
		}
		var out struct {
			Token     string    `json:"token"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		r.JSON(t, &out)
		if d := time.Until(out.ExpiresAt); d < 59*time.Minute || d > 61*time.Minute {
			t.Errorf("got expires_at in %v, want one hour", d)
		}
		if got := auditCount(t, e, register.ActionLogin); got != logins+1 {
			t.Fatalf("got %d login entries, want 1", got-logins)
		}
		e.Must(200, "GET", "/api/v1/organisations/geneve", out.Token, nil)
		e.Must(403, "GET", "/api/v1/users", out.Token, nil)

		logouts := auditCount(t, e, register.ActionLogout)
		e.Must(401, "POST", "/api/v1/auth/logout", "", nil)
		e.Must(204, "POST", "/api/v1/auth/logout", out.Token, nil)
		if got := auditCount(t, e, register.ActionLogout); got != logouts+1 {
			t.Fatalf("got %d logout entries, want 1", got-logouts)
		}
		r = e.Must(401, "GET", "/api/v1/organisations/geneve", out.Token, nil)
		if !strings.Contains(r.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Errorf("revoked token: got WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
		e.Must(401, "POST", "/api/v1/auth/logout", out.Token, nil)
		if got := auditCount(t, e, register.ActionLogout); got != logouts+1 {
			t.Fatalf("a refused logout was audited")
		}

		// A deleted account's tokens are refused at once; others' are not.
		second := login(e, "dora", password)
		var tok2 struct {
			Token string `json:"token"`
		}
		second.JSON(t, &tok2)
		e.Must(200, "GET", "/api/v1/organisations/geneve", tok2.Token, nil)
		e.Must(204, "DELETE", "/api/v1/users/dora", admin, nil)
		e.Must(401, "GET", "/api/v1/organisations/geneve", tok2.Token, nil)
		e.Must(200, "GET", "/api/v1/organisations/geneve", e.Token(auth.RoleDPO, "geneve"), nil)
		if r := login(e, "dora", password); r.Status != 401 {
			t.Fatalf("login of a deleted account: got %d", r.Status)
		}

		// No token, password or hash in the logs.
		logs := e.Logs.String()
		for _, secret := range []string{out.Token, tok2.Token, password, "$argon2id$", out.Token[strings.LastIndexByte(out.Token, '.')+1:]} {
			if strings.Contains(logs, secret) {
				t.Errorf("the logs hold a secret (%.12s...)", secret)
			}
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(quickLimits()))
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		for _, u := range []string{"dora", "dan"} {
			e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": u, "password": password, "role": "dpo", "org": "geneve"})
		}
		// Three failures on one account, each from a "different" address
		// by X-Forwarded-For, which no trusted proxy vouches for: they all
		// come from one address, the TCP peer.
		for i := range 3 {
			if r := login(e, "dora", "wrong-password-"+strconv.Itoa(i), fmt.Sprintf("X-Forwarded-For: 203.0.113.%d", i)); r.Status != 401 {
				t.Fatalf("failure %d: got %d, want 401", i, r.Status)
			}
		}
		for _, h := range []string{"X-Forwarded-For: 198.51.100.7", "X-Forwarded-For: 10.0.0.1, 198.51.100.8"} {
			r := login(e, "dora", password, h)
			if r.Status != 429 {
				t.Fatalf("after 3 failures with %s: got %d, want 429: %s", h, r.Status, r.Body)
			}
			if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("got Retry-After %q, want seconds", r.Header.Get("Retry-After"))
			}
		}
		// The address is at 3 failures, so the other account is refused
		// too; a successful login would not have counted.
		if r := login(e, "dan", password); r.Status != 429 {
			t.Fatalf("same address, other account: got %d, want 429", r.Status)
		}
	})
}

func TestLoginRateLimitBehindTrustedProxy(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(quickLimits(), "127.0.0.1/32"))
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "dora", "password": password, "role": "dpo", "org": "geneve"})
		// A client behind the proxy fails with several names; its forged
		// leftmost hops change, the hop the proxy wrote does not.
		for i := range 3 {
			h := fmt.Sprintf("X-Forwarded-For: 192.0.2.%d, 203.0.113.9", i)
			if r := login(e, "user"+strconv.Itoa(i), password, h); r.Status != 401 {
				t.Fatalf("failure %d: got %d", i, r.Status)
			}
		}
		if r := login(e, "dora", password, "X-Forwarded-For: 192.0.2.99, 203.0.113.9"); r.Status != 429 {
			t.Fatalf("same client behind the proxy: got %d, want 429", r.Status)
		}
		// Another client of the same proxy is not affected.
		if r := login(e, "dora", password, "X-Forwarded-For: 203.0.113.10"); r.Status != 200 {
			t.Fatalf("other client behind the proxy: got %d, want 200: %s", r.Status, r.Body)
		}
	})
}

func TestLoginGuessingLocksTheGuesserNotTheOwner(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(quickLimits(), "127.0.0.1/32"))
		e.Seed("geneve")
		e.Must(201, "POST", "/api/v1/users", e.Token(auth.RoleAdmin, ""), map[string]any{"username": "dora", "password": password, "role": "dpo", "org": "geneve"})
		guesser, owner := "X-Forwarded-For: 203.0.113.9", "X-Forwarded-For: 198.51.100.7"
		for i := range 3 {
			if r := login(e, "dora", "wrong-password-"+strconv.Itoa(i), guesser); r.Status != 401 {
				t.Fatalf("guess %d: got %d, want 401", i, r.Status)
			}
		}
		if r := login(e, "dora", password, guesser); r.Status != 429 {
			t.Fatalf("the guesser with the right password: got %d, want 429", r.Status)
		}
		if r := login(e, "dora", password, owner); r.Status != 200 {
			t.Fatalf("the owner at another address: got %d, want 200: %s", r.Status, r.Body)
		}
	})
}

func TestLoginAccountWideLimitSparesKnownAddresses(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		l := quickLimits()
		l.AccountWide = server.Limit{Free: 1, Burst: 4, Decay: time.Hour, Delay: time.Millisecond, MaxDelay: time.Millisecond}
		e := apitest.Start(t, db, withLogin(l, "127.0.0.1/32"))
		e.Seed("geneve")
		e.Must(201, "POST", "/api/v1/users", e.Token(auth.RoleAdmin, ""), map[string]any{"username": "dora", "password": password, "role": "dpo", "org": "geneve"})
		owner := "X-Forwarded-For: 198.51.100.7"
		if r := login(e, "dora", password, owner); r.Status != 200 {
			t.Fatalf("first sign-in: got %d, want 200: %s", r.Status, r.Body)
		}
		// Four guessers, one try each: the account-wide burst is spent.
		for i := range 4 {
			if r := login(e, "dora", "wrong-password", fmt.Sprintf("X-Forwarded-For: 203.0.113.%d", i)); r.Status != 401 {
				t.Fatalf("guess %d: got %d, want 401", i, r.Status)
			}
		}
		if r := login(e, "dora", password, "X-Forwarded-For: 203.0.113.50"); r.Status != 429 {
			t.Fatalf("a new address with the right password: got %d, want 429", r.Status)
		}
		if r := login(e, "dora", password, owner); r.Status != 200 {
			t.Fatalf("the owner at a known address: got %d, want 200: %s", r.Status, r.Body)
		}
	})
}

func TestLogoutNeedsATokenID(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db, withLogin(quickLimits()))
		e.Seed("geneve")
		tok := craft(`{"alg":"HS256"}`, claims("", "jti"), signWith(t, jwt.SigningMethodHS256, []byte(apitest.Secret)))
		e.Must(409, "POST", "/api/v1/auth/logout", tok, nil)
		e.Must(200, "GET", "/api/v1/organisations/geneve", tok, nil)
	})
}
