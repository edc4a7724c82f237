package office

// TEMPORARY shim until the sessions branch lands on main: an in-memory
// stand-in for register's OpenSession/ResumeSession/CloseSession/
// ChangePassword and httpkit.LoginGuard. Deleted after the merge.

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

type shimSessions struct {
	svc *register.Service
	mu  sync.Mutex
	m   map[string]shimSess
}

type shimSess struct {
	s *register.Session
	p *identity.Principal
}

func newShimSessions(svc *register.Service) *shimSessions {
	return &shimSessions{svc: svc, m: map[string]shimSess{}}
}

func (x *shimSessions) OpenSession(ctx context.Context, username, password string) (string, *register.Session, *identity.Principal, error) {
	p, err := x.svc.Login(ctx, username, password)
	if err != nil {
		return "", nil, nil, err
	}
	tok, csrf := newLoginToken(), newLoginToken()
	now := time.Now()
	s := &register.Session{ID: newLoginToken()[:8], Username: username, CSRF: csrf, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(time.Hour)}
	x.mu.Lock()
	x.m[tok] = shimSess{s, p}
	x.mu.Unlock()
	return tok, s, p, nil
}

func (x *shimSessions) ResumeSession(ctx context.Context, token string) (*register.Session, *identity.Principal, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	v, ok := x.m[token]
	if !ok {
		return nil, nil, register.Errorf(register.EUnauthorized, "not signed in")
	}
	return v.s, v.p, nil
}

func (x *shimSessions) CloseSession(ctx context.Context, token string) error {
	x.mu.Lock()
	delete(x.m, token)
	x.mu.Unlock()
	return nil
}

func (x *shimSessions) ChangePassword(ctx context.Context, p *identity.Principal, current, next, keep string) error {
	return register.Errorf(register.EForbidden, "shim")
}

type shimGuard struct{ l *httpkit.Limiter }

type shimAttempt struct {
	g    *shimGuard
	addr string
}

func newShimGuard() *shimGuard {
	return &shimGuard{l: httpkit.NewLimiter(httpkit.DefaultLoginLimits().Address, 1000)}
}

func (g *shimGuard) Admit(w http.ResponseWriter, r *http.Request, client netip.Addr, log *slog.Logger) (*shimAttempt, error) {
	addr := httpkit.AddrKey(client)
	if ok, retry, _ := g.l.Reserve(addr, time.Now()); !ok {
		httpkit.LeaveBodyUnread(w)
		p := httpkit.NewProblem(http.StatusTooManyRequests, "too many failed logins; try again later")
		p.RetryAfter = max(1, int(retry/time.Second))
		return nil, p
	}
	return &shimAttempt{g, addr}, nil
}

func (a *shimAttempt) Check(ctx context.Context, username string, check func(context.Context) error) error {
	err := check(ctx)
	if err == nil {
		a.g.l.Release(a.addr, time.Now())
	}
	return err
}
