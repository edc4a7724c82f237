package linkeddata

import (
	"regexp"

	"github.com/registre/registre/register"
)

// The one table from Registre's enumerations to IRIs (docs/open-data.md
// prints it). A value with a DPV 2.3 term maps to it; one without keeps a
// term of Registre's own vocabulary (rg:), typed with the nearest DPV class
// where there is one. An unknown value (a record written under rules newer
// than this table) stays as Registre's own term of the same name, so nothing
// is dropped and nothing invented; TestEveryEnumValueIsMapped keeps the
// table complete.

// legalBasisTypes maps a legal basis type to its classes.
func legalBasisTypes(t register.LegalBasisType) []string {
	switch t {
	case register.BasisLaw:
		// A norm of law as such (LIPAD art. 35): DPV has no class for it.
		return []string{"dpv:LegalBasis", "rg:Law"}
	case register.BasisLegalObligation:
		return []string{"dpv:LegalObligation"}
	case register.BasisPublicTask:
		// The task a public body carries out under its legal mandate.
		return []string{"dpv:OfficialAuthorityOfController"}
	case register.BasisConsent:
		return []string{"dpv:Consent"}
	case register.BasisContract:
		return []string{"dpv:Contract"}
	case register.BasisVitalInterest:
		return []string{"dpv:VitalInterest"}
	case register.BasisLegitimateInterest:
		return []string{"dpv:LegitimateInterest"}
	}
	return []string{"dpv:LegalBasis", ownTerm("LegalBasis", string(t))}
}

// normLevel maps the level of a cited norm; DPV does not grade norms.
func normLevel(l register.NormLevel) string {
	switch l {
	case register.NormFormalLaw:
		return "rg:FormalLaw"
	case register.NormRegulation:
		return "rg:Regulation"
	case register.NormOther:
		return "rg:OtherNorm"
	}
	return ownTerm("Norm", string(l))
}

// recipientTypes maps a recipient type to its classes.
func recipientTypes(t register.RecipientType) []string {
	switch t {
	case register.RecipientInternal:
		// Another service of the same organisation: not a third party.
		return []string{"dpv:Recipient", "rg:InternalRecipient"}
	case register.RecipientPublicBody:
		return []string{"dpv:Recipient", "dpv:GovernmentalOrganisation"}
	case register.RecipientProcessor:
		return []string{"dpv:Recipient", "dpv:DataProcessor"}
	case register.RecipientThirdParty:
		return []string{"dpv:Recipient", "dpv:ThirdParty"}
	}
	return []string{"dpv:Recipient", ownTerm("Recipient", string(t))}
}

// safeguardTypes maps what protects a transfer abroad. DPV core has no
// classes for adequacy, clauses or rules (they are in its EU extensions, not
// Swiss law): each gets Registre's own class, typed as a DPV safeguard
// (a measure) or a DPV transfer legal basis (a permission).
func safeguardTypes(s register.Safeguard) []string {
	switch s {
	case register.SafeguardAdequacy:
		return []string{"dpv:DataTransferLegalBasis", "rg:Adequacy"}
	case register.SafeguardSCC:
		return []string{"dpv:SafeguardForDataTransfer", "rg:StandardContractualClauses"}
	case register.SafeguardBCR:
		return []string{"dpv:SafeguardForDataTransfer", "rg:BindingCorporateRules"}
	case register.SafeguardConsent:
		return []string{"dpv:DataTransferLegalBasis", "rg:TransferConsent"}
	case register.SafeguardDerogation:
		return []string{"dpv:DataTransferLegalBasis", "rg:Derogation"}
	case register.SafeguardTreaty:
		return []string{"dpv:SafeguardForDataTransfer", "rg:Treaty"}
	case register.SafeguardSpecificGuarantees:
		return []string{"dpv:SafeguardForDataTransfer", "rg:SpecificGuarantees"}
	case register.SafeguardOther:
		return []string{"dpv:SafeguardForDataTransfer", "rg:OtherSafeguard"}
	case register.SafeguardNone:
		return []string{"rg:NoSafeguard"}
	}
	return []string{ownTerm("Safeguard", string(s))}
}

// disposal maps what happens to data when retention ends.
func disposal(d register.Disposal) string {
	switch d {
	case register.DisposalDelete:
		return "dpv:Erase"
	case register.DisposalAnonymise:
		return "dpv:Anonymise"
	case register.DisposalArchive:
		// Handed over to the archives (LArch), which DPV has no term for.
		return "rg:Archive"
	}
	return ownTerm("Disposal", string(d))
}

