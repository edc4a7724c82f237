package office_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

var revisionRE = regexp.MustCompile(`name="revision" value="(\d+)"`)

// formOf reads a section form's token and revision.
func formOf(t *testing.T, r *reader, path string) (csrf, revision, body string) {
	t.Helper()
	body = r.page(path)
	c, rev := hiddenCSRF.FindStringSubmatch(body), revisionRE.FindStringSubmatch(body)
	if c == nil || rev == nil {
		t.Fatalf("%s: no form token or revision", path)
	}
	return c[1], rev[1], body
}

// postSection posts a section form as a browser would: its token and
// revision (unless given), the values, and the button pressed.
func postSection(t *testing.T, r *reader, id, section, action string, vals url.Values) (int, http.Header, string) {
	t.Helper()
	path := "/office/processings/" + id + "/edit/" + section
	csrf, rev, _ := formOf(t, r, path)
	form := url.Values{"csrf": {csrf}, "revision": {rev}, "do": {action}, "lang": {"en"}}
	for k, v := range vals {
		form[k] = v
	}
	st, h, body := r.post(path, form)
	return st, h, html.UnescapeString(body)
}

// valueOf reads the value an input or textarea of id shows.
func valueOf(body, id string) (string, bool) {
	q := regexp.QuoteMeta(id)
	if m := regexp.MustCompile(`<input type="(?:text|date)" id="` + q + `" name="[^"]*" value="([^"]*)"`).FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1]), true
	}
	if m := regexp.MustCompile(`<textarea id="` + q + `"[^>]*>([^<]*)</textarea>`).FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1]), true
	}
	return "", false
}

