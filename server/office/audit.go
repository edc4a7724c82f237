package office

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// The audit trail page: what was done, by whom, when, filtered; whether
// the chain verifies; for administrators, its head and how to keep it
// outside the database.

func (o *Office) auditRoutes() []Route {
	return []Route{{http.MethodGet, "/office/audit", o.serve(o.signedIn(o.auditPage))}}
}

// auditData is what the audit trail page shows.
type auditData struct {
	Filter  url.Values
	Errors  []fieldError
	Problem string
	Wait    int // unused here; the error summary reads it
	Entries []register.AuditEntry
	Total   int
	Page    int
	Pages   int
	Actions []string
	Verify  register.VerifyResult
	Admin   bool
	Head    string // SEQ:HASH, administrators only
}

// Err returns the label key of field's error, "" if none.
func (d auditData) Err(field string) string { return errOf(d.Errors, field) }

// Val returns the filter's value of field.
func (d auditData) Val(field string) string { return d.Filter.Get(field) }

// Link is the entry's target as a page, "" when it has none: a
// processing's version, or an account.
func (d auditData) Link(e register.AuditEntry) string {
	switch {
	case strings.HasPrefix(e.Target, "processing/") && e.Version > 0:
		return "/office/processings/" + url.PathEscape(strings.TrimPrefix(e.Target, "processing/")) + "/versions/" + strconv.Itoa(e.Version)
	case strings.HasPrefix(e.Target, "processing/"):
		return "/office/processings/" + url.PathEscape(strings.TrimPrefix(e.Target, "processing/"))
	case strings.HasPrefix(e.Target, "user/") && d.Admin:
		return "/office/admin/accounts/" + url.PathEscape(strings.TrimPrefix(e.Target, "user/"))
	}
	return ""
}

// PageURL is the page n of the same filter.
func (d auditData) PageURL(n int, lang string) string {
	q := url.Values{}
	for k, v := range d.Filter {
		if v[0] != "" {
			q[k] = v
		}
	}
	q.Set("page", strconv.Itoa(n))
	return link("/office/audit", q, lang)
}

// TextFields and DateFields are the filter's fields, in order.
func (auditData) TextFields() []string { return []string{"actor", "target"} }

// DateFields: see TextFields.
func (auditData) DateFields() []string { return []string{"since", "until"} }

// PrevPage and NextPage are the neighbouring page numbers.
func (d auditData) PrevPage() int { return d.Page - 1 }

// NextPage: see PrevPage.
func (d auditData) NextPage() int { return d.Page + 1 }

const auditPerPage = 50

func (o *Office) auditPage(w http.ResponseWriter, r *http.Request) error {
	ctx, p := r.Context(), principal(r)
	if p.Role == identity.RoleEditor {
		return register.Errorf(register.EForbidden, "the audit trail is for DPOs, auditors and administrators")
	}
	q := r.URL.Query()
	d := auditData{Filter: url.Values{}, Actions: register.AuditActions(), Admin: isAdmin(p), Page: 1}
	// "what", not "action": a field named action would hide the form's
	// own action property from scripts (DOM clobbering).
	for _, k := range []string{"actor", "target", "what", "since", "until"} {
		d.Filter.Set(k, strings.TrimSpace(q.Get(k)))
	}
	f := register.AuditFilter{Actor: d.Val("actor"), Target: d.Val("target"), Action: d.Val("what"), Page: 1, PerPage: auditPerPage}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 && n <= 100000 {
		d.Page, f.Page = n, n
	}
	zone := o.newView(r).tz
	day := func(field string) time.Time {
		s := d.Val(field)
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, zone)
		if err != nil {
			d.Errors = append(d.Errors, fieldError{Field: field, Text: "audit.error.date"})
			return time.Time{}
		}
		return t
	}
	f.Since = day("since")
	if until := day("until"); !until.IsZero() {
		f.Until = until.AddDate(0, 0, 1) // the whole day
	}
	if f.Action != "" && !slices.Contains(d.Actions, f.Action) {
		d.Errors = append(d.Errors, fieldError{Field: "what", Text: "audit.error.action"})
	}
	status := http.StatusOK
	if d.Errors == nil {
		items, total, err := o.svc.ListAudit(ctx, p, f)
		if register.ErrorCode(err) == register.EInvalid {
			d.Problem = "audit.error.filter"
		} else if err != nil {
			return err
		}
		d.Entries, d.Total = items, total
		d.Pages = max(1, (total+auditPerPage-1)/auditPerPage)
	} else {
		status = http.StatusUnprocessableEntity
	}
	v, err := o.svc.VerifyAudit(ctx, p, "")
	if err != nil {
		return err
	}
	d.Verify = v
	if d.Admin {
		d.Head = register.FormatHead(v.Entries, v.Head)
	}
	view := o.newView(r)
	view.Nav = "audit"
	view.Title = view.T("audit.title")
	if d.Errors != nil || d.Problem != "" {
		view.Title = view.T("form.error.prefix") + view.Title
	}
	view.Data = d
	return o.render(w, status, "audit", view)
}
