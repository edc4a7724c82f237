package register

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
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
	// TouchSession sets seen_at to seenAt if it is still at or before
	// notAfter, so that two instances serving the same browser write once.
	TouchSession(ctx context.Context, tokenHash string, seenAt, notAfter time.Time) error
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

// sessionTouchEvery bounds the writes an active session costs: SeenAt is
// written at most once per this interval, so the idle timeout is measured
// to within it.
const sessionTouchEvery = time.Minute

// sessionTokenBytes is the entropy of a session token and of its CSRF token.
const sessionTokenBytes = 32

// WithSessionTimeouts sets how long a back-office session lasts without a
// request (idle) and at most after sign-in (max); zero or negative keeps
// the default.
func WithSessionTimeouts(idle, max time.Duration) Option {
	return func(s *Service) { s.sessionIdle, s.sessionMax = idle, max }
}

// SessionTimeouts returns the idle and absolute timeouts in force.
func (s *Service) SessionTimeouts() (idle, max time.Duration) {
	idle, max = s.sessionIdle, s.sessionMax
	if idle <= 0 {
		idle = DefaultSessionIdle
	}
	if max <= 0 {
		max = DefaultSessionMax
	}
	return idle, max
}

// randomToken returns sessionTokenBytes random bytes, base64url.
func randomToken() (string, error) {
	b := make([]byte, sessionTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sessionHash returns the key a token is stored under, and false for a
// string that no OpenSession returned (it cannot name a session, and is not
// worth a query).
func sessionHash(token string) (string, bool) {
	if len(token) != base64.RawURLEncoding.EncodedLen(sessionTokenBytes) {
		return "", false
	}
	if _, err := base64.RawURLEncoding.DecodeString(token); err != nil {
		return "", false
	}
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:]), true
}

func errNoSession() error { return Errorf(EUnauthorized, "not signed in, or the session has ended") }

func stampOf(a *Account) SessionStamp {
	return SessionStamp{Role: a.Role, Org: a.Org, Units: slices.Clone(a.Units)}
}

func (st SessionStamp) matches(a *Account) bool {
	return st.Role == a.Role && st.Org == a.Org && slices.Equal(st.Units, a.Units)
}

// OpenSession signs a local account in to the back office: it checks the
// password exactly as Login does (same answer and cost whether the account
// exists or not) and starts a session. token is the secret for the
// browser's cookie; only its SHA-256 is stored. Login throttling is the
// caller's (httpkit.LoginGuard), as for the API's login.
func (s *Service) OpenSession(ctx context.Context, username, password string) (token string, sess *Session, p *identity.Principal, err error) {
	a, err := s.checkPassword(ctx, username, password)
	if err != nil {
		return "", nil, nil, err
	}
	token, err = randomToken()
	if err != nil {
		return "", nil, nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", nil, nil, err
	}
	hash, _ := sessionHash(token)
	_, max := s.SessionTimeouts()
	err = s.store.InTx(ctx, func(tx Store) error {
		// The account may have been deleted or changed while its password
		// was being checked; the session takes what it is now.
		cur, _, err := tx.GetUser(ctx, a.Username)
		if ErrorCode(err) == ENotFound {
			return errBadCredentials()
		}
		if err != nil {
			return err
		}
		if cur.Disabled {
			return errDisabled()
		}
		now := s.clock()
		sess = &Session{ID: newID(), Username: cur.Username, CSRF: csrf, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(max)}
		if err := tx.CreateSession(ctx, hash, sess, stampOf(cur)); err != nil {
			return err
		}
		p = &identity.Principal{Subject: cur.Username, Role: cur.Role, Org: cur.Org, Units: slices.Clone(cur.Units)}
		return s.audit(ctx, tx, p, now, cur.Org, ActionLogin, "user/"+cur.Username, 0, "back office")
	})
	if err != nil {
		return "", nil, nil, err
	}
	p.ExpiresAt = s.sessionEnd(sess)
	return token, sess, p, nil
}

// sessionEnd is when sess ends if no further request comes.
func (s *Service) sessionEnd(sess *Session) time.Time {
	idle, _ := s.SessionTimeouts()
	end := sess.SeenAt.Add(idle)
	if sess.ExpiresAt.Before(end) {
		return sess.ExpiresAt
	}
	return end
}

