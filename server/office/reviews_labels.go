package office

// reviewsLabels are the words of ending a processing, per-field review
// comments, review campaigns and reminders (issue 20).
func reviewsLabels() map[string]text {
	return map[string]text{
		"f.planned_start":      {"Début prévu", "Planned start"},
		"h.planned_start":      {"Pour annoncer un traitement avant sa mise en œuvre (AAAA-MM-JJ). Jusqu’à ce jour, le registre public le montre comme prévu ; ensuite comme en vigueur. Laissez vide pour un traitement déjà en cours.", "To announce a processing before it starts (YYYY-MM-DD). Until that day the public register shows it as planned, then as in operation. Leave empty for a processing already running."},
		"notes.add":            {"Commenter ce champ", "Comment on this field"},
		"notes.label":          {"Votre commentaire sur « %s »", "Your comment on “%s”"},
		"notes.review.hint":    {"Vous pouvez aussi commenter chaque champ ci-dessus (« Commenter ce champ ») : le rédacteur verra vos commentaires à côté des champs.", "You may also comment on each field above (“Comment on this field”): the editor will see your comments beside the fields."},
		"notes.from.dpo":       {"Commentaire du conseiller à la protection des données", "Comment from the data protection officer"},
		"notes.error":          {"Un commentaire de champ doit compter au plus 1000 caractères, sans caractères de contrôle", "A field comment must be at most 1000 characters long, without control characters"},
		"notes.history":        {"Commentaires sur les champs", "Comments on fields"},
		"notes.history.return": {"Renvoi de la version %d, le %s", "Return of version %d, on %s"},
		"end.ended_on":         {"Date de fin", "End date"},
		"end.ended_on.hint":    {"Le jour où le traitement a pris fin ou prendra fin (AAAA-MM-JJ). Le journal de transparence enregistre le retrait à la date d’aujourd’hui.", "The day the processing ended or will end (YYYY-MM-DD). The transparency log records the withdrawal as of today."},
		"end.reason":           {"Motif public", "Public reason"},
		"end.reason.hint":      {"Une phrase courte, publiée à l’adresse du traitement (500 caractères au plus).", "A short sentence, published at the processing’s address (at most 500 characters)."},
		"end.error.ended_on":   {"Indiquez la date de fin au format AAAA-MM-JJ", "Enter the end date as YYYY-MM-DD"},
		"end.error.reason":     {"Indiquez un motif public de 500 caractères au plus, sans caractères de contrôle", "Enter a public reason of at most 500 characters, without control characters"},
		"end.pending":          {"La version %d, en cours de rédaction, ne sera pas publiée : elle reste dans l’historique.", "Version %d, still being drafted, will not be published: it stays in the history."},
	}
}
