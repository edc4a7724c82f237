package register

import "time"

// PublicProcessing is the only shape of a processing that anonymous readers
// and public documents ever get. A field reaches the public only if it is
// added here and copied in Public, on purpose.
type PublicProcessing struct {
	ID                string                  `json:"id"`
	Organisation      string                  `json:"organisation"`
	Unit              string                  `json:"unit"`
	Reference         string                  `json:"reference,omitempty"`
	Title             string                  `json:"title"`
	Purpose           string                  `json:"purpose"`
	Description       string                  `json:"description,omitempty"`
	PublicSummary     string                  `json:"public_summary"`
	Controller        Party                   `json:"controller"`
	JointControllers  []Party                 `json:"joint_controllers"`
	Processors        []PublicProcessor       `json:"processors"`
	LegalBases        []LegalBasis            `json:"legal_bases"`
	DataSubjects      []string                `json:"data_subjects"`
	DataCategories    []DataCategory          `json:"data_categories"`
	Sources           []string                `json:"sources"`
	Recipients        []Recipient             `json:"recipients"`
	Transfers         []Transfer              `json:"transfers"`
	Accesses          []Access                `json:"accesses"`
	Retention         Retention               `json:"retention"`
	SecurityMeasures  []PublicSecurityMeasure `json:"security_measures"`
	AutomatedDecision bool                    `json:"automated_decision"`
	Profiling         bool                    `json:"profiling"`
	DPIA              PublicDPIA              `json:"dpia"`
	Information       Information             `json:"information,omitzero"`
	// PlannedStart is the day a planned processing starts; planned or
	// active is decided when read (PublicState), never stored.
	PlannedStart string    `json:"planned_start,omitempty"`
	Version      int       `json:"version"`
	PublishedAt  time.Time `json:"published_at"`
}

// PublicProcessor is a processor without its contract status.
type PublicProcessor struct {
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
}

// PublicSecurityMeasure tells that a kind of measure exists, not how it works.
type PublicSecurityMeasure struct {
	Category SecurityCategory `json:"category"`
}

// PublicDPIA tells whether an impact assessment was needed and done.
// Required is the value the criteria give, not the client's.
type PublicDPIA struct {
	Required     bool            `json:"required"`
	Status       DPIAStatus      `json:"status,omitempty"`
	CompletedOn  string          `json:"completed_on,omitempty"`
	Criteria     []DPIACriterion `json:"criteria,omitempty"`
	ResidualRisk ResidualRisk    `json:"residual_risk,omitempty"`
	// Consultation says which authority was consulted and when; its
	// reference and outcome stay internal.
	Consultation *PublicConsultation `json:"consultation,omitempty"`
}

// PublicConsultation is the public part of a prior consultation.
type PublicConsultation struct {
	Authority   Authority `json:"authority"`
	ConsultedOn string    `json:"consulted_on,omitempty"`
}

// Public builds the public shape of p as published at publishedAt. It copies
// field by field: internal fields (internal notes, security details, DPIA
// reference, processor contracts, review dates) are left behind by design.
func Public(p *Processing, publishedAt time.Time) *PublicProcessing {
	f := p.Fields
	f.normalise()
	pub := &PublicProcessing{
		ID:                p.ID,
		Organisation:      p.Organisation,
		Unit:              f.Unit,
		Reference:         f.Reference,
		Title:             f.Title,
		Purpose:           f.Purpose,
		Description:       f.Description,
		PublicSummary:     f.PublicSummary,
		Controller:        f.Controller,
		JointControllers:  append([]Party{}, f.JointControllers...),
		LegalBases:        append([]LegalBasis{}, f.LegalBases...),
		DataSubjects:      append([]string{}, f.DataSubjects...),
		DataCategories:    append([]DataCategory{}, f.DataCategories...),
		Sources:           append([]string{}, f.Sources...),
		Recipients:        append([]Recipient{}, f.Recipients...),
		Transfers:         append([]Transfer{}, f.Transfers...),
		Accesses:          append([]Access{}, f.Accesses...),
		Retention:         publicRetention(f.Retention),
		AutomatedDecision: f.AutomatedDecision,
		Profiling:         f.Profiling,
		DPIA:              publicDPIA(&f.DPIA),
		Information:       f.Information,
		PlannedStart:      f.PlannedStart,
		Version:           p.Version,
		PublishedAt:       publishedAt.UTC(),
	}
	pub.Processors = make([]PublicProcessor, 0, len(f.Processors))
	for _, pr := range f.Processors {
		pub.Processors = append(pub.Processors, PublicProcessor{Name: pr.Name, Country: pr.Country})
	}
	pub.SecurityMeasures = make([]PublicSecurityMeasure, 0, len(f.SecurityMeasures))
	for _, m := range f.SecurityMeasures {
		pub.SecurityMeasures = append(pub.SecurityMeasures, PublicSecurityMeasure{Category: m.Category})
	}
	return pub
}

