package register

import (
	"strings"
	"time"
)

// Party is a controller or joint controller.
// A draft may lack the controller's name; the compliance rules require it
// before publication.
type Party struct {
	Name    string `json:"name" validate:"omitempty,min=2,max=200"`
	Contact string `json:"contact" validate:"max=500,contact"`
}

// Processor processes data on behalf of the controller.
type Processor struct {
	Name     string `json:"name" validate:"required,min=2,max=200"`
	Country  string `json:"country" validate:"omitempty,country"`
	Contract bool   `json:"contract"` // internal: whether a processing contract is signed
}

// LegalBasis is one legal ground of a processing.
type LegalBasis struct {
	Type      LegalBasisType `json:"type" validate:"required,enum"`
	Reference string         `json:"reference" validate:"max=300"`
	URL       string         `json:"url" validate:"omitempty,httpurl,max=500"`
	// Level says whether the norm is a formal law or only a regulation;
	// optional (records written before it was asked have none).
	Level NormLevel `json:"level,omitempty" validate:"omitempty,enum"`
}

// DataCategory is a category of personal data.
type DataCategory struct {
	Name      string `json:"name" validate:"required,min=2,max=200"`
	Sensitive bool   `json:"sensitive"`
}

// Recipient receives data.
type Recipient struct {
	Name string        `json:"name" validate:"required,min=2,max=200"`
	Type RecipientType `json:"type" validate:"required,enum"`
	// Country is where the recipient is, when known (ISO 3166-1 alpha-2).
	Country string `json:"country,omitempty" validate:"omitempty,country"`
}

// Transfer is a disclosure of data abroad.
type Transfer struct {
	Country   string    `json:"country" validate:"required,country"`
	Safeguard Safeguard `json:"safeguard" validate:"omitempty,enum"`
	Details   string    `json:"details" validate:"max=2000"`
	// RecipientCertified says that the recipient is covered by a partial
	// adequacy decision (United States: certified under the Data Privacy
	// Framework; Canada: subject to PIPEDA). Without it, "adequacy" towards
	// such a country is not adequacy.
	RecipientCertified bool `json:"recipient_certified,omitempty"`
}

// Access is an access to the data granted to another institution (a LIPAD
// "catalogue des fichiers" item).
type Access struct {
	Institution string `json:"institution" validate:"required,min=2,max=200"`
	LegalBasis  string `json:"legal_basis" validate:"max=300"`
	Scope       string `json:"scope" validate:"max=2000"`
}

// Retention says how long data are kept and what happens then. The law asks
// for a period *or the criteria* that fix it (FADP 12(2)(e)), per category
// where possible (GDPR 30(1)(f)); the LIPAD catalogue asks for the update and
// purge frequency. Period, criteria or both; every field is public.
type Retention struct {
	Period   string   `json:"period" validate:"omitempty,duration"`
	Trigger  string   `json:"trigger" validate:"max=500"`
	Disposal Disposal `json:"disposal" validate:"omitempty,enum"`
	// Criteria fix the retention when no single period does ("until the
	// end of the schooling, then 2 years").
	Criteria string `json:"criteria,omitempty" validate:"max=1000"`
	// PurgeFrequency is how often stale data are purged (ISO 8601 duration).
	PurgeFrequency string `json:"purge_frequency,omitempty" validate:"omitempty,duration"`
	// Schedule names the archives' retention schedule (calendrier de
	// conservation, LArch / Archives d'État) the retention follows.
	Schedule string `json:"schedule,omitempty" validate:"max=300"`
	// PerCategory is the retention of the data categories kept differently
	// from the rest.
	PerCategory []CategoryRetention `json:"per_category,omitempty" validate:"max=100,dive"`
}

// Given reports whether the retention says how long the data are kept: a
// period or criteria.
func (r *Retention) Given() bool {
	return r.Period != "" || strings.TrimSpace(r.Criteria) != ""
}

// CategoryRetention is the retention of one data category.
type CategoryRetention struct {
	Category string   `json:"category" validate:"required,min=2,max=200"`
	Period   string   `json:"period,omitempty" validate:"omitempty,duration"`
	Criteria string   `json:"criteria,omitempty" validate:"max=1000"`
	Disposal Disposal `json:"disposal,omitempty" validate:"omitempty,enum"`
}

