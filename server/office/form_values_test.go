package office

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/registre/registre/register"
)

// full is a record with every field set, lists with two rows.
func full() register.Fields {
	return register.Fields{
		Unit: "etat-civil", Reference: "EC-1", Title: "Registre des naissances", Purpose: "Tenir le registre.", Description: "Dossiers papier et logiciel.",
		PublicSummary: "Résumé.", Controller: register.Party{Name: "Ville", Contact: "dpo@ville.ch"},
		JointControllers: []register.Party{{Name: "Canton", Contact: "x@ge.ch"}, {Name: "Commune"}},
		Processors:       []register.Processor{{Name: "Hébergeur", Country: "CH", Contract: true}, {Name: "Éditeur"}},
		LegalBases:       []register.LegalBasis{{Type: register.BasisLaw, Reference: "LIPAD art. 35", URL: "https://silgeneve.ch/x", Level: register.NormFormalLaw}, {Type: register.BasisPublicTask}},
		DataSubjects:     []string{"enfants", "parents"},
		DataCategories:   []register.DataCategory{{Name: "identité"}, {Name: "santé", Sensitive: true}},
		Sources:          []string{"la personne", "l’hôpital"},
		Recipients:       []register.Recipient{{Name: "Archives", Type: register.RecipientPublicBody, Country: "CH"}, {Name: "Service", Type: register.RecipientInternal}},
		Transfers:        []register.Transfer{{Country: "US", Safeguard: register.SafeguardAdequacy, RecipientCertified: true, Details: "DPF"}, {Country: "FR"}},
		Accesses:         []register.Access{{Institution: "OCPM", LegalBasis: "LIPAD art. 39", Scope: "lecture"}, {Institution: "Police"}},
		Retention: register.Retention{Period: "P10Y", Trigger: "clôture", Disposal: register.DisposalArchive, Criteria: "fin", PurgeFrequency: "P1Y", Schedule: "AEG-1",
			PerCategory: []register.CategoryRetention{{Category: "santé", Period: "P5Y", Criteria: "c", Disposal: register.DisposalDelete}, {Category: "identité", Criteria: "toujours"}}},
		SecurityMeasures:  []register.SecurityMeasure{{Category: register.SecAccessControl, Details: "rôles"}, {Category: register.SecBackup}},
		AutomatedDecision: true, Profiling: true,
		DPIA: register.DPIA{Required: true, Status: register.DPIADone, CompletedOn: "2026-01-15", Reference: "AIPD-1",
			Criteria: []register.DPIACriterion{register.CritSensitiveLargeScale, register.CritNewTechnology}, ResidualRisk: register.ResidualHigh,
			Consultation: &register.Consultation{Authority: register.AuthorityPPDT, ConsultedOn: "2026-02-01", Reference: "PPDT-9", Outcome: "avis favorable"}},
		ReviewDue: "2027-01-01", CommonIdentifier: "AVS",
		Information:   register.Information{Provision: register.ProvisionMandatory, Consequences: "refus", DecisionLogic: "score", Exception: register.InfoRestricted, ExceptionReason: "enquête"},
		InternalNotes: "notes",
	}
}

// TestEverySectionRoundTripsEveryField: each section's form, filled from
// a record with every field set and written back over an empty record,
// gives that section's fields back; all sections together give the whole
// record: no field of the contract is missing from the forms, nor read
// back differently.
func TestEverySectionRoundTripsEveryField(t *testing.T) {
	want := full()
	var got register.Fields
	for _, s := range formSections() {
		vals, err := valuesOf(&s, &want)
		if err != nil {
			t.Fatal(err)
		}
		// As a browser posts it: then through posted() and compact().
		in := url.Values{"csrf": {"x"}, "do": {"save"}}
		for k, v := range vals {
			in[k] = v
		}
		p, err := posted(&s, in)
		if err != nil {
			t.Fatalf("%s: %v", s.key, err)
		}
		if got, err = apply(&s, compact(&s, p), &got); err != nil {
			t.Fatalf("%s: %v", s.key, err)
		}
	}
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(got)
	if string(a) != string(b) {
		t.Errorf("round trip through the forms:\nwant %s\ngot  %s", a, b)
	}
}