// publicDPIA copies the public part of an assessment. "required" is the
// value the criteria give: when the client's disagrees, the criteria win (a
// finding told the DPO before publication).
func publicDPIA(d *DPIA) PublicDPIA {
	out := PublicDPIA{Required: d.Needed(), Status: d.Status, CompletedOn: d.CompletedOn,
		Criteria: append([]DPIACriterion(nil), d.Criteria...), ResidualRisk: d.ResidualRisk}
	if d.Consultation != nil {
		out.Consultation = &PublicConsultation{Authority: d.Consultation.Authority, ConsultedOn: d.Consultation.ConsultedOn}
	}
	return out
}

func publicRetention(r Retention) Retention {
	r.PerCategory = append([]CategoryRetention(nil), r.PerCategory...)
	return r
}

// AbroadParty is a processor or recipient located abroad.
type AbroadParty struct {
	Name      string
	Country   string
	Processor bool
	// Listed is true when a transfer to its country is recorded.
	Listed bool
}

// AbroadParties lists the processors and recipients located abroad.
func (p *PublicProcessing) AbroadParties() []AbroadParty {
	listed := map[string]bool{}
	for _, t := range p.Transfers {
		listed[t.Country] = true
	}
	var out []AbroadParty
	for _, pr := range p.Processors {
		if Abroad(pr.Country) {
			out = append(out, AbroadParty{Name: pr.Name, Country: pr.Country, Processor: true, Listed: listed[pr.Country]})
		}
	}
	for _, r := range p.Recipients {
		if Abroad(r.Country) {
			out = append(out, AbroadParty{Name: r.Name, Country: r.Country, Listed: listed[r.Country]})
		}
	}
	return out
}

// UnlistedAbroad lists the processors and recipients abroad whose country
// has no transfer entry (records published before the rule refused it).
func (p *PublicProcessing) UnlistedAbroad() []AbroadParty {
	var out []AbroadParty
	for _, a := range p.AbroadParties() {
		if !a.Listed {
			out = append(out, a)
		}
	}
	return out
}

// DisclosedAbroad reports whether any data go abroad: a transfer, or a
// processor or recipient located abroad. A document must never say "not
// disclosed abroad" when this is true.
func (p *PublicProcessing) DisclosedAbroad() bool {
	for _, t := range p.Transfers {
		if Abroad(t.Country) {
			return true
		}
	}
	return len(p.AbroadParties()) > 0
}

// HasConsent reports whether a legal basis is consent: the notice then says
// that consent may be withdrawn.
func (p *PublicProcessing) HasConsent() bool {
	for _, b := range p.LegalBases {
		if b.Type == BasisConsent {
			return true
		}
	}
	return false
}

// Sensitive reports whether the published processing holds sensitive data.
func (p *PublicProcessing) Sensitive() bool {
	for _, c := range p.DataCategories {
		if c.Sensitive {
			return true
		}
	}
	return false
}

// Publication is a processing as the public register holds it: its public
// shape, encoded once at publication, with the keys public searches need.
type Publication struct {
	ProcessingID string
	Organisation string
	Version      int
	Title        string
	SearchKey    string
	Sensitive    bool
	BasisTypes   string // space-separated legal basis types, for filtering
	Categories   string // normalised data category names, for filtering
	Data         []byte // JSON of PublicProcessing
	PublishedAt  time.Time
	RulesVersion string      // the rule table that passed the publication
	Terms        SearchTerms // index terms for full-text search
	PlannedStart string      // PublicProcessing.PlannedStart, for lists
}
