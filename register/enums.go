package register

// The enumerations of a processing are closed types: each has a Valid method
// that the validator calls through the "enum" rule, so a value outside the
// list is refused with 422 wherever the type is used.

// Enum is implemented by every closed enumeration.
type Enum interface{ Valid() bool }

// Status is the workflow state of a processing.
type Status string

// Statuses.
const (
	StatusDraft     Status = "draft"
	StatusInReview  Status = "in_review"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Statuses lists every status, in workflow order.
func Statuses() []Status {
	return []Status{StatusDraft, StatusInReview, StatusPublished, StatusArchived}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return oneOf(s, Statuses()) }

// LegalBasisType is the kind of a legal basis.
type LegalBasisType string

// Legal basis types.
const (
	BasisLaw                LegalBasisType = "law"
	BasisLegalObligation    LegalBasisType = "legal_obligation"
	BasisPublicTask         LegalBasisType = "public_task"
	BasisConsent            LegalBasisType = "consent"
	BasisContract           LegalBasisType = "contract"
	BasisVitalInterest      LegalBasisType = "vital_interest"
	BasisLegitimateInterest LegalBasisType = "legitimate_interest"
)

// LegalBasisTypes lists every legal basis type.
func LegalBasisTypes() []LegalBasisType {
	return []LegalBasisType{BasisLaw, BasisLegalObligation, BasisPublicTask, BasisConsent,
		BasisContract, BasisVitalInterest, BasisLegitimateInterest}
}

// Valid reports whether t is a known legal basis type.
func (t LegalBasisType) Valid() bool { return oneOf(t, LegalBasisTypes()) }

// RecipientType is the kind of a recipient.
type RecipientType string

// Recipient types.
const (
	RecipientInternal   RecipientType = "internal"
	RecipientPublicBody RecipientType = "public_body"
	RecipientProcessor  RecipientType = "processor"
	RecipientThirdParty RecipientType = "third_party"
)

// RecipientTypes lists every recipient type.
func RecipientTypes() []RecipientType {
	return []RecipientType{RecipientInternal, RecipientPublicBody, RecipientProcessor, RecipientThirdParty}
}

// Valid reports whether t is a known recipient type.
func (t RecipientType) Valid() bool { return oneOf(t, RecipientTypes()) }

// Safeguard is what protects a transfer abroad.
type Safeguard string

// Safeguards.
const (
	SafeguardAdequacy   Safeguard = "adequacy"
	SafeguardSCC        Safeguard = "scc"
	SafeguardBCR        Safeguard = "bcr"
	SafeguardConsent    Safeguard = "consent"
	SafeguardDerogation Safeguard = "derogation"
	SafeguardOther      Safeguard = "other"
	SafeguardNone       Safeguard = "none"
	// SafeguardTreaty is an international treaty (FADP art. 16 al. 2 let. a).
	SafeguardTreaty Safeguard = "treaty"
	// SafeguardSpecificGuarantees are guarantees drawn up by the competent
	// body and communicated to (or approved by) the authority beforehand
	// (FADP art. 16 al. 2 let. c).
	SafeguardSpecificGuarantees Safeguard = "specific_guarantees"
)

// Safeguards lists every safeguard.
func Safeguards() []Safeguard {
	return []Safeguard{SafeguardAdequacy, SafeguardSCC, SafeguardBCR, SafeguardConsent,
		SafeguardDerogation, SafeguardOther, SafeguardNone, SafeguardTreaty, SafeguardSpecificGuarantees}
}

// Valid reports whether s is a known safeguard.
func (s Safeguard) Valid() bool { return oneOf(s, Safeguards()) }

// NeedsDetails reports whether a transfer with this safeguard must say which
// instrument or exception it rests on: the word alone tells nobody what
// protects the data.
func (s Safeguard) NeedsDetails() bool {
	switch s {
	case SafeguardConsent, SafeguardDerogation, SafeguardOther, SafeguardTreaty, SafeguardSpecificGuarantees:
		return true
	}
	return false
}

// NormLevel says what kind of norm a legal basis cites: sensitive data and
// profiling need a law in the formal sense (adopted by a parliament), not
// only a regulation.
type NormLevel string

// Norm levels.
const (
	NormFormalLaw  NormLevel = "formal_law" // a law adopted by a parliament (loi au sens formel)
	NormRegulation NormLevel = "regulation" // an ordinance or regulation of an executive (règlement, ordonnance)
	NormOther      NormLevel = "other"      // a contract, a decision, a treaty...
)

// NormLevels lists every norm level.
func NormLevels() []NormLevel { return []NormLevel{NormFormalLaw, NormRegulation, NormOther} }

// Valid reports whether l is a known norm level.
func (l NormLevel) Valid() bool { return oneOf(l, NormLevels()) }

// Regime is the data-protection law that governs an organisation.
type Regime string

// Regimes. Geneva's cantonal and communal bodies are under the LIPAD; the
// revised LIPAD (L 13347) was adopted in 2024 and its entry into force was
// not known when the rules were written; federal bodies are under the FADP.
const (
	RegimeLIPAD        Regime = "lipad"
	RegimeLIPADRevised Regime = "lipad-revised"
	RegimeFADPFederal  Regime = "fadp-federal"
)

// Regimes lists every regime.
func Regimes() []Regime { return []Regime{RegimeLIPAD, RegimeLIPADRevised, RegimeFADPFederal} }

// Valid reports whether r is a known regime.
func (r Regime) Valid() bool { return oneOf(r, Regimes()) }

// Disposal is what happens to data at the end of retention.
type Disposal string

// Disposals.
const (
	DisposalDelete    Disposal = "delete"
	DisposalAnonymise Disposal = "anonymise"
	DisposalArchive   Disposal = "archive"
)

// Disposals lists every disposal.
func Disposals() []Disposal { return []Disposal{DisposalDelete, DisposalAnonymise, DisposalArchive} }

// Valid reports whether d is a known disposal.
func (d Disposal) Valid() bool { return oneOf(d, Disposals()) }

// SecurityCategory is the kind of a security measure.
type SecurityCategory string

// Security measure categories.
const (
	SecAccessControl       SecurityCategory = "access_control"
	SecAuthentication      SecurityCategory = "authentication"
	SecEncryptionAtRest    SecurityCategory = "encryption_at_rest"
	SecEncryptionInTransit SecurityCategory = "encryption_in_transit"
	SecLogging             SecurityCategory = "logging"
	SecPseudonymisation    SecurityCategory = "pseudonymisation"
	SecBackup              SecurityCategory = "backup"
	SecNetwork             SecurityCategory = "network"
	SecPhysical            SecurityCategory = "physical"
	SecTraining            SecurityCategory = "training"
	SecOther               SecurityCategory = "other"
)

// SecurityCategories lists every security measure category.
func SecurityCategories() []SecurityCategory {
	return []SecurityCategory{SecAccessControl, SecAuthentication, SecEncryptionAtRest,
		SecEncryptionInTransit, SecLogging, SecPseudonymisation, SecBackup, SecNetwork,
		SecPhysical, SecTraining, SecOther}
}

// Valid reports whether c is a known category.
func (c SecurityCategory) Valid() bool { return oneOf(c, SecurityCategories()) }

// DPIAStatus is the state of a data protection impact assessment.
type DPIAStatus string

// DPIA statuses.
const (
	DPIANotStarted DPIAStatus = "not_started"
	DPIAInProgress DPIAStatus = "in_progress"
	DPIADone       DPIAStatus = "done"
	DPIANotNeeded  DPIAStatus = "not_needed"
)

// DPIAStatuses lists every DPIA status.
func DPIAStatuses() []DPIAStatus {
	return []DPIAStatus{DPIANotStarted, DPIAInProgress, DPIADone, DPIANotNeeded}
}

// Valid reports whether s is a known DPIA status.
func (s DPIAStatus) Valid() bool { return oneOf(s, DPIAStatuses()) }

func oneOf[T comparable](v T, all []T) bool {
	for _, a := range all {
		if v == a {
			return true
		}
	}
	return false
}

// DPIACriterion is one item of the checklist that says whether an impact
// assessment is required (FADP art. 22 al. 2; GDPR art. 35(3) and the
// authorities' lists). Any ticked criterion makes it required.
type DPIACriterion string

// DPIA criteria.
const (
	// CritSensitiveLargeScale: sensitive data processed on a large scale
	// (FADP 22(2)(a); GDPR 35(3)(b)).
	CritSensitiveLargeScale DPIACriterion = "sensitive-large-scale"
	// CritPublicMonitoring: systematic monitoring of large parts of the
	// public area, video surveillance for instance (FADP 22(2)(b); GDPR 35(3)(c)).
	CritPublicMonitoring DPIACriterion = "public-monitoring"
	// CritHighRiskProfiling: profiling with a high risk, a systematic and
	// extensive evaluation of personal aspects (FADP 5(g) and 34; GDPR 35(3)(a)).
	CritHighRiskProfiling DPIACriterion = "high-risk-profiling"
	// CritAutomatedDecision: decisions based solely on automated processing
	// with legal or similarly significant effects (FADP 21; GDPR 35(3)(a), 22).
	CritAutomatedDecision DPIACriterion = "automated-decision"
	// CritNewTechnology: new technologies whose risk is not yet known
	// (FADP 22(2); GDPR 35(1)).
	CritNewTechnology DPIACriterion = "new-technology"
)

// DPIACriteria lists every criterion.
func DPIACriteria() []DPIACriterion {
	return []DPIACriterion{CritSensitiveLargeScale, CritPublicMonitoring, CritHighRiskProfiling, CritAutomatedDecision, CritNewTechnology}
}

// Valid reports whether c is a known criterion.
func (c DPIACriterion) Valid() bool { return oneOf(c, DPIACriteria()) }

// ResidualRisk is the risk that remains once the measures of an impact
// assessment are taken.
type ResidualRisk string

// Residual risks.
const (
	ResidualAcceptable ResidualRisk = "acceptable"
	ResidualHigh       ResidualRisk = "high" // the authority must be consulted first (FADP 23; GDPR 36)
)

// ResidualRisks lists every residual risk.
func ResidualRisks() []ResidualRisk { return []ResidualRisk{ResidualAcceptable, ResidualHigh} }

// Valid reports whether r is a known residual risk.
func (r ResidualRisk) Valid() bool { return oneOf(r, ResidualRisks()) }

// Authority is a supervisory authority consulted before a high-risk processing.
type Authority string

// Authorities.
const (
	AuthorityFDPIC Authority = "fdpic" // Federal Data Protection and Information Commissioner (PFPDT)
	AuthorityPPDT  Authority = "ppdt"  // Geneva's cantonal commissioner (préposé cantonal)
	AuthorityEU    Authority = "eu-sa" // an EU supervisory authority (GDPR 36)
)

// Authorities lists every authority.
func Authorities() []Authority { return []Authority{AuthorityFDPIC, AuthorityPPDT, AuthorityEU} }

// Valid reports whether a is a known authority.
func (a Authority) Valid() bool { return oneOf(a, Authorities()) }

// Provision says whether a person must provide the data.
type Provision string

// Provisions.
const (
	ProvisionMandatory Provision = "mandatory" // required by law or to obtain the service
	ProvisionOptional  Provision = "optional"
)

// Provisions lists every provision.
func Provisions() []Provision { return []Provision{ProvisionMandatory, ProvisionOptional} }

// Valid reports whether p is a known provision.
func (p Provision) Valid() bool { return oneOf(p, Provisions()) }

// InfoException is an exception to the duty to inform (FADP art. 20).
type InfoException string

// Exceptions to the duty to inform.
const (
	InfoAlreadyInformed  InfoException = "already-informed" // 20(1)(a)
	InfoProvidedByLaw    InfoException = "provided-by-law"  // 20(1)(b)
	InfoImpossible       InfoException = "impossible"       // 20(2)(a), data not collected from the person
	InfoDisproportionate InfoException = "disproportionate" // 20(2)(b), data not collected from the person
	InfoRestricted       InfoException = "restricted"       // 20(3): restricted or deferred (overriding interest, investigation)
)

// InfoExceptions lists every exception.
func InfoExceptions() []InfoException {
	return []InfoException{InfoAlreadyInformed, InfoProvidedByLaw, InfoImpossible, InfoDisproportionate, InfoRestricted}
}

// Valid reports whether e is a known exception.
func (e InfoException) Valid() bool { return oneOf(e, InfoExceptions()) }
