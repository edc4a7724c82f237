package reports

import (
	vocabulary "github.com/registre/registre/labels"
	"github.com/registre/registre/register"
)

// labels is every fixed word a document prints, in one language. Both
// languages are in this file, side by side in fr and en, so that a label
// added to one is seen missing from the other (the golden tests print every
// label in both languages).
type labels struct {
	lang     Lang
	pdfLang  string // the PDF /Lang entry
	colon    string // "\u00a0: " in French, ": " in English
	yes, no  string
	page     string // "page %d sur %d"
	months   [12]string
	firstDay string // "1er" in French

	noticeTitle, noticeShort, preview, previewShort, reference, version       string
	publishedOn, asOf                                                         string
	inShort, whoResponsible, controller, jointControllers, organisation       string
	address, website, dpoContact, lipadContact, notStated                     string
	why, purpose, description                                                 string
	legal, noLegal, legalLink                                                 string
	whose, whatData, sensitive, sensitiveNote, sources                        string
	recipients, processors, accesses, accessBasis, accessScope                string
	transfers, noTransfers, safeguard                                         string
	abroadParty, abroadUnlisted, copySafeguards, processorWord, recipientWord string
	recipientCertified                                                        string
	retention, period, trigger, afterwards                                    string
	automated, automatedDecision, profiling                                   string
	autoYes, autoNo, profYes, profNo                                          string
	dpia, dpiaDone, dpiaDoneOn, dpiaInProgress, dpiaToDo, dpiaNotNeeded       string
	security, securityIntro, noSecurity                                       string
	rights, rightsText, howAccess, answer30, complaint, lipadMissing          string
	about, versionLine, previewLine, onlinePage, pdfHere, pdfOther            string
	none, unknown                                                             string
	logRecord, logText                                                        string

	// issue 14: what the notice tells people
	transparencyContact, consentWithdraw, provisionTitle, consequences string
	criteria, purgeFrequency, schedule, perCategory, decisionLogic     string
	dpiaCriteria, dpiaResidualHigh, dpiaConsulted, infoExceptionTitle  string

	registerTitle, registerKind, registerCount1, registerCountN, registerAsOf string
	contents, contacts, registerIntro, registerOnline, registerEmpty          string

	reportTitle, reportInternal, internalShort, reportDate, summary, processingsExamined string
	complete, completeness, errorsLabel, warningsLabel, byLaw, byProcessing              string
	noFindings, overdue, reviewDue, sensitiveDPIA, dpiaStatus, dpiaRef                   string
	recent, chain, chainOK, chainBad, chainHead, colAt, colActor                         string
	colAction, colTarget, colVersion, status, field, laws, noneOverdue                   string
	articlesWord, overruled                                                              string
	noneSensitive, noneRecent, findingsCount                                             string
	chainOKBrief, chainBadBrief, moreProcessings                                         string

	basis      map[register.LegalBasisType]string
	recipient  map[register.RecipientType]string
	safeguards map[register.Safeguard]string
	disposal   map[register.Disposal]string
	measures   map[register.SecurityCategory]string
	dpiaState  map[register.DPIAStatus]string
	criterion  map[register.DPIACriterion]string
	authority  map[register.Authority]string
	provision  map[register.Provision]string
	infoExc    map[register.InfoException]string
	statuses   map[register.Status]string
	severity   map[register.Severity]string
	lawNames   map[string]string
	rules      map[string]string // rule id -> message; English uses the finding's own

	// units of a duration: singular, plural
	years, months2, weeks, days, hours, minutes, seconds [2]string
	and                                                  string
}

