package main

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
	"github.com/registre/registre/vocab"
)

// rareWords appear in about one processing in 500 each, the way a specific
// facility or activity appears in a few registers only.
var rareWords = []string{"héliport", "apiculture", "funiculaire", "patinoire", "déneigement", "columbarium",
	"ludothèque", "pédibus", "fontainerie", "cadastre", "pisciculture", "observatoire", "carillon", "vendanges"}

// communes name the organisations: Geneva's communes, numbered past 45.
var communes = []string{"Aire-la-Ville", "Anières", "Avully", "Avusy", "Bardonnex", "Bellevue", "Bernex", "Carouge",
	"Cartigny", "Céligny", "Chancy", "Chêne-Bougeries", "Chêne-Bourg", "Choulex", "Collex-Bossy", "Collonge-Bellerive",
	"Cologny", "Confignon", "Corsier", "Dardagny", "Genève", "Genthod", "Grand-Saconnex", "Gy", "Hermance", "Jussy",
	"Laconnex", "Lancy", "Meinier", "Meyrin", "Onex", "Perly-Certoux", "Plan-les-Ouates", "Pregny-Chambésy",
	"Presinge", "Puplinge", "Russin", "Satigny", "Soral", "Thônex", "Troinex", "Vandœuvres", "Vernier", "Versoix", "Veyrier"}

// corpus composes realistic text: the demo's titles, purposes and summaries
// with data subjects and categories of the reference vocabulary.
type corpus struct {
	titles, purposes, summaries []string
	subjects, categories        []string
}

func newCorpus() (*corpus, error) {
	c := &corpus{}
	c.titles, c.purposes, c.summaries = demo.Wording()
	v, err := vocab.Load()
	if err != nil {
		return nil, err
	}
	for _, t := range v.Subjects {
		c.subjects = append(c.subjects, t.FR)
	}
	for _, t := range v.Categories {
		c.categories = append(c.categories, t.FR)
	}
	return c, nil
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

// fields composes processing i of an organisation.
func (c *corpus) fields(r *rand.Rand, unit string, i int) register.Fields {
	subject, cat := pick(r, c.subjects), pick(r, c.categories)
	title := pick(r, c.titles)
	switch r.IntN(3) {
	case 0:
		title += " : " + subject
	case 1:
		title += " (" + strings.SplitN(cat, " (", 2)[0] + ")"
	}
	purpose := pick(r, c.purposes)
	summary := pick(r, c.summaries)
	if summary == "" {
		summary = "Nous traitons les données de " + subject + " pour cette prestation."
	}
	desc := fmt.Sprintf("Le traitement porte sur %s et %s. Les données concernent %s.", cat, pick(r, c.categories), subject)
	if i%500 == 0 {
		w := rareWords[(i/500)%len(rareWords)]
		if r.IntN(2) == 0 {
			title += " — " + w
		} else {
			desc += " Service de " + w + "."
		}
	}
	return benchFields(unit, title, purpose, summary, desc, cat)
}

// benchFields returns publishable fields (a copy of demo.Publishable, so that
// the same tool runs on a version of the service from before it).
func benchFields(unit, title, purpose, summary, description, category string) register.Fields {
	f := register.Fields{
		Unit: unit, Title: title, Purpose: purpose, PublicSummary: summary, Description: description,
		Controller:     register.Party{Name: "Service " + unit, Contact: "protection.donnees@example.ch"},
		LegalBases:     []register.LegalBasis{{Type: register.BasisLaw, Reference: "LIPAD art. 35 (rsGE A 2 08)", URL: "https://silgeneve.ch/legis/data/rsg_a2_08.htm", Level: register.NormFormalLaw}},
		DataSubjects:   []string{"habitant·e (personne établie ou en séjour)"},
		Recipients:     []register.Recipient{{Name: "Secrétariat général", Type: register.RecipientInternal}},
		Retention:      register.Retention{Period: "P10Y", Trigger: "clôture du dossier", Disposal: register.DisposalArchive},
		DPIA:           register.DPIA{Required: false, Status: register.DPIANotNeeded},
		ReviewDue:      "2027-12-31",
		Sources:        []string{"la personne concernée"},
		DataCategories: []register.DataCategory{{Name: category}},
	}
	for _, s := range []register.SecurityCategory{register.SecAccessControl, register.SecAuthentication, register.SecBackup, register.SecLogging} {
		f.SecurityMeasures = append(f.SecurityMeasures, register.SecurityMeasure{Category: s, Details: "Mesure décrite dans le dossier de sécurité interne."})
	}
	return f
}
