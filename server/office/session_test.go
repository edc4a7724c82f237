package office_test

import (
	"crypto/tls"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

const (
	editorName = "eve@geneve.ch"
	password   = "Tr0ub4dor&3-horse-staple"
	password2  = "correct-Horse-battery-9-staple"
)

// setup changes how the test server is built.
type setup struct {
	svcOpts []register.Option
	cfg     func(*server.Config)
	tls     bool
}

// start serves the real server over db on 127.0.0.1 (over TLS if asked),
// with login tokens, and an organisation with an editor account.
func start(t *testing.T, db *sqlstore.DB, s setup) *apitest.Env {
	t.Helper()
	logs := &apitest.SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts := append([]register.Option{register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read), register.WithLogger(log)}, s.svcOpts...)
	svc := register.NewService(db.Store(), opts...)
	v, err := auth.NewVerifier(auth.VerifierConfig{Secret: []byte(apitest.Secret), Issuer: "registre", Audience: "registre", Leeway: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewHS256Signer([]byte(apitest.Secret), "registre", "registre")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Service: svc, Verifier: v, Revoked: svc, Logger: log, Signer: signer}
	if s.cfg != nil {
		s.cfg(&cfg)
	}
	srv := server.New(cfg)
	hs := httptest.NewUnstartedServer(srv)
	if s.tls {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(hs.Close)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // the test's own certificate
	e := &apitest.Env{T: t, URL: hs.URL, DB: db, Service: svc, Server: srv, Signer: signer, Logs: logs, Client: client}
	// Subtests serve the same database again: it is seeded once.
	if e.Do("GET", "/api/v1/organisations/geneve", e.Token(auth.RoleAdmin, ""), nil).Status == http.StatusOK {
		return e
	}
	e.Seed("geneve")
	e.Must(201, "POST", "/api/v1/users", e.Token(auth.RoleAdmin, ""), map[string]any{
		"username": editorName, "password": password, "role": "editor", "org": "geneve", "units": []string{"etat-civil"}})
	return e
}

// browser is a person's browser: its cookies, its headers, no redirects
// followed, so that each answer can be looked at.
type browser struct {
	t       *testing.T
	e       *apitest.Env
	host    string // the Host header, if not the URL's
	cookies map[string]*http.Cookie
	headers map[string]string // added to every request (a proxy's)
}

func newBrowser(t *testing.T, e *apitest.Env) *browser {
	return &browser{t: t, e: e, cookies: map[string]*http.Cookie{}, headers: map[string]string{}}
}

type answer struct {
	status int
	header http.Header
	body   string
	set    map[string]*http.Cookie // cookies set by this answer
}

// do sends a request like a browser's: same-origin headers on a POST
// unless extra says otherwise ("Name: value"; "Name:" deletes).
func (b *browser) do(method, path string, form url.Values, extra ...string) answer {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if b.host != "" {
		req.Host = b.host
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	for _, h := range extra {
		k, v, _ := strings.Cut(h, ":")
		if v = strings.TrimSpace(v); v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	client := *b.e.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: string(raw), set: map[string]*http.Cookie{}}
	if strings.Contains(a.body, "⟦") {
		b.t.Errorf("%s %s: a label is missing:\n%s", method, path, a.body)
	}
	for _, c := range resp.Cookies() {
		a.set[c.Name] = c
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return a
}

func (b *browser) must(want int, method, path string, form url.Values, extra ...string) answer {
	b.t.Helper()
	a := b.do(method, path, form, extra...)
	if a.status != want {
		b.t.Fatalf("%s %s: got %d, want %d\n%s", method, path, a.status, want, a.body)
	}
	return a
}

var hiddenRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// formToken returns the csrf field of the page's first form.
func formToken(t *testing.T, body string) string {
	t.Helper()
	m := hiddenRE.FindStringSubmatch(body)
	if m == nil || m[1] == "" {
		t.Fatalf("no form token in page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// signIn signs in through the sign-in page and returns the page's answer
// to the POST.
func (b *browser) signIn(user, pass, next string) answer {
	b.t.Helper()
	page := b.must(200, "GET", "/office/login?next="+url.QueryEscape(next), nil)
	return b.do("POST", "/office/login", url.Values{"csrf": {formToken(b.t, page.body)}, "username": {user}, "password": {pass}, "next": {next}})
}

// signedIn signs in and checks the redirect.
func (b *browser) signedIn(user, pass string) {
	b.t.Helper()
	if a := b.signIn(user, pass, ""); a.status != http.StatusSeeOther {
		b.t.Fatalf("sign in: %d\n%s", a.status, a.body)
	}
}

// sessionName is the session cookie the browser holds.
func (b *browser) session() *http.Cookie {
	for n, c := range b.cookies {
		if strings.HasSuffix(n, "registre_session") {
			return c
		}
	}
	return nil
}

// accountToken returns the form token of the account page.
func (b *browser) accountToken() string {
	b.t.Helper()
	return formToken(b.t, b.must(200, "GET", "/office/account", nil).body)
}

func TestSignInOpensSessionAndSignOutEndsItAtOnce(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{})
		b := newBrowser(t, e)

		b.must(200, "GET", "/office/login?lang=en&signedout=1", nil)
		a := b.must(303, "GET", "/office/", nil)
		if loc := a.header.Get("Location"); !strings.HasPrefix(loc, "/office/login?") || !strings.Contains(loc, "next=%2Foffice%2F") {
			t.Fatalf("no session: Location %q", loc)
		}
		wrong := b.signIn(editorName, "not-the-password-at-all", "/office/account")
		if wrong.status != http.StatusUnauthorized || !strings.Contains(wrong.body, `value="`+editorName+`"`) ||
			strings.Contains(wrong.body, "not-the-password-at-all") || !strings.Contains(wrong.body, `class="error-summary"`) {
			t.Fatalf("wrong password: %d, want 401 with the username kept, the password not echoed, an error summary:\n%s", wrong.status, wrong.body)
		}
		if b.session() != nil {
			t.Fatal("a failed sign-in set a session cookie")
		}
		empty := b.do("POST", "/office/login", url.Values{"csrf": {formToken(t, wrong.body)}, "username": {""}, "password": {""}})
		if empty.status != http.StatusUnprocessableEntity || !strings.Contains(empty.body, `href="#username"`) || !strings.Contains(empty.body, `href="#password"`) {
			t.Fatalf("empty form: %d, want 422 with both fields linked from the summary:\n%s", empty.status, empty.body)
		}

		ok := b.signIn(editorName, password, "/office/account")
		if ok.status != http.StatusSeeOther || ok.header.Get("Location") != "/office/account?lang=fr" {
			t.Fatalf("sign in: %d to %q", ok.status, ok.header.Get("Location"))
		}
		old := *b.session()
		home := b.must(200, "GET", "/office/", nil)
		if !strings.Contains(home.body, editorName) {
			t.Fatalf("the home page does not say who is signed in:\n%s", home.body)
		}
		b.must(200, "GET", "/office/account?lang=en&done=password", nil)
		acc := b.must(200, "GET", "/office/account", nil)
		for _, want := range []string{editorName, "geneve", "etat-civil", `autocomplete="current-password"`, `autocomplete="new-password"`} {
			if !strings.Contains(acc.body, want) {
				t.Errorf("account page lacks %q", want)
			}
		}
		if cc := acc.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("account page Cache-Control %q", cc)
		}

		out := b.must(303, "POST", "/office/logout", url.Values{"csrf": {formToken(t, acc.body)}})
		if loc := out.header.Get("Location"); loc != "/office/login?signedout=1&lang=fr" {
			t.Fatalf("sign out went to %q", loc)
		}
		if c := out.set[old.Name]; c == nil || c.MaxAge >= 0 {
			t.Fatalf("sign out did not clear the cookie: %+v", c)
		}
		if page := b.must(200, "GET", out.header.Get("Location"), nil); !strings.Contains(page.body, "déconnecté") {
			t.Errorf("no signed-out banner:\n%s", page.body)
		}
		// The old cookie, kept by someone, opens nothing any more.
		b.cookies[old.Name] = &old
		b.must(303, "GET", "/office/account", nil)

		// Signing in again with a live session (from a sign-in page
		// opened before) ends that session.
		page := b.must(200, "GET", "/office/login", nil)
		b.signedIn(editorName, password)
		first := *b.session()
		b.must(303, "GET", "/office/login", nil) // a live session: straight to the register
		// The tab opened before sign-in holds a spent token: refused,
		// with a fresh form; that one signs in anew.
		stale := b.must(403, "POST", "/office/login", url.Values{"csrf": {formToken(t, page.body)}, "username": {editorName}, "password": {password}})
		if !strings.Contains(stale.body, `value="`+editorName+`"`) {
			t.Errorf("the expired form lost the username")
		}
		again := b.do("POST", "/office/login", url.Values{"csrf": {formToken(t, stale.body)}, "username": {editorName}, "password": {password}})
		if again.status != http.StatusSeeOther || b.session().Value == first.Value {
			t.Fatalf("sign in again: %d", again.status)
		}
		b.must(200, "GET", "/office/", nil)
		b.cookies[first.Name] = &first
		b.must(303, "GET", "/office/", nil)
	})
}

func TestSessionCookieFlags(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		proxy := func(c *server.Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")} }
		publicHTTPS := func(c *server.Config) { c.PublicURL = "https://registre.example.ch" }
		cases := []struct {
			name    string
			s       setup
			host    string
			headers map[string]string
			secure  bool
		}{
			{"plain HTTP on a development machine", setup{}, "", nil, false},
			{"X-Forwarded-Proto from a peer that is not trusted", setup{}, "", map[string]string{"X-Forwarded-Proto": "https"}, false},
			{"trusted proxy that received HTTP", setup{cfg: proxy}, "", map[string]string{"X-Forwarded-Proto": "http"}, false},
			{"trusted proxy that received HTTPS", setup{cfg: proxy}, "", map[string]string{"X-Forwarded-Proto": "https"}, true},
			{"trusted proxy appending http to a client's https", setup{cfg: proxy}, "", map[string]string{"X-Forwarded-Proto": "https, http"}, false},
			{"https public URL", setup{cfg: publicHTTPS}, "registre.example.ch", nil, true},
			{"TLS on the listener", setup{tls: true}, "", nil, true},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e := start(t, db, tc.s)
				b := newBrowser(t, e)
				b.host = tc.host
				for k, v := range tc.headers {
					b.headers[k] = v
				}
				a := b.signIn(editorName, password, "")
				if a.status != http.StatusSeeOther {
					t.Fatalf("sign in: %d\n%s", a.status, a.body)
				}
				name, path := "registre_session", "/office/"
				if tc.secure {
					name, path = "__Host-registre_session", "/"
				}
				c := a.set[name]
				if c == nil {
					t.Fatalf("no cookie %s among %v", name, a.header.Values("Set-Cookie"))
				}
				if c.Path != path || c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Domain != "" {
					t.Fatalf("cookie %s: %s; want Path=%s Secure=%v HttpOnly SameSite=Lax, no Domain", name, a.header.Get("Set-Cookie"), path, tc.secure)
				}
				if len(a.set) != 2 { // the session's, and the sign-in token's cleared
					t.Errorf("cookies set: %v", a.header.Values("Set-Cookie"))
				}
				b.must(200, "GET", "/office/", nil)
			})
		}
	})
}