// labelsFor returns the table of l, built afresh: tables are small and
// documents must not share mutable state.
func labelsFor(l Lang) *labels {
	t := fr()
	if l == English {
		t = en()
	}
	// The words of the enumerations are the register's one vocabulary,
	// shared with the public pages (package labels).
	v := vocabulary.New()
	t.basis = vocabulary.Map[register.LegalBasisType](v, l, vocabulary.Basis)
	t.recipient = vocabulary.Map[register.RecipientType](v, l, vocabulary.Recipient)
	t.safeguards = vocabulary.Map[register.Safeguard](v, l, vocabulary.Safeguard)
	t.disposal = vocabulary.Map[register.Disposal](v, l, vocabulary.Disposal)
	t.measures = vocabulary.Map[register.SecurityCategory](v, l, vocabulary.Security)
	t.dpiaState = vocabulary.Map[register.DPIAStatus](v, l, vocabulary.DPIA)
	t.statuses = vocabulary.Map[register.Status](v, l, vocabulary.Status)
	t.severity = vocabulary.Map[register.Severity](v, l, vocabulary.Severity)
	t.criterion = vocabulary.Map[register.DPIACriterion](v, l, vocabulary.Criterion)
	t.authority = vocabulary.Map[register.Authority](v, l, vocabulary.Authority)
	t.provision = vocabulary.Map[register.Provision](v, l, vocabulary.Provision)
	t.infoExc = vocabulary.Map[register.InfoException](v, l, vocabulary.Exception)
	return t
}

