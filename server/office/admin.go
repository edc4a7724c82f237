package office

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// The administration pages: organisations (their contacts and units),
// accounts, the identity provider's subjects and who is signed in. Every
// change goes through the domain, which checks the role and writes the
// audit trail; the pages only show and ask.

func (o *Office) adminRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{get, "/office/admin/{$}", in(o.adminHome)},
		{get, "/office/admin/organisations", in(o.adminOrgs)},
		{post, "/office/admin/organisations", in(o.adminOrgsPost)},
		{get, "/office/admin/organisations/{org}", in(o.adminOrg)},
		{post, "/office/admin/organisations/{org}", in(o.adminOrgPost)},
		{get, "/office/admin/accounts", in(o.adminAccounts)},
		{get, "/office/admin/accounts/new", in(o.adminAccountNew)},
		{post, "/office/admin/accounts/new", in(o.adminAccountCreate)},
		{get, "/office/admin/accounts/{username}", in(o.adminAccount)},
		{post, "/office/admin/accounts/{username}", in(o.adminAccountPost)},
		{get, "/office/admin/subjects", in(o.adminSubjects)},
		{post, "/office/admin/subjects", in(o.adminSubjectsPost)},
		{get, "/office/admin/sessions", in(o.adminSessions)},
	}
}

// adminData is what the administration pages show.
type adminData struct {
	Problem  string       // a label key for the whole form
	Wait     int          // unused here; the error summary reads it
	Errors   []fieldError // field errors, label keys
	Form     url.Values   // the input, shown again after an error
	Orgs     []register.Organisation
	Org      *register.Organisation
	Units    []register.Unit
	Accounts []register.Account
	Account  *register.Account
	Subjects []register.ExternalSubject
	Sessions []register.Session
	Password string // a new account's one-time password, shown once
	Confirm  string // the action to confirm ("delete")
	Admin    bool   // the reader is an administrator
	SSO      bool   // single sign-on is configured
}

// Err returns the label key of field's error, "" if none.
func (d adminData) Err(field string) string { return errOf(d.Errors, field) }

// Val returns the input of field.
func (d adminData) Val(field string) string { return d.Form.Get(field) }

// Roles are the roles an account may have, in the order of the select.
func (adminData) Roles() []string { return []string{"editor", "dpo", "auditor", "admin"} }

func isAdmin(p *identity.Principal) bool { return p != nil && p.Role == identity.RoleAdmin }

func (o *Office) adminView(r *http.Request, title string) *view {
	v := o.newView(r)
	v.Nav = "admin"
	v.Title = v.T(title)
	return v
}