func TestForgedPostsAreRefused(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{})
		b := newBrowser(t, e)
		b.signedIn(editorName, password)
		token := b.accountToken()
		crossSite := []string{"Origin: https://evil.example", "Sec-Fetch-Site: cross-site"}
		noHeaders := []string{"Origin:", "Sec-Fetch-Site:"}
		change := url.Values{"current_password": {password}, "new_password": {password2}, "confirm_password": {password2}}
		withToken := func(v url.Values, tok string) url.Values {
			c := url.Values{}
			for k, vs := range v {
				c[k] = vs
			}
			if tok != "" {
				c.Set("csrf", tok)
			}
			return c
		}
		cases := []struct {
			name   string
			path   string
			form   url.Values
			header []string
		}{
			{"cross-site sign-out with the right token", "/office/logout", withToken(nil, token), crossSite},
			{"cross-site password change with the right token", "/office/account", withToken(change, token), crossSite},
			{"cross-site Origin only", "/office/logout", withToken(nil, token), []string{"Origin: https://evil.example", "Sec-Fetch-Site:"}},
			{"sign-out without browser headers nor token", "/office/logout", withToken(nil, ""), noHeaders},
			{"password change without browser headers nor token", "/office/account", withToken(change, ""), noHeaders},
			{"password change with another token", "/office/account", withToken(change, strings.Repeat("A", 43)), noHeaders},
			{"same-site sign-out without token", "/office/logout", withToken(nil, ""), nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				a := b.do("POST", tc.path, tc.form, tc.header...)
				if a.status != http.StatusForbidden || !strings.Contains(a.body, "<h1>") {
					t.Fatalf("got %d, want a 403 page:\n%s", a.status, a.body)
				}
				if len(a.set) != 0 {
					t.Fatalf("a refused request set cookies: %v", a.header.Values("Set-Cookie"))
				}
				b.must(200, "GET", "/office/", nil) // still signed in
			})
		}
		// Nothing changed: the password is the old one.
		other := newBrowser(t, e)
		other.signedIn(editorName, password)

		t.Run("sign-in form without its cookie-bound token", func(t *testing.T) {
			c := newBrowser(t, e)
			page := c.must(200, "GET", "/office/login", nil)
			form := url.Values{"csrf": {formToken(t, page.body)}, "username": {editorName}, "password": {password}}
			// A page elsewhere posts the victim's browser its own token
			// but cannot set the cookie that goes with it.
			fresh := newBrowser(t, e)
			if a := fresh.do("POST", "/office/login", form, noHeaders...); a.status != http.StatusForbidden || fresh.session() != nil {
				t.Fatalf("login without the token's cookie: %d, session %v", a.status, fresh.session())
			}
			if a := fresh.do("POST", "/office/login", form, crossSite...); a.status != http.StatusForbidden || fresh.session() != nil {
				t.Fatalf("cross-site login: %d", a.status)
			}
			if a := c.do("POST", "/office/login", form, crossSite...); a.status != http.StatusForbidden || c.session() != nil {
				t.Fatalf("cross-site login with the right cookie: %d", a.status)
			}
			if a := c.do("POST", "/office/login", form, noHeaders...); a.status != http.StatusSeeOther || c.session() == nil {
				t.Fatalf("login with token and cookie, no browser headers: %d", a.status)
			}
		})
		t.Run("with the token and same-origin headers", func(t *testing.T) {
			b.must(303, "POST", "/office/logout", url.Values{"csrf": {token}}, "Origin: "+e.URL)
			b.must(303, "GET", "/office/", nil)
		})
	})
}

