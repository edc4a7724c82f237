package office_test

import (
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

var feedURL = regexp.MustCompile(`<code id="feed-url">[^<]*(/office/feed/[A-Za-z0-9_-]+)</code>`)

// anonGet fetches path without a session, as a feed reader does.
func anonGet(t *testing.T, e *apitest.Env, path string) (int, http.Header, string) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	res, err := c.Get(e.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// TestRemindersOnTheAccountPage: the editor opts out and picks English
// (kept, confirmed); makes a feed address, shown once, that a reader
// without a session reads (the draft returned to them, with the DPO's
// comment); a new address makes the old one answer 404.
func TestRemindersOnTheAccountPage(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		editor := signIn(t, e, f.Users["editor"], f.Password)
		acc := editor.page("/office/account?lang=en")
		form := mustForm(t, acc, "/office/account/reminders")
		form.Set("opt_out", "on")
		form.Set("reminder_lang", "en")
		st, h, _ := editor.post("/office/account/reminders", form)
		if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=reminders") {
			t.Fatalf("save: %d %s", st, h.Get("Location"))
		}
		acc = editor.page(h.Get("Location"))
		if !strings.Contains(acc, `name="opt_out" checked`) || !strings.Contains(acc, `<option value="en" selected>`) || !strings.Contains(acc, "Your reminders are saved.") {
			t.Errorf("the saved choice is not shown:\n%s", excerptOf(acc))
		}
		rotate := func() string {
			t.Helper()
			st, _, body := editor.post("/office/account/feed", mustForm(t, editor.page("/office/account?lang=en"), "/office/account/feed"))
			m := feedURL.FindStringSubmatch(body)
			if st != http.StatusOK || m == nil {
				t.Fatalf("rotate: %d\n%s", st, excerptOf(body))
			}
			return m[1]
		}
		old := rotate()
		if strings.Contains(editor.page("/office/account"), old) {
			t.Error("the feed address is shown again")
		}
		st, h, body := anonGet(t, e, old)
		body = html.UnescapeString(body)
		if st != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/atom+xml") || !strings.Contains(h.Get("Cache-Control"), "private") ||
			!strings.Contains(body, "Returned: "+e2e.OfficeCanteen) || !strings.Contains(body, e2e.OfficeReturnNote) || !strings.Contains(body, "/office/processings/"+f.Canteen) {
			t.Fatalf("feed: %d %v\n%s", st, h, body)
		}
		cur := rotate()
		for path, want := range map[string]int{old: 404, cur: 200, "/office/feed/" + strings.Repeat("A", 43): 404, "/office/feed/x": 404} {
			if st, _, _ := anonGet(t, e, path); st != want {
				t.Errorf("GET %s: %d, want %d", path, st, want)
			}
		}
	})
}

// TestOrganisationReminderSettings: the DPO chooses daily at 9:00 (saved,
// confirmed, shown to the editor, who has no form and is refused a post).
func TestOrganisationReminderSettings(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		editor := signIn(t, e, f.Users["editor"], f.Password)
		if acc := editor.page("/office/account?lang=en"); !strings.Contains(acc, "every Monday at 7:00") {
			t.Errorf("the default is not shown:\n%s", excerptOf(acc))
		}
		form := mustForm(t, dpo.page("/office/reminders?lang=en"), "/office/reminders")
		form.Set("frequency", "daily")
		form.Set("hour", "9")
		st, h, _ := dpo.post("/office/reminders", form)
		if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=settings") {
			t.Fatalf("save: %d %s", st, h.Get("Location"))
		}
		page := dpo.page(h.Get("Location"))
		if !strings.Contains(page, `value="daily" checked`) || !strings.Contains(page, `<option value="9" selected>`) || !strings.Contains(page, "The sending of reminders is saved.") {
			t.Errorf("the saved settings are not shown:\n%s", excerptOf(page))
		}
		form.Set("hour", "24")
		if st, _, _ := dpo.post("/office/reminders", form); st != http.StatusUnprocessableEntity {
			t.Errorf("hour 24: %d, want 422", st)
		}
		ed := editor.page("/office/reminders?lang=en")
		if !strings.Contains(ed, "every day at 9:00") || strings.Contains(ed, `action="/office/reminders"`) {
			t.Errorf("the editor's view:\n%s", excerptOf(ed))
		}
		vals := mustForm(t, editor.page("/office/account"), "/office/account/reminders")
		vals.Set("frequency", "weekly")
		vals.Set("hour", "3")
		if st, _, _ := editor.post("/office/reminders", vals); st != http.StatusForbidden {
			t.Errorf("the editor's post: %d, want 403", st)
		}
	})
}
