package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"time"

	"github.com/registre/registre/server"
	"github.com/registre/registre/server/office"
	"github.com/registre/registre/sqlstore"
)

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT
// is not set: the service's budget is 150 MB of anonymous memory at 200,000
// processings (issue 17), of which SQLite's page caches and the runtime's
// own take about 30. Without a limit the heap grows to twice what is live
// before a collection, and a CSV or an import leaves the process that large
// long after. The limit is soft: a heap that needs more gets it, at the cost
// of more frequent collections.
const defaultMemoryLimit = 90 << 20

// setMemoryLimit applies defaultMemoryLimit unless the operator chose one
// with GOMEMLIMIT (which the runtime reads itself; GOMEMLIMIT=off: none).
func setMemoryLimit() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

func runServe(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("serve", e, &c)
	metricsAddr := e.getenv("REGISTRE_METRICS_ADDR")
	tlsCert, tlsKey := e.getenv("REGISTRE_TLS_CERT"), e.getenv("REGISTRE_TLS_KEY")
	fs.StringVar(&tlsCert, "tls-cert", tlsCert, "PEM certificate chain: serve HTTPS on --addr (with --tls-key); empty: plain HTTP, e.g. behind a TLS-terminating proxy (REGISTRE_TLS_CERT)")
	fs.StringVar(&tlsKey, "tls-key", tlsKey, "PEM private key of --tls-cert (REGISTRE_TLS_KEY)")
	fs.StringVar(&metricsAddr, "metrics-addr", metricsAddr,
		"listen address of GET /metrics, for the monitoring network only; empty: no metrics (REGISTRE_METRICS_ADDR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	setMemoryLimit()
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	svc, log := app.svc, app.log
	id, err := c.identity(ctx, svc, log)
	if err != nil {
		return err
	}
	stopIdentity := id.start(ctx, svc, log)
	defer stopIdentity()
	defer startStandings(ctx, svc, log)()
	if err := firstStart(ctx, svc, e.stderr); err != nil {
		return err
	}
	if err := checkPublicURL(c.PublicURL); err != nil {
		return err
	}
	stopReminders, err := startReminders(ctx, e, c.PublicURL, svc, log)
	if err != nil {
		return err
	}
	defer stopReminders()
	if err := office.CheckOIDC(c.office()); err != nil {
		return err
	}
	if (tlsCert == "") != (tlsKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	var certs []tls.Certificate
	if tlsCert != "" {
		// Read before listening: a bad file stops the start, not the
		// first client.
		cert, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		certs = []tls.Certificate{cert}
	}
	// Listen first: without a public URL, the address as bound is the one
	// host name pages and documents accept besides loopback names.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	cfg := server.Config{Service: svc, Logger: log, PublicURL: c.PublicURL, ListenAddr: ln.Addr().String(), Log: app.tlog, OIDC: c.office()}
	id.configure(&cfg, svc)
	h := server.New(cfg)
	// Processes sharing a PostgreSQL database tell each other of public
	// changes, so that their caches follow within milliseconds.
	app.db.ListenPublicChanges(ctx, svc.PublicChangedElsewhere, log)
	// The public list's deep-page anchors are read now and after each
	// public change in the background: no visitor's page waits for them.
	defer svc.KeepPublicAnchors(ctx)()
	// PostgreSQL's searches look in the newest rows first, by an index
	// kept over them (sqlstore/recent.go).
	defer app.db.KeepSearchWindows(ctx, log)()
	if c.PublicURL == "" {
		log.WarnContext(ctx, "REGISTRE_PUBLIC_URL is not set: pages and documents answer only for the listen address and localhost; other host names get 421")
	}
	if metricsAddr != "" {
		stop, err := serveMetrics(ctx, metricsAddr, h.MetricsHandler(), log)
		if err != nil {
			return err
		}
		defer stop()
	}
	srv := &http.Server{
		Handler: h,
		// Clients that do not finish sending a request are dropped.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if certs != nil {
		// TLS on the listener: the back office's cookie is then Secure
		// with the __Host- prefix (server/office/cookie.go).
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: certs}
		ln = tls.NewListener(ln, srv.TLSConfig)
		scheme = "https"
	}
	log.InfoContext(ctx, "listening", "addr", ln.Addr().String(), "scheme", scheme, "db", sqlstore.Redact(c.DB))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// checkPublicURL refuses a public URL that documents could not print as a
// base: it must be an absolute http(s) URL without query or fragment.
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("--public-url: want an absolute http(s) URL such as https://registre.example.ch, got %q", s)
	}
	return nil
}

// serveMetrics serves the Prometheus metrics on their own address until ctx
// ends or stop is called.
func serveMetrics(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.InfoContext(ctx, "metrics listening", "addr", ln.Addr().String())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics", "err", err)
		}
	}()
	return func() { _ = srv.Close() }, nil
}
