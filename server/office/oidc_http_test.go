package office_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/oidctest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/server/office"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// ssoEnv is the service with single sign-on through a real provider.
type ssoEnv struct {
	*apitest.Env
	idp           *oidctest.Provider
	client, other oidctest.Client
}

const (
	idpUser     = "marie"
	idpPassword = "idp-secret-password"
)

// startSSO serves the real server with single sign-on through a provider
// started here; the provider has the client "registre" (ours) and
// "other" (another application), and two people: marie (no claims) and
// paul (claims of a DPO of geneve).
func startSSO(t *testing.T, db *sqlstore.DB, claims bool, svcOpts ...register.Option) *ssoEnv {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	s := &ssoEnv{
		client: oidctest.Client{ID: "registre", Secret: "registre-secret", RedirectURI: base + office.CallbackPath},
		other:  oidctest.Client{ID: "other-app", Secret: "other-secret", RedirectURI: "http://127.0.0.1:1/cb"},
	}
	s.idp = oidctest.Start(t, []oidctest.Client{s.client, s.other}, []oidctest.User{
		{ID: "sub-marie", Username: idpUser, Password: idpPassword, Email: "marie@geneve.ch", Name: "Marie Curie"},
		{ID: "sub-paul", Username: "paul", Password: idpPassword, Email: "paul@geneve.ch", Name: "Paul Klee",
			Claims: map[string]any{"registre_role": "dpo", "registre_org": "geneve"}},
	})
	logs := &apitest.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := append([]register.Option{register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read), register.WithLogger(log)}, svcOpts...)
	svc := register.NewService(db.Store(), opts...)
	v, err := auth.NewVerifier(auth.VerifierConfig{Secret: []byte(apitest.Secret), Issuer: "registre", Audience: "registre", Leeway: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewHS256Signer([]byte(apitest.Secret), "registre", "registre")
	if err != nil {
		t.Fatal(err)
	}
	oc := office.OIDC{Issuer: s.idp.Issuer, ClientID: s.client.ID, ClientSecret: s.client.Secret, RedirectURL: s.client.RedirectURI}
	if claims {
		oc.RoleClaim, oc.OrgClaim = "registre_role", "registre_org"
	}
	if err := office.CheckOIDC(oc); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Service: svc, Verifier: v, Revoked: svc, Logger: log, Signer: signer, OIDC: oc})
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	s.Env = &apitest.Env{T: t, URL: hs.URL, DB: db, Service: svc, Server: srv, Signer: signer, Logs: logs,
		Client: &http.Client{Timeout: 30 * time.Second}}
	s.Seed("geneve")
	s.Must(201, "POST", "/api/v1/users", s.Token(auth.RoleAdmin, ""), map[string]any{
		"username": editorName, "password": password, "role": "editor", "org": "geneve", "units": []string{"etat-civil"}})
	return s
}

// begin starts a sign-in in b and returns the provider's authorization URL.
func (s *ssoEnv) begin(b *browser) *url.URL {
	s.T.Helper()
	a := b.must(http.StatusSeeOther, "GET", "/office/login/sso?next="+url.QueryEscape("/office/account"), nil)
	u, err := url.Parse(a.header.Get("Location"))
	if err != nil || !strings.HasPrefix(u.String(), s.idp.Issuer) {
		s.T.Fatalf("sign-in start sent to %q", a.header.Get("Location"))
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		s.T.Fatalf("authorization URL without PKCE, nonce or state: %s", u)
	}
	return u
}

// back follows the provider's redirect to the callback in b.
func (s *ssoEnv) back(b *browser, to *url.URL) answer {
	s.T.Helper()
	return b.do("GET", to.RequestURI(), nil)
}

func (s *ssoEnv) signInAt(b *browser, user string) (*url.URL, *url.URL) {
	s.T.Helper()
	auth := s.begin(b)
	to, err := s.idp.SignIn(auth.String(), user, idpPassword)
	if err != nil {
		s.T.Fatal(err)
	}
	return auth, to
}

