package office_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

const adminName = "ada"

// adminBrowser signs an administrator in (the account is made here).
func adminBrowser(t *testing.T, s *ssoEnv) *browser {
	t.Helper()
	s.Must(201, "POST", "/api/v1/users", s.Token(auth.RoleAdmin, ""), map[string]any{"username": adminName, "password": password, "role": "admin"})
	b := newBrowser(t, s.Env)
	b.signedIn(adminName, password)
	return b
}

// post sends a form of the page at path, with the session's token.
func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	tok := formToken(b.t, b.must(200, "GET", path, nil).body)
	form.Set("csrf", tok)
	return b.do("POST", path, form)
}

// postFrom sends form to path with the session's token read from the page
// at from: for a path whose own page the person may not read.
func (b *browser) postFrom(from, path string, form url.Values) answer {
	b.t.Helper()
	form.Set("csrf", formToken(b.t, b.must(200, "GET", from, nil).body))
	return b.do("POST", path, form)
}

var passwordRE = regexp.MustCompile(`<p class="password"><code>([^<]+)</code>`)

// TestAdministrationPages: an administrator adds an account (its one-time
// password works), changes it, assigns a provider's subject to it, signs
// it out everywhere, disables it (its session and token end at once) and
// deletes it; each change is in the audit trail, which the page filters.
func TestAdministrationPages(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, false)
		a := adminBrowser(t, s)
		a.must(200, "GET", "/office/admin/?lang=en", nil)

		// The list of every organisation is not sorted by values that mean
		// something only within one: those headers are no links, and the
		// URL is refused; with an organisation named, they are.
		s.Must(201, "POST", "/api/v1/processings", s.Token(auth.RoleDPO, "geneve"), apitest.Complete("etat-civil", "Registre des naissances"))
		every := a.must(200, "GET", "/office/?lang=en", nil).body
		for _, k := range []string{"reference", "unit", "version"} {
			if sortLink(k).MatchString(every) {
				t.Errorf("the list of every organisation offers a sort by %s", k)
			}
			a.must(http.StatusBadRequest, "GET", "/office/?sort="+k, nil)
			if one := a.must(200, "GET", "/office/?org=geneve&sort="+k, nil).body; !sortLink(k).MatchString(one) {
				t.Errorf("one organisation's list has no sort by %s", k)
			}
		}
		if !sortLink("title").MatchString(every) {
			t.Error("the list of every organisation has no sort by title")
		}
		// It says which organisation each record is of, a link to that
		// organisation's list; one organisation's list does not.
		org, err := s.Service.GetOrganisation(t.Context(), &auth.Principal{Subject: adminName, Role: auth.RoleAdmin}, "geneve")
		if err != nil {
			t.Fatal(err)
		}
		orgCell := `<td><a href="/office/?org=geneve&amp;lang=en" lang="fr">` + html.EscapeString(org.Name) + `</a></td>`
		if !strings.Contains(every, `<th scope="col">Organisation</th>`) || !strings.Contains(every, orgCell) {
			t.Errorf("the list of every organisation does not name the record's organisation (%s):\n%s", orgCell, every)
		}
		if one := a.must(200, "GET", "/office/?org=geneve&lang=en", nil).body; strings.Contains(one, `<th scope="col">Organisation</th>`) {
			t.Error("one organisation's list has an organisation column")
		}

		// Add an account: the password is shown once and works.
		created := a.post("/office/admin/accounts/new", url.Values{"username": {"leo"}, "role": {"dpo"}, "org": {"geneve"}, "email": {"leo@geneve.ch"}})
		m := passwordRE.FindStringSubmatch(created.body)
		if created.status != http.StatusCreated || m == nil {
			t.Fatalf("create: %d\n%s", created.status, created.body)
		}
		leo := newBrowser(t, s.Env)
		leo.signedIn("leo", m[1])
		// A refused creation shows the form again with what was typed.
		bad := a.post("/office/admin/accounts/new", url.Values{"username": {"Bad Name"}, "role": {"editor"}, "org": {"geneve"}, "email": {"not-an-address"}})
		if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `href="#username"`) || !strings.Contains(bad.body, `href="#email"`) || !strings.Contains(bad.body, `value="not-an-address"`) {
			t.Fatalf("bad create: %d\n%s", bad.status, bad.body)
		}

		// Assign marie's subject to leo: her next sign-in is leo.
		marie := newBrowser(t, s.Env)
		_, to := s.signInAt(marie, idpUser)
		if r := s.back(marie, to); r.status != http.StatusForbidden {
			t.Fatalf("unassigned: %d", r.status)
		}
		page := a.must(200, "GET", "/office/admin/subjects?lang=en", nil)
		if !strings.Contains(page.body, "sub-marie") || !strings.Contains(page.body, "Unassigned") {
			t.Fatalf("subjects page:\n%s", page.body)
		}
		r := a.post("/office/admin/subjects", url.Values{"issuer": {s.idp.Issuer}, "subject": {"sub-marie"}, "username": {"leo"}, "do": {"assign"}, "n": {"0"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("assign: %d\n%s", r.status, r.body)
		}
		_, to = s.signInAt(marie, idpUser)
		if r := s.back(marie, to); r.status != http.StatusSeeOther || marie.session() == nil {
			t.Fatalf("assigned sign-in: %d", r.status)
		}

		// Who is signed in; sign leo out everywhere, his API token too.
		var tok struct {
			Token string `json:"token"`
		}
		s.Do("POST", "/api/v1/auth/login", "", map[string]string{"username": "leo", "password": m[1]}).JSON(t, &tok)
		s.Must(200, "GET", "/api/v1/processings", tok.Token, nil)
		sessionsPage := a.must(200, "GET", "/office/admin/sessions?lang=en", nil)
		if strings.Count(sessionsPage.body, `/office/admin/accounts/leo"`) != 2 {
			t.Fatalf("sessions page does not list leo's two sessions:\n%s", sessionsPage.body)
		}
		if r := a.post("/office/admin/sessions", url.Values{"do": {"signout"}, "back": {"sessions"}}); r.status != http.StatusMethodNotAllowed && r.status != http.StatusNotFound {
			t.Logf("posting to the sessions list itself: %d", r.status)
		}
		r = a.do("POST", "/office/admin/accounts/leo", url.Values{"csrf": {formToken(t, sessionsPage.body)}, "do": {"signout"}, "back": {"sessions"}})
		if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/office/admin/sessions") {
			t.Fatalf("sign out everywhere: %d %s", r.status, r.header.Get("Location"))
		}
		if leo.do("GET", "/office/", nil).status != http.StatusSeeOther || marie.do("GET", "/office/", nil).status != http.StatusSeeOther {
			t.Fatal("a session survived sign out everywhere")
		}
		s.Must(401, "GET", "/api/v1/processings", tok.Token, nil)

		// Change the role; then disable: a new session ends at once.
		r = a.post("/office/admin/accounts/leo", url.Values{"do": {"profile"}, "role": {"auditor"}, "org": {"geneve"}, "units": {""}, "email": {"leo.b@geneve.ch"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("profile: %d\n%s", r.status, r.body)
		}
		leo = newBrowser(t, s.Env)
		leo.signedIn("leo", m[1])
		r = a.post("/office/admin/accounts/leo", url.Values{"do": {"disable"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("disable: %d\n%s", r.status, r.body)
		}
		if leo.do("GET", "/office/", nil).status != http.StatusSeeOther {
			t.Fatal("the disabled account's session survived")
		}
		if a := leo.signIn("leo", m[1], ""); a.status != http.StatusUnauthorized || !strings.Contains(a.body, "disabled") && !strings.Contains(a.body, "désactivé") {
			t.Fatalf("disabled sign-in: %d\n%s", a.status, a.body)
		}
		// The last administrator cannot disable themself.
		r = a.post("/office/admin/accounts/"+adminName, url.Values{"do": {"disable"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "admin.problem") && !strings.Contains(r.body, "administrat") {
			t.Fatalf("disable last admin: %d\n%s", r.status, r.body)
		}
		// Delete, after the confirmation page.
		if c := a.must(200, "GET", "/office/admin/accounts/leo?confirm=delete&lang=en", nil); !strings.Contains(c.body, "cannot be undone") {
			t.Fatalf("no consequence before deleting:\n%s", c.body)
		}
		r = a.post("/office/admin/accounts/leo?confirm=delete", url.Values{"do": {"delete"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("delete: %d\n%s", r.status, r.body)
		}

		// Every change is in the trail; the page filters by action.
		for _, action := range []string{register.ActionUserCreate, register.ActionSubjectAssign, register.ActionUserSignOut,
			register.ActionUserUpdate, register.ActionUserDisable, register.ActionUserDelete} {
			page := a.must(200, "GET", "/office/audit?lang=en&what="+url.QueryEscape(action)+"&target=user/leo", nil)
			if !strings.Contains(page.body, `<td><a href="/office/admin/accounts/leo?lang=en">user/leo</a></td>`) {
				t.Errorf("audit page has no %s of user/leo:\n%s", action, page.body)
			}
		}
		trail := a.must(200, "GET", "/office/audit?lang=en", nil)
		if !strings.Contains(trail.body, "chain verifies") || !strings.Contains(trail.body, "registre audit verify --head ") {
			t.Fatalf("audit page for an admin: no verification or head\n%s", trail.body)
		}
		if r := a.do("GET", "/office/audit?lang=en&since=31.03.2026", nil); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#since"`) {
			t.Fatalf("bad date: %d", r.status)
		}
	})
}

// TestAdministrationRoles: a DPO manages their organisation's contacts and
// units and nothing else; an editor has no administration and no trail;
// an auditor reads the trail without its head.
func TestAdministrationRoles(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := startSSO(t, db, false)
		admin := s.Token(auth.RoleAdmin, "")
		s.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "dora", "password": password, "role": "dpo", "org": "geneve"})
		s.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "otto", "password": password, "role": "auditor", "org": "geneve"})
		dpo := newBrowser(t, s.Env)
		dpo.signedIn("dora", password)
		r := dpo.must(http.StatusSeeOther, "GET", "/office/admin/", nil)
		if !strings.HasPrefix(r.header.Get("Location"), "/office/admin/organisations/geneve") {
			t.Fatalf("DPO home: %s", r.header.Get("Location"))
		}
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"unit"}, "unit_slug": {"archives"}, "unit_name": {"Archives de la Ville"}}); r.status != http.StatusSeeOther {
			t.Fatalf("DPO adds a unit: %d\n%s", r.status, r.body)
		}
		// The DPO renames it; the identifier stays. An empty name is
		// shown again beside its field, an unknown unit is a 404.
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"unit-rename"}, "rename_unit": {"archives"}, "rename_name": {""}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#rename_name"`) {
			t.Fatalf("empty unit name: %d\n%s", r.status, r.body)
		}
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"unit-rename"}, "rename_unit": {"nulle-part"}, "rename_name": {"Nulle part"}}); r.status != http.StatusNotFound {
			t.Fatalf("unknown unit renamed: %d", r.status)
		}
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"unit-rename"}, "rename_unit": {"archives"}, "rename_name": {"Archives municipales"}}); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=unit-rename") {
			t.Fatalf("DPO renames a unit: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		if u, err := s.Service.ListUnits(t.Context(), &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}, "geneve"); err != nil || !slices.ContainsFunc(u, func(u register.Unit) bool { return u.Slug == "archives" && u.Name == "Archives municipales" }) {
			t.Fatalf("after the rename: %+v %v", u, err)
		}
		// A unit an account names is kept, said on the page; one nothing
		// refers to is removed.
		if r := dpo.post("/office/admin/organisations/geneve?lang=en", url.Values{"do": {"unit-delete"}, "remove_unit": {"etat-civil"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "still used") {
			t.Fatalf("a unit in use removed: %d\n%s", r.status, r.body)
		}
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"unit"}, "unit_slug": {"erreur"}, "unit_name": {"Créée par erreur"}}); r.status != http.StatusSeeOther {
			t.Fatalf("DPO adds a unit: %d\n%s", r.status, r.body)
		}
		// Another site's page cannot remove it, even with the form's token.
		forged := url.Values{"do": {"unit-delete"}, "remove_unit": {"erreur"},
			"csrf": {formToken(t, dpo.must(200, "GET", "/office/admin/organisations/geneve", nil).body)}}
		if r := dpo.do("POST", "/office/admin/organisations/geneve", forged, "Origin: https://evil.example", "Sec-Fetch-Site: cross-site"); r.status != http.StatusForbidden {
			t.Fatalf("a cross-site removal: %d", r.status)
		}
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"unit-delete"}, "remove_unit": {"erreur"}}); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Location"), "done=unit-delete") {
			t.Fatalf("DPO removes an unused unit: %d %s\n%s", r.status, r.header.Get("Location"), r.body)
		}
		if u, err := s.Service.ListUnits(t.Context(), &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}, "geneve"); err != nil || slices.ContainsFunc(u, func(u register.Unit) bool { return u.Slug == "erreur" }) {
			t.Fatalf("after the removal: %+v %v", u, err)
		}
		r = dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"contacts"}, "address": {"Rue 1"}, "website": {"ftp://x"}, "dpo_contact": {"dpo@geneve.ch"}, "lipad_contact": {""}, "transparency_contact": {""}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#website"`) || !strings.Contains(r.body, `value="ftp://x"`) {
			t.Fatalf("bad website: %d\n%s", r.status, r.body)
		}
		if r := dpo.post("/office/admin/organisations/geneve", url.Values{"do": {"contacts"}, "address": {"Rue 1"}, "website": {"https://www.geneve.ch"}, "dpo_contact": {"dpo@geneve.ch"}, "lipad_contact": {""}, "transparency_contact": {""}}); r.status != http.StatusSeeOther {
			t.Fatalf("DPO contacts: %d\n%s", r.status, r.body)
		}
		for _, path := range []string{"/office/admin/accounts", "/office/admin/subjects", "/office/admin/sessions", "/office/admin/organisations"} {
			dpo.must(http.StatusForbidden, "GET", path, nil)
		}
		s.Seed("carouge")
		dpo.must(http.StatusNotFound, "GET", "/office/admin/organisations/carouge", nil)
		if r := dpo.postFrom("/office/", "/office/admin/organisations/carouge", url.Values{"do": {"unit-rename"}, "rename_unit": {"archives"}, "rename_name": {"Pris"}}); r.status != http.StatusNotFound {
			t.Fatalf("a DPO renamed another organisation's unit: %d", r.status)
		}
		if p := dpo.must(200, "GET", "/office/audit?lang=en", nil); strings.Contains(p.body, "--head") || !strings.Contains(p.body, "unit added") || !strings.Contains(p.body, "unit renamed") || !strings.Contains(p.body, "unit removed") {
			t.Fatalf("DPO audit page:\n%s", p.body)
		}
		ed := newBrowser(t, s.Env)
		ed.signedIn(editorName, password)
		ed.must(http.StatusForbidden, "GET", "/office/admin/", nil)
		ed.must(http.StatusForbidden, "GET", "/office/audit", nil)
		au := newBrowser(t, s.Env)
		au.signedIn("otto", password)
		if p := au.must(200, "GET", "/office/audit?lang=en", nil); strings.Contains(p.body, "--head") || !strings.Contains(p.body, "chain verifies") {
			t.Fatalf("auditor audit page:\n%s", p.body)
		}
		au.must(http.StatusForbidden, "GET", "/office/admin/organisations/geneve", nil)
		if r := au.postFrom("/office/", "/office/admin/organisations/geneve", url.Values{"do": {"unit-rename"}, "rename_unit": {"archives"}, "rename_name": {"Pris"}}); r.status != http.StatusForbidden {
			t.Fatalf("an auditor renamed a unit: %d", r.status)
		}
	})
}

// sortLink matches a link that sorts the register list by key.
func sortLink(key string) *regexp.Regexp {
	return regexp.MustCompile(`href="/office/\?[^"]*\bsort=` + key + `\b`)
}
