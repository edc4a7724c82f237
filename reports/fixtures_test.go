package reports

import (
	"fmt"
	"time"

	"github.com/registre/registre/register"
)

// Fixed fixture data for the golden tests and benchmarks. Nothing here reads
// the clock: the documents must come out byte for byte the same.

var (
	fixedPublished = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	fixedReport    = time.Date(2026, 11, 20, 16, 0, 0, 0, time.UTC)
)

func fixtureOrg() *register.Organisation {
	return &register.Organisation{
		Slug:                "ville-de-geneve",
		Name:                "Ville de Genève",
		Address:             "Palais Eynard, rue de la Croix-Rouge 4, 1204 Genève",
		Website:             "https://www.geneve.ch",
		DPOContact:          "Conseillère à la protection des données, dpo@ville-ge.example.ch, 022 418 00 00",
		LIPADContact:        "Responsable LIPAD, Palais Eynard, 1204 Genève, lipad@ville-ge.example.ch",
		TransparencyContact: "Secrétariat général (documents officiels), transparence@ville-ge.example.ch",
	}
}

// fixtureRich has every block of a notice filled, with French typography
// (narrow no-break spaces, apostrophes, guillemets, œ, €) in the text.
func fixtureRich() *register.PublicProcessing {
	return &register.PublicProcessing{
		ID:            "0193a5b2-7c1d-7e00-8a11-4d2c9f0e1a01",
		Organisation:  "ville-de-geneve",
		Unit:          "action-sociale",
		Reference:     "VDG-SOC-012",
		Title:         "Allocations de rentrée scolaire « Coup d’pouce »",
		Purpose:       "Examiner les demandes d’allocation de rentrée scolaire, calculer le montant (jusqu’à 400\u202f€ par enfant) et verser l’aide aux familles\u202f; contrôler l’usage des fonds publics.",
		Description:   "Les dossiers sont déposés en ligne ou au guichet. Un calcul automatique propose le montant\u00a0; une collaboratrice ou un collaborateur valide chaque décision.",
		PublicSummary: "Nous traitons vos données pour décider si votre famille a droit à l’allocation de rentrée scolaire et pour vous la verser. Nous ne les utilisons à aucune autre fin.",
		Controller:    register.Party{Name: "Service social de la Ville de Genève", Contact: "Rue Dizerens 25, 1205 Genève, social@ville-ge.example.ch"},
		JointControllers: []register.Party{
			{Name: "Hospice général", Contact: "Cours de Rive 12, 1204 Genève"},
		},
		Processors: []register.PublicProcessor{
			{Name: "SITG Informatique SA", Country: "CH"},
			{Name: "Nuage Œuvre SAS", Country: "FR"},
		},
		LegalBases: []register.LegalBasis{
			{Type: register.BasisLaw, Reference: "Loi sur l’insertion et l’aide sociale individuelle (LIASI), art.\u00a02", URL: "https://silgeneve.ch/legis/data/rsg_j4_04.htm"},
			{Type: register.BasisPublicTask, Reference: "Règlement municipal sur les aides financières (LC 21 511)"},
			{Type: register.BasisConsent, Reference: "consentement à recevoir l’infolettre des prestations"},
		},
		DataSubjects: []string{"parents et représentants légaux", "enfants scolarisés à Genève"},
		DataCategories: []register.DataCategory{
			{Name: "identité et adresse", Sensitive: false},
			{Name: "revenus et fortune", Sensitive: false},
			{Name: "mesures d’aide sociale", Sensitive: true},
		},
		Sources:    []string{"la personne concernée", "Office cantonal de la population et des migrations (OCPM)"},
		Recipients: []register.Recipient{{Name: "Service de la comptabilité", Type: register.RecipientInternal}, {Name: "Administration fiscale cantonale", Type: register.RecipientPublicBody}},
		Transfers: []register.Transfer{
			{Country: "FR", Safeguard: register.SafeguardAdequacy, Details: "Hébergement des sauvegardes chiffrées à Annecy."},
		},
		Accesses: []register.Access{
			{Institution: "Office cantonal des finances", LegalBasis: "LIPAD art. 39", Scope: "consultation des montants versés"},
		},
		Retention: register.Retention{Period: "P10Y", Trigger: "la fin de l’année scolaire concernée", Disposal: register.DisposalArchive,
			Criteria: "tant que la famille reçoit l’allocation", PurgeFrequency: "P1Y", Schedule: "Calendrier de conservation de la Ville, rubrique 4.2 (Archives de la Ville)",
			PerCategory: []register.CategoryRetention{
				{Category: "revenus et fortune", Period: "P5Y", Disposal: register.DisposalDelete},
				{Category: "mesures d’aide sociale", Criteria: "jusqu’à la fin du droit", Disposal: register.DisposalAnonymise},
			}},
		Information: register.Information{Provision: register.ProvisionMandatory, Consequences: "Sans ces données, la demande ne peut pas être examinée.",
			DecisionLogic: "Le montant est calculé d’après le revenu déterminant et le nombre d’enfants ; une personne valide chaque décision.",
			Exception:     register.InfoProvidedByLaw, ExceptionReason: "Les données reçues de l’OCPM sont communiquées en vertu de la loi ; les familles en sont averties par le formulaire de demande."},
		SecurityMeasures:  []register.PublicSecurityMeasure{{Category: register.SecAccessControl}, {Category: register.SecEncryptionAtRest}, {Category: register.SecLogging}},
		AutomatedDecision: true,
		Profiling:         false,
		DPIA: register.PublicDPIA{Required: true, Status: register.DPIADone, CompletedOn: "2026-01-15",
			Criteria:     []register.DPIACriterion{register.CritSensitiveLargeScale, register.CritAutomatedDecision},
			ResidualRisk: register.ResidualHigh, Consultation: &register.PublicConsultation{Authority: register.AuthorityPPDT, ConsultedOn: "2025-12-01"}},
		Version:     3,
		PublishedAt: fixedPublished,
	}
}

