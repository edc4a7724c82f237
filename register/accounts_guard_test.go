package register_test

import (
	"context"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func TestDeleteUserKeepsTheLastAdministrator(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := accountsEnv(t, db)
		ctx := context.Background()
		for _, name := range []string{"ada", "bea"} {
			if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: name, Password: goodPassword, Role: "admin"}); err != nil {
				t.Fatal(err)
			}
		}
		ada := &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}
		if err := svc.DeleteUser(ctx, ada, "bea"); err != nil {
			t.Fatalf("deleting one of two administrators: %v", err)
		}
		deletes := auditCount(t, svc, register.ActionUserDelete)
		if err := svc.DeleteUser(ctx, ada, "ada"); register.ErrorCode(err) != register.EConflict {
			t.Fatalf("last administrator deletes itself: got %v, want conflict", err)
		}
		if got := auditCount(t, svc, register.ActionUserDelete); got != deletes {
			t.Errorf("refused deletion added %d audit entries", got-deletes)
		}
		users, err := svc.ListUsers(ctx, ada)
		if err != nil || len(users) != 1 || users[0].Username != "ada" {
			t.Fatalf("got %+v, %v, want ada still there", users, err)
		}
	})
}

func TestReservedNamesAreRefused(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := accountsEnv(t, db)
		ctx := context.Background()
		for _, name := range []string{"system", "import", "demo", "cli", "migration", "registre-cli", "registre"} {
			_, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: name, Password: goodPassword, Role: "admin"})
			e, _ := register.AsError(err)
			if e == nil || e.Code != register.EInvalid || len(e.Fields) == 0 || e.Fields[0].Field != "username" {
				t.Errorf("account %q: got %v, want a username field error", name, err)
			}
			// A token of an identity provider naming the service is refused too.
			tok := &auth.Principal{Subject: name, Role: auth.RoleAdmin, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
			if revoked, err := svc.Revoked(ctx, tok); err != nil || !revoked {
				t.Errorf("token for %q: got revoked %v, %v, want refused", name, revoked, err)
			}
		}
		if revoked, _ := svc.Revoked(ctx, &auth.Principal{Subject: "cli:import", Role: auth.RoleAdmin, IssuedAt: time.Now()}); !revoked {
			t.Error("token for cli:import accepted")
		}
	})
}

func TestCommandLineEntriesAreMarked(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := accountsEnv(t, db)
		ctx := context.Background()
		if _, err := svc.CreateUserAsOperator(ctx, register.NewAccount{Username: "ops", Password: goodPassword, Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, register.CommandLine("import"), "geneve", register.Unit{Slug: "archives", Name: "Archives"}); err != nil {
			t.Fatal(err)
		}
		entries, _, err := svc.ListAudit(ctx, adminPrincipal(), register.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"user/ops": "cli:user-add", "unit/geneve/archives": "cli:import"}
		for _, e := range entries {
			if actor, ok := want[e.Target]; ok {
				if e.Actor != actor || e.Role != register.CommandLineRole {
					t.Errorf("%s: got actor %q role %q, want %q role %q", e.Target, e.Actor, e.Role, actor, register.CommandLineRole)
				}
				delete(want, e.Target)
			}
		}
		if len(want) > 0 {
			t.Errorf("no audit entries for %v", want)
		}
	})
}

// TestRecreatedAccountTokens: a name deleted and given again at once; the
// new account's tokens work from its first second, the old one's never.
func TestRecreatedAccountTokens(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{})) // the real clock: the fix is about seconds
		ctx := context.Background()
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "ada", Password: goodPassword, Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "dora", Password: goodPassword, Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		token := func() *auth.Principal {
			now := time.Now()
			return &auth.Principal{Subject: "dora", Role: auth.RoleAdmin, TokenID: now.String(), IssuedAt: now.Truncate(time.Second), ExpiresAt: now.Add(time.Hour)}
		}
		old := token()
		if err := svc.DeleteUser(ctx, adminPrincipal(), "dora"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "dora", Password: goodPassword, Role: "admin"}); err != nil {
			t.Fatal(err)
		}
		t.Logf("re-creation took %v", time.Since(start))
		fresh := token()
		if revoked, err := svc.Revoked(ctx, fresh); err != nil || revoked {
			t.Errorf("fresh token of the re-created account: got revoked %v, %v", revoked, err)
		}
		if revoked, err := svc.Revoked(ctx, old); err != nil || !revoked {
			t.Errorf("token of the deleted account: got revoked %v, %v, want refused", revoked, err)
		}
	})
}
