package office

import (
	"sort"
	"strings"

	"github.com/registre/registre/register"
)

// The forms are described once, here, by section: the same section keys,
// in the same order, as the reading page (processing.go's sections()), and
// each input named by the JSON path of its field ("controller.name",
// "legal_bases.2.reference"), so that a domain error's path
// ("legal_bases[2].reference") names its input, and the label of a field is
// the reading page's (f.<key>).

// inputKind is how a field is typed in.
type inputKind int

const (
	kText     inputKind = iota
	kArea               // a textarea
	kSelect             // one of a closed list
	kRadios             // one of a short closed list
	kCheck              // a boolean
	kDate               // YYYY-MM-DD
	kDuration           // an ISO 8601 period, with a hint
	kChecks             // several of a closed list (dpia.criteria)
	kCountry            // a select of countries
	kUnit               // a select of the units the writer may write in
)

// fieldSpec is one input. In a group, name is relative to the row
// ("reference"; "" for a list of strings); otherwise it is the full path.
type fieldSpec struct {
	name  string
	label string // label key; default f.<path>
	kind  inputKind
	enum  string   // label kind of the options' words (labels package or v.*)
	opts  []string // the closed list's values
	list  string   // the datalist offered: subjects, categories, laws
	hint  string   // label key of a hint in plain language
	law   bool     // show the law's official text beside it (vocab.LawURL)
}

// groupSpec is a repeatable group: rows of the same fields, with add
// another / remove that post the section form (no JavaScript).
type groupSpec struct {
	name   string // the list's JSON path: legal_bases, retention.per_category
	max    int    // the domain's bound (validate max=)
	fields []fieldSpec
	hint   string
}

// item is one thing of a section form: a field or a group.
type item struct {
	f *fieldSpec
	g *groupSpec
}

// name is the item's path, and the reading page's row key it belongs to
// (dpia.consultation.* belong to the row dpia.consultation).
func (it item) name() string {
	if it.g != nil {
		return it.g.name
	}
	return it.f.name
}

func (it item) rowKey() string {
	n := it.name()
	if strings.HasPrefix(n, "dpia.consultation.") {
		return "dpia.consultation"
	}
	return n
}

// sectionSpec is one section's form.
type sectionSpec struct {
	key   string
	items []item
}

func fld(name string, kind inputKind, opts ...func(*fieldSpec)) item {
	f := &fieldSpec{name: name, kind: kind}
	for _, o := range opts {
		o(f)
	}
	return item{f: f}
}

func sub(name string, kind inputKind, opts ...func(*fieldSpec)) fieldSpec {
	return *fld(name, kind, opts...).f
}

func grp(name string, max int, hint string, fields ...fieldSpec) item {
	return item{g: &groupSpec{name: name, max: max, fields: fields, hint: hint}}
}

func enumOf[T ~string](kind string, all []T) func(*fieldSpec) {
	return func(f *fieldSpec) {
		f.enum = kind
		for _, v := range all {
			f.opts = append(f.opts, string(v))
		}
	}
}

func hint(key string) func(*fieldSpec)  { return func(f *fieldSpec) { f.hint = key } }
func dlist(id string) func(*fieldSpec)  { return func(f *fieldSpec) { f.list = id } }
func label(key string) func(*fieldSpec) { return func(f *fieldSpec) { f.label = key } }
func lawLink(f *fieldSpec)              { f.law = true }