// record reads a processing through the API, as the DPO.
func record(t *testing.T, e *apitest.Env, org, id string) register.Processing {
	t.Helper()
	res := e.Must(200, "GET", "/api/v1/processings/"+id, e.Token(auth.RoleDPO, org), nil)
	var p register.Processing
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func taskStatus(body, section string) string {
	m := regexp.MustCompile(`<li id="task-` + section + `">.*?\n<strong class="task-status task-(\w+)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestOfficeFormsCreateAndFillEverySection: an editor creates a draft
// from the "new" form (an error first keeps the input), fills every
// section through its own form, each save answering 303 to the task list;
// every field of the contract reaches the record, the forms show it back,
// the task list marks the sections, check your answers shows it all with
// a Change link per section; fetching the page a 303 led to again saves
// nothing (the back button never re-submits).
func TestOfficeFormsCreateAndFillEverySection(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		ed := signIn(t, e, f.Users["editor"], f.Password)

		body := ed.page("/office/processings/new?lang=en")
		csrf := hiddenCSRF.FindStringSubmatch(body)[1]
		st, _, got := ed.post("/office/processings/new", url.Values{"csrf": {csrf}, "lang": {"en"}, "unit": {"etat-civil"}, "title": {""}, "purpose": {"Tenir le registre des mariages."}})
		got = html.UnescapeString(got)
		if st != http.StatusUnprocessableEntity || !strings.Contains(got, `<a href="#f-title">`) || !strings.Contains(got, "Tenir le registre des mariages.") || !strings.Contains(got, `class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus`) {
			t.Fatalf("new without title: %d, want 422 with the summary linked to #f-title and the purpose kept\n%s", st, got)
		}
		st, h, _ := ed.post("/office/processings/new", url.Values{"csrf": {csrf}, "lang": {"en"}, "unit": {"etat-civil"}, "title": {"Registre des mariages"}, "purpose": {"Tenir le registre des mariages."}})
		loc := h.Get("Location")
		if st != http.StatusSeeOther || !strings.Contains(loc, "/edit?created=1") {
			t.Fatalf("new: %d %q, want 303 to the task list", st, loc)
		}
		id := strings.TrimSuffix(strings.TrimPrefix(strings.Split(loc, "/edit?")[0], "/office/processings/"), "/")
		tasks := ed.page(loc)
		for sec, want := range map[string]string{"purpose": "complete", "legal": "errors", "internal": "empty"} {
			if got := taskStatus(tasks, sec); got != want {
				t.Errorf("new draft: section %s is %q, want %q", sec, got, want)
			}
		}

		saves := []struct {
			section string
			vals    url.Values
		}{
			{"controller", url.Values{"controller.name": {"Ville de Genève, état civil"}, "controller.contact": {"etat-civil@ville-ge.ch"},
				"joint_controllers.0.name": {"Office cantonal de la population"}, "joint_controllers.0.contact": {""}}},
			{"legal", url.Values{"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {"LIPAD art. 35"}, "legal_bases.0.level": {"formal_law"},
				"legal_bases.1.type": {"public_task"}, "legal_bases.1.reference": {"Code civil art. 39"}, "legal_bases.1.url": {"https://www.fedlex.admin.ch/eli/cc/24/233_245_233/fr"}}},
			{"people", url.Values{"data_subjects.0": {"époux"}, "data_subjects.1": {"témoins"}, "data_categories.0.name": {"identité"},
				"data_categories.1.name": {"données de santé"}, "data_categories.1.sensitive": {"1"}, "sources.0": {"la personne concernée"}}},
			{"recipients", url.Values{"recipients.0.name": {"Archives d’État"}, "recipients.0.type": {"public_body"},
				"recipients.1.name": {"Service de l’état civil"}, "recipients.1.type": {"internal"},
				"accesses.0.institution": {"Office cantonal de la population"}, "accesses.0.legal_basis": {"LIPAD art. 39"}}},
			{"processors", url.Values{"processors.0.name": {"Hébergeur SA"}, "processors.0.country": {"CH"}, "processors.0.contract": {"1"},
				"transfers.0.country": {"FR"}, "transfers.0.safeguard": {"adequacy"}}},
			{"retention", url.Values{"retention.period": {"P10Y"}, "retention.disposal": {"archive"},
				"retention.per_category.0.category": {"données de santé"}, "retention.per_category.0.period": {"P5Y"}}},
			{"security", url.Values{"security_measures.0.category": {"access_control"}, "security_measures.0.details": {"rôles"},
				"security_measures.1.category": {"encryption_at_rest"}}},
			{"dpia", url.Values{"dpia.criteria": {"sensitive-large-scale"}, "dpia.required": {"1"}, "dpia.status": {"done"},
				"dpia.completed_on": {"2026-01-15"}, "dpia.residual_risk": {"acceptable"}}},
			{"information", url.Values{"information.provision": {"mandatory"}, "information.consequences": {"Le mariage ne peut être célébré."}}},
			{"summary", url.Values{"public_summary": {"Le registre des mariages célébrés à Genève."}}},
			{"internal", url.Values{"review_due": {"2027-06-30"}, "internal_notes": {"Revoir avec les Archives."}}},
		}
		for _, s := range saves {
			st, h, body := postSection(t, ed, id, s.section, "save", s.vals)
			if st != http.StatusSeeOther || h.Get("Location") != "/office/processings/"+id+"/edit?saved="+s.section+"&lang=en" {
				t.Fatalf("save %s: %d %q\n%s", s.section, st, h.Get("Location"), body)
			}
			// The page the 303 leads to, fetched twice (the back button,
			// a reload): it only reads.
			for range 2 {
				if b := ed.page(h.Get("Location")); !strings.Contains(b, "saved.") {
					t.Errorf("after saving %s: no banner", s.section)
				}
			}
		}
		p := record(t, e, f.Org, id)
		if p.Version != 1+len(saves) {
			t.Errorf("version %d after %d saves, want %d: a reload re-submitted, or a save was lost", p.Version, len(saves), 1+len(saves))
		}
		checks := []struct {
			what string
			ok   bool
		}{
			{"controller", p.Controller.Name == "Ville de Genève, état civil" && len(p.JointControllers) == 1},
			{"legal bases", len(p.LegalBases) == 2 && p.LegalBases[0].Level == register.NormFormalLaw && p.LegalBases[1].URL != ""},
			{"people", len(p.DataSubjects) == 2 && len(p.DataCategories) == 2 && p.DataCategories[1].Sensitive && !p.DataCategories[0].Sensitive && len(p.Sources) == 1},
			{"recipients", len(p.Recipients) == 2 && p.Recipients[1].Type == register.RecipientInternal && len(p.Accesses) == 1},
			{"processors", len(p.Processors) == 1 && p.Processors[0].Contract && len(p.Transfers) == 1 && p.Transfers[0].Country == "FR"},
			{"retention", p.Retention.Period == "P10Y" && len(p.Retention.PerCategory) == 1 && p.Retention.PerCategory[0].Period == "P5Y"},
			{"security", len(p.SecurityMeasures) == 2},
			{"dpia", len(p.DPIA.Criteria) == 1 && p.DPIA.Required && p.DPIA.CompletedOn == "2026-01-15" && p.DPIA.Consultation == nil},
			{"information", p.Information.Provision == register.ProvisionMandatory},
			{"summary and internal", p.PublicSummary != "" && p.ReviewDue == "2027-06-30" && p.InternalNotes != ""},
			{"purpose kept", p.Title == "Registre des mariages" && p.Purpose == "Tenir le registre des mariages."},
		}
		for _, c := range checks {
			if !c.ok {
				t.Errorf("%s not saved as typed: %+v", c.what, p.Fields)
			}
		}

		if h := ed.page("/office/processings/" + id + "/history?lang=en"); !strings.Contains(h, "11 saves by "+f.Users["editor"]+", ") {
			t.Error("history: the run of saves by the editor is not one step")
		}
		legal := ed.page("/office/processings/" + id + "/edit/legal?lang=en")
		if v, _ := valueOf(legal, "f-legal_bases-1-reference"); v != "Code civil art. 39" {
			t.Errorf("legal form shows %q back", v)
		}
		if !strings.Contains(legal, `href="https://silgeneve.ch/legis/data/rsg_a2_08.htm"`) || !strings.Contains(legal, `<datalist id="dl-laws">`) {
			t.Error("legal form: no link to LIPAD beside its reference, or no suggestions of laws")
		}
		if people := ed.page("/office/processings/" + id + "/edit/people?lang=en"); !strings.Contains(people, `list="dl-categories"`) || !strings.Contains(people, `id="f-data_categories-1-sensitive" name="data_categories.1.sensitive" value="1" checked`) {
			t.Error("people form: no suggestions of categories, or the sensitive box is not ticked back")
		}
		tasks = ed.page("/office/processings/" + id + "/edit?lang=en")
		for _, sec := range []string{"controller", "legal", "people", "recipients", "retention", "security", "summary", "internal"} {
			if got := taskStatus(tasks, sec); got != "complete" {
				t.Errorf("filled record: section %s is %q", sec, got)
			}
		}
		check := ed.page("/office/processings/" + id + "/check?lang=en")
		for _, want := range []string{`id="change-legal"`, "/office/processings/" + id + "/edit/people", `href="/office/processings/` + id + `/submit?lang=en"`, "Code civil art. 39", "Hébergeur SA"} {
			if !strings.Contains(check, want) {
				t.Errorf("check your answers lacks %q", want)
			}
		}
	})
}

// TestOfficeFormsRowsAndErrorsKeepInput: add another and remove come back
// with the input and save nothing, within the domain's bound; a validation
// error answers 422 with the summary linked to the input that holds the
// error (after blank rows are dropped), the message beside it and the
// input as typed; a published record's form says the public keeps seeing
// the published version.
func TestOfficeFormsRowsAndErrorsKeepInput(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		ed := signIn(t, e, f.Users["editor"], f.Password)
		before := record(t, e, f.Org, f.Canteen).Version
		if tasks := ed.page("/office/processings/" + f.Canteen + "/edit?lang=en"); !strings.Contains(tasks, e2e.OfficeReturnNote) {
			t.Error("the task list of a returned draft does not show the DPO's comment")
		}

		typed := url.Values{"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {"LIPAD art. 35"}}
		st, _, body := postSection(t, ed, f.Canteen, "legal", "add:legal_bases", typed)
		if v, _ := valueOf(body, "f-legal_bases-0-reference"); st != http.StatusOK || v != "LIPAD art. 35" {
			t.Fatalf("add: %d, row 0 holds %q", st, v)
		}
		if !regexp.MustCompile(`<select id="f-legal_bases-1-type" name="legal_bases.1.type"[^>]* autofocus>`).MatchString(body) {
			t.Error("add: the new row's first input is not focused")
		}

		two := url.Values{"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {"LIPAD art. 35"},
			"legal_bases.1.type": {"public_task"}, "legal_bases.1.reference": {"Loi sur l’instruction publique"}}
		st, _, body = postSection(t, ed, f.Canteen, "legal", "remove:legal_bases.0", two)
		if v, _ := valueOf(body, "f-legal_bases-0-reference"); st != http.StatusOK || v != "Loi sur l’instruction publique" {
			t.Errorf("remove row 0: %d, row 0 now holds %q", st, v)
		}
		if _, ok := valueOf(body, "f-legal_bases-1-reference"); ok || !strings.Contains(body, `id="add-legal-bases" class="secondary" autofocus`) {
			t.Error("remove: a second row is left, or focus is not on add another")
		}

		full := url.Values{}
		for i := range 30 {
			full.Set("legal_bases."+strconv.Itoa(i)+".type", "law")
		}
		if st, _, body := postSection(t, ed, f.Canteen, "legal", "add:legal_bases", full); st != http.StatusUnprocessableEntity || !strings.Contains(body, "No more than 30 rows") {
			t.Errorf("add a 31st legal basis: %d, want 422 that says the bound", st)
		}
		if st, _, _ := postSection(t, ed, f.Canteen, "legal", "save", url.Values{"legal_bases.30.type": {"law"}}); st != http.StatusUnprocessableEntity {
			t.Errorf("a row beyond the bound: %d, want 422", st)
		}

		// Row 0 left blank, row 1 wrong: the blank row is no row, so the
		// error is the saved list's row 0, and so is the input shown.
		bad := url.Values{"legal_bases.0.type": {""}, "legal_bases.0.reference": {""},
			"legal_bases.1.type": {"law"}, "legal_bases.1.reference": {"LIPAD art. 35"}, "legal_bases.1.url": {"pas une adresse"}}
		st, _, body = postSection(t, ed, f.Canteen, "legal", "save", bad)
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("invalid URL: %d, want 422", st)
		}
		for _, want := range []string{`<a href="#f-legal_bases-0-url">Legal basis 1, link to the text (optional): Enter a full web address`,
			`<p class="error-message" id="f-legal_bases-0-url-error">`, `aria-invalid="true"`, `tabindex="-1" autofocus`, "<title>Error: "} {
			if !strings.Contains(body, want) {
				t.Errorf("invalid URL: the page lacks %q", want)
			}
		}
		if v, _ := valueOf(body, "f-legal_bases-0-url"); v != "pas une adresse" {
			t.Errorf("invalid URL: the input shows %q, not what was typed", v)
		}
		if after := record(t, e, f.Org, f.Canteen).Version; after != before {
			t.Errorf("version %d → %d: add, remove or an error saved something", before, after)
		}

		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		if body := dpo.page("/office/processings/" + f.Births + "/edit/summary?lang=en"); !strings.Contains(body, "the public keeps seeing the published version") {
			t.Error("a published record's form does not say the public keeps the published version")
		}
	})
}

// TestOfficeFormsConflictKeepsBothInputs: two people open the same
// section; the second to save gets 409 with their input in the form and
// the first one's version beside it, field by field, and the new revision,
// so that saving again keeps theirs.
func TestOfficeFormsConflictKeepsBothInputs(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		ed := signIn(t, e, f.Users["editor"], f.Password)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		path := "/office/processings/" + f.Canteen + "/edit/legal"
		edCSRF, edRev, _ := formOf(t, ed, path)

		if st, _, body := postSection(t, dpo, f.Canteen, "legal", "save", url.Values{"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {"LIPAD art. 35 (version DPO)"}}); st != http.StatusSeeOther {
			t.Fatalf("first save: %d\n%s", st, body)
		}
		mine := url.Values{"csrf": {edCSRF}, "revision": {edRev}, "do": {"save"}, "lang": {"en"},
			"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {"Loi sur l’instruction publique art. 12 (version rédacteur)"}}
		st, _, body := ed.post(path, mine)
		body = html.UnescapeString(body)
		if st != http.StatusConflict {
			t.Fatalf("second save: %d, want 409", st)
		}
		if v, _ := valueOf(body, "f-legal_bases-0-reference"); v != mine.Get("legal_bases.0.reference") {
			t.Errorf("conflict: the form shows %q, not the input", v)
		}
		if !strings.Contains(body, `id="conflict"`) || !strings.Contains(body, "LIPAD art. 35 (version DPO)") || !strings.Contains(body, `<div class="theirs">`) {
			t.Error("conflict: the other person's version is not shown beside the field")
		}
		rev := revisionRE.FindStringSubmatch(body)
		if rev == nil || rev[1] == edRev {
			t.Fatalf("conflict: the form keeps the old revision %v", rev)
		}
		mine.Set("revision", rev[1])
		if st, _, _ := ed.post(path, mine); st != http.StatusSeeOther {
			t.Fatalf("save after merging: %d, want 303", st)
		}
		if p := record(t, e, f.Org, f.Canteen); len(p.LegalBases) != 1 || p.LegalBases[0].Reference != mine.Get("legal_bases.0.reference") {
			t.Errorf("after merging: %+v", p.LegalBases)
		}
	})
}

// TestOfficeFormsInputSurvivesSignIn: a section form posted after the
// session ended is not saved; the sign-in page carries its inputs (never
// the old form token), and signing in brings the form back with them and
// a banner; saving then works.
func TestOfficeFormsInputSurvivesSignIn(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		ed := signIn(t, e, f.Users["editor"], f.Password)
		path := "/office/processings/" + f.Canteen + "/edit/legal"
		csrf, rev, _ := formOf(t, ed, path)
		before := record(t, e, f.Org, f.Canteen).Version
		if st, _, _ := ed.post("/office/logout", url.Values{"csrf": {csrf}}); st != http.StatusSeeOther {
			t.Fatalf("sign out: %d", st)
		}
		typed := "LIPAD art. 35 al. 1 — tapé pendant que la session expirait"
		st, _, body := ed.post(path, url.Values{"csrf": {csrf}, "revision": {rev}, "do": {"save"}, "lang": {"en"},
			"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {typed}, "stray": {"x"}})
		body = html.UnescapeString(body)
		if st != http.StatusUnauthorized || !strings.Contains(body, `name="keep.legal_bases.0.reference" value="`+typed+`"`) || !strings.Contains(body, "your input is kept") {
			t.Fatalf("post without a session: %d, the sign-in page does not carry the input\n%s", st, body)
		}
		if strings.Contains(body, "keep.csrf") || strings.Contains(body, "keep.stray") || strings.Contains(body, "keep.action") || strings.Contains(body, `value="`+csrf+`"`) {
			t.Error("the sign-in page carries more than the form's own inputs")
		}
		login := url.Values{"username": {f.Users["editor"]}, "password": {"not the password"}, "next": {path}, "lang": {"en"},
			"csrf": {html.UnescapeString(hiddenCSRF.FindStringSubmatch(body)[1])}}
		for _, m := range regexp.MustCompile(`name="(keep\.[^"]+)" value="([^"]*)"`).FindAllStringSubmatch(body, -1) {
			login.Add(m[1], m[2])
		}
		// A mistyped password: the sign-in page comes back, still
		// carrying the input.
		st, _, body = ed.post("/office/login", login)
		if body = html.UnescapeString(body); st != http.StatusUnauthorized || !strings.Contains(body, `name="keep.legal_bases.0.reference" value="`+typed+`"`) {
			t.Fatalf("wrong password: %d, the input is no longer carried", st)
		}
		login.Set("password", f.Password)
		st, _, body = ed.post("/office/login", login)
		body = html.UnescapeString(body)
		if v, _ := valueOf(body, "f-legal_bases-0-reference"); st != http.StatusOK || v != typed || !strings.Contains(body, "Your session had ended") {
			t.Fatalf("after sign-in: %d, input %q\n%s", st, v, body)
		}
		if after := record(t, e, f.Org, f.Canteen).Version; after != before {
			t.Errorf("the carried input was saved (version %d → %d)", before, after)
		}
		if st, _, _ := postSection(t, ed, f.Canteen, "legal", "save", url.Values{"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {typed}}); st != http.StatusSeeOther {
			t.Errorf("save after sign-in: %d", st)
		}
	})
}

// TestOfficeFormsRefuseWhoMayNotWrite: an auditor gets 403 at every edit
// URL and no edit link; an editor 403 on a record outside their units or
// not a draft; another organisation's record is 404 at every edit URL,
// GET and POST alike, and nothing is written.
func TestOfficeFormsRefuseWhoMayNotWrite(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		urls := func(id string) []string {
			return []string{"/office/processings/" + id + "/edit", "/office/processings/" + id + "/edit/legal", "/office/processings/" + id + "/check"}
		}
		cases := []struct {
			name, role, id string
			want           int
		}{
			{"auditor, own organisation", "auditor", f.Canteen, http.StatusForbidden},
			{"editor, another unit", "editor", f.Accounts, http.StatusForbidden},
			{"DPO, another organisation", "dpo", f.Other, http.StatusNotFound},
			{"editor, another organisation", "editor", f.Other, http.StatusNotFound},
			{"DPO, no such record", "dpo", "00000000-0000-4000-8000-000000000000", http.StatusNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := signIn(t, e, f.Users[c.role], f.Password)
				csrf := hiddenCSRF.FindStringSubmatch(r.page("/office/account"))[1]
				for _, u := range urls(c.id) {
					if st, _, _ := r.get(u); st != c.want {
						t.Errorf("GET %s: %d, want %d", u, st, c.want)
					}
				}
				if st, _, _ := r.post("/office/processings/"+c.id+"/edit/legal", url.Values{"csrf": {csrf}, "revision": {"1"}, "do": {"save"}, "legal_bases.0.type": {"law"}}); st != c.want {
					t.Errorf("POST: %d, want %d", st, c.want)
				}
			})
		}
		au := signIn(t, e, f.Users["auditor"], f.Password)
		csrf := hiddenCSRF.FindStringSubmatch(au.page("/office/account"))[1]
		if st, _, _ := au.get("/office/processings/new"); st != http.StatusForbidden {
			t.Errorf("auditor GET new: %d", st)
		}
		if st, _, _ := au.post("/office/processings/new", url.Values{"csrf": {csrf}, "unit": {"etat-civil"}, "title": {"Pas permis"}, "purpose": {"x"}}); st != http.StatusForbidden {
			t.Errorf("auditor POST new: %d", st)
		}
		for _, page := range []string{"/office/", "/office/processings/" + f.Canteen} {
			if b := au.page(page); strings.Contains(b, `id="edit"`) || strings.Contains(b, `id="new"`) {
				t.Errorf("auditor sees an edit or new link on %s", page)
			}
		}
		ed := signIn(t, e, f.Users["editor"], f.Password)
		if b := ed.page("/office/processings/" + f.Canteen); !strings.Contains(b, `id="edit"`) {
			t.Error("editor sees no edit link on their draft")
		}
		if b := ed.page("/office/processings/" + f.Accounts); strings.Contains(b, `id="edit"`) {
			t.Error("editor sees an edit link on a record of another unit")
		}
		if p := record(t, e, f.OtherOrg, f.Other); p.Version != 1 {
			t.Errorf("another organisation's record changed: version %d", p.Version)
		}
	})
}

var (
	optionRE = regexp.MustCompile(`<option value="([^"]+)"[^>]*>([^<]*)</option>`)
	choiceRE = regexp.MustCompile(`value="([a-z_-]+)"[^>]*> <label for="[^"]*">([^<]*)</label>`)
)