func sessions(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	n, err := db.Bun().NewSelect().Table("sessions").Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestSingleSignOnThroughARealProvider: an unassigned person gets the
// "ask your administrator" page and no session; once an administrator
// assigns the subject, the next sign-in opens a session; claims, when
// configured, make the account themselves.
func TestSingleSignOnThroughARealProvider(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, false)
		b := newBrowser(t, s.Env)
		page := b.must(200, "GET", "/office/login?lang=en", nil)
		if !strings.Contains(page.body, "/office/login/sso") || !strings.Contains(page.body, `name="password"`) {
			t.Fatalf("sign-in page offers no single sign-on or no password form:\n%s", page.body)
		}
		_, to := s.signInAt(b, idpUser)
		a := s.back(b, to)
		if a.status != http.StatusForbidden || !strings.Contains(a.body, "sub-marie") || !strings.Contains(a.body, s.idp.Issuer) {
			t.Fatalf("unassigned: got %d\n%s", a.status, a.body)
		}
		if b.session() != nil || sessions(t, db) != 0 {
			t.Fatal("an unassigned person got a session")
		}
		if err := s.Service.AssignSubject(t.Context(), &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}, s.idp.Issuer, "sub-marie", editorName); err != nil {
			t.Fatal(err)
		}
		_, to = s.signInAt(b, idpUser)
		a = s.back(b, to)
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/office/account") || b.session() == nil {
			t.Fatalf("assigned: got %d %s\n%s", a.status, a.header.Get("Location"), a.body)
		}
		acc := b.must(200, "GET", "/office/account?lang=en", nil)
		if !strings.Contains(acc.body, editorName) {
			t.Fatalf("account page does not name the assigned account:\n%s", acc.body)
		}
		// The callback cannot be replayed: its state was used.
		if a := s.back(newBrowserWith(t, s.Env, b), to); a.status != http.StatusUnauthorized {
			t.Fatalf("replayed callback: got %d", a.status)
		}
	})
}

// newBrowserWith is a browser holding b's state cookie only (what a thief
// of b's cookie jar would have, without the session).
func newBrowserWith(t *testing.T, e *apitest.Env, b *browser) *browser {
	nb := newBrowser(t, e)
	for n, c := range b.cookies {
		if strings.HasSuffix(n, "registre_oidc") {
			nb.cookies[n] = c
		}
	}
	return nb
}

// TestSingleSignOnFromClaims: with the claims configured, a person whose
// ID token says "dpo of geneve" signs in as such without an assignment.
func TestSingleSignOnFromClaims(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, true)
		b := newBrowser(t, s.Env)
		_, to := s.signInAt(b, "paul")
		if a := s.back(b, to); a.status != http.StatusSeeOther || b.session() == nil {
			t.Fatalf("claims: got %d\n%s", a.status, a.body)
		}
		acc, _, err := db.Store().GetUser(t.Context(), "paul@geneve.ch")
		if err != nil || acc.Role != auth.RoleDPO || acc.Org != "geneve" {
			t.Fatalf("got %+v, %v", acc, err)
		}
		// marie has no role claim: no access.
		b2 := newBrowser(t, s.Env)
		_, to = s.signInAt(b2, idpUser)
		if a := s.back(b2, to); a.status != http.StatusForbidden || b2.session() != nil {
			t.Fatalf("no claims: got %d", a.status)
		}
	})
}