func TestNextStaysInTheBackOffice(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{})
		cases := []struct{ next, want string }{
			{"/office/account", "/office/account?lang=fr"},
			{"/office/?view=mine&lang=en", "/office/?view=mine&lang=fr"},
			{"//evil.example/office/", "/office/?lang=fr"},
			{"/\\evil.example", "/office/?lang=fr"},
			{"/office/\\/evil.example", "/office/?lang=fr"},
			{"https://evil.example/office/", "/office/?lang=fr"},
			{"%2F%2Fevil.example", "/office/?lang=fr"},
			{"/%2F%2Fevil.example", "/office/?lang=fr"},
			{"/office//evil.example", "/office/?lang=fr"},
			{"/office/../admin", "/office/?lang=fr"},
			{"/office/%2e%2e/x", "/office/?lang=fr"},
			{"/\tevil.example", "/office/?lang=fr"},
			{"/office/\r\nLocation: https://evil.example", "/office/?lang=fr"},
			{"javascript:alert(1)", "/office/?lang=fr"},
			{"", "/office/?lang=fr"},
		}
		for _, tc := range cases {
			t.Run(tc.next, func(t *testing.T) {
				b := newBrowser(t, e)
				a := b.signIn(editorName, password, tc.next)
				if a.status != http.StatusSeeOther || a.header.Get("Location") != tc.want {
					t.Fatalf("next %q: %d to %q, want %q", tc.next, a.status, a.header.Get("Location"), tc.want)
				}
			})
		}
	})
}

