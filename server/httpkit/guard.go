package httpkit

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The checks every request passes before routing (docs/security.md, "Bad
// characters in requests" and "Host names: the public URL rule").

// BadRequestText reports which part of the request target holds a NUL byte
// or invalid UTF-8, or "" when none does. Such text cannot be a slug, an id
// or a search term, and PostgreSQL cuts a query's text at a NUL: it must
// never get as far as a handler. Header values need no check here: net/http
// already refuses control characters in them with 400.
func BadRequestText(r *http.Request) string {
	if !CleanText(r.URL.Path) || !CleanText(r.URL.RawPath) {
		return "path"
	}
	if r.URL.RawQuery == "" {
		return ""
	}
	// Every pair, as the handlers will see it, and the raw text too: a
	// pair the parser drops (a bad escape) must not hide a NUL.
	if !CleanText(r.URL.RawQuery) {
		return "query"
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for k, vs := range q {
		if !CleanText(k) {
			return "query"
		}
		for _, v := range vs {
			if !CleanText(v) {
				return "query"
			}
		}
	}
	return ""
}

// CleanText reports whether s is valid UTF-8 without NUL.
func CleanText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// HostPolicy decides which Host names the service answers for when no
// public URL is configured: documents, feeds, the CSV and pages print the
// request's host in links, so a foreign one would end up in what is served
// (and in shared caches in front), and each new one would cost a render.
// The accepted names are few (the listen address, localhost, 127.0.0.1 and
// [::1] on the listen port), so the base URLs a document can carry are too.
type HostPolicy struct {
	open  bool            // a public URL is configured: any host will do
	port  string          // the listen port; "" accepts loopback names on any port
	hosts map[string]bool // accepted host[:port], lower case
}

// NewHostPolicy builds the policy from the configuration. listen is the
// address the server listens on, as bound (ln.Addr().String()).
func NewHostPolicy(publicURL, listen string) HostPolicy {
	if publicURL != "" {
		return HostPolicy{open: true}
	}
	hp := HostPolicy{hosts: map[string]bool{}}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return hp // no listen address known: loopback names, any port
	}
	hp.port = port
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		hp.hosts[strings.ToLower(net.JoinHostPort(host, port))] = true
		if port == "80" {
			hp.hosts[strings.ToLower(host)] = true
		}
	}
	return hp
}

// allows reports whether a request's Host (from the header or an absolute
// request line; net/http puts either in r.Host) is one this service may
// print.
func (hp HostPolicy) Allows(hostport string) bool {
	if hp.open {
		return true
	}
	hostport = strings.ToLower(hostport)
	if hp.hosts[hostport] {
		return true
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil { // no port: port 80
		host, port = strings.Trim(hostport, "[]"), "80"
	}
	if hp.port != "" && port != hp.port {
		return false
	}
	// Three spellings only, not every name under .localhost or every
	// address of 127.0.0.0/8: each accepted host is a base URL, so a
	// different PDF to draw and keep.
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// HostFree are the paths answered whatever the Host: load balancers probe
// them by IP address, and they print no URL.
func HostFree(path string) bool {
	return path == "/healthz" || path == "/readyz"
}

// Misdirected answers a request for a host this service does not know.
func Misdirected() *Problem {
	return NewProblem(http.StatusMisdirectedRequest,
		"this service does not answer for the host name of the request; its operator sets REGISTRE_PUBLIC_URL to the address the public uses")
}
