// Package e2e holds the end-to-end test of the public pages in a real
// browser (e2e_test.go) and the public register it runs on, which the
// server's public tests share.
package e2e

import (
	"fmt"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
)

// Fixture is a small public register built through the API: three
// organisations with accents in their names, published processings with
// sensitive data, transfers abroad and every kind of list, many processings
// in one organisation so that results have pages, and one processing in
// each state that must stay out of the public register.
type Fixture struct {
	Orgs      []string          // slugs of organisations with publications
	Published map[string]string // title → id of every published processing
	Hidden    map[string]string // state → id of a draft, an in_review and an archived processing
	Sensitive string            // id of a processing with sensitive data and transfers
}

// Fillers is how many extra processings the fixture publishes in
// "etat-de-geneve", enough for a second page of results.
const Fillers = 24

type orgSpec struct {
	slug, name, address, website, dpo, lipad string
	units                                    [][2]string
}

func orgSpecs() []orgSpec {
	return []orgSpec{
		{"ville-de-geneve", "Ville de Genève", "Palais Eynard\nRue de la Croix-Rouge 4\n1204 Genève", "https://www.example.ch/ville",
			"protection.donnees@ville-ge.example.ch", "lipad@ville-ge.example.ch",
			[][2]string{{"etat-civil", "Service de l’état civil"}, {"action-sociale", "Service social de la Ville"}}},
		{"hug", "Hôpitaux universitaires de Genève (HUG)", "Rue Gabrielle-Perret-Gentil 4, 1205 Genève", "https://www.example.ch/hug",
			"Délégué à la protection des données, HUG, 1205 Genève", "lipad@hug.example.ch",
			[][2]string{{"dossier-patient", "Direction des systèmes d’information"}, {"recherche", "Centre de recherche clinique"}}},
		{"etat-de-geneve", "République et canton de Genève", "Rue de l’Hôtel-de-Ville 2, 1204 Genève", "https://www.example.ch/etat",
			"ppdt-correspondant@etat-ge.example.ch", "Chancellerie d’État, demandes LIPAD\nCase postale 3964, 1211 Genève 3",
			[][2]string{{"ocpm", "Office cantonal de la population et des migrations"}, {"afc", "Administration fiscale cantonale"}}},
	}
}

// processing returns a complete body changed by edit.
func processing(unit, title string, edit func(p map[string]any)) map[string]any {
	p := apitest.Complete(unit, title)
	if edit != nil {
		edit(p)
	}
	return p
}

