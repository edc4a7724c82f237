package e2e_test

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
)

// TestMyTasksInBrowser: "my review tasks" as the editor (an overdue task
// and one to do) and as the DPO, and the empty page of another
// organisation's DPO, in both languages, at 1280 and 375 px with axe-core's
// WCAG 2.2 AA rules; the editor presses "Still accurate" and lands back on
// the page, its banner checked too. The page reads nothing a database
// treats differently (the HTTP test, TestMyReviewTasks, runs on both), so
// this runs on SQLite only.
func TestMyTasksInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	db := dbtest.Open(t, dbtest.SQLiteDSN(t))
	var now atomic.Pointer[time.Time]
	start := time.Now()
	now.Store(&start)
	env := apitest.Start(t, db, func(c *server.Config) {
		c.Logger = slog.New(slog.DiscardHandler)
		c.Service = register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithClock(func() time.Time { return *now.Load() }))
	})
	zurich, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		t.Fatal(err)
	}
	f := e2e.LoadMyTasks(t, env, start.In(zurich).Format(time.DateOnly))
	later := start.Add(24 * time.Hour) // the urgent campaign's due day has passed
	now.Store(&later)

	ctx := startBrowser(t, chrome)
	b := &officeBrowser{t: t, ctx: ctx, env: env, axe: string(axe), shots: os.Getenv(envScreenshots)}
	for _, who := range []string{"dpo", "editor"} { // the editor takes the overdue task last
		b.signIn(f.Users[who], f.Password)
		for _, lang := range []string{"fr", "en"} {
			t.Run(fmt.Sprintf("%s/%s", who, lang), func(t *testing.T) {
				b.withT(t).checkPage(withLang("/office/tasks", lang), lang, 200, "mytasks-"+who)
				tags, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('ul.tasks strong.tag-returned').length`))
				if err != nil || tags != 1 {
					t.Errorf("overdue marks: %d (%v), want 1", tags, err)
				}
			})
		}
		if who == "editor" {
			b.open(withLang("/office/tasks", "en"), 200)
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/office/campaigns/`+f.Urgent+`/tasks/`+f.Births+`/confirm"] button`))); err != nil {
				t.Fatalf("still accurate: %v", err)
			}
			if loc := b.facts().Location; !strings.HasPrefix(loc, "/office/tasks?done=confirmed") {
				t.Errorf("after still accurate: at %s, want back on the tasks", loc)
			}
			t.Run("editor/after", func(t *testing.T) { b.withT(t).checkHere("mytasks-after", "en") })
		}
		b.signOut()
	}
	b.signIn(f.OtherDPO, f.Password)
	t.Run("none/fr", func(t *testing.T) { b.withT(t).checkPage(withLang("/office/tasks", "fr"), "fr", 200, "mytasks-none") })
}
