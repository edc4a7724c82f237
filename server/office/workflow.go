package office

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// The workflow in the browser: submit, return, publish, archive and delete,
// each a confirmation page (GET) that names its consequence and a form
// that posts to the same path; the domain takes the step (Service.Transition,
// Service.DeleteProcessing) and the browser goes (303) to the record with a
// notification banner. The banner travels as a fixed query flag (done=…)
// and is shown only while the record's state still says it: a flag never
// carries text from the request, and a stale link shows nothing.

// action is one workflow action of the back office.
type action string

const (
	actSubmit  action = "submit"
	actReturn  action = "return"
	actPublish action = "publish"
	actArchive action = "archive"
	actDelete  action = "delete"
)

// actions are every action, in the order a record meets them.
var actions = []action{actSubmit, actReturn, actPublish, actArchive, actDelete}

// step is the domain's workflow step of a; "" for delete, which is not a step.
func (a action) step() register.Step {
	if a == actDelete {
		return ""
	}
	return register.Step(a)
}

// from is the state a record must be in for a. The domain keeps the same
// table (register/workflow.go, Service.DeleteProcessing);
// TestWorkflowButtonsAgreeWithTheDomain takes every action as every role
// in every state and checks that a button is shown exactly when the domain
// takes the step.
func (a action) from() register.Status {
	switch a {
	case actSubmit, actDelete:
		return register.StatusDraft
	case actReturn, actPublish:
		return register.StatusInReview
	}
	return register.StatusPublished
}

// done is the banner's flag after a.
func (a action) done() string {
	switch a {
	case actSubmit:
		return "submitted"
	case actReturn:
		return "returned"
	case actPublish:
		return "published"
	case actArchive:
		return "archived"
	}
	return "deleted"
}

// deleteRoles may delete a draft, as Service.DeleteProcessing requires.
var deleteRoles = []identity.Role{identity.RoleAdmin, identity.RoleDPO}

// roleMay tells whether p's role (and units) allow a on rec, whatever its
// state: the roles are the domain's (register.StepRoles).
func roleMay(p *identity.Principal, rec *register.Processing, a action) bool {
	if p == nil {
		return false
	}
	if a == actDelete {
		return slices.Contains(deleteRoles, p.Role)
	}
	if !slices.Contains(register.StepRoles(a.step()), p.Role) {
		return false
	}
	return p.Role != identity.RoleEditor || p.HasUnit(rec.Unit)
}

// stateAllows tells whether rec's state allows a.
func stateAllows(rec *register.Processing, a action) bool {
	if a == actArchive {
		// Also with a newer draft pending (register.Archivable).
		return register.Archivable(rec)
	}
	if rec.Status != a.from() {
		return false
	}
	return a != actDelete || rec.PublishedVersion == 0
}

// may tells whether p may take a on rec now: the button is shown.
func may(p *identity.Principal, rec *register.Processing, a action) bool {
	return roleMay(p, rec, a) && stateAllows(rec, a)
}

// workflowRoutes are the workflow's steps in the browser: submit, return,
// publish, archive, delete, each with its confirmation, and the DPO's
// review page (issue 16).
func (o *Office) workflowRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	routes := []Route{{get, "/office/processings/{id}/review", in(o.reviewPage)}}
	for _, a := range actions {
		path := "/office/processings/{id}/" + string(a)
		routes = append(routes, Route{get, path, in(o.confirmPage(a))}, Route{post, path, in(o.takeAction(a))})
	}
	return routes
}

// ---- the links on the record page ----

// actionLink is a link to an action's confirmation page.
type actionLink struct {
	Action   action
	Label    string
	URL      string
	Warning  bool // an action that takes something away (archive, delete)
	Primary  bool
	Describe string // what happens, beside the link
}

// WorkflowActions are the actions the signed-in person may take on p now,
// as links to their confirmation pages; with the review page for whoever
// may publish or return it.
func (v *view) WorkflowActions(p *register.Processing) []actionLink {
	var out []actionLink
	base := "/office/processings/" + p.ID
	if may(v.Who, p, actPublish) || may(v.Who, p, actReturn) {
		out = append(out, actionLink{Action: "review", Label: v.T("wf.review.link"), URL: v.URL(base + "/review"), Primary: true,
			Describe: v.T("wf.review.describe")})
	}
	for _, a := range actions {
		if !may(v.Who, p, a) {
			continue
		}
		l := actionLink{Action: a, Label: v.T("wf." + string(a) + ".link"), URL: v.URL(base + "/" + string(a)),
			Warning: a == actArchive || a == actDelete, Primary: a == actSubmit, Describe: v.T("wf." + string(a) + ".describe")}
		out = append(out, l)
	}
	return out
}

// ---- the notification banner ----

// banner is the notification banner after an action.
type banner struct {
	Title, Text     string
	LinkURL, LinkAt string
}