// Load builds the fixture through the API of e.
func Load(t testing.TB, e *apitest.Env) *Fixture {
	t.Helper()
	admin := e.Token(auth.RoleAdmin, "")
	for _, o := range orgSpecs() {
		e.Must(201, "POST", "/api/v1/organisations", admin, map[string]any{"slug": o.slug, "name": o.name,
			"address": o.address, "website": o.website, "dpo_contact": o.dpo, "lipad_contact": o.lipad})
		for _, u := range o.units {
			e.Must(201, "POST", "/api/v1/organisations/"+o.slug+"/units", admin, map[string]any{"slug": u[0], "name": u[1]})
		}
	}
	f := &Fixture{Published: map[string]string{}, Hidden: map[string]string{}}
	for _, o := range orgSpecs() {
		f.Orgs = append(f.Orgs, o.slug)
	}
	create := func(org string, body map[string]any) string {
		t.Helper()
		r := e.Must(201, "POST", "/api/v1/processings", e.Token(auth.RoleDPO, org), body)
		return r.Map(t)["id"].(string)
	}
	steps := func(org, id string, steps ...string) {
		t.Helper()
		for _, s := range steps {
			e.Must(200, "POST", "/api/v1/processings/"+id+"/"+s, e.Token(auth.RoleDPO, org), nil)
		}
	}
	publish := func(org string, body map[string]any) string {
		t.Helper()
		id := create(org, body)
		steps(org, id, "submit", "publish")
		f.Published[body["title"].(string)] = id
		return id
	}

	publish("ville-de-geneve", processing("etat-civil", "Registre des naissances", func(p map[string]any) {
		p["reference"] = "VDG-EC-001"
	}))
	publish("ville-de-geneve", processing("action-sociale", "Prestations sociales communales", func(p map[string]any) {
		p["reference"] = "VDG-SOC-014"
		p["purpose"] = "Examiner le droit aux prestations sociales communales (allocation de rentrée scolaire, aide au logement) et les verser."
		p["public_summary"] = "Si vous demandez une aide sociale de la Ville, nous traitons votre situation familiale et financière pour décider de votre droit et vous verser l’aide."
		p["data_subjects"] = []any{"requérants", "membres du ménage"}
		p["data_categories"] = []any{
			map[string]any{"name": "identité et coordonnées", "sensitive": false},
			map[string]any{"name": "situation financière", "sensitive": false},
			map[string]any{"name": "mesures d’aide sociale", "sensitive": true},
		}
		p["legal_bases"] = []any{
			map[string]any{"type": "law", "reference": "Loi sur l’aide sociale et la lutte contre la précarité (LASLP)", "level": "formal_law"},
			map[string]any{"type": "law", "reference": "Règlement relatif aux aides financières du Service social (LC 21 511)", "level": "regulation"},
		}
		p["retention"] = map[string]any{"period": "P10Y", "trigger": "fin du droit aux prestations", "disposal": "delete"}
		p["dpia"] = map[string]any{"required": true, "status": "done", "completed_on": "2026-02-12"}
	}))
	f.Sensitive = publish("hug", processing("dossier-patient", "Dossier patient informatisé", func(p map[string]any) {
		p["reference"] = "HUG-DPI-1"
		p["purpose"] = "Documenter la prise en charge des patients et patientes, coordonner les soins et facturer les prestations."
		p["description"] = "Le dossier réunit anamnèse, diagnostics, traitements, résultats d’examens et imagerie.\nIl est consulté par l’équipe soignante."
		p["public_summary"] = "Quand vous êtes soigné·e aux HUG, les informations sur votre santé sont enregistrées dans votre dossier pour que l’équipe puisse vous soigner en sécurité."
		p["controller"] = map[string]any{"name": "Hôpitaux universitaires de Genève", "contact": "dpo@hug.example.ch"}
		p["joint_controllers"] = []any{map[string]any{"name": "Clinique de Joli-Mont", "contact": "direction@jolimont.example.ch"}}
		p["processors"] = []any{map[string]any{"name": "Hébergeur Santé SA", "country": "CH", "contract": true},
			map[string]any{"name": "Imagerie Numérique SAS", "country": "FR", "contract": true}}
		p["legal_bases"] = []any{
			map[string]any{"type": "law", "reference": "Loi sur la santé (LS), K 1 03, art. 52", "url": "https://silgeneve.ch/legis/data/rsg_k1_03.htm", "level": "formal_law"},
			map[string]any{"type": "public_task", "reference": "Loi sur les établissements publics médicaux (LEPM)", "level": "formal_law"},
		}
		p["data_subjects"] = []any{"patients et patientes", "proches aidants"}
		p["data_categories"] = []any{
			map[string]any{"name": "identité", "sensitive": false},
			map[string]any{"name": "santé", "sensitive": true},
			map[string]any{"name": "données génétiques", "sensitive": true},
		}
		p["sources"] = []any{"la personne concernée", "médecins traitants", "laboratoires"}
		p["recipients"] = []any{
			map[string]any{"name": "Équipe soignante", "type": "internal"},
			map[string]any{"name": "Assureurs-maladie (facturation)", "type": "third_party"},
		}
		p["transfers"] = []any{
			map[string]any{"country": "FR", "safeguard": "adequacy", "details": "lecture d’imagerie par un prestataire à Annemasse"},
			map[string]any{"country": "US", "safeguard": "scc", "details": "assistance technique du fournisseur du logiciel"},
		}
		p["accesses"] = []any{map[string]any{"institution": "Service du médecin cantonal", "legal_basis": "LS art. 13", "scope": "déclarations obligatoires"}}
		p["retention"] = map[string]any{"period": "P20Y", "trigger": "dernière consultation", "disposal": "archive"}
		p["security_measures"] = []any{map[string]any{"category": "access_control", "details": "rôles"},
			map[string]any{"category": "encryption_at_rest", "details": "AES"}, map[string]any{"category": "logging", "details": "journal"}}
		p["dpia"] = map[string]any{"required": true, "status": "done", "completed_on": "2026-01-15"}
	}))
	publish("hug", processing("recherche", "Biobanque et recherche clinique", func(p map[string]any) {
		p["purpose"] = "Conserver des échantillons biologiques et des données de santé pour des projets de recherche autorisés."
		p["legal_bases"] = []any{map[string]any{"type": "consent", "reference": "Loi relative à la recherche sur l’être humain (LRH), art. 16", "level": "formal_law"}}
		p["data_categories"] = []any{map[string]any{"name": "échantillons biologiques", "sensitive": true}}
		p["transfers"] = []any{map[string]any{"country": "DE", "safeguard": "adequacy", "details": "analyses génomiques"}}
		p["dpia"] = map[string]any{"required": true, "status": "in_progress"}
		p["profiling"] = true
	}))
	publish("etat-de-geneve", processing("ocpm", "Contrôle des habitants", func(p map[string]any) {
		p["reference"] = "OCPM-CH"
		p["purpose"] = "Tenir le registre cantonal des habitants : arrivées, départs, changements d’adresse et d’état civil."
		p["accesses"] = []any{
			map[string]any{"institution": "Communes genevoises", "legal_basis": "LaLEtr art. 5", "scope": "habitants de la commune"},
			map[string]any{"institution": "Police cantonale", "legal_basis": "LPol art. 21", "scope": "identification"},
		}
	}))
	publish("etat-de-geneve", processing("afc", "Impôts — taxation des personnes physiques", func(p map[string]any) {
		p["purpose"] = "Établir l’impôt cantonal et communal et l’impôt fédéral direct des personnes physiques."
		p["legal_bases"] = []any{map[string]any{"type": "legal_obligation", "reference": "Loi de procédure fiscale (LPFisc), D 3 17"}}
		p["automated_decision"] = true
		p["retention"] = map[string]any{"period": "P1Y6M", "trigger": "fin de la période fiscale", "disposal": "anonymise"}
	}))
	for i := 1; i <= Fillers; i++ {
		publish("etat-de-geneve", processing("ocpm", fmt.Sprintf("Autorisations de séjour, dossier n° %02d", i), func(p map[string]any) {
			p["reference"] = fmt.Sprintf("OCPM-SEJ-%02d", i)
			p["purpose"] = "Instruire les demandes d’autorisation de séjour et de travail."
		}))
	}

	// What must never be public: one processing in each other state.
	f.Hidden["draft"] = create("ville-de-geneve", processing("etat-civil", "Brouillon jamais publié", nil))
	f.Hidden["in_review"] = create("ville-de-geneve", processing("etat-civil", "En cours de relecture", nil))
	steps("ville-de-geneve", f.Hidden["in_review"], "submit")
	f.Hidden["archived"] = create("hug", processing("recherche", "Ancienne étude archivée", nil))
	steps("hug", f.Hidden["archived"], "submit", "publish", "archive")
	return f
}
