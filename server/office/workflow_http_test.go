package office_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

var (
	formRE        = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenFieldRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// formAt returns the hidden fields of the page's form that posts to
// action, and whether there is one.
func formAt(body, action string) (url.Values, bool) {
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		vals := url.Values{}
		for _, h := range hiddenFieldRE.FindAllStringSubmatch(m[2], -1) {
			vals.Set(h[1], html.UnescapeString(h[2]))
		}
		return vals, true
	}
	return nil, false
}

// mustForm is formAt that fails the test without the form.
func mustForm(t *testing.T, body, action string) url.Values {
	t.Helper()
	vals, ok := formAt(body, action)
	if !ok {
		t.Fatalf("no form posting to %s in:\n%s", action, excerptOf(body))
	}
	return vals
}

func excerptOf(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

// wfRecord is a processing as the API says it is now.
type wfRecord struct {
	Status           string `json:"status"`
	Version          int    `json:"version"`
	PublishedVersion int    `json:"published_version"`
	etag             string
}

func readRecord(t *testing.T, e *apitest.Env, id string) wfRecord {
	t.Helper()
	r := e.WithT(t).Must(200, "GET", "/api/v1/processings/"+id, e.Token(auth.RoleAdmin, ""), nil)
	var rec wfRecord
	r.JSON(t, &rec)
	rec.etag = r.Header.Get("ETag")
	return rec
}

// takes opens the confirmation page of action on id, checks that it names
// its consequence, posts its form and checks the 303 to where with the
// banner's flag; it returns the page the browser lands on.
func (r *reader) takes(id, action, consequence string, extra url.Values, landing string) string {
	r.t.Helper()
	path := "/office/processings/" + id + "/" + action
	page := r.page(path + "?lang=en")
	if !strings.Contains(page, consequence) {
		r.t.Fatalf("%s: the confirmation does not say %q:\n%s", path, consequence, excerptOf(page))
	}
	form := mustForm(r.t, page, path)
	for k, v := range extra {
		form[k] = v
	}
	st, h, body := r.post(path, form)
	if st != http.StatusSeeOther {
		r.t.Fatalf("POST %s: %d, want 303\n%s", path, st, excerptOf(html.UnescapeString(body)))
	}
	loc := h.Get("Location")
	if !strings.HasPrefix(loc, landing+"?") || !strings.Contains(loc, "done=") || !strings.Contains(loc, "lang=en") {
		r.t.Fatalf("POST %s: to %q, want %s?done=…&lang=en", path, loc, landing)
	}
	return r.page(loc)
}

// TestWorkflowStepsInTheBrowserWithoutJavaScript takes every workflow step
// through the back office's own pages and forms, with plain HTTP as a
// browser without JavaScript: each step by a role that may take it answers
// 303 to the record, whose banner says what happened; the review page
// marks what changed since the published version; the return comment
// reaches the editor on the record and in "returned to me"; a role that
// may not take a step has no link to it and gets 403 (another
// organisation's record, 404); a blocked publication shows its findings;
// a stale form changes nothing and says how to reload; the back button
// and a form posted twice do nothing more.
func TestWorkflowStepsInTheBrowserWithoutJavaScript(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		editor := signIn(t, e, f.Users["editor"], f.Password)
		auditor := signIn(t, e, f.Users["auditor"], f.Password)
		base := "/office/processings/"

		t.Run("the editor reads the return comment, then resubmits", func(t *testing.T) {
			editor, dpo := editor.withT(t), dpo.withT(t)
			list := editor.page("/office/?view=returned&lang=en")
			if !strings.Contains(list, e2e.OfficeCanteen) || !strings.Contains(list, "Comment: <q lang=\"fr\">"+e2e.OfficeReturnNote+"</q>") {
				t.Errorf("returned to me does not show the comment:\n%s", excerptOf(list))
			}
			rec := editor.page(base + f.Canteen + "?lang=en")
			if !strings.Contains(rec, "Returned for correction") || !strings.Contains(rec, e2e.OfficeReturnNote) {
				t.Error("the record does not show the return and its comment")
			}
			if got := follow(t, rec, "Submit for review"); got != base+f.Canteen+"/submit?lang=en" {
				t.Errorf("submit link %q", got)
			}
			landed := editor.takes(f.Canteen, "submit", "will see it in “waiting for my review”", nil, base+f.Canteen)
			if !strings.Contains(landed, `class="banner banner-success"`) || !strings.Contains(landed, "waiting for the DPO’s review") {
				t.Errorf("no banner after submitting:\n%s", excerptOf(landed))
			}
			if strings.Contains(landed, "Submit for review") {
				t.Error("a record in review still offers to submit it")
			}
			if rec := readRecord(t, e, f.Canteen); rec.Status != "in_review" {
				t.Errorf("status %s", rec.Status)
			}
			toReview := dpo.page("/office/?view=to-review&lang=en")
			if got := follow(t, toReview, e2e.OfficeCanteen); got != base+f.Canteen+"/review?lang=en" {
				t.Errorf("a row of 'waiting for my review' links to %q", got)
			}
		})

		t.Run("the DPO reviews a record never published and returns it with a comment", func(t *testing.T) {
			dpo, editor := dpo.withT(t), editor.withT(t)
			rev := dpo.page(base + f.Canteen + "/review?lang=en")
			for _, want := range []string{"Never published: every field is new.", `<strong class="tag small tag-new">new</strong>`,
				"<ins>", "Blocking findings (", "Your decision"} {
				if !strings.Contains(rev, want) {
					t.Errorf("the review page lacks %q", want)
				}
			}
			if _, ok := formAt(rev, base+f.Canteen+"/publish"); ok {
				t.Error("the review page offers to publish a record with blocking findings")
			}
			form := mustForm(t, rev, base+f.Canteen+"/return")
			// A comment over the domain's bound is refused beside its
			// field, and kept.
			long := strings.Repeat("trop long ", 201)
			form.Set("comment", long)
			st, _, body := dpo.post(base+f.Canteen+"/return", form)
			body = html.UnescapeString(body)
			if st != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#comment"`) ||
				!strings.Contains(body, "at most 2000 characters") || !strings.Contains(body, strings.TrimSpace(long)) {
				t.Errorf("a comment too long: %d\n%s", st, excerptOf(body))
			}
			// A publication posted anyway (an old page) is refused with
			// the findings that block it.
			pub := mustForm(t, rev, base+f.Canteen+"/return")
			st, _, body = dpo.post(base+f.Canteen+"/publish", pub)
			body = html.UnescapeString(body)
			if st != http.StatusUnprocessableEntity || !strings.Contains(body, "This version cannot be published") ||
				!strings.Contains(body, `class="finding finding-blocks"`) || strings.Contains(body, `name="revision"`) {
				t.Errorf("a blocked publication: %d\n%s", st, excerptOf(body))
			}
			if st, _, body := dpo.get(base + f.Canteen + "/publish?lang=en"); st != http.StatusOK || !strings.Contains(html.UnescapeString(body), "This version cannot be published") {
				t.Errorf("the publish page of a blocked record: %d", st)
			}
			note := "Il manque toujours le responsable."
			form.Set("comment", note)
			st, h, body := dpo.post(base+f.Canteen+"/return", form)
			if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=returned") {
				t.Fatalf("return: %d %s\n%s", st, h.Get("Location"), excerptOf(body))
			}
			if landed := dpo.page(h.Get("Location")); !strings.Contains(landed, "The editor will see your comment.") {
				t.Error("no banner after the return")
			}
			if rec := editor.page(base + f.Canteen + "?lang=en"); !strings.Contains(rec, note) {
				t.Error("the editor does not see the new comment on the record")
			}
			if list := editor.page("/office/?view=returned&lang=en"); !strings.Contains(list, note) {
				t.Error("the editor does not see the new comment in returned to me")
			}
		})

		t.Run("the DPO publishes from the review page; the public page shows it", func(t *testing.T) {
			dpo := dpo.withT(t)
			rev := dpo.page(base + f.Accounts + "/review?lang=en")
			form := mustForm(t, rev, base+f.Accounts+"/publish")
			if !strings.Contains(rev, "The public will see this version on the public register and in the open data.") {
				t.Error("the publish form does not name its consequence")
			}
			st, h, _ := dpo.post(base+f.Accounts+"/publish", form)
			if st != http.StatusSeeOther {
				t.Fatalf("publish: %d", st)
			}
			landed := dpo.page(h.Get("Location"))
			if !strings.Contains(landed, "Version 1 is on the public register.") {
				t.Errorf("no banner after publishing:\n%s", excerptOf(landed))
			}
			public := follow(t, landed, "See the public page")
			if pub := dpo.page(public); !strings.Contains(pub, e2e.OfficeAccounts) {
				t.Errorf("the public page %s does not show the record", public)
			}
		})

		t.Run("the review page marks the fields changed since the published version", func(t *testing.T) {
			dpo := dpo.withT(t)
			landed := dpo.takes(f.Births, "submit", "The data protection officer will see it", nil, base+f.Births)
			if !strings.Contains(landed, "Review the changes") {
				t.Error("the DPO's record in review has no link to its review")
			}
			rev := dpo.page(base + f.Births + "/review?lang=en")
			for _, want := range []string{"Compared with version 1, the published version.", "2 fields changed since the published version",
				`href="#f-title"`, `href="#f-recipients"`, "<del>", e2e.OfficeBirthsV1, "<ins>", e2e.OfficeAddedRecip,
				`<div id="f-title" class="marked marked-changed">`} {
				if !strings.Contains(rev, want) {
					t.Errorf("the review page lacks %q", want)
				}
			}
			if strings.Contains(rev, `<div id="f-purpose" class="marked`) {
				t.Error("an unchanged field is marked")
			}
			landed = dpo.takes(f.Births, "publish", "The public will see this version", nil, base+f.Births)
			if !strings.Contains(landed, "Version 2 is on the public register.") {
				t.Error("no banner after publishing version 2")
			}
		})

		t.Run("archive and delete say what they take away", func(t *testing.T) {
			dpo := dpo.withT(t)
			landed := dpo.takes(f.Accounts, "archive", "The processing leaves the public register; its URL will say it ended.",
				url.Values{"reason": {"Remplacé par le portail cantonal."}}, base+f.Accounts)
			if !strings.Contains(landed, "The processing has left the public register") {
				t.Error("no banner after archiving")
			}
			// A draft that was published once cannot be deleted: no link,
			// and the page says why.
			dpoTok := e.Token(auth.RoleDPO, f.Org)
			births := readRecord(t, e, f.Births)
			body := apitest.Complete("etat-civil", e2e.OfficeBirthsV2)
			body["reference"] = "VDG-EC-001"
			e.WithT(t).Must(200, "PUT", "/api/v1/processings/"+f.Births, dpoTok, body, "If-Match: "+births.etag)
			rec := dpo.page(base + f.Births + "?lang=en")
			if strings.Contains(rec, "Delete the draft") {
				t.Error("a draft once published offers to be deleted")
			}
			if st, _, body := dpo.get(base + f.Births + "/delete?lang=en"); st != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "this step is not possible") {
				t.Errorf("delete page of a draft once published: %d", st)
			}
			id := e.WithT(t).Must(201, "POST", "/api/v1/processings", dpoTok, apitest.Complete("informatique", "Brouillon à supprimer")).Map(t)["id"].(string)
			rec = dpo.page(base + id + "?lang=en")
			if got := follow(t, rec, "Delete the draft"); got != base+id+"/delete?lang=en" {
				t.Errorf("delete link %q", got)
			}
			list := dpo.takes(id, "delete", "The draft and its versions are deleted for good.", nil, "/office/")
			if !strings.Contains(list, "The draft and its versions were deleted for good.") {
				t.Error("no banner on the list after deleting")
			}
			if st, _, _ := dpo.get(base + id); st != http.StatusNotFound {
				t.Errorf("a deleted record: %d", st)
			}
		})

		t.Run("a role that may not take a step has no link and is refused", func(t *testing.T) {
			auditor, editor, dpo := auditor.withT(t), editor.withT(t), dpo.withT(t)
			// births: a draft again; canteen: a returned draft; the
			// editor resubmits canteen so that a record is in review.
			editor.takes(f.Canteen, "submit", "waiting for my review", nil, base+f.Canteen)
			for _, id := range []string{f.Births, f.Canteen, f.Accounts} {
				if rec := auditor.page(base + id + "?lang=en"); strings.Contains(rec, "wf-actions") {
					t.Errorf("the auditor is offered an action on %s", id)
				}
			}
			canteen := readRecord(t, e, f.Canteen)
			births := readRecord(t, e, f.Births)
			token := func(r *reader) string {
				m := hiddenCSRF.FindStringSubmatch(r.page("/office/"))
				return html.UnescapeString(m[1])
			}
			rev := func(id string) string {
				return strings.Trim(readRecord(t, e, id).etag, `"r`)
			}
			for _, c := range []struct {
				who    string
				r      *reader
				id     string
				action string
				want   int
			}{
				{"auditor", auditor, f.Canteen, "publish", http.StatusForbidden},
				{"auditor", auditor, f.Canteen, "return", http.StatusForbidden},
				{"auditor", auditor, f.Births, "submit", http.StatusForbidden},
				{"auditor", auditor, f.Births, "delete", http.StatusForbidden},
				{"editor", editor, f.Canteen, "publish", http.StatusForbidden},
				{"editor", editor, f.Canteen, "return", http.StatusForbidden},
				{"editor", editor, f.Accounts, "archive", http.StatusForbidden},
				{"editor", editor, f.Births, "delete", http.StatusForbidden},
				{"dpo of the organisation, another's record", dpo, f.Other, "submit", http.StatusNotFound},
				{"dpo of the organisation, another's record", dpo, f.Other, "delete", http.StatusNotFound},
			} {
				path := base + c.id + "/" + c.action
				if st, _, _ := c.r.get(path); st != c.want {
					t.Errorf("%s GET %s: %d, want %d", c.who, c.action, st, c.want)
				}
				if c.want == http.StatusForbidden && strings.Contains(c.r.page(base+c.id), `href="`+path) {
					t.Errorf("%s sees a link to %s", c.who, c.action)
				}
				st, _, _ := c.r.post(path, url.Values{"csrf": {token(c.r)}, "revision": {rev(f.Canteen)}, "comment": {"non"}})
				if st != c.want {
					t.Errorf("%s POST %s: %d, want %d", c.who, c.action, st, c.want)
				}
			}
			if after := readRecord(t, e, f.Canteen); after != canteen {
				t.Errorf("canteen changed: %+v, was %+v", after, canteen)
			}
			if after := readRecord(t, e, f.Births); after != births {
				t.Errorf("births changed: %+v, was %+v", after, births)
			}
		})

		t.Run("a stale form does nothing, keeps the comment and offers to reload", func(t *testing.T) {
			dpo := dpo.withT(t)
			path := base + f.Canteen + "/return"
			form := mustForm(t, dpo.page(path+"?lang=en"), path)
			// Someone else changes the record meanwhile.
			cur := readRecord(t, e, f.Canteen)
			body := apitest.Complete("etat-civil", e2e.OfficeCanteen)
			body["reference"] = "SCO-7"
			e.WithT(t).Must(200, "PUT", "/api/v1/processings/"+f.Canteen, e.Token(auth.RoleDPO, f.Org), body, "If-Match: "+cur.etag)
			before := readRecord(t, e, f.Canteen)
			note := "Merci de préciser la durée."
			form.Set("comment", note)
			st, _, page := dpo.post(path, form)
			page = html.UnescapeString(page)
			if st != http.StatusPreconditionFailed || !strings.Contains(page, "Someone changed this processing since you opened this page") ||
				strings.Contains(page, `name="revision"`) {
				t.Fatalf("a stale return: %d\n%s", st, excerptOf(page))
			}
			if after := readRecord(t, e, f.Canteen); after != before {
				t.Errorf("a stale form changed the record: %+v, was %+v", after, before)
			}
			reload := follow(t, page, "Reload this page")
			again := dpo.page(reload)
			if !strings.Contains(again, ">"+note+"</textarea>") {
				t.Errorf("the reloaded page lost the comment:\n%s", excerptOf(again))
			}
			if fresh := mustForm(t, again, path); fresh.Get("revision") == form.Get("revision") {
				t.Error("the reloaded page carries the old revision")
			}
		})

		t.Run("the back button and a form posted twice do nothing more", func(t *testing.T) {
			dpo := dpo.withT(t)
			path := base + f.Canteen + "/publish"
			// Canteen is complete now (the stale test's save): publish it.
			page := dpo.page(path + "?lang=en")
			form := mustForm(t, page, path)
			st, h, _ := dpo.post(path, form)
			if st != http.StatusSeeOther {
				t.Fatalf("publish: %d", st)
			}
			after := readRecord(t, e, f.Canteen)
			// Back: the confirmation page again says the step is done.
			st, _, body := dpo.get(path + "?lang=en")
			if st != http.StatusConflict || !strings.Contains(html.UnescapeString(body), "This processing is now “published”") {
				t.Errorf("the confirmation page after the step: %d", st)
			}
			// The record page after the redirect, fetched again.
			dpo.page(h.Get("Location"))
			// The same form posted again.
			if st, _, _ := dpo.post(path, form); st != http.StatusPreconditionFailed {
				t.Errorf("the same form posted twice: %d", st)
			}
			if again := readRecord(t, e, f.Canteen); again != after {
				t.Errorf("the record changed: %+v, was %+v", again, after)
			}
			// A banner whose flag no longer says the record's state is not shown.
			if rec := dpo.page(base + f.Canteen + "?done=submitted&lang=en"); strings.Contains(rec, "banner-success") {
				t.Error("a stale flag shows a banner")
			}
		})
	})
}

