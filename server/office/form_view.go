package office

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
	"github.com/registre/registre/vocab"
)

// What the section templates get: each input ready to print, its value as
// typed, its error, its options in words.

type optionView struct {
	Value, Label string
	Selected     bool
}

type fieldView struct {
	Name, ID, Label, Hint, Kind string
	Value                       string
	Checked, Autofocus          bool
	Options                     []optionView
	List                        string // datalist id
	Error                       string
	LawURL                      string
	InRow                       bool
}

// Described lists the ids that describe the input: its hint, its error.
func (f fieldView) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Error != "" {
		ids = append(ids, f.ID+"-error")
	}
	return strings.Join(ids, " ")
}

type rowView struct {
	N              int
	ID, Legend     string
	Remove         string // the remove button's value
	Fields         []fieldView
	FocusRemoveOff bool
}

type groupView struct {
	Name, ID, Label, Hint, Error string
	AddValue, AddID, AddLabel    string
	AddFocus, Full               bool
	Rows                         []rowView
}

type itemView struct {
	Field  *fieldView
	Group  *groupView
	Theirs *change // on a conflict: the other person's version of this field
}

// formLists are the datalists and the countries, built once (office.New).
type formLists struct {
	Subjects, Categories []vocab.Term
	Laws                 []vocab.Law
	Countries            []country
	vocab                *vocab.Vocabulary
}

func newFormLists() *formLists {
	v, err := vocab.Load()
	if err != nil {
		panic("office: vocabulary: " + err.Error()) // embedded files: a programming error the tests catch
	}
	// Only the codes the domain accepts (ISO 3166-1 alpha-2): the table of
	// names also holds a few reserved codes.
	check := validator.New()
	var cs []country
	for _, c := range allCountries() {
		if check.Var(c.Code, "iso3166_1_alpha2") == nil {
			cs = append(cs, c)
		}
	}
	return &formLists{Subjects: v.Subjects, Categories: v.Categories, Laws: v.Laws, Countries: cs, vocab: v}
}

// items prepares every input of spec in state st, and the error summary.
func (o *Office) items(v *view, spec *sectionSpec, st sectionState, units []optionView) ([]itemView, []formError) {
	var out []itemView
	var summary []formError
	used := map[string]bool{}
	theirs := map[string]*change{}
	for i := range st.conflict {
		theirs[st.conflict[i].Key] = &st.conflict[i]
	}
	for _, it := range spec.items {
		iv := itemView{Theirs: theirs[it.rowKey()]}
		if it.f != nil {
			fv := o.field(v, *it.f, it.f.name, "f."+it.f.name, st, units)
			if it.f.kind == kChecks && fv.Error == "" {
				// A box of the list: "dpia.criteria[1]" is the list's error.
				for name, msg := range st.errs {
					if strings.HasPrefix(name, it.f.name+".") {
						fv.Error, used[name] = msg, true
					}
				}
			}
			if fv.Error != "" {
				summary = append(summary, formError{ID: fv.ID, Text: fv.Label + v.T("colon") + fv.Error})
				used[fv.Name] = true
			}
			iv.Field = &fv
			out = append(out, iv)
			continue
		}
		g := it.g
		gv := &groupView{Name: g.name, ID: inputID(g.name), Label: v.T("f." + g.name), Hint: hintOf(v, g.hint),
			AddValue: "add:" + g.name, AddID: "add-" + strings.ReplaceAll(strings.ReplaceAll(g.name, ".", "-"), "_", "-"),
			AddLabel: v.T("add." + g.name), AddFocus: st.focus == "add:"+g.name, Error: st.errs[g.name]}
		if gv.Error != "" {
			summary = append(summary, formError{ID: gv.ID, Text: gv.Label + v.T("colon") + gv.Error})
			used[g.name] = true
		}
		n := rowCount(st.vals, g)
		gv.Full = n >= g.max
		for i := range n {
			rv := rowView{N: i + 1, ID: inputID(g.name + "." + strconv.Itoa(i)), Legend: v.Tf("row."+g.name, i+1),
				Remove: "remove:" + g.name + "." + strconv.Itoa(i)}
			for _, sf := range g.fields {
				fv := o.field(v, sf, rowName(g, i, sf), sf.label, st, units)
				fv.InRow = true
				if fv.Error != "" {
					summary = append(summary, formError{ID: fv.ID, Text: rv.Legend + ", " + lowerFirst(fv.Label) + v.T("colon") + fv.Error})
					used[fv.Name] = true
				}
				rv.Fields = append(rv.Fields, fv)
			}
			gv.Rows = append(gv.Rows, rv)
		}
		iv.Group = gv
		out = append(out, iv)
	}
	// Errors on fields this form does not hold (another section's, when
	// the record was already wrong there): said, without a link.
	for name, msg := range st.errs {
		if !used[name] {
			label := v.T("f." + name)
			if strings.HasPrefix(label, "⟦") {
				label = name
			}
			summary = append(summary, formError{Text: label + v.T("colon") + msg})
		}
	}
	return out, summary
}