// fixtureMinimal has only what publication requires and empty lists.
func fixtureMinimal() *register.PublicProcessing {
	return &register.PublicProcessing{
		ID:               "0193a5b2-7c1d-7e00-8a11-4d2c9f0e1a02",
		Organisation:     "ville-de-geneve",
		Unit:             "etat-civil",
		Title:            "Registre des naissances",
		Purpose:          "Tenir le registre des naissances de la commune.",
		PublicSummary:    "Nous enregistrons les naissances pour établir les actes d’état civil.",
		Controller:       register.Party{Name: "Service de l’état civil", Contact: "etat-civil@ville-ge.example.ch"},
		LegalBases:       []register.LegalBasis{{Type: register.BasisLaw, Reference: "Ordonnance sur l’état civil (OEC), RS 211.112.2", URL: "https://www.fedlex.admin.ch/eli/cc/2004/118/fr"}},
		DataSubjects:     []string{"nouveau-nés", "parents"},
		DataCategories:   []register.DataCategory{{Name: "identité"}, {Name: "filiation"}},
		Recipients:       []register.Recipient{{Name: "Office fédéral de la statistique", Type: register.RecipientPublicBody}},
		Retention:        register.Retention{Period: "P1Y6M", Disposal: register.DisposalDelete},
		SecurityMeasures: []register.PublicSecurityMeasure{{Category: register.SecBackup}},
		DPIA:             register.PublicDPIA{Required: false, Status: register.DPIANotNeeded},
		Version:          1,
		PublishedAt:      fixedPublished.Add(-72 * time.Hour),
	}
}

// fixtureMany returns n published processings built from the rich one.
func fixtureMany(n int) []*register.PublicProcessing {
	out := make([]*register.PublicProcessing, 0, n)
	for i := 0; i < n; i++ {
		p := fixtureRich()
		if i%3 == 1 {
			p = fixtureMinimal()
		}
		p.ID = fmt.Sprintf("0193a5b2-7c1d-7e00-8a11-%012d", i)
		p.Title = fmt.Sprintf("%s n° %d", p.Title, i+1)
		p.Reference = fmt.Sprintf("VDG-%04d", i+1)
		p.PublishedAt = fixedPublished.Add(time.Duration(i) * time.Hour)
		out = append(out, p)
	}
	return out
}

