package register_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func TestEmailProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, email string
		ok          bool
	}{
		{"OKNone", "", true},
		{"OKPlain", "eve.dupont@geneve.ch", true},
		{"OKPlusAndSubdomain", "eve+registre@mail.ville-ge.ch", true},
		{"ErrNoAt", "eve.geneve.ch", false},
		{"ErrNoDomainDot", "eve@localhost", false},
		{"ErrDisplayName", "Eve <eve@geneve.ch>", false},
		{"ErrSpaces", " eve@geneve.ch", false},
		{"ErrHeaderInjection", "eve@geneve.ch\r\nBcc: x@y.ch", false},
		{"ErrTwoAddresses", "eve@geneve.ch, x@y.ch", false},
		{"ErrQuotedLocal", `"eve dupont"@geneve.ch`, false},
		{"ErrDomainDots", "eve@geneve..ch", false},
		{"ErrTooLong", strings.Repeat("e", 250) + "@g.ch", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := register.EmailProblem(tc.email) == ""; got != tc.ok {
				t.Fatalf("EmailProblem(%q) = %q, want ok %v", tc.email, register.EmailProblem(tc.email), tc.ok)
			}
		})
	}
}

func TestCreateUserWithEmail(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := accountsEnv(t, db)
		ctx := context.Background()
		in := register.NewAccount{Username: "dora", Password: goodPassword, Role: "dpo", Org: "geneve", Email: "dora@geneve.ch"}
		if _, err := svc.CreateUser(ctx, adminPrincipal(), in); err != nil {
			t.Fatal(err)
		}
		a, _, err := db.Store().GetUser(ctx, "dora")
		if err != nil || a.Email != "dora@geneve.ch" || a.Disabled || a.DisabledAt != nil {
			t.Fatalf("got %+v, %v", a, err)
		}
		in.Username, in.Email = "dino", "dino at geneve"
		_, err = svc.CreateUser(ctx, adminPrincipal(), in)
		if e, ok := register.AsError(err); !ok || e.Code != register.EInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "email" {
			t.Fatalf("bad e-mail: got %v, want invalid on email", err)
		}
		in.Email = "dino@geneve.ch"
		if strings.Contains(in.String(), in.Email) || strings.Contains(fmt.Sprintf("%#v", in), in.Email) {
			t.Fatalf("String shows the e-mail address: %s", in.String())
		}
	})
}

