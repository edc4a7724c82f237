package linkeddata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/registre/registre/register"
)

// The keys below are terms of the committed context: a key that the
// context does not define would be dropped by every JSON-LD processor, which
// TestExpansionKeepsEveryValue catches.

// node is a typed, labelled thing without an IRI of its own (a purpose, a
// data category, a source...).
type node struct {
	Type        []string `json:"type"`
	Label       string   `json:"label,omitempty"`
	Description string   `json:"description,omitempty"`
}

type party struct {
	Type    []string `json:"type"`
	Name    string   `json:"name,omitempty"`
	Contact string   `json:"contact,omitempty"`
	Country string   `json:"country,omitempty"`
}

type jointControllers struct {
	Type    []string `json:"type"`
	Members []party  `json:"members"`
}

type legalBasis struct {
	Type  []string `json:"type"`
	Label string   `json:"label,omitempty"`
	URL   string   `json:"url,omitempty"`
	Level string   `json:"level,omitempty"`
}

type access struct {
	Type       []string `json:"type"`
	Name       string   `json:"name"`
	LegalBasis string   `json:"legal_basis,omitempty"`
	Scope      string   `json:"scope,omitempty"`
}

type transfer struct {
	Type               []string `json:"type"`
	ThirdCountry       string   `json:"third_country,omitempty"`
	Label              string   `json:"label,omitempty"` // the country code when DPV has no term for it
	Safeguard          *node    `json:"safeguard,omitempty"`
	Details            string   `json:"details,omitempty"`
	RecipientCertified bool     `json:"recipient_certified,omitempty"`
}

type retention struct {
	Type     []string `json:"type"`
	Period   string   `json:"period,omitempty"`
	Trigger  string   `json:"trigger,omitempty"`
	Disposal string   `json:"disposal,omitempty"`
	Criteria string   `json:"criteria,omitempty"`
	Schedule *node    `json:"schedule,omitempty"` // the archives' retention schedule, a dpv:DataStoragePolicy
}

// categoryRetention is the retention of one data category: a storage
// duration of its own, tied to the category.
type categoryRetention struct {
	Type     []string `json:"type"`
	Category node     `json:"category"`
	Period   string   `json:"period,omitempty"`
	Criteria string   `json:"criteria,omitempty"`
	Disposal string   `json:"disposal,omitempty"`
}

// purge is the periodic deletion of stale data: a storage condition with
// its frequency.
type purge struct {
	Type      []string  `json:"type"`
	Frequency frequency `json:"frequency"`
}

type frequency struct {
	Type   []string `json:"type"`
	Period string   `json:"period"`
}

type riskNode struct {
	Type      []string `json:"type"`
	RiskLevel string   `json:"risk_level"`
}

// authorityNode is a supervisory authority; the ones that are a single
// body have an IRI of their own.
type authorityNode struct {
	ID   string   `json:"id,omitempty"`
	Type []string `json:"type"`
}

type consultation struct {
	Type        []string      `json:"type"`
	Authority   authorityNode `json:"authority"`
	ConsultedOn string        `json:"consulted_on,omitempty"`
}

type dpia struct {
	Type         []string      `json:"type"`
	Required     bool          `json:"required"`
	Status       string        `json:"status,omitempty"`
	CompletedOn  string        `json:"completed_on,omitempty"`
	Criteria     []string      `json:"dpia_criteria,omitempty"`
	ResidualRisk *riskNode     `json:"residual_risk,omitempty"`
	Consultation *consultation `json:"consultation,omitempty"`
}

// information is what the notice tells people beyond the register's
// content: a dpv:PrivacyNotice.
type information struct {
	Type          []string `json:"type"`
	Provision     string   `json:"provision,omitempty"`
	Consequences  *node    `json:"consequences,omitempty"`
	DecisionLogic *node    `json:"decision_logic,omitempty"`
	Exception     *node    `json:"exception,omitempty"`
}