// fixtureReport is the auditor's report data of a small organisation.
func fixtureReport() ReportData {
	org := fixtureOrg()
	published := fixedPublished
	reviewed := fixedPublished
	procs := []register.Processing{
		{ID: "0193a5b2-7c1d-7e00-8a11-4d2c9f0e1a01", Organisation: org.Slug, Status: register.StatusPublished, Version: 3,
			PublishedVersion: 3, CreatedAt: fixedPublished.AddDate(-2, 0, 0), UpdatedAt: fixedPublished, PublishedAt: &published, ReviewedAt: &reviewed,
			Fields: register.Fields{Unit: "action-sociale", Reference: "VDG-SOC-012", Title: "Allocations de rentrée scolaire",
				DataCategories: []register.DataCategory{{Name: "mesures d’aide sociale", Sensitive: true}},
				DPIA:           register.DPIA{Required: true, Status: register.DPIADone, CompletedOn: "2026-01-15", Reference: "AIPD-2026-004"},
				ReviewDue:      "2026-06-30"}},
		{ID: "0193a5b2-7c1d-7e00-8a11-4d2c9f0e1a03", Organisation: org.Slug, Status: register.StatusDraft, Version: 1,
			CreatedAt: fixedPublished, UpdatedAt: fixedPublished,
			Fields: register.Fields{Unit: "police-municipale", Title: "Vidéosurveillance du parc des Bastions",
				DataCategories: []register.DataCategory{{Name: "images", Sensitive: false}, {Name: "infractions", Sensitive: true}},
				DPIA:           register.DPIA{Required: true, Status: register.DPIAInProgress},
				ReviewDue:      "2027-01-31"}},
	}
	findings := []register.Finding{
		{ProcessingID: procs[0].ID, Rule: "review-overdue", Severity: register.SeverityWarning, Field: "review_due", Laws: []string{register.LawGDPR5}, Message: "the planned review date has passed"},
		{ProcessingID: procs[0].ID, Rule: "formal-law-basis", Severity: register.SeverityError, Field: "legal_bases",
			Laws: []string{register.LawLIPAD35, register.LawFADP34, register.LawGDPR9}, Articles: []string{"LIPAD art. 35"},
			Message: "sensitive data and profiling need a basis in a law in the formal sense",
			Override: &register.Override{Rule: "formal-law-basis", Field: "legal_bases", By: "m.dupont", At: fixedPublished,
				Justification: "Le règlement communal est indispensable à une tâche définie par la LASLP."}},
		{ProcessingID: procs[1].ID, Rule: "legal-basis", Severity: register.SeverityError, Field: "legal_bases", Laws: []string{register.LawLIPAD43, register.LawNotice},
			Articles: []string{"LIPAD art. 43", "LIPAD art. 35"}, Message: "give at least one legal basis"},
		{ProcessingID: procs[1].ID, Rule: "public-summary", Severity: register.SeverityError, Field: "public_summary", Laws: []string{register.LawPolicy}, Message: "write a plain-language summary for the public"},
		{ProcessingID: procs[1].ID, Rule: "dpia-required", Severity: register.SeverityError, Field: "dpia.status", Laws: []string{register.LawGDPR35, register.LawFADP22, register.LawPolicy}, Message: "a criterion of the checklist makes an impact assessment required (dpia.criteria): finish it before publishing"},
	}
	audit := []register.AuditEntry{
		{Seq: 12, At: fixedReport.Add(-2 * time.Hour), Actor: "m.dupont", Role: "dpo", Organisation: org.Slug, Action: "publish", Target: "processing/" + procs[0].ID, Version: 3},
		{Seq: 11, At: fixedReport.Add(-3 * time.Hour), Actor: "a.favre", Role: "editor", Organisation: org.Slug, Action: "create", Target: "processing/" + procs[1].ID, Version: 1},
		{Seq: 10, At: fixedReport.Add(-50 * time.Hour), Actor: "admin", Role: "admin", Organisation: org.Slug, Action: "unit.create", Target: "unit/ville-de-geneve/police-municipale"},
	}
	return ReportData{
		Organisation: org,
		Processings:  procs,
		Findings:     findings,
		Summary:      register.Summarise(len(procs), findings),
		Overdue:      procs[:1], OverdueTotal: 1,
		Sensitive: procs, SensitiveTotal: 2,
		Audit: audit, AuditTotal: 12,
		Verify: register.VerifyResult{OK: true, Entries: 12, Head: "5f1d3c0b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f1e"},
		Date:   fixedReport,
	}
}
