// Package server is Registre's HTTP side: the one route table of every
// audience, authentication and authorisation per route, composition (New),
// health and metrics. The public register (pages, open data, PDFs and their
// caches) is in server/publicsite; the JSON API's handlers in server/jsonapi; the plumbing
// every audience shares (problem+json, strict decoding, body budget, forms,
// login limits, metrics) in server/httpkit.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"

	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/server/jsonapi"
	"github.com/registre/registre/server/office"
	"github.com/registre/registre/server/publicsite"
)

// The public register's configuration types keep their names here: callers
// configure New.
type (
	// PDFConfig bounds the drawing of PDF documents (publicsite.PDFConfig).
	PDFConfig = publicsite.PDFConfig
	// TransparencyLog is the log served under /public/v1/log/ (publicsite.TransparencyLog).
	TransparencyLog = publicsite.TransparencyLog
)

// TokenVerifier checks a bearer token and returns its principal.
type TokenVerifier interface {
	Verify(token string) (*auth.Principal, error)
}

// Revocations tells whether a verified token was revoked since it was
// issued: by its id (logout) or by its subject (deleted account). It gets
// the whole principal because tokens without a jti can still belong to a
// deleted account.
type Revocations interface {
	Revoked(ctx context.Context, p *auth.Principal) (bool, error)
}

// Config is what the server needs besides the service.
type Config struct {
	Service  *register.Service
	Verifier TokenVerifier
	Revoked  Revocations // optional
	Logger   *slog.Logger
	// PublicURL is the base URL printed in documents, feeds, the CSV and
	// pages. Empty: the request's host, which must then be ListenAddr or a
	// loopback name (other hosts get 421, see httpkit/guard.go).
	PublicURL string
	// ListenAddr is the address the server listens on, as bound; with
	// PublicURL empty it is the one host name accepted besides loopback
	// names on its port. Empty: loopback names on any port (tests).
	ListenAddr string
	Version    string

	// Signer issues the tokens of POST /api/v1/auth/login; nil: local
	// login answers 503.
	Signer auth.Signer
	// TokenTTL is the lifetime of login tokens; 0: register.DefaultTokenTTL,
	// capped at register.MaxTokenTTL.
	TokenTTL time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// login limits find the client's address; nil: the TCP peer only.
	TrustedProxies []netip.Prefix
	// LoginLimits slow down and then refuse repeated failed logins; the
	// zero value means DefaultLoginLimits().
	LoginLimits httpkit.LoginLimits
	// PDF bounds the drawing of PDF documents (publicsite/pdf.go); zero: defaults.
	PDF PDFConfig
	// StreamStall is how long a whole-register stream (the CSV, the
	// JSON-LD graph) may wait for its client to take more bytes before it
	// is ended (publicsite.Config.StreamStall); zero: 30 s.
	StreamStall time.Duration
	// BodyMemory bounds the bytes of request bodies held at once by all
	// requests together (beyond: 503); 0: DefaultBodyMemory.
	BodyMemory int64
	// Log is the transparency log served under /public/v1/log/; nil: 404.
	Log TransparencyLog
	// OIDC is the back office's sign-in through an OpenID provider;
	// zero: off (docs/identity.md).
	OIDC office.OIDC
}

// Server serves the API. Build it with New; it is an http.Handler.
type Server struct {
	svc      *register.Service
	verifier TokenVerifier
	revoked  Revocations
	log      *slog.Logger
	cfg      Config
	mux      *http.ServeMux
	routes   []route
	openapi  []byte // the OpenAPI document, built once
	metrics  *httpkit.Metrics
	api      *jsonapi.API        // the JSON API's handlers
	pub      *publicsite.Site    // the public register's handlers, caches and documents
	office   *office.Office      // the back office's pages (/office/)
	hosts    httpkit.HostPolicy  // which Host names are answered (httpkit/guard.go)
	bodies   *httpkit.BodyBudget // bytes of request bodies held at once (httpkit/bodybudget.go)
	outage   *httpkit.Outage     // logs a database outage once, watches for its end

	// orgs remembers organisations known to exist, so that the check on a
	// token's org claim costs a query only once per organisation. There is
	// no way to delete an organisation, so an entry never goes stale.
	orgs sync.Map
}