// TestEveryFieldHasAnInput walks register.Fields' JSON paths: each is an
// input of exactly one section form, or inside a group of one.
func TestEveryFieldHasAnInput(t *testing.T) {
	owner := map[string]string{}
	for _, s := range formSections() {
		for _, it := range s.items {
			if prev, dup := owner[it.name()]; dup {
				t.Errorf("%s is in %s and %s", it.name(), prev, s.key)
			}
			owner[it.name()] = s.key
		}
	}
	var walk func(t reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			path := prefix + name
			if _, ok := owner[path]; ok {
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				walk(ft, path+".")
				continue
			}
			t.Errorf("field %s has no input", path)
		}
	}
	walk(reflect.TypeOf(register.Fields{}), "")
}

// TestPostedKeepsOnlyTheFormsInputs: the token, the action and any other
// field are not input; a row index beyond the domain's bound, or written
// oddly, is refused.
func TestPostedKeepsOnlyTheFormsInputs(t *testing.T) {
	specs := formSections()
	legal, _ := sectionByKey(specs, "legal")
	cases := []struct {
		name string
		form url.Values
		keep []string
		bad  bool
	}{
		{"inputs only", url.Values{"csrf": {"t"}, "do": {"save"}, "title": {"x"}, "legal_bases.0.type": {"law"}, "legal_bases.0.evil": {"x"}}, []string{"legal_bases.0.type"}, false},
		{"last row of the bound", url.Values{"legal_bases.29.type": {"law"}}, []string{"legal_bases.29.type"}, false},
		{"beyond the bound", url.Values{"legal_bases.30.type": {"law"}}, nil, true},
		{"index written oddly", url.Values{"legal_bases.01.type": {"law"}}, nil, true},
		{"negative index", url.Values{"legal_bases.-1.type": {"law"}}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := posted(legal, c.form)
			if (err != nil) != c.bad {
				t.Fatalf("err %v, want refused=%v", err, c.bad)
			}
			var keys []string
			for k := range got {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !c.bad && !slices.Equal(keys, c.keep) {
				t.Errorf("kept %v, want %v", keys, c.keep)
			}
		})
	}
}

// TestErrorsLinkToTheirInput: each domain error path becomes the message
// beside its input and a summary line linked to that input's id; a box of
// a list of checkboxes links to the list; a field of another section is
// said without a link.
func TestErrorsLinkToTheirInput(t *testing.T) {
	o := New(Config{})
	v := &view{Lang: "en", labels: o.labels}
	specs := formSections()
	cases := []struct {
		section, path, id string
	}{
		{"legal", "legal_bases[1].reference", "f-legal_bases-1-reference"},
		{"people", "data_subjects[0]", "f-data_subjects-0"},
		{"dpia", "dpia.criteria[0]", "f-dpia-criteria"},
		{"dpia", "dpia.consultation.authority", "f-dpia-consultation-authority"},
		{"retention", "retention.per_category[0].period", "f-retention-per_category-0-period"},
		{"legal", "legal_bases", "f-legal_bases"},
		{"legal", "title", ""},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			spec, _ := sectionByKey(specs, c.section)
			vals := url.Values{"legal_bases.1.type": {"law"}, "data_subjects.0": {"x"}, "retention.per_category.0.category": {"santé"}}
			st := sectionState{vals: vals, errs: map[string]string{inputName(c.path): "wrong"}}
			_, summary := o.items(v, spec, st, nil)
			if len(summary) != 1 || summary[0].ID != c.id || !strings.HasSuffix(summary[0].Text, "wrong") {
				t.Errorf("summary %+v, want one line linked to %q", summary, c.id)
			}
		})
	}
}
