package register

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
)

// Token lifetimes. Tokens are bearer credentials that only expiry, logout or
// account deletion take back, so they are short; the maximum also bounds how
// long revocation rows must be kept.
const (
	DefaultTokenTTL = time.Hour
	MaxTokenTTL     = 12 * time.Hour
	// revocationSkew widens "issued before the deletion" to cover an
	// issuer whose clock runs ahead of ours (the verifier allows that much).
	revocationSkew = 30 * time.Second
)

// FirstAdmin is the username of the account serve creates on first start.
const FirstAdmin = "admin"

// Account is a local account as the API shows it. The password hash is
// deliberately not a field: it travels only between the store and Login, so
// no encoder, log line or error can ever carry it.
type Account struct {
	Username string        `json:"username"`
	Role     identity.Role `json:"role"`
	Org      string        `json:"org,omitempty"`
	Units    []string      `json:"units,omitempty"`
	// Email is where reminders go ("" for none); it is never logged.
	Email     string    `json:"email,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Disabled accounts keep their history but cannot sign in, and their
	// sessions and tokens ended when they were disabled.
	Disabled   bool       `json:"disabled"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
	// TokensNotBefore refuses the account's API tokens issued before it
	// (zero: none refused this way); see Revoked.
	TokensNotBefore time.Time `json:"-"`
}

// NewAccount is what creating an account takes (POST /api/v1/users).
type NewAccount struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Role     string   `json:"role"`
	Org      string   `json:"org"`
	Units    []string `json:"units"`
	Email    string   `json:"email"`
}

// String, GoString and LogValue leave the password out, so that printing or
// logging a request by mistake does not leak it.
func (n NewAccount) String() string {
	return fmt.Sprintf("{username:%q role:%q org:%q units:%q password:[hidden]}", n.Username, n.Role, n.Org, n.Units)
}

// GoString implements fmt.GoStringer; see String.
func (n NewAccount) GoString() string { return "register.NewAccount" + n.String() }

// LogValue implements slog.LogValuer; see String.
func (n NewAccount) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", n.Username), slog.String("role", n.Role), slog.String("org", n.Org))
}

// SigningKey is the service's own token key, kept in the database so that
// tokens outlive a restart and every process of one deployment shares it.
type SigningKey struct {
	ID        string // kid, derived from the public key
	Algorithm string // "EdDSA"
	Seed      []byte // Ed25519 private key seed, 32 bytes
	CreatedAt time.Time
}

// PrivateKey returns the Ed25519 key of k.
func (k *SigningKey) PrivateKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(k.Seed) }

// AccountStore keeps accounts, revocations and signing keys: the part of
// Store the identity use cases need.
type AccountStore interface {
	// CreateUser inserts an account; a taken username is an EConflict.
	CreateUser(ctx context.Context, a *Account, passwordHash string) error
	// GetUser returns an account and its password hash (ENotFound).
	GetUser(ctx context.Context, username string) (*Account, string, error)
	ListUsers(ctx context.Context) ([]Account, error)
	// UpdateUser writes a's e-mail address, role, organisation, units,
	// disabled mark and TokensNotBefore (ENotFound); never the password.
	UpdateUser(ctx context.Context, a *Account) error
	DeleteUser(ctx context.Context, username string) error
	// SetPassword replaces the password hash of an account (ENotFound).
	SetPassword(ctx context.Context, username, passwordHash string) error

	// RevokeToken puts a token id on the deny-list until expiresAt; doing
	// it twice is not an error.
	RevokeToken(ctx context.Context, subject, jti string, expiresAt time.Time) error
	TokenRevoked(ctx context.Context, subject, jti string) (bool, error)
	// MarkDeleted records that the account username was deleted at at;
	// the mark may be purged after until.
	MarkDeleted(ctx context.Context, username string, at, until time.Time) error
	// DeletedAt returns when username was last deleted, if a mark is kept.
	DeletedAt(ctx context.Context, username string) (time.Time, bool, error)
	// PurgeRevocations removes deny-list rows and deletion marks that
	// expired before now, returning how many.
	PurgeRevocations(ctx context.Context, now time.Time) (int, error)

	// LatestSigningKey returns the newest own key (ENotFound when none).
	LatestSigningKey(ctx context.Context) (*SigningKey, error)
	CreateSigningKey(ctx context.Context, k *SigningKey) error
}

