package jsonapi

import (
	"context"
	"net/http"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// loginJSON bounds a login body: two short strings (a password is at most
// auth.MaxPasswordLength bytes; the cap leaves room for JSON escapes).
func loginJSON() httpkit.JSONLimits {
	return httpkit.JSONLimits{MaxBytes: 8 << 10, MaxDepth: 1, MaxValues: 8, MaxName: 32}
}

// LoginRequest is the body of POST /api/v1/auth/login.
type LoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// LoginResponse is its answer.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *API) tokenTTL() time.Duration {
	if s.cfg.TokenTTL <= 0 {
		return register.DefaultTokenTTL
	}
	return min(s.cfg.TokenTTL, register.MaxTokenTTL)
}

// Login exchanges a username and password for a token. Every failure looks
// the same, whether the account exists or not. Repeated failures are slowed
// down, then refused with 429: per address before the body is even read,
// then per account and address, and per account from everywhere except
// addresses the account signed in from before (httpkit.LoginGuard, shared
// with the back office's sign-in).
func (s *API) Login(w http.ResponseWriter, r *http.Request) error {
	// The answer holds a token: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Signer == nil {
		return httpkit.NewProblem(http.StatusServiceUnavailable, "local login is not available: the service has no key to sign tokens with")
	}
	ctx := r.Context()
	client := httpkit.ClientAddr(r, s.cfg.TrustedProxies)
	attempt, err := s.logins.Admit(w, r, client, s.log)
	if err != nil {
		return err
	}
	var in LoginRequest
	if err := httpkit.DecodeWith(w, r, &in, loginJSON()); err != nil {
		return err
	}
	var fields []register.FieldError
	if in.Username == "" {
		fields = append(fields, register.FieldError{Field: "username", Message: "is required"})
	}
	if in.Password == "" {
		fields = append(fields, register.FieldError{Field: "password", Message: "is required"})
	}
	if fields != nil {
		return &register.Error{Code: register.EInvalid, Message: "the request is not valid", Fields: fields}
	}
	var p *auth.Principal
	err = attempt.Check(ctx, in.Username, func(ctx context.Context) error {
		var err error
		p, err = s.svc.Login(ctx, in.Username, in.Password)
		return err
	})
	if err != nil {
		return err
	}
	token, exp, err := s.cfg.Signer.Issue(*p, s.tokenTTL(), time.Now())
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, LoginResponse{Token: token, ExpiresAt: exp})
}

// Logout revokes the token the request was made with.
func (s *API) Logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Logout(r.Context(), principal(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *API) ListUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.svc.ListUsers(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.Account]{Items: users, Total: len(users), Page: 1, PerPage: len(users)})
}

func (s *API) CreateUser(w http.ResponseWriter, r *http.Request) error {
	var in register.NewAccount
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.CreateUser(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+a.Username)
	return httpkit.WriteJSON(w, http.StatusCreated, a)
}

// UpdateUser changes an account: only the fields the body names.
func (s *API) UpdateUser(w http.ResponseWriter, r *http.Request) error {
	var in register.AccountChange
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.UpdateUser(r.Context(), principal(r), r.PathValue("username"), in)
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, a)
}

func (s *API) DeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteUser(r.Context(), principal(r), r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