func hintOf(v *view, key string) string {
	if key == "" {
		return ""
	}
	return v.T(key)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' { // an acronym stays
		return s
	}
	return strings.ToLower(string(r[:1])) + string(r[1:])
}

// field prepares one input.
func (o *Office) field(v *view, f fieldSpec, name, labelKey string, st sectionState, units []optionView) fieldView {
	if f.label != "" {
		labelKey = f.label
	}
	fv := fieldView{Name: name, ID: inputID(name), Label: v.T(labelKey), Hint: hintOf(v, f.hint),
		Value: st.vals.Get(name), Error: st.errs[name], Autofocus: st.focus == name}
	switch f.kind {
	case kArea:
		fv.Kind = "area"
	case kSelect, kCountry, kUnit:
		fv.Kind = "select"
	case kRadios:
		fv.Kind = "radios"
	case kCheck:
		fv.Kind, fv.Checked = "check", fv.Value != ""
	case kChecks:
		fv.Kind = "checks"
	case kDate:
		fv.Kind = "date"
	default:
		fv.Kind = "text"
	}
	switch f.kind {
	case kSelect, kRadios:
		for _, val := range f.opts {
			fv.Options = append(fv.Options, optionView{Value: val, Label: v.Enum(f.enum, val), Selected: val == fv.Value})
		}
	case kChecks:
		for _, val := range f.opts {
			sel := false
			for _, got := range st.vals[name] {
				sel = sel || got == val
			}
			fv.Options = append(fv.Options, optionView{Value: val, Label: v.Enum(f.enum, val), Selected: sel})
		}
	case kCountry:
		for _, c := range o.lists.Countries {
			l := c.FR
			if v.Lang == "en" {
				l = c.EN
			}
			fv.Options = append(fv.Options, optionView{Value: c.Code, Label: l + " (" + c.Code + ")", Selected: c.Code == strings.ToUpper(fv.Value)})
		}
	case kUnit:
		for _, u := range units {
			u.Selected = u.Value == fv.Value
			fv.Options = append(fv.Options, u)
		}
	}
	if f.list != "" {
		fv.List = "dl-" + f.list
	}
	if f.law && fv.Value != "" {
		fv.LawURL = o.lists.vocab.LawURL(fv.Value)
	}
	return fv
}

// ---- a new processing ----

type newData struct {
	Units   []optionView
	Unit    string
	Title   string
	Purpose string
	Errors  []formError
	Problem string
	Err     map[string]string
}

// newPage serves GET /office/processings/new.
func (o *Office) newPage(w http.ResponseWriter, r *http.Request) error {
	return o.showNew(w, r, http.StatusOK, newData{})
}

func (o *Office) showNew(w http.ResponseWriter, r *http.Request, status int, d newData) error {
	p := principal(r)
	if !canWrite(p.Role) {
		return register.Errorf(register.EForbidden, "your role reads the register; it does not change it")
	}
	units, err := o.newUnits(r.Context(), r)
	if err != nil {
		return err
	}
	for _, u := range units {
		u.Selected = u.Value == d.Unit || len(units) == 1 // one unit: it is the one
		d.Units = append(d.Units, u)
	}
	v := o.newView(r)
	v.Title, v.Nav, v.Data = v.T("new.title"), "register", d
	if len(d.Errors) > 0 {
		v.Title = v.T("form.error.prefix") + v.Title
	}
	return o.render(w, status, "formnew", v)
}

// newUnits are the units a new record may be in: the writer's; an
// administrator's are every organisation's, as "org/unit".
func (o *Office) newUnits(ctx context.Context, r *http.Request) ([]optionView, error) {
	p := principal(r)
	if p.Role != identity.RoleAdmin {
		return o.writableUnits(ctx, r, p.Org)
	}
	orgs, err := o.svc.ListOrganisations(ctx, p)
	if err != nil {
		return nil, err
	}
	var out []optionView
	for _, org := range orgs {
		us, err := o.writableUnits(ctx, r, org.Slug)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			out = append(out, optionView{Value: org.Slug + "/" + u.Value, Label: org.Name + " — " + u.Label})
		}
	}
	return out, nil
}

// createProcessing serves POST /office/processings/new: the draft is
// created with its title, purpose and unit, then the task list (303).
func (o *Office) createProcessing(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	f := r.PostForm
	d := newData{Unit: f.Get("unit"), Title: f.Get("title"), Purpose: f.Get("purpose")}
	org, unit := p.Org, d.Unit
	if p.Role == identity.RoleAdmin {
		org, unit, _ = strings.Cut(d.Unit, "/")
	}
	rec, err := o.svc.CreateProcessing(r.Context(), p, org, register.Fields{Unit: strings.TrimSpace(unit),
		Title: strings.TrimSpace(d.Title), Purpose: strings.TrimSpace(d.Purpose)})
	var de *register.Error
	switch {
	case err == nil:
		http.Redirect(w, r, link("/office/processings/"+rec.ID+"/edit", url.Values{"created": {"1"}}, pickLang(r)), http.StatusSeeOther)
		return nil
	case register.ErrorCode(err) == register.EInvalid && errors.As(err, &de) && len(de.Fields) > 0:
		v := o.newView(r)
		d.Err = map[string]string{}
		for _, fe := range de.Fields {
			name := fe.Field
			if name == "organisation" {
				name = "unit"
			}
			msg := v.domainMessage(fe.Message)
			if _, dup := d.Err[name]; dup {
				continue
			}
			d.Err[name] = msg
		}
		for _, name := range []string{"unit", "title", "purpose"} {
			if msg, ok := d.Err[name]; ok {
				d.Errors = append(d.Errors, formError{ID: inputID(name), Text: v.T("f."+name) + v.T("colon") + msg})
			}
		}
		return o.showNew(w, r, http.StatusUnprocessableEntity, d)
	}
	return err
}

