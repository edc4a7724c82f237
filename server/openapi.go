package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/jsonapi"

	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/server/publicsite"
	"github.com/registre/registre/spreadsheet"
)

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	return httpkit.WriteRaw(w, http.StatusOK, "application/json", s.openapi)
}

// The OpenAPI 3.1 document is built once from two sources: the operations
// documented in apiDocs (by hand: summaries, parameters, bodies, statuses)
// and the Go types of the bodies (by reflection: schemas never drift from
// the JSON the service really reads and writes). TestOpenAPIMatchesRoutes
// holds apiDocs to the routes actually served.

// param documents a query parameter.
type param struct {
	name, typ, desc string
	enum            []string
}

// op documents one operation.
type op struct {
	method, path string
	summary      string
	tag          string
	query        []param
	body         any    // request body type (a value of it), nil for none
	bodyType     string // request media type; default application/json
	status       int    // success status
	resp         any    // response body type (a value of it), nil for none
	respType     string // response media type; default application/json
	errors       []int
	ifMatch      bool // takes If-Match
}

type listOf[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// cursorListOf is a list that can be walked by cursor.
type cursorListOf[T any] struct {
	Items         []T    `json:"items"`
	Total         int    `json:"total"`
	Page          int    `json:"page"`
	PerPage       int    `json:"per_page"`
	TotalIsCapped bool   `json:"total_is_capped,omitempty"`
	Cursor        string `json:"cursor,omitempty"`
}

type status struct {
	Status string `json:"status"`
}

type csvImportResult struct {
	Imported int                   `json:"imported"`
	Items    []register.Processing `json:"items"`
}

// reminderSettingsBody and myRemindersBody are the bodies of the PUTs of
// reminders (server/jsonapi/reminders.go); the read-only organisation and
// username may be sent back and are ignored.
type reminderSettingsBody struct {
	Frequency string `json:"frequency"`
	Hour      int    `json:"hour"`
}

type myRemindersBody struct {
	OptOut bool   `json:"opt_out"`
	Lang   string `json:"lang"`
}

type returnBody struct {
	Comment string            `json:"comment"`
	Notes   map[string]string `json:"notes,omitempty"`
}

func pageParams(extra ...param) []param {
	return append(extra,
		param{name: "page", typ: "integer", desc: "page number, from 1"},
		param{name: "per_page", typ: "integer", desc: "items per page, 1 to 200 (default 50)"})
}

func langParam() param {
	return param{name: "lang", typ: "string", enum: []string{"fr", "en"}, desc: "language; default from Accept-Language, else fr"}
}

func apiDocs() []op {
	errsRead := []int{401, 403, 404}
	errsWrite := func(more ...int) []int { return append([]int{400, 401, 403, 404, 413, 415, 422, 503}, more...) }
	errsStep := func(more ...int) []int { return append([]int{400, 401, 403, 404, 409, 412, 413, 503}, more...) }
	statuses := []string{"draft", "in_review", "published", "archived"}
	var sortKeys []string
	for _, k := range []string{"updated", "title", "reference", "unit", "status", "version", "blocking"} {
		sortKeys = append(sortKeys, k, "-"+k)
	}
	return []op{
		{method: "GET", path: "/healthz", summary: "The process is alive", tag: "service", status: 200, resp: status{}},
		{method: "GET", path: "/readyz", summary: "The database is reachable", tag: "service", status: 200, resp: status{}, errors: []int{503}},
		{method: "GET", path: "/api/openapi.json", summary: "This document", tag: "service", status: 200, resp: map[string]any{}},

		{method: "GET", path: "/api/v1/organisations", summary: "Organisations the caller may see", tag: "organisations", status: 200, resp: listOf[register.Organisation]{}, errors: errsRead},
		{method: "POST", path: "/api/v1/organisations", summary: "Create an organisation", tag: "organisations", body: register.Organisation{}, status: 201, resp: register.Organisation{}, errors: errsWrite(409)},
		{method: "GET", path: "/api/v1/organisations/{org}", summary: "One organisation", tag: "organisations", status: 200, resp: register.Organisation{}, errors: errsRead},
		{method: "PUT", path: "/api/v1/organisations/{org}", summary: "Change an organisation (admin: name and contacts; dpo: contacts)", tag: "organisations", body: register.Organisation{}, status: 200, resp: register.Organisation{}, errors: errsWrite()},
		{method: "GET", path: "/api/v1/organisations/{org}/units", summary: "Units of an organisation", tag: "organisations", status: 200, resp: listOf[register.Unit]{}, errors: errsRead},
		{method: "POST", path: "/api/v1/organisations/{org}/units", summary: "Create a unit", tag: "organisations", body: register.Unit{}, status: 201, resp: register.Unit{}, errors: errsWrite(409)},
		{method: "DELETE", path: "/api/v1/organisations/{org}/units/{unit}", summary: "Remove a unit that nothing refers to (409 while a processing in any status, an account, a review campaign or an import under way names it)", tag: "organisations", status: 204, errors: []int{401, 403, 404, 409}},
		{method: "PATCH", path: "/api/v1/organisations/{org}/units/{unit}", summary: "Rename a unit (its identifier stays; published versions keep the name they were published with)", tag: "organisations", body: register.UnitRename{}, status: 200, resp: register.Unit{}, errors: errsWrite(404)},

		{method: "GET", path: "/api/v1/organisations/{org}/campaigns", summary: "Review campaigns of an organisation, latest first", tag: "campaigns", status: 200, resp: listOf[register.Campaign]{}, errors: errsRead},
		{method: "POST", path: "/api/v1/organisations/{org}/campaigns", summary: "Open a review campaign over the organisation (units: []) or some units, due on a date: a task for every processing in the public register in scope", tag: "campaigns", body: register.CampaignInput{}, status: 201, resp: register.CampaignProgress{}, errors: errsWrite()},
		{method: "GET", path: "/api/v1/me/tasks", summary: "The caller's open review tasks in open campaigns (an editor's units, a DPO's whole organisation), overdue first; auditors take none (403)", tag: "campaigns", status: 200, resp: listOf[register.MyTask]{}, errors: []int{401, 403}},
		{method: "GET", path: "/api/v1/campaigns/{id}", summary: "A campaign's progress: per unit and in all, total, confirmed, changes, open, overdue (open and past the due date or closed), and its tasks", tag: "campaigns", status: 200, resp: register.CampaignProgress{}, errors: errsRead},
		{method: "POST", path: "/api/v1/campaigns/{id}/close", summary: "Close a campaign; tasks left open stay, overdue", tag: "campaigns", status: 200, resp: register.CampaignProgress{}, errors: []int{401, 403, 404, 409, 503}},
		{method: "POST", path: "/api/v1/campaigns/{id}/tasks/{processing}/confirm", summary: "Still accurate: a review event (who, when) moving reviewed_at to now and review_due a year on, without a new version or touching the published content; audited", tag: "campaigns", status: 200, resp: register.Processing{}, errors: []int{401, 403, 404, 409, 412, 503}},
		{method: "POST", path: "/api/v1/campaigns/{id}/tasks/{processing}/changes", summary: "Needs changes: opens a draft (version + 1) of a published processing, which goes through the normal review; audited", tag: "campaigns", status: 200, resp: register.Processing{}, errors: []int{401, 403, 404, 409, 412, 503}},
		{method: "GET", path: "/api/v1/organisations/{org}/reminders", summary: "When the organisation's reminder digests go out: frequency (daily, or weekly on Mondays) and local hour (Europe/Zurich); weekly at 7 unless chosen", tag: "reminders", status: 200, resp: register.ReminderSettings{}, errors: errsRead},
		{method: "PUT", path: "/api/v1/organisations/{org}/reminders", summary: "Choose when the organisation's digests go out ({\"frequency\":\"daily\"|\"weekly\",\"hour\":0..23}); audited as reminders.settings", tag: "reminders", body: reminderSettingsBody{}, status: 200, resp: register.ReminderSettings{}, errors: errsWrite()},
		{method: "GET", path: "/api/v1/me/reminders", summary: "The caller's reminder preferences: opted out or not, language of the digest and feed (fr by default)", tag: "reminders", status: 200, resp: register.ReminderPrefs{}, errors: []int{401}},
		{method: "PUT", path: "/api/v1/me/reminders", summary: "Opt out of (or back into) the digests, choose their language; the private feed's address is made on the account page only, where it is shown once", tag: "reminders", body: myRemindersBody{}, status: 200, resp: register.ReminderPrefs{}, errors: []int{400, 401, 413, 415, 422, 503}},
		{method: "GET", path: "/api/v1/processings", summary: "List processings of the caller's organisation", tag: "processings",
			query: pageParams(
				param{name: "unit", typ: "string", desc: "unit slug"},
				param{name: "status", typ: "string", enum: statuses},
				param{name: "q", typ: "string", desc: "words in title, purpose, reference or description, ranked by relevance; case, accents and French or English word forms ignored; the last word also matches as a prefix"},
				param{name: "org", typ: "string", desc: "organisation slug (admin only)"},
				param{name: "cursor", typ: "string", desc: "the cursor of the previous page: the next page, as fast as the first (page is then ignored); refused with other filters or another sort"},
				param{name: "sensitive", typ: "boolean", desc: "holds sensitive data, or not"},
				param{name: "blocking", typ: "boolean", desc: "has findings that block publication (as of the last check), or not"},
				param{name: "overdue", typ: "boolean", desc: "true: only those whose planned review date has passed (Europe/Zurich)"},
				param{name: "view", typ: "string", enum: []string{"my-drafts", "returned", "to-review"}, desc: "drafts the caller created or last changed; drafts returned to the caller; records in review"},
				param{name: "sort", typ: "string", enum: sortKeys, desc: "order by this column, ascending, or descending with a leading '-' (default -updated; with q and no sort, by relevance); reference, unit and version only within one organisation (an administrator names it with org, else 422)"}),
			status: 200, resp: cursorListOf[register.Processing]{}, errors: []int{400, 401, 403, 422}},
		{method: "POST", path: "/api/v1/processings", summary: "Create a draft (version 1)", tag: "processings", body: register.Processing{}, status: 201, resp: register.Processing{}, errors: errsWrite()},
		{method: "GET", path: "/api/v1/processings/{id}", summary: "One processing, current version", tag: "processings", status: 200, resp: register.Processing{}, errors: errsRead},
		{method: "PUT", path: "/api/v1/processings/{id}", summary: "Replace the content; saves version + 1 (a published processing gets a new draft)", tag: "processings", body: register.Processing{}, ifMatch: true, status: 200, resp: register.Processing{}, errors: errsWrite(409, 412, 428)},
		{method: "DELETE", path: "/api/v1/processings/{id}", summary: "Delete a draft that was never published", tag: "processings", ifMatch: true, status: 204, errors: []int{401, 403, 404, 409, 412}},
		{method: "POST", path: "/api/v1/processings/{id}/submit", summary: "draft → in_review", tag: "workflow", ifMatch: true, status: 200, resp: register.Processing{}, errors: errsStep()},
		{method: "POST", path: "/api/v1/processings/{id}/return", summary: "in_review → draft, with an optional comment kept in the history", tag: "workflow", body: returnBody{}, ifMatch: true, status: 200, resp: register.Processing{}, errors: errsStep(415, 422)},
		{method: "POST", path: "/api/v1/processings/{id}/publish", summary: "in_review → published; 422 with the blocking findings when a legal item is missing", tag: "workflow", ifMatch: true, status: 200, resp: register.Processing{}, errors: errsStep(422)},
		{method: "POST", path: "/api/v1/processings/{id}/overrides", summary: "A DPO overrules one blocking finding (rule and field) with a written justification; audited, shown in findings, lapses when the field changes", tag: "compliance", body: register.OverrideInput{}, ifMatch: true, status: 200, resp: register.Processing{}, errors: errsStep(400, 415, 422)},
		{method: "POST", path: "/api/v1/processings/{id}/archive", summary: "Ends a processing that was published, also with a newer draft pending (kept unpublished in the history): it leaves the public register, whose URL then answers 410 with the end date (default today) and public reason", tag: "workflow", body: register.EndInput{}, ifMatch: true, status: 200, resp: register.Processing{}, errors: errsStep(415, 422)},
		{method: "GET", path: "/api/v1/processings/{id}/versions", summary: "Every saved version, newest first", tag: "processings", status: 200, resp: listOf[register.Processing]{}, errors: errsRead},
		{method: "GET", path: "/api/v1/processings/{id}/versions/{n}", summary: "One version as it was saved (published versions never change)", tag: "processings", status: 200, resp: register.Processing{}, errors: errsRead},
		{method: "GET", path: "/api/v1/processings/{id}/notes", summary: "The DPO's comments on fields given with each return, the latest return first", tag: "workflow", status: 200, resp: listOf[register.ReviewNote]{}, errors: errsRead},
		{method: "GET", path: "/api/v1/processings/{id}/history", summary: "Audit entries of one processing (review comments included), for every role of its organisation", tag: "processings", status: 200, resp: listOf[register.AuditEntry]{}, errors: errsRead},

		{method: "GET", path: "/api/v1/processings/{id}/notice.pdf", summary: "Preview of the transparency notice (PDF) of the current version, in any state", tag: "documents", query: []param{langParam()}, status: 200, resp: "", respType: "application/pdf", errors: []int{401, 404, 422, 429, 500}},
		{method: "GET", path: "/api/v1/compliance/report.pdf", summary: "The auditor's report (PDF): completeness over every processing; findings per processing and law, overdue reviews and DPIAs of at most 200 processings (those with the most blocking findings first); recent changes; audit chain. Drawn in report slots of its own (429 when busy)", tag: "documents",
			query: []param{langParam(), {name: "org", typ: "string", desc: "organisation slug (required for admin)"}}, status: 200, resp: "", respType: "application/pdf", errors: []int{401, 403, 404, 422, 429, 500}},
		{method: "GET", path: "/public/v1/organisations", summary: "Organisations with at least one published processing, by name", tag: "public", status: 200, resp: listOf[register.PublicOrganisation]{}},
		{method: "GET", path: "/public/v1/organisations/{org}", summary: "One organisation of the public register (404 when it has nothing published)", tag: "public", status: 200, resp: register.PublicOrganisation{}, errors: []int{404}},
		{method: "GET", path: "/public/v1/processings", summary: "Search published processings, ranked by relevance when q is given (else by organisation and title); items are the public JSON as stored. A search's total stops counting at 10,000 (total_is_capped)", tag: "public",
			query: pageParams(
				param{name: "org", typ: "string", desc: "organisation slug"},
				param{name: "q", typ: "string", desc: "words in title, purpose, reference, description or public summary; case and accents ignored, French and English word forms, the last word as a prefix"},
				param{name: "cursor", typ: "string", desc: "the cursor of the previous page: the next page, as fast as the first (page is then ignored)"},
				param{name: "category", typ: "string", desc: "a data category name (case and accents ignored)"},
				param{name: "sensitive", typ: "boolean", desc: "only processings with (true) or without (false) sensitive data"},
				param{name: "legal_basis", typ: "string", enum: []string{"law", "legal_obligation", "public_task", "consent", "contract", "vital_interest", "legitimate_interest"}},
				param{name: "include", typ: "string", enum: []string{"ended"}, desc: "ended: add \"ended\", the processings of the organisation (or of all) that ended, latest first, each {id, organisation, title, ended_on, reason}"}),
			status: 200, resp: cursorListOf[register.PublicProcessing]{}, errors: []int{400, 422}},
		{method: "GET", path: "/public/v1/processings/{id}", summary: "The last published version of a processing (ETag, Last-Modified, 304); 410 Gone with {id, organisation, title, ended_on, reason} once it ended", tag: "public", status: 200, resp: register.PublicProcessing{}, errors: []int{404, 410}},
		{method: "GET", path: "/public/v1/processings.csv", summary: "Open data: the public register as RFC 4180 CSV (docs/public.md lists the columns)", tag: "public",
			query:  []param{{name: "org", typ: "string", desc: "organisation slug"}, {name: "bom", typ: "boolean", desc: "true: start with a UTF-8 byte order mark, for spreadsheets"}},
			status: 200, resp: "", respType: "text/csv", errors: []int{404}},
		{method: "GET", path: "/public/v1/feed.atom", summary: "Atom feed of the latest publications and archivings", tag: "public",
			query:  []param{{name: "org", typ: "string", desc: "organisation slug"}, langParam()},
			status: 200, resp: "", respType: "application/atom+xml", errors: []int{404}},
		// Transparency log of publications (docs/transparency-log.md).
		{method: "GET", path: "/public/v1/log/checkpoint", summary: "Transparency log: the latest checkpoint, a C2SP signed note (origin, size, base64 RFC 6962 root; signatures name their key)", tag: "log", status: 200, resp: "", respType: "text/plain", errors: []int{404}},
		{method: "GET", path: "/public/v1/log/keys", summary: "Transparency log: every key that signed checkpoints, newest first, one note verifier key (name+hash+base64) a line", tag: "log", status: 200, resp: "", respType: "text/plain", errors: []int{404}},
		{method: "GET", path: "/public/v1/log/records/{index}", summary: "Transparency log: record index (from 0); record is the text the log hashes", tag: "log", status: 200, resp: publicsite.LogRecord{}, errors: []int{404}},
		{method: "GET", path: "/public/v1/log/inclusion", summary: "Transparency log: inclusion proof of one record in the log now, with its checkpoint; give index, or processing and the sha256 of its public JSON, or processing and version", tag: "log",
			query:  []param{{name: "index", typ: "integer"}, {name: "sha256", typ: "string", desc: "SHA-256 (hex) of the public JSON as stored (the body of /public/v1/processings/{id} without its final newline)"}, {name: "processing", typ: "string"}, {name: "version", typ: "integer"}},
			status: 200, resp: publicsite.LogInclusionDoc{}, errors: []int{400, 404, 422}},
		{method: "GET", path: "/public/v1/log/consistency", summary: "Transparency log: consistency proof from a tree of from records to one of to records (to absent: the log now, with its checkpoint)", tag: "log",
			query:  []param{{name: "from", typ: "integer"}, {name: "to", typ: "integer"}},
			status: 200, resp: publicsite.LogConsistencyDoc{}, errors: []int{400, 404, 422}},
		{method: "GET", path: "/public/v1/processings/{id}/dpv.jsonld", summary: "Linked data: a published processing as JSON-LD with the W3C Data Privacy Vocabulary (also GET /public/v1/processings/{id} with Accept: application/ld+json; docs/open-data.md)", tag: "public", status: 200, resp: "", respType: "application/ld+json", errors: []int{404}},
		{method: "GET", path: "/public/v1/processings.jsonld", summary: "Linked data: the public register (or one organisation) as one JSON-LD graph", tag: "public",
			query: []param{{name: "org", typ: "string", desc: "organisation slug"}}, status: 200, resp: "", respType: "application/ld+json", errors: []int{404}},
		{method: "GET", path: "/public/v1/context.jsonld", summary: "Linked data: the JSON-LD context the documents carry inline", tag: "public", status: 200, resp: "", respType: "application/ld+json"},
		{method: "GET", path: "/public/v1/catalog.rdf", summary: "DCAT-AP CH 2.0 catalogue of the open data in RDF/XML, as opendata.swiss harvests it (one dataset per organisation)", tag: "public",
			query: []param{{name: "org", typ: "string", desc: "organisation slug: its dataset only"}}, status: 200, resp: "", respType: "application/rdf+xml", errors: []int{404}},
		{method: "GET", path: "/{$}", summary: "Public pages: home, search and results (HTML)", tag: "pages",
			query:  []param{{name: "q", typ: "string"}, {name: "org", typ: "string"}, {name: "sensitive", typ: "boolean"}, {name: "page", typ: "integer"}, langParam()},
			status: 200, resp: "", respType: "text/html"},
		{method: "GET", path: "/organisations/{org}", summary: "Public pages: an organisation, its contacts and its published processings (HTML)", tag: "pages", query: []param{{name: "page", typ: "integer"}, langParam()}, status: 200, resp: "", respType: "text/html", errors: []int{404}},
		{method: "GET", path: "/processings/{id}", summary: "Public pages: a published processing (HTML)", tag: "pages", query: []param{langParam()}, status: 200, resp: "", respType: "text/html", errors: []int{404}},
		{method: "GET", path: "/static/{file}", summary: "Stylesheet of the public pages (fingerprinted with ?v=)", tag: "pages", status: 200, resp: "", respType: "text/css", errors: []int{404}},
		{method: "GET", path: "/public/v1/processings/{id}/notice.pdf", summary: "The transparency notice (PDF) of a published processing; once it ended, 410 Gone with the same JSON body as the processing's ({id, organisation, title, ended_on, reason}) and a Link to its page", tag: "public", query: []param{langParam()}, status: 200, resp: "", respType: "application/pdf", errors: []int{404, 410, 422, 429, 500, 503}},
		{method: "GET", path: "/public/v1/organisations/{org}/register.pdf", summary: "The organisation's public register (PDF)", tag: "public", query: []param{langParam()}, status: 200, resp: "", respType: "application/pdf", errors: []int{404, 422, 429, 500, 503}},

		{method: "GET", path: "/api/v1/users", summary: "Local accounts (never passwords or hashes)", tag: "accounts", status: 200, resp: listOf[register.Account]{}, errors: []int{401, 403}},
		{method: "POST", path: "/api/v1/users", summary: "Create a local account (password: at least 12 characters, not weak: docs/security.md)", tag: "accounts", body: register.NewAccount{}, status: 201, resp: register.Account{}, errors: errsWrite(409)},
		{method: "PATCH", path: "/api/v1/users/{username}", summary: "Change an account's e-mail address, role, organisation or units, or disable it (its sessions and tokens end at once; 409 for the last active administrator)", tag: "accounts", body: register.AccountChange{}, status: 200, resp: register.Account{}, errors: errsWrite(404, 409)},
		{method: "DELETE", path: "/api/v1/users/{username}", summary: "Delete a local account; its tokens are refused from then on (409 for the last administrator)", tag: "accounts", status: 204, errors: []int{401, 403, 404, 409}},
		{method: "POST", path: "/api/v1/auth/login", summary: "Exchange a username and password for a token; same 401 for unknown user and wrong password; 429 with Retry-After after repeated failures", tag: "accounts", body: jsonapi.LoginRequest{}, status: 200, resp: jsonapi.LoginResponse{}, errors: []int{400, 401, 413, 415, 422, 429, 503}},
		{method: "POST", path: "/api/v1/auth/logout", summary: "Revoke the token this request carries (409 when it has no jti)", tag: "accounts", status: 204, errors: []int{401, 409}},

		{method: "POST", path: "/api/v1/import", summary: "Import a spreadsheet exported as CSV (text/csv), or an XLSX workbook (its first sheet with a column for the name of the processing; the unzipped size is checked first) (the CNIL register template's columns, French or English headers; docs/migrating.md): every row is checked first and every error named by line and column; then all rows become drafts, or none. Body at most 1 MiB (larger files: registre import --csv)", tag: "backup",
			query: []param{{name: "org", typ: "string", desc: "organisation slug (admin; dpo: their own)"}, {name: "unit", typ: "string", desc: "unit for rows without a unit column"}},
			body:  "", bodyType: "text/csv", status: 201, resp: csvImportResult{}, errors: []int{400, 401, 403, 404, 413, 415, 422}},
		{method: "GET", path: "/api/v1/processings.xlsx", summary: "The organisation's register as an XLSX workbook: one processing per row (its current version, any state, internal fields included), under the French headings the import reads, each cell in the import's grammar (docs/migrating.md), so that the workbook imports again as drafts", tag: "backup",
			query: []param{{name: "org", typ: "string", desc: "organisation slug (required for admin; others: their own)"}}, status: 200, resp: "", respType: spreadsheet.XLSXType, errors: []int{401, 403, 404, 422}},
		{method: "GET", path: "/api/v1/export", summary: "The whole register as one JSON document (organisations, units, processings, every version as saved, the public register, the audit trail); never accounts or keys", tag: "backup", status: 200, resp: register.Backup{}, errors: []int{401, 403}},
		{method: "GET", path: "/api/v1/compliance", summary: "One page of the organisation's compliance findings (by processing id, errors first, then rule), with the summary of all of them; total counts the findings of every page", tag: "compliance",
			query: pageParams(param{name: "org", typ: "string", desc: "organisation slug (admin; default all)"}), status: 200, resp: register.FindingsPage{}, errors: []int{400, 401, 403, 404, 422}},
		{method: "GET", path: "/api/v1/audit", summary: "The audit trail of the organisation, newest first; seq and prev_hash for administrators only (they would tell of other organisations' activity)", tag: "audit",
			query: pageParams(
				param{name: "since", typ: "string", desc: "RFC 3339 time or YYYY-MM-DD"},
				param{name: "until", typ: "string", desc: "RFC 3339 time or YYYY-MM-DD (exclusive)"},
				param{name: "actor", typ: "string"}, param{name: "target", typ: "string", desc: "e.g. processing/{id}"},
				param{name: "action", typ: "string"}, param{name: "org", typ: "string", desc: "organisation slug (admin only)"}),
			status: 200, resp: listOf[register.AuditEntry]{}, errors: []int{400, 401, 403, 422}},
		{method: "GET", path: "/api/v1/audit/verify", summary: "Verify the whole hash chain: ok for every reader; entries, head, first_bad_seq, reason and expected_head_found for administrators only", tag: "audit",
			query:  []param{{name: "head", typ: "string", desc: "administrators only (403 otherwise): a head saved earlier, SEQ:HASH, that the chain must pass through"}},
			status: 200, resp: register.VerifyResult{}, errors: []int{401, 403, 422}},
	}
}

// buildOpenAPI renders the document for the given routes.
func buildOpenAPI(routes []route, docs []op) ([]byte, error) {
	roles := map[string][]auth.Role{}
	for _, r := range routes {
		roles[r.method+" "+r.pattern] = r.roles
	}
	sg := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, o := range docs {
		key := o.method + " " + o.path
		rs, served := roles[key]
		if !served {
			return nil, fmt.Errorf("openapi: %s is documented but not served", key)
		}
		id := operationID(o.method, o.path)
		if o.tag == "pages" { // "/organisations/{org}" would clash with "/api/v1/organisations/{org}"
			id = operationID(o.method, "/page"+o.path)
		}
		operation := map[string]any{
			"operationId": id,
			"summary":     o.summary,
			"tags":        []string{o.tag},
		}
		if rs == nil {
			operation["security"] = []any{}
		} else {
			names := make([]string, len(rs))
			for i, r := range rs {
				names[i] = string(r)
			}
			operation["description"] = "Roles: " + strings.Join(names, ", ") + "."
			operation["security"] = []any{map[string]any{"bearer": []string{}}}
		}
		var params []any
		for _, name := range pathParams(o.path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range o.query {
			s := map[string]any{"type": q.typ}
			if q.enum != nil {
				s["enum"] = q.enum
			}
			p := map[string]any{"name": q.name, "in": "query", "schema": s}
			if q.desc != "" {
				p["description"] = q.desc
			}
			params = append(params, p)
		}
		if o.ifMatch {
			desc := "the ETag of the processing as last read; optional for workflow steps"
			if o.method == "PUT" {
				desc = "the ETag of the processing as last read (required; * is refused)"
			}
			params = append(params, map[string]any{"name": "If-Match", "in": "header", "required": o.method == "PUT", "description": desc, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			operation["parameters"] = params
		}
		if o.body != nil {
			ct := o.bodyType
			if ct == "" {
				ct = "application/json"
			}
			operation["requestBody"] = map[string]any{"required": o.path != "/api/v1/processings/{id}/return",
				"content": map[string]any{ct: map[string]any{"schema": sg.of(reflect.TypeOf(o.body))}}}
		}
		responses := map[string]any{}
		ok := map[string]any{"description": http.StatusText(o.status)}
		if o.resp != nil {
			ct := o.respType
			if ct == "" {
				ct = "application/json"
			}
			var schema any = map[string]any{"type": "string", "format": "binary"}
			if ct == "application/json" {
				schema = sg.of(reflect.TypeOf(o.resp))
			}
			ok["content"] = map[string]any{ct: map[string]any{"schema": schema}}
		}
		responses[fmt.Sprint(o.status)] = ok
		// Every request is checked before routing (httpkit/guard.go): a NUL byte or
		// invalid UTF-8 in its path or query is 400, and a foreign host name
		// without REGISTRE_PUBLIC_URL is 421 (but on the health probes).
		codes := append([]int{400}, o.errors...)
		if o.path != "/healthz" && o.path != "/readyz" {
			codes = append(codes, 421)
		}
		for _, code := range codes {
			responses[fmt.Sprint(code)] = map[string]any{"$ref": fmt.Sprintf("#/components/responses/E%d", code)}
		}
		docPath := strings.TrimSuffix(o.path, "{$}") // "/{$}" (exactly "/") is "/" in OpenAPI
		if paths[docPath] == nil {
			paths[docPath] = map[string]any{}
		}
		paths[docPath][strings.ToLower(o.method)] = withResponses(operation, responses)
	}
	for key := range roles {
		method, path, _ := strings.Cut(key, " ")
		if paths[strings.TrimSuffix(path, "{$}")][strings.ToLower(method)] == nil {
			return nil, fmt.Errorf("openapi: %s is served but not documented", key)
		}
	}
	errResponses := map[string]any{}
	for _, code := range []int{400, 401, 403, 404, 409, 412, 413, 415, 421, 422, 428, 429, 500, 503} {
		errResponses[fmt.Sprintf("E%d", code)] = map[string]any{
			"description": http.StatusText(code),
			"content":     map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}},
		}
	}
	sg.of(reflect.TypeOf(httpkit.Problem{}))
	// 410: a processing that ended answers with its ending, not a problem.
	errResponses["E410"] = map[string]any{
		"description": "Gone: the processing ended; its end date and public reason",
		"content":     map[string]any{"application/json": map[string]any{"schema": sg.of(reflect.TypeOf(register.Ending{}))}},
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Registre",
			"version":     "1",
			"description": "The register of personal-data processing of public administrations. Errors are RFC 9457 problem details. See README.md.",
			"license":     map[string]any{"name": "see the repository"},
		},
		// The paths are relative to the instance that serves this
		// document, whatever its public address.
		"servers": []any{map[string]any{"url": "/", "description": "the instance serving this document"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         sg.defs,
			"responses":       errResponses,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
		},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func withResponses(op map[string]any, r map[string]any) map[string]any {
	op["responses"] = r
	return op
}

var pathParamRE = regexp.MustCompile(`\{([a-z]+)\}`)

func pathParams(path string) []string {
	var out []string
	for _, m := range pathParamRE.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '.' || r == '{' || r == '}' || r == '-' }) {
		if part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// schemaGen turns Go types into JSON Schema (2020-12, as OpenAPI 3.1 uses).
type schemaGen struct {
	defs map[string]any
}

var timeType = reflect.TypeFor[time.Time]()

// enumValues lists the values of the domain's closed types.
func enumValues(t reflect.Type) []string {
	strs := func(vs any) []string {
		v := reflect.ValueOf(vs)
		out := make([]string, v.Len())
		for i := range out {
			out[i] = v.Index(i).String()
		}
		return out
	}
	switch t {
	case reflect.TypeFor[register.Status]():
		return strs(register.Statuses())
	case reflect.TypeFor[register.LegalBasisType]():
		return strs(register.LegalBasisTypes())
	case reflect.TypeFor[register.RecipientType]():
		return strs(register.RecipientTypes())
	case reflect.TypeFor[register.Safeguard]():
		return strs(register.Safeguards())
	case reflect.TypeFor[register.Disposal]():
		return strs(register.Disposals())
	case reflect.TypeFor[register.SecurityCategory]():
		return strs(register.SecurityCategories())
	case reflect.TypeFor[register.DPIAStatus]():
		return strs(register.DPIAStatuses())
	case reflect.TypeFor[register.NormLevel]():
		return strs(register.NormLevels())
	case reflect.TypeFor[register.Regime]():
		return strs(register.Regimes())
	case reflect.TypeFor[register.DPIACriterion]():
		return strs(register.DPIACriteria())
	case reflect.TypeFor[register.ResidualRisk]():
		return strs(register.ResidualRisks())
	case reflect.TypeFor[register.Authority]():
		return strs(register.Authorities())
	case reflect.TypeFor[register.Provision]():
		return strs(register.Provisions())
	case reflect.TypeFor[register.InfoException]():
		return strs(register.InfoExceptions())
	case reflect.TypeFor[register.Severity]():
		return []string{string(register.SeverityError), string(register.SeverityWarning)}
	}
	return nil
}

func (g *schemaGen) of(t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if e := enumValues(t); e != nil {
		return map[string]any{"type": "string", "enum": e}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Float64, reflect.Float32:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder against recursion
			props, required := map[string]any{}, []string{}
			g.fields(t, props, &required)
			s := map[string]any{"type": "object", "properties": props}
			if len(required) > 0 {
				slices.Sort(required)
				s["required"] = required
			}
			g.defs[name] = s
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return map[string]any{}
}

func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 { // generic: listOf[register.X]
		arg := name[i+1 : len(name)-1]
		arg = arg[strings.LastIndexAny(arg, "./")+1:]
		return arg + "List"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			g.fields(f.Type, props, required)
			continue
		}
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.of(f.Type)
		if m, ok := s.(map[string]any); ok && m["$ref"] == nil {
			v := f.Tag.Get("validate")
			for _, rule := range strings.Split(v, ",") {
				k, arg, _ := strings.Cut(rule, "=")
				switch {
				case k == "required":
					*required = append(*required, name)
				case k == "max" && f.Type.Kind() == reflect.String:
					m["maxLength"] = atoi(arg)
				case k == "min" && f.Type.Kind() == reflect.String:
					m["minLength"] = atoi(arg)
				case k == "max" && f.Type.Kind() == reflect.Slice:
					m["maxItems"] = atoi(arg)
				case k == "slug":
					m["pattern"] = `^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$`
				case k == "date":
					m["format"] = "date"
				case k == "httpurl":
					m["format"] = "uri"
				case k == "duration":
					m["description"] = "ISO 8601 duration from P1D to P150Y"
				case k == "country":
					m["pattern"] = "^[A-Z]{2}$"
					m["description"] = "ISO 3166-1 alpha-2"
				}
			}
			if strings.Contains(opts, "omitempty") && f.Type.Kind() == reflect.Pointer {
				m["description"] = "absent when not set"
			}
		}
		props[name] = s
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
