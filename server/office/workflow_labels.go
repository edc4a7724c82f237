package office

// workflowLabels are the words of the workflow's pages: the record's
// actions, the confirmation pages, the banners, the review page and the
// history's groups of saves.
func workflowLabels() map[string]text {
	return map[string]text{
		"wf.actions.title": {"Ce que vous pouvez faire", "What you can do"},
		"wf.warning":       {"Attention\u00a0: ", "Warning: "},
		"wf.cancel":        {"Annuler et revenir à la fiche", "Cancel and go back to the record"},
		"wf.reload":        {"Recharger cette page avec la version actuelle", "Reload this page with the current version"},
		"wf.back":          {"Revenir à la fiche", "Go back to the record"},

		"wf.review.link":     {"Relire les changements", "Review the changes"},
		"wf.review.describe": {"Les champs modifiés depuis la version publiée, puis renvoyer ou publier.", "The fields changed since the published version, then return or publish."},

		"wf.submit.link":         {"Soumettre pour revue", "Submit for review"},
		"wf.submit.describe":     {"Le ou la DPO le relit, puis le publie ou vous le renvoie.", "The DPO reviews it, then publishes it or returns it to you."},
		"wf.submit.title":        {"Soumettre ce traitement pour revue\u00a0?", "Submit this processing for review?"},
		"wf.submit.consequence":  {"Le ou la DPO le verra dans «\u00a0en attente de ma revue\u00a0». Jusqu’à ce qu’il ou elle le renvoie ou le publie, les rédacteurs ne peuvent plus le modifier.", "The data protection officer will see it in “waiting for my review”. Until they return or publish it, editors can no longer change it."},
		"wf.submit.button":       {"Soumettre pour revue", "Submit for review"},
		"wf.return.link":         {"Renvoyer pour correction", "Return for correction"},
		"wf.return.describe":     {"Le traitement redevient un brouillon\u00a0; le rédacteur ou la rédactrice voit votre commentaire.", "The processing becomes a draft again; the editor sees your comment."},
		"wf.return.title":        {"Renvoyer ce traitement pour correction\u00a0?", "Return this processing for correction?"},
		"wf.return.consequence":  {"Le rédacteur ou la rédactrice verra votre commentaire, sur la fiche et dans «\u00a0renvoyés vers moi\u00a0». Le traitement redevient un brouillon.", "The editor will see your comment, on the record and in “returned to me”. The processing becomes a draft again."},
		"wf.return.button":       {"Renvoyer pour correction", "Return for correction"},
		"wf.publish.link":        {"Publier", "Publish"},
		"wf.publish.describe":    {"Cette version paraît au registre public.", "This version goes on the public register."},
		"wf.publish.title":       {"Publier ce traitement\u00a0?", "Publish this processing?"},
		"wf.publish.consequence": {"Le public verra cette version sur le registre public et dans les données ouvertes.", "The public will see this version on the public register and in the open data."},
		"wf.publish.replaces":    {"La version %d remplacera la version %d, publiée aujourd’hui.", "Version %d will replace version %d, published now."},
		"wf.publish.button":      {"Publier cette version", "Publish this version"},
		"wf.archive.link":        {"Archiver", "Archive"},
		"wf.archive.describe":    {"Le traitement quitte le registre public.", "The processing leaves the public register."},
		"wf.archive.title":       {"Archiver ce traitement\u00a0?", "Archive this processing?"},
		"wf.archive.consequence": {"Le traitement quitte le registre public\u00a0; son adresse dira qu’il a pris fin.", "The processing leaves the public register; its URL will say it ended."},
		"wf.archive.button":      {"Archiver ce traitement", "Archive this processing"},
		"wf.delete.link":         {"Supprimer le brouillon", "Delete the draft"},
		"wf.delete.describe":     {"Pour un brouillon jamais publié\u00a0; définitif.", "For a draft never published; for good."},
		"wf.delete.title":        {"Supprimer ce brouillon\u00a0?", "Delete this draft?"},
		"wf.delete.consequence":  {"Le brouillon et ses versions seront supprimés définitivement. Cela ne peut pas être annulé.", "The draft and its versions are deleted for good. This cannot be undone."},
		"wf.delete.button":       {"Supprimer définitivement", "Delete for good"},

		"wf.comment.label":      {"Commentaire pour le rédacteur ou la rédactrice", "Comment for the editor"},
		"wf.comment.hint":       {"Facultatif. Dites ce qu’il faut corriger\u00a0; il ou elle le lira sur la fiche.", "Optional. Say what needs fixing; they will read it on the record."},
		"wf.error.comment.long": {"Le commentaire doit compter au plus 2000 caractères", "The comment must be at most 2000 characters long"},
		"wf.error.comment.bad":  {"Le commentaire contient des caractères non admis (caractères de contrôle)", "The comment holds characters that are not allowed (control characters)"},

		"wf.problem.stale":   {"Quelqu’un a modifié ce traitement depuis que vous avez ouvert cette page. Rien n’a été fait\u00a0: relisez-le avant de continuer.", "Someone changed this processing since you opened this page. Nothing was done: read it again before you go on."},
		"wf.problem.state":   {"Ce traitement est maintenant «\u00a0%s\u00a0»\u00a0: cette étape n’est pas possible. Rien n’a été fait.", "This processing is now “%s”: this step is not possible. Nothing was done."},
		"wf.problem.blocked": {"Cette version ne peut pas être publiée\u00a0: des points bloquants doivent d’abord être corrigés.", "This version cannot be published: blocking findings must be fixed first."},
		"wf.problem.invalid": {"Le commentaire ne peut pas être enregistré", "The comment cannot be saved"},
		"wf.blocked.what":    {"Renvoyez-le pour correction, ou corrigez ces points puis soumettez-le à nouveau.", "Return it for correction, or fix these findings and submit it again."},

		"wf.done.submitted.title": {"Soumis", "Submitted"},
		"wf.done.submitted":       {"Le traitement attend la revue du ou de la DPO.", "The processing is waiting for the DPO’s review."},
		"wf.done.returned.title":  {"Renvoyé", "Returned"},
		"wf.done.returned":        {"Le rédacteur ou la rédactrice verra votre commentaire.", "The editor will see your comment."},
		"wf.done.published.title": {"Publié", "Published"},
		"wf.done.published":       {"La version %d est au registre public.", "Version %d is on the public register."},
		"wf.done.published.link":  {"Voir la page publique", "See the public page"},
		"wf.done.archived.title":  {"Archivé", "Archived"},
		"wf.done.archived":        {"Le traitement a quitté le registre public\u00a0; son adresse dit qu’il a pris fin.", "The processing has left the public register; its URL says it ended."},
		"wf.done.archived.link":   {"Voir son adresse publique", "See its public URL"},
		"wf.done.deleted.title":   {"Supprimé", "Deleted"},
		"wf.done.deleted":         {"Le brouillon et ses versions ont été supprimés définitivement.", "The draft and its versions were deleted for good."},

		"review.title":         {"Revue", "Review"},
		"review.never":         {"Jamais publié\u00a0: tous les champs sont nouveaux.", "Never published: every field is new."},
		"review.since":         {"Comparé à la version %d, la version publiée.", "Compared with version %d, the published version."},
		"review.changed.one":   {"%d champ modifié depuis la version publiée", "%d field changed since the published version"},
		"review.changed.many":  {"%d champs modifiés depuis la version publiée", "%d fields changed since the published version"},
		"review.changed.none":  {"Aucun champ modifié depuis la version publiée.", "No field changed since the published version."},
		"review.mark.changed":  {"modifié", "changed"},
		"review.mark.new":      {"nouveau", "new"},
		"review.section.marks": {"%d modifié(s)", "%d changed"},
		"review.before":        {"Version publiée (%d)", "Published version (%d)"},
		"review.after":         {"Cette version (%d)", "This version (%d)"},
		"review.decide":        {"Votre décision", "Your decision"},
		"review.notyet":        {"Ce traitement n’est pas en revue\u00a0: il n’y a rien à décider.", "This processing is not in review: there is nothing to decide."},

		"list.return.comment": {"Commentaire", "Comment"},

		"history.group":       {"%d enregistrements par %s, %s", "%d saves by %s, %s"},
		"history.group.which": {"Versions enregistrées", "Versions saved"},
	}
}