// securityMeasure maps a category of technical or organisational measure.
func securityMeasure(c register.SecurityCategory) string {
	switch c {
	case register.SecAccessControl:
		return "dpv:AccessControlMethod"
	case register.SecAuthentication:
		return "dpv:AuthenticationProtocols"
	case register.SecEncryptionAtRest:
		return "dpv:EncryptionAtRest"
	case register.SecEncryptionInTransit:
		return "dpv:EncryptionInTransfer"
	case register.SecLogging:
		return "dpv:ActivityMonitoring"
	case register.SecPseudonymisation:
		return "dpv:Pseudonymisation"
	case register.SecBackup:
		return "dpv:DataBackupProtocols"
	case register.SecNetwork:
		return "dpv:NetworkSecurityProtocols"
	case register.SecPhysical:
		return "dpv:PhysicalMeasure"
	case register.SecTraining:
		return "dpv:StaffTraining"
	case register.SecOther:
		return "dpv:TechnicalOrganisationalMeasure"
	}
	return ownTerm("Measure", string(c))
}

// dpiaStatus maps the state of the impact assessment to DPV's activity
// statuses.
func dpiaStatus(s register.DPIAStatus) string {
	switch s {
	case register.DPIANotStarted:
		return "dpv:ActivityProposed"
	case register.DPIAInProgress:
		return "dpv:ActivityOngoing"
	case register.DPIADone:
		return "dpv:ActivityCompleted"
	case register.DPIANotNeeded:
		return "rg:DPIANotNeeded"
	}
	return ownTerm("DPIAStatus", string(s))
}

// dpiaCriterion maps an item of the checklist that makes an impact
// assessment required to the DPV concept of the same risk criterion; DPV has
// none for sensitive data on a large scale as one criterion.
func dpiaCriterion(c register.DPIACriterion) string {
	switch c {
	case register.CritSensitiveLargeScale:
		return "rg:SensitiveDataLargeScale"
	case register.CritPublicMonitoring:
		return "dpv:SystematicMonitoring"
	case register.CritHighRiskProfiling:
		return "dpv:EvaluationScoring"
	case register.CritAutomatedDecision:
		return "dpv:AutomatedDecisionMaking"
	case register.CritNewTechnology:
		return "dpv:InnovativeUseOfNewTechnologies"
	}
	return ownTerm("DPIACriterion", string(c))
}

// residualRisk maps the residual risk to a risk level. DPV core has the
// class dpv:RiskLevel but its levels are in the risk extension, which
// Registre does not commit.
func residualRisk(r register.ResidualRisk) string {
	switch r {
	case register.ResidualAcceptable:
		return "rg:AcceptableRisk"
	case register.ResidualHigh:
		return "rg:HighRisk"
	}
	return ownTerm("Risk", string(r))
}

// authority maps a supervisory authority consulted before a high-risk
// processing. The two Swiss commissioners are single bodies and get an IRI;
// "an EU supervisory authority" names none in particular.
func authority(a register.Authority) authorityNode {
	switch a {
	case register.AuthorityFDPIC:
		return authorityNode{ID: "rg:FDPIC", Type: []string{"dpv:DataProtectionAuthority", "dpv:NationalAuthority"}}
	case register.AuthorityPPDT:
		return authorityNode{ID: "rg:PPDT", Type: []string{"dpv:DataProtectionAuthority", "dpv:RegionalAuthority"}}
	case register.AuthorityEU:
		return authorityNode{Type: []string{"dpv:DataProtectionAuthority", "rg:EUSupervisoryAuthority"}}
	}
	return authorityNode{Type: []string{"dpv:DataProtectionAuthority", ownTerm("Authority", string(a))}}
}

// provision maps whether people must provide the data to DPV's necessity.
func provision(p register.Provision) string {
	switch p {
	case register.ProvisionMandatory:
		return "dpv:Required"
	case register.ProvisionOptional:
		return "dpv:Optional"
	}
	return ownTerm("Provision", string(p))
}

// infoException maps the exception to the duty to inform (FADP art. 20),
// Swiss law DPV has no terms for.
func infoException(e register.InfoException) string {
	switch e {
	case register.InfoAlreadyInformed:
		return "rg:AlreadyInformed"
	case register.InfoProvidedByLaw:
		return "rg:ProvidedByLaw"
	case register.InfoImpossible:
		return "rg:InformingImpossible"
	case register.InfoDisproportionate:
		return "rg:InformingDisproportionate"
	case register.InfoRestricted:
		return "rg:InformingRestricted"
	}
	return ownTerm("InfoException", string(e))
}

// country is the DPV location of a two-letter country code; "" when the
// code is not one (validation refuses that, but old records are served as
// they are).
func country(code string) string {
	if !countryCode.MatchString(code) {
		return ""
	}
	return "loc:" + code
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// ownTerm names a value the table does not know, in Registre's vocabulary,
// keeping only the characters an IRI fragment may hold unescaped.
func ownTerm(kind, value string) string {
	b := []byte("rg:" + kind + "-")
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' {
			b = append(b, c)
		}
	}
	return string(b)
}