// processingNode is one published processing.
type processingNode struct {
	ID                string              `json:"id"`
	Type              []string            `json:"type"`
	Identifier        string              `json:"identifier"`
	Organisation      string              `json:"organisation"`
	Unit              string              `json:"unit,omitempty"`
	Reference         string              `json:"reference,omitempty"`
	Title             string              `json:"title"`
	Purpose           node                `json:"purpose"`
	Description       string              `json:"description,omitempty"`
	PublicSummary     string              `json:"public_summary,omitempty"`
	Controller        party               `json:"controller"`
	JointControllers  *jointControllers   `json:"joint_controllers,omitempty"`
	Processors        []party             `json:"processors,omitempty"`
	LegalBases        []legalBasis        `json:"legal_bases,omitempty"`
	DataSubjects      []node              `json:"data_subjects,omitempty"`
	DataCategories    []node              `json:"data_categories,omitempty"`
	Sources           []node              `json:"sources,omitempty"`
	Recipients        []party             `json:"recipients,omitempty"`
	Accesses          []access            `json:"accesses,omitempty"`
	Transfers         []transfer          `json:"transfers,omitempty"`
	Operations        []string            `json:"operations,omitempty"`
	Context           []string            `json:"context,omitempty"`
	Retention         *retention          `json:"retention,omitempty"`
	PerCategory       []categoryRetention `json:"retention_per_category,omitempty"`
	Purge             *purge              `json:"purge,omitempty"`
	SecurityMeasures  []string            `json:"security_measures,omitempty"`
	AutomatedDecision bool                `json:"automated_decision"`
	Profiling         bool                `json:"profiling"`
	DPIA              dpia                `json:"dpia"`
	Information       *information        `json:"information,omitempty"`
	Version           int                 `json:"version"`
	PublishedAt       string              `json:"published_at"`
	PlannedStart      string              `json:"planned_start,omitempty"`
	Page              string              `json:"page"`
	Notice            string              `json:"notice"`
}

// ProcessingIRI is the IRI of a published processing: its public page, so
// that the IRI a reader merges is also where a person reads it.
func ProcessingIRI(base, id string) string { return base + "/processings/" + url.PathEscape(id) }

// OrganisationIRI is the IRI of an organisation of the public register.
func OrganisationIRI(base, slug string) string {
	return base + "/organisations/" + url.PathEscape(slug)
}

// DocumentURL is where the JSON-LD of a processing is served.
func DocumentURL(base, id string) string {
	return base + "/public/v1/processings/" + url.PathEscape(id) + "/dpv.jsonld"
}

