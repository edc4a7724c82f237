package office

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// A processing as the office reads it: every field of the record, by
// section, as a summary list; the same rows serve the processing page, an
// old version's page and the comparison of two versions, so that a field
// shown on one is compared on the other.

// line is one line of a field's value: Word is in the page's language (an
// enumeration, yes/no, a country), Text is the record's own text, written
// in French (marked lang="fr" on English pages).
type line struct {
	Word, Text string
}

// row is one field of a record.
type row struct {
	Key   string // the field's JSON path: its anchor and its label (f.<key>)
	Label string
	Lines []line
}

// Empty reports whether the field holds nothing.
func (r row) Empty() bool { return len(r.Lines) == 0 }

// Anchor is the field's fragment identifier on the processing page.
func (r row) Anchor() string { return "f-" + strings.NewReplacer(".", "-", "_", "-").Replace(r.Key) }

// same reports whether two rows say the same thing.
func (r row) same(o row) bool {
	if len(r.Lines) != len(o.Lines) {
		return false
	}
	for i := range r.Lines {
		if r.Lines[i] != o.Lines[i] {
			return false
		}
	}
	return true
}

// section is one section of a record, as the task list of OFFICE.md names
// them.
type section struct {
	Key, Title string
	Rows       []row
}

// sections lays out every field of f by section; unitName names units.
func (v *view) sections(f *register.Fields, unitName func(string) string) []section {
	r := func(key string, lines ...line) row {
		var ls []line
		for _, l := range lines {
			if strings.TrimSpace(l.Word) != "" || strings.TrimSpace(l.Text) != "" {
				ls = append(ls, l)
			}
		}
		return row{Key: key, Label: v.T("f." + key), Lines: ls}
	}
	txt := func(s string) line { return line{Text: s} }
	word := func(s string) line { return line{Word: s} }
	texts := func(ss []string) []line {
		var out []line
		for _, s := range ss {
			out = append(out, txt(s))
		}
		return out
	}
	opt := func(s string, w string) line { // a word only when s is set
		if s == "" {
			return line{}
		}
		return word(w)
	}
	day := func(s string) line {
		if s == "" {
			return line{}
		}
		return word(v.Day(s))
	}

	unit := f.Unit
	if unitName != nil {
		if n := unitName(f.Unit); n != "" && n != f.Unit {
			unit = n + " (" + f.Unit + ")"
		}
	}
	var joint, bases, cats, recips, accesses, procs, transfers, perCat, measures, crit []line
	for _, j := range f.JointControllers {
		joint = append(joint, txt(join(" — ", j.Name, j.Contact)))
	}
	for _, b := range f.LegalBases {
		w := v.Enum("basis", b.Type)
		if b.Level != "" {
			w += " (" + v.T("v.level."+string(b.Level)) + ")"
		}
		bases = append(bases, line{Word: w, Text: join(" — ", b.Reference, b.URL)})
	}
	for _, c := range f.DataCategories {
		l := txt(c.Name)
		if c.Sensitive {
			l.Word = v.T("sensitive.tag")
		}
		cats = append(cats, l)
	}
	for _, rc := range f.Recipients {
		w := v.Enum("recipient", rc.Type)
		if rc.Country != "" {
			w += ", " + v.Country(rc.Country)
		}
		recips = append(recips, line{Word: w, Text: rc.Name})
	}
	for _, a := range f.Accesses {
		t := a.Institution
		if a.LegalBasis != "" {
			t += " — " + v.T("v.basis") + v.T("colon") + a.LegalBasis
		}
		if a.Scope != "" {
			t += " — " + v.T("v.scope") + v.T("colon") + a.Scope
		}
		accesses = append(accesses, txt(t))
	}
	for _, p := range f.Processors {
		w := v.T("v.nocontract")
		if p.Contract {
			w = v.T("v.contract")
		}
		if p.Country != "" {
			w = v.Country(p.Country) + ", " + w
		}
		procs = append(procs, line{Word: w, Text: p.Name})
	}
	for _, t := range f.Transfers {
		w := v.Country(t.Country) + " — " + v.Enum("safeguard", t.Safeguard)
		if t.RecipientCertified {
			w += " (" + v.T("v.certified") + ")"
		}
		transfers = append(transfers, line{Word: w, Text: t.Details})
	}
	for _, c := range f.Retention.PerCategory {
		var w []string
		if c.Period != "" {
			w = append(w, v.Duration(c.Period))
		}
		if c.Disposal != "" {
			w = append(w, v.Enum("disposal", c.Disposal))
		}
		perCat = append(perCat, line{Word: strings.Join(w, ", "), Text: join(" — ", c.Category, c.Criteria)})
	}
	for _, m := range f.SecurityMeasures {
		measures = append(measures, line{Word: v.Enum("security", m.Category), Text: m.Details})
	}
	for _, c := range f.DPIA.Criteria {
		crit = append(crit, word(v.Enum("dpiacrit", c)))
	}
	var consult line
	if c := f.DPIA.Consultation; c != nil {
		w := v.Enum("authority", c.Authority)
		if c.ConsultedOn != "" {
			w += " (" + v.Day(c.ConsultedOn) + ")"
		}
		t := c.Reference
		if c.Outcome != "" {
			t = join(" — ", t, v.T("v.outcome")+v.T("colon")+c.Outcome)
		}
		consult = line{Word: w, Text: t}
	}
	var risk line
	if f.DPIA.ResidualRisk != "" {
		risk = word(v.T("v.risk." + string(f.DPIA.ResidualRisk)))
	}
	var status line
	if f.DPIA.Status != "" {
		status = word(v.Enum("dpia", f.DPIA.Status))
	}
	var provision, exception line
	if f.Information.Provision != "" {
		provision = word(v.Enum("provision", f.Information.Provision))
	}
	if f.Information.Exception != "" {
		exception = word(v.Enum("infoexc", f.Information.Exception))
	}
	var disposal line
	if f.Retention.Disposal != "" {
		disposal = word(v.Enum("disposal", f.Retention.Disposal))
	}

	return []section{
		{Key: "purpose", Rows: []row{r("title", txt(f.Title)), r("reference", txt(f.Reference)), r("unit", txt(unit)),
			r("purpose", txt(f.Purpose)), r("description", txt(f.Description))}},
		{Key: "controller", Rows: []row{r("controller.name", txt(f.Controller.Name)), r("controller.contact", txt(f.Controller.Contact)),
			r("joint_controllers", joint...)}},
		{Key: "legal", Rows: []row{r("legal_bases", bases...)}},
		{Key: "people", Rows: []row{r("data_subjects", texts(f.DataSubjects)...), r("data_categories", cats...),
			r("sources", texts(f.Sources)...), r("common_identifier", txt(f.CommonIdentifier))}},
		{Key: "recipients", Rows: []row{r("recipients", recips...), r("accesses", accesses...)}},
		{Key: "processors", Rows: []row{r("processors", procs...), r("transfers", transfers...)}},
		{Key: "retention", Rows: []row{r("retention.period", opt(f.Retention.Period, v.Duration(f.Retention.Period))),
			r("retention.criteria", txt(f.Retention.Criteria)), r("retention.trigger", txt(f.Retention.Trigger)),
			r("retention.disposal", disposal), r("retention.purge_frequency", opt(f.Retention.PurgeFrequency, v.Duration(f.Retention.PurgeFrequency))),
			r("retention.schedule", txt(f.Retention.Schedule)), r("retention.per_category", perCat...)}},
		{Key: "security", Rows: []row{r("security_measures", measures...)}},
		{Key: "dpia", Rows: []row{r("automated_decision", word(v.YesNo(f.AutomatedDecision))), r("profiling", word(v.YesNo(f.Profiling))),
			r("dpia.required", word(v.YesNo(f.DPIA.Required))), r("dpia.criteria", crit...), r("dpia.status", status),
			r("dpia.completed_on", day(f.DPIA.CompletedOn)), r("dpia.reference", txt(f.DPIA.Reference)),
			r("dpia.residual_risk", risk), r("dpia.consultation", consult)}},
		{Key: "information", Rows: []row{r("information.provision", provision), r("information.consequences", txt(f.Information.Consequences)),
			r("information.decision_logic", txt(f.Information.DecisionLogic)), r("information.exception", exception),
			r("information.exception_reason", txt(f.Information.ExceptionReason))}},
		{Key: "summary", Rows: []row{r("public_summary", txt(f.PublicSummary)), r("planned_start", day(f.PlannedStart))}},
		{Key: "internal", Rows: []row{r("review_due", day(f.ReviewDue)), r("internal_notes", txt(f.InternalNotes))}},
	}
}

