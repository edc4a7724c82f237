package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

func runServe(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("serve", e, &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
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
	if err := firstStart(ctx, svc, e.stderr); err != nil {
		return err
	}
	cfg := server.Config{Service: svc, Logger: log, PublicURL: c.PublicURL}
	id.configure(&cfg, svc)
	h := server.New(cfg)

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
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
	log.InfoContext(ctx, "listening", "addr", ln.Addr().String(), "db", sqlstore.Redact(c.DB))
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
