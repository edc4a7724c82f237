// Package identity holds who is calling: the four roles and the Principal a
// verified token or a login yields, and how a request carries it. It imports
// nothing but the standard library, so that the domain can decide on a
// Principal without pulling in JWT or password hashing (package auth).
package identity

import (
	"context"
	"errors"
	"slices"
	"time"
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
