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

// TestCheckAdminRemains: deleting, disabling or demoting the last active
// administrator is refused; a disabled administrator does not count.
func TestCheckAdminRemains(t *testing.T) {
	t.Parallel()
	ada := Account{Username: "ada", Role: auth.RoleAdmin}
	bea := Account{Username: "bea", Role: auth.RoleAdmin}
	dora := Account{Username: "dora", Role: auth.RoleDPO, Org: "geneve"}
	off := Account{Username: "off", Role: auth.RoleAdmin, Disabled: true}
	tests := []struct {
		name   string
		users  []Account
		target Account
		change string
		code   Code
	}{
		{"ErrDeleteLastAdmin", []Account{ada, dora}, ada, "delete", EConflict},
		{"ErrDemoteLastAdmin", []Account{ada, dora}, ada, "role", EConflict},
		{"ErrDisableLastAdmin", []Account{ada, dora}, ada, "disable", EConflict},
		{"ErrDeleteLastActiveAdminBesideADisabledOne", []Account{ada, off}, ada, "delete", EConflict},
		{"OKDeleteOneOfTwoAdmins", []Account{ada, bea}, ada, "delete", ""},
		{"OKDemoteOneOfTwoAdmins", []Account{ada, bea}, bea, "role", ""},
		{"OKDisableOneOfTwoAdmins", []Account{ada, bea}, bea, "disable", ""},
		{"OKDeleteDisabledAdmin", []Account{ada, off}, off, "delete", ""},
		{"OKDeleteNonAdmin", []Account{ada, dora}, dora, "delete", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAdminRemains(context.Background(), usersOnly{users: tc.users}, &tc.target, tc.change)
			if got := ErrorCode(err); got != tc.code {
				t.Fatalf("got %q (%v), want %q", got, err, tc.code)
			}
		})
	}
}
