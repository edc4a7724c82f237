package office_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func TestIdleSessionSendsToSignInAndBack(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := start(t, db, setup{svcOpts: []register.Option{register.WithSessionTimeouts(time.Second, time.Hour)}})
		b := newBrowser(t, e)
		b.signedIn(editorName, password)
		token := b.accountToken()
		time.Sleep(1200 * time.Millisecond)
		stale := *b.session()

		post := b.do("POST", "/office/account", url.Values{"csrf": {token},
			"current_password": {password}, "new_password": {password2}, "confirm_password": {password2}})
		if post.status != http.StatusUnauthorized || !strings.Contains(post.body, `name="next" value="/office/account"`) ||
			!strings.Contains(post.body, `action="/office/login"`) {
			t.Fatalf("POST after idle: %d, want the sign-in page leading back to the form:\n%s", post.status, post.body)
		}
		b.cookies[stale.Name] = &stale
		out := b.must(303, "POST", "/office/logout", url.Values{"csrf": {token}})
		if loc := out.header.Get("Location"); loc != "/office/login?signedout=1&lang=fr" {
			t.Fatalf("sign-out after idle: Location %q", loc)
		}
		b.cookies[stale.Name] = &stale
		get := b.must(303, "GET", "/office/account?lang=en", nil)
		if loc := get.header.Get("Location"); loc != "/office/login?ended=1&next=%2Foffice%2Faccount%3Flang%3Den&lang=en" {
			t.Fatalf("GET after idle: Location %q", loc)
		}
		back := b.signIn(editorName, password, "/office/account?lang=en")
		if back.header.Get("Location") != "/office/account?lang=fr" && back.header.Get("Location") != "/office/account?lang=en" {
			t.Fatalf("sign in again: %q", back.header.Get("Location"))
		}
		// The password was not changed by the refused POST.
		newBrowser(t, e).signedIn(editorName, password)
	})
}
