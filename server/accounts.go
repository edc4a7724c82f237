package server

import (
	"net/http"
	"runtime"
	"time"

	"github.com/registre/registre/register"
)

// loginGuard holds what login needs between requests: the two failure
// limiters and a cap on concurrent password hashing. Each argon2id check
// takes 19 MiB and tens of milliseconds; without the cap a burst of logins
// could take the process's memory.
type loginGuard struct {
	accounts  *limiter
	addresses *limiter
	hashing   chan struct{}
}

func newLoginGuard(cfg Config) *loginGuard {
	l := cfg.LoginLimits
	if l == (LoginLimits{}) {
		l = DefaultLoginLimits()
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLoginLimits().MaxEntries
	}
	return &loginGuard{
		accounts:  newLimiter(l.Account, l.MaxEntries),
		addresses: newLimiter(l.Address, l.MaxEntries),
		hashing:   make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
	}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) tokenTTL() time.Duration {
	if s.cfg.TokenTTL <= 0 {
		return register.DefaultTokenTTL
	}
	return min(s.cfg.TokenTTL, register.MaxTokenTTL)
}

// login exchanges a username and password for a token. Every failure looks
// the same, whether the account exists or not; repeated failures per
// account and per client address are slowed down, then refused with 429.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	// The answer holds a token: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Signer == nil {
		return newProblem(http.StatusServiceUnavailable, "local login is not available: the service has no key to sign tokens with")
	}
	var in loginRequest
	if err := decode(w, r, &in); err != nil {
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

	ctx := r.Context()
	g := s.logins
	client := clientAddr(r, s.cfg.TrustedProxies)
	addr := addrKey(client)
	// Names no account can have are counted per address only: they cost
	// the attacker the same, and they would only fill the account map.
	account := ""
	if register.ValidUsername(in.Username) {
		account = in.Username
	}
	now := time.Now()
	ok, retry, delayAddr := g.addresses.reserve(addr, now)
	if !ok {
		return s.tooManyLogins(r, client.String(), retry)
	}
	var delayAccount time.Duration
	if account != "" {
		if ok, retry, delayAccount = g.accounts.reserve(account, now); !ok {
			// A locked account is not a password guess: the address
			// keeps its count.
			g.addresses.release(addr, now)
			return s.tooManyLogins(r, client.String(), retry)
		}
	}
	release := func() {
		now := time.Now()
		g.addresses.release(addr, now)
		if account != "" {
			g.accounts.release(account, now)
		}
	}

	select {
	case g.hashing <- struct{}{}:
	case <-ctx.Done():
		release()
		return ctx.Err()
	}
	p, err := s.svc.Login(ctx, in.Username, in.Password)
	<-g.hashing
	if register.ErrorCode(err) == register.EUnauthorized {
		// The delay comes from the counts, never from whether the account
		// exists, so it tells an attacker nothing either.
		if d := max(delayAddr, delayAccount); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		s.log.InfoContext(ctx, "login refused", "client", client.String())
		return err
	}
	release()
	if err != nil {
		return err
	}
	token, exp, err := s.cfg.Signer.Issue(*p, s.tokenTTL(), time.Now())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, loginResponse{Token: token, ExpiresAt: exp})
}

func (s *Server) tooManyLogins(r *http.Request, client string, retry time.Duration) error {
	s.log.WarnContext(r.Context(), "login rate-limited", "client", client)
	p := newProblem(http.StatusTooManyRequests, "too many failed logins; try again later")
	p.retryAfter = max(1, int((retry+time.Second-1)/time.Second))
	return p
}

// logout revokes the token the request was made with.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Logout(r.Context(), principal(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.svc.ListUsers(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list[register.Account]{Items: users, Total: len(users), Page: 1, PerPage: len(users)})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	var in register.NewAccount
	if err := decode(w, r, &in); err != nil {
		return err
	}
	a, err := s.svc.CreateUser(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+a.Username)
	return writeJSON(w, http.StatusCreated, a)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteUser(r.Context(), principal(r), r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
