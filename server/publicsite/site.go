// Package publicsite is the public register: its pages (templates, static
// files), its JSON, open data (CSV, Atom), linked data (JSON-LD, DCAT), PDF
// documents, the transparency log's public endpoints, and the caches of
// their bytes. The route table that names these handlers, authentication
// and the composition are in server; the plumbing in server/httpkit.
package publicsite

import (
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// handler is the shape of server's route handlers: the error becomes a
// problem in one place (server.adapt).
type handler = func(w http.ResponseWriter, r *http.Request) error

// Config is what the public register needs besides the service.
type Config struct {
	Service *register.Service
	Logger  *slog.Logger
	// PublicURL is the base URL printed in documents, feeds, the CSV and
	// pages; empty: the request's host (server.Config.PublicURL).
	PublicURL string
	// PDF bounds the drawing of PDF documents (pdf.go); zero: defaults.
	PDF PDFConfig
	// Log is the transparency log served under /public/v1/log/; nil: 404.
	Log TransparencyLog
	// Outage is told when a request meets a database outage (logged once).
	Outage *httpkit.Outage
	// StreamStall is how long a whole-register stream may wait for its
	// client to take more bytes before it is ended; zero: defaultStreamStall.
	StreamStall time.Duration
}

// Site serves the public register. Build it with New.
type Site struct {
	svc  *register.Service
	log  *slog.Logger
	cfg  Config
	pub  *publicSite // the parsed templates, static files, caches of bytes
	docs *documents  // PDF documents: render slots, cache of public ones
	// cache holds every cached public byte: publications, pages, PDFs.
	cache *bytesCache
	// streams bounds the whole-register documents (CSV, JSON-LD graph)
	// drawn at once: each reads every publication, so without a bound a few
	// anonymous clients could keep every core busy.
	streams chan struct{}
}

// New builds the public register and subscribes its caches to the domain's
// public changes (Service.OnPublicChange), where they are invalidated.
func New(cfg Config) *Site {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Site{svc: cfg.Service, log: cfg.Logger, cfg: cfg, streams: make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))}
	s.docs = newDocuments(cfg.PDF, nil)
	bound := defaultCacheBytes + int(max(s.docs.cfg.CacheBytes, 0))
	s.cache = newBytesCache(bound)
	s.docs.cache.store = s.cache
	s.pub = newPublicSite(s.cache)
	// The domain says when the public register changed, where it changes.
	cfg.Service.OnPublicChange(s.pub.docs.invalidate)
	return s
}

// HomePage serves the home and search page.
func (s *Site) HomePage(w http.ResponseWriter, r *http.Request) error {
	return s.page(s.homePage)(w, r)
}

// OrganisationPage serves an organisation's page.
func (s *Site) OrganisationPage(w http.ResponseWriter, r *http.Request) error {
	return s.page(s.organisationPage)(w, r)
}

// ProcessingPage serves a processing's page.
func (s *Site) ProcessingPage(w http.ResponseWriter, r *http.Request) error {
	return s.page(s.processingPage)(w, r)
}

// PDFRenders counts the public PDF documents drawn because they were not
// in the cache (the metric registre_public_pdf_renders_total).
func (s *Site) PDFRenders() int64 { return s.docs.renders.Load() }
