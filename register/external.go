package register

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Sign-in through an OpenID provider (server/office/oidc.go checks the
// provider's answer; this file decides who the person is in Registre).

// ExternalLogin is a sign-in under way at the provider: what the ID token
// must repeat (Nonce), the PKCE verifier, and where to go afterwards.
type ExternalLogin struct {
	Nonce     string
	Verifier  string
	Next      string
	CreatedAt time.Time
}

// ExternalLoginTTL is how long a sign-in may stay at the provider.
const ExternalLoginTTL = 10 * time.Minute

// Subject sources: who said which account a provider's subject is.
const (
	SourceAdmin  = "admin"  // an administrator assigned it
	SourceClaims = "claims" // the configured claims created the account
)

// ExternalSubject is a person of the provider who signed in at least once.
type ExternalSubject struct {
	Issuer   string `json:"issuer"`
	Subject  string `json:"subject"`
	Username string `json:"username,omitempty"` // "" until assigned
	Source   string `json:"source,omitempty"`
	// What the provider said at the last sign-in, to recognise the person.
	Email     string    `json:"email,omitempty"`
	Name      string    `json:"name,omitempty"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// ExternalIdentity is who the provider says signed in, once the relying
// party has checked the ID token (issuer, audience, expiry, nonce).
type ExternalIdentity struct {
	Issuer, Subject string
	Email, Name     string
	// Claims is the profile the configured claims give; nil when the
	// service reads no claims, or the token carries no role claim.
	Claims *ClaimedProfile
}

// ClaimedProfile is a role, organisation and units read from claims.
type ClaimedProfile struct {
	Role  string
	Org   string
	Units []string
}

// IdentityStore keeps the provider's subjects and sign-ins under way.
type IdentityStore interface {
	// CreateExternalLogin stores l under the SHA-256 of its state.
	CreateExternalLogin(ctx context.Context, stateHash string, l *ExternalLogin) error
	// TakeExternalLogin returns and deletes the sign-in of stateHash
	// (ENotFound): a state is good once.
	TakeExternalLogin(ctx context.Context, stateHash string) (*ExternalLogin, error)
	// PurgeExternalLogins deletes sign-ins begun before before.
	PurgeExternalLogins(ctx context.Context, before time.Time) (int, error)
	GetSubject(ctx context.Context, issuer, subject string) (*ExternalSubject, error)
	// PutSubject inserts or replaces a subject.
	PutSubject(ctx context.Context, s *ExternalSubject) error
	ListSubjects(ctx context.Context) ([]ExternalSubject, error)
	// UnassignSubjects clears every subject assigned to username.
	UnassignSubjects(ctx context.Context, username string) error
	// ListSessions lists the sessions still running at now (not idle
	// since before idleBefore), without their secrets.
	ListSessions(ctx context.Context, now, idleBefore time.Time) ([]Session, error)
}

// errUnassignedMsg is the answer to a person the provider knows and
// Registre does not (yet): an administrator must assign the subject.
const errUnassignedMsg = "you are known to the identity provider but have no access to the register yet: ask your administrator"

// IsUnassigned reports whether err is the answer to a person nobody has
// given access to yet.
func IsUnassigned(err error) bool {
	e, ok := AsError(err)
	return ok && e.Code == EForbidden && e.Message == errUnassignedMsg
}

// WithLocalLogin turns local passwords on or off (REGISTRE_LOCAL_LOGIN):
// off, neither the sign-in form nor the API's login accepts a password.
func WithLocalLogin(on bool) Option { return func(s *Service) { s.localOff = !on } }

// LocalLogin reports whether local passwords are accepted.
func (s *Service) LocalLogin() bool { return !s.localOff }

func errLocalOff() error {
	return Errorf(EForbidden, "sign-in with a local password is turned off: sign in through the identity provider")
}

func stateHash(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// BeginExternalLogin starts a sign-in at the provider: it returns the
// state (for the URL and the browser's cookie), the nonce and the PKCE
// verifier, the last two kept until the provider answers.
func (s *Service) BeginExternalLogin(ctx context.Context, next string) (state, nonce, verifier string, err error) {
	if state, err = randomToken(); err != nil {
		return "", "", "", err
	}
	if nonce, err = randomToken(); err != nil {
		return "", "", "", err
	}
	// RFC 7636: 43 to 128 characters of [A-Za-z0-9-._~]; base64url of 32
	// bytes is 43.
	if verifier, err = randomToken(); err != nil {
		return "", "", "", err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		now := s.clock()
		if _, err := tx.PurgeExternalLogins(ctx, now.Add(-ExternalLoginTTL)); err != nil {
			return err
		}
		return tx.CreateExternalLogin(ctx, stateHash(state), &ExternalLogin{Nonce: nonce, Verifier: verifier, Next: next, CreatedAt: now})
	})
	if err != nil {
		return "", "", "", err
	}
	return state, nonce, verifier, nil
}

// TakeExternalLogin returns the sign-in of state and forgets it, so that
// the provider's answer is used once. An unknown or expired state is
// EUnauthorized.
func (s *Service) TakeExternalLogin(ctx context.Context, state string) (*ExternalLogin, error) {
	if _, ok := sessionHash(state); !ok {
		return nil, errBadState()
	}
	var l *ExternalLogin
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		l, err = tx.TakeExternalLogin(ctx, stateHash(state))
		if ErrorCode(err) == ENotFound {
			return errBadState()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.clock().Sub(l.CreatedAt) > ExternalLoginTTL {
		return nil, errBadState()
	}
	return l, nil
}

func errBadState() error {
	return Errorf(EUnauthorized, "this sign-in was not started here, was used already or took too long: start again")
}

// OpenExternalSession opens a back-office session for a person the
// provider vouched for. Who they are here comes from the subject's
// assignment by an administrator; failing that, from the configured
// claims (an account is created, and kept in line with the claims at each
// sign-in); failing both, the subject is recorded for an administrator to
// assign and the answer is IsUnassigned.
func (s *Service) OpenExternalSession(ctx context.Context, ext ExternalIdentity) (token string, sess *Session, p *identity.Principal, err error) {
	if ext.Issuer == "" || ext.Subject == "" {
		return "", nil, nil, Errorf(EUnauthorized, "the identity provider named nobody")
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
	unassigned := false
	err = s.store.InTx(ctx, func(tx Store) error {
		now := s.clock()
		sub, err := tx.GetSubject(ctx, ext.Issuer, ext.Subject)
		switch {
		case ErrorCode(err) == ENotFound:
			sub = &ExternalSubject{Issuer: ext.Issuer, Subject: ext.Subject, FirstSeen: now}
		case err != nil:
			return err
		}
		sub.Email, sub.Name, sub.LastSeen = clip(ext.Email, MaxEmailLength), clip(ext.Name, 200), now
		a, err := s.subjectAccount(ctx, tx, sub, ext, now)
		if err != nil {
			return err
		}
		if err := tx.PutSubject(ctx, sub); err != nil {
			return err
		}
		if a == nil {
			unassigned = true
			return nil
		}
		if a.Disabled {
			return errDisabled()
		}
		sess = &Session{ID: newID(), Username: a.Username, CSRF: csrf, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(max)}
		if err := tx.CreateSession(ctx, hash, sess, stampOf(a)); err != nil {
			return err
		}
		p = &identity.Principal{Subject: a.Username, Role: a.Role, Org: a.Org, Units: slices.Clone(a.Units)}
		return s.audit(ctx, tx, p, now, a.Org, ActionLogin, "user/"+a.Username, 0, "back office, identity provider")
	})
	if err != nil {
		return "", nil, nil, err
	}
	if unassigned {
		// Committed: the subject is now in the administrator's list.
		return "", nil, nil, Errorf(EForbidden, "%s", errUnassignedMsg)
	}
	p.ExpiresAt = s.sessionEnd(sess)
	return token, sess, p, nil
}

// subjectAccount returns the account sub signs in as, nil when none:
// assigned by an administrator, or made from the claims.
func (s *Service) subjectAccount(ctx context.Context, tx Store, sub *ExternalSubject, ext ExternalIdentity, now time.Time) (*Account, error) {
	if sub.Username != "" {
		a, _, err := tx.GetUser(ctx, sub.Username)
		switch {
		case ErrorCode(err) == ENotFound:
			sub.Username, sub.Source = "", "" // the account was deleted since
		case err != nil:
			return nil, err
		case sub.Source == SourceClaims && ext.Claims != nil:
			return s.followClaims(ctx, tx, a, ext.Claims, now)
		default:
			return a, nil
		}
	}
	if ext.Claims == nil || !s.claimsUsable(ctx, tx, ext.Claims) {
		return nil, nil
	}
	name, err := s.claimsUsername(ctx, tx, ext)
	if err != nil {
		return nil, err
	}
	c := ext.Claims
	a := &Account{Username: name, Role: identity.Role(c.Role), Org: c.Org, Units: slices.Clone(c.Units), Email: emailIfValid(ext.Email), CreatedAt: now}
	if len(a.Units) == 0 {
		a.Units = nil
	}
	// No password: such an account signs in through the provider only.
	if err := tx.CreateUser(ctx, a, ""); err != nil {
		return nil, err
	}
	sub.Username, sub.Source = name, SourceClaims
	sys := &identity.Principal{Subject: SystemActor, Role: identity.RoleAdmin}
	if err := s.audit(ctx, tx, sys, now, a.Org, ActionUserCreate, "user/"+name, 0, "from the identity provider's claims"); err != nil {
		return nil, err
	}
	return a, nil
}

// claimsUsable reports whether c describes an account that may exist.
func (s *Service) claimsUsable(ctx context.Context, tx Store, c *ClaimedProfile) bool {
	if checkProfile(c.Role, c.Org, c.Units, "") != nil {
		return false
	}
	return checkAccountRefs(ctx, tx, &Account{Org: c.Org, Units: c.Units}) == nil
}

// followClaims brings an account made from claims in line with them: the
// provider decides its role. Claims that no longer describe a valid
// account leave it without access (nil), until they do again.
func (s *Service) followClaims(ctx context.Context, tx Store, a *Account, c *ClaimedProfile, now time.Time) (*Account, error) {
	if !s.claimsUsable(ctx, tx, c) {
		return nil, nil
	}
	next := *a
	next.Role, next.Org, next.Units = identity.Role(c.Role), c.Org, slices.Clone(c.Units)
	if len(next.Units) == 0 {
		next.Units = nil
	}
	if next.Role == a.Role && next.Org == a.Org && slices.Equal(next.Units, a.Units) {
		return a, nil
	}
	if next.Role != a.Role {
		if err := checkAdminRemains(ctx, tx, a, "role"); err != nil {
			return nil, err
		}
	}
	next.TokensNotBefore = now
	if err := tx.UpdateUser(ctx, &next); err != nil {
		return nil, err
	}
	sys := &identity.Principal{Subject: SystemActor, Role: identity.RoleAdmin}
	if err := s.audit(ctx, tx, sys, now, next.Org, ActionUserUpdate, "user/"+a.Username, 0, profileChange(a, &next)+" (identity provider's claims)"); err != nil {
		return nil, err
	}
	return &next, nil
}

// claimsUsername picks the name of an account made from claims: the
// e-mail address when it is a free username, else one derived from the
// subject. A name taken, reserved or deleted lately is never reused: the
// new person must not inherit anything of another.
func (s *Service) claimsUsername(ctx context.Context, tx Store, ext ExternalIdentity) (string, error) {
	if c := strings.ToLower(ext.Email); ValidUsername(c) && !ReservedUsername(c) {
		_, _, err := tx.GetUser(ctx, c)
		if ErrorCode(err) == ENotFound {
			_, deleted, err := tx.DeletedAt(ctx, c)
			if err != nil {
				return "", err
			}
			if !deleted {
				return c, nil
			}
		} else if err != nil {
			return "", err
		}
	}
	sum := sha256.Sum256([]byte(ext.Issuer + "\x00" + ext.Subject))
	return "sso-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10])), nil
}

func emailIfValid(e string) string {
	if EmailProblem(e) != "" {
		return ""
	}
	return e
}

// clip cuts s to at most n bytes, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ListSubjects lists the provider's people who signed in, assigned or
// not (admin).
func (s *Service) ListSubjects(ctx context.Context, p *identity.Principal) ([]ExternalSubject, error) {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return nil, err
	}
	return s.store.ListSubjects(ctx)
}

// AssignSubject says which account a provider's subject is (admin);
// username "" takes the assignment back. The subject must have signed in
// once (so that it is the provider's, not a typing error). The account's
// sessions opened through the subject end when it is taken back.
func (s *Service) AssignSubject(ctx context.Context, p *identity.Principal, issuer, subject, username string) error {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		sub, err := tx.GetSubject(ctx, issuer, subject)
		if ErrorCode(err) == ENotFound {
			return notFound("subject")
		}
		if err != nil {
			return err
		}
		org := ""
		if username != "" {
			a, _, err := tx.GetUser(ctx, username)
			if ErrorCode(err) == ENotFound {
				return invalid(FieldError{Field: "username", Message: "is not an account"})
			}
			if err != nil {
				return err
			}
			org = a.Org
		}
		if sub.Username == username {
			return nil
		}
		old := sub.Username
		sub.Username, sub.Source = username, SourceAdmin
		if username == "" {
			sub.Source = ""
		}
		if err := tx.PutSubject(ctx, sub); err != nil {
			return err
		}
		now := s.clock()
		if old != "" {
			// Whoever signed in through this subject is no longer that
			// account: its sessions end (those by password too, which is
			// the safe side).
			if _, err := tx.DeleteUserSessions(ctx, old, ""); err != nil {
				return err
			}
		}
		comment := "subject " + subject + " of " + issuer
		if username == "" {
			return s.audit(ctx, tx, p, now, "", ActionSubjectUnassign, "user/"+old, 0, comment)
		}
		return s.audit(ctx, tx, p, now, org, ActionSubjectAssign, "user/"+username, 0, comment)
	})
}

// ListSessions lists who is signed in to the back office (admin).
func (s *Service) ListSessions(ctx context.Context, p *identity.Principal) ([]Session, error) {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return nil, err
	}
	idle, _ := s.SessionTimeouts()
	now := s.clock()
	return s.store.ListSessions(ctx, now, now.Add(-idle))
}
