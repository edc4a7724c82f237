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
	limits      LoginLimits
	// shared counts the per-account failures in the database, for every
	// instance together (nil: this process's counts only).
	shared SharedFailures
}

// SharedFailures keeps failure buckets where every instance of the service
// sees them (the database; sqlstore implements it), so that a guesser gains
// nothing by spreading tries over the instances behind a load balancer.
// Only the per-account limits are shared: they are what protects an
// account, and they are consulted only for requests that reached the
// password check, which the hashing queue already bounds; the per-address
// limit, met before a body is even read, stays in memory so that a flood
// costs no database write.
type SharedFailures interface {
	// AddFailure leaks key's bucket to now at one failure per decay, adds
	// one and returns the new level.
	AddFailure(ctx context.Context, key string, now time.Time, decay time.Duration) (float64, error)
	// FailureLevel returns key's bucket leaked to now, 0 when none.
	FailureLevel(ctx context.Context, key string, now time.Time, decay time.Duration) (float64, error)
	// ClearFailures empties key's bucket.
	ClearFailures(ctx context.Context, key string) error
}

// ShareFailures makes g count per-account failures in sf as well.
func (g *LoginGuard) ShareFailures(sf SharedFailures) { g.shared = sf }

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
		limits:  l,
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
		if retry, err := g.sharedRefusal(ctx, account, a.addr, now); err != nil || retry > 0 {
			g.addresses.Release(a.addr, now)
			if err != nil {
				return err
			}
			return a.tooMany(ctx, retry)
		}
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
	if register.WrongPassword(err) && account != "" {
		a.shareFailure(ctx, account, pair, wide)
	}
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
	if g.shared != nil && account != "" {
		// The owner got in from here: their typos from this address are
		// forgiven, as in memory (the account-wide count is not: others
		// may be guessing elsewhere).
		if err := g.shared.ClearFailures(context.WithoutCancel(ctx), "pair\x00"+pair); err != nil {
			a.log.WarnContext(ctx, "shared login failures", "err", err)
		}
	}
	return nil
}

// sharedRefusal tells, from the failures every instance counted, whether
// account (from this address: pair) is over its limits, and if so when to
// come back. The account-wide limit spares addresses the account used, as
// in memory.
func (g *LoginGuard) sharedRefusal(ctx context.Context, account, addr string, now time.Time) (time.Duration, error) {
	if g.shared == nil {
		return 0, nil
	}
	over := func(key string, l Limit) (time.Duration, error) {
		if l.Burst <= 0 || l.Decay <= 0 {
			return 0, nil
		}
		level, err := g.shared.FailureLevel(ctx, key, now, l.Decay)
		if err != nil || level+1 <= float64(l.Burst) {
			return 0, err
		}
		return time.Duration((level + 1 - float64(l.Burst)) * float64(l.Decay)), nil
	}
	if retry, err := over("pair\x00"+account+"\x00"+addr, g.limits.Account); err != nil || retry > 0 {
		return retry, err
	}
	if g.known.Has(account, addr, now) {
		return 0, nil
	}
	return over("account\x00"+account, g.limits.AccountWide)
}

// shareFailure adds a wrong password to the shared counts. A failure to
// write is logged, not answered: the in-memory counts still hold.
func (a *LoginAttempt) shareFailure(ctx context.Context, account, pair string, wide bool) {
	g := a.g
	if g.shared == nil {
		return
	}
	now := time.Now()
	ctx = context.WithoutCancel(ctx)
	if l := g.limits.Account; l.Burst > 0 && l.Decay > 0 {
		if _, err := g.shared.AddFailure(ctx, "pair\x00"+pair, now, l.Decay); err != nil {
			a.log.WarnContext(ctx, "shared login failures", "err", err)
		}
	}
	if l := g.limits.AccountWide; wide && l.Burst > 0 && l.Decay > 0 {
		if _, err := g.shared.AddFailure(ctx, "account\x00"+account, now, l.Decay); err != nil {
			a.log.WarnContext(ctx, "shared login failures", "err", err)
		}
	}
}

func (a *LoginAttempt) tooMany(ctx context.Context, retry time.Duration) error {
	a.log.WarnContext(ctx, "login rate-limited", "client", a.client.String())
	p := NewProblem(http.StatusTooManyRequests, "too many failed logins; try again later")
	p.RetryAfter = max(1, int((retry+time.Second-1)/time.Second))
	return p
}