// ValidUsername reports whether s may name an account: 2 to 64 characters
// of a-z, 0-9, '.', '_', '@' and '-' (e-mail addresses fit). A narrow
// alphabet keeps names unambiguous in the audit trail and in tokens.
func ValidUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '.' && c != '_' && c != '@' && c != '-' {
			return false
		}
	}
	return true
}

// Actors the service writes in the audit trail for changes no account
// made. SystemActor signs what the service does by itself (the first
// administrator, the cleaning of stored text); command-line actions are
// signed CommandLinePrefix + the command ("cli:import"), a name no account
// can have, since usernames have no ':'.
const (
	SystemActor       = "system"
	CommandLinePrefix = "cli:"
	// CommandLineRole is the role written beside a command-line actor.
	CommandLineRole = "cli"
)

// reservedUsernames are names the service writes, or wrote before
// command-line actions were marked, as actors in the audit trail, and
// names an operator would read as the service itself. No account, and no
// token subject, may take them.
const reservedUsernames = "system cli import demo migration registre registre-cli service operator anonymous"

// ReservedUsername reports whether name is the service's own: one of the
// reserved names, or a command-line actor.
func ReservedUsername(name string) bool {
	if strings.HasPrefix(name, CommandLinePrefix) {
		return true
	}
	return slices.Contains(strings.Fields(reservedUsernames), name)
}

// CommandLine is the principal of a command-line action: an administrator
// whose audit entries read "cli:<command>" with role "cli", so that nothing
// done through the API can pass for it.
func CommandLine(command string) *identity.Principal {
	return &identity.Principal{Subject: CommandLinePrefix + command, Role: identity.RoleAdmin}
}

// isCommandLine reports whether p is a CommandLine principal.
func isCommandLine(p *identity.Principal) bool {
	return p != nil && strings.HasPrefix(p.Subject, CommandLinePrefix)
}

// checkAccount validates what can be checked without the database.
func checkAccount(pw Passwords, in *NewAccount) []FieldError {
	var fields []FieldError
	add := func(field, msg string) { fields = append(fields, FieldError{Field: field, Message: msg}) }
	switch {
	case !ValidUsername(in.Username):
		add("username", "must be 2 to 64 characters of a-z, 0-9, '.', '_', '@' and '-'")
	case ReservedUsername(in.Username):
		add("username", "is reserved for the service's own entries in the audit trail")
	}
	if bad := pw.Problem(in.Password, in.Username); bad != "" {
		add("password", bad)
	}
	return append(fields, checkProfile(in.Role, in.Org, in.Units, in.Email)...)
}

// checkProfile validates what an account is: its role, organisation,
// units and e-mail address.
func checkProfile(roleName, org string, units []string, email string) []FieldError {
	var fields []FieldError
	add := func(field, msg string) { fields = append(fields, FieldError{Field: field, Message: msg}) }
	role, err := identity.ParseRole(roleName)
	if err != nil {
		add("role", "must be admin, dpo, editor or auditor")
	}
	switch {
	case role == identity.RoleAdmin && org != "":
		add("org", "must be empty for an administrator, who belongs to no organisation")
	case role != identity.RoleAdmin && org == "":
		add("org", "is required")
	case org != "" && !ValidSlug(org):
		add("org", "is not an organisation slug")
	}
	if len(units) > 0 && role != identity.RoleEditor {
		add("units", "only editors have units")
	}
	for i, u := range units {
		if !ValidSlug(u) {
			add(fmt.Sprintf("units[%d]", i), "is not a unit slug")
		} else if slices.Index(units, u) != i {
			add(fmt.Sprintf("units[%d]", i), "is given twice")
		}
	}
	if bad := EmailProblem(email); bad != "" {
		add("email", bad)
	}
	return fields
}

// CreateUser adds a local account (admin).
func (s *Service) CreateUser(ctx context.Context, p *identity.Principal, in NewAccount) (*Account, error) {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return nil, err
	}
	return s.createUser(ctx, p, in)
}

// CreateUserAsOperator adds a local account for the command line, whose
// caller already holds the database; the audit trail signs it
// "cli:user-add".
func (s *Service) CreateUserAsOperator(ctx context.Context, in NewAccount) (*Account, error) {
	return s.createUser(ctx, CommandLine("user-add"), in)
}

