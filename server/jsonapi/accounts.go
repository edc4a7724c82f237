package jsonapi

import (
	"net/http"
	"runtime"
	"time"

	"github.com/registre/registre/register"

	"github.com/registre/registre/server/httpkit"
)

// loginGuard holds what login needs between requests: the failure
// limiters, the addresses each account signed in from, and the queue of
// password checks. Each argon2id check takes 19 MiB and tens of
// milliseconds; the queue bounds how many run at once and serves addresses
// in turn, so that a flood from some addresses does not starve the others.
type loginGuard struct {
	pairs       *httpkit.Limiter // per account and address
	addresses   *httpkit.Limiter
	accountWide *httpkit.Limiter // per account, all addresses
	known       *httpkit.KnownAddrs
	hashing     *httpkit.HashQueue
}

// loginJSON bounds a login body: two short strings (a password is at most
// auth.MaxPasswordLength bytes; the cap leaves room for JSON escapes).
func loginJSON() httpkit.JSONLimits {
	return httpkit.JSONLimits{MaxBytes: 8 << 10, MaxDepth: 1, MaxValues: 8, MaxName: 32}
}

func newLoginGuard(cfg Config) *loginGuard {
	l := cfg.LoginLimits
	if l == (httpkit.LoginLimits{}) {
		l = httpkit.DefaultLoginLimits()
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = httpkit.DefaultLoginLimits().MaxEntries
	}
	if l.KnownFor <= 0 {
		l.KnownFor = httpkit.DefaultLoginLimits().KnownFor
	}
	slots := max(2, runtime.GOMAXPROCS(0))
	return &loginGuard{
		pairs:       httpkit.NewLimiter(l.Account, l.MaxEntries),
		addresses:   httpkit.NewLimiter(l.Address, l.MaxEntries),
		accountWide: httpkit.NewLimiter(l.AccountWide, l.MaxEntries),
		known:       httpkit.NewKnownAddrs(l.KnownFor, l.MaxEntries),
		// Two waiting per address is more than a person ever sends; 256
		// waiting in all is a few seconds of checks.
		hashing: httpkit.NewHashQueue(slots, 256, 2),
	}
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
// addresses the account signed in from before (httpkit/ratelimit.go).
func (s *API) Login(w http.ResponseWriter, r *http.Request) error {
	// The answer holds a token: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	if s.cfg.Signer == nil {
		return httpkit.NewProblem(http.StatusServiceUnavailable, "local login is not available: the service has no key to sign tokens with")
	}
	ctx := r.Context()
	g := s.logins
	client := httpkit.ClientAddr(r, s.cfg.TrustedProxies)
	addr := httpkit.AddrKey(client)
	// Every attempt counts as a failure until it succeeds, so that many
	// attempts sent at once cannot all pass before the first failure is
	// recorded; an address over its limit is refused before its body is
	// read.
	ok, retry, delayAddr := g.addresses.Reserve(addr, time.Now())
	if !ok {
		httpkit.LeaveBodyUnread(w)
		return s.tooManyLogins(r, client.String(), retry)
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

	// Names no account can have are counted per address only: they cost
	// the attacker the same, and they would only fill the account maps.
	account := ""
	if register.ValidUsername(in.Username) {
		account = in.Username
	}
	pair := account + "\x00" + addr
	now := time.Now()
	var delayPair, delayWide time.Duration
	wide := false  // counted against the account from everywhere
	known := false // the account signed in from this address before
	if account != "" {
		if ok, retry, delayPair = g.pairs.Reserve(pair, now); !ok {
			// A locked account is not a password guess: the address
			// keeps its count.
			g.addresses.Release(addr, now)
			return s.tooManyLogins(r, client.String(), retry)
		}
		// Addresses the account signed in from are not refused by the
		// account-wide limit: that is how its owner still gets in while
		// someone else guesses from many addresses.
		known = g.known.Has(account, addr, now)
		if !known {
			if ok, retry, delayWide = g.accountWide.Reserve(account, now); !ok {
				g.addresses.Release(addr, now)
				g.pairs.Release(pair, now)
				return s.tooManyLogins(r, client.String(), retry)
			}
			wide = true
		}
	}
	release := func() {
		now := time.Now()
		g.addresses.Release(addr, now)
		if account != "" {
			g.pairs.Release(pair, now)
		}
		if wide {
			g.accountWide.Release(account, now)
		}
	}

	if err := g.hashing.Acquire(ctx, addr, known); err != nil {
		release()
		if p := httpkit.ProblemFor(err); p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
			s.log.WarnContext(ctx, "login queue full", "client", client.String(), "status", p.Status)
		}
		return err
	}
	p, err := s.svc.Login(ctx, in.Username, in.Password)
	g.hashing.Release()
	if register.ErrorCode(err) == register.EUnauthorized {
		// The delay comes from the counts, never from whether the account
		// exists, so it tells an attacker nothing either. It is served
		// after the check, outside the queue.
		if d := max(delayAddr, delayPair, delayWide); d > 0 {
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
	g.known.Add(account, addr, time.Now())
	token, exp, err := s.cfg.Signer.Issue(*p, s.tokenTTL(), time.Now())
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, LoginResponse{Token: token, ExpiresAt: exp})
}

func (s *API) tooManyLogins(r *http.Request, client string, retry time.Duration) error {
	s.log.WarnContext(r.Context(), "login rate-limited", "client", client)
	p := httpkit.NewProblem(http.StatusTooManyRequests, "too many failed logins; try again later")
	p.RetryAfter = max(1, int((retry+time.Second-1)/time.Second))
	return p
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

func (s *API) DeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteUser(r.Context(), principal(r), r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
