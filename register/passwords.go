package register

import "errors"

// Passwords is how the domain hashes, checks and judges passwords. Package
// auth provides the one the service runs with (auth.Argon2id); it is given
// to NewService with WithPasswords so that the domain does not depend on
// argon2 or on the token code that lives beside it.
type Passwords interface {
	// Hash returns a stored form of password.
	Hash(password string) (string, error)
	// Check reports whether password matches hash; malformed is false.
	Check(hash, password string) bool
	// DummyCheck costs what Check costs, for logins of unknown accounts.
	DummyCheck(password string)
	// Problem says what is wrong with a new password, or "".
	Problem(password, username string) string
	// Generate returns a random one-time password.
	Generate() (string, error)
	// WellFormed reports whether hash is one Check accepts within its cost
	// bounds (a restore refuses others).
	WellFormed(hash string) bool
	// MaxLength is the longest password, in bytes, worth hashing.
	MaxLength() int
}

// WithPasswords sets the password scheme (auth.Argon2id{} in the service).
func WithPasswords(p Passwords) Option { return func(s *Service) { s.passwords = p } }

// errNoPasswords is what a service built without WithPasswords answers to
// anything that needs a password: a wiring mistake, not a caller's.
var errNoPasswords = errors.New("register: no password scheme configured (WithPasswords)")

// noPasswords refuses everything, so that a service wired without a scheme
// fails closed.
type noPasswords struct{}

func (noPasswords) Hash(string) (string, error) { return "", errNoPasswords }
func (noPasswords) Check(string, string) bool   { return false }
func (noPasswords) DummyCheck(string)           {}
func (noPasswords) Problem(string, string) string {
	return "cannot be checked: " + errNoPasswords.Error()
}
func (noPasswords) Generate() (string, error) { return "", errNoPasswords }
func (noPasswords) WellFormed(string) bool    { return false }
func (noPasswords) MaxLength() int            { return 0 }