// showAdmin renders an administration page; a page with errors says so in
// its title.
func (o *Office) showAdmin(w http.ResponseWriter, r *http.Request, status int, page, title string, d adminData) error {
	v := o.adminView(r, title)
	if d.Problem != "" || d.Errors != nil {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	if done := r.URL.Query().Get("done"); done != "" && status == http.StatusOK {
		if key := "admin.done." + done; v.labels[key] != (text{}) {
			v.Flash = v.T(key)
		}
	}
	d.Admin = isAdmin(principal(r))
	d.SSO = o.rp != nil
	v.Data = d
	return o.render(w, status, page, v)
}

// formErrors turns the domain's refusal into the form's errors (label
// keys "admin.error.<field>"), or a whole-form problem; ok is false for an
// error no form can show.
func formErrors(err error) (problem string, fields []fieldError, ok bool) {
	var e *register.Error
	if !errors.As(err, &e) {
		return "", nil, false
	}
	switch e.Code {
	case register.EInvalid:
		for _, f := range e.Fields {
			name := f.Field
			if i := strings.IndexByte(name, '['); i > 0 {
				name = name[:i]
			}
			fields = append(fields, fieldError{Field: name, Text: "admin.error." + name})
		}
		if fields == nil {
			return "admin.problem.invalid", nil, true
		}
		return "", fields, true
	case register.EConflict:
		if strings.Contains(e.Message, "last") {
			return "admin.problem.lastadmin", nil, true
		}
		if strings.Contains(e.Message, "still used") {
			return "admin.problem.unitinuse", nil, true
		}
		return "admin.problem.conflict", nil, true
	}
	return "", nil, false
}

// adminHome leads an administrator to each part, and a DPO to their
// organisation's page.
func (o *Office) adminHome(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	switch p.Role {
	case identity.RoleAdmin:
		return o.showAdmin(w, r, http.StatusOK, "adminhome", "admin.title", adminData{})
	case identity.RoleDPO:
		http.Redirect(w, r, link("/office/admin/organisations/"+url.PathEscape(p.Org), nil, pickLang(r)), http.StatusSeeOther)
		return nil
	}
	return register.Errorf(register.EForbidden, "administration is for administrators and DPOs")
}

func (o *Office) adminOrgs(w http.ResponseWriter, r *http.Request) error {
	return o.showOrgs(w, r, http.StatusOK, adminData{})
}

func (o *Office) showOrgs(w http.ResponseWriter, r *http.Request, status int, d adminData) error {
	p := principal(r)
	if !isAdmin(p) {
		return register.Errorf(register.EForbidden, "only an administrator lists organisations")
	}
	orgs, err := o.svc.ListOrganisations(r.Context(), p)
	if err != nil {
		return err
	}
	d.Orgs = orgs
	return o.showAdmin(w, r, status, "adminorgs", "admin.orgs.title", d)
}

// adminOrgsPost creates an organisation.
func (o *Office) adminOrgsPost(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	org := register.Organisation{Slug: strings.TrimSpace(f.Get("slug")), Name: strings.TrimSpace(f.Get("name"))}
	_, err := o.svc.CreateOrganisation(r.Context(), principal(r), org)
	if err != nil {
		problem, fields, ok := formErrors(err)
		if !ok {
			return err
		}
		return o.showOrgs(w, r, http.StatusUnprocessableEntity, adminData{Problem: problem, Errors: fields, Form: f})
	}
	http.Redirect(w, r, link("/office/admin/organisations/"+url.PathEscape(org.Slug), url.Values{"done": {"org"}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

// adminOrg shows an organisation's contacts and units, to an
// administrator or the organisation's DPO.
func (o *Office) adminOrg(w http.ResponseWriter, r *http.Request) error {
	return o.showOrg(w, r, http.StatusOK, adminData{})
}

func (o *Office) showOrg(w http.ResponseWriter, r *http.Request, status int, d adminData) error {
	p := principal(r)
	if p.Role != identity.RoleAdmin && p.Role != identity.RoleDPO {
		return register.Errorf(register.EForbidden, "an organisation's contacts and units are managed by its DPO")
	}
	slug := r.PathValue("org")
	org, err := o.svc.GetOrganisation(r.Context(), p, slug)
	if err != nil {
		return err
	}
	units, err := o.svc.ListUnits(r.Context(), p, slug)
	if err != nil {
		return err
	}
	d.Org, d.Units = org, units
	if d.Form == nil {
		d.Form = url.Values{"address": {org.Address}, "website": {org.Website}, "dpo_contact": {org.DPOContact},
			"lipad_contact": {org.LIPADContact}, "transparency_contact": {org.TransparencyContact}}
	}
	return o.showAdmin(w, r, status, "adminorg", "admin.org.title", d)
}

// adminOrgPost changes the contacts (do=contacts), adds a unit (do=unit)
// renames one (do=unit-rename) or removes one (do=unit-delete).
func (o *Office) adminOrgPost(w http.ResponseWriter, r *http.Request) error {
	ctx, p, f := r.Context(), principal(r), r.PostForm
	slug := r.PathValue("org")
	org, err := o.svc.GetOrganisation(ctx, p, slug)
	if err != nil {
		return err
	}
	do := f.Get("do")
	switch do {
	case "contacts":
		in := *org
		in.Address, in.Website = strings.TrimSpace(f.Get("address")), strings.TrimSpace(f.Get("website"))
		in.DPOContact, in.LIPADContact = strings.TrimSpace(f.Get("dpo_contact")), strings.TrimSpace(f.Get("lipad_contact"))
		in.TransparencyContact = strings.TrimSpace(f.Get("transparency_contact"))
		_, err = o.svc.UpdateOrganisation(ctx, p, slug, in)
	case "unit":
		_, err = o.svc.CreateUnit(ctx, p, slug, register.Unit{Slug: strings.TrimSpace(f.Get("unit_slug")), Name: strings.TrimSpace(f.Get("unit_name"))})
	case "unit-rename":
		_, err = o.svc.RenameUnit(ctx, p, slug, f.Get("rename_unit"), strings.TrimSpace(f.Get("rename_name")))
	case "unit-delete":
		err = o.svc.DeleteUnit(ctx, p, slug, f.Get("remove_unit"))
	default:
		return register.Errorf(register.EInvalid, "unknown action")
	}
	if err != nil {
		problem, fields, ok := formErrors(err)
		if !ok {
			return err
		}
		for i := range fields {
			switch {
			case do == "unit" && (fields[i].Field == "slug" || fields[i].Field == "name"):
				fields[i] = fieldError{Field: "unit_" + fields[i].Field, Text: "admin.error.unit_" + fields[i].Field}
			case do == "unit-rename" && fields[i].Field == "name":
				fields[i] = fieldError{Field: "rename_name", Text: "admin.error.unit_name"}
			}
		}
		form := f
		if do == "unit" || do == "unit-rename" || do == "unit-delete" {
			// The contacts' form shows what is stored, not the other form's input.
			form = url.Values{"address": {org.Address}, "website": {org.Website}, "dpo_contact": {org.DPOContact},
				"lipad_contact": {org.LIPADContact}, "transparency_contact": {org.TransparencyContact},
				"unit_slug": {f.Get("unit_slug")}, "unit_name": {f.Get("unit_name")},
				"rename_unit": {f.Get("rename_unit")}, "rename_name": {f.Get("rename_name")}, "remove_unit": {f.Get("remove_unit")}}
		}
		return o.showOrg(w, r, http.StatusUnprocessableEntity, adminData{Problem: problem, Errors: fields, Form: form})
	}
	http.Redirect(w, r, link("/office/admin/organisations/"+url.PathEscape(slug), url.Values{"done": {do}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

func (o *Office) adminAccounts(w http.ResponseWriter, r *http.Request) error {
	users, err := o.svc.ListUsers(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return o.showAdmin(w, r, http.StatusOK, "adminaccounts", "admin.accounts.title", adminData{Accounts: users})
}

func (o *Office) adminAccountNew(w http.ResponseWriter, r *http.Request) error {
	return o.showAccountNew(w, r, http.StatusOK, adminData{Form: url.Values{"role": {"editor"}}})
}

func (o *Office) showAccountNew(w http.ResponseWriter, r *http.Request, status int, d adminData) error {
	p := principal(r)
	if !isAdmin(p) {
		return register.Errorf(register.EForbidden, "only an administrator adds accounts")
	}
	orgs, err := o.svc.ListOrganisations(r.Context(), p)
	if err != nil {
		return err
	}
	d.Orgs = orgs
	return o.showAdmin(w, r, status, "adminaccountnew", "admin.account.new.title", d)
}

// splitUnits reads a list of unit slugs typed with commas or spaces.
func splitUnits(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// adminAccountCreate adds an account and shows its one-time password,
// once: the answer is not kept by any cache (no-store) and the password
// is nowhere else.
func (o *Office) adminAccountCreate(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	in := register.NewAccount{Username: strings.TrimSpace(f.Get("username")), Role: f.Get("role"), Org: f.Get("org"),
		Units: splitUnits(f.Get("units")), Email: strings.TrimSpace(f.Get("email"))}
	if in.Role == "admin" {
		in.Org = ""
	}
	a, pw, err := o.svc.CreateUserWithPassword(r.Context(), principal(r), in)
	if err != nil {
		problem, fields, ok := formErrors(err)
		if !ok {
			return err
		}
		return o.showAccountNew(w, r, http.StatusUnprocessableEntity, adminData{Problem: problem, Errors: fields, Form: f})
	}
	return o.showAdmin(w, r, http.StatusCreated, "adminpassword", "admin.password.title", adminData{Account: a, Password: pw})
}

func (o *Office) adminAccount(w http.ResponseWriter, r *http.Request) error {
	return o.showAccountAdmin(w, r, http.StatusOK, adminData{Confirm: r.URL.Query().Get("confirm")})
}

func (o *Office) showAccountAdmin(w http.ResponseWriter, r *http.Request, status int, d adminData) error {
	ctx, p := r.Context(), principal(r)
	a, err := o.svc.GetUser(ctx, p, r.PathValue("username"))
	if err != nil {
		return err
	}
	orgs, err := o.svc.ListOrganisations(ctx, p)
	if err != nil {
		return err
	}
	subs, err := o.svc.ListSubjects(ctx, p)
	if err != nil {
		return err
	}
	d.Account, d.Orgs = a, orgs
	for _, s := range subs {
		if s.Username == a.Username {
			d.Subjects = append(d.Subjects, s)
		}
	}
	if d.Confirm != "delete" {
		d.Confirm = ""
	}
	if d.Form == nil {
		d.Form = url.Values{"role": {string(a.Role)}, "org": {a.Org}, "units": {strings.Join(a.Units, ", ")}, "email": {a.Email}}
	}
	return o.showAdmin(w, r, status, "adminaccount", "admin.account.title", d)
}

// adminAccountPost changes an account: do=profile (role, organisation,
// units, e-mail), disable, enable, signout (everywhere), delete.
func (o *Office) adminAccountPost(w http.ResponseWriter, r *http.Request) error {
	ctx, p, f := r.Context(), principal(r), r.PostForm
	username := r.PathValue("username")
	var err error
	do := f.Get("do")
	next := "/office/admin/accounts/" + url.PathEscape(username)
	switch do {
	case "profile":
		role, org, units, email := f.Get("role"), f.Get("org"), splitUnits(f.Get("units")), strings.TrimSpace(f.Get("email"))
		if role == "admin" {
			org = ""
		}
		if role != "editor" {
			units = []string{}
		}
		_, err = o.svc.UpdateUser(ctx, p, username, register.AccountChange{Role: &role, Org: &org, Units: &units, Email: &email})
	case "disable", "enable":
		off := do == "disable"
		_, err = o.svc.UpdateUser(ctx, p, username, register.AccountChange{Disabled: &off})
	case "signout":
		_, err = o.svc.SignOutEverywhere(ctx, p, username)
		if f.Get("back") == "sessions" {
			next = "/office/admin/sessions"
		}
	case "delete":
		err = o.svc.DeleteUser(ctx, p, username)
		next = "/office/admin/accounts"
	default:
		return register.Errorf(register.EInvalid, "unknown action")
	}
	if err != nil {
		problem, fields, ok := formErrors(err)
		if !ok {
			return err
		}
		d := adminData{Problem: problem, Errors: fields}
		if do == "profile" {
			d.Form = f
		}
		return o.showAccountAdmin(w, r, http.StatusUnprocessableEntity, d)
	}
	if p.Subject == username && (do == "disable" || do == "signout") {
		// The administrator's own session ended with the others.
		http.Redirect(w, r, link("/office/login", nil, pickLang(r)), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, link(next, url.Values{"done": {do}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

func (o *Office) adminSubjects(w http.ResponseWriter, r *http.Request) error {
	return o.showSubjects(w, r, http.StatusOK, adminData{})
}

func (o *Office) showSubjects(w http.ResponseWriter, r *http.Request, status int, d adminData) error {
	ctx, p := r.Context(), principal(r)
	subs, err := o.svc.ListSubjects(ctx, p)
	if err != nil {
		return err
	}
	users, err := o.svc.ListUsers(ctx, p)
	if err != nil {
		return err
	}
	d.Subjects, d.Accounts = subs, users
	return o.showAdmin(w, r, status, "adminsubjects", "admin.subjects.title", d)
}

// adminSubjectsPost assigns a subject to an account (do=assign) or takes
// the assignment back (do=unassign).
func (o *Office) adminSubjectsPost(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	username := f.Get("username")
	if f.Get("do") == "unassign" {
		username = ""
	} else if username == "" {
		return o.showSubjects(w, r, http.StatusUnprocessableEntity, adminData{Errors: []fieldError{{Field: "username-" + f.Get("n"), Text: "admin.error.username"}}})
	}
	err := o.svc.AssignSubject(r.Context(), principal(r), f.Get("issuer"), f.Get("subject"), username)
	if err != nil {
		problem, fields, ok := formErrors(err)
		if !ok {
			return err
		}
		for i := range fields {
			fields[i].Field = "username-" + f.Get("n")
		}
		return o.showSubjects(w, r, http.StatusUnprocessableEntity, adminData{Problem: problem, Errors: fields})
	}
	http.Redirect(w, r, link("/office/admin/subjects", url.Values{"done": {f.Get("do")}}, pickLang(r)), http.StatusSeeOther)
	return nil
}

func (o *Office) adminSessions(w http.ResponseWriter, r *http.Request) error {
	ss, err := o.svc.ListSessions(r.Context(), principal(r))
	if err != nil {
		return err
	}
	slices.SortStableFunc(ss, func(a, b register.Session) int { return strings.Compare(a.Username, b.Username) })
	return o.showAdmin(w, r, http.StatusOK, "adminsessions", "admin.sessions.title", adminData{Sessions: ss})
}

// adminField is one text field of an administration form, for the
// "admin-field" partial.
type adminField struct {
	V                 *view
	Name, Type, Value string
	Err               string // label key
	Hint              bool   // the label "admin.field.<name>.hint" exists
}

// AField describes field name of the page's form (type "text", "email",
// "url"...).
func (v *view) AField(name, typ string) adminField {
	d, _ := v.Data.(adminData)
	_, hint := v.labels["admin.field."+name+".hint"]
	return adminField{V: v, Name: name, Type: typ, Value: d.Val(name), Err: d.Err(name), Hint: hint}
}
