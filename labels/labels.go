// Package labels is the one vocabulary of the register's enumerations: the
// words a citizen reads for a legal basis, a recipient, a safeguard, a
// disposal, a security measure, a DPIA status, a record's status or a
// finding's severity, in every language, for the public pages and the PDF
// documents alike. A page and the notice of one processing therefore say
// the same thing.
//
// The wording was chosen, where the pages and the notices disagreed, for
// the law's own words (LIPAD, nLPD, GDPR) and plain language; see
// docs/design.md ("Labels").
package labels

import "github.com/registre/registre/register"

// Lang is a language of the register.
type Lang string

// The languages of the register.
const (
	French  Lang = "fr"
	English Lang = "en"
)

// Languages are those every label has. German and Italian join by being
// added here and to the table: the package's test then names every word
// still missing.
func Languages() []Lang { return []Lang{French, English} }

// Words is one label in each language.
type Words map[Lang]string

// Kinds of enumeration, as the page templates name them.
const (
	Basis     = "basis"
	Recipient = "recipient"
	Safeguard = "safeguard"
	Disposal  = "disposal"
	Security  = "security"
	DPIA      = "dpia"
	Status    = "status"
	Severity  = "severity"
	Criterion = "dpiacrit"  // what makes an impact assessment required
	Authority = "authority" // the authority consulted before a high-risk processing
	Provision = "provision" // whether a person must provide the data
	Exception = "infoexc"   // an exception to the duty to inform (FADP 20)
)

// Table is the vocabulary. Build one with New and keep it: it is read-only
// after New, so it can be shared by concurrent requests.
type Table struct {
	enums map[string]map[string]Words
}

// New returns the vocabulary.
func New() *Table { return &Table{enums: enums()} }

// Enum returns the words of value, an enumeration value of kind, in l, and
// whether there are any (a value added to the domain later has none: the
// caller prints the value itself).
func (t *Table) Enum(l Lang, kind, value string) (string, bool) {
	w, ok := t.enums[kind][value]
	if !ok {
		return "", false
	}
	s, ok := w[l]
	return s, ok
}

// All returns the whole table, by kind and value, as a copy the caller may
// keep or change (the page renderer merges it into its own labels).
func (t *Table) All() map[string]map[string]Words { return enums() }

// Map returns the words of every value of kind in l, keyed by the domain's
// type, for callers that look words up in a loop (the PDF documents).
func Map[K ~string](t *Table, l Lang, kind string) map[K]string {
	out := make(map[K]string, len(t.enums[kind]))
	for v, w := range t.enums[kind] {
		if s, ok := w[l]; ok {
			out[K(v)] = s
		}
	}
	return out
}

// fr and en make one label.
func w(fr, en string) Words { return Words{French: fr, English: en} }