// BannerOf is the banner the request's done flag asks for, if the record's
// state still says it (nil on the list after a deletion).
func (v *view) BannerOf(p *register.Processing) *banner {
	done := v.query.Get("done")
	if done == "" {
		return nil
	}
	if p == nil {
		if done != "deleted" {
			return nil
		}
		return &banner{Title: v.T("wf.done.deleted.title"), Text: v.T("wf.done.deleted")}
	}
	b := &banner{Title: v.T("wf.done." + done + ".title")}
	switch {
	case done == "submitted" && p.Status == register.StatusInReview:
		b.Text = v.T("wf.done.submitted")
	case done == "returned" && p.Status == register.StatusDraft && p.Standing.Returned:
		b.Text = v.T("wf.done.returned")
	case done == "published" && p.Status == register.StatusPublished:
		b.Text = v.Tf("wf.done.published", p.PublishedVersion)
		b.LinkURL, b.LinkAt = publicURL(p.ID, v.Lang), v.T("wf.done.published.link")
	case done == "archived" && p.Status == register.StatusArchived:
		b.Text = v.T("wf.done.archived")
		b.LinkURL, b.LinkAt = publicURL(p.ID, v.Lang), v.T("wf.done.archived.link")
	default:
		return nil
	}
	return b
}

// publicURL is the public page of a processing.
func publicURL(id, lang string) string { return "/processings/" + id + "?lang=" + lang }

// ---- confirmation pages ----

// confirmData is what a confirmation page shows.
type confirmData struct {
	P        *register.Processing
	Tab      string
	Action   action
	Revision int64
	Comment  string // return's comment, kept through errors
	// EndedOn and Reason are an archiving's end date and public reason,
	// kept through errors; Pending is the draft version left unpublished.
	EndedOn, Reason string
	Pending         int
	Errors          []fieldError
	// Problem is why the action was not taken, a label key: stale (the
	// record changed since the page was read), state (its state no longer
	// allows the action), blocked (findings block publication).
	Problem  string
	Wait     int // the error summary partial reads it
	Blocking []findingView
	Reload   string // the confirmation page again, for a stale form
	Record   string // the record's page
	// Replaces is the published version a publication replaces.
	Replaces int
}

// Open tells whether the form is shown: nothing stands in the way.
func (d confirmData) Open() bool {
	return d.Problem == "" || d.Problem == "wf.problem.invalid"
}

// Err returns the label key of field's error, "" if none.
func (d confirmData) Err(field string) string { return errOf(d.Errors, field) }

// confirmPage serves GET /office/processings/{id}/{action}: what the
// action will do, and the form that does it.
func (o *Office) confirmPage(a action) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principal(r)
		rec, err := o.svc.GetProcessing(ctx, p, r.PathValue("id"))
		if err != nil {
			return err
		}
		if !roleMay(p, rec, a) {
			return register.Errorf(register.EForbidden, "your role does not allow this step on this processing")
		}
		d := confirmData{P: rec, Action: a, Revision: rec.Revision}
		if a == actReturn {
			// A stale form's reload link carries the comment typed.
			d.Comment = r.URL.Query().Get("comment")
		}
		if a == actArchive {
			d.EndedOn = cmp.Or(r.URL.Query().Get("ended_on"), o.svc.Today())
			d.Reason = r.URL.Query().Get("reason")
		}
		status := http.StatusOK
		switch {
		case !stateAllows(rec, a):
			d.Problem, status = "wf.problem.state", http.StatusConflict
		case a == actPublish:
			if err := o.blockingOf(r, rec, &d); err != nil {
				return err
			}
		}
		return o.showConfirm(w, r, status, d)
	}
}

// blockingOf fills d with what blocks rec's publication, as the domain's
// rules see it now.
func (o *Office) blockingOf(r *http.Request, rec *register.Processing, d *confirmData) error {
	org, err := o.svc.GetOrganisation(r.Context(), principal(r), rec.Organisation)
	if err != nil {
		return err
	}
	if b := register.Blocking(register.Check(rec, org, o.svc.Now())); len(b) > 0 {
		o.setBlocking(r, rec, d, b)
	}
	return nil
}

func (o *Office) setBlocking(r *http.Request, rec *register.Processing, d *confirmData, fs []register.Finding) {
	v := o.newView(r)
	ss := v.titled(v.sections(&rec.Fields, nil))
	d.Problem = "wf.problem.blocked"
	d.Blocking = v.checklistOf(fs, rowIndex(ss)).Blocking
}