// processing maps a published processing. base is the public base URL
// without a trailing slash, as the feed and the CSV print it.
func processing(p *register.PublicProcessing, base string) processingNode {
	n := processingNode{
		ID:            ProcessingIRI(base, p.ID),
		Type:          []string{"dpv:PersonalDataHandling"},
		Identifier:    p.ID,
		Organisation:  OrganisationIRI(base, p.Organisation),
		Unit:          p.Unit,
		Reference:     p.Reference,
		Title:         p.Title,
		Purpose:       node{Type: []string{"dpv:Purpose"}, Description: p.Purpose},
		Description:   p.Description,
		PublicSummary: p.PublicSummary,
		Controller: party{Type: []string{"dpv:DataController"}, Name: p.Controller.Name,
			Contact: p.Controller.Contact},
		AutomatedDecision: p.AutomatedDecision,
		Profiling:         p.Profiling,
		Version:           p.Version,
		PublishedAt:       p.PublishedAt.UTC().Format(time.RFC3339),
		PlannedStart:      p.PlannedStart,
		Page:              ProcessingIRI(base, p.ID),
		Notice:            base + "/public/v1/processings/" + url.PathEscape(p.ID) + "/notice.pdf",
	}
	if len(p.JointControllers) > 0 {
		jc := &jointControllers{Type: []string{"dpv:JointDataControllers"}}
		for _, c := range p.JointControllers {
			jc.Members = append(jc.Members, party{Type: []string{"dpv:DataController"}, Name: c.Name, Contact: c.Contact})
		}
		n.JointControllers = jc
	}
	for _, pr := range p.Processors {
		n.Processors = append(n.Processors, party{Type: []string{"dpv:DataProcessor"}, Name: pr.Name, Country: country(pr.Country)})
	}
	for _, b := range p.LegalBases {
		lb := legalBasis{Type: legalBasisTypes(b.Type), Label: b.Reference, URL: b.URL}
		if b.Level != "" {
			lb.Level = normLevel(b.Level)
		}
		n.LegalBases = append(n.LegalBases, lb)
	}
	for _, s := range p.DataSubjects {
		n.DataSubjects = append(n.DataSubjects, node{Type: []string{"dpv:DataSubject"}, Label: s})
	}
	for _, c := range p.DataCategories {
		t := "dpv:PersonalData"
		if c.Sensitive {
			t = "dpv:SpecialCategoryPersonalData"
		}
		n.DataCategories = append(n.DataCategories, node{Type: []string{t}, Label: c.Name})
	}
	for _, s := range p.Sources {
		n.Sources = append(n.Sources, node{Type: []string{"dpv:DataSource"}, Label: s})
	}
	for _, r := range p.Recipients {
		n.Recipients = append(n.Recipients, party{Type: recipientTypes(r.Type), Name: r.Name, Country: country(r.Country)})
	}
	for _, a := range p.Accesses {
		// An institution given access online (LIPAD art. 39) receives the
		// data: a recipient, with the norm and the scope of its access.
		n.Accesses = append(n.Accesses, access{Type: []string{"dpv:Recipient", "rg:OnlineAccess"},
			Name: a.Institution, LegalBasis: a.LegalBasis, Scope: a.Scope})
	}
	for _, t := range p.Transfers {
		tr := transfer{Type: []string{"dpv:Transfer"}, ThirdCountry: country(t.Country),
			Details: t.Details, RecipientCertified: t.RecipientCertified}
		if tr.ThirdCountry == "" {
			tr.Label = t.Country
		}
		if t.Safeguard != "" {
			tr.Safeguard = &node{Type: safeguardTypes(t.Safeguard)}
		}
		n.Transfers = append(n.Transfers, tr)
	}
	if p.Profiling {
		n.Operations = append(n.Operations, "dpv:Profiling")
	}
	if p.AutomatedDecision {
		n.Context = append(n.Context, "dpv:AutomatedDecisionMaking")
	}
	if r := p.Retention; r.Given() || r.Trigger != "" || r.Disposal != "" || r.Schedule != "" {
		n.Retention = &retention{Type: []string{"dpv:StorageDuration"}, Period: r.Period, Trigger: r.Trigger,
			Criteria: r.Criteria}
		if r.Disposal != "" {
			n.Retention.Disposal = disposal(r.Disposal)
		}
		if r.Schedule != "" {
			n.Retention.Schedule = &node{Type: []string{"dpv:DataStoragePolicy"}, Label: r.Schedule}
		}
	}
	for _, c := range p.Retention.PerCategory {
		cr := categoryRetention{Type: []string{"dpv:StorageDuration"}, Period: c.Period, Criteria: c.Criteria,
			Category: node{Type: []string{categoryType(p, c.Category)}, Label: c.Category}}
		if c.Disposal != "" {
			cr.Disposal = disposal(c.Disposal)
		}
		n.PerCategory = append(n.PerCategory, cr)
	}
	if f := p.Retention.PurgeFrequency; f != "" {
		n.Purge = &purge{Type: []string{"dpv:StorageDeletion"},
			Frequency: frequency{Type: []string{"dpv:Frequency"}, Period: f}}
	}
	for _, m := range p.SecurityMeasures {
		n.SecurityMeasures = append(n.SecurityMeasures, securityMeasure(m.Category))
	}
	n.DPIA = dpia{Type: []string{"dpv:DPIA"}, Required: p.DPIA.Required, CompletedOn: p.DPIA.CompletedOn}
	if p.DPIA.Status != "" {
		n.DPIA.Status = dpiaStatus(p.DPIA.Status)
	}
	for _, c := range p.DPIA.Criteria {
		n.DPIA.Criteria = append(n.DPIA.Criteria, dpiaCriterion(c))
	}
	if r := p.DPIA.ResidualRisk; r != "" {
		n.DPIA.ResidualRisk = &riskNode{Type: []string{"dpv:ResidualRisk"}, RiskLevel: residualRisk(r)}
	}
	if c := p.DPIA.Consultation; c != nil {
		n.DPIA.Consultation = &consultation{Type: []string{"dpv:ConsultationWithAuthority"},
			Authority: authority(c.Authority), ConsultedOn: c.ConsultedOn}
	}
	if i := p.Information; i != (register.Information{}) {
		in := &information{Type: []string{"dpv:PrivacyNotice"}}
		if i.Provision != "" {
			in.Provision = provision(i.Provision)
		}
		if i.Consequences != "" {
			in.Consequences = &node{Type: []string{"dpv:ConsequenceOfFailure"}, Description: i.Consequences}
		}
		if i.DecisionLogic != "" {
			in.DecisionLogic = &node{Type: []string{"dpv:AlgorithmicLogic"}, Description: i.DecisionLogic}
		}
		if i.Exception != "" || i.ExceptionReason != "" {
			// Why the people concerned are not informed: the exception of
			// the law invoked, with its reason.
			in.Exception = &node{Type: []string{"dpv:Justification"}, Description: i.ExceptionReason}
			if i.Exception != "" {
				in.Exception.Type = append(in.Exception.Type, infoException(i.Exception))
			}
		}
		n.Information = in
	}
	return n
}