// titled gives each section its title.
func (v *view) titled(ss []section) []section {
	for i := range ss {
		ss[i].Title = v.T("sec." + ss[i].Key)
	}
	return ss
}

func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// ---- the findings checklist ----

// findingView is one finding as the checklist shows it.
type findingView struct {
	Rule, Message string
	Field, Anchor string // the field's label and its anchor on the page ("" when none)
	Cites         []string
	Override      *register.Override
}

// checklist is the findings of a record, in three groups.
type checklist struct {
	Blocking, Overruled, Warnings []findingView
}

// Empty reports whether nothing is found at all.
func (c checklist) Empty() bool {
	return len(c.Blocking)+len(c.Overruled)+len(c.Warnings) == 0
}

// checklistOf runs the compliance rules over p and groups what they find.
func (v *view) checklistOf(fs []register.Finding, rows map[string]row) checklist {
	var c checklist
	for _, f := range fs {
		fv := findingView{Rule: f.Rule, Message: capitalise(v.T("rule." + f.Rule)), Override: f.Override}
		if r, ok := rowOfField(rows, f.Field); ok {
			fv.Field, fv.Anchor = r.Label, r.Anchor()
		}
		fv.Cites = f.Articles
		if len(fv.Cites) == 0 {
			for _, l := range f.Laws {
				fv.Cites = append(fv.Cites, v.Enum("law", l))
			}
		}
		switch {
		case f.Override != nil:
			c.Overruled = append(c.Overruled, fv)
		case f.Blocks():
			c.Blocking = append(c.Blocking, fv)
		default:
			c.Warnings = append(c.Warnings, fv)
		}
	}
	return c
}

