package register

import "time"

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
