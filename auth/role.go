package auth

import (
	"context"
	"errors"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is closed: only the four constants below exist, so a switch over roles
// can be exhaustive and a token can never invent a fifth one.
type Role string

// The roles of the API, from most to least powerful in one organisation.
const (
	RoleAdmin   Role = "admin"
	RoleDPO     Role = "dpo"
	RoleEditor  Role = "editor"
	RoleAuditor Role = "auditor"
)

// ErrInvalidRole is returned by ParseRole. It carries no copy of the input so
// that it can travel into logs and responses without echoing caller data.
var ErrInvalidRole = errors.New("invalid role: want admin, dpo, editor or auditor")

// Valid reports whether r is one of the four roles, compared exactly: "Admin"
// is not a role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleDPO, RoleEditor, RoleAuditor:
		return true
	}
	return false
}

// ParseRole accepts exactly the spelling of a role constant.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", ErrInvalidRole
	}
	return r, nil
}

// Roles returns every role, in a new slice the caller may keep or change.
func Roles() []Role {
	return []Role{RoleAdmin, RoleDPO, RoleEditor, RoleAuditor}
}

// Principal is the authenticated caller.
type Principal struct {
	Subject   string    // username, `sub`
	Role      Role      // always Valid for a principal from Verify
	Org       string    // organisation slug; "" for admin tokens (org ignored for admin)
	Units     []string  // editor only: unit slugs
	TokenID   string    // `jti`, may be empty for external IdP tokens
	IssuedAt  time.Time // `iat`; zero when the token has none (revocation by account compares it)
	ExpiresAt time.Time // `exp`
}

// HasUnit reports whether slug is among p.Units. It says nothing about what
// the role may do: a DPO has no units and still writes in all of them.
func (p *Principal) HasUnit(slug string) bool {
	return p != nil && slices.Contains(p.Units, slug)
}

// principalKey is unexported so that no other package can read or overwrite
// the principal through context.Value.
type principalKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal stored by WithPrincipal. A nil
// principal counts as absent, so callers need only check ok.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	if !ok || p == nil {
		return nil, false
	}
	return p, true
}

// validSlug follows the API's rule for organisation and unit slugs: lowercase
// ASCII letters, digits and '-', 2 to 40 characters.
func validSlug(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// maxNameLen bounds subjects, token ids and key ids: they end up in logs and
// the audit trail, where an unbounded value from a token has no business.
const maxNameLen = 256

// validName accepts a non-empty, bounded UTF-8 string without control
// characters, so that a subject or key id cannot forge lines in a log.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}
