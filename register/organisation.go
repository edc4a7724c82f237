package register

import "time"

// Organisation is a public body that keeps a register: the canton, a city,
// a public establishment. Its contacts are public.
type Organisation struct {
	Slug         string    `json:"slug" validate:"required,slug"`
	Name         string    `json:"name" validate:"required,min=2,max=200"`
	Address      string    `json:"address" validate:"max=500"`
	Website      string    `json:"website" validate:"omitempty,httpurl,max=500"`
	DPOContact   string    `json:"dpo_contact" validate:"max=500,contact"`
	LIPADContact string    `json:"lipad_contact" validate:"max=500,contact"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// OrganisationContacts are the fields a DPO may change on their organisation.
type OrganisationContacts struct {
	Address      string `json:"address" validate:"max=500"`
	Website      string `json:"website" validate:"omitempty,httpurl,max=500"`
	DPOContact   string `json:"dpo_contact" validate:"max=500,contact"`
	LIPADContact string `json:"lipad_contact" validate:"max=500,contact"`
}

// Unit is a department of an organisation; editors write in their units.
type Unit struct {
	Organisation string    `json:"organisation"`
	Slug         string    `json:"slug" validate:"required,slug"`
	Name         string    `json:"name" validate:"required,min=2,max=200"`
	CreatedAt    time.Time `json:"created_at"`
}