func fr() *labels {
	return &labels{
		lang: French, pdfLang: "fr-CH", colon: "\u00a0: ", yes: "Oui", no: "Non",
		page:     "page %d sur %d",
		months:   [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		firstDay: "1er",

		noticeTitle:        "Notice d’information sur le traitement de données personnelles",
		noticeShort:        "Notice d’information",
		preview:            "APERÇU — version de travail, pas forcément publiée. Ce document n’est pas la notice officielle.",
		previewShort:       "Aperçu",
		reference:          "Référence",
		version:            "Version",
		publishedOn:        "publiée le %s",
		asOf:               "état au %s",
		inShort:            "En bref",
		whoResponsible:     "Qui est responsable\u00a0?",
		controller:         "Responsable du traitement",
		jointControllers:   "Responsables conjoints",
		organisation:       "Organisation",
		address:            "Adresse",
		website:            "Site web",
		dpoContact:         "Protection des données",
		lipadContact:       "Demandes d’accès (LIPAD)",
		notStated:          "non indiqué",
		why:                "Pourquoi ces données sont-elles traitées\u00a0?",
		purpose:            "Finalité",
		description:        "Description",
		legal:              "Sur quelle base légale\u00a0?",
		noLegal:            "Aucune base légale n’est indiquée.",
		legalLink:          "texte",
		whose:              "Quelles personnes sont concernées\u00a0?",
		whatData:           "Quelles données sont traitées\u00a0?",
		sensitive:          "donnée sensible",
		sensitiveNote:      "Les données sensibles (par exemple la santé, les opinions, l’aide sociale, les poursuites pénales) bénéficient d’une protection renforcée.",
		sources:            "D’où viennent les données\u00a0?",
		recipients:         "Qui reçoit les données\u00a0?",
		processors:         "Sous-traitants (traitent les données pour le compte du responsable)",
		accesses:           "Accès accordés à d’autres institutions",
		accessBasis:        "base légale",
		accessScope:        "étendue",
		transfers:          "Les données sont-elles communiquées à l’étranger\u00a0?",
		noTransfers:        "Non. Les données ne sont pas communiquées à l’étranger.",
		abroadParty:        "%s (%s) se trouve à l’étranger",
		abroadUnlisted:     "garantie non indiquée dans ce registre",
		copySafeguards:     "Vous pouvez obtenir une copie des garanties qui protègent ces données à l’étranger en le demandant au responsable du traitement (coordonnées ci-dessus).",
		processorWord:      "sous-traitant",
		recipientCertified: "le destinataire est couvert par la décision d’adéquation partielle (par exemple certifié)",
		recipientWord:      "destinataire",
		safeguard:          "garantie",
		retention:          "Combien de temps les données sont-elles conservées\u00a0?",
		period:             "Durée",
		trigger:            "À compter de",
		afterwards:         "Ensuite",

		automated:         "Décisions automatisées et profilage",
		automatedDecision: "Décision automatisée",
		profiling:         "Profilage",
		autoYes:           "Oui. Certaines décisions vous concernant sont prises uniquement par un système informatique. Vous pouvez faire valoir votre point de vue et demander qu’une personne réexamine la décision.",
		autoNo:            "Non. Aucune décision vous concernant n’est prise uniquement par un système informatique.",
		profYes:           "Oui. Vos données servent à évaluer automatiquement certains aspects de votre personne.",
		profNo:            "Non. Vos données ne servent pas à évaluer automatiquement des aspects de votre personne.",
		dpia:              "Analyse d’impact",
		dpiaDone:          "Une analyse d’impact relative à la protection des données a été réalisée.",
		dpiaDoneOn:        "Une analyse d’impact relative à la protection des données a été réalisée le %s.",
		dpiaInProgress:    "Une analyse d’impact relative à la protection des données est en cours.",
		dpiaToDo:          "Une analyse d’impact relative à la protection des données est nécessaire\u00a0; elle n’a pas encore commencé.",
		dpiaNotNeeded:     "Aucune analyse d’impact n’est nécessaire\u00a0: le traitement ne présente pas de risque élevé pour vos droits.",
		security:          "Comment les données sont-elles protégées\u00a0?",
		securityIntro:     "Mesures en place (leur détail n’est pas publié, pour ne pas affaiblir la sécurité)",
		noSecurity:        "Aucune mesure n’est indiquée.",
		rights:            "Vos droits",
		rightsText:        "Vous pouvez demander si des données vous concernant sont traitées et en obtenir une copie (droit d’accès), les faire rectifier si elles sont inexactes et, selon les cas, demander leur effacement ou vous opposer à leur traitement.",
		howAccess:         "Adressez votre demande à",
		answer30:          "L’organisation vous répond dans un délai de 30 jours.",
		complaint:         "Si la réponse ne vous satisfait pas, ou si vous pensez que vos données sont mal traitées, vous pouvez vous adresser au Préposé cantonal à la protection des données et à la transparence (PPDT), à Genève.",
		lipadMissing:      "contact non indiqué\u00a0: adressez-vous à l’organisation",
		about:             "À propos de ce document",
		versionLine:       "Version %d, publiée le %s.",
		previewLine:       "Version de travail %d, état au %s. Aperçu\u00a0: la version publiée peut être différente.",
		onlinePage:        "Page en ligne",
		pdfHere:           "Cette notice (PDF)",
		pdfOther:          "This notice in English (PDF)",
		logRecord:         "Inscription au journal",
		logText:           "Inscrit au journal de transparence sous le n°\u00a0%d\u00a0; empreinte SHA-256 du JSON publié\u00a0:",
		none:              "Aucun.",
		unknown:           "Non indiqué.",

		transparencyContact: "Accès aux documents officiels (transparence)",
		consentWithdraw:     "Lorsque le traitement repose sur votre consentement, vous pouvez le retirer à tout moment, sans effet sur ce qui a été fait avant le retrait.",
		provisionTitle:      "Devez-vous fournir ces données\u00a0?",
		consequences:        "Si vous ne les fournissez pas",
		criteria:            "Critères",
		purgeFrequency:      "Épuration",
		schedule:            "Calendrier de conservation",
		perCategory:         "Par catégorie de données",
		decisionLogic:       "Logique de la décision",
		dpiaCriteria:        "Une analyse d’impact est nécessaire parce que le traitement comporte\u00a0: %s.",
		dpiaResidualHigh:    "Après les mesures prévues, un risque élevé subsiste pour vos droits.",
		dpiaConsulted:       "L’autorité de surveillance a été consultée avant le traitement\u00a0: %s, le %s.",
		infoExceptionTitle:  "Information des personnes concernées",

		registerTitle:  "Registre des traitements de données personnelles",
		registerKind:   "Registre public",
		registerCount1: "%d traitement publié",
		registerCountN: "%d traitements publiés",
		registerAsOf:   "État au %s",
		contents:       "Table des matières",
		contacts:       "Contacts",
		registerIntro:  "Ce registre présente chaque traitement de données personnelles publié par l’organisation\u00a0: qui en est responsable, pourquoi et sur quelle base les données sont traitées, qui les reçoit, combien de temps elles sont conservées et comment vous pouvez exercer vos droits.",
		registerOnline: "Ce registre en ligne (PDF)",
		registerEmpty:  "Aucun traitement n’est publié.",

		reportTitle:         "Rapport de conformité",
		reportInternal:      "Document interne\u00a0: contient des informations qui ne sont pas publiques.",
		internalShort:       "document interne",
		reportDate:          "Établi le %s",
		summary:             "Synthèse",
		processingsExamined: "Traitements examinés (hors archivés)",
		complete:            "Traitements complets (sans point bloquant)",
		completeness:        "Complétude des éléments exigés",
		errorsLabel:         "Points bloquants",
		warningsLabel:       "Avertissements",
		byLaw:               "Constats par texte",
		byProcessing:        "Constats par traitement",
		noFindings:          "Aucun constat.",
		overdue:             "Révisions en retard",
		reviewDue:           "révision prévue le",
		sensitiveDPIA:       "Données sensibles et analyses d’impact",
		dpiaStatus:          "analyse d’impact",
		dpiaRef:             "réf.",
		recent:              "Modifications récentes (piste d’audit)",
		chain:               "Intégrité de la piste d’audit",
		chainOK:             "Chaîne intègre\u00a0: %d entrées vérifiées.",
		chainBad:            "Chaîne ROMPUE à l’entrée n° %d\u00a0: %s",
		chainHead:           "Tête de chaîne",
		colAt:               "Date",
		colActor:            "Auteur",
		colAction:           "Action",
		colTarget:           "Objet",
		colVersion:          "Version",
		status:              "état",
		field:               "champ",
		articlesWord:        "articles",
		overruled:           "levé par %s le %s : %s",
		laws:                "textes",
		noneOverdue:         "Aucune révision en retard.",
		noneSensitive:       "Aucun traitement de données sensibles.",
		noneRecent:          "Aucune modification.",
		findingsCount:       "%d bloquant(s), %d avertissement(s)",
		chainOKBrief:        "Chaîne intègre\u00a0: toute la piste d’audit a été vérifiée.",
		chainBadBrief:       "Chaîne ROMPUE\u00a0: un administrateur en connaît le détail.",
		moreProcessings:     "… et %d autre(s) traitement(s), non détaillé(s) ici\u00a0: la liste complète des constats est dans l’API (GET /api/v1/compliance).",

		lawNames: map[string]string{
			register.LawGDPR30: "RGPD art. 30 (registre)", register.LawFADP12: "LPD art. 12 (registre)",
			register.LawLIPAD43: "LIPAD art. 43 (catalogue des fichiers)", register.LawNotice: "Devoir d’informer (RGPD art. 13/14, LPD art. 19)",
			register.LawGDPR6: "RGPD art. 6 (licéité)", register.LawGDPR22: "RGPD art. 22 (décisions automatisées)",
			register.LawFADP21: "LPD art. 21 (décisions automatisées)", register.LawGDPR35: "RGPD art. 35 (analyse d’impact)",
			register.LawFADP22: "LPD art. 22 (analyse d’impact)", register.LawGDPR44: "RGPD art. 44 (transferts)",
			register.LawFADP16: "LPD art. 16 (communication à l’étranger)", register.LawGDPR5: "RGPD art. 5 (responsabilité)",
			register.LawGDPR9: "RGPD art. 9 (données sensibles)", register.LawGDPR28: "RGPD art. 28 (sous-traitant)",
			register.LawFADP9: "LPD art. 9 (sous-traitance)", register.LawFADP34: "LPD art. 34 (bases légales)",
			register.LawLIPAD35: "LIPAD art. 35 (licéité)", register.LawLIPAD39: "LIPAD art. 39 (communication)",
			register.LawPolicy: "Règle du registre (bonne pratique)",
			register.LawGDPR36: "RGPD art. 36 (consultation préalable)", register.LawFADP23: "LPD art. 23 (consultation du PFPDT)",
			register.LawFADP20: "LPD art. 20 (exceptions au devoir d’informer)",
		},
		rules: map[string]string{
			"controller":              "nommer le responsable du traitement",
			"controller-contact":      "indiquer les coordonnées du responsable",
			"purpose":                 "indiquer la finalité du traitement",
			"data-subjects":           "indiquer les catégories de personnes concernées",
			"data-categories":         "indiquer les catégories de données personnelles",
			"legal-basis":             "indiquer au moins une base légale",
			"legal-basis-reference":   "chaque base légale d’un organe public cite la norme sur laquelle elle repose",
			"formal-law-basis":        "les données sensibles et le profilage exigent une base dans une loi au sens formel",
			"processor-contract":      "un sous-traitant travaille sous contrat (ou en vertu d’une loi) : le signer avant de publier",
			"transfer-details":        "indiquer le traité, les garanties, le consentement ou l’exception sur lesquels repose le transfert",
			"abroad-without-transfer": "un sous-traitant ou un destinataire à l’étranger reçoit les données : indiquer le transfert et sa garantie",
			"common-identifier":       "un identifiant personnel commun (p. ex. le numéro AVS) est utilisé : vérifier qu’une loi l’institue",
			"retention":               "indiquer la durée de conservation\u00a0: une durée, ou les critères qui la fixent",
			"retention-category":      "une conservation par catégorie nomme une catégorie de données du traitement et indique sa durée ou ses critères",
			"dpia-required":           "un critère de la liste rend l’analyse d’impact nécessaire\u00a0: la terminer avant de publier",
			"dpia-consultation":       "l’analyse d’impact laisse un risque élevé\u00a0: consulter l’autorité (PFPDT, ou le préposé cantonal pour un organe genevois) avant le traitement et en indiquer la date",
			"dpia-required-mismatch":  "dpia.required contredit les critères\u00a0: les critères l’emportent",
			"sources":                 "indiquer d’où viennent les données\u00a0: la personne, ou les autres sources lorsqu’elles ne sont pas collectées auprès d’elle",
			"information-exception":   "une exception au devoir d’informer est invoquée\u00a0: en dire la raison en termes clairs",
			"security-measures":       "décrire les mesures de sécurité",
			"recipients":              "indiquer les destinataires (y compris internes)",
			"transfer-safeguard":      "un transfert à l’étranger doit indiquer sa garantie",
			"public-summary":          "rédiger un résumé en langage clair pour le public (règle du registre, pas une obligation légale)",
			"lipad-contact":           "l’organisation doit indiquer qui répond aux demandes d’accès LIPAD",
			"transfer-no-safeguard":   "un transfert à l’étranger sans aucune garantie n’est pas permis",
			"transfer-not-adequate":   "le registre invoque l’adéquation pour un pays qui n’en bénéficie pas (ou seulement en partie, sans que le destinataire soit dit couvert)",
			"automated-decision":      "les décisions individuelles automatisées sont annoncées avec leur logique en termes clairs et le droit d’être entendu par une personne",
			"profiling":               "le profilage exige une base légale claire et, en général, une analyse d’impact",
			"public-task-basis":       "le consentement ou l’intérêt légitime est rarement une base valable pour une tâche publique\u00a0; citer la loi",
			"review-overdue":          "la date de révision prévue est dépassée",
			"not-reviewed":            "le traitement n’a pas été révisé depuis plus d’un an",
		},

		years: [2]string{"an", "ans"}, months2: [2]string{"mois", "mois"}, weeks: [2]string{"semaine", "semaines"},
		days: [2]string{"jour", "jours"}, hours: [2]string{"heure", "heures"}, minutes: [2]string{"minute", "minutes"},
		seconds: [2]string{"seconde", "secondes"}, and: "et",
	}
}

func en() *labels {
	return &labels{
		lang: English, pdfLang: "en", colon: ": ", yes: "Yes", no: "No",
		page:   "page %d of %d",
		months: [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},

		noticeTitle:        "Information notice on the processing of personal data",
		noticeShort:        "Information notice",
		preview:            "PREVIEW — working version, not necessarily published. This document is not the official notice.",
		previewShort:       "Preview",
		reference:          "Reference",
		version:            "Version",
		publishedOn:        "published on %s",
		asOf:               "as of %s",
		inShort:            "In short",
		whoResponsible:     "Who is responsible?",
		controller:         "Controller",
		jointControllers:   "Joint controllers",
		organisation:       "Organisation",
		address:            "Address",
		website:            "Website",
		dpoContact:         "Data protection",
		lipadContact:       "Access requests (LIPAD)",
		notStated:          "not stated",
		why:                "Why are these data processed?",
		purpose:            "Purpose",
		description:        "Description",
		legal:              "On what legal basis?",
		noLegal:            "No legal basis is stated.",
		legalLink:          "text",
		whose:              "Whose data are processed?",
		whatData:           "Which data are processed?",
		sensitive:          "sensitive data",
		sensitiveNote:      "Sensitive data (for example health, opinions, social assistance, criminal proceedings) receive stronger protection.",
		sources:            "Where do the data come from?",
		recipients:         "Who receives the data?",
		processors:         "Processors (process the data on behalf of the controller)",
		accesses:           "Access granted to other institutions",
		accessBasis:        "legal basis",
		accessScope:        "scope",
		transfers:          "Are the data disclosed abroad?",
		noTransfers:        "No. The data are not disclosed abroad.",
		abroadParty:        "%s (%s) is located abroad",
		abroadUnlisted:     "safeguard not stated in this register",
		copySafeguards:     "You can obtain a copy of the safeguards that protect these data abroad by asking the controller (contact details above).",
		processorWord:      "processor",
		recipientCertified: "the recipient is covered by the partial adequacy decision (for instance certified)",
		recipientWord:      "recipient",
		safeguard:          "safeguard",
		retention:          "How long are the data kept?",
		period:             "Period",
		trigger:            "Starting from",
		afterwards:         "Afterwards",

		automated:         "Automated decisions and profiling",
		automatedDecision: "Automated decision",
		profiling:         "Profiling",
		autoYes:           "Yes. Some decisions about you are taken by a computer system alone. You may state your point of view and ask for a person to review the decision.",
		autoNo:            "No. No decision about you is taken by a computer system alone.",
		profYes:           "Yes. Your data are used to evaluate certain personal aspects of you automatically.",
		profNo:            "No. Your data are not used to evaluate personal aspects of you automatically.",
		dpia:              "Impact assessment",
		dpiaDone:          "A data protection impact assessment was carried out.",
		dpiaDoneOn:        "A data protection impact assessment was carried out on %s.",
		dpiaInProgress:    "A data protection impact assessment is in progress.",
		dpiaToDo:          "A data protection impact assessment is required; it has not started yet.",
		dpiaNotNeeded:     "No impact assessment is needed: the processing does not present a high risk to your rights.",
		security:          "How are the data protected?",
		securityIntro:     "Measures in place (their details are not published, so as not to weaken security)",
		noSecurity:        "No measure is stated.",
		rights:            "Your rights",
		rightsText:        "You may ask whether data about you are processed and get a copy of them (right of access), have them corrected if they are wrong and, depending on the case, ask for their deletion or object to their processing.",
		howAccess:         "Send your request to",
		answer30:          "The organisation answers within 30 days.",
		complaint:         "If you are not satisfied with the answer, or think that your data are mishandled, you may turn to the cantonal data protection and transparency commissioner (Préposé cantonal à la protection des données et à la transparence, PPDT), Geneva.",
		lipadMissing:      "contact not stated: write to the organisation",
		about:             "About this document",
		versionLine:       "Version %d, published on %s.",
		previewLine:       "Working version %d, as of %s. Preview: the published version may differ.",
		onlinePage:        "Online page",
		pdfHere:           "This notice (PDF)",
		pdfOther:          "Cette notice en français (PDF)",
		logRecord:         "Publication record",
		logText:           "Recorded in the transparency log as no. %d; SHA-256 fingerprint of the published JSON:",
		none:              "None.",
		unknown:           "Not stated.",

		transparencyContact: "Access to official documents (transparency)",
		consentWithdraw:     "Where the processing rests on your consent, you may withdraw it at any time; this does not affect what was done before.",
		provisionTitle:      "Must you provide these data?",
		consequences:        "If you do not provide them",
		criteria:            "Criteria",
		purgeFrequency:      "Purge",
		schedule:            "Retention schedule",
		perCategory:         "By category of data",
		decisionLogic:       "Logic of the decision",
		dpiaCriteria:        "An impact assessment is required because the processing involves %s.",
		dpiaResidualHigh:    "After the planned measures, a high risk to your rights remains.",
		dpiaConsulted:       "The supervisory authority was consulted before the processing: %s, on %s.",
		infoExceptionTitle:  "Information of the people concerned",

		registerTitle:  "Register of personal data processing",
		registerKind:   "Public register",
		registerCount1: "%d published processing",
		registerCountN: "%d published processings",
		registerAsOf:   "As of %s",
		contents:       "Contents",
		contacts:       "Contacts",
		registerIntro:  "This register presents every processing of personal data the organisation has published: who is responsible for it, why and on what basis the data are processed, who receives them, how long they are kept and how you can exercise your rights.",
		registerOnline: "This register online (PDF)",
		registerEmpty:  "No processing is published.",

		reportTitle:         "Compliance report",
		reportInternal:      "Internal document: contains information that is not public.",
		internalShort:       "internal document",
		reportDate:          "Drawn up on %s",
		summary:             "Summary",
		processingsExamined: "Processings examined (archived ones excluded)",
		complete:            "Complete processings (no blocking finding)",
		completeness:        "Completeness of required items",
		errorsLabel:         "Blocking findings",
		warningsLabel:       "Warnings",
		byLaw:               "Findings by law",
		byProcessing:        "Findings by processing",
		noFindings:          "No finding.",
		overdue:             "Overdue reviews",
		reviewDue:           "review due on",
		sensitiveDPIA:       "Sensitive data and impact assessments",
		dpiaStatus:          "impact assessment",
		dpiaRef:             "ref.",
		recent:              "Recent changes (audit trail)",
		chain:               "Audit trail integrity",
		chainOK:             "Chain intact: %d entries verified.",
		chainBad:            "Chain BROKEN at entry %d: %s",
		chainHead:           "Chain head",
		colAt:               "Date",
		colActor:            "Actor",
		colAction:           "Action",
		colTarget:           "Target",
		colVersion:          "Version",
		status:              "status",
		field:               "field",
		articlesWord:        "articles",
		overruled:           "overruled by %s on %s: %s",
		laws:                "laws",
		noneOverdue:         "No overdue review.",
		noneSensitive:       "No processing of sensitive data.",
		noneRecent:          "No change.",
		findingsCount:       "%d blocking, %d warning(s)",
		chainOKBrief:        "Chain intact: the whole audit trail was verified.",
		chainBadBrief:       "Chain BROKEN: an administrator has the details.",
		moreProcessings:     "… and %d more processing(s), not detailed here: the complete findings are in the API (GET /api/v1/compliance).",

		lawNames: map[string]string{
			register.LawGDPR30: "GDPR Art. 30 (records)", register.LawFADP12: "FADP Art. 12 (records)",
			register.LawLIPAD43: "LIPAD art. 43 (catalogue of files)", register.LawNotice: "Duty to inform (GDPR Art. 13/14, FADP Art. 19)",
			register.LawGDPR6: "GDPR Art. 6 (lawfulness)", register.LawGDPR22: "GDPR Art. 22 (automated decisions)",
			register.LawFADP21: "FADP Art. 21 (automated decisions)", register.LawGDPR35: "GDPR Art. 35 (impact assessment)",
			register.LawFADP22: "FADP Art. 22 (impact assessment)", register.LawGDPR44: "GDPR Art. 44 (transfers)",
			register.LawFADP16: "FADP Art. 16 (disclosure abroad)", register.LawGDPR5: "GDPR Art. 5 (accountability)",
			register.LawGDPR9: "GDPR Art. 9 (special categories)", register.LawGDPR28: "GDPR Art. 28 (processor)",
			register.LawFADP9: "FADP Art. 9 (processors)", register.LawFADP34: "FADP Art. 34 (legal bases)",
			register.LawLIPAD35: "LIPAD art. 35 (lawfulness)", register.LawLIPAD39: "LIPAD art. 39 (communication)",
			register.LawPolicy: "Rule of this register (good practice)",
			register.LawGDPR36: "GDPR Art. 36 (prior consultation)", register.LawFADP23: "FADP Art. 23 (consulting the FDPIC)",
			register.LawFADP20: "FADP Art. 20 (exceptions to the duty to inform)",
		},

		years: [2]string{"year", "years"}, months2: [2]string{"month", "months"}, weeks: [2]string{"week", "weeks"},
		days: [2]string{"day", "days"}, hours: [2]string{"hour", "hours"}, minutes: [2]string{"minute", "minutes"},
		seconds: [2]string{"second", "seconds"}, and: "and",
	}
}
