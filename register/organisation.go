package register

import "time"

// Organisation is a public body that keeps a register: the canton, a city,
// a public establishment. Its contacts are public.
type Organisation struct {
	Slug         string `json:"slug" validate:"required,slug"`
	Name         string `json:"name" validate:"required,min=2,max=200"`
	Address      string `json:"address" validate:"max=500"`
	Website      string `json:"website" validate:"omitempty,httpurl,max=500"`
	DPOContact   string `json:"dpo_contact" validate:"max=500,contact"`
	LIPADContact string `json:"lipad_contact" validate:"max=500,contact"`
	// TransparencyContact answers requests for access to official documents
	// (LIPAD title II); LIPADContact answers access to one's own data
	// (LIPAD art. 44). Optional; public.
	TransparencyContact string `json:"transparency_contact,omitempty" validate:"max=500,contact"`
	// Regime is the data-protection law the organisation is under; empty on
	// input means lipad (every organisation of this register is a Geneva
	// public body unless an administrator says otherwise).
	Regime Regime `json:"regime" validate:"omitempty,enum"`
	// GDPRApplies is set when the GDPR applies too (art. 3 al. 2: offering
	// services to, or monitoring, people in the EU).
	GDPRApplies bool      `json:"gdpr_applies"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// EffectiveRegime is the organisation's regime, lipad when none is recorded.
func (o *Organisation) EffectiveRegime() Regime {
	if o == nil || o.Regime == "" {
		return RegimeLIPAD
	}
	return o.Regime
}

// OrganisationContacts are the fields a DPO may change on their organisation.
type OrganisationContacts struct {
	Address      string `json:"address" validate:"max=500"`
	Website      string `json:"website" validate:"omitempty,httpurl,max=500"`
	DPOContact   string `json:"dpo_contact" validate:"max=500,contact"`
	LIPADContact string `json:"lipad_contact" validate:"max=500,contact"`
	// TransparencyContact: see Organisation.
	TransparencyContact string `json:"transparency_contact,omitempty" validate:"max=500,contact"`
}

// Unit is a department of an organisation; editors write in their units.
// UnitRename is the body of a unit's rename: its new name.
type UnitRename struct {
	Name string `json:"name" validate:"required,min=2,max=200"`
}

type Unit struct {
	Organisation string    `json:"organisation"`
	Slug         string    `json:"slug" validate:"required,slug"`
	Name         string    `json:"name" validate:"required,min=2,max=200"`
	CreatedAt    time.Time `json:"created_at"`
}
