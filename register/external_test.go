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

const testIssuer = "https://idp.example.ch"

// TestExternalLoginStateIsGoodOnce: the state of a sign-in at the provider
// is accepted once, and not after ExternalLoginTTL.
func TestExternalLoginStateIsGoodOnce(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := sessionsEnv(t, db)
		ctx := context.Background()
		state, nonce, verifier, err := svc.BeginExternalLogin(ctx, "/office/x")
		if err != nil || nonce == verifier || len(verifier) < 43 {
			t.Fatalf("got %q %q, %v", nonce, verifier, err)
		}
		l, err := svc.TakeExternalLogin(ctx, state)
		if err != nil || l.Nonce != nonce || l.Verifier != verifier || l.Next != "/office/x" {
			t.Fatalf("got %+v, %v", l, err)
		}
		if _, err := svc.TakeExternalLogin(ctx, state); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("second use: got %v", err)
		}
		if _, err := svc.TakeExternalLogin(ctx, "forged"); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("forged: got %v", err)
		}
		late, _, _, err := svc.BeginExternalLogin(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		clock.add(register.ExternalLoginTTL + time.Second)
		if _, err := svc.TakeExternalLogin(ctx, late); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("late: got %v", err)
		}
	})
}

// TestExternalSessionAssignment: an unknown subject gets no session but
// is listed; once assigned, it signs in as the account; a disabled or
// deleted account ends that.
func TestExternalSessionAssignment(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := sessionsEnv(t, db)
		ctx := context.Background()
		who := register.ExternalIdentity{Issuer: testIssuer, Subject: "u-42", Email: "eve@geneve.ch", Name: "Eve Dupont"}
		if _, _, _, err := svc.OpenExternalSession(ctx, who); !register.IsUnassigned(err) {
			t.Fatalf("unassigned: got %v", err)
		}
		subs, err := svc.ListSubjects(ctx, adminPrincipal())
		if err != nil || len(subs) != 1 || subs[0].Subject != "u-42" || subs[0].Username != "" || subs[0].Name != "Eve Dupont" {
			t.Fatalf("got %+v, %v", subs, err)
		}
		dpo := &auth.Principal{Subject: "dora", Role: auth.RoleDPO, Org: "geneve"}
		if err := svc.AssignSubject(ctx, dpo, testIssuer, "u-42", "eve"); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("dpo assigns: got %v", err)
		}
		if err := svc.AssignSubject(ctx, adminPrincipal(), testIssuer, "u-43", "eve"); register.ErrorCode(err) != register.ENotFound {
			t.Fatalf("unknown subject: got %v", err)
		}
		if err := svc.AssignSubject(ctx, adminPrincipal(), testIssuer, "u-42", "nobody"); register.ErrorCode(err) != register.EInvalid {
			t.Fatalf("unknown account: got %v", err)
		}
		if err := svc.AssignSubject(ctx, adminPrincipal(), testIssuer, "u-42", "eve"); err != nil {
			t.Fatal(err)
		}
		if n := auditCount(t, svc, register.ActionSubjectAssign); n != 1 {
			t.Fatalf("got %d subject.assign entries", n)
		}
		token, sess, p, err := svc.OpenExternalSession(ctx, who)
		if err != nil || p.Subject != "eve" || p.Role != auth.RoleEditor || sess.Username != "eve" {
			t.Fatalf("assigned: got %+v, %v", p, err)
		}
		if _, p2, err := svc.ResumeSession(ctx, token); err != nil || p2.Subject != "eve" {
			t.Fatalf("resume: %+v, %v", p2, err)
		}
		// Sign out everywhere ends it.
		if n, err := svc.SignOutEverywhere(ctx, adminPrincipal(), "eve"); err != nil || n != 1 {
			t.Fatalf("sign out everywhere: %d, %v", n, err)
		}
		if _, _, err := svc.ResumeSession(ctx, token); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("after sign-out everywhere: %v", err)
		}
		// Disabled: refused.
		yes := true
		if _, err := svc.UpdateUser(ctx, adminPrincipal(), "eve", register.AccountChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := svc.OpenExternalSession(ctx, who); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("disabled: got %v", err)
		}
		// Deleted: the subject is unassigned again.
		if err := svc.DeleteUser(ctx, adminPrincipal(), "eve"); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := svc.OpenExternalSession(ctx, who); !register.IsUnassigned(err) {
			t.Fatalf("deleted account: got %v", err)
		}
	})
}

