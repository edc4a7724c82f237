package office

import "github.com/registre/registre/labels"

// text is a label in French and English.
type text struct{ fr, en string }

// labelTable is every word the back office prints, in one table so that a
// translation is never missing on one side (a test checks both sides). The
// words of each part are in their own function (labels_*.go), merged here;
// the words of enumeration values come from package labels, shared with the
// public pages and the PDF documents.
func labelTable() map[string]text {
	t := map[string]text{}
	for _, part := range []map[string]text{commonLabels(), sessionLabels(), pageLabels(), formLabels(), workflowLabels(), ssoLabels(), adminLabels(), overviewLabels(), importLabels(), modelLabels(), reviewsLabels(), reminderLabels(), myTasksLabels()} {
		for k, v := range part {
			if _, dup := t[k]; dup {
				panic("office: label " + k + " defined twice") // a programming error the tests catch
			}
			t[k] = v
		}
	}
	for kind, values := range labels.New().All() {
		for value, w := range values {
			if value != "" {
				t[kind+"."+value] = text{fr: w[labels.French], en: w[labels.English]}
			}
		}
	}
	return t
}

// commonLabels are the layout's and the error pages' words.
func commonLabels() map[string]text {
	return map[string]text{
		"site.name":             {"Registre — espace de gestion", "Registre — back office"},
		"skip":                  {"Aller au contenu", "Skip to content"},
		"nav.label":             {"Navigation de l’espace de gestion", "Back-office navigation"},
		"nav.register":          {"Registre des traitements", "Register of processing"},
		"nav.account":           {"Mon compte", "My account"},
		"nav.signout":           {"Se déconnecter", "Sign out"},
		"nav.public":            {"Registre public", "Public register"},
		"lang.switch":           {"English", "Français"},
		"signed.in.as":          {"Connecté·e en tant que %s (%s)", "Signed in as %s (%s)"},
		"colon":                 {"\u00a0: ", ": "},
		"yes":                   {"Oui", "Yes"},
		"no":                    {"Non", "No"},
		"error.title":           {"Une erreur est survenue", "Something went wrong"},
		"error.text":            {"La page n’a pas pu être affichée. Réessayez dans un moment ; si l’erreur persiste, signalez-la à l’administrateur.", "The page could not be shown. Try again in a moment; if the error persists, tell the administrator."},
		"error.notfound.title":  {"Page introuvable", "Page not found"},
		"error.notfound.text":   {"Cette page n’existe pas, ou vous n’avez pas le droit de la voir.", "This page does not exist, or you may not see it."},
		"error.forbidden.title": {"Action non autorisée", "Not allowed"},
		"error.forbidden.text":  {"Votre rôle ne permet pas cette action.", "Your role does not allow this action."},
		"error.bad.title":       {"Demande incorrecte", "Bad request"},
		"error.bad.text":        {"La demande n’a pas pu être comprise.", "The request could not be understood."},
		"error.busy.title":      {"Service occupé", "Service busy"},
		"error.busy.text":       {"Trop de demandes en ce moment. Réessayez dans un instant.", "Too many requests right now. Try again in a moment."},
		"error.back":            {"Retour au registre", "Back to the register"},
		"month.1":               {"janvier", "January"},
		"month.2":               {"février", "February"},
		"month.3":               {"mars", "March"},
		"month.4":               {"avril", "April"},
		"month.5":               {"mai", "May"},
		"month.6":               {"juin", "June"},
		"month.7":               {"juillet", "July"},
		"month.8":               {"août", "August"},
		"month.9":               {"septembre", "September"},
		"month.10":              {"octobre", "October"},
		"month.11":              {"novembre", "November"},
		"month.12":              {"décembre", "December"},
		"role.admin":            {"administrateur·rice", "administrator"},
		"role.dpo":              {"conseiller·ère à la protection des données", "data protection officer"},
		"role.editor":           {"rédacteur·rice", "editor"},
		"role.auditor":          {"auditeur·rice", "auditor"},
	}
}