// TestOfficeFormsSpeakBothLanguages: every form page, in French and in
// English, has every label, and names every choice in words, never by its
// code.
func TestOfficeFormsSpeakBothLanguages(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		pages := []string{"/office/processings/new", "/office/processings/" + f.Births + "/edit", "/office/processings/" + f.Births + "/check"}
		for _, s := range []string{"purpose", "controller", "legal", "people", "recipients", "processors", "retention", "security", "dpia", "information", "summary", "internal"} {
			pages = append(pages, "/office/processings/"+f.Births+"/edit/"+s)
		}
		choices := 0
		for _, lang := range []string{"fr", "en"} {
			for _, p := range pages {
				body := dpo.page(p + "?lang=" + lang)
				if i := strings.Index(body, "⟦"); i >= 0 {
					t.Errorf("%s (%s): a label is missing: %s", p, lang, body[i:min(len(body), i+60)])
				}
				for _, m := range append(optionRE.FindAllStringSubmatch(body, -1), choiceRE.FindAllStringSubmatch(body, -1)...) {
					choices++
					if m[1] == m[2] && strings.ContainsAny(m[1], "_-") { // a code; plain words like "acceptable" may be the word too
						t.Errorf("%s (%s): the choice %q is named by its code", p, lang, m[1])
					}
				}
			}
		}
		if choices < 500 {
			t.Errorf("only %d choices found: the test reads the pages wrong", choices)
		}
	})
}
