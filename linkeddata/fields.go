package linkeddata

// publicFields says, for every JSON key of register.PublicProcessing (as a
// dotted path through its structs and lists), which key of the JSON-LD node
// carries it. TestEveryPublicFieldIsMapped reflects over the type: a public
// field added to the register without a line here fails it, so nothing
// reaches the JSON and the CSV while silently missing from the linked data.
func publicFields() map[string]string {
	return map[string]string{
		"id":                            "id, identifier",
		"organisation":                  "organisation",
		"unit":                          "unit",
		"reference":                     "reference",
		"title":                         "title",
		"purpose":                       "purpose.description",
		"description":                   "description",
		"public_summary":                "public_summary",
		"controller.name":               "controller.name",
		"controller.contact":            "controller.contact",
		"joint_controllers.name":        "joint_controllers.members.name",
		"joint_controllers.contact":     "joint_controllers.members.contact",
		"processors.name":               "processors.name",
		"processors.country":            "processors.country",
		"legal_bases.type":              "legal_bases.type",
		"legal_bases.reference":         "legal_bases.label",
		"legal_bases.url":               "legal_bases.url",
		"legal_bases.level":             "legal_bases.level",
		"data_subjects":                 "data_subjects.label",
		"data_categories.name":          "data_categories.label",
		"data_categories.sensitive":     "data_categories.type",
		"sources":                       "sources.label",
		"recipients.name":               "recipients.name",
		"recipients.type":               "recipients.type",
		"recipients.country":            "recipients.country",
		"transfers.country":             "transfers.third_country",
		"transfers.safeguard":           "transfers.safeguard.type",
		"transfers.details":             "transfers.details",
		"transfers.recipient_certified": "transfers.recipient_certified",
		"accesses.institution":          "accesses.name",
		"accesses.legal_basis":          "accesses.legal_basis",
		"accesses.scope":                "accesses.scope",
		"retention.period":              "retention.period",
		"retention.trigger":             "retention.trigger",
		"retention.disposal":            "retention.disposal",
		"security_measures.category":    "security_measures",
		"automated_decision":            "automated_decision, context",
		"profiling":                     "profiling, operations",
		"dpia.required":                 "dpia.required",
		"dpia.status":                   "dpia.status",
		"dpia.completed_on":             "dpia.completed_on",
		"version":                       "version",
		"published_at":                  "published_at",
	}
}