// ---- check your answers ----

type checkData struct {
	P         *register.Processing
	Tab       string
	Sections  []section
	Blocks    []blockView
	Published bool
	SubmitURL string
	Draft     bool
}

// ChangeURL is the form of a section, for its "Change" link.
func (d checkData) ChangeURL(v *view, key string) string {
	return v.Path("/office/processings/", d.P.ID, "/edit/", key)
}

// checkPage serves GET /office/processings/{id}/check: the whole record
// as a summary list, each section with a link to change it, and what still
// blocks publication; the submit button is the workflow's page.
func (o *Office) checkPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	rec, err := o.editableRecord(r)
	if err != nil {
		return err
	}
	v := o.newView(r)
	_, blocks, err := o.progress(ctx, r, v, rec)
	if err != nil {
		return err
	}
	d := checkData{P: rec, Tab: "edit", Sections: v.titled(v.sections(&rec.Fields, o.unitNames(ctx, r, rec.Organisation))),
		Blocks: blocks, Published: rec.PublishedVersion > 0, Draft: rec.Status == register.StatusDraft,
		SubmitURL: v.Path("/office/processings/", rec.ID, "/submit")}
	v.Title, v.Nav, v.Data = v.Tf("check.title", rec.Title), "register", d
	return o.render(w, http.StatusOK, "check", v)
}

// ---- template helpers ----

// fieldCtx carries the view into the "field" partial.
type fieldCtx struct {
	V *view
	F fieldView
}

// FieldOf prepares an input for the "field" partial.
func (v *view) FieldOf(f any) fieldCtx {
	switch x := f.(type) {
	case *fieldView:
		return fieldCtx{V: v, F: *x}
	case fieldView:
		return fieldCtx{V: v, F: x}
	}
	return fieldCtx{V: v}
}

// Attrs are the input's ARIA and focus attributes: described by its hint
// and its error, invalid when it has one, focused when it is the new row's.
func (c fieldCtx) Attrs() template.HTMLAttr {
	var b strings.Builder
	if d := c.F.Described(); d != "" {
		b.WriteString(` aria-describedby="` + template.HTMLEscapeString(d) + `"`)
	}
	if c.F.Error != "" {
		b.WriteString(` aria-invalid="true"`)
	}
	if c.F.Autofocus {
		b.WriteString(` autofocus`)
	}
	return template.HTMLAttr(b.String())
}

// theirsCtx carries one side of a conflicting field.
type theirsCtx struct {
	V     *view
	Lines []diffLine
}

// TheirsOf is the other person's version of a field.
func (v *view) TheirsOf(c *change) theirsCtx { return theirsCtx{V: v, Lines: c.Before} }

// Theirs prepares lines of either side.
func (v *view) Theirs(lines []diffLine) theirsCtx { return theirsCtx{V: v, Lines: lines} }

// InputID is the id of the input of a field's path.
func (v *view) InputID(name string) string { return inputID(name) }

// datalistView is one datalist of suggestions.
type datalistView struct {
	ID      string
	Options []optionView
}

// datalists are the suggestions the section's inputs offer.
func (o *Office) datalists(v *view, spec *sectionSpec) []datalistView {
	want := map[string]bool{}
	for _, it := range spec.items {
		if it.f != nil && it.f.list != "" {
			want[it.f.list] = true
		}
		if it.g != nil {
			for _, sf := range it.g.fields {
				if sf.list != "" {
					want[sf.list] = true
				}
			}
		}
	}
	var out []datalistView
	// The value is the French name (records are written in French); the
	// label the English one on English pages, and says which categories
	// are sensitive, so that the writer ticks the box.
	terms := func(id string, ts []vocab.Term) {
		d := datalistView{ID: "dl-" + id}
		for _, t := range ts {
			o := optionView{Value: t.FR}
			if v.Lang == "en" {
				o.Label = t.EN
			}
			if t.Sensitive {
				o.Label = join(" — ", o.Label, v.T("sensitive.tag"))
			}
			d.Options = append(d.Options, o)
		}
		out = append(out, d)
	}
	if want["subjects"] {
		terms("subjects", o.lists.Subjects)
	}
	if want["categories"] {
		terms("categories", o.lists.Categories)
	}
	if want["laws"] {
		d := datalistView{ID: "dl-laws"}
		for _, l := range o.lists.Laws {
			d.Options = append(d.Options, optionView{Value: l.ShortName, Label: l.Label()})
		}
		out = append(out, d)
	}
	return out
}
