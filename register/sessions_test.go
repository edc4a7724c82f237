package register_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// Timeouts of the session tests: short enough to cross in a few steps of
// the test clock.
const (
	testIdle = 30 * time.Minute
	testMax  = 2 * time.Hour
)

// sessionsEnv is accountsEnv with session timeouts, a second organisation
// "carouge", and the editor "eve" (geneve, unit etat-civil).
func sessionsEnv(t *testing.T, db *sqlstore.DB) (*register.Service, *testClock) {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithClock(clock.now),
		register.WithSessionTimeouts(testIdle, testMax))
	ctx := context.Background()
	for _, o := range []string{"geneve", "carouge"} {
		if _, err := svc.CreateOrganisation(ctx, adminPrincipal(), register.Organisation{Slug: o, Name: "Ville de " + o}); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{"etat-civil", "informatique"} {
		if _, err := svc.CreateUnit(ctx, adminPrincipal(), "geneve", register.Unit{Slug: u, Name: "Service " + u}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range []register.NewAccount{
		{Username: "ada", Password: goodPassword, Role: "admin"},
		{Username: "eve", Password: goodPassword, Role: "editor", Org: "geneve", Units: []string{"etat-civil"}},
	} {
		if _, err := svc.CreateUser(ctx, adminPrincipal(), a); err != nil {
			t.Fatal(err)
		}
	}
	clock.add(time.Second)
	return svc, clock
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// sessionRowExists reads the store directly, past the service's checks.
func sessionRowExists(t *testing.T, db *sqlstore.DB, token string) bool {
	t.Helper()
	_, _, err := db.Store().GetSession(context.Background(), tokenHash(token))
	if err != nil && register.ErrorCode(err) != register.ENotFound {
		t.Fatal(err)
	}
	return err == nil
}

// setAccount changes an account behind the service's back, as an
// administrator's role change will (there is no such use case yet).
func setAccount(t *testing.T, db *sqlstore.DB, username, role, org, units string) {
	t.Helper()
	var orgArg any = org
	if org == "" {
		orgArg = nil
	}
	_, err := db.Bun().NewRaw("UPDATE users SET role = ?, organisation = ?, units = ? WHERE username = ?", role, orgArg, units, username).
		Exec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
}

func TestSessionOpenResumeClose(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := sessionsEnv(t, db)
		ctx := context.Background()
		logins, logouts := auditCount(t, svc, register.ActionLogin), auditCount(t, svc, register.ActionLogout)

		_, errLogin := svc.Login(ctx, "eve", "wrong password!")
		for name, try := range map[string][2]string{
			"WrongPassword": {"eve", "wrong password!"},
			"UnknownUser":   {"nobody", goodPassword},
			"EmptyPassword": {"eve", ""},
			"ReservedName":  {"system", goodPassword},
		} {
			token, sess, p, err := svc.OpenSession(ctx, try[0], try[1])
			if register.ErrorCode(err) != register.EUnauthorized || err.Error() != errLogin.Error() || token != "" || sess != nil || p != nil {
				t.Errorf("%s: got %q, %v, %v, %v, want Login's unauthorized error and nothing else", name, token, sess, p, err)
			}
		}
		if got := auditCount(t, svc, register.ActionLogin); got != logins {
			t.Fatalf("failed sign-ins added %d audit entries, want none", got-logins)
		}

		token, sess, p, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		now := clock.now()
		if len(token) != 43 || sess.ID == "" || len(sess.CSRF) != 43 || sess.CSRF == token || sess.Username != "eve" {
			t.Fatalf("got token %d chars, session %+v, want 43-char token and CSRF, an id", len(token), sess)
		}
		if !sess.CreatedAt.Equal(now) || !sess.SeenAt.Equal(now) || !sess.ExpiresAt.Equal(now.Add(testMax)) {
			t.Fatalf("got times %v %v %v, want %v and +%v", sess.CreatedAt, sess.SeenAt, sess.ExpiresAt, now, testMax)
		}
		want := auth.Principal{Subject: "eve", Role: auth.RoleEditor, Org: "geneve", Units: []string{"etat-civil"}, ExpiresAt: now.Add(testIdle)}
		if p.Subject != want.Subject || p.Role != want.Role || p.Org != want.Org || !slices.Equal(p.Units, want.Units) || p.TokenID != "" || !p.ExpiresAt.Equal(want.ExpiresAt) {
			t.Fatalf("got principal %+v, want %+v", p, want)
		}
		if got := auditCount(t, svc, register.ActionLogin); got != logins+1 {
			t.Fatalf("got %d login entries, want 1", got-logins)
		}

		clock.add(5 * time.Minute)
		again, p2, err := svc.ResumeSession(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != sess.ID || again.CSRF != sess.CSRF || p2.Subject != "eve" || p2.Role != auth.RoleEditor || !slices.Equal(p2.Units, []string{"etat-civil"}) {
			t.Fatalf("got %+v %+v, want the same session and principal", again, p2)
		}
		if !p2.ExpiresAt.Equal(clock.now().Add(testIdle)) {
			t.Fatalf("got principal expiry %v, want idle end %v", p2.ExpiresAt, clock.now().Add(testIdle))
		}

		// A second session of the same account is independent.
		other, _, _, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil || other == token {
			t.Fatalf("second session: got %q, %v", other, err)
		}
		if err := svc.CloseSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if got := auditCount(t, svc, register.ActionLogout); got != logouts+1 {
			t.Fatalf("got %d logout entries, want 1", got-logouts)
		}
		if _, _, err := svc.ResumeSession(ctx, token); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("closed session: got %v, want unauthorized", err)
		}
		if _, _, err := svc.ResumeSession(ctx, other); err != nil {
			t.Fatalf("the other session: got %v, want it still open", err)
		}
		for _, tok := range []string{token, "", "not-a-token", strings.Repeat("A", 43)} {
			if err := svc.CloseSession(ctx, tok); err != nil {
				t.Fatalf("closing %q: got %v, want nothing to do", tok, err)
			}
		}
		if got := auditCount(t, svc, register.ActionLogout); got != logouts+1 {
			t.Fatalf("closing nothing audited %d logouts, want none", got-logouts-1)
		}
	})
}

func TestSessionEnds(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := sessionsEnv(t, db)
		ctx := context.Background()
		tests := []struct {
			name string
			// then acts between sign-in and the next request.
			then  func(t *testing.T, token string)
			ended bool
		}{
			{"OpenJustBeforeIdleEnd", func(t *testing.T, _ string) { clock.add(testIdle - time.Second) }, false},
			{"EndedWhenIdle", func(t *testing.T, _ string) { clock.add(testIdle) }, true},
			{"OpenWhileActive", func(t *testing.T, token string) {
				for range 3 {
					clock.add(testIdle - time.Minute)
					if _, _, err := svc.ResumeSession(ctx, token); err != nil {
						t.Fatal(err)
					}
				}
			}, false},
			{"EndedAtAbsoluteEndThoughActive", func(t *testing.T, token string) {
				for range 4 {
					clock.add(testIdle - time.Minute)
					if _, _, err := svc.ResumeSession(ctx, token); err != nil {
						t.Fatal(err)
					}
				}
				clock.add(testMax - 4*(testIdle-time.Minute))
			}, true},
			{"EndedByRoleChange", func(t *testing.T, _ string) { setAccount(t, db, "eve", "dpo", "geneve", "[]") }, true},
			{"EndedByUnitsChange", func(t *testing.T, _ string) {
				setAccount(t, db, "eve", "editor", "geneve", `["etat-civil","informatique"]`)
			}, true},
			{"EndedByOrganisationChange", func(t *testing.T, _ string) {
				setAccount(t, db, "eve", "editor", "carouge", `["etat-civil"]`)
			}, true},
			{"EndedByDeletion", func(t *testing.T, token string) {
				if err := svc.DeleteUser(ctx, adminPrincipal(), "eve"); err != nil {
					t.Fatal(err)
				}
				if sessionRowExists(t, db, token) {
					t.Fatal("DeleteUser left the account's session in the table")
				}
			}, true},
			{"EndedBySignOut", func(t *testing.T, token string) {
				if err := svc.CloseSession(ctx, token); err != nil {
					t.Fatal(err)
				}
				if sessionRowExists(t, db, token) {
					t.Fatal("CloseSession left the session in the table")
				}
			}, true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				// Each case starts from eve as sessionsEnv made her.
				if _, _, err := db.Store().GetUser(ctx, "eve"); register.ErrorCode(err) == register.ENotFound {
					clock.add(2 * time.Second)
					if _, err := svc.CreateUser(ctx, adminPrincipal(), register.NewAccount{Username: "eve", Password: goodPassword, Role: "editor", Org: "geneve", Units: []string{"etat-civil"}}); err != nil {
						t.Fatal(err)
					}
				}
				setAccount(t, db, "eve", "editor", "geneve", `["etat-civil"]`)
				clock.add(time.Second)
				token, _, _, err := svc.OpenSession(ctx, "eve", goodPassword)
				if err != nil {
					t.Fatal(err)
				}
				tc.then(t, token)
				_, p, err := svc.ResumeSession(ctx, token)
				if !tc.ended {
					if err != nil || p.Subject != "eve" {
						t.Fatalf("got %+v, %v, want the session still open", p, err)
					}
					return
				}
				if register.ErrorCode(err) != register.EUnauthorized || p != nil {
					t.Fatalf("got %+v, %v, want unauthorized", p, err)
				}
				if sessionRowExists(t, db, token) {
					t.Fatalf("the ended session's row is still in the table")
				}
				// Setting things back does not revive it.
				setAccount(t, db, "eve", "editor", "geneve", `["etat-civil"]`)
				if _, _, err := svc.ResumeSession(ctx, token); register.ErrorCode(err) != register.EUnauthorized {
					t.Fatalf("after restoring the account: got %v, want unauthorized", err)
				}
			})
		}
		for _, token := range []string{"", "short", strings.Repeat("A", 43), strings.Repeat("*", 43), strings.Repeat("A", 4096)} {
			if _, _, err := svc.ResumeSession(ctx, token); register.ErrorCode(err) != register.EUnauthorized {
				t.Errorf("token %.10q: got %v, want unauthorized", token, err)
			}
		}
	})
}

