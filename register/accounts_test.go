package register_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

const goodPassword = "correct horse battery"

// adminPrincipal returns an administrator principal, built afresh for each use.
func adminPrincipal() *auth.Principal { return &auth.Principal{Subject: "root", Role: auth.RoleAdmin} }

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// accountsEnv is a service over db with organisation "geneve" (units
// "etat-civil" and "informatique") and a clock the test controls.
func accountsEnv(t *testing.T, db *sqlstore.DB) (*register.Service, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithClock(clock.now))
	ctx := context.Background()
	if _, err := svc.CreateOrganisation(ctx, adminPrincipal(), register.Organisation{Slug: "geneve", Name: "Ville de Genève"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"etat-civil", "informatique"} {
		if _, err := svc.CreateUnit(ctx, adminPrincipal(), "geneve", register.Unit{Slug: u, Name: "Service " + u}); err != nil {
			t.Fatal(err)
		}
	}
	return svc, clock
}

func auditCount(t *testing.T, svc *register.Service, action string) int {
	t.Helper()
	_, n, err := svc.ListAudit(context.Background(), adminPrincipal(), register.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := accountsEnv(t, db)
		ctx := context.Background()
		editor := register.NewAccount{Username: "eve.dupont@geneve.ch", Password: goodPassword, Role: "editor", Org: "geneve", Units: []string{"etat-civil"}}
		tests := []struct {
			name   string
			change func(a *register.NewAccount)
			code   register.Code
			field  string
		}{
			{"OK", func(a *register.NewAccount) {}, "", ""},
			{"OKDPO", func(a *register.NewAccount) { a.Username, a.Role, a.Units = "dora", "dpo", nil }, "", ""},
			{"OKAdminWithoutOrg", func(a *register.NewAccount) { a.Username, a.Role, a.Org, a.Units = "ada", "admin", "", nil }, "", ""},
			{"OKTwelveAccentedCharacters", func(a *register.NewAccount) { a.Username, a.Password = "zoe", "éàèçôûîëïöüÿ" }, "", ""},
			{"ErrDuplicateUsername", func(a *register.NewAccount) {}, register.EConflict, ""},
			{"ErrUsernameTooShort", func(a *register.NewAccount) { a.Username = "e" }, register.EInvalid, "username"},
			{"ErrUsernameTooLong", func(a *register.NewAccount) { a.Username = strings.Repeat("e", 65) }, register.EInvalid, "username"},
			{"ErrUsernameUppercase", func(a *register.NewAccount) { a.Username = "Eve" }, register.EInvalid, "username"},
			{"ErrUsernameSpace", func(a *register.NewAccount) { a.Username = "eve dupont" }, register.EInvalid, "username"},
			{"ErrUsernameReserved", func(a *register.NewAccount) { a.Username = "system" }, register.EInvalid, "username"},
			{"ErrPasswordShort", func(a *register.NewAccount) { a.Username, a.Password = "p1", "elevenchars" }, register.EInvalid, "password"},
			{"ErrPasswordTooLong", func(a *register.NewAccount) { a.Username, a.Password = "p2", strings.Repeat("x", 1025) }, register.EInvalid, "password"},
			{"ErrRoleUnknown", func(a *register.NewAccount) { a.Username, a.Role = "r1", "superuser" }, register.EInvalid, "role"},
			{"ErrRoleCase", func(a *register.NewAccount) { a.Username, a.Role = "r2", "Editor" }, register.EInvalid, "role"},
			{"ErrOrgUnknown", func(a *register.NewAccount) { a.Username, a.Org = "o1", "lausanne" }, register.EInvalid, "org"},
			{"ErrOrgMissing", func(a *register.NewAccount) { a.Username, a.Org = "o2", "" }, register.EInvalid, "org"},
			{"ErrAdminWithOrg", func(a *register.NewAccount) { a.Username, a.Role, a.Units = "o3", "admin", nil }, register.EInvalid, "org"},
			{"ErrUnitUnknown", func(a *register.NewAccount) { a.Username, a.Units = "u1", []string{"etat-civil", "cuisine"} }, register.EInvalid, "units[1]"},
			{"ErrUnitTwice", func(a *register.NewAccount) { a.Username, a.Units = "u2", []string{"etat-civil", "etat-civil"} }, register.EInvalid, "units[1]"},
			{"ErrUnitsForAuditor", func(a *register.NewAccount) { a.Username, a.Role = "u3", "auditor" }, register.EInvalid, "units"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				in := editor
				in.Units = append([]string(nil), editor.Units...)
				tc.change(&in)
				before := auditCount(t, svc, register.ActionUserCreate)
				a, err := svc.CreateUser(ctx, adminPrincipal(), in)
				after := auditCount(t, svc, register.ActionUserCreate)
				if got := register.ErrorCode(err); got != tc.code {
					t.Fatalf("got code %q (%v), want %q", got, err, tc.code)
				}
				if tc.code != "" {
					if after != before {
						t.Errorf("got %d new audit entries, want none for a refused request", after-before)
					}
					if tc.field != "" {
						e, _ := register.AsError(err)
						if len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
							t.Errorf("got fields %+v, want %q", e.Fields, tc.field)
						}
					}
					return
				}
				if after != before+1 {
					t.Errorf("got %d new audit entries, want 1", after-before)
				}
				if a.Username != in.Username || string(a.Role) != in.Role || a.CreatedAt.IsZero() {
					t.Errorf("got %+v, want the account of %v", a, in)
				}
			})
		}
		users, err := svc.ListUsers(ctx, adminPrincipal())
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 4 {
			t.Fatalf("got %d accounts, want 4: %+v", len(users), users)
		}
		b, _ := json.Marshal(users)
		if strings.Contains(string(b), "argon2") || strings.Contains(string(b), goodPassword) {
			t.Fatalf("account list holds secrets: %s", b)
		}
		if _, err := svc.ListUsers(ctx, &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("dpo lists accounts: got %v, want forbidden", err)
		}
	})
}