// rowOfField finds the row a finding's field path belongs to:
// "legal_bases[2].reference" is the legal bases' row, "retention" the
// retention period's, "dpia.criteria" its own.
func rowOfField(rows map[string]row, field string) (row, bool) {
	if i := strings.IndexByte(field, '['); i >= 0 {
		field = field[:i]
	}
	for field != "" {
		if r, ok := rows[field]; ok {
			return r, true
		}
		for _, k := range []string{field + ".name", field + ".period"} {
			if r, ok := rows[k]; ok {
				return r, true
			}
		}
		i := strings.LastIndexByte(field, '.')
		if i < 0 {
			break
		}
		field = field[:i]
	}
	return row{}, false
}

func rowIndex(ss []section) map[string]row {
	m := map[string]row{}
	for _, s := range ss {
		for _, r := range s.Rows {
			m[r.Key] = r
		}
	}
	return m
}

// ---- the processing page ----

// recordData is what the processing page and a version's page show.
type recordData struct {
	P        *register.Processing
	Sections []section
	Checks   checklist
	Tab      string
	// Version is set on an old version's page.
	Version *register.Version
	// CanWrite tells whether the reader's role may change records; the
	// pages themselves never do (reading pages only).
	CanWrite bool
}

// unitNames returns a function naming the units of org.
func (o *Office) unitNames(ctx context.Context, r *http.Request, org string) func(string) string {
	units, err := o.svc.ListUnits(ctx, principal(r), org)
	if err != nil {
		return nil // names are a courtesy: the slug is shown instead
	}
	m := make(map[string]string, len(units))
	for _, u := range units {
		m[u.Slug] = u.Name
	}
	return func(s string) string { return m[s] }
}

// processingPage serves GET /office/processings/{id}: every field by
// section, and the findings as a checklist.
func (o *Office) processingPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := o.svc.GetOrganisation(ctx, principal(r), p.Organisation)
	if err != nil {
		return err
	}
	v := o.newView(r)
	ss := v.titled(v.sections(&p.Fields, o.unitNames(ctx, r, p.Organisation)))
	d := recordData{P: p, Sections: ss, Tab: "record", CanWrite: canWrite(principal(r).Role)}
	d.Checks = v.checklistOf(register.Check(p, org, o.svc.Now()), rowIndex(ss))
	v.Title, v.Nav, v.Data = p.Title, "register", d
	return o.render(w, http.StatusOK, "processing", v)
}

// versionPage serves GET /office/processings/{id}/versions/{n}: an old
// version as it was saved.
func (o *Office) versionPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cur, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := versionNumber(r.PathValue("n"))
	if err != nil {
		return err
	}
	ver, err := o.svc.GetVersion(ctx, principal(r), cur.ID, n)
	if err != nil {
		return err
	}
	p, err := decodeVersion(ver)
	if err != nil {
		return err
	}
	v := o.newView(r)
	ss := v.titled(v.sections(&p.Fields, o.unitNames(ctx, r, cur.Organisation)))
	d := recordData{P: cur, Sections: ss, Tab: "history", Version: ver}
	v.Title, v.Nav, v.Data = v.Tf("version.title", n, p.Title), "register", d
	return o.render(w, http.StatusOK, "version", v)
}

// versionNumber reads a version number from a path or a query: anything
// but a positive number is no version, hence 404.
func versionNumber(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, register.Errorf(register.ENotFound, "version not found")
	}
	return n, nil
}

func canWrite(role identity.Role) bool {
	return role == identity.RoleAdmin || role == identity.RoleDPO || role == identity.RoleEditor
}

// decodeVersion reads the record a version saved.
func decodeVersion(ver *register.Version) (*register.Processing, error) {
	var p register.Processing
	if err := json.Unmarshal(ver.Data, &p); err != nil {
		return nil, fmt.Errorf("office: decode version %d of %s: %w", ver.Number, ver.ProcessingID, err)
	}
	return &p, nil
}

// sortedVersions returns the version numbers, oldest first.
func sortedVersions(vs []register.Version) []int {
	out := make([]int, 0, len(vs))
	for _, x := range vs {
		out = append(out, x.Number)
	}
	sort.Ints(out)
	return out
}

// capitalise starts a sentence with a capital (the rule table's messages
// start in lower case).
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