func TestSessionTableHoldsOnlyTheTokenHash(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := sessionsEnv(t, db)
		ctx := context.Background()
		token, sess, _, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			TokenHash string `bun:"token_hash"`
			ID        string `bun:"id"`
			Username  string `bun:"username"`
			CSRF      string `bun:"csrf"`
			Role      string `bun:"role"`
			Org       string `bun:"organisation"`
			Units     string `bun:"units"`
		}
		if err := db.Bun().NewRaw("SELECT token_hash, id, username, csrf, role, organisation, units FROM sessions").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("got %d rows, want 1", len(rows))
		}
		r := rows[0]
		if r.TokenHash != tokenHash(token) || r.ID != sess.ID || r.Username != "eve" || r.CSRF != sess.CSRF ||
			r.Role != "editor" || r.Org != "geneve" || r.Units != `["etat-civil"]` {
			t.Fatalf("got row %+v, want the SHA-256 of the token and eve's stamp", r)
		}
		if strings.Contains(r.TokenHash+r.ID+r.Username+r.CSRF+r.Role+r.Org+r.Units, token) {
			t.Fatalf("the token itself is in the row")
		}
	})
}

func TestSessionTouchAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := sessionsEnv(t, db)
		ctx := context.Background()
		token, sess, _, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		stored := func() time.Time {
			t.Helper()
			s, _, err := db.Store().GetSession(ctx, tokenHash(token))
			if err != nil {
				t.Fatal(err)
			}
			return s.SeenAt
		}
		want := sess.SeenAt
		for i, step := range []struct {
			after time.Duration
			write bool
		}{
			{10 * time.Second, false},
			{40 * time.Second, false},
			{9 * time.Second, false}, // 59 s since the last write
			{time.Second, true},      // a minute
			{30 * time.Second, false},
			{5 * time.Minute, true},
		} {
			clock.add(step.after)
			if _, _, err := svc.ResumeSession(ctx, token); err != nil {
				t.Fatal(err)
			}
			if step.write {
				want = clock.now()
			}
			if got := stored(); !got.Equal(want) {
				t.Fatalf("step %d: got seen_at %v, want %v", i, got, want)
			}
		}
		// What a page view costs when the session was touched less than a
		// minute ago: two reads, no write.
		const n = 500
		start := time.Now()
		for range n {
			if _, _, err := svc.ResumeSession(ctx, token); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("ResumeSession without a write: %v per call", time.Since(start)/n)
	})
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, _ := sessionsEnv(t, db)
		ctx := context.Background()
		const next = "another long passphrase"
		mine, _, eve, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, _, _, err := svc.OpenSession(ctx, "eve", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		adas, _, _, err := svc.OpenSession(ctx, "ada", goodPassword)
		if err != nil {
			t.Fatal(err)
		}
		refused := []struct {
			name          string
			p             *auth.Principal
			current, next string
			code          register.Code
			fields        []string
		}{
			{"ErrWrongCurrent", eve, "wrong password!", next, register.EInvalid, []string{"current_password"}},
			{"ErrEmptyCurrent", eve, "", next, register.EInvalid, []string{"current_password"}},
			{"ErrOverlongCurrent", eve, strings.Repeat("x", 5000), next, register.EInvalid, []string{"current_password"}},
			{"ErrWeakNew", eve, goodPassword, "short", register.EInvalid, []string{"new_password"}},
			{"ErrNewIsUsername", eve, goodPassword, "eve", register.EInvalid, []string{"new_password"}},
			{"ErrNewSameAsCurrent", eve, goodPassword, goodPassword, register.EInvalid, []string{"new_password"}},
			{"ErrBothWrong", eve, "wrong password!", "short", register.EInvalid, []string{"current_password", "new_password"}},
			{"ErrCommandLine", register.CommandLine("user-add"), goodPassword, next, register.EForbidden, nil},
			{"ErrReservedName", &auth.Principal{Subject: "system", Role: auth.RoleAdmin}, goodPassword, next, register.EForbidden, nil},
			{"ErrNoLocalAccount", &auth.Principal{Subject: "idp-person", Role: auth.RoleDPO, Org: "geneve"}, goodPassword, next, register.EForbidden, nil},
			{"ErrNoPrincipal", nil, goodPassword, next, register.EUnauthorized, nil},
		}
		for _, tc := range refused {
			t.Run(tc.name, func(t *testing.T) {
				err := svc.ChangePassword(ctx, tc.p, tc.current, tc.next, mine)
				if register.ErrorCode(err) != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				// Login throttling counts a wrong current password as a
				// failed sign-in (as any EUnauthorized), and nothing else.
				want := slices.Contains(tc.fields, "current_password") || tc.code == register.EUnauthorized
				if got := register.WrongPassword(err); got != want {
					t.Fatalf("got WrongPassword %v, want %v", got, want)
				}
				var got []string
				if e, ok := register.AsError(err); ok {
					for _, f := range e.Fields {
						got = append(got, f.Field)
					}
				}
				if !slices.Equal(got, tc.fields) {
					t.Fatalf("got fields %v, want %v", got, tc.fields)
				}
				if _, _, err := svc.ResumeSession(ctx, elsewhere); err != nil {
					t.Fatalf("a refused change ended another session: %v", err)
				}
			})
		}
		if got := auditCount(t, svc, register.ActionPasswordChange); got != 0 {
			t.Fatalf("refused changes audited %d entries", got)
		}

		if err := svc.ChangePassword(ctx, eve, goodPassword, next, mine); err != nil {
			t.Fatal(err)
		}
		if got := auditCount(t, svc, register.ActionPasswordChange); got != 1 {
			t.Fatalf("got %d password_change entries, want 1", got)
		}
		if _, _, err := svc.ResumeSession(ctx, mine); err != nil {
			t.Fatalf("the session that changed the password: got %v, want it kept", err)
		}
		if _, _, err := svc.ResumeSession(ctx, elsewhere); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("another session of the account: got %v, want it ended", err)
		}
		if _, _, err := svc.ResumeSession(ctx, adas); err != nil {
			t.Fatalf("another account's session: got %v, want it untouched", err)
		}
		if _, err := svc.Login(ctx, "eve", goodPassword); register.ErrorCode(err) != register.EUnauthorized {
			t.Fatalf("old password: got %v, want refused", err)
		}
		if _, _, _, err := svc.OpenSession(ctx, "eve", next); err != nil {
			t.Fatalf("new password: got %v", err)
		}
	})
}

