package identity

import (
	"context"
	"errors"
	"testing"
)

func TestParseRole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"admin", RoleAdmin, false},
		{"dpo", RoleDPO, false},
		{"editor", RoleEditor, false},
		{"auditor", RoleAuditor, false},
		{"Admin", "", true},
		{"DPO", "", true},
		{" editor", "", true},
		{"", "", true},
		{"root", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRole(tc.in)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Errorf("got %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidRole) {
				t.Errorf("got error %v, want ErrInvalidRole", err)
			}
		})
	}
	for _, r := range Roles() {
		if !r.Valid() {
			t.Errorf("got Roles() member %q invalid, want valid", r)
		}
	}
}

func TestHasUnit(t *testing.T) {
	t.Parallel()
	p := &Principal{Role: RoleEditor, Units: []string{"rh", "etat-civil"}}
	cases := []struct {
		name string
		p    *Principal
		slug string
		want bool
	}{
		{"Listed", p, "rh", true},
		{"NotListed", p, "finances", false},
		{"CaseDiffers", p, "RH", false},
		{"NoUnits", &Principal{Role: RoleDPO}, "rh", false},
		{"NilPrincipal", nil, "rh", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.HasUnit(tc.slug); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPrincipalContext(t *testing.T) {
	t.Parallel()
	if p, ok := PrincipalFrom(context.Background()); ok || p != nil {
		t.Errorf("empty context: got %v, %v; want nil, false", p, ok)
	}
	if p, ok := PrincipalFrom(WithPrincipal(context.Background(), nil)); ok || p != nil {
		t.Errorf("nil principal: got %v, %v; want nil, false", p, ok)
	}
	want := &Principal{Subject: "dora", Role: RoleDPO, Org: "hug"}
	got, ok := PrincipalFrom(WithPrincipal(context.Background(), want))
	if !ok || got != want {
		t.Errorf("got %v, %v; want %v, true", got, ok, want)
	}
}