// categoryType is the class of a data category named in the retention:
// special category when the record's list of categories says it is
// sensitive.
func categoryType(p *register.PublicProcessing, name string) string {
	for _, c := range p.DataCategories {
		if c.Name == name && c.Sensitive {
			return "dpv:SpecialCategoryPersonalData"
		}
	}
	return "dpv:PersonalData"
}

// organisationNode is an organisation of the public register.
type organisationNode struct {
	ID           string   `json:"id"`
	Type         []string `json:"type"`
	Identifier   string   `json:"identifier"`
	Name         string   `json:"name"`
	Address      string   `json:"address,omitempty"`
	Website      string   `json:"website,omitempty"`
	DPOContact   string   `json:"dpo_contact,omitempty"`
	LIPADContact string   `json:"lipad_contact,omitempty"`
	Transparency string   `json:"transparency_contact,omitempty"`
	Count        int      `json:"published_count"`
	Page         string   `json:"page"`
}

func organisation(o *register.PublicOrganisation, base string) organisationNode {
	return organisationNode{
		ID: OrganisationIRI(base, o.Slug), Type: []string{"dpv:GovernmentalOrganisation"}, Identifier: o.Slug,
		Name: o.Name, Address: o.Address, Website: o.Website, DPOContact: o.DPOContact,
		LIPADContact: o.LIPADContact, Transparency: o.TransparencyContact, Count: o.Count, Page: OrganisationIRI(base, o.Slug),
	}
}

// Processing returns the JSON-LD document of one published processing, with
// the committed context inline.
func Processing(p *register.PublicProcessing, base string) ([]byte, error) {
	ctx, err := openContext()
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(processing(p, base))
	if err != nil {
		return nil, fmt.Errorf("encode json-ld of %s: %w", p.ID, err)
	}
	out := make([]byte, 0, len(ctx)+len(body)+2)
	out = append(out, ctx...)
	out = append(out, ',')
	out = append(out, body[1:]...) // the node's members, after its opening brace
	return append(out, '\n'), nil
}

// Graph writes a JSON-LD document of many processings (and the
// organisations they belong to) as it goes, so that the whole register is
// never held in memory: Begin, then Organisation and Processing in any
// order, then End.
type Graph struct {
	buf   bytes.Buffer
	base  string
	items int
}

// NewGraph starts a graph whose IRIs use base.
func NewGraph(base string) (*Graph, error) {
	ctx, err := openContext()
	if err != nil {
		return nil, err
	}
	g := &Graph{base: base}
	g.buf.Write(ctx)
	g.buf.WriteString(`,"graph":[`)
	return g, nil
}

// Organisation adds an organisation node.
func (g *Graph) Organisation(o *register.PublicOrganisation) error {
	return g.add(organisation(o, g.base))
}

// Processing adds a processing node.
func (g *Graph) Processing(p *register.PublicProcessing) error {
	return g.add(processing(p, g.base))
}

func (g *Graph) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json-ld node: %w", err)
	}
	if g.items > 0 {
		g.buf.WriteByte(',')
	}
	g.items++
	g.buf.WriteByte('\n')
	g.buf.Write(b)
	return nil
}

// Items is how many nodes g holds.
func (g *Graph) Items() int { return g.items }

// ProcessingNode writes p's node into b as Graph.Processing writes it after
// another node (a comma, a line break, the node): for a stream that encodes
// the processings apart, on several cores, and writes them in order after
// the graph's first nodes.
func ProcessingNode(b *bytes.Buffer, p *register.PublicProcessing, base string) error {
	n, err := json.Marshal(processing(p, base))
	if err != nil {
		return fmt.Errorf("encode json-ld node: %w", err)
	}
	b.WriteString(",\n")
	b.Write(n)
	return nil
}

// Take returns what was written since the last call, for the caller to
// send; the bytes are valid until the next call on g.
func (g *Graph) Take() []byte {
	out := g.buf.Bytes()
	g.buf.Reset()
	return out
}

// End closes the document.
func (g *Graph) End() { g.buf.WriteString("\n]}\n") }
