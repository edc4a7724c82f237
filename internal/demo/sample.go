package demo

import "github.com/registre/registre/register"

// Publishable returns fields that pass every publication rule, with the
// given wording: for tests and the load tool, which need many processings
// that differ in their text only.
func Publishable(unit, title, purpose, summary, description string, categories ...string) register.Fields {
	f := register.Fields{
		Unit: unit, Title: title, Purpose: purpose, PublicSummary: summary, Description: description,
		Controller:   register.Party{Name: "Service " + unit, Contact: "protection.donnees@example.ch"},
		LegalBases:   []register.LegalBasis{law("LIPAD", "LIPAD art. 35 (rsGE A 2 08)")},
		DataSubjects: []string{"habitant·e (personne établie ou en séjour)"},
		Retention:    register.Retention{Period: "P10Y", Trigger: "clôture du dossier", Disposal: register.DisposalArchive},
		DPIA:         dpiaNo(),
		ReviewDue:    "2027-12-31",
		Sources:      []string{"la personne concernée"},
		Recipients:   []register.Recipient{in("Secrétariat général")},
	}
	if len(categories) == 0 {
		categories = []string{"identité (nom officiel, prénoms)"}
	}
	for _, c := range categories {
		f.DataCategories = append(f.DataCategories, register.DataCategory{Name: c})
	}
	for _, s := range basic() {
		f.SecurityMeasures = append(f.SecurityMeasures, register.SecurityMeasure{Category: s, Details: "Mesure décrite dans le dossier de sécurité interne."})
	}
	return f
}

// Wording is the demo register's text: its titles, purposes and public
// summaries, in the demo's order (summaries may be empty).
func Wording() (titles, purposes, summaries []string) {
	for _, sp := range specs() {
		titles = append(titles, sp.title)
		purposes = append(purposes, sp.purpose)
		summaries = append(summaries, sp.summary)
	}
	return titles, purposes, summaries
}
