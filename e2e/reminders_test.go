package e2e_test

import (
	"fmt"
	"log/slog"
	"testing"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// TestRemindersInBrowser: the account page with its reminders section and
// the organisation's reminder settings (the DPO's form, the editor's
// reading), in both languages, at 1280 and 375 px with axe-core's WCAG 2.2
// AA rules.
func TestRemindersInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		env := apitest.Start(t, db, func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		f := e2e.LoadOffice(t, env)
		ctx := startBrowser(t, chrome)
		b := &officeBrowser{t: t, ctx: ctx, env: env, axe: string(axe)}
		for _, who := range []string{"dpo", "editor"} {
			b.signIn(f.Users[who], f.Password)
			for _, lang := range []string{"fr", "en"} {
				for _, k := range []struct{ name, path string }{
					{"account", "/office/account"},
					{"reminder-settings", "/office/reminders"},
				} {
					t.Run(fmt.Sprintf("%s/%s/%s", who, k.name, lang), func(t *testing.T) {
						b.withT(t).checkPage(withLang(k.path, lang), lang, 200, who+"-"+k.name)
					})
				}
			}
			b.signOut()
		}
	})
}
