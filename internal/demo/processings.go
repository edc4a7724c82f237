package demo

import "github.com/registre/registre/register"

// Workflow states a demo processing ends in.
const (
	draft       = "draft"
	inReview    = "in_review"
	published   = "published"
	archived    = "archived"
	republished = "republished" // published, then edited: a newer draft waits
	returned    = "returned"    // submitted, then returned with a comment
)

// spec is one demo processing, written compactly; build turns it into
// register.Fields.
type spec struct {
	org, unit, ref, state string
	title, purpose        string
	summary               string
	bases                 []register.LegalBasis
	subjects              []string
	categories            []string // vocabulary labels; a leading "!" marks sensitive data
	recipients            []register.Recipient
	processors            []register.Processor
	transfers             []register.Transfer
	accesses              []register.Access
	period, trigger       string
	disposal              register.Disposal
	security              []register.SecurityCategory
	dpia                  register.DPIA
	reviewDue             string
	profiling, automated  bool
	sources               []string
	incomplete            bool // a draft still missing legally required items
	commonID              string
	override              *register.OverrideInput // a blocking finding the DPO overrules before publishing
	retention             register.Retention      // criteria, per category, purge, schedule (period, trigger and disposal come from the fields above)
	info                  register.Information
}

func pb(name string) register.Recipient {
	return register.Recipient{Name: name, Type: register.RecipientPublicBody}
}
func in(name string) register.Recipient {
	return register.Recipient{Name: name, Type: register.RecipientInternal}
}
func tp(name string) register.Recipient {
	return register.Recipient{Name: name, Type: register.RecipientThirdParty}
}
func pr(name string) register.Recipient {
	return register.Recipient{Name: name, Type: register.RecipientProcessor}
}

func basic() []register.SecurityCategory {
	return []register.SecurityCategory{register.SecAccessControl, register.SecAuthentication, register.SecBackup, register.SecLogging}
}

func strong() []register.SecurityCategory {
	return []register.SecurityCategory{register.SecAccessControl, register.SecAuthentication, register.SecEncryptionAtRest,
		register.SecEncryptionInTransit, register.SecLogging, register.SecBackup, register.SecTraining}
}

// dpiaDone is a finished assessment; the criteria that made it required,
// if any, are ticked (an assessment may be done without being required).
func dpiaDone(crit ...register.DPIACriterion) register.DPIA {
	return register.DPIA{Required: len(crit) > 0, Criteria: crit, Status: register.DPIADone, CompletedOn: "2025-11-14",
		Reference: "AIPD-2025-07", ResidualRisk: register.ResidualAcceptable}
}

func dpiaNo() register.DPIA { return register.DPIA{Required: false, Status: register.DPIANotNeeded} }

func dpiaGoing() register.DPIA {
	return register.DPIA{Required: true, Status: register.DPIAInProgress, Reference: "AIPD-2026-02"}
}

// illus marks a basis as illustrative: the law is real, but the review
// doubted that it is the basis of this processing (docs/demo.md).
func illus(b register.LegalBasis) register.LegalBasis {
	b.Reference += " — illustratif"
	return b
}
