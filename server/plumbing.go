package server

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/server/publicsite"
)

// MetricsHandler serves the metrics at GET /metrics. It is not on the
// public address: how many logins, deletions and imports happen is not for
// anonymous callers. The service serves it on its own listen address
// (REGISTRE_METRICS_ADDR), which operators keep to their monitoring
// network, as Prometheus' exporters do.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		s.metrics.Write(w)
		fmt.Fprintf(w, "# HELP registre_public_pdf_renders_total Public PDF documents drawn because they were not in the cache.\n# TYPE registre_public_pdf_renders_total counter\nregistre_public_pdf_renders_total %d\n", s.pub.PDFRenders())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		httpkit.WriteProblem(w, r, httpkit.NewProblem(http.StatusNotFound, "this address serves only GET /metrics"))
	})
	return mux
}

// refuseBadText answers a request whose target holds bad characters: 400,
// as a problem on API paths and as an HTML page on the pages' paths. The
// page is built without the request's path or query (they are the bad part).
func (s *Server) refuseBadText(w http.ResponseWriter, r *http.Request, where string) {
	detail := "the " + where + " of the request holds a NUL byte or is not valid UTF-8"
	p := httpkit.BadRequest(detail)
	if publicsite.IsAPIPath(r.URL.Path) {
		httpkit.WriteProblem(w, r, p)
		return
	}
	// The page's own links (the other language) point at the home page
	// when the path itself is the bad part.
	clean := r.Clone(r.Context())
	clean.URL = &url.URL{Path: r.URL.Path}
	if !httpkit.CleanText(r.URL.Path) {
		clean.URL.Path = "/"
	}
	_ = s.pub.ErrorPage(w, clean, p)
}

// The login limits and the body budget are configured by the caller of New;
// their types live with the plumbing (httpkit) and keep their names here.
type (
	// LoginLimits bound repeated failed logins (httpkit.LoginLimits).
	LoginLimits = httpkit.LoginLimits
	// Limit is one of them (httpkit.Limit).
	Limit = httpkit.Limit
)

// DefaultBodyMemory is the default of Config.BodyMemory.
const DefaultBodyMemory = httpkit.DefaultBodyMemory

// DefaultLoginLimits returns the limits used when Config.LoginLimits is zero.
func DefaultLoginLimits() LoginLimits { return httpkit.DefaultLoginLimits() }

// ParseTrustedProxies reads the REGISTRE_TRUSTED_PROXIES list.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) { return httpkit.ParseTrustedProxies(s) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Store().Ping(r.Context()); err != nil {
		if register.Unavailable(err) {
			return err // 503, the outage logged once (server.fail)
		}
		p := httpkit.NewProblem(http.StatusServiceUnavailable, "the database is not reachable")
		p.Cause = err
		return p
	}
	return httpkit.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
