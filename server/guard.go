package server

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The checks every request passes before routing (docs/security.md, "Bad
// characters in requests" and "Host names: the public URL rule").

// badRequestText reports which part of the request target holds a NUL byte
// or invalid UTF-8, or "" when none does. Such text cannot be a slug, an id
// or a search term, and PostgreSQL cuts a query's text at a NUL: it must
// never get as far as a handler. Header values need no check here: net/http
// already refuses control characters in them with 400.
func badRequestText(r *http.Request) string {
	if !cleanText(r.URL.Path) || !cleanText(r.URL.RawPath) {
		return "path"
	}
	if r.URL.RawQuery == "" {
		return ""
	}
	// Every pair, as the handlers will see it, and the raw text too: a
	// pair the parser drops (a bad escape) must not hide a NUL.
	if !cleanText(r.URL.RawQuery) {
		return "query"
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for k, vs := range q {
		if !cleanText(k) {
			return "query"
		}
		for _, v := range vs {
			if !cleanText(v) {
				return "query"
			}
		}
	}
	return ""
}

// cleanText reports whether s is valid UTF-8 without NUL.
func cleanText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

// refuseBadText answers a request whose target holds bad characters: 400,
// as a problem on API paths and as an HTML page on the pages' paths. The
// page is built without the request's path or query (they are the bad part).
func (s *Server) refuseBadText(w http.ResponseWriter, r *http.Request, where string) {
	detail := "the " + where + " of the request holds a NUL byte or is not valid UTF-8"
	p := errBadRequest(detail)
	if isAPIPath(r.URL.Path) {
		writeProblem(w, r, p)
		return
	}
	// The page's own links (the other language) point at the home page
	// when the path itself is the bad part.
	clean := r.Clone(r.Context())
	clean.URL = &url.URL{Path: r.URL.Path}
	if !cleanText(r.URL.Path) {
		clean.URL.Path = "/"
	}
	_ = s.errorPage(w, clean, p)
}

// hostPolicy decides which Host names the service answers for when no
// public URL is configured: documents, feeds, the CSV and pages print the
// request's host in links, so a foreign one would end up in what is served
// (and in shared caches in front), and each new one would cost a render.
// The accepted names are few (the listen address, localhost, 127.0.0.1 and
// [::1] on the listen port), so the base URLs a document can carry are too.
type hostPolicy struct {
	open  bool            // a public URL is configured: any host will do
	port  string          // the listen port; "" accepts loopback names on any port
	hosts map[string]bool // accepted host[:port], lower case
}

// newHostPolicy builds the policy from the configuration. listen is the
// address the server listens on, as bound (ln.Addr().String()).
func newHostPolicy(publicURL, listen string) hostPolicy {
	if publicURL != "" {
		return hostPolicy{open: true}
	}
	hp := hostPolicy{hosts: map[string]bool{}}
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
func (hp hostPolicy) allows(hostport string) bool {
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

// hostFree are the paths answered whatever the Host: load balancers probe
// them by IP address, and they print no URL.
func hostFree(path string) bool {
	return path == "/healthz" || path == "/readyz"
}

// errMisdirected answers a request for a host this service does not know.
func errMisdirected() *Problem {
	return newProblem(http.StatusMisdirectedRequest,
		"this service does not answer for the host name of the request; its operator sets REGISTRE_PUBLIC_URL to the address the public uses")
}
