// Package jsonapi is the JSON API's room of the HTTP side: the handlers of
// /api/v1 for API clients (organisations, processings and their workflow,
// versions, compliance, audit, accounts and login, export and spreadsheet
// import). Routes, roles and authentication are server's (its one route
// table names these handlers); the plumbing is server/httpkit's.
package jsonapi

import (
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// Config is what the JSON API needs of the server's configuration.
type Config struct {
	Service *register.Service
	Logger  *slog.Logger
	// Signer issues the tokens of POST /api/v1/auth/login; nil: 503.
	Signer auth.Signer
	// TokenTTL is the lifetime of login tokens (see server.Config).
	TokenTTL time.Duration
	// TrustedProxies and LoginLimits: see server.Config.
	TrustedProxies []netip.Prefix
	LoginLimits    httpkit.LoginLimits
	// Logins is the login throttling shared with the back office's
	// sign-in; nil: the API makes its own from LoginLimits.
	Logins *httpkit.LoginGuard
}

// API holds the JSON API's handlers. Build it with New.
type API struct {
	svc    *register.Service
	log    *slog.Logger
	cfg    Config
	logins *httpkit.LoginGuard // failure limits of POST /api/v1/auth/login
}

// New returns the JSON API.
func New(cfg Config) *API {
	logins := cfg.Logins
	if logins == nil {
		logins = httpkit.NewLoginGuard(cfg.LoginLimits)
	}
	return &API{svc: cfg.Service, log: cfg.Logger, cfg: cfg, logins: logins}
}

// principal returns the caller, put in the context by server's route
// wrapper before any handler of a route with roles runs.
func principal(r *http.Request) *auth.Principal {
	p, _ := auth.PrincipalFrom(r.Context())
	return p
}