// TestSingleSignOnRefusals: real tokens from the real provider that are
// not for this sign-in are refused, and open no session: another client's
// (wrong audience), another sign-in's or none (wrong or missing nonce),
// and a state that is not this browser's or not ours.
func TestSingleSignOnRefusals(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, false)
		admin := &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}
		// marie is assigned, so that every refusal below would otherwise
		// have opened a session.
		b := newBrowser(t, s.Env)
		_, to := s.signInAt(b, idpUser)
		s.back(b, to)
		if err := s.Service.AssignSubject(t.Context(), admin, s.idp.Issuer, "sub-marie", editorName); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			// token returns the ID token the provider's token endpoint
			// will answer with instead of the right one ("" for none).
			token func(t *testing.T, nonce string) string
			// callback changes the URL the browser comes back with.
			callback func(to *url.URL, b *browser) (*url.URL, *browser)
			log      string
		}{
			{"ErrWrongAudience", func(t *testing.T, nonce string) string { return s.mint(t, s.other, nonce) }, nil, "audience"},
			{"ErrWrongNonce", func(t *testing.T, nonce string) string { return s.mint(t, s.client, "another-sign-in-nonce") }, nil, "reason=nonce"},
			{"ErrMissingNonce", func(t *testing.T, nonce string) string { return s.mint(t, s.client, "") }, nil, "reason=nonce"},
			{"ErrForgedState", nil, func(to *url.URL, b *browser) (*url.URL, *browser) {
				q := to.Query()
				q.Set("state", "forged-"+q.Get("state"))
				to.RawQuery = q.Encode()
				return to, b
			}, "state does not match"},
			{"ErrStateOfAnotherBrowser", nil, func(to *url.URL, b *browser) (*url.URL, *browser) {
				// The attacker's own sign-in, sent to the victim's browser.
				return to, newBrowser(t, s.Env)
			}, "state does not match"},
			{"ErrStateWithoutCookie", nil, func(to *url.URL, b *browser) (*url.URL, *browser) {
				for n := range b.cookies {
					if strings.HasSuffix(n, "registre_oidc") {
						delete(b.cookies, n)
					}
				}
				return to, b
			}, "state does not match"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				b := newBrowser(t, s.Env)
				auth := s.begin(b)
				if tc.token != nil {
					s.idp.SwapNextIDToken(tc.token(t, auth.Query().Get("nonce")))
				}
				to, err := s.idp.SignIn(auth.String(), idpUser, idpPassword)
				if err != nil {
					t.Fatal(err)
				}
				logins := countAudit(t, s, register.ActionLogin)
				if tc.callback != nil {
					to, b = tc.callback(to, b)
				}
				a := s.back(b, to)
				if a.status != http.StatusUnauthorized || !strings.Contains(a.body, "/office/login") {
					t.Fatalf("got %d\n%s", a.status, a.body)
				}
				if b.session() != nil || sessions(t, db) != 0 {
					t.Fatal("a refused sign-in opened a session")
				}
				if got := countAudit(t, s, register.ActionLogin); got != logins {
					t.Fatalf("a refused sign-in was audited as a login")
				}
				if !strings.Contains(s.Logs.String(), tc.log) {
					t.Fatalf("log does not say %q:\n%s", tc.log, s.Logs.String())
				}
			})
		}
		// And after all that, the right sign-in still works.
		b = newBrowser(t, s.Env)
		_, to = s.signInAt(b, idpUser)
		if a := s.back(b, to); a.status != http.StatusSeeOther || b.session() == nil {
			t.Fatalf("good sign-in after refusals: %d\n%s", a.status, a.body)
		}
	})
}

// mint obtains from the provider a real ID token for client c and nonce.
func (s *ssoEnv) mint(t *testing.T, c oidctest.Client, nonce string) string {
	t.Helper()
	tok, err := s.idp.IDToken(c, nonce, idpUser, idpPassword)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func countAudit(t *testing.T, s *ssoEnv, action string) int {
	t.Helper()
	_, n, err := s.Service.ListAudit(t.Context(), &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}, register.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLocalLoginOffHidesThePasswordForm: REGISTRE_LOCAL_LOGIN=off leaves
// only the provider, at the form and at the API.
func TestLocalLoginOffHidesThePasswordForm(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, false, register.WithLocalLogin(false))
		b := newBrowser(t, s.Env)
		page := b.must(200, "GET", "/office/login?lang=en", nil)
		if strings.Contains(page.body, `name="password"`) || !strings.Contains(page.body, "/office/login/sso") {
			t.Fatalf("local login off: the page still offers a password form, or no single sign-on:\n%s", page.body)
		}
		a := b.do("POST", "/office/login", url.Values{"csrf": {b.cookieValue("registre_login")}, "username": {editorName}, "password": {password}})
		if a.status != http.StatusForbidden || b.session() != nil {
			t.Fatalf("posted password with local login off: %d\n%s", a.status, a.body)
		}
		r := s.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": editorName, "password": password})
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "turned off") {
			t.Fatalf("API login with local login off: %d %s", r.Status, r.Body)
		}
	})
}

func (b *browser) cookieValue(suffix string) string {
	for n, c := range b.cookies {
		if strings.HasSuffix(n, suffix) {
			return c.Value
		}
	}
	return ""
}

// TestSingleSignOnStartsAreBoundedPerAddress: beginning a sign-in writes a
// row before anyone is known, so one address may begin only so many at
// once; past that it gets 429 with Retry-After and nothing is written.
func TestSingleSignOnStartsAreBoundedPerAddress(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, false)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		count := func() int {
			n, err := db.Bun().NewSelect().Table("oidc_logins").Count(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		const burst = 120
		for i := range burst + 5 {
			res, err := c.Get(s.URL + "/office/login/sso")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			switch {
			case i < burst && res.StatusCode != http.StatusSeeOther:
				t.Fatalf("start %d: %d, want 303", i, res.StatusCode)
			case i >= burst && (res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == ""):
				t.Fatalf("start %d: %d (Retry-After %q), want 429 with Retry-After", i, res.StatusCode, res.Header.Get("Retry-After"))
			}
		}
		if n := count(); n != burst {
			t.Fatalf("%d sign-ins stored, want %d", n, burst)
		}
	})
}