func TestPurgeSessions(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		svc, clock := sessionsEnv(t, db)
		ctx := context.Background()
		open := func() string {
			t.Helper()
			token, _, _, err := svc.OpenSession(ctx, "eve", goodPassword)
			if err != nil {
				t.Fatal(err)
			}
			return token
		}
		step := testIdle - time.Minute
		// aged stays active until it passes its absolute end; idle is
		// left alone after a while; active is fresh.
		aged := open()
		var idle, active string
		for i := range 4 {
			clock.add(step)
			if _, _, err := svc.ResumeSession(ctx, aged); err != nil {
				t.Fatal(err)
			}
			switch i {
			case 1:
				idle = open()
			case 3:
				active = open()
			}
		}
		clock.add(testMax - 4*step + time.Second)
		n, err := svc.PurgeSessions(ctx)
		if err != nil || n != 2 {
			t.Fatalf("got %d purged, %v, want 2", n, err)
		}
		for token, want := range map[string]bool{aged: false, idle: false, active: true} {
			if got := sessionRowExists(t, db, token); got != want {
				t.Errorf("got row kept %v, want %v", got, want)
			}
		}
		if _, _, err := svc.ResumeSession(ctx, active); err != nil {
			t.Fatalf("the active session after the purge: %v", err)
		}
		if n, err := svc.PurgeSessions(ctx); err != nil || n != 0 {
			t.Fatalf("second purge: got %d, %v, want 0", n, err)
		}
	})
}