// TestUpdateUser covers each change an administrator makes, what it ends
// and what lands in the audit trail.
func TestUpdateUser(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := sessionsEnv(t, db)
		ctx := context.Background()
		str := func(s string) *string { return &s }
		yes, no := true, false
		eveToken := func() *auth.Principal {
			now := clock.now()
			return &auth.Principal{Subject: "eve", Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"},
				TokenID: "jti-" + now.Format("150405.000"), IssuedAt: now.Truncate(time.Second), ExpiresAt: now.Add(time.Hour)}
		}
		revoked := func(p *auth.Principal) bool {
			t.Helper()
			r, err := svc.Revoked(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}

		// Refusals change nothing.
		refusals := []struct {
			name string
			p    *auth.Principal
			user string
			ch   register.AccountChange
			code register.Code
		}{
			{"ErrNotAdmin", &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}, "eve", register.AccountChange{Email: str("e@g.ch")}, register.EForbidden},
			{"ErrUnknownAccount", adminPrincipal(), "nobody", register.AccountChange{Email: str("e@g.ch")}, register.ENotFound},
			{"ErrBadEmail", adminPrincipal(), "eve", register.AccountChange{Email: str("eve@")}, register.EInvalid},
			{"ErrUnitsOfDPO", adminPrincipal(), "eve", register.AccountChange{Role: str("dpo")}, register.EInvalid},
			{"ErrUnknownUnit", adminPrincipal(), "eve", register.AccountChange{Units: &[]string{"cuisine"}}, register.EInvalid},
			{"ErrAdminWithOrg", adminPrincipal(), "eve", register.AccountChange{Role: str("admin"), Units: &[]string{}}, register.EInvalid},
			{"ErrDisableLastAdmin", adminPrincipal(), "ada", register.AccountChange{Disabled: &yes}, register.EConflict},
			{"ErrDemoteLastAdmin", adminPrincipal(), "ada", register.AccountChange{Role: str("auditor"), Org: str("geneve")}, register.EConflict},
		}
		for _, tc := range refusals {
			before := auditCount(t, svc, "")
			if _, err := svc.UpdateUser(ctx, tc.p, tc.user, tc.ch); register.ErrorCode(err) != tc.code {
				t.Fatalf("%s: got %v, want %s", tc.name, err, tc.code)
			}
			if got := auditCount(t, svc, ""); got != before {
				t.Fatalf("%s: wrote %d audit entries", tc.name, got-before)
			}
		}

		// An e-mail address: nothing ends, the address is not in the trail.
		token, _, _, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		old := eveToken()
		a, err := svc.UpdateUser(ctx, adminPrincipal(), "eve", register.AccountChange{Email: str("eve.dupont@geneve.ch")})
		if err != nil || a.Email != "eve.dupont@geneve.ch" {
			t.Fatalf("got %+v, %v", a, err)
		}
		if _, _, err := svc.ResumeSession(ctx, token); err != nil {
			t.Fatalf("an e-mail change ended the session: %v", err)
		}
		if revoked(old) {
			t.Fatal("an e-mail change revoked a token")
		}
		entries, _, err := svc.ListAudit(ctx, adminPrincipal(), register.AuditFilter{Action: register.ActionUserUpdate})
		if err != nil || len(entries) != 1 || strings.Contains(entries[0].Comment, "eve.dupont") {
			t.Fatalf("got %+v, %v: want one entry without the address", entries, err)
		}

		// Disabling ends the session and every earlier token at once, and
		// refuses sign-in.
		clock.add(2 * time.Second)
		a, err = svc.UpdateUser(ctx, adminPrincipal(), "eve", register.AccountChange{Disabled: &yes})
		if err != nil || !a.Disabled || a.DisabledAt == nil {
			t.Fatalf("got %+v, %v", a, err)
		}
		if sessionRowExists(t, db, token) {
			t.Fatal("the disabled account's session row is still there")
		}
		if !revoked(old) {
			t.Fatal("the disabled account's token is still accepted")
		}
		clock.add(2 * time.Second)
		if !revoked(eveToken()) {
			t.Fatal("a token of a disabled account issued after disabling is accepted")
		}
		if _, err := svc.Login(ctx, "eve", goodPassword); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("login of a disabled account: got %v", err)
		}
		if _, _, _, err := svc.OpenSession(ctx, "eve", goodPassword); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("sign-in of a disabled account: got %v", err)
		}
		if _, err := svc.Login(ctx, "eve", "wrong password!"); err == nil || strings.Contains(err.Error(), "disabled") {
			t.Fatalf("a wrong password learns that the account is disabled: %v", err)
		}
		if n := auditCount(t, svc, register.ActionUserDisable); n != 1 {
			t.Fatalf("got %d user.disable entries", n)
		}
		// Disabling twice is no change.
		if _, err := svc.UpdateUser(ctx, adminPrincipal(), "eve", register.AccountChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if n := auditCount(t, svc, register.ActionUserDisable); n != 1 {
			t.Fatalf("got %d user.disable entries after disabling twice", n)
		}

		// Enabled again: new tokens work, those from before stay refused.
		clock.add(2 * time.Second)
		if _, err := svc.UpdateUser(ctx, adminPrincipal(), "eve", register.AccountChange{Disabled: &no}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(ctx, "eve", goodPassword); err != nil {
			t.Fatalf("login after enabling: %v", err)
		}
		clock.add(time.Second)
		fresh := eveToken()
		if revoked(fresh) || !revoked(old) {
			t.Fatalf("after enabling: fresh revoked %v, old revoked %v; want false, true", revoked(fresh), revoked(old))
		}
		if n := auditCount(t, svc, register.ActionUserEnable); n != 1 {
			t.Fatalf("got %d user.enable entries", n)
		}

		// A new role refuses the tokens that carry the old one.
		clock.add(2 * time.Second)
		a, err = svc.UpdateUser(ctx, adminPrincipal(), "eve", register.AccountChange{Role: str("dpo"), Units: &[]string{}})
		if err != nil || a.Role != auth.RoleDPO || a.Units != nil {
			t.Fatalf("got %+v, %v", a, err)
		}
		if !revoked(fresh) {
			t.Fatal("a token with the old role is still accepted")
		}
		entries, _, err = svc.ListAudit(ctx, adminPrincipal(), register.AuditFilter{Action: register.ActionUserUpdate})
		if err != nil || len(entries) != 2 {
			t.Fatalf("got %d user.update entries, %v", len(entries), err)
		}
		var roleEntry string
		for _, e := range entries {
			if strings.Contains(e.Comment, "role") {
				roleEntry = e.Comment
			}
		}
		if roleEntry != "role: editor → dpo; units: etat-civil → –" {
			t.Fatalf("got comment %q", roleEntry)
		}

		// With a second administrator, the first may be disabled.
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "bea", Password: goodPassword, Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateUser(ctx, adminPrincipal(), "ada", register.AccountChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteUser(ctx, adminPrincipal(), "bea"); register.ErrorCode(err) != register.EConflict {
			t.Fatalf("deleting the last active administrator: got %v", err)
		}
	})
}