func (o *Office) showConfirm(w http.ResponseWriter, r *http.Request, status int, d confirmData) error {
	v := o.newView(r)
	base := "/office/processings/" + d.P.ID
	d.Record = v.URL(base)
	q := url.Values{}
	if d.Comment != "" {
		q.Set("comment", d.Comment)
	}
	if d.Action == actArchive {
		q.Set("ended_on", d.EndedOn)
		if d.Reason != "" {
			q.Set("reason", d.Reason)
		}
		if d.P.Status != register.StatusPublished {
			d.Pending = d.P.Version
		}
	}
	d.Reload = link(base+"/"+string(d.Action), q, v.Lang)
	v.SwitchURL = link(base+"/"+string(d.Action), nil, v.Other) // after a POST too
	if d.Action == actPublish && d.P.PublishedVersion > 0 && d.P.PublishedVersion != d.P.Version {
		d.Replaces = d.P.PublishedVersion
	}
	v.Title = v.T("wf."+string(d.Action)+".title") + " — " + d.P.Title
	if d.Problem != "" || d.Errors != nil {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	v.Nav, v.Data = "register", d
	return o.render(w, status, "confirm", v)
}

// takeAction serves POST /office/processings/{id}/{action}: the domain
// takes the step with the revision the page was read at (If-Match), then
// the browser goes to the record (POST/redirect/GET).
func (o *Office) takeAction(a action) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		p := principal(r)
		id := r.PathValue("id")
		rec, err := o.svc.GetProcessing(ctx, p, id)
		if err != nil {
			return err
		}
		f := r.PostForm
		rev, err := strconv.ParseInt(f.Get("revision"), 10, 64)
		if err != nil || rev < 1 {
			return httpkit.BadRequest("the form has no valid revision; open the page again")
		}
		d := confirmData{P: rec, Action: a, Revision: rec.Revision}
		if a == actReturn {
			d.Comment = f.Get("comment")
		}
		switch a {
		case actDelete:
			err = o.svc.DeleteProcessing(ctx, p, id, &rev)
		case actArchive:
			d.EndedOn, d.Reason = f.Get("ended_on"), f.Get("reason")
			err = o.archive(ctx, p, id, rev, &d)
		case actReturn:
			err = o.returnWithNotes(ctx, p, id, rev, r.PostForm, &d)
		default:
			_, err = o.svc.Transition(ctx, p, id, a.step(), &rev, d.Comment)
		}
		var re *register.Error
		switch code := register.ErrorCode(err); {
		case err == nil:
			to := "/office/processings/" + id
			if a == actDelete {
				to = "/office/"
			}
			http.Redirect(w, r, link(to, url.Values{"done": {a.done()}}, pickLang(r)), http.StatusSeeOther)
			return nil
		case code == register.EPreconditionFailed:
			d.Problem = "wf.problem.stale"
			return o.showConfirm(w, r, http.StatusPreconditionFailed, d)
		case code == register.EConflict:
			d.Problem = "wf.problem.state"
			return o.showConfirm(w, r, http.StatusConflict, d)
		case code == register.EInvalid && errors.As(err, &re) && len(re.Findings) > 0:
			o.setBlocking(r, rec, &d, re.Findings)
			return o.showConfirm(w, r, http.StatusUnprocessableEntity, d)
		case code == register.EInvalid && errors.As(err, &re):
			for _, fe := range re.Fields {
				switch {
				case fe.Field == "comment":
					d.Errors = append(d.Errors, fieldError{"comment", commentError(fe.Message)})
				case fe.Field == "ended_on", fe.Field == "reason":
					d.Errors = append(d.Errors, fieldError{fe.Field, "end.error." + fe.Field})
				case strings.HasPrefix(fe.Field, "notes."):
					d.Errors = append(d.Errors, fieldError{"note-" + strings.TrimPrefix(fe.Field, "notes."), "notes.error"})
				}
			}
			if d.Errors == nil {
				return err
			}
			d.Problem = "wf.problem.invalid"
			return o.showConfirm(w, r, http.StatusUnprocessableEntity, d)
		}
		return err
	}
}

// commentError turns the domain's reason about a comment into a label key.
func commentError(reason string) string {
	if strings.HasPrefix(reason, "must be at most") {
		return "wf.error.comment.long"
	}
	return "wf.error.comment.bad"
}

// Excerpt shortens s to about n characters, at a word boundary.
func (v *view) Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)[:n]
	if i := strings.LastIndexByte(string(rs), ' '); i > n/2 {
		return string(rs)[:i] + "…"
	}
	return string(rs) + "…"
}

// Tail is the end of the path a row of the list leads to: in "waiting for
// my review", a record in review opens on its review page.
func (r listRow) Tail(view string) string {
	if view == string(register.ViewToReview) && r.Status == register.StatusInReview {
		return "/review"
	}
	return ""
}

// Span prints a stretch of time: "1 December 2026 10:02–10:40", or both
// days when it spans more than one.
func (v *view) Span(from, to time.Time) string {
	a, b := from.In(v.tz), to.In(v.tz)
	if a.Year() == b.Year() && a.YearDay() == b.YearDay() {
		return v.When(a) + "–" + b.Format("15:04")
	}
	return v.When(a) + " – " + v.When(b)
}
