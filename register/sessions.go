package register

import (
	"context"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Session is a back-office session: a browser signed in with a local
// account. The service keeps sessions in the database, so that signing out,
// deleting or disabling an account, or changing its role ends them at once
// on every instance. The secret the browser holds (the cookie's value) is
// never stored: only its SHA-256.
type Session struct {
	ID        string // a public handle: audit entries, "who is signed in"
	Username  string
	CSRF      string    // the token every form of this session carries
	CreatedAt time.Time //
	SeenAt    time.Time // the last request; the idle timeout runs from it
	ExpiresAt time.Time // the absolute end, whatever the activity
}

// Session timeouts: a session ends after SessionIdle without a request, and
// SessionMax after sign-in in any case (WithSessionTimeouts changes them).
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// SessionStamp is what the account was when the session began. A session
// whose account no longer has this role, organisation and these units is
// ended at its next request: a role change takes effect at once.
type SessionStamp struct {
	Role  identity.Role
	Org   string
	Units []string
}

// SessionStore keeps back-office sessions, by the SHA-256 of their secret
// token (hex), which is all the database ever holds of it.
type SessionStore interface {
	// CreateSession inserts s under tokenHash.
	CreateSession(ctx context.Context, tokenHash string, s *Session, stamp SessionStamp) error
	// GetSession returns the session of tokenHash (ENotFound).
	GetSession(ctx context.Context, tokenHash string) (*Session, SessionStamp, error)
	// TouchSession sets seen_at to seenAt if it is still before
	// ifBefore, so that two instances serving the same browser write once.
	TouchSession(ctx context.Context, tokenHash string, seenAt, ifBefore time.Time) error
	// DeleteSession removes one session; an unknown one is not an error.
	// It reports whether there was one.
	DeleteSession(ctx context.Context, tokenHash string) (bool, error)
	// DeleteUserSessions removes every session of username except the one
	// of exceptHash ("" for none), returning how many.
	DeleteUserSessions(ctx context.Context, username, exceptHash string) (int, error)
	// PurgeSessions removes sessions whose absolute end is before now or
	// that were last seen before idleBefore, returning how many.
	PurgeSessions(ctx context.Context, now, idleBefore time.Time) (int, error)
}