// SecurityMeasure is one technical or organisational measure.
type SecurityMeasure struct {
	Category SecurityCategory `json:"category" validate:"required,enum"`
	Details  string           `json:"details" validate:"max=2000"` // internal
}

// DPIA is the data protection impact assessment.
type DPIA struct {
	// Required is what the client says; the criteria decide (Needed), and
	// a finding says so when the two disagree.
	Required    bool       `json:"required"`
	Status      DPIAStatus `json:"status" validate:"omitempty,enum"`
	CompletedOn string     `json:"completed_on" validate:"omitempty,date"`
	Reference   string     `json:"reference" validate:"max=300"` // internal
	// Criteria are the ticked items of the checklist (public).
	Criteria []DPIACriterion `json:"criteria,omitempty" validate:"max=10,dive,enum"`
	// ResidualRisk is the risk left once the measures are taken (public).
	ResidualRisk ResidualRisk `json:"residual_risk,omitempty" validate:"omitempty,enum"`
	// Consultation is the prior consultation of the authority when the
	// residual risk stays high.
	Consultation *Consultation `json:"consultation,omitempty"`
}

// Needed reports whether an impact assessment is required: at least one
// criterion of the checklist is ticked.
func (d *DPIA) Needed() bool { return len(d.Criteria) > 0 }

// Consultation is the prior consultation of a supervisory authority (FADP
// art. 23; GDPR art. 36). The authority and the date are public; the
// reference and the outcome are internal.
type Consultation struct {
	Authority   Authority `json:"authority" validate:"required,enum"`
	ConsultedOn string    `json:"consulted_on" validate:"omitempty,date"`
	Reference   string    `json:"reference,omitempty" validate:"max=300"` // internal
	Outcome     string    `json:"outcome,omitempty" validate:"max=2000"`  // internal
}

// Information is what the notice tells people beyond the register's
// content (FADP 19-21; GDPR 13-14). Every field is optional and public.
type Information struct {
	// Provision says whether people must provide the data; Consequences
	// what happens if they do not.
	Provision    Provision `json:"provision,omitempty" validate:"omitempty,enum"`
	Consequences string    `json:"consequences,omitempty" validate:"max=1000"`
	// DecisionLogic explains in plain words the logic of an automated
	// individual decision.
	DecisionLogic string `json:"decision_logic,omitempty" validate:"max=2000"`
	// Exception is the exception to the duty to inform the record invokes
	// (FADP art. 20), with its reason.
	Exception       InfoException `json:"exception,omitempty" validate:"omitempty,enum"`
	ExceptionReason string        `json:"exception_reason,omitempty" validate:"max=1000"`
}

// Fields are the writable content of a processing: what a client sends.
type Fields struct {
	Unit              string            `json:"unit" validate:"required,slug"`
	Reference         string            `json:"reference" validate:"max=60"`
	Title             string            `json:"title" validate:"required,min=3,max=200"`
	Purpose           string            `json:"purpose" validate:"required,max=5000"`
	Description       string            `json:"description" validate:"max=10000"`
	PublicSummary     string            `json:"public_summary" validate:"max=5000"`
	Controller        Party             `json:"controller" validate:"omitempty"`
	JointControllers  []Party           `json:"joint_controllers" validate:"max=20,dive"`
	Processors        []Processor       `json:"processors" validate:"max=50,dive"`
	LegalBases        []LegalBasis      `json:"legal_bases" validate:"max=30,dive"`
	DataSubjects      []string          `json:"data_subjects" validate:"max=50,dive,required,max=200"`
	DataCategories    []DataCategory    `json:"data_categories" validate:"max=100,dive"`
	Sources           []string          `json:"sources" validate:"max=50,dive,required,max=300"`
	Recipients        []Recipient       `json:"recipients" validate:"max=50,dive"`
	Transfers         []Transfer        `json:"transfers" validate:"max=50,dive"`
	Accesses          []Access          `json:"accesses" validate:"max=50,dive"`
	Retention         Retention         `json:"retention"`
	SecurityMeasures  []SecurityMeasure `json:"security_measures" validate:"max=50,dive"`
	AutomatedDecision bool              `json:"automated_decision"`
	Profiling         bool              `json:"profiling"`
	DPIA              DPIA              `json:"dpia"`
	ReviewDue         string            `json:"review_due" validate:"omitempty,date"`
	// PlannedStart is the first day of a processing announced before it
	// runs (YYYY-MM-DD; public): until that day, read in Zurich, every
	// public surface shows it as planned, then as active (PublicState).
	PlannedStart string `json:"planned_start,omitempty" validate:"omitempty,date"`
	// CommonIdentifier names a common personal identifier the processing
	// uses (the AVS number, for instance); empty when none. Internal: the
	// DPO checks that a law institutes its use.
	CommonIdentifier string `json:"common_identifier,omitempty" validate:"max=200"`
	// Information is what the notice tells people besides the register's
	// content (public).
	Information   Information `json:"information,omitzero"`
	InternalNotes string      `json:"internal_notes" validate:"max=10000"` // internal
}

