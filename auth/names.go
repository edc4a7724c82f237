package auth

import (
	"context"
	"unicode"
	"unicode/utf8"

	"github.com/registre/registre/auth/identity"
)

// The roles and the principal live in auth/identity, a leaf the domain can
// import without JWT or password hashing; these aliases keep auth.Role and
// auth.Principal for the callers that verify or issue tokens.
type (
	Role      = identity.Role
	Principal = identity.Principal
)

// The roles of the API, from most to least powerful in one organisation.
const (
	RoleAdmin   = identity.RoleAdmin
	RoleDPO     = identity.RoleDPO
	RoleEditor  = identity.RoleEditor
	RoleAuditor = identity.RoleAuditor
)

// ErrInvalidRole is returned by ParseRole.
var ErrInvalidRole = identity.ErrInvalidRole

// ParseRole accepts exactly the spelling of a role constant.
func ParseRole(s string) (Role, error) { return identity.ParseRole(s) }

// Roles returns every role, in a new slice.
func Roles() []Role { return identity.Roles() }

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return identity.WithPrincipal(ctx, p)
}

// PrincipalFrom returns the principal stored by WithPrincipal.
func PrincipalFrom(ctx context.Context) (*Principal, bool) { return identity.PrincipalFrom(ctx) }

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
