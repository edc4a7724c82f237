package server

import (
	"net/http"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
)

// routeTable is the whole API on one page. The roles of the workflow steps
// are read from the domain's workflow table (register.StepRoles), the one
// place that decides them. The OpenAPI document
// (openapi.json) describes exactly these routes; a test holds them together.
func (s *Server) routeTable() []route {
	admin := []auth.Role{auth.RoleAdmin}
	dpo := []auth.Role{auth.RoleAdmin, auth.RoleDPO}
	writers := []auth.Role{auth.RoleAdmin, auth.RoleDPO, auth.RoleEditor}
	readers := []auth.Role{auth.RoleAdmin, auth.RoleDPO, auth.RoleAuditor}
	return []route{
		{method: http.MethodGet, pattern: "/healthz", h: s.healthz, summary: "the process is alive"},
		{method: http.MethodGet, pattern: "/readyz", h: s.readyz, summary: "the database is reachable"},
		{method: http.MethodGet, pattern: "/api/openapi.json", h: s.openAPI, summary: "this API as OpenAPI 3.1"},

		{method: http.MethodGet, pattern: "/api/v1/organisations", roles: anyRole(), h: s.api.ListOrganisations},
		{method: http.MethodPost, pattern: "/api/v1/organisations", roles: admin, h: s.api.CreateOrganisation},
		{method: http.MethodGet, pattern: "/api/v1/organisations/{org}", roles: anyRole(), h: s.api.GetOrganisation},
		{method: http.MethodPut, pattern: "/api/v1/organisations/{org}", roles: dpo, h: s.api.UpdateOrganisation},
		{method: http.MethodGet, pattern: "/api/v1/organisations/{org}/units", roles: anyRole(), h: s.api.ListUnits},
		{method: http.MethodPost, pattern: "/api/v1/organisations/{org}/units", roles: dpo, h: s.api.CreateUnit},
		{method: http.MethodPatch, pattern: "/api/v1/organisations/{org}/units/{unit}", roles: dpo, h: s.api.RenameUnit},
		{method: http.MethodDelete, pattern: "/api/v1/organisations/{org}/units/{unit}", roles: dpo, h: s.api.DeleteUnit},

		// Review campaigns (issue 20, docs/reviews.md).
		{method: http.MethodGet, pattern: "/api/v1/organisations/{org}/campaigns", roles: anyRole(), h: s.api.ListCampaigns},
		{method: http.MethodPost, pattern: "/api/v1/organisations/{org}/campaigns", roles: dpo, h: s.api.OpenCampaign},
		{method: http.MethodGet, pattern: "/api/v1/campaigns/{id}", roles: anyRole(), h: s.api.CampaignProgress},
		{method: http.MethodPost, pattern: "/api/v1/campaigns/{id}/close", roles: dpo, h: s.api.CloseCampaign},
		{method: http.MethodPost, pattern: "/api/v1/campaigns/{id}/tasks/{processing}/confirm", roles: writers, h: s.api.ConfirmReview},
		{method: http.MethodPost, pattern: "/api/v1/campaigns/{id}/tasks/{processing}/changes", roles: writers, h: s.api.RequestChanges},
		{method: http.MethodGet, pattern: "/api/v1/organisations/{org}/reminders", roles: anyRole(), h: s.api.ReminderSettings},
		{method: http.MethodPut, pattern: "/api/v1/organisations/{org}/reminders", roles: dpo, h: s.api.SetReminderSettings},
		{method: http.MethodGet, pattern: "/api/v1/me/reminders", roles: anyRole(), h: s.api.MyReminders},
		{method: http.MethodGet, pattern: "/api/v1/me/tasks", roles: anyRole(), h: s.api.MyTasks},
		{method: http.MethodPut, pattern: "/api/v1/me/reminders", roles: anyRole(), h: s.api.SetMyReminders},

		{method: http.MethodGet, pattern: "/api/v1/processings", roles: anyRole(), h: s.api.ListProcessings},
		{method: http.MethodPost, pattern: "/api/v1/processings", roles: writers, h: s.api.CreateProcessing},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}", roles: anyRole(), h: s.api.GetProcessing},
		{method: http.MethodGet, pattern: "/api/v1/processings.xlsx", roles: anyRole(), h: s.api.RegisterXLSX, summary: "the organisation's register as an XLSX workbook"},
		{method: http.MethodPut, pattern: "/api/v1/processings/{id}", roles: writers, h: s.api.UpdateProcessing},
		{method: http.MethodDelete, pattern: "/api/v1/processings/{id}", roles: dpo, h: s.api.DeleteProcessing},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/submit", roles: register.StepRoles(register.StepSubmit), h: s.api.Step(register.StepSubmit)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/return", roles: register.StepRoles(register.StepReturn), h: s.api.Step(register.StepReturn)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/publish", roles: register.StepRoles(register.StepPublish), h: s.api.Step(register.StepPublish)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/archive", roles: register.StepRoles(register.StepArchive), h: s.api.Step(register.StepArchive)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/overrides", roles: dpo, h: s.api.OverrideFinding},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/versions", roles: anyRole(), h: s.api.ListVersions},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/versions/{n}", roles: anyRole(), h: s.api.GetVersion},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/notes", roles: anyRole(), h: s.api.ReviewNotes},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/history", roles: anyRole(), h: s.api.History},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/notice.pdf", roles: anyRole(), h: s.previewNoticePDF, summary: "preview of the notice (PDF), any state"},

		{method: http.MethodGet, pattern: "/api/v1/users", roles: admin, h: s.api.ListUsers},
		{method: http.MethodPost, pattern: "/api/v1/users", roles: admin, h: s.api.CreateUser},
		{method: http.MethodPatch, pattern: "/api/v1/users/{username}", roles: admin, h: s.api.UpdateUser},
		{method: http.MethodDelete, pattern: "/api/v1/users/{username}", roles: admin, h: s.api.DeleteUser},
		{method: http.MethodPost, pattern: "/api/v1/auth/login", h: s.api.Login},
		{method: http.MethodPost, pattern: "/api/v1/auth/logout", roles: anyRole(), h: s.api.Logout},

		{method: http.MethodGet, pattern: "/public/v1/organisations", h: s.pub.PublicOrganisations, summary: "organisations with published processings"},
		{method: http.MethodGet, pattern: "/public/v1/organisations/{org}", h: s.pub.PublicOrganisation, summary: "one organisation of the public register"},
		{method: http.MethodGet, pattern: "/public/v1/processings", h: s.pub.PublicProcessings, summary: "search published processings"},
		{method: http.MethodGet, pattern: "/public/v1/processings/{id}", h: s.pub.PublicProcessing, summary: "one published processing"},
		{method: http.MethodGet, pattern: "/public/v1/processings/{id}/notice.pdf", h: s.pub.PublicNoticePDF, summary: "the transparency notice (PDF)"},
		{method: http.MethodGet, pattern: "/public/v1/organisations/{org}/register.pdf", h: s.pub.PublicRegisterPDF, summary: "the organisation's public register (PDF)"},
		{method: http.MethodGet, pattern: "/public/v1/processings.csv", h: s.pub.PublicCSV, summary: "the public register as CSV"},
		{method: http.MethodGet, pattern: "/public/v1/feed.atom", h: s.pub.PublicFeed, summary: "Atom feed of publications and archivings"},
		{method: http.MethodGet, pattern: "/public/v1/log/checkpoint", h: s.pub.PublicLogCheckpoint, summary: "transparency log: latest signed checkpoint"},
		{method: http.MethodGet, pattern: "/public/v1/log/keys", h: s.pub.PublicLogKeys, summary: "transparency log: public keys"},
		{method: http.MethodGet, pattern: "/public/v1/log/records/{index}", h: s.pub.PublicLogRecord, summary: "transparency log: one record"},
		{method: http.MethodGet, pattern: "/public/v1/log/inclusion", h: s.pub.PublicLogInclusion, summary: "transparency log: inclusion proof of a record"},
		{method: http.MethodGet, pattern: "/public/v1/log/consistency", h: s.pub.PublicLogConsistency, summary: "transparency log: consistency proof between two sizes"},
		{method: http.MethodGet, pattern: "/public/v1/processings/{id}/dpv.jsonld", h: s.pub.PublicProcessingLD, summary: "one published processing as JSON-LD (W3C DPV)"},
		{method: http.MethodGet, pattern: "/public/v1/processings.jsonld", h: s.pub.PublicGraphLD, summary: "the public register as JSON-LD (W3C DPV)"},
		{method: http.MethodGet, pattern: "/public/v1/context.jsonld", h: s.pub.PublicContextLD, summary: "the JSON-LD context of the linked data"},
		{method: http.MethodGet, pattern: "/public/v1/catalog.rdf", h: s.pub.PublicCatalogue, summary: "DCAT-AP CH catalogue of the open data (RDF/XML)"},
		{method: http.MethodGet, pattern: "/{$}", h: s.pub.HomePage, summary: "public pages: home and search"},
		{method: http.MethodGet, pattern: "/organisations/{org}", h: s.pub.OrganisationPage, summary: "public pages: an organisation"},
		{method: http.MethodGet, pattern: "/processings/{id}", h: s.pub.ProcessingPage, summary: "public pages: a processing"},
		{method: http.MethodGet, pattern: "/static/{file}", h: s.pub.StaticAsset, summary: "stylesheet of the public pages"},

		{method: http.MethodGet, pattern: "/api/v1/export", roles: admin, h: s.api.Export, summary: "the whole register as one JSON document"},
		{method: http.MethodPost, pattern: "/api/v1/import", roles: dpo, h: s.api.ImportCSV, summary: "a spreadsheet (CSV) becomes drafts"},
		{method: http.MethodGet, pattern: "/api/v1/compliance", roles: readers, h: s.api.Compliance},
		{method: http.MethodGet, pattern: "/api/v1/compliance/report.pdf", roles: readers, h: s.complianceReportPDF, summary: "the auditor's report (PDF)"},
		{method: http.MethodGet, pattern: "/api/v1/audit", roles: readers, h: s.api.ListAudit},
		{method: http.MethodGet, pattern: "/api/v1/audit/verify", roles: readers, h: s.api.VerifyAudit},
	}
}
