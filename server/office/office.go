// Package office is the back office: the server-rendered pages under
// /office/ where DPOs, editors, auditors and administrators keep and read the
// register. It is a room of its own beside the JSON API (server/jsonapi) and
// the public register (server/publicsite): its own sessions (cookies, never
// bearer tokens), its own pages, the same plumbing (server/httpkit) and the
// same stylesheet family as the public pages. Pages work without
// JavaScript; every form posts and redirects (POST/redirect/GET).
//
// Files: office.go (composition, routes, rendering, errors), view.go (what
// every template gets: language, labels, the signed-in person), session.go
// (sign-in, cookies, forgery protection), the pages in their own files.
package office

import (
	"bytes"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/server/publicsite"
)

// Config is what the back office needs besides the service.
type Config struct {
	Service *register.Service
	Logger  *slog.Logger
	// PublicURL is the service's public base URL; an https:// one makes the
	// session cookie Secure with the __Host- prefix (session.go).
	PublicURL string
	// TrustedProxies are the peers whose X-Forwarded-For and
	// X-Forwarded-Proto are believed.
	TrustedProxies []netip.Prefix
	// Logins is the login throttling shared with the API's login
	// (server.New makes one for both); nil: one of the back office's own.
	Logins *httpkit.LoginGuard
	// Public renders the previews: the public page and the notice as they
	// would be published.
	Public *publicsite.Site
	// Outage is told when a page meets a database outage (logged once).
	Outage *httpkit.Outage
	// OIDC is sign-in through an OpenID provider (oidc.go); zero: off.
	OIDC OIDC
}

// Office serves the back office. Build it with New.
type Office struct {
	svc    *register.Service
	log    *slog.Logger
	cfg    Config
	pages  map[string]*template.Template // each page with the layout
	labels map[string]text
	css    staticFile
	signin *signin       // sign-in and sessions (session.go)
	forms  []sectionSpec // the section forms (form_spec.go)
	lists  *formLists    // the forms' suggestions and countries (form_view.go)
	rp     *relyingParty // nil without single sign-on (oidc.go)
}

// Route is one route of the back office, registered by server on its mux.
// Back-office routes are not part of the OpenAPI document: they answer HTML.
type Route struct {
	Method, Pattern string
	Handler         http.Handler
}

// New builds the back office.
func New(cfg Config) *Office {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	o := &Office{svc: cfg.Service, log: cfg.Logger, cfg: cfg, labels: labelTable()}
	o.pages = mustParsePages()
	o.css = mustLoadCSS()
	o.signin = newSignin(cfg)
	o.forms, o.lists = formSections(), newFormLists()
	o.rp = newRelyingParty(cfg.OIDC)
	return o
}

// handler is a back-office handler; its error becomes an HTML error page
// (fail), never a problem+json.
type handler func(w http.ResponseWriter, r *http.Request) error

// Routes lists every route of the back office. Pages behind sign-in are
// wrapped by signedIn (session.go); the rest are open.
func (o *Office) Routes() []Route {
	get, post := http.MethodGet, http.MethodPost
	routes := []Route{
		{get, "/office/static/{file}", o.serve(o.static)},
		{get, "/office/{$}", o.serve(o.signedIn(o.home))},
	}
	routes = append(routes, o.sessionRoutes()...)
	routes = append(routes, o.pageRoutes()...)
	routes = append(routes, o.formRoutes()...)
	routes = append(routes, o.workflowRoutes()...)
	routes = append(routes, o.oidcRoutes()...)
	routes = append(routes, o.adminRoutes()...)
	routes = append(routes, o.auditRoutes()...)
	routes = append(routes, o.overviewRoutes()...)
	routes = append(routes, o.importRoutes()...)
	routes = append(routes, o.modelRoutes()...)
	routes = append(routes, o.campaignRoutes()...)
	routes = append(routes, o.reminderRoutes()...)
	routes = append(routes, o.myTaskRoutes()...)
	_ = post
	return routes
}

// serve adapts a handler: the back office's headers, then errors as pages.
func (o *Office) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		// Pages of the back office show what only their reader may see:
		// no cache keeps them, no other site frames them, no script runs.
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Security-Policy", pageCSP)
		if err := h(w, r); err != nil {
			o.fail(w, r, err)
		}
	})
}

// pageCSP allows the office's own stylesheet and nothing else: no script,
// no frame, forms only to the office itself.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// render writes page name with the layout.
func (o *Office) render(w http.ResponseWriter, status int, name string, v *view) error {
	t, ok := o.pages[name]
	if !ok {
		return fmt.Errorf("office: no page %q", name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return fmt.Errorf("office: render %s: %w", name, err)
	}
	w.Header().Set("Content-Language", v.Lang)
	w.Header().Add("Vary", "Accept-Language")
	return httpkit.WriteRaw(w, status, "text/html; charset=utf-8", b.Bytes())
}

// fail answers an error with an HTML page of its status. Another
// organisation's record and a missing one are the same 404 (the domain
// answers ENotFound for both). 5xx are logged with their cause.
func (o *Office) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := httpkit.ProblemFor(err)
	if p.Outage {
		o.cfg.Outage.Report(r.Context(), p.Cause)
	} else if p.Status >= 500 {
		o.log.ErrorContext(r.Context(), "office page failed", "method", r.Method, "path", r.URL.Path, "err", p.Cause)
	}
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(p.RetryAfter))
	}
	v := o.newView(r)
	d := errorData{Status: p.Status, Detail: p.Detail}
	switch p.Status {
	case http.StatusNotFound:
		d.TitleKey, d.TextKey = "error.notfound.title", "error.notfound.text"
	case http.StatusForbidden:
		d.TitleKey, d.TextKey = "error.forbidden.title", "error.forbidden.text"
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		d.TitleKey, d.TextKey = "error.bad.title", "error.bad.text"
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		d.TitleKey, d.TextKey = "error.busy.title", "error.busy.text"
	default:
		d.TitleKey, d.TextKey = "error.title", "error.text"
		d.Detail = "" // an internal cause is for the log, not the page
	}
	v.Title, v.Data = v.T(d.TitleKey), d
	if rerr := o.render(w, p.Status, "error", v); rerr != nil {
		o.log.ErrorContext(r.Context(), "office error page failed", "err", rerr)
		httpkit.WriteProblem(w, r, p)
	}
}

// errorData is what the error page shows.
type errorData struct {
	Status            int
	TitleKey, TextKey string
	Detail            string // the domain's message, for 4xx
}

// NotFound answers an unknown path under /office/ with the office's 404.
func (o *Office) NotFound(w http.ResponseWriter, r *http.Request) {
	o.serve(func(w http.ResponseWriter, r *http.Request) error {
		return register.Errorf(register.ENotFound, "nothing is served at this path")
	}).ServeHTTP(w, r)
}

func errNotFound() error {
	return register.Errorf(register.ENotFound, "nothing is served at this path")
}
