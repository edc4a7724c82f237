package office

import (
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// The cookies of the back office. Over HTTPS they are Secure and carry the
// __Host- prefix, which a browser accepts only with Secure, no Domain and
// Path=/ (RFC 6265bis, "Cookie Name Prefixes"): no sibling sub-domain and
// no plain-HTTP page of the same host can then set or shadow them. That
// prefix is worth more than Path=/office/, which isolates nothing within
// one origin (RFC 6265, section 8.5): the session cookie is then sent to
// /api/v1 and to the public pages too, where nothing reads it (a session
// never authorises the API). Over plain HTTP, on a development machine, a
// browser refuses both Secure and the prefix, so the cookies are then plain
// and kept to Path=/office/. docs/office.md, "Sessions and the cookie".
const (
	sessionCookie = "registre_session"
	loginCookie   = "registre_login" // the sign-in form's token (csrf.go)
)

// cookieRules are a request's cookie name prefix, path and Secure flag.
type cookieRules struct {
	prefix, path string
	secure       bool
}

// cookies returns the rules for r: the HTTPS ones when r came over TLS,
// through a trusted proxy that says it received it over HTTPS, or when the
// service's public URL is https://.
func (o *Office) cookies(r *http.Request) cookieRules {
	if o.overHTTPS(r) {
		return cookieRules{prefix: "__Host-", path: "/", secure: true}
	}
	return cookieRules{path: "/office/"}
}

func (o *Office) overHTTPS(r *http.Request) bool {
	if r.TLS != nil || strings.HasPrefix(strings.ToLower(o.cfg.PublicURL), "https://") {
		return true
	}
	return forwardedHTTPS(r, o.cfg.TrustedProxies)
}

// forwardedHTTPS reports whether a trusted proxy says the request reached
// it over HTTPS. Only the direct peer is asked, and only if it is trusted:
// anyone else may write the header. The peer's value is the last one (a
// proxy that appends writes after what it received).
func forwardedHTTPS(r *http.Request, trusted []netip.Prefix) bool {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a := peer.Addr().Unmap()
	ok := false
	for _, p := range trusted {
		if p.Contains(a) {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	vs := r.Header.Values("X-Forwarded-Proto")
	if len(vs) == 0 {
		return false
	}
	parts := strings.Split(vs[len(vs)-1], ",")
	return strings.EqualFold(strings.TrimSpace(parts[len(parts)-1]), "https")
}

// get returns the value of cookie name under r's rules ("" if absent). A
// cookie of the other rules is not read: over HTTPS only the __Host- one
// counts, which nothing but this host over HTTPS can have set.
func (c cookieRules) get(r *http.Request, name string) string {
	k, err := r.Cookie(c.prefix + name)
	if err != nil {
		return ""
	}
	return k.Value
}

// set writes cookie name: HttpOnly (no script reads it; the pages have no
// script anyway), SameSite=Lax (sent on a link followed from another site,
// never on its forms' POSTs), no Expires (it ends with the browser; the
// server ends the session sooner, see register.Session).
func (c cookieRules) set(w http.ResponseWriter, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: c.prefix + name, Value: value, Path: c.path,
		Secure: c.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// clear tells the browser to forget cookie name.
func (c cookieRules) clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: c.prefix + name, Value: "", Path: c.path, MaxAge: -1,
		Expires: time.Unix(1, 0), Secure: c.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
