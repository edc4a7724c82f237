package apitest

import (
	"github.com/registre/registre/auth"
)

// Seed creates organisation org with units "etat-civil" and "informatique"
// through the API, as an admin.
func (e *Env) Seed(org string) {
	e.T.Helper()
	admin := e.Token(auth.RoleAdmin, "")
	e.Must(201, "POST", "/api/v1/organisations", admin, map[string]any{
		"slug": org, "name": "Ville de " + org, "address": "Rue du Stand 1, 1204 Genève",
		"website": "https://www.example.ch", "dpo_contact": "dpo@" + org + ".example.ch",
		"lipad_contact": "lipad@" + org + ".example.ch"})
	for _, u := range []string{"etat-civil", "informatique"} {
		e.Must(201, "POST", "/api/v1/organisations/"+org+"/units", admin, map[string]any{"slug": u, "name": "Service " + u})
	}
}

// Complete returns a processing body with every item the law requires, so
// that it can be published. Change fields to test a rule.
func Complete(unit, title string) map[string]any {
	return map[string]any{
		"unit":           unit,
		"reference":      "",
		"title":          title,
		"purpose":        "Tenir le registre des naissances de la commune.",
		"description":    "Inscription des naissances annoncées par les maternités.",
		"public_summary": "Nous enregistrons les naissances pour établir les actes d'état civil.",
		"controller":     map[string]any{"name": "Service de l'état civil", "contact": "etat-civil@example.ch"},
		"legal_bases":    []any{map[string]any{"type": "law", "reference": "Ordonnance sur l'état civil (OEC), RS 211.112.2", "url": "https://www.fedlex.admin.ch/eli/cc/2004/118/fr"}},
		"data_subjects":  []any{"nouveau-nés", "parents"},
		"data_categories": []any{
			map[string]any{"name": "identité", "sensitive": false},
			map[string]any{"name": "filiation", "sensitive": false},
		},
		"sources":           []any{"maternités"},
		"recipients":        []any{map[string]any{"name": "Office cantonal de la population", "type": "public_body"}},
		"transfers":         []any{},
		"accesses":          []any{map[string]any{"institution": "Office cantonal de la population", "legal_basis": "LIPAD art. 39", "scope": "lecture"}},
		"retention":         map[string]any{"period": "P150Y", "trigger": "inscription", "disposal": "archive"},
		"security_measures": []any{map[string]any{"category": "access_control", "details": "rôles"}},
		"dpia":              map[string]any{"required": false, "status": "not_needed"},
		"review_due":        "2099-06-30",
		"internal_notes":    "",
	}
}