func TestNewAccountNeverPrintsItsPassword(t *testing.T) {
	t.Parallel()
	in := register.NewAccount{Username: "eve", Password: goodPassword, Role: "dpo", Org: "geneve"}
	for _, s := range []string{fmt.Sprint(in), fmt.Sprintf("%v %+v %#v %s", in, in, in, in), fmt.Sprint(&in)} {
		if strings.Contains(s, goodPassword) {
			t.Errorf("got %q, want the password hidden", s)
		}
	}
}

func TestLoginLogoutAndDeletion(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := accountsEnv(t, db)
		ctx := context.Background()
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "dora", Password: goodPassword, Role: "dpo", Org: "geneve"}); err != nil {
			t.Fatal(err)
		}
		logins := auditCount(t, svc, register.ActionLogin)
		_, errWrong := svc.Login(ctx, "dora", "wrong password!")
		_, errUnknown := svc.Login(ctx, "nobody", goodPassword)
		_, errEmpty := svc.Login(ctx, "dora", "")
		for _, err := range []error{errWrong, errUnknown, errEmpty} {
			if register.ErrorCode(err) != register.EUnauthorized || err.Error() != errWrong.Error() {
				t.Fatalf("got %v, want the same unauthorized error for every failure", err)
			}
		}
		if got := auditCount(t, svc, register.ActionLogin); got != logins {
			t.Fatalf("failed logins added %d audit entries, want none", got-logins)
		}
		p, err := svc.Login(ctx, "dora", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		if p.Subject != "dora" || p.Role != auth.RoleDPO || p.Org != "geneve" {
			t.Fatalf("got %+v", p)
		}
		if got := auditCount(t, svc, register.ActionLogin); got != logins+1 {
			t.Fatalf("got %d login entries, want 1", got-logins)
		}

		// A token as the verifier would return it.
		now := clock.now()
		tok := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve", TokenID: "jti-1", IssuedAt: now.Truncate(time.Second), ExpiresAt: now.Add(time.Hour)}
		other := *tok
		other.TokenID = "jti-2"
		if revoked, err := svc.Revoked(ctx, tok); err != nil || revoked {
			t.Fatalf("fresh token: got revoked %v, %v", revoked, err)
		}
		if err := svc.Logout(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if got := auditCount(t, svc, register.ActionLogout); got != 1 {
			t.Fatalf("got %d logout entries, want 1", got)
		}
		if revoked, _ := svc.Revoked(ctx, tok); !revoked {
			t.Fatalf("logged-out token is not revoked")
		}
		if revoked, _ := svc.Revoked(ctx, &other); revoked {
			t.Fatalf("logout revoked another token of the same person")
		}
		// The same jti under another subject is another token.
		stranger := *tok
		stranger.Subject = "stranger"
		if revoked, _ := svc.Revoked(ctx, &stranger); revoked {
			t.Fatalf("logout revoked a token of another subject")
		}
		noJTI := *tok
		noJTI.TokenID = ""
		if err := svc.Logout(ctx, &noJTI); register.ErrorCode(err) != register.EConflict {
			t.Fatalf("logout without jti: got %v, want conflict", err)
		}

		// Deleting the account refuses every token issued before, with or
		// without jti or iat, but not those of other subjects.
		external := &auth.Principal{Subject: "idp-user-42", Role: auth.RoleDPO, Org: "geneve", IssuedAt: now.Truncate(time.Second), ExpiresAt: now.Add(time.Hour)}
		clock.add(time.Minute)
		if err := svc.DeleteUser(ctx, &auth.Principal{Subject: "ada", Role: auth.RoleDPO, Org: "geneve"}, "dora"); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("dpo deletes: got %v, want forbidden", err)
		}
		if err := svc.DeleteUser(ctx, adminPrincipal(), "dora"); err != nil {
			t.Fatal(err)
		}
		if err := svc.DeleteUser(ctx, adminPrincipal(), "dora"); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("second delete: got %v, want not found", err)
		}
		if got := auditCount(t, svc, register.ActionUserDelete); got != 1 {
			t.Fatalf("got %d delete entries, want 1", got)
		}
		noIat := other
		noIat.IssuedAt = time.Time{}
		for name, p := range map[string]*auth.Principal{"jti": &other, "noJTI": &noJTI, "noIat": &noIat} {
			if revoked, err := svc.Revoked(ctx, p); err != nil || !revoked {
				t.Errorf("%s: token of a deleted account: got revoked %v, %v", name, revoked, err)
			}
		}
		if revoked, _ := svc.Revoked(ctx, external); revoked {
			t.Errorf("token of an identity-provider subject without account is refused")
		}
		if _, err := svc.Login(ctx, "dora", goodPassword); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("login of a deleted account: got %v", err)
		}

		// The name may be given again; the new person's tokens work.
		clock.add(5 * time.Minute)
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "dora", Password: goodPassword, Role: "auditor", Org: "geneve"}); err != nil {
			t.Fatal(err)
		}
		fresh := &auth.Principal{Subject: "dora", Role: auth.RoleAuditor, Org: "geneve", TokenID: "jti-3", IssuedAt: clock.now().Truncate(time.Second), ExpiresAt: clock.now().Add(time.Hour)}
		if revoked, _ := svc.Revoked(ctx, fresh); revoked {
			t.Errorf("token of the re-created account is refused")
		}
		if revoked, _ := svc.Revoked(ctx, &other); !revoked {
			t.Errorf("old token accepted again after the name was re-created")
		}

		// Purging keeps what unexpired tokens need and drops the rest.
		if n, err := svc.PurgeRevocations(ctx); err != nil || n != 0 {
			t.Fatalf("early purge: got %d, %v, want 0", n, err)
		}
		clock.add(register.MaxTokenTTL + time.Hour)
		if n, err := svc.PurgeRevocations(ctx); err != nil || n != 2 {
			t.Fatalf("purge: got %d, %v, want 2 (one jti, one deletion mark)", n, err)
		}
	})
}

func TestFirstAdminOnlyOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
		ctx := context.Background()
		pw, err := svc.EnsureFirstAdmin(ctx)
		if err != nil || len(pw) < auth.MinPasswordLength {
			t.Fatalf("first: got %q, %v, want a generated password", pw, err)
		}
		p, err := svc.Login(ctx, register.FirstAdmin, pw)
		if err != nil || p.Role != auth.RoleAdmin {
			t.Fatalf("login with the first password: %+v, %v", p, err)
		}
		if again, err := svc.EnsureFirstAdmin(ctx); err != nil || again != "" {
			t.Fatalf("second: got %q, %v, want nothing", again, err)
		}
		// Even with every account gone (the API refuses to delete the last
		// administrator: the store does it here), no new password appears.
		err = db.Store().InTx(ctx, func(tx register.Store) error {
			return tx.(register.AccountStore).DeleteUser(ctx, register.FirstAdmin)
		})
		if err != nil {
			t.Fatal(err)
		}
		if again, err := svc.EnsureFirstAdmin(ctx); err != nil || again != "" {
			t.Fatalf("after deleting every account: got %q, %v, want nothing", again, err)
		}
	})
}

func TestOwnSigningKeyIsKept(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		k1, err := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{})).OwnSigningKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{})).OwnSigningKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if k1.ID != k2.ID || !k1.PrivateKey().Equal(k2.PrivateKey()) || !strings.HasPrefix(k1.ID, "registre-") {
			t.Fatalf("got keys %s and %s, want the same stored key", k1.ID, k2.ID)
		}
	})
}

func TestLoginRefusesOverlongPassword(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := accountsEnv(t, db)
		ctx := context.Background()
		long := strings.Repeat("kT7#pQ2!", auth.MaxPasswordLength/8)
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "max", Password: long, Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(ctx, "max", long); err != nil {
			t.Fatalf("exact password: %v", err)
		}
		if _, err := svc.Login(ctx, "max", long+"extra"); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("password with a correct 1024-byte prefix: got %v, want unauthorized", err)
		}
	})
}
