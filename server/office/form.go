package office

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// The pages that write a draft (issue 16): a new processing, its task list
// of sections, one short form per section, and check your answers before
// submitting (the submit step itself is workflow.go's).
//
// Stable names and ids, for the tests and the browser flow that drive them:
//
//	GET/POST /office/processings/new            form#new-processing: select#f-unit (name unit;
//	                                             an administrator's is "org/unit"), input#f-title,
//	                                             textarea#f-purpose, button#create; reached by
//	                                             a#new on the list; a record's a#edit leads to
//	                                             its task list
//	GET  /office/processings/{id}/edit           the task list: ol#tasks, each li#task-<section>
//	                                             with a link to its form and strong.task-status
//	                                             (.task-complete, .task-errors, .task-empty);
//	                                             a#check leads to check your answers
//	GET/POST /office/processings/{id}/edit/{section}
//	                                             form#section-form; sections: purpose,
//	                                             controller, legal, people, recipients,
//	                                             processors, retention, security, dpia,
//	                                             information, summary, internal
//	GET  /office/processings/{id}/check          check your answers: a#change-<section> per
//	                                             section; a#submit (drafts) leads to
//	                                             /office/processings/{id}/submit
//
// In a section form every input is named by its field's JSON path, list
// indexes as segments (title, controller.name, legal_bases.0.reference,
// data_subjects.2, dpia.criteria), and its id is "f-" + the name with dots
// as dashes (f-legal_bases-0-reference). The record's revision travels in
// the hidden field "revision" (the If-Match of the save). Buttons are
// name="do" (not "action", which would hide the form's own action from
// scripts: form.action): value="save" (button#save), value="add:<group>"
// (button#add-<group, dashes for dots and underscores>: add-legal-bases),
// value="remove:<group>.<i>". A group is fieldset#f-<group, dashes for dots>
// (f-legal_bases, f-retention-per_category); its row i fieldset#f-legal_bases-<i>. The
// error summary is div.error-summary (each error a link to its input's id);
// a conflict is div#conflict, the other person's value of a field
// div.theirs beside it. After a save: 303 to the task list with ?saved=<section>.
func (o *Office) formRoutes() []Route {
	get, post := http.MethodGet, http.MethodPost
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{get, "/office/processings/new", in(o.newPage)},
		{post, "/office/processings/new", in(o.createProcessing)},
		{get, "/office/processings/{id}/edit", in(o.tasksPage)},
		{get, "/office/processings/{id}/edit/{section}", in(o.sectionPage)},
		{post, "/office/processings/{id}/edit/{section}", in(o.saveSection)},
		{get, "/office/processings/{id}/check", in(o.checkPage)},
	}
}

// editable says whether p may write rec, as the domain will answer on
// saving, so that a form is not offered only to be refused: another
// organisation's record is 404 already (GetProcessing).
func editable(p *identity.Principal, rec *register.Processing) error {
	switch {
	case !canWrite(p.Role):
		return register.Errorf(register.EForbidden, "your role reads the register; it does not change it")
	case p.Role == identity.RoleEditor && !p.HasUnit(rec.Unit):
		return register.Errorf(register.EForbidden, "editors may only write in their own units")
	case p.Role == identity.RoleEditor && rec.Status != register.StatusDraft:
		return register.Errorf(register.EForbidden, "editors may only edit drafts; the DPO edits a record in review or published")
	case rec.Status == register.StatusArchived:
		return register.Errorf(register.EForbidden, "an archived processing cannot be edited")
	}
	return nil
}