// withT returns a copy of r that reports to t.
func (r *reader) withT(t *testing.T) *reader {
	c := *r
	c.t = t
	return &c
}

// TestHistoryGroupsConsecutiveSavesByThePerson saves a draft three times as
// one editor and once as the DPO: the timeline shows one group "3 saves by"
// the editor, with a link to each of the three versions, then the DPO's
// save on its own.
func TestHistoryGroupsConsecutiveSavesByThePerson(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		as := func(user string, role auth.Role, units ...string) string {
			tok, _, err := e.Signer.Issue(auth.Principal{Subject: user, Role: role, Org: f.Org, Units: units}, time.Hour, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		ed, dp := as(f.Users["editor"], auth.RoleEditor, "etat-civil"), as(f.Users["dpo"], auth.RoleDPO)
		body := apitest.Complete("etat-civil", "Fichier des chiens")
		r := e.Must(201, "POST", "/api/v1/processings", ed, body)
		id, etag := r.Map(t)["id"].(string), r.Header.Get("ETag")
		for i, who := range []string{ed, ed, ed, dp} {
			body["description"] = strings.Repeat("Encore. ", i+1)
			etag = e.Must(200, "PUT", "/api/v1/processings/"+id, who, body, "If-Match: "+etag).Header.Get("ETag")
		}
		reader := signIn(t, e, f.Users["auditor"], f.Password)
		page := reader.page("/office/processings/" + id + "/history?lang=en")
		if n := strings.Count(page, "saves by"); n != 1 || !strings.Contains(page, "3 saves by "+f.Users["editor"]+", ") {
			t.Errorf("%d groups of saves:\n%s", n, excerptOf(page))
		}
		for _, n := range []string{"2", "3", "4"} {
			if !strings.Contains(page, `<ul class="saves"><li><a`) || !strings.Contains(page, "/office/processings/"+id+"/versions/"+n+"?lang=en") {
				t.Errorf("version %s is not reachable from the history", n)
			}
		}
		timeline := page[strings.Index(page, `id="timeline"`):]
		if strings.Count(timeline, "<h3") != 3 { // the DPO's save, the group, the creation
			t.Errorf("the timeline has %d steps, want 3:\n%s", strings.Count(timeline, "<h3"), excerptOf(timeline))
		}
	})
}