// New builds the server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{svc: cfg.Service, verifier: cfg.Verifier, revoked: cfg.Revoked, log: cfg.Logger, cfg: cfg, mux: http.NewServeMux(), metrics: httpkit.NewMetrics()}
	// One login throttling for every way in with a password: the back
	// office's sign-in must get this same guard, so that a guesser gains
	// nothing by switching between the API and the form.
	logins := httpkit.NewLoginGuard(cfg.LoginLimits)
	if sf, ok := cfg.Service.Store().(httpkit.SharedFailures); ok {
		// Instances on one database count an account's failures together.
		logins.ShareFailures(sf)
	}
	s.api = jsonapi.New(jsonapi.Config{Service: cfg.Service, Logger: cfg.Logger, Signer: cfg.Signer, TokenTTL: cfg.TokenTTL,
		TrustedProxies: cfg.TrustedProxies, LoginLimits: cfg.LoginLimits, Logins: logins})
	s.bodies = httpkit.NewBodyBudget(cfg.BodyMemory)
	s.outage = httpkit.NewOutage(cfg.Logger, cfg.Service.Store().Ping)
	s.pub = publicsite.New(publicsite.Config{Service: cfg.Service, Logger: cfg.Logger, PublicURL: cfg.PublicURL, PDF: cfg.PDF, Log: cfg.Log, Outage: s.outage,
		StreamStall: cfg.StreamStall})
	s.office = office.New(office.Config{Service: cfg.Service, Logger: cfg.Logger, PublicURL: cfg.PublicURL,
		TrustedProxies: cfg.TrustedProxies, Logins: logins, Public: s.pub, Outage: s.outage, OIDC: cfg.OIDC})
	s.hosts = httpkit.NewHostPolicy(cfg.PublicURL, cfg.ListenAddr)
	s.routes = s.routeTable()
	s.register()
	doc, err := buildOpenAPI(s.routes, apiDocs())
	if err != nil {
		// A route without documentation is a programming error that the
		// tests catch; the service still runs and says so.
		s.log.Error("openapi", "err", err)
		doc = []byte(`{"openapi":"3.1.0","info":{"title":"Registre","version":"1"},"paths":{}}`)
	}
	s.openapi = doc
	return s
}

// ServeHTTP implements http.Handler: every request goes through recovery,
// logging and the common headers before the mux.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w}
	s.metrics.InFlight.Add(1)
	defer func() {
		s.metrics.InFlight.Add(-1)
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v)
			if !rw.wrote {
				httpkit.WriteProblem(rw, r, httpkit.Internal(nil))
			}
		}
		if rw.status == 0 {
			rw.status = http.StatusOK
		}
		s.metrics.Observe(r.Pattern, r.Method, rw.status, time.Since(start))
		level := slog.LevelInfo
		switch {
		case rw.status == http.StatusServiceUnavailable:
			// Busy or the database away: said once where it is known
			// (httpkit.Outage, the budgets), not as an error per request.
			level = slog.LevelWarn
		case rw.status >= 500:
			level = slog.LevelError
		}
		// The query string is left out: it can hold search terms people typed.
		s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path,
			"status", rw.status, "bytes", rw.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	}()
	h := rw.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	}
	// Refused before routing, so that no handler (and no database) ever
	// sees them; such requests write nothing and need no cache care.
	if where := httpkit.BadRequestText(r); where != "" {
		s.refuseBadText(rw, r, where)
		return
	}
	if !httpkit.HostFree(r.URL.Path) && !s.hosts.Allows(r.Host) {
		httpkit.WriteProblem(rw, r, httpkit.Misdirected())
		return
	}
	s.mux.ServeHTTP(rw, r)
}

// statusWriter records what was written, for the log and for recovery.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// handler is an HTTP handler that returns its error; one adapter turns the
// error into a problem.
type handler func(w http.ResponseWriter, r *http.Request) error

