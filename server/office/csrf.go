package office

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// Forgery protection has two locks on every POST under /office/:
//
//  1. net/http.CrossOriginProtection refuses a request a browser marks as
//     cross-site (Sec-Fetch-Site) or whose Origin is another host's;
//  2. a token in the form, compared in constant time: the session's own
//     (register.Session.CSRF) behind sign-in, or on the sign-in form, where
//     there is no session yet, a random one bound to a cookie of its own
//     (loginCookie) — so that a page elsewhere cannot sign a browser in to
//     an account of its choosing. It covers the requests that carry neither
//     Sec-Fetch-Site nor Origin (old browsers, some proxies strip them).

// newCrossOrigin returns the first lock; the public URL's origin is trusted
// besides the request's own Host (a proxy may rewrite Host).
func newCrossOrigin(publicURL string) *http.CrossOriginProtection {
	c := http.NewCrossOriginProtection()
	if u, err := url.Parse(publicURL); err == nil && u.Scheme != "" && u.Host != "" {
		_ = c.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	return c
}

// errForgery is the 403 of either lock.
func errForgery() error {
	return register.Errorf(register.EForbidden, "this form was not sent from this site's own page; reload the page and try again")
}

// sameToken compares a form's token with the expected one in constant time;
// an empty expected token matches nothing.
func sameToken(expected, got string) bool {
	return expected != "" && subtle.ConstantTimeCompare([]byte(expected), []byte(got)) == 1
}

// newLoginToken returns a fresh sign-in form token.
func newLoginToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported systems (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validLoginToken reports whether s looks like one newLoginToken made, so
// that a cookie someone else wrote is not echoed into the page.
func validLoginToken(s string) bool {
	if len(s) != base64.RawURLEncoding.EncodedLen(32) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// readPosted reads a POST's form (httpkit.ReadForm: bounded) and keeps it
// as r.PostForm and r.Form, so that handlers and pickLang read it there.
func readPosted(w http.ResponseWriter, r *http.Request) error {
	vals, files, err := httpkit.ReadFormFiles(w, r)
	if err != nil {
		return err
	}
	if v := visitOf(r); v != nil {
		v.files = files // the import's upload (import.go)
	}
	r.PostForm = vals
	r.Form = url.Values{}
	for k, v := range r.URL.Query() {
		r.Form[k] = append(r.Form[k], v...)
	}
	for k, v := range vals {
		r.Form[k] = append(r.Form[k], v...)
	}
	return nil
}

// safeNext returns where to go back to after sign-in: s if it is a path of
// the back office on this site, else "/office/". Anything a browser could
// read as another host is refused: a scheme, "//", a backslash (browsers
// read "/\" as "//"), control characters (browsers drop tabs and newlines
// from URLs), and dot segments that climb out of /office/.
func safeNext(s string) string {
	const home = "/office/"
	if s == "" || len(s) > 2048 || !strings.HasPrefix(s, home) || strings.ContainsAny(s, "\\") {
		return home
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return home
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if clean != u.Path || !strings.HasPrefix(clean, home) || strings.Contains(u.Path, "//") {
		return home
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.Query().Encode()
	}
	return out
}