// formSections are the section forms, in the reading page's order.
func formSections() []sectionSpec {
	return []sectionSpec{
		{key: "purpose", items: []item{
			fld("title", kText, hint("h.title")),
			fld("reference", kText, hint("h.reference")),
			fld("unit", kUnit),
			fld("purpose", kArea, hint("h.purpose")),
			fld("description", kArea, hint("h.description")),
		}},
		{key: "controller", items: []item{
			fld("controller.name", kText, hint("h.controller")),
			fld("controller.contact", kText, hint("h.controller.contact")),
			grp("joint_controllers", 20, "h.joint_controllers",
				sub("name", kText, label("g.name")), sub("contact", kText, label("g.contact"))),
		}},
		{key: "legal", items: []item{
			grp("legal_bases", 30, "h.legal_bases",
				sub("type", kSelect, label("g.basis.type"), enumOf("basis", register.LegalBasisTypes()), hint("h.basis.type")),
				sub("reference", kText, label("g.basis.reference"), dlist("laws"), hint("h.basis.reference"), lawLink),
				sub("url", kText, label("g.basis.url")),
				sub("level", kRadios, label("g.basis.level"), enumOf("v.level", register.NormLevels()), hint("h.basis.level"))),
		}},
		{key: "people", items: []item{
			grp("data_subjects", 50, "h.data_subjects", sub("", kText, label("g.subject"), dlist("subjects"))),
			grp("data_categories", 100, "h.data_categories",
				sub("name", kText, label("g.category"), dlist("categories")),
				sub("sensitive", kCheck, label("g.sensitive"), hint("h.sensitive"))),
			grp("sources", 50, "h.sources", sub("", kText, label("g.source"))),
			fld("common_identifier", kText, hint("h.common_identifier")),
		}},
		{key: "recipients", items: []item{
			grp("recipients", 50, "h.recipients",
				sub("name", kText, label("g.name")),
				sub("type", kSelect, label("g.recipient.type"), enumOf("recipient", register.RecipientTypes())),
				sub("country", kCountry, label("g.country"))),
			grp("accesses", 50, "h.accesses",
				sub("institution", kText, label("g.institution")),
				sub("legal_basis", kText, label("g.access.basis"), dlist("laws"), lawLink),
				sub("scope", kArea, label("g.access.scope"))),
		}},
		{key: "processors", items: []item{
			grp("processors", 50, "h.processors",
				sub("name", kText, label("g.name")),
				sub("country", kCountry, label("g.country")),
				sub("contract", kCheck, label("g.contract"))),
			grp("transfers", 50, "h.transfers",
				sub("country", kCountry, label("g.country")),
				sub("safeguard", kSelect, label("g.safeguard"), enumOf("safeguard", register.Safeguards()), hint("h.safeguard")),
				sub("recipient_certified", kCheck, label("g.certified")),
				sub("details", kArea, label("g.details"))),
		}},
		{key: "retention", items: []item{
			fld("retention.period", kDuration, hint("h.duration")),
			fld("retention.criteria", kArea, hint("h.retention.criteria")),
			fld("retention.trigger", kText, hint("h.retention.trigger")),
			fld("retention.disposal", kRadios, enumOf("disposal", register.Disposals())),
			fld("retention.purge_frequency", kDuration, hint("h.duration")),
			fld("retention.schedule", kText, hint("h.retention.schedule")),
			grp("retention.per_category", 100, "h.per_category",
				sub("category", kText, label("g.category"), dlist("categories")),
				sub("period", kDuration, label("g.period"), hint("h.duration")),
				sub("criteria", kText, label("g.criteria")),
				sub("disposal", kSelect, label("g.disposal"), enumOf("disposal", register.Disposals()))),
		}},
		{key: "security", items: []item{
			grp("security_measures", 50, "h.security_measures",
				sub("category", kSelect, label("g.security.category"), enumOf("security", register.SecurityCategories())),
				sub("details", kArea, label("g.details"))),
		}},
		{key: "dpia", items: []item{
			fld("automated_decision", kCheck, hint("h.automated_decision")),
			fld("profiling", kCheck, hint("h.profiling")),
			fld("dpia.criteria", kChecks, enumOf("dpiacrit", register.DPIACriteria()), hint("h.dpia.criteria")),
			fld("dpia.required", kCheck, hint("h.dpia.required")),
			fld("dpia.status", kRadios, enumOf("dpia", register.DPIAStatuses())),
			fld("dpia.completed_on", kDate),
			fld("dpia.reference", kText),
			fld("dpia.residual_risk", kRadios, enumOf("v.risk", register.ResidualRisks()), hint("h.residual_risk")),
			fld("dpia.consultation.authority", kSelect, label("f.dpia.consultation.authority"), enumOf("authority", register.Authorities()), hint("h.consultation")),
			fld("dpia.consultation.consulted_on", kDate, label("f.dpia.consultation.consulted_on")),
			fld("dpia.consultation.reference", kText, label("f.dpia.consultation.reference")),
			fld("dpia.consultation.outcome", kArea, label("f.dpia.consultation.outcome")),
		}},
		{key: "information", items: []item{
			fld("information.provision", kRadios, enumOf("provision", register.Provisions())),
			fld("information.consequences", kArea),
			fld("information.decision_logic", kArea, hint("h.decision_logic")),
			fld("information.exception", kSelect, enumOf("infoexc", register.InfoExceptions()), hint("h.info.exception")),
			fld("information.exception_reason", kArea),
		}},
		{key: "summary", items: []item{
			fld("public_summary", kArea, hint("h.public_summary")),
			fld("planned_start", kDate, hint("h.planned_start")),
		}},
		{key: "internal", items: []item{
			fld("review_due", kDate, hint("h.review_due")),
			fld("internal_notes", kArea, hint("h.internal_notes")),
		}},
	}
}

// sectionByKey returns the spec of a section, or false.
func sectionByKey(specs []sectionSpec, key string) (*sectionSpec, bool) {
	for i := range specs {
		if specs[i].key == key {
			return &specs[i], true
		}
	}
	return nil, false
}

// country is one option of the countries' select.
type country struct{ Code, FR, EN string }

// allCountries lists the ISO 3166-1 alpha-2 codes register knows, by
// French name (the select prints the page's language; the order matters
// little, a browser's select jumps to the typed letters).
func allCountries() []country {
	var out []country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if fr, en, ok := register.CountryName(code); ok {
				out = append(out, country{code, fr, en})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FR < out[j].FR })
	return out
}
