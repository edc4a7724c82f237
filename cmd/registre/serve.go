package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/server"
)

func runServe(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("serve", e, &c)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log, err := c.logger(e.stderr)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := newService(db, log)
	verifier, err := c.verifier(log)
	if err != nil {
		return err
	}
	cfg := server.Config{Service: svc, Logger: log, PublicURL: c.PublicURL}
	if verifier != nil {
		cfg.Verifier = verifier
	}
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
	log.InfoContext(ctx, "listening", "addr", ln.Addr().String(), "db", redactDSN(c.DB))
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

// verifier builds the token verifier from the configuration.
func (c *config) verifier(log *slog.Logger) (*auth.Verifier, error) {
	vc := auth.VerifierConfig{Issuer: c.JWTIssuer, Audience: c.JWTAudience, Leeway: 30 * time.Second}
	if c.JWTSecret != "" {
		if len(c.JWTSecret) < 32 {
			return nil, fmt.Errorf("REGISTRE_JWT_SECRET must be at least 32 bytes")
		}
		vc.Secret = []byte(c.JWTSecret)
	}
	if c.JWTKeys != "" {
		ks, err := auth.LoadKeySet(c.JWTKeys)
		if err != nil {
			return nil, fmt.Errorf("REGISTRE_JWT_KEYS: %w", err)
		}
		vc.Keys = ks
	}
	if vc.Secret == nil && vc.Keys == nil {
		log.Warn("no REGISTRE_JWT_SECRET or REGISTRE_JWT_KEYS: only the public register is served")
		return nil, nil
	}
	return auth.NewVerifier(vc)
}
