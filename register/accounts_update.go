package register

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"

	"github.com/registre/registre/auth/identity"
)

// MaxEmailLength is the longest e-mail address an account may have (the
// limit of RFC 5321's forward path).
const MaxEmailLength = 254

// EmailProblem says what is wrong with an account's e-mail address, or ""
// when it may be used. "" (no address) is allowed. Only a bare address
// is: no display name, no comments, no spaces, one '@' and a domain with a
// dot, so that a reminder can only go to the place an administrator typed.
func EmailProblem(email string) string {
	if email == "" {
		return ""
	}
	if len(email) > MaxEmailLength {
		return fmt.Sprintf("must be at most %d characters", MaxEmailLength)
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return "is not an e-mail address (name@example.ch)"
	}
	local, domain, _ := strings.Cut(email, "@")
	if local == "" || strings.ContainsAny(email, " \t\r\n\"()<>,;:[]\\") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "is not an e-mail address (name@example.ch)"
	}
	return ""
}

// LogValue implements slog.LogValuer: an account logged by mistake shows
// who it is, never its e-mail address.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", a.Username), slog.String("role", string(a.Role)), slog.String("org", a.Org),
		slog.Bool("disabled", a.Disabled))
}

// AccountChange is a change to an account (PATCH /api/v1/users/{username});
// a nil field is left as it is. The resulting account must pass the same
// checks as a new one.
type AccountChange struct {
	Email    *string   `json:"email,omitempty"`
	Role     *string   `json:"role,omitempty"`
	Org      *string   `json:"org,omitempty"`
	Units    *[]string `json:"units,omitempty"`
	Disabled *bool     `json:"disabled,omitempty"`
}

// UpdateUser changes an account (admin). Disabling it ends its back-office
// sessions and refuses every API token issued to it so far, at once; a new
// role, organisation or units refuse its earlier tokens too (they carry
// the old ones). The last active administrator can be neither disabled
// nor given another role (EConflict). Each kind of change is one audit
// entry; the e-mail address itself is never written there.
func (s *Service) UpdateUser(ctx context.Context, p *identity.Principal, username string, ch AccountChange) (*Account, error) {
	if err := requireRole(p, identity.RoleAdmin); err != nil {
		return nil, err
	}
	if !ValidUsername(username) {
		return nil, notFound("account")
	}
	var out *Account
	err := s.store.InTx(ctx, func(tx Store) error {
		a, _, err := tx.GetUser(ctx, username)
		if ErrorCode(err) == ENotFound {
			return notFound("account")
		}
		if err != nil {
			return err
		}
		next := *a
		next.Units = slices.Clone(a.Units)
		if ch.Email != nil {
			next.Email = strings.TrimSpace(*ch.Email)
		}
		if ch.Role != nil {
			next.Role = identity.Role(*ch.Role)
		}
		if ch.Org != nil {
			next.Org = *ch.Org
		}
		if ch.Units != nil {
			next.Units = slices.Clone(*ch.Units)
		}
		if len(next.Units) == 0 {
			next.Units = nil
		}
		if fields := checkProfile(string(next.Role), next.Org, next.Units, next.Email); fields != nil {
			return invalid(fields...)
		}
		if err := checkAccountRefs(ctx, tx, &next); err != nil {
			return err
		}
		now := s.clock()
		profile := next.Role != a.Role || next.Org != a.Org || !slices.Equal(next.Units, a.Units)
		disable := ch.Disabled != nil && *ch.Disabled && !a.Disabled
		enable := ch.Disabled != nil && !*ch.Disabled && a.Disabled
		if profile && next.Role != a.Role {
			if err := checkAdminRemains(ctx, tx, a, "role"); err != nil {
				return err
			}
		}
		if disable {
			if err := checkAdminRemains(ctx, tx, a, "disable"); err != nil {
				return err
			}
			next.Disabled, next.DisabledAt = true, &now
		}
		if enable {
			next.Disabled, next.DisabledAt = false, nil
		}
		if profile || disable {
			next.TokensNotBefore = now
		}
		if err := tx.UpdateUser(ctx, &next); err != nil {
			return err
		}
		if disable {
			// Sessions with a changed profile end at their next request
			// (the stamp); a disabled account's end now, on every instance.
			if _, err := tx.DeleteUserSessions(ctx, username, ""); err != nil {
				return err
			}
		}
		target := "user/" + username
		if next.Email != a.Email {
			if err := s.audit(ctx, tx, p, now, next.Org, ActionUserUpdate, target, 0, "e-mail address changed"); err != nil {
				return err
			}
		}
		if profile {
			if err := s.audit(ctx, tx, p, now, next.Org, ActionUserUpdate, target, 0, profileChange(a, &next)); err != nil {
				return err
			}
		}
		if disable {
			if err := s.audit(ctx, tx, p, now, next.Org, ActionUserDisable, target, 0, ""); err != nil {
				return err
			}
		}
		if enable {
			if err := s.audit(ctx, tx, p, now, next.Org, ActionUserEnable, target, 0, ""); err != nil {
				return err
			}
		}
		out = &next
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// profileChange describes a change of role, organisation or units for the
// audit trail: "role: editor → dpo; units: a, b → –".
func profileChange(a, b *Account) string {
	var parts []string
	show := func(s string) string {
		if s == "" {
			return "–"
		}
		return s
	}
	if a.Role != b.Role {
		parts = append(parts, fmt.Sprintf("role: %s → %s", a.Role, b.Role))
	}
	if a.Org != b.Org {
		parts = append(parts, fmt.Sprintf("organisation: %s → %s", show(a.Org), show(b.Org)))
	}
	if !slices.Equal(a.Units, b.Units) {
		parts = append(parts, fmt.Sprintf("units: %s → %s", show(strings.Join(a.Units, ", ")), show(strings.Join(b.Units, ", "))))
	}
	return strings.Join(parts, "; ")
}