// editableRecord reads the record of the request's path for writing.
func (o *Office) editableRecord(r *http.Request) (*register.Processing, error) {
	p := principal(r)
	rec, err := o.svc.GetProcessing(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if err := editable(p, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// ---- the task list ----

// taskView is one section of the task list.
type taskView struct {
	Key, Title, URL string
	Status          string // complete, errors, empty
	Blocking        int
}

// blockView is one blocking finding, linked to the form of its section.
type blockView struct {
	Message, Field, URL string
}

type tasksData struct {
	P         *register.Processing
	Tab       string
	Tasks     []taskView
	Blocks    []blockView
	Published bool
	Done      int
}

// sectionOfRow maps a reading page's row key to its section key.
func sectionOfRow(ss []section) map[string]string {
	m := map[string]string{}
	for _, s := range ss {
		for _, r := range s.Rows {
			m[r.Key] = s.Key
		}
	}
	return m
}

// progress returns the task list and the blocking findings of rec.
func (o *Office) progress(ctx context.Context, r *http.Request, v *view, rec *register.Processing) ([]taskView, []blockView, error) {
	org, err := o.svc.GetOrganisation(ctx, principal(r), rec.Organisation)
	if err != nil {
		return nil, nil, err
	}
	ss := v.titled(v.sections(&rec.Fields, nil))
	rows, secOf := rowIndex(ss), sectionOfRow(ss)
	blocking := map[string]int{}
	var blocks []blockView
	for _, f := range register.Check(rec, org, o.svc.Now()) {
		if !f.Blocks() {
			continue
		}
		b := blockView{Message: capitalise(v.T("rule." + f.Rule))}
		if row, ok := rowOfField(rows, f.Field); ok {
			key := secOf[row.Key]
			blocking[key]++
			b.Field, b.URL = row.Label, v.Path("/office/processings/", rec.ID, "/edit/", key)+"#"+inputID(row.Key)
		}
		blocks = append(blocks, b)
	}
	var tasks []taskView
	for _, spec := range o.forms {
		t := taskView{Key: spec.key, Title: v.T("sec." + spec.key), URL: v.Path("/office/processings/", rec.ID, "/edit/", spec.key)}
		vals, err := valuesOf(&spec, &rec.Fields)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case blocking[spec.key] > 0:
			t.Status, t.Blocking = "errors", blocking[spec.key]
		case len(vals) == 0:
			t.Status = "empty"
		default:
			t.Status = "complete"
		}
		tasks = append(tasks, t)
	}
	return tasks, blocks, nil
}

// tasksPage serves GET /office/processings/{id}/edit: the sections with
// their state, and what still blocks publication.
func (o *Office) tasksPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rec, err := o.editableRecord(r)
	if err != nil {
		return err
	}
	v := o.newView(r)
	tasks, blocks, err := o.progress(ctx, r, v, rec)
	if err != nil {
		return err
	}
	d := tasksData{P: rec, Tab: "edit", Tasks: tasks, Blocks: blocks, Published: rec.PublishedVersion > 0}
	for _, t := range tasks {
		if t.Status == "complete" {
			d.Done++
		}
	}
	q := r.URL.Query()
	if key := q.Get("saved"); key != "" {
		if _, ok := sectionByKey(o.forms, key); ok {
			v.Flash = v.Tf("form.saved", v.T("sec."+key))
		}
	} else if q.Get("created") == "1" {
		v.Flash = v.T("form.created")
	}
	v.Title, v.Nav, v.Data = v.Tf("tasks.title", rec.Title), "register", d
	return o.render(w, http.StatusOK, "edit", v)
}

// ---- a section's form ----

// formError is one line of the error summary: the input's id (empty when
// the field is not on this form) and the sentence, in the page's language.
type formError struct{ ID, Text string }

type sectionData struct {
	P         *register.Processing
	Tab       string
	Key       string
	Title     string
	Items     []itemView
	Revision  int64
	Errors    []formError
	Conflict  []change
	Published bool
	Lists     []datalistView
	Action    string
	Back      string
}

// sectionPage serves GET /office/processings/{id}/edit/{section}: the
// section's form, filled from the record.
func (o *Office) sectionPage(w http.ResponseWriter, r *http.Request) error {
	rec, err := o.editableRecord(r)
	if err != nil {
		return err
	}
	spec, ok := sectionByKey(o.forms, r.PathValue("section"))
	if !ok {
		return errNotFound()
	}
	vals, err := valuesOf(spec, &rec.Fields)
	if err != nil {
		return err
	}
	return o.showSection(w, r, http.StatusOK, rec, spec, sectionState{vals: vals, revision: rec.Revision})
}

// sectionState is what a section form shows besides the record: the
// input, its errors, the other person's version on a conflict.
type sectionState struct {
	vals     url.Values
	revision int64
	errs     map[string]string // input name → message
	conflict []change
	focus    string // the name of the input to focus (autofocus)
	banner   string // a label key
}

// saveSection serves POST /office/processings/{id}/edit/{section}: add or
// remove a row (nothing saved: the form comes back with the input), or save
// the section as a new version of the draft.
func (o *Office) saveSection(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rec, err := o.editableRecord(r)
	if err != nil {
		return err
	}
	spec, ok := sectionByKey(o.forms, r.PathValue("section"))
	if !ok {
		return errNotFound()
	}
	vals, err := posted(spec, r.PostForm)
	if err != nil {
		return err
	}
	rev, err := strconv.ParseInt(r.PostForm.Get("revision"), 10, 64)
	if err != nil || rev < 1 {
		return register.Errorf(register.EInvalid, "the form lacks the record's revision; open the form again")
	}
	st := sectionState{vals: vals, revision: rev}
	action := r.PostForm.Get("do")
	switch {
	case strings.HasPrefix(action, "add:"):
		g := groupOf(spec, strings.TrimPrefix(action, "add:"))
		if g == nil {
			return register.Errorf(register.EInvalid, "unknown action")
		}
		st.vals = renumber(st.vals, g, -1, true)
		n := rowCount(st.vals, g)
		if n >= g.max {
			st.errs = map[string]string{g.name: o.newView(r).tooMany(g.max)}
			return o.showSection(w, r, http.StatusUnprocessableEntity, rec, spec, st)
		}
		for _, sf := range g.fields {
			if sf.kind != kCheck && sf.kind != kRadios {
				st.vals.Set(rowName(g, n, sf), "")
			}
		}
		st.focus = rowName(g, n, g.fields[0])
		return o.showSection(w, r, http.StatusOK, rec, spec, st)
	case strings.HasPrefix(action, "remove:"):
		name, idx := strings.TrimPrefix(action, "remove:"), ""
		if i := strings.LastIndexByte(name, '.'); i > 0 {
			name, idx = name[:i], name[i+1:]
		}
		g := groupOf(spec, name)
		i, err := strconv.Atoi(idx)
		if g == nil || err != nil || i < 0 || i >= g.max {
			return register.Errorf(register.EInvalid, "unknown action")
		}
		st.vals = renumber(st.vals, g, i, true)
		st.focus = "add:" + g.name
		return o.showSection(w, r, http.StatusOK, rec, spec, st)
	case action != "" && action != "save":
		return register.Errorf(register.EInvalid, "unknown action")
	}
	st.vals = compact(spec, st.vals)
	fields, err := apply(spec, st.vals, &rec.Fields)
	if err != nil {
		return err
	}
	_, err = o.svc.UpdateProcessing(ctx, principal(r), rec.ID, rev, fields)
	var de *register.Error
	switch {
	case err == nil:
		http.Redirect(w, r, link("/office/processings/"+rec.ID+"/edit", url.Values{"saved": {spec.key}}, pickLang(r)), http.StatusSeeOther)
		return nil
	case register.ErrorCode(err) == register.EInvalid && errors.As(err, &de) && len(de.Fields) > 0:
		st.errs = map[string]string{}
		v := o.newView(r)
		for _, fe := range de.Fields {
			st.errs[inputName(fe.Field)] = v.domainMessage(fe.Message)
		}
		return o.showSection(w, r, http.StatusUnprocessableEntity, rec, spec, st)
	case register.ErrorCode(err) == register.EPreconditionFailed:
		// Someone saved meanwhile: their version beside the input, field
		// by field; the new revision in the form, so that saving again
		// means "keep mine, I merged".
		cur, gerr := o.editableRecord(r)
		if gerr != nil {
			return gerr
		}
		mine, aerr := apply(spec, st.vals, &cur.Fields)
		if aerr != nil {
			return aerr
		}
		v := o.newView(r)
		st.conflict = v.diff(v.titled(v.sections(&cur.Fields, nil)), v.titled(v.sections(&mine, nil)))
		st.revision = cur.Revision
		return o.showSection(w, r, http.StatusConflict, cur, spec, st)
	}
	return err
}

func groupOf(s *sectionSpec, name string) *groupSpec {
	for _, it := range s.items {
		if it.g != nil && it.g.name == name {
			return it.g
		}
	}
	return nil
}

// rowCount is the number of rows of g in vals (numbered from 0).
func rowCount(vals url.Values, g *groupSpec) int {
	idx, err := rowIndexes(vals, g)
	if err != nil || len(idx) == 0 {
		return 0
	}
	return idx[len(idx)-1] + 1
}

// showSection renders a section form in its state.
func (o *Office) showSection(w http.ResponseWriter, r *http.Request, status int, rec *register.Processing, spec *sectionSpec, st sectionState) error {
	v := o.newView(r)
	units, err := o.writableUnits(r.Context(), r, rec.Organisation)
	if err != nil {
		return err
	}
	d := sectionData{P: rec, Tab: "edit", Key: spec.key, Title: v.T("sec." + spec.key), Revision: st.revision,
		Conflict: st.conflict, Published: rec.PublishedVersion > 0, Lists: o.datalists(v, spec),
		Action: "/office/processings/" + rec.ID + "/edit/" + spec.key,
		Back:   v.Path("/office/processings/", rec.ID, "/edit")}
	d.Items, d.Errors = o.items(v, spec, st, units)
	if err := o.withNotes(r, v, rec); err != nil {
		return err
	}
	v.Title = d.Title + " — " + rec.Title
	if len(d.Errors) > 0 {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	if st.banner != "" {
		v.Flash = v.T(st.banner)
	}
	v.Nav, v.Data = "register", d
	return o.render(w, status, "editsection", v)
}

// writableUnits lists the units the signed-in person may write in, as
// options: all of the organisation's for a DPO, their own for an editor.
func (o *Office) writableUnits(ctx context.Context, r *http.Request, org string) ([]optionView, error) {
	p := principal(r)
	units, err := o.svc.ListUnits(ctx, p, org)
	if err != nil {
		return nil, err
	}
	var out []optionView
	for _, u := range units {
		if p.Role == identity.RoleEditor && !p.HasUnit(u.Slug) {
			continue
		}
		out = append(out, optionView{Value: u.Slug, Label: u.Name + " (" + u.Slug + ")"})
	}
	return out, nil
}

// ---- messages ----

// domainMessage turns the domain's message on a field (English, fixed
// sentences: register/validate.go) into the page's language.
func (v *view) domainMessage(msg string) string {
	var n int
	switch {
	case msg == "is required":
		return v.T("e.required")
	case msg == "is not one of the allowed values":
		return v.T("e.enum")
	case strings.HasPrefix(msg, "must be 2 to 40 lowercase"):
		return v.T("e.slug")
	case strings.HasPrefix(msg, "must be an ISO 8601 duration"):
		return v.T("e.duration")
	case strings.HasPrefix(msg, "must be a date"):
		return v.T("e.date")
	case strings.HasPrefix(msg, "must be an http or https URL"):
		return v.T("e.url")
	case strings.HasPrefix(msg, "must be an ISO 3166-1"):
		return v.T("e.country")
	case msg == "is not a unit of the organisation":
		return v.T("e.unit")
	case strings.HasPrefix(msg, "is already used by another processing"):
		return v.T("e.reference.taken")
	}
	if _, err := fmt.Sscanf(msg, "must be at least %d characters long", &n); err == nil {
		return v.Tf("e.min.chars", n)
	}
	if _, err := fmt.Sscanf(msg, "must be at most %d characters long", &n); err == nil {
		return v.Tf("e.max.chars", n)
	}
	if _, err := fmt.Sscanf(msg, "must have at most %d items", &n); err == nil {
		return v.tooMany(n)
	}
	// Any other rule: its own words, which name what to change.
	return v.T("e.other") + msg
}

func (v *view) tooMany(n int) string { return v.Tf("e.max.items", n) }
