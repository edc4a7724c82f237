package server_test

import (
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestReminderSettingsOverTheAPI: the organisation's schedule is read by
// every role of the organisation (and the administrator), changed by its
// DPO and the administrator only, audited as the office page does it; bad
// values are 422 problem+json naming the field and change nothing; another
// organisation's people get 404. Each person reads and sets their own
// opt-out and language, and no one else's.
func TestReminderSettingsOverTheAPI(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		admin := e.Token(auth.RoleAdmin, "")
		dpo := e.Token(auth.RoleDPO, "geneve")
		editor := e.Token(auth.RoleEditor, "geneve", "etat-civil")
		auditor := e.Token(auth.RoleAuditor, "geneve")
		const path = "/api/v1/organisations/geneve/reminders"
		settings := func(token string) map[string]any {
			t.Helper()
			return e.Must(200, "GET", path, token, nil).Map(t)
		}
		if got := settings(auditor); got["organisation"] != "geneve" || got["frequency"] != "weekly" || got["hour"] != float64(7) {
			t.Fatalf("defaults read by the auditor: %v", got)
		}
		before := auditCount(t, e, "reminders.settings")

		// Refusals, each leaving the settings and the trail as they were.
		for _, tt := range []struct {
			name   string
			token  string
			path   string
			body   any
			status int
			field  string
		}{
			{"ErrEditorMayNotChange", editor, path, map[string]any{"frequency": "daily", "hour": 9}, 403, ""},
			{"ErrAuditorMayNotChange", auditor, path, map[string]any{"frequency": "daily", "hour": 9}, 403, ""},
			{"ErrOtherOrganisationsDPO", e.Token(auth.RoleDPO, "carouge"), path, map[string]any{"frequency": "daily", "hour": 9}, 404, ""},
			{"ErrUnknownOrganisation", admin, "/api/v1/organisations/nowhere/reminders", map[string]any{"frequency": "daily", "hour": 9}, 404, ""},
			{"ErrHour24", dpo, path, map[string]any{"frequency": "daily", "hour": 24}, 422, "hour"},
			{"ErrHourMissing", dpo, path, map[string]any{"frequency": "daily"}, 422, "hour"},
			{"ErrMonthly", dpo, path, map[string]any{"frequency": "monthly", "hour": 9}, 422, "frequency"},
			{"ErrHourAsText", dpo, path, map[string]any{"frequency": "daily", "hour": "9"}, 400, ""},
			{"ErrUnknownField", dpo, path, map[string]any{"frequency": "daily", "hour": 9, "minute": 30}, 400, ""},
			{"ErrNoToken", "", path, map[string]any{"frequency": "daily", "hour": 9}, 401, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				checkProblem(t, e.Do("PUT", tt.path, tt.token, tt.body), tt.status, tt.field)
			})
		}
		for _, token := range []string{e.Token(auth.RoleAuditor, "carouge"), e.Token(auth.RoleEditor, "carouge", "etat-civil")} {
			checkProblem(t, e.Do("GET", path, token, nil), 404, "")
		}
		checkProblem(t, e.Do("GET", "/api/v1/organisations/nowhere/reminders", admin, nil), 404, "")
		if got := settings(dpo); got["frequency"] != "weekly" || got["hour"] != float64(7) {
			t.Fatalf("a refused change changed the settings: %v", got)
		}
		if n := auditCount(t, e, "reminders.settings"); n != before {
			t.Fatalf("refused changes were audited: %d entries, want %d", n, before)
		}

		// The DPO (sending back the read-only organisation, which is
		// ignored) and the administrator change it; each change is audited.
		got := e.Must(200, "PUT", path, dpo, map[string]any{"organisation": "carouge", "frequency": "daily", "hour": 9}).Map(t)
		if got["organisation"] != "geneve" || got["frequency"] != "daily" || got["hour"] != float64(9) {
			t.Fatalf("the DPO's change answered %v", got)
		}
		if got := settings(editor); got["frequency"] != "daily" || got["hour"] != float64(9) {
			t.Fatalf("the editor reads %v after the change", got)
		}
		if got := e.Must(200, "GET", "/api/v1/organisations/carouge/reminders", admin, nil).Map(t); got["frequency"] != "weekly" {
			t.Fatalf("carouge's settings changed with geneve's: %v", got)
		}
		e.Must(200, "PUT", path, admin, map[string]any{"frequency": "weekly", "hour": 0})
		if n := auditCount(t, e, "reminders.settings"); n != before+2 {
			t.Fatalf("%d reminders.settings entries, want %d", n, before+2)
		}
		var trail struct {
			Items []struct{ Actor, Target, Comment string } `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/audit?action=reminders.settings", admin, nil).JSON(t, &trail)
		if len(trail.Items) < 2 || trail.Items[0].Comment != "weekly at 0:00" || trail.Items[0].Target != "organisation/geneve" ||
			trail.Items[1].Comment != "daily at 9:00" || trail.Items[1].Actor != "dpo-geneve" {
			t.Fatalf("audit entries: %+v", trail.Items)
		}

		// Each person's own preferences.
		const me = "/api/v1/me/reminders"
		if got := e.Must(200, "GET", me, editor, nil).Map(t); got["username"] != "editor-geneve" || got["opt_out"] != false || got["lang"] != "fr" {
			t.Fatalf("the editor's default preferences: %v", got)
		}
		checkProblem(t, e.Do("PUT", me, editor, map[string]any{"opt_out": true, "lang": "de"}), 422, "lang")
		checkProblem(t, e.Do("PUT", me, editor, map[string]any{"lang": "en"}), 422, "opt_out")
		checkProblem(t, e.Do("PUT", me, editor, map[string]any{"opt_out": true, "lang": "en", "feed": "x"}), 400, "")
		checkProblem(t, e.Do("PUT", me, "", map[string]any{"opt_out": true, "lang": "en"}), 401, "")
		if got := e.Must(200, "GET", me, editor, nil).Map(t); got["opt_out"] != false || got["lang"] != "fr" {
			t.Fatalf("refused changes changed the preferences: %v", got)
		}
		// username is read-only: sending another person's changes the caller's.
		got = e.Must(200, "PUT", me, editor, map[string]any{"username": "dpo-geneve", "opt_out": true, "lang": "en"}).Map(t)
		if got["username"] != "editor-geneve" || got["opt_out"] != true || got["lang"] != "en" {
			t.Fatalf("the editor's change answered %v", got)
		}
		if got := e.Must(200, "GET", me, dpo, nil).Map(t); got["opt_out"] != false || got["lang"] != "fr" {
			t.Fatalf("the editor's change reached the DPO's preferences: %v", got)
		}
		if got := e.Must(200, "GET", me, editor, nil).Map(t); got["opt_out"] != true || got["lang"] != "en" || got["feed_hash"] != nil {
			t.Fatalf("the editor's preferences read back: %v", got)
		}
	})
}