func TestLoginThrottlingIsSharedWithTheAPI(t *testing.T) {
	// Failures are kept in the database too (shared by instances): each
	// case has databases of its own.
	l := server.Limit{Free: 1, Burst: 3, Decay: time.Hour, Delay: time.Millisecond, MaxDelay: time.Millisecond}
	limits := func(c *server.Config) { c.LoginLimits = server.LoginLimits{Account: l, Address: l, MaxEntries: 100} }
	apiFail := func(e *apitest.Env) int {
		return e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": editorName, "password": "wrong-wrong-wrong"}).Status
	}
	t.Run("API failures count at the back office", func(t *testing.T) {
		dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
			e := start(t, db, setup{cfg: limits})
			for i := range 3 {
				if s := apiFail(e); s != http.StatusUnauthorized {
					t.Fatalf("API failure %d: %d", i, s)
				}
			}
			b := newBrowser(t, e)
			a := b.signIn(editorName, password, "")
			if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, "<h1>") || b.session() != nil {
				t.Fatalf("after 3 API failures, back-office sign-in: %d Retry-After %q; want a 429 page", a.status, a.header.Get("Retry-After"))
			}
		})
	})
	t.Run("back-office failures count at the API", func(t *testing.T) {
		dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
			e := start(t, db, setup{cfg: limits})
			b := newBrowser(t, e)
			for i := range 3 {
				if a := b.signIn(editorName, "wrong-wrong-wrong", ""); a.status != http.StatusUnauthorized {
					t.Fatalf("back-office failure %d: %d", i, a.status)
				}
			}
			r := e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": editorName, "password": password})
			if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
				t.Fatalf("after 3 back-office failures, API login: %d", r.Status)
			}
		})
	})
	t.Run("a signed-in session guesses no faster through the password form", func(t *testing.T) {
		dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
			e := start(t, db, setup{cfg: limits})
			b := newBrowser(t, e)
			b.signedIn(editorName, password)
			token := b.accountToken()
			guess := func(i int) answer {
				return b.do("POST", "/office/account", url.Values{"csrf": {token},
					"current_password": {fmt.Sprintf("guess-%d-of-the-password", i)}, "new_password": {password2}, "confirm_password": {password2}})
			}
			for i := range 3 {
				if a := guess(i); a.status != http.StatusUnprocessableEntity {
					t.Fatalf("guess %d: %d", i, a.status)
				}
			}
			a := guess(3)
			if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" || !strings.Contains(a.body, `class="error-summary"`) {
				t.Fatalf("4th guess: %d, want the account page with 429 and Retry-After:\n%s", a.status, a.body)
			}
			if r := e.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": editorName, "password": password}); r.Status != http.StatusTooManyRequests {
				t.Fatalf("API login after 4 guesses through the form: %d", r.Status)
			}
		})
	})
}

