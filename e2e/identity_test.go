package e2e_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/internal/oidctest"
	"github.com/registre/registre/sqlstore"
)

// TestIdentityInBrowser runs single sign-on and the administration in
// headless Chromium, once per database, against a real OpenID provider
// started on 127.0.0.1: a person the register does not know signs in at
// the provider and gets the "ask your administrator" page; an
// administrator assigns them an account, and their next sign-in opens a
// session; the administrator disables that account, and its session and
// API token end at once. Every new page kind passes axe-core's WCAG 2.2
// A/AA rules at 1280 and 375 px and does not scroll sideways at 320 px
// nor at 200 % zoom. Real, validly signed ID tokens that are not for this
// sign-in (another client's, another nonce's, none) and a forged state are
// refused in the browser and open no session (in more cases over plain
// HTTP: server/office/oidc_http_test.go).
func TestIdentityInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	shots := os.Getenv(envScreenshots)
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		start := time.Now()
		f := e2e.StartIdentity(t, db)
		ctx := startBrowser(t, chrome)
		person := &officeBrowser{t: t, ctx: ctx, env: f.Env, axe: string(axe), shots: shots}
		// The administrator has a browser of their own (its own cookies).
		actx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		admin := &officeBrowser{t: t, ctx: actx, env: f.Env, axe: string(axe), shots: shots}

		// The sign-in page offers the provider; the unknown person is
		// sent to their administrator, without a session.
		person.ssoSignIn(f)
		if facts := person.facts(); !strings.HasPrefix(facts.Location, "/office/login/callback") || facts.Title == "" {
			t.Fatalf("unassigned: at %+v", facts)
		}
		text := person.pageText()
		if !strings.Contains(text, f.IdPSubject) || !strings.Contains(text, "administrat") {
			t.Fatalf("the ask-your-administrator page does not name the subject:\n%s", text)
		}
		person.checkHere("sso-unassigned", "fr")
		person.open("/office/?lang=fr", 200)
		if loc := person.facts().Location; !strings.HasPrefix(loc, "/office/login") {
			t.Fatalf("an unassigned person reached %s", loc)
		}

		// The administrator assigns the subject to the editor's account.
		admin.signIn(f.Admin, f.Password)
		// The administrator's list of every organisation names each
		// record's organisation in a column of its own.
		f.Env.Must(201, "POST", "/api/v1/processings", f.Env.Token(auth.RoleDPO, f.Org), apitest.Complete("etat-civil", "Registre des naissances"))
		admin.checkPage("/office/?lang=en", "en", 200, "list-every-organisation")
		if text := admin.pageText(); !strings.Contains(text, "Organisation") {
			t.Fatalf("the list of every organisation has no organisation column:\n%s", text)
		}
		admin.open("/office/admin/subjects?lang=fr", 200)
		if err := chromedp.Do(actx, chromedp.SetValue(chromedp.ID("username-0"), f.Editor)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(actx, chromedp.Click(chromedp.CSS(`button[name=do][value=assign]`))); err != nil {
			t.Fatal(err)
		}
		if loc := admin.facts().Location; !strings.Contains(loc, "done=assign") {
			t.Fatalf("assign: at %s\n%s", loc, admin.pageText())
		}

		// The next sign-in through the provider opens a session.
		person.ssoSignIn(f)
		if loc := person.facts().Location; !strings.HasPrefix(loc, "/office/") || strings.HasPrefix(loc, "/office/login") {
			t.Fatalf("assigned sign-in: at %s\n%s", loc, person.pageText())
		}
		if text := person.pageText(); !strings.Contains(text, f.Editor) {
			t.Fatalf("signed in, but not as %s:\n%s", f.Editor, text)
		}
		// A session is open; the refusals below must not open another
		// one nor keep this one: each starts from a signed-out browser.
		person.refusals(f)

		api := f.Env.WithT(t)
		var tok struct {
			Token string `json:"token"`
		}
		api.Must(200, "POST", "/api/v1/auth/login", "", map[string]string{"username": f.Editor, "password": f.Password}).JSON(t, &tok)
		api.Must(200, "GET", "/api/v1/processings", tok.Token, nil)
		sessions := admin.withT(t)
		sessions.open("/office/admin/sessions?lang=fr", 200)
		if !strings.Contains(sessions.pageText(), f.Editor) {
			t.Fatalf("the sessions page does not show %s", f.Editor)
		}

		// The administrator disables the account: its session and its
		// token end at once.
		admin.open("/office/admin/accounts/"+f.Editor+"?lang=fr", 200)
		if _, err := chromedp.RunResponse(actx, chromedp.Click(chromedp.CSS(`form input[name=do][value=disable] ~ button`))); err != nil {
			t.Fatal(err)
		}
		if loc := admin.facts().Location; !strings.Contains(loc, "done=disable") {
			t.Fatalf("disable: at %s\n%s", loc, admin.pageText())
		}
		person.open("/office/?lang=fr", 200)
		if loc := person.facts().Location; !strings.HasPrefix(loc, "/office/login") {
			t.Fatalf("the disabled account's session still reaches %s", loc)
		}
		api.Must(401, "GET", "/api/v1/processings", tok.Token, nil)
		person.ssoSignIn(f)
		if text := person.pageText(); !strings.Contains(text, "désactivé") {
			t.Fatalf("a disabled account signing in through the provider:\n%s", text)
		}
		person.checkHere("sso-disabled", "fr")
		t.Logf("flow: %v", time.Since(start))

		// Every new page kind, each in one language, at every width. The
		// pages are drawn by the same code whichever the database, and the
		// sweep costs half a minute: it runs on one (the flows above run on
		// both).
		if !strings.HasSuffix(t.Name(), "/sqlite") {
			return
		}
		start = time.Now()
		kinds := []struct {
			name, path string
			status     int64
		}{
			{"admin-home", "/office/admin/", 200},
			{"admin-orgs", "/office/admin/organisations", 200},
			{"admin-org", "/office/admin/organisations/" + f.Org, 200},
			{"admin-accounts", "/office/admin/accounts", 200},
			{"admin-account-new", "/office/admin/accounts/new", 200},
			{"admin-account", "/office/admin/accounts/" + f.Editor + "?done=disable", 200},
			{"admin-account-delete", "/office/admin/accounts/" + f.Editor + "?confirm=delete", 200},
			{"admin-subjects", "/office/admin/subjects?done=assign", 200},
			{"admin-sessions", "/office/admin/sessions", 200},
			{"audit", "/office/audit", 200},
			{"audit-filtered", "/office/audit?what=user.disable&target=user%2F" + f.Editor, 200},
		}
		for i, k := range kinds {
			lang := []string{"fr", "en"}[i%2]
			t.Run(k.name+"/"+lang, func(t *testing.T) {
				admin.withT(t).checkPage(withLang(k.path, lang), lang, k.status, k.name)
			})
		}
		t.Run("login-sso/fr", func(t *testing.T) {
			person.withT(t).checkPage("/office/login?lang=fr", "fr", 200, "login-sso")
		})
		t.Run("sso-failed/en", func(t *testing.T) {
			person.withT(t).checkPage("/office/login/callback?state=forged&code=x&lang=en", "en", 401, "sso-failed")
		})
		// The answers of forms: errors shown again, the one-time password.
		t.Run("admin-account-new-errors/en", func(t *testing.T) {
			b := admin.withT(t)
			b.open("/office/admin/accounts/new?lang=en", 200)
			if err := chromedp.Do(actx, chromedp.SendKeys(chromedp.ID("username"), "Pas Valable"), chromedp.SendKeys(chromedp.ID("email"), "pas-une-adresse")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.RunResponse(actx, chromedp.Submit(chromedp.ID("username"))); err != nil {
				t.Fatal(err)
			}
			b.checkHere("admin-account-new-errors", "en")
		})
		t.Run("admin-password/fr", func(t *testing.T) {
			b := admin.withT(t)
			b.open("/office/admin/accounts/new?lang=fr", 200)
			if err := chromedp.Do(actx, chromedp.SendKeys(chromedp.ID("username"), "nadia.nouvelle"), chromedp.SetValue(chromedp.ID("org"), f.Org)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.RunResponse(actx, chromedp.Submit(chromedp.ID("username"))); err != nil {
				t.Fatal(err)
			}
			if text := b.pageText(); !strings.Contains(text, "nadia.nouvelle") || !strings.Contains(text, "une fois") {
				t.Fatalf("no one-time password page:\n%s", text)
			}
			b.checkHere("admin-password", "fr")
		})
		t.Logf("page kinds: %v", time.Since(start))
	})
}