// TestExternalSessionFromClaims: with claims, an account is made (no
// password), follows the claims, and bad claims give no access.
func TestExternalSessionFromClaims(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := sessionsEnv(t, db)
		ctx := context.Background()
		who := register.ExternalIdentity{Issuer: testIssuer, Subject: "u-7", Email: "zoe@geneve.ch",
			Claims: &register.ClaimedProfile{Role: "editor", Org: "geneve", Units: []string{"informatique"}}}
		_, _, p, err := svc.OpenExternalSession(ctx, who)
		if err != nil || p.Subject != "zoe@geneve.ch" || p.Role != auth.RoleEditor || len(p.Units) != 1 {
			t.Fatalf("got %+v, %v", p, err)
		}
		if _, err := svc.Login(ctx, "zoe@geneve.ch", ""); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("password login of a claims account: %v", err)
		}
		who.Claims = &register.ClaimedProfile{Role: "dpo", Org: "geneve"}
		if _, _, p, err = svc.OpenExternalSession(ctx, who); err != nil || p.Role != auth.RoleDPO {
			t.Fatalf("claims changed: got %+v, %v", p, err)
		}
		who.Claims = &register.ClaimedProfile{Role: "root", Org: "geneve"}
		if _, _, _, err = svc.OpenExternalSession(ctx, who); !register.IsUnassigned(err) {
			t.Fatalf("bad claims: got %v", err)
		}
		// A taken username is never given to another subject.
		other := register.ExternalIdentity{Issuer: testIssuer, Subject: "u-8", Email: "eve",
			Claims: &register.ClaimedProfile{Role: "auditor", Org: "geneve"}}
		if _, _, p, err = svc.OpenExternalSession(ctx, other); err != nil || p.Subject == "eve" || p.Role != auth.RoleAuditor {
			t.Fatalf("taken name: got %+v, %v", p, err)
		}
	})
}

// TestLocalLoginOff: no password is accepted, at either door.
func TestLocalLoginOff(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		sessionsEnv(t, db)
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithLocalLogin(false))
		ctx := context.Background()
		if _, err := svc.Login(ctx, "eve", goodPassword); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("login: got %v", err)
		}
		if _, _, _, err := svc.OpenSession(ctx, "eve", goodPassword); register.ErrorCode(err) != register.EForbidden {
			t.Fatalf("sign-in: got %v", err)
		}
	})
}

// TestSubjectsSurviveABackup: a restore keeps who signs in as whom.
func TestSubjectsSurviveABackup(t *testing.T) {
	t.Parallel()
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		db := dbtest.Open(t, dsn)
		svc, _ := sessionsEnv(t, db)
		ctx := context.Background()
		who := register.ExternalIdentity{Issuer: testIssuer, Subject: "u-42", Email: "eve@geneve.ch", Name: "Eve"}
		if _, _, _, err := svc.OpenExternalSession(ctx, who); !register.IsUnassigned(err) {
			t.Fatal(err)
		}
		if err := svc.AssignSubject(ctx, adminPrincipal(), testIssuer, "u-42", "eve"); err != nil {
			t.Fatal(err)
		}
		b, err := db.Store().ExportAll(ctx, true)
		if err != nil || len(b.Secrets.Subjects) != 1 {
			t.Fatalf("export: %+v, %v", b.Secrets, err)
		}
		fresh := dbtest.Open(t, dbtest.DSNs()[kind](t))
		if err := fresh.Store().ImportAll(ctx, b); err != nil {
			t.Fatal(err)
		}
		svc2 := register.NewService(fresh.Store(), register.WithPasswords(auth.Argon2id{}))
		if _, _, p, err := svc2.OpenExternalSession(ctx, who); err != nil || p.Subject != "eve" {
			t.Fatalf("after restore: %+v, %v", p, err)
		}
	})
}