// enums is the table. The empty value is what a document prints for a
// field left empty where the law expects one (a transfer without its
// safeguard, a DPIA without its status); pages leave such fields out.
func enums() map[string]map[string]Words {
	return map[string]map[string]Words{
		Basis: {
			string(register.BasisLaw):                w("Loi", "Law"),
			string(register.BasisLegalObligation):    w("Obligation légale", "Legal obligation"),
			string(register.BasisPublicTask):         w("Mission d’intérêt public", "Task in the public interest"),
			string(register.BasisConsent):            w("Consentement", "Consent"),
			string(register.BasisContract):           w("Contrat", "Contract"),
			string(register.BasisVitalInterest):      w("Intérêts vitaux", "Vital interests"),
			string(register.BasisLegitimateInterest): w("Intérêt légitime", "Legitimate interest"),
		},
		Recipient: {
			string(register.RecipientInternal):   w("service interne", "internal department"),
			string(register.RecipientPublicBody): w("institution publique", "public body"),
			string(register.RecipientProcessor):  w("sous-traitant", "processor"),
			string(register.RecipientThirdParty): w("tiers", "third party"),
		},
		Safeguard: {
			string(register.SafeguardAdequacy):           w("pays offrant un niveau de protection adéquat", "country with an adequate level of protection"),
			string(register.SafeguardSCC):                w("clauses contractuelles types", "standard contractual clauses"),
			string(register.SafeguardBCR):                w("règles d’entreprise contraignantes", "binding corporate rules"),
			string(register.SafeguardConsent):            w("consentement exprès de la personne", "explicit consent of the person"),
			string(register.SafeguardDerogation):         w("dérogation prévue par la loi", "derogation provided by law"),
			string(register.SafeguardOther):              w("autres garanties", "other safeguards"),
			string(register.SafeguardTreaty):             w("traité international", "international treaty"),
			string(register.SafeguardSpecificGuarantees): w("garanties spécifiques communiquées à l’autorité de protection des données", "specific guarantees communicated to the data-protection authority"),
			string(register.SafeguardNone):               w("aucune garantie", "no safeguard"),
			"":                                           w("garantie non indiquée", "safeguard not stated"),
		},
		Disposal: {
			string(register.DisposalDelete):    w("les données sont détruites.", "the data are destroyed."),
			string(register.DisposalAnonymise): w("les données sont anonymisées.", "the data are anonymised."),
			string(register.DisposalArchive):   w("les données sont proposées aux archives.", "the data are offered to the archives."),
		},
		Security: {
			string(register.SecAccessControl):       w("Contrôle des accès", "Access control"),
			string(register.SecAuthentication):      w("Authentification", "Authentication"),
			string(register.SecEncryptionAtRest):    w("Chiffrement des données stockées", "Encryption of stored data"),
			string(register.SecEncryptionInTransit): w("Chiffrement des communications", "Encryption of communications"),
			string(register.SecLogging):             w("Journalisation", "Logging"),
			string(register.SecPseudonymisation):    w("Pseudonymisation", "Pseudonymisation"),
			string(register.SecBackup):              w("Sauvegardes", "Backups"),
			string(register.SecNetwork):             w("Sécurité du réseau", "Network security"),
			string(register.SecPhysical):            w("Sécurité physique", "Physical security"),
			string(register.SecTraining):            w("Formation du personnel", "Staff training"),
			string(register.SecOther):               w("Autres mesures", "Other measures"),
		},
		DPIA: {
			string(register.DPIANotStarted): w("pas commencée", "not started"),
			string(register.DPIAInProgress): w("en cours", "in progress"),
			string(register.DPIADone):       w("réalisée", "done"),
			string(register.DPIANotNeeded):  w("pas nécessaire", "not needed"),
			"":                              w("non indiqué", "not stated"),
		},
		Status: {
			string(register.StatusDraft):     w("brouillon", "draft"),
			string(register.StatusInReview):  w("en revue", "in review"),
			string(register.StatusPublished): w("publié", "published"),
			string(register.StatusArchived):  w("archivé", "archived"),
		},
		Severity: {
			string(register.SeverityError):   w("bloquant", "blocking"),
			string(register.SeverityWarning): w("avertissement", "warning"),
		},
		Criterion: {
			string(register.CritSensitiveLargeScale): w("des données sensibles à grande échelle", "sensitive data on a large scale"),
			string(register.CritPublicMonitoring):    w("une surveillance systématique du domaine public", "systematic monitoring of the public area"),
			string(register.CritHighRiskProfiling):   w("un profilage à risque élevé", "high-risk profiling"),
			string(register.CritAutomatedDecision):   w("des décisions individuelles automatisées", "automated individual decisions"),
			string(register.CritNewTechnology):       w("le recours à une nouvelle technologie", "a new technology"),
		},
		Authority: {
			string(register.AuthorityFDPIC): w("Préposé fédéral à la protection des données et à la transparence (PFPDT)", "Federal Data Protection and Information Commissioner (FDPIC)"),
			string(register.AuthorityPPDT):  w("Préposé cantonal à la protection des données et à la transparence (PPDT)", "Geneva’s cantonal data protection and transparency commissioner (PPDT)"),
			string(register.AuthorityEU):    w("autorité de contrôle de l’Union européenne", "a supervisory authority of the European Union"),
		},
		Provision: {
			string(register.ProvisionMandatory): w("Oui. La fourniture de ces données est obligatoire.", "Yes. Providing these data is mandatory."),
			string(register.ProvisionOptional):  w("Non. La fourniture de ces données est facultative.", "No. Providing these data is optional."),
		},
		Exception: {
			string(register.InfoAlreadyInformed):  w("Vous n’êtes pas informé·e individuellement\u00a0: vous disposez déjà de ces informations.", "You are not informed individually: you already have this information."),
			string(register.InfoProvidedByLaw):    w("Vous n’êtes pas informé·e individuellement\u00a0: le traitement est prévu par la loi.", "You are not informed individually: the processing is provided for by law."),
			string(register.InfoImpossible):       w("Vous n’êtes pas informé·e individuellement\u00a0: les données ne sont pas collectées auprès de vous et l’information est impossible à donner.", "You are not informed individually: the data are not collected from you and informing you is impossible."),
			string(register.InfoDisproportionate): w("Vous n’êtes pas informé·e individuellement\u00a0: les données ne sont pas collectées auprès de vous et l’information demanderait des efforts disproportionnés.", "You are not informed individually: the data are not collected from you and informing you would take disproportionate effort."),
			string(register.InfoRestricted):       w("L’information qui vous est donnée est restreinte ou différée (intérêt prépondérant ou enquête en cours).", "The information given to you is restricted or deferred (overriding interest or an ongoing investigation)."),
		},
	}
}
