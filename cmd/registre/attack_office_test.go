package main

// The back office's sign-in under attack (issue 15): forged posts from
// other sites, forged and stolen cookies, bodies too large, guessing
// through the form and the API in turn, against a `registre serve`
// subprocess. The back office answers HTML pages, not problem+json: each
// test checks the status, that the answer is a page (or a redirect to
// sign-in), and that nothing was written.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// officeBrowser is a browser signed in (or not) to the back office of tg.
type officeBrowser struct {
	tg      *target
	cookies []*http.Cookie
}

// officeSend sends a request with the browser's cookies, following no
// redirect, and keeps the cookies the answer sets.
func (b *officeBrowser) officeSend(method, path string, form url.Values, header map[string]string) (*http.Response, string) {
	tg := b.tg
	tg.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, tg.base+path, body)
	if err != nil {
		tg.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	client := *tg.http
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	for _, c := range resp.Cookies() {
		kept := b.cookies[:0]
		for _, o := range b.cookies {
			if o.Name != c.Name {
				kept = append(kept, o)
			}
		}
		b.cookies = kept
		if c.MaxAge >= 0 {
			b.cookies = append(b.cookies, &http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return resp, string(raw)
}

var officeTokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *officeBrowser) formToken(page string) string {
	b.tg.t.Helper()
	m := officeTokenRE.FindStringSubmatch(page)
	if m == nil {
		b.tg.t.Fatalf("no form token in:\n%s", truncate([]byte(page), 2000))
	}
	return m[1]
}

// officeSignIn signs in through the form; header is added to the POST.
func (b *officeBrowser) officeSignIn(user, pass string, header map[string]string) *http.Response {
	b.tg.t.Helper()
	_, page := b.officeSend("GET", "/office/login", nil, nil)
	resp, _ := b.officeSend("POST", "/office/login", url.Values{"csrf": {b.formToken(page)}, "username": {user}, "password": {pass}}, header)
	return resp
}

func (b *officeBrowser) session() *http.Cookie {
	for _, c := range b.cookies {
		if strings.HasSuffix(c.Name, "registre_session") {
			return c
		}
	}
	return nil
}

// isPage checks that an answer is one of the back office's HTML pages.
func isPage(t *testing.T, resp *http.Response, body string, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: got %d, want %d\n%s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, truncate([]byte(body), 600))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(body, "<h1>") {
		t.Fatalf("content type %q, want an HTML page: %s", ct, truncate([]byte(body), 300))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
}

func TestAttackOfficeForgeries(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		tg.addUser("dpo@ville-a.ch")
		b := &officeBrowser{tg: tg}
		if resp := b.officeSignIn("dpo@ville-a.ch", ownerPassword, nil); resp.StatusCode != http.StatusSeeOther || b.session() == nil {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		_, acc := b.officeSend("GET", "/office/account", nil, nil)
		token := b.formToken(acc)
		change := url.Values{"csrf": {token}, "current_password": {ownerPassword}, "new_password": {"an-0ther-long-pass-phrase"}, "confirm_password": {"an-0ther-long-pass-phrase"}}
		noToken := url.Values{"current_password": {ownerPassword}, "new_password": {"an-0ther-long-pass-phrase"}, "confirm_password": {"an-0ther-long-pass-phrase"}}
		crossSite := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
		before := tg.auditEntries()
		cases := []struct {
			name   string
			path   string
			form   url.Values
			header map[string]string
		}{
			{"cross-site password change", "/office/account", change, crossSite},
			{"cross-site sign-out", "/office/logout", url.Values{"csrf": {token}}, crossSite},
			{"same-site request from a sibling origin", "/office/logout", url.Values{"csrf": {token}}, map[string]string{"Origin": "http://evil.localhost", "Sec-Fetch-Site": "same-site"}},
			{"password change without headers nor token", "/office/account", noToken, nil},
			{"sign-out without headers nor token", "/office/logout", url.Values{}, nil},
			{"token of another length", "/office/logout", url.Values{"csrf": {token + "x"}}, nil},
			{"token twice, the first wrong", "/office/logout", url.Values{"csrf": {"x", token}}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, body := b.officeSend("POST", c.path, c.form, c.header)
				isPage(t, resp, body, http.StatusForbidden)
				if r, _ := b.officeSend("GET", "/office/", nil, nil); r.StatusCode != http.StatusOK {
					t.Fatalf("the forged post ended the session: %d", r.StatusCode)
				}
			})
		}
		tg.wroteNothing(before)

		t.Run("forged and stolen cookies", func(t *testing.T) {
			before := tg.auditEntries()
			for _, v := range []string{"x", strings.Repeat("A", 43), strings.Repeat("é", 2000), b.session().Value + "A", "' OR 1=1 --"} {
				forged := &officeBrowser{tg: tg, cookies: []*http.Cookie{{Name: "registre_session", Value: url.QueryEscape(v)}}}
				resp, _ := forged.officeSend("GET", "/office/account", nil, nil)
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/office/login?") {
					t.Fatalf("forged cookie %.20q: %d %s", v, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
			// The real cookie on the API is nothing; a bearer token on the
			// back office is nothing.
			resp, body := tg.send(request{method: "GET", path: "/api/v1/processings", header: map[string]string{"Cookie": "registre_session=" + b.session().Value}})
			problemOf(t, resp, []byte(body), http.StatusUnauthorized)
			bearer := &officeBrowser{tg: tg}
			if r, _ := bearer.officeSend("GET", "/office/", nil, map[string]string{"Authorization": "Bearer " + tg.admin()}); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("bearer token on the back office: %d", r.StatusCode)
			}
			tg.wroteNothing(before)
		})

		t.Run("bodies too large or too many", func(t *testing.T) {
			before := tg.auditEntries()
			huge := url.Values{"csrf": {token}, "x": {strings.Repeat("a", 2<<20)}}
			resp, body := b.officeSend("POST", "/office/logout", huge, nil)
			isPage(t, resp, body, http.StatusRequestEntityTooLarge)
			many := url.Values{"csrf": {token}}
			for i := range 2000 {
				many.Set(fmt.Sprint("f", i), "v")
			}
			resp, body = b.officeSend("POST", "/office/account", many, nil)
			isPage(t, resp, body, http.StatusBadRequest)
			anon := &officeBrowser{tg: tg}
			resp, body = anon.officeSend("POST", "/office/login", huge, nil)
			isPage(t, resp, body, http.StatusRequestEntityTooLarge)
			tg.wroteNothing(before)
		})
	})
}

// TestAttackOfficeGuessing guesses a password through the sign-in form from
// one address, then through the API: the same guard refuses both, and the
// owner still signs in from another address.
func TestAttackOfficeGuessing(t *testing.T) {
	eachTarget(t, behindProxy, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		tg.addUser("dpo@ville-a.ch")
		before := tg.auditEntries()
		from := map[string]string{"X-Forwarded-For": "203.0.113.7"}
		guesser := &officeBrowser{tg: tg}
		refusedAt := 0
		for i := 1; i <= 40 && refusedAt == 0; i++ {
			resp := guesser.officeSignIn("dpo@ville-a.ch", fmt.Sprintf("guess-%02d-wrong-password", i), from)
			switch resp.StatusCode {
			case http.StatusUnauthorized:
			case http.StatusTooManyRequests:
				if resp.Header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				refusedAt = i
			default:
				t.Fatalf("guess %d: %d", i, resp.StatusCode)
			}
		}
		if refusedAt == 0 {
			t.Fatal("40 guesses through the form were never refused")
		}
		t.Logf("the form refused guesses from the %dth", refusedAt)
		status, _, _ := tg.loginFrom(tg.http, "203.0.113.7", bytes.NewReader(loginBody("dpo@ville-a.ch", ownerPassword)), int64(len(loginBody("dpo@ville-a.ch", ownerPassword))))
		if status != http.StatusTooManyRequests {
			t.Fatalf("API login from the guesser's address: %d, want 429", status)
		}
		tg.wroteNothing(before)
		owner := &officeBrowser{tg: tg}
		if resp := owner.officeSignIn("dpo@ville-a.ch", ownerPassword, map[string]string{"X-Forwarded-For": "198.51.100.20"}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the owner, from elsewhere: %d", resp.StatusCode)
		}
	})
}