func TestAccountDeletionEndsItsSessionsAtOnce(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{})
		b := newBrowser(t, e)
		b.signedIn(editorName, password)
		b.must(200, "GET", "/office/", nil)
		e.Must(204, "DELETE", "/api/v1/users/"+editorName, e.Token(auth.RoleAdmin, ""), nil)
		a := b.must(303, "GET", "/office/", nil)
		if !strings.Contains(a.header.Get("Location"), "ended=1") {
			t.Errorf("Location %q does not say the session ended", a.header.Get("Location"))
		}
	})
}

func TestPasswordChangeEndsTheOtherSessionsOnly(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{})
		here, there := newBrowser(t, e), newBrowser(t, e)
		here.signedIn(editorName, password)
		there.signedIn(editorName, password)
		token := here.accountToken()

		bad := here.do("POST", "/office/account", url.Values{"csrf": {token},
			"current_password": {"not-my-password-at-all"}, "new_password": {password2}, "confirm_password": {password2 + "x"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `href="#confirm_password"`) || strings.Contains(bad.body, password2) {
			t.Fatalf("mismatched confirmation: %d\n%s", bad.status, bad.body)
		}
		wrong := here.do("POST", "/office/account", url.Values{"csrf": {token},
			"current_password": {"not-my-password-at-all"}, "new_password": {password2}, "confirm_password": {password2}})
		if wrong.status != http.StatusUnprocessableEntity || !strings.Contains(wrong.body, `href="#current_password"`) {
			t.Fatalf("wrong current password: %d\n%s", wrong.status, wrong.body)
		}
		ok := here.must(303, "POST", "/office/account", url.Values{"csrf": {token},
			"current_password": {password}, "new_password": {password2}, "confirm_password": {password2}})
		if loc := ok.header.Get("Location"); loc != "/office/account?done=password&lang=fr" {
			t.Fatalf("after the change: %q", loc)
		}
		if page := here.must(200, "GET", ok.header.Get("Location"), nil); !strings.Contains(page.body, `role="status"`) {
			t.Errorf("no banner after the change")
		}
		there.must(303, "GET", "/office/", nil)
		if a := newBrowser(t, e).signIn(editorName, password, ""); a.status != http.StatusUnauthorized {
			t.Errorf("old password still signs in: %d", a.status)
		}
		newBrowser(t, e).signedIn(editorName, password2)
	})
}

func TestBearerTokenNeverOpensASessionNorASessionTheAPI(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{})
		r := e.Must(200, "POST", "/api/v1/auth/login", "", map[string]string{"username": editorName, "password": password})
		bearer := r.Map(t)["token"].(string)
		b := newBrowser(t, e)
		for _, path := range []string{"/office/", "/office/account"} {
			if a := b.do("GET", path, nil, "Authorization: Bearer "+bearer); a.status != http.StatusSeeOther || len(a.set) != 0 {
				t.Errorf("GET %s with a bearer token: %d, cookies %v", path, a.status, a.header.Values("Set-Cookie"))
			}
		}
		b.signedIn(editorName, password)
		c := b.session()
		for _, path := range []string{"/api/v1/processings", "/api/v1/auth/logout"} {
			method := "GET"
			if strings.HasSuffix(path, "logout") {
				method = "POST"
			}
			resp := e.Do(method, path, "", nil, "Cookie: "+c.Name+"="+c.Value)
			if resp.Status != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") {
				t.Errorf("%s %s with the session cookie: %d %s", method, path, resp.Status, resp.Body)
			}
		}
		b.must(200, "GET", "/office/", nil)
	})
}