// ResumeSession returns the session of token and the principal it acts as,
// built from the account as it is now. A token that is unknown, idle or
// past its absolute end, of an account deleted since, or whose role,
// organisation or units changed since sign-in, is EUnauthorized, and its
// row is deleted. An active session's SeenAt moves forward, written at most
// once a minute.
func (s *Service) ResumeSession(ctx context.Context, token string) (*Session, *identity.Principal, error) {
	hash, ok := sessionHash(token)
	if !ok {
		return nil, nil, errNoSession()
	}
	sess, stamp, err := s.store.GetSession(ctx, hash)
	if ErrorCode(err) == ENotFound {
		return nil, nil, errNoSession()
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.clock()
	a, _, err := s.store.GetUser(ctx, sess.Username)
	switch {
	case err != nil && ErrorCode(err) != ENotFound:
		return nil, nil, err
	// An account created after the session is another person's, though
	// under the same name (DeleteUser ends sessions too; this is the
	// second lock).
	case err != nil, !now.Before(s.sessionEnd(sess)), !stamp.matches(a), a.CreatedAt.After(sess.CreatedAt), ReservedUsername(a.Username), a.Disabled:
		if err := s.endSession(ctx, hash); err != nil {
			return nil, nil, err
		}
		return nil, nil, errNoSession()
	}
	if now.Sub(sess.SeenAt) >= sessionTouchEvery {
		err := s.store.InTx(ctx, func(tx Store) error {
			return tx.TouchSession(ctx, hash, now, now.Add(-sessionTouchEvery))
		})
		if err != nil {
			return nil, nil, err
		}
		sess.SeenAt = now
	}
	p := &identity.Principal{Subject: a.Username, Role: a.Role, Org: a.Org, Units: slices.Clone(a.Units), ExpiresAt: s.sessionEnd(sess)}
	return sess, p, nil
}

// endSession deletes an ended session's row; nothing is audited, since
// nobody acted.
func (s *Service) endSession(ctx context.Context, hash string) error {
	return s.store.InTx(ctx, func(tx Store) error {
		_, err := tx.DeleteSession(ctx, hash)
		return err
	})
}

// CloseSession signs out: the session of token ends on every instance. An
// unknown or ended token is not an error (signing out twice is harmless).
func (s *Service) CloseSession(ctx context.Context, token string) error {
	hash, ok := sessionHash(token)
	if !ok {
		return nil
	}
	return s.store.InTx(ctx, func(tx Store) error {
		sess, stamp, err := tx.GetSession(ctx, hash)
		if ErrorCode(err) == ENotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.DeleteSession(ctx, hash); err != nil {
			return err
		}
		p := &identity.Principal{Subject: sess.Username, Role: stamp.Role, Org: stamp.Org}
		return s.audit(ctx, tx, p, s.clock(), stamp.Org, ActionLogout, "user/"+sess.Username, 0, "back office")
	})
}

// ChangePassword sets a new password for p's own local account. current
// must be its password now (checked at the same cost whether it is right
// or not), next must pass the policy of account creation. Every other
// session of the account ends; the one of keepToken (the caller's) stays.
// Tokens already issued by the API are not revoked: they end within
// MaxTokenTTL.
func (s *Service) ChangePassword(ctx context.Context, p *identity.Principal, current, next string, keepToken string) error {
	if err := requireRole(p, identity.Roles()...); err != nil {
		return err
	}
	if isCommandLine(p) || ReservedUsername(p.Subject) || !ValidUsername(p.Subject) {
		return Errorf(EForbidden, "only a local account can change its password here")
	}
	a, hash, err := s.store.GetUser(ctx, p.Subject)
	if ErrorCode(err) == ENotFound {
		// A person of an external identity provider: its password is kept
		// there.
		return Errorf(EForbidden, "only a local account can change its password here")
	}
	if err != nil {
		return err
	}
	var fields []FieldError
	max := s.passwords.MaxLength()
	if current == "" || len(current) > max {
		s.passwords.DummyCheck(current[:min(len(current), max)])
		fields = append(fields, FieldError{Field: "current_password", Message: "is not your current password"})
	} else if !s.passwords.Check(hash, current) {
		fields = append(fields, FieldError{Field: "current_password", Message: "is not your current password"})
	}
	if bad := s.passwords.Problem(next, a.Username); bad != "" {
		fields = append(fields, FieldError{Field: "new_password", Message: bad})
	} else if next == current {
		fields = append(fields, FieldError{Field: "new_password", Message: "must differ from your current password"})
	}
	if fields != nil {
		return invalid(fields...)
	}
	newHash, err := s.passwords.Hash(next)
	if err != nil {
		return invalid(FieldError{Field: "new_password", Message: "cannot be used"})
	}
	keep, _ := sessionHash(keepToken)
	return s.store.InTx(ctx, func(tx Store) error {
		// Changed in the meantime: another administrator's decision (or a
		// new account under the name) wins over this request.
		cur, curHash, err := tx.GetUser(ctx, a.Username)
		if ErrorCode(err) == ENotFound {
			return errNoSession()
		}
		if err != nil {
			return err
		}
		if curHash != hash || !cur.CreatedAt.Equal(a.CreatedAt) {
			return Errorf(EConflict, "the account was changed meanwhile; sign in again")
		}
		if err := tx.SetPassword(ctx, a.Username, newHash); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, a.Username, keep); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.clock(), cur.Org, ActionPasswordChange, "user/"+a.Username, 0, "")
	})
}

// WrongPassword reports whether err says that a password given was not the
// account's: a refused sign-in (EUnauthorized), or a password change whose
// current password was wrong. Login throttling counts exactly these as
// failures, so that a borrowed session cannot guess its account's password
// through the change form any faster than through the sign-in form.
func WrongPassword(err error) bool {
	e, ok := AsError(err)
	switch {
	case !ok:
		return false
	case e.Code == EUnauthorized:
		return true
	case e.Code == EInvalid:
		return slices.ContainsFunc(e.Fields, func(f FieldError) bool { return f.Field == "current_password" })
	}
	return false
}

// PurgeSessions deletes the rows of ended sessions; serve runs it now and
// then. Ended sessions are refused anyway: this only keeps the table small.
func (s *Service) PurgeSessions(ctx context.Context) (int, error) {
	idle, _ := s.SessionTimeouts()
	var n int
	err := s.store.InTx(ctx, func(tx Store) error {
		now := s.clock()
		var err error
		n, err = tx.PurgeSessions(ctx, now, now.Add(-idle))
		return err
	})
	return n, err
}
