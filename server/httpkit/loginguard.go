package httpkit

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"github.com/registre/registre/register"
)

// LoginGuard holds what password sign-ins need between requests: the
// failure limiters, the addresses each account signed in from, and the
// queue of password checks. Each argon2id check takes 19 MiB and tens of
// milliseconds; the queue bounds how many run at once and serves addresses
// in turn, so that a flood from some addresses does not starve the others.
//
// One guard serves every way in with a password (POST /api/v1/auth/login
// and the back office's sign-in form), so that a guesser gains nothing by
// switching from one to the other. A sign-in goes through it in two steps:
// Admit, before the request body is read, then LoginAttempt.Check around
// the password check.
type LoginGuard struct {
	pairs       *Limiter // per account and address
	addresses   *Limiter
	accountWide *Limiter // per account, all addresses
	known       *KnownAddrs
	hashing     *HashQueue
}

// NewLoginGuard returns a guard with limits l; the zero LoginLimits means
// DefaultLoginLimits.
func NewLoginGuard(l LoginLimits) *LoginGuard {
	if l == (LoginLimits{}) {
		l = DefaultLoginLimits()
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultLoginLimits().MaxEntries
	}
	if l.KnownFor <= 0 {
		l.KnownFor = DefaultLoginLimits().KnownFor
	}
	slots := max(2, runtime.GOMAXPROCS(0))
	return &LoginGuard{
		pairs:       NewLimiter(l.Account, l.MaxEntries),
		addresses:   NewLimiter(l.Address, l.MaxEntries),
		accountWide: NewLimiter(l.AccountWide, l.MaxEntries),
		known:       NewKnownAddrs(l.KnownFor, l.MaxEntries),
		// Two waiting per address is more than a person ever sends; 256
		// waiting in all is a few seconds of checks.
		hashing: NewHashQueue(slots, 256, 2),
	}
}

// LoginAttempt is one sign-in admitted by LoginGuard.Admit. Until Check
// succeeds it counts as a failure of its address.
type LoginAttempt struct {
	g         *LoginGuard
	log       *slog.Logger
	client    netip.Addr
	addr      string // client's limiter key
	delayAddr time.Duration
}

// Admit counts a sign-in attempt from client, before its body is read:
// every attempt counts as a failure until it succeeds, so that many sent
// at once cannot all pass before the first failure is recorded. An address
// over its limit is refused with a 429 problem carrying Retry-After, and
// its connection closes without the body being read. log receives the
// refusals (never a username or password). An attempt that is
// admitted but never reaches Check (a malformed body) stays counted.
func (g *LoginGuard) Admit(w http.ResponseWriter, r *http.Request, client netip.Addr, log *slog.Logger) (*LoginAttempt, error) {
	a := &LoginAttempt{g: g, log: log, client: client, addr: AddrKey(client)}
	ok, retry, delay := g.addresses.Reserve(a.addr, time.Now())
	if !ok {
		LeaveBodyUnread(w)
		return nil, a.tooMany(r.Context(), retry)
	}
	a.delayAddr = delay
	return a, nil
}

// Check runs check, the password check for username, under the limits:
// per account and address, and per account from every address except the
// addresses the account signed in from before; then in the fair queue of
// password checks. check is a sign-in (Service.Login, OpenSession) or a
// password change (Service.ChangePassword, username being the signed-in
// account). When check fails with a wrong password (register.WrongPassword:
// EUnauthorized, or a wrong current password), the answer is held
// back by the delay the counts call for (never by whether the account
// exists) and the failures stay counted. Any other outcome gives the counts
// back; a success also remembers the address for the account. Check
// returns check's error, or the problem that kept it from running.
func (a *LoginAttempt) Check(ctx context.Context, username string, check func(ctx context.Context) error) error {
	g := a.g
	// Names no account can have are counted per address only: they cost
	// the attacker the same, and they would only fill the account maps.
	account := ""
	if register.ValidUsername(username) {
		account = username
	}
	pair := account + "\x00" + a.addr
	now := time.Now()
	var delayPair, delayWide time.Duration
	wide := false  // counted against the account from everywhere
	known := false // the account signed in from this address before
	if account != "" {
		var ok bool
		var retry time.Duration
		if ok, retry, delayPair = g.pairs.Reserve(pair, now); !ok {
			// A locked account is not a password guess: the address
			// keeps its count.
			g.addresses.Release(a.addr, now)
			return a.tooMany(ctx, retry)
		}
		// Addresses the account signed in from are not refused by the
		// account-wide limit: that is how its owner still gets in while
		// someone else guesses from many addresses.
		known = g.known.Has(account, a.addr, now)
		if !known {
			if ok, retry, delayWide = g.accountWide.Reserve(account, now); !ok {
				g.addresses.Release(a.addr, now)
				g.pairs.Release(pair, now)
				return a.tooMany(ctx, retry)
			}
			wide = true
		}
	}
	release := func() {
		now := time.Now()
		g.addresses.Release(a.addr, now)
		if account != "" {
			g.pairs.Release(pair, now)
		}
		if wide {
			g.accountWide.Release(account, now)
		}
	}

	if err := g.hashing.Acquire(ctx, a.addr, known); err != nil {
		release()
		if p := ProblemFor(err); p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
			a.log.WarnContext(ctx, "login queue full", "client", a.client.String(), "status", p.Status)
		}
		return err
	}
	err := check(ctx)
	g.hashing.Release()
	if register.WrongPassword(err) {
		// The delay is served after the check, outside the queue.
		if d := max(a.delayAddr, delayPair, delayWide); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		a.log.InfoContext(ctx, "login refused", "client", a.client.String())
		return err
	}
	release()
	if err != nil {
		return err
	}
	g.known.Add(account, a.addr, time.Now())
	return nil
}

func (a *LoginAttempt) tooMany(ctx context.Context, retry time.Duration) error {
	a.log.WarnContext(ctx, "login rate-limited", "client", a.client.String())
	p := NewProblem(http.StatusTooManyRequests, "too many failed logins; try again later")
	p.RetryAfter = max(1, int((retry+time.Second-1)/time.Second))
	return p
}
