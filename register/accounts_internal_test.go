package register

import (
	"context"
	"testing"

	"github.com/registre/registre/auth"
)

// usersOnly is an AccountStore that answers ListUsers only, which is all
// checkAdminRemains reads.
type usersOnly struct {
	AccountStore
	users []Account
}

func (u usersOnly) ListUsers(context.Context) ([]Account, error) { return u.users, nil }

// TestCheckAdminRemains covers the role change that does not exist yet:
// demoting the last administrator is refused like deleting it.
func TestCheckAdminRemains(t *testing.T) {
	t.Parallel()
	ada := Account{Username: "ada", Role: auth.RoleAdmin}
	bea := Account{Username: "bea", Role: auth.RoleAdmin}
	dora := Account{Username: "dora", Role: auth.RoleDPO, Org: "geneve"}
	tests := []struct {
		name    string
		users   []Account
		target  Account
		newRole auth.Role
		code    Code
	}{
		{"ErrDeleteLastAdmin", []Account{ada, dora}, ada, "", EConflict},
		{"ErrDemoteLastAdmin", []Account{ada, dora}, ada, auth.RoleDPO, EConflict},
		{"OKDeleteOneOfTwoAdmins", []Account{ada, bea}, ada, "", ""},
		{"OKDemoteOneOfTwoAdmins", []Account{ada, bea}, bea, auth.RoleAuditor, ""},
		{"OKKeepAdminRole", []Account{ada}, ada, auth.RoleAdmin, ""},
		{"OKDeleteNonAdmin", []Account{ada, dora}, dora, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAdminRemains(context.Background(), usersOnly{users: tc.users}, &tc.target, tc.newRole)
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("got %q (%v), want %q", got, err, tc.code)
			}
		})
	}
}
