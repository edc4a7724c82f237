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

		{method: http.MethodGet, pattern: "/api/v1/organisations", roles: anyRole(), h: s.listOrganisations},
		{method: http.MethodPost, pattern: "/api/v1/organisations", roles: admin, h: s.createOrganisation},
		{method: http.MethodGet, pattern: "/api/v1/organisations/{org}", roles: anyRole(), h: s.getOrganisation},
		{method: http.MethodPut, pattern: "/api/v1/organisations/{org}", roles: dpo, h: s.updateOrganisation},
		{method: http.MethodGet, pattern: "/api/v1/organisations/{org}/units", roles: anyRole(), h: s.listUnits},
		{method: http.MethodPost, pattern: "/api/v1/organisations/{org}/units", roles: dpo, h: s.createUnit},

		{method: http.MethodGet, pattern: "/api/v1/processings", roles: anyRole(), h: s.listProcessings},
		{method: http.MethodPost, pattern: "/api/v1/processings", roles: writers, h: s.createProcessing},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}", roles: anyRole(), h: s.getProcessing},
		{method: http.MethodPut, pattern: "/api/v1/processings/{id}", roles: writers, h: s.updateProcessing},
		{method: http.MethodDelete, pattern: "/api/v1/processings/{id}", roles: dpo, h: s.deleteProcessing},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/submit", roles: register.StepRoles(register.StepSubmit), h: s.step(register.StepSubmit)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/return", roles: register.StepRoles(register.StepReturn), h: s.step(register.StepReturn)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/publish", roles: register.StepRoles(register.StepPublish), h: s.step(register.StepPublish)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/archive", roles: register.StepRoles(register.StepArchive), h: s.step(register.StepArchive)},
		{method: http.MethodPost, pattern: "/api/v1/processings/{id}/overrides", roles: dpo, h: s.overrideFinding},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/versions", roles: anyRole(), h: s.listVersions},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/versions/{n}", roles: anyRole(), h: s.getVersion},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/history", roles: anyRole(), h: s.history},
		{method: http.MethodGet, pattern: "/api/v1/processings/{id}/notice.pdf", roles: anyRole(), h: s.previewNoticePDF, summary: "preview of the notice (PDF), any state"},

		{method: http.MethodGet, pattern: "/api/v1/users", roles: admin, h: s.listUsers},
		{method: http.MethodPost, pattern: "/api/v1/users", roles: admin, h: s.createUser},
		{method: http.MethodDelete, pattern: "/api/v1/users/{username}", roles: admin, h: s.deleteUser},
		{method: http.MethodPost, pattern: "/api/v1/auth/login", h: s.login},
		{method: http.MethodPost, pattern: "/api/v1/auth/logout", roles: anyRole(), h: s.logout},

		{method: http.MethodGet, pattern: "/public/v1/organisations", h: s.publicOrganisations, summary: "organisations with published processings"},
		{method: http.MethodGet, pattern: "/public/v1/organisations/{org}", h: s.publicOrganisation, summary: "one organisation of the public register"},
		{method: http.MethodGet, pattern: "/public/v1/processings", h: s.publicProcessings, summary: "search published processings"},
		{method: http.MethodGet, pattern: "/public/v1/processings/{id}", h: s.publicProcessing, summary: "one published processing"},
		{method: http.MethodGet, pattern: "/public/v1/processings/{id}/notice.pdf", h: s.publicNoticePDF, summary: "the transparency notice (PDF)"},
		{method: http.MethodGet, pattern: "/public/v1/organisations/{org}/register.pdf", h: s.publicRegisterPDF, summary: "the organisation's public register (PDF)"},
		{method: http.MethodGet, pattern: "/public/v1/processings.csv", h: s.publicCSV, summary: "the public register as CSV"},
		{method: http.MethodGet, pattern: "/public/v1/feed.atom", h: s.publicFeed, summary: "Atom feed of publications and archivings"},
		{method: http.MethodGet, pattern: "/{$}", h: s.page(s.homePage), summary: "public pages: home and search"},
		{method: http.MethodGet, pattern: "/organisations/{org}", h: s.page(s.organisationPage), summary: "public pages: an organisation"},
		{method: http.MethodGet, pattern: "/processings/{id}", h: s.page(s.processingPage), summary: "public pages: a processing"},
		{method: http.MethodGet, pattern: "/static/{file}", h: s.staticAsset, summary: "stylesheet of the public pages"},

		{method: http.MethodGet, pattern: "/api/v1/export", roles: admin, h: s.export, summary: "the whole register as one JSON document"},
		{method: http.MethodPost, pattern: "/api/v1/import", roles: dpo, h: s.importCSV, summary: "a spreadsheet (CSV) becomes drafts"},
		{method: http.MethodGet, pattern: "/api/v1/compliance", roles: readers, h: s.compliance},
		{method: http.MethodGet, pattern: "/api/v1/compliance/report.pdf", roles: readers, h: s.complianceReportPDF, summary: "the auditor's report (PDF)"},
		{method: http.MethodGet, pattern: "/api/v1/audit", roles: readers, h: s.listAudit},
		{method: http.MethodGet, pattern: "/api/v1/audit/verify", roles: readers, h: s.verifyAudit},
	}
}