// anyRole admits every authenticated role.
func anyRole() []auth.Role {
	return []auth.Role{auth.RoleAdmin, auth.RoleDPO, auth.RoleEditor, auth.RoleAuditor}
}

// route is one line of the API: method, pattern, who may call it.
type route struct {
	method  string
	pattern string
	roles   []auth.Role // nil: anonymous (public)
	h       handler
	summary string
}

func (s *Server) register() {
	methods := map[string][]string{}
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.adapt(rt))
		methods[rt.pattern] = append(methods[rt.pattern], rt.method)
	}
	// A path served for other methods answers 405 with Allow, as a problem.
	for pattern, ms := range methods {
		allow := strings.Join(withHead(ms), ", ")
		s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			p := httpkit.NewProblem(http.StatusMethodNotAllowed, "this path does not serve "+r.Method)
			p.Allow = allow
			httpkit.WriteProblem(w, r, p)
		})
	}
	// The back office answers HTML, sets its own headers and is not part
	// of the OpenAPI document; its bodies count in the same budget.
	for _, rt := range s.office.Routes() {
		h := rt.Handler
		s.mux.Handle(rt.Method+" "+rt.Pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, done := httpkit.WithBodyHold(r, s.bodies)
			defer done()
			h.ServeHTTP(w, r)
		}))
	}
	s.mux.Handle("/office/", http.HandlerFunc(s.office.NotFound))
	s.mux.Handle("GET /office", http.RedirectHandler("/office/", http.StatusMovedPermanently))
	if _, ok := methods["/"]; !ok {
		s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			s.notFound(w, r)
		})
	}
}

func withHead(ms []string) []string {
	out := append([]string{}, ms...)
	for _, m := range ms {
		if m == http.MethodGet {
			out = append(out, http.MethodHead)
		}
	}
	return out
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if !publicsite.IsAPIPath(r.URL.Path) { // a page path: an HTML page, not a problem
		s.pub.PageNotFound(w, r)
		return
	}
	httpkit.WriteProblem(w, r, httpkit.NewProblem(http.StatusNotFound, "nothing is served at this path"))
}

// adapt wraps a route's handler with authentication, the route's role check
// and error handling.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, done := httpkit.WithBodyHold(r, s.bodies)
		defer done()
		if rt.roles != nil {
			w.Header().Set("Cache-Control", "no-store")
			p, err := s.authenticate(r)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !roleIn(p.Role, rt.roles) {
				s.fail(w, r, register.Errorf(register.EForbidden, "your role may not do this"))
				return
			}
			r = r.WithContext(auth.WithPrincipal(r.Context(), p))
		}
		if err := rt.h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func roleIn(r auth.Role, roles []auth.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// fail writes err as a problem; 5xx are logged with their cause.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpkit.ProblemFor(err)
	if p.Outage {
		s.outage.Report(r.Context(), p.Cause)
	} else if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", p.Cause)
	}
	httpkit.WriteProblem(w, r, p)
}

// authenticate verifies the bearer token: signature and claims (auth), that
// the organisation exists and that the token was not revoked.
func (s *Server) authenticate(r *http.Request) (*auth.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, httpkit.Unauthorized(false)
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || s.verifier == nil {
		return nil, httpkit.Unauthorized(true)
	}
	p, err := s.verifier.Verify(strings.TrimSpace(token))
	if err != nil {
		return nil, httpkit.Unauthorized(true)
	}
	ctx := r.Context()
	if p.Role != auth.RoleAdmin {
		if _, known := s.orgs.Load(p.Org); !known {
			ok, err := s.svc.OrganisationExists(ctx, p.Org)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, httpkit.Unauthorized(true)
			}
			s.orgs.Store(p.Org, true)
		}
	}
	if s.revoked != nil {
		revoked, err := s.revoked.Revoked(ctx, p)
		if err != nil {
			return nil, err
		}
		if revoked {
			return nil, httpkit.Unauthorized(true)
		}
	}
	return p, nil
}

func principal(r *http.Request) *auth.Principal {
	p, _ := auth.PrincipalFrom(r.Context())
	return p
}