func (s *Service) createUser(ctx context.Context, actor *identity.Principal, in NewAccount) (*Account, error) {
	if fields := checkAccount(s.passwords, &in); fields != nil {
		return nil, invalid(fields...)
	}
	// Hash before the transaction: argon2 takes tens of milliseconds, which
	// the write lock should not wait for.
	hash, err := s.passwords.Hash(in.Password)
	if err != nil {
		return nil, invalid(FieldError{Field: "password", Message: "cannot be used"})
	}
	a := &Account{Username: in.Username, Role: identity.Role(in.Role), Org: in.Org, Units: slices.Clone(in.Units), Email: in.Email}
	if err := s.afterDeletionSecond(ctx, in.Username); err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		as := tx
		if err := checkAccountRefs(ctx, tx, a); err != nil {
			return err
		}
		a.CreatedAt = s.clock()
		if deletedAt, found, err := as.DeletedAt(ctx, a.Username); err != nil {
			return err
		} else if found && !a.CreatedAt.Truncate(time.Second).After(deletedAt) {
			// Revoked tells the two accounts' tokens apart by the second
			// of their iat; see afterDeletionSecond.
			return Errorf(EConflict, "an account with this username was deleted a moment ago; try again in a second")
		}
		if err := as.CreateUser(ctx, a, hash); err != nil {
			if ErrorCode(err) == EConflict {
				return Errorf(EConflict, "an account with this username already exists")
			}
			return err
		}
		return s.audit(ctx, tx, actor, a.CreatedAt, a.Org, ActionUserCreate, "user/"+a.Username, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// checkAccountRefs checks that the organisation and units of a exist.
func checkAccountRefs(ctx context.Context, st Store, a *Account) error {
	if a.Org == "" {
		return nil
	}
	if _, err := st.GetOrganisation(ctx, a.Org); err != nil {
		if ErrorCode(err) == ENotFound {
			return invalid(FieldError{Field: "org", Message: "is not a known organisation"})
		}
		return err
	}
	var fields []FieldError
	for i, u := range a.Units {
		if _, err := st.GetUnit(ctx, a.Org, u); err != nil {
			if ErrorCode(err) != ENotFound {
				return err
			}
			fields = append(fields, FieldError{Field: fmt.Sprintf("units[%d]", i), Message: "is not a unit of the organisation"})
		}
	}
	if fields != nil {
		return invalid(fields...)
	}
	return nil
}

// ListUsers lists the local accounts (admin).
func (s *Service) ListUsers(ctx context.Context, p *identity.Principal) ([]Account, error) {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return nil, err
	}
	as := s.store
	return as.ListUsers(ctx)
}

// afterDeletionSecond waits, when username was deleted during the current
// second, until the next one begins. Tokens carry their issue time in whole
// seconds; an account created in a later second than the deletion of its
// predecessor has tokens whose iat no token of the predecessor can have,
// which is what lets Revoked accept the new account's tokens at once and
// refuse the old one's for ever. The wait is at most a second, and only
// right after a deletion.
func (s *Service) afterDeletionSecond(ctx context.Context, username string) error {
	as := s.store
	deletedAt, found, err := as.DeletedAt(ctx, username)
	if err != nil || !found {
		return err
	}
	next := deletedAt.Truncate(time.Second).Add(time.Second)
	wait := next.Sub(s.clock())
	if wait <= 0 || wait > time.Second {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// DeleteUser removes a local account (admin) and takes back every token
// issued to it so far: the username is marked deleted, and tokens of that
// subject issued before the mark are refused until they would have expired
// anyway. Marking deletions rather than checking that a subject exists keeps
// tokens of an external identity provider, whose people have no local
// account, working. The last administrator cannot be deleted (EConflict):
// with none left, only the command line could create accounts again.
func (s *Service) DeleteUser(ctx context.Context, p *identity.Principal, username string) error {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return err
	}
	if !ValidUsername(username) {
		return notFound("account")
	}
	return s.store.InTx(ctx, func(tx Store) error {
		as := tx
		a, _, err := as.GetUser(ctx, username)
		if err != nil {
			if ErrorCode(err) == ENotFound {
				return notFound("account")
			}
			return err
		}
		// Inside the write transaction: two administrators deleting each
		// other at once are serialised, and the second is refused.
		if err := checkAdminRemains(ctx, as, a, "delete"); err != nil {
			return err
		}
		now := s.clock()
		if err := as.DeleteUser(ctx, username); err != nil {
			return err
		}
		// Its back-office sessions end with it, on every instance.
		if _, err := tx.DeleteUserSessions(ctx, username, ""); err != nil {
			return err
		}
		if err := as.MarkDeleted(ctx, username, now, now.Add(MaxTokenTTL+2*revocationSkew)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, now, a.Org, ActionUserDelete, "user/"+username, 0, "")
	})
}

// checkAdminRemains refuses a change that would leave no active
// administrator account: a deleted (change "delete"), disabled ("disable")
// or given another role ("role"). Call it in the write transaction that
// makes the change.
func checkAdminRemains(ctx context.Context, as AccountStore, a *Account, change string) error {
	if a.Role != identity.RoleAdmin || a.Disabled {
		return nil
	}
	users, err := as.ListUsers(ctx)
	if err != nil {
		return err
	}
	others := 0
	for _, u := range users {
		if u.Role == identity.RoleAdmin && !u.Disabled && u.Username != a.Username {
			others++
		}
	}
	if others > 0 {
		return nil
	}
	switch change {
	case "delete":
		return Errorf(EConflict, "this is the last administrator account: create another administrator before deleting it")
	case "disable":
		return Errorf(EConflict, "this is the last active administrator account: create another administrator before disabling it")
	}
	return Errorf(EConflict, "this is the last administrator account: create another administrator before changing its role")
}

// errBadCredentials is the one answer to a failed login, whether the
// account exists or not.
func errBadCredentials() error { return Errorf(EUnauthorized, "wrong username or password") }

// errDisabled is the answer to the right password of a disabled account.
func errDisabled() error {
	return Errorf(EUnauthorized, "this account is disabled; ask an administrator")
}

// Login checks a username and password and returns the principal to issue a
// token for. Unknown accounts cost the same password hashing as known ones,
// and both failures are the same error, so that neither the answer nor its
// timing tells which accounts exist. Only a successful login is audited.
func (s *Service) Login(ctx context.Context, username, password string) (*identity.Principal, error) {
	a, err := s.checkPassword(ctx, username, password)
	if err != nil {
		return nil, err
	}
	p := &identity.Principal{Subject: a.Username, Role: a.Role, Org: a.Org, Units: slices.Clone(a.Units)}
	err = s.store.InTx(ctx, func(tx Store) error {
		return s.audit(ctx, tx, p, s.clock(), a.Org, ActionLogin, "user/"+a.Username, 0, "")
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// checkPassword returns the account of username if password is its
// password, and errBadCredentials otherwise, at the same cost whether the
// account exists or not. Login and OpenSession share it.
func (s *Service) checkPassword(ctx context.Context, username, password string) (*Account, error) {
	// No stored password is longer than MaxPasswordLength, so a longer one
	// is wrong; it is cut only to bound the work of the dummy check.
	// A reserved name's tokens are refused (Revoked), so an account left
	// with one from before the rule gets no token either.
	if !ValidUsername(username) || ReservedUsername(username) || password == "" || len(password) > s.passwords.MaxLength() {
		s.passwords.DummyCheck(password[:min(len(password), s.passwords.MaxLength())])
		return nil, errBadCredentials()
	}
	as := s.store
	a, hash, err := as.GetUser(ctx, username)
	switch {
	case ErrorCode(err) == ENotFound:
		s.passwords.DummyCheck(password)
		return nil, errBadCredentials()
	case err != nil:
		return nil, err
	case !s.passwords.Check(hash, password):
		return nil, errBadCredentials()
	case a.Disabled:
		// Said only to someone who knows the password.
		return nil, errDisabled()
	}
	return a, nil
}

// Logout revokes the caller's token: its id goes on the deny-list until the
// token expires.
func (s *Service) Logout(ctx context.Context, p *identity.Principal) error {
	if err := requireRole(p, identity.Roles()...); err != nil {
		return err
	}
	if p.TokenID == "" {
		return Errorf(EConflict, "this token carries no id (jti) and cannot be revoked; it stays valid until it expires")
	}
	return s.store.InTx(ctx, func(tx Store) error {
		as := tx
		if err := as.RevokeToken(ctx, p.Subject, p.TokenID, p.ExpiresAt); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, s.clock(), p.Org, ActionLogout, "user/"+p.Subject, 0, "")
	})
}

// Revoked reports whether a verified token was taken back: logged out,
// issued to an account deleted since, of an account disabled, or issued
// before the account's TokensNotBefore (disabling, "sign out everywhere",
// a change of role, organisation or units), or naming one of the service's own
// actors as its subject (an identity provider's "system" or "cli:import"
// would sign audit entries as the service). It implements
// server.Revocations.
func (s *Service) Revoked(ctx context.Context, p *identity.Principal) (bool, error) {
	if ReservedUsername(p.Subject) {
		return true, nil
	}
	as := s.store
	if p.TokenID != "" {
		revoked, err := as.TokenRevoked(ctx, p.Subject, p.TokenID)
		if err != nil || revoked {
			return revoked, err
		}
	}
	issued := p.IssuedAt
	if issued.IsZero() {
		// Without iat, assume the worst: issued as long before its expiry
		// as any token may live.
		issued = p.ExpiresAt.Add(-MaxTokenTTL)
	}
	a, _, err := as.GetUser(ctx, p.Subject)
	if err != nil && ErrorCode(err) != ENotFound {
		return false, err
	}
	exists := err == nil
	// iat is in whole seconds: a token issued in the same second as the
	// mark, even just after it, is refused too, which errs on the safe side.
	if exists && (a.Disabled || issued.Before(a.TokensNotBefore)) {
		return true, nil
	}
	deletedAt, found, err := as.DeletedAt(ctx, p.Subject)
	if err != nil || !found {
		return false, err
	}
	// The name was deleted and may have been given to a new account since.
	// Such an account is created in a later second than the deletion
	// (afterDeletionSecond), so a token issued in or after the second of
	// its creation is the new account's; anything earlier was issued
	// before the deletion, to the old account.
	if exists && a.CreatedAt.After(deletedAt) {
		return issued.Before(a.CreatedAt.Truncate(time.Second)), nil
	}
	return !issued.After(deletedAt.Add(revocationSkew)), nil
}

// PurgeRevocations drops deny-list rows and deletion marks no token needs
// any more; serve runs it now and then.
func (s *Service) PurgeRevocations(ctx context.Context) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		n, err = tx.PurgeRevocations(ctx, s.clock())
		return err
	})
	return n, err
}

// EnsureFirstAdmin creates the account "admin" with a generated password
// when no account was ever created, and returns that password once; it
// returns "" on every later call. "Ever" is read from the audit trail, which
// is append-only: deleting every account later does not bring back an
// account with a password printed in some old log.
func (s *Service) EnsureFirstAdmin(ctx context.Context) (string, error) {
	var password string
	err := s.store.InTx(ctx, func(tx Store) error {
		as := tx
		users, err := as.ListUsers(ctx)
		if err != nil || len(users) > 0 {
			return err
		}
		_, created, err := tx.ListAudit(ctx, AuditFilter{Action: ActionUserCreate, Page: 1, PerPage: 1})
		if err != nil || created > 0 {
			return err
		}
		pw, err := s.passwords.Generate()
		if err != nil {
			return err
		}
		hash, err := s.passwords.Hash(pw)
		if err != nil {
			return err
		}
		now := s.clock()
		if err := as.CreateUser(ctx, &Account{Username: FirstAdmin, Role: identity.RoleAdmin, CreatedAt: now}, hash); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, nil, now, "", ActionUserCreate, "user/"+FirstAdmin, 0, "first start"); err != nil {
			return err
		}
		password = pw
		return nil
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

// OwnSigningKey returns the service's own Ed25519 key, creating it on first
// use. The check and the insert share one write transaction, so two
// processes starting together on an empty database end up with one key.
func (s *Service) OwnSigningKey(ctx context.Context) (*SigningKey, error) {
	var key *SigningKey
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		key, err = tx.LatestSigningKey(ctx)
		if ErrorCode(err) != ENotFound {
			return err
		}
		if key, err = newSigningKey(s.clock()); err != nil {
			return err
		}
		if err := tx.CreateSigningKey(ctx, key); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "created the service's own signing key", "kid", key.ID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(key.Seed) != ed25519.SeedSize || key.Algorithm != "EdDSA" {
		return nil, errors.New("stored signing key is not an Ed25519 seed")
	}
	return key, nil
}

func newSigningKey(now time.Time) (*SigningKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	// The kid names the key without revealing anything and cannot collide
	// with an identity provider's by accident.
	return &SigningKey{ID: "registre-" + base64.RawURLEncoding.EncodeToString(sum[:12]),
		Algorithm: "EdDSA", Seed: seed, CreatedAt: now}, nil
}
