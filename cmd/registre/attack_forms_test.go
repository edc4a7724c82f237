package main

// The back office's forms under attack (issue 16): crafted section forms
// (rows beyond the domain's bound, odd indexes, no or a stale revision,
// unknown actions and sections), forged posts, bodies too large, another
// organisation's record, and forged inputs carried through sign-in,
// against a `registre serve` subprocess. Each answer is an HTML page of
// the right status, and nothing is written.

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var formRevisionRE = regexp.MustCompile(`name="revision" value="(\d+)"`)

func TestAttackOfficeForms(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		id := tg.seed("ville-a")
		other := tg.seed("ville-b")
		tg.addUser("dpo@ville-a.ch")
		b := &officeBrowser{tg: tg}
		if resp := b.officeSignIn("dpo@ville-a.ch", ownerPassword, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		path := "/office/processings/" + id + "/edit/legal"
		_, page := b.officeSend("GET", path, nil, nil)
		token := b.formToken(page)
		m := formRevisionRE.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no revision in the form:\n%s", truncate([]byte(page), 600))
		}
		rev := m[1]
		form := func(extra ...string) url.Values {
			v := url.Values{"csrf": {token}, "revision": {rev}, "do": {"save"}}
			for i := 0; i+1 < len(extra); i += 2 {
				v.Set(extra[i], extra[i+1])
			}
			return v
		}
		many := form()
		for i := range 2000 {
			many.Set(fmt.Sprint("legal_bases.0.f", i), "v")
		}
		before := tg.auditEntries()
		cases := []struct {
			name   string
			path   string
			form   url.Values
			header map[string]string
			want   int
		}{
			{"a row beyond the domain's bound", path, form("legal_bases.30.type", "law"), nil, http.StatusUnprocessableEntity},
			{"a row index written oddly", path, form("legal_bases.007.type", "law"), nil, http.StatusUnprocessableEntity},
			{"a huge row index", path, form("legal_bases.99999999999999999999.type", "law"), nil, http.StatusUnprocessableEntity},
			{"add beyond the bound", path, func() url.Values {
				v := form("do", "add:legal_bases")
				for i := range 30 {
					v.Set(fmt.Sprint("legal_bases.", i, ".type"), "law")
				}
				return v
			}(), nil, http.StatusUnprocessableEntity},
			{"no revision", path, url.Values{"csrf": {token}, "do": {"save"}}, nil, http.StatusUnprocessableEntity},
			{"a revision that is no number", path, form("revision", "1 OR 1=1"), nil, http.StatusUnprocessableEntity},
			{"a stale revision", path, form("revision", "1", "legal_bases.0.type", "law"), nil, http.StatusConflict},
			{"an unknown action", path, form("do", "drop:everything"), nil, http.StatusUnprocessableEntity},
			{"remove a row of another group", path, form("do", "remove:title.0"), nil, http.StatusUnprocessableEntity},
			{"an unknown section", "/office/processings/" + id + "/edit/nosuch", form(), nil, http.StatusNotFound},
			{"another organisation's record", "/office/processings/" + other + "/edit/legal", form("legal_bases.0.type", "law"), nil, http.StatusNotFound},
			{"cross-site save", path, form("legal_bases.0.type", "law"), map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
			{"save without the form token", path, url.Values{"revision": {rev}, "legal_bases.0.type": {"law"}}, nil, http.StatusForbidden},
			{"a body too large", path, form("legal_bases.0.reference", strings.Repeat("a", 2<<20)), nil, http.StatusRequestEntityTooLarge},
			{"too many fields", path, many, nil, http.StatusBadRequest},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, body := b.officeSend("POST", c.path, c.form, c.header)
				isPage(t, resp, body, c.want)
			})
		}
		tg.wroteNothing(before)

		t.Run("forged inputs carried through sign-in", func(t *testing.T) {
			// Signing in writes its own audit entry: here nothing else may
			// change, the record's version first.
			version := func() string {
				return regexp.MustCompile(`"version":\s*(\d+)`).FindString(string(tg.must(200, "GET", "/api/v1/processings/"+id, tg.admin(), nil)))
			}
			was := version()
			anon := &officeBrowser{tg: tg}
			// A section form posted without a session, too large: refused
			// as with one.
			resp, body := anon.officeSend("POST", path, url.Values{"x": {strings.Repeat("a", 2<<20)}}, nil)
			isPage(t, resp, body, http.StatusRequestEntityTooLarge)
			// Posted without a session, with fields the form does not hold.
			resp, body = anon.officeSend("POST", path, url.Values{"csrf": {token}, "revision": {rev}, "title": {"<script>x</script>"},
				"legal_bases.0.reference": {`"><script>alert(1)</script>`}, "legal_bases.40.type": {"law"}}, nil)
			isPage(t, resp, body, http.StatusUnauthorized)
			if strings.Contains(body, "keep.csrf") || strings.Contains(body, "keep.title") || strings.Contains(body, "<script>") {
				t.Fatalf("the sign-in page carries what the form does not hold, or unescaped:\n%s", truncate([]byte(body), 1500))
			}
			// Sign in with forged carried fields: only the form's own come
			// back, escaped, and nothing is saved.
			_, page := anon.officeSend("GET", "/office/login", nil, nil)
			resp, body = anon.officeSend("POST", "/office/login", url.Values{"csrf": {anon.formToken(page)}, "username": {"dpo@ville-a.ch"},
				"password": {ownerPassword}, "next": {path}, "keep.csrf": {"forged"}, "keep.title": {"forged title"},
				"keep.legal_bases.0.reference": {`"><script>alert(1)</script>`}, "keep.revision": {rev}}, nil)
			isPage(t, resp, body, http.StatusOK)
			if strings.Contains(body, "forged") || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Fatalf("after sign-in the form shows forged or unescaped input:\n%s", truncate([]byte(body), 3000))
			}
			if now := version(); now != was || was == "" {
				t.Errorf("the record changed: %s → %s", was, now)
			}
		})
	})
}