// Processing is one record of the register as the internal API shows it.
type Processing struct {
	ID           string `json:"id"`
	Organisation string `json:"organisation"`
	Fields
	Status           Status     `json:"status"`
	Version          int        `json:"version"`
	PublishedVersion int        `json:"published_version,omitempty"` // the version the public sees, if any
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	PublishedAt      *time.Time `json:"published_at,omitempty"`
	ReviewedAt       *time.Time `json:"reviewed_at,omitempty"` // last publication by a DPO
	// RulesVersion is the version of the rule table that passed the last
	// publication (RulesVersion at that time).
	RulesVersion string `json:"rules_version,omitempty"`
	// Overrides are the blocking findings a DPO overruled, with why; each
	// lapses when the field it concerns changes.
	Overrides []Override `json:"overrides,omitempty"`

	// Revision changes on every write, workflow steps included; the ETag is
	// made from it so that any change makes an If-Match stale.
	Revision int64 `json:"-"`

	// Standing is what the back office's list shows and filters on, kept
	// with the record by the store; not part of the API's JSON.
	Standing Standing `json:"-"`
}

// Standing is a record's standing as its lists show it: its findings as of
// the last check, and who did what last. The service computes the findings
// when the record is saved or stepped, and refreshes those that depend on
// the date or on the organisation (RefreshStandings), so that a list and its
// filters never run the rules over every record.
type Standing struct {
	Blocking  int       // blocking findings (overrides applied) at CheckedAt
	Warnings  int       // other findings at CheckedAt
	Sensitive bool      // holds sensitive data
	CheckedAt time.Time // when the findings were computed
	CreatedBy string    // who created the record
	UpdatedBy string    // who made the last change (a save or a step)
	// SubmittedBy is who last submitted the record for review: a return
	// sends it back to them ("returned to me").
	SubmittedBy string
	// Returned is set by a return and cleared by the next submission;
	// ReturnComment is the DPO's comment of that return.
	Returned      bool
	ReturnComment string

	// What the DPO's overview counts (overview.go), as of CheckedAt: the
	// law codes of the blocking findings, sorted, and the risks.
	Laws      []string
	DPIADue   bool // an impact assessment is required and not finished
	Abroad    bool // data are transferred to a country outside Switzerland
	Profiling bool
}

// Sensitive reports whether the processing holds sensitive data.
func (f *Fields) Sensitive() bool {
	for _, c := range f.DataCategories {
		if c.Sensitive {
			return true
		}
	}
	return false
}

// normalise gives every list a non-nil value so that JSON always shows [] and
// two equal records encode to the same bytes.
func (f *Fields) normalise() {
	nonNil(&f.JointControllers)
	nonNil(&f.Processors)
	nonNil(&f.LegalBases)
	nonNil(&f.DataSubjects)
	nonNil(&f.DataCategories)
	nonNil(&f.Sources)
	nonNil(&f.Recipients)
	nonNil(&f.Transfers)
	nonNil(&f.Accesses)
	nonNil(&f.SecurityMeasures)
}

func nonNil[T any](s *[]T) {
	if *s == nil {
		*s = []T{}
	}
}

// Version is one saved version of a processing: the processing as it was,
// encoded once. A published version is never written again, so its bytes stay
// the same forever.
type Version struct {
	ProcessingID string
	Number       int
	Status       Status
	Data         []byte // JSON of Processing at that version
	SavedAt      time.Time
	SavedBy      string
}
