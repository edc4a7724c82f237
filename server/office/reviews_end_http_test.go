package office_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestArchiveConfirmationAsksForTheEndDateAndReason: a DPO archives a
// processing whose newer draft is pending; the confirmation says the draft
// stays unpublished, asks for the end date (today by default) and a public
// reason, refuses a missing reason and a bad date beside their fields
// keeping what was typed, and then archives: the public URL answers 410
// with the date and reason.
func TestArchiveConfirmationAsksForTheEndDateAndReason(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		path := "/office/processings/" + f.Births + "/archive"
		page := html.UnescapeString(dpo.page(path + "?lang=en"))
		for _, want := range []string{`name="ended_on" value="` + e.Service.Today() + `"`, `name="reason"`,
			"Version 2, still being drafted, will not be published"} {
			if !strings.Contains(page, want) {
				t.Errorf("the confirmation lacks %q:\n%s", want, excerptOf(page))
			}
		}
		form := mustForm(t, page, path)
		form.Set("ended_on", "2026-11-30")
		st, _, body := dpo.post(path, form)
		body = html.UnescapeString(body)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#reason"`) || !strings.Contains(body, `id="reason-error"`) {
			t.Errorf("no reason: %d\n%s", st, excerptOf(body))
		}
		form.Set("reason", "Remplacé par le registre cantonal.")
		form.Set("ended_on", "30/11/2026")
		st, _, body = dpo.post(path, form)
		body = html.UnescapeString(body)
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#ended_on"`) || !strings.Contains(body, "Remplacé par le registre cantonal.") {
			t.Errorf("a bad date: %d\n%s", st, excerptOf(body))
		}
		if rec := readRecord(t, e, f.Births); rec.Status != "draft" {
			t.Fatalf("refused forms changed the record: %s", rec.Status)
		}
		form.Set("ended_on", "2026-11-30")
		st, h, body := dpo.post(path, form)
		if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=archived") {
			t.Fatalf("archive: %d %s\n%s", st, h.Get("Location"), excerptOf(body))
		}
		if rec := readRecord(t, e, f.Births); rec.Status != "archived" || rec.Version != 2 || rec.PublishedVersion != 1 {
			t.Errorf("after archiving: %+v", rec)
		}
		gone := e.Must(410, "GET", "/public/v1/processings/"+f.Births, "", nil).Map(t)
		if gone["ended_on"] != "2026-11-30" || gone["reason"] != "Remplacé par le registre cantonal." || gone["title"] != e2e.OfficeBirthsV1 {
			t.Errorf("410: %v", gone)
		}
	})
}