// ssoSignIn follows the sign-in page's link to the provider and signs in
// there as the fixture's person.
func (b *officeBrowser) ssoSignIn(f *e2e.IdentityFixture) {
	b.t.Helper()
	b.open("/office/login?lang=fr", 200)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`a[href*="/office/login/sso"]`))); err != nil {
		b.t.Fatalf("to the provider: %v", err)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), f.IdPUser),
		chromedp.SendKeys(chromedp.ID("password"), f.IdPPassword),
	); err != nil {
		b.t.Fatalf("the provider's login page: %v", err)
	}
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Submit(chromedp.ID("password"))); err != nil {
		b.t.Fatalf("sign in at the provider: %v", err)
	}
}

// refusals signs the person out, then tries sign-ins that must each be
// refused with the refusal page and no session: the provider answers with
// a real ID token minted for another client, for another sign-in's nonce,
// or with no nonce; and a callback whose state was forged. Then the right
// sign-in works again.
func (b *officeBrowser) refusals(f *e2e.IdentityFixture) {
	b.t.Helper()
	mint := func(c oidctest.Client, nonce string) string {
		tok, err := f.IdP.IDToken(c, nonce, f.IdPUser, f.IdPPassword)
		if err != nil {
			b.t.Fatal(err)
		}
		return tok
	}
	refused := func(what string) {
		b.t.Helper()
		if text := b.pageText(); !strings.Contains(text, "n’a pas pu être vérifiée") {
			b.t.Fatalf("%s: not the refusal page:\n%s", what, text)
		}
		b.open("/office/?lang=fr", 200)
		if loc := b.facts().Location; !strings.HasPrefix(loc, "/office/login") {
			b.t.Fatalf("%s: a refused sign-in reached %s", what, loc)
		}
	}
	b.signOut()
	for _, tc := range []struct{ name, token string }{
		{"wrong audience", mint(f.Other, "")},
		{"wrong nonce", mint(f.Client, "le-nonce-d-une-autre-connexion")},
		{"missing nonce", mint(f.Client, "")},
	} {
		f.IdP.SwapNextIDToken(tc.token)
		b.ssoSignIn(f)
		refused(tc.name)
	}
	b.open("/office/login/callback?state=forged&code=forged&lang=fr", 401)
	refused("forged state")
	b.ssoSignIn(f)
	if loc := b.facts().Location; !strings.HasPrefix(loc, "/office/") || strings.HasPrefix(loc, "/office/login") {
		b.t.Fatalf("the right sign-in after the refusals: at %s\n%s", loc, b.pageText())
	}
}

// pageText is the page's visible text.
func (b *officeBrowser) pageText() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}
