package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// problem is the RFC 9457 body every error must carry.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func checkProblem(t *testing.T, r *apitest.Response, status int, field string) problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("got status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("got Content-Type %q, want application/problem+json", ct)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("missing nosniff")
	}
	var p problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem body %s: %v", r.Body, err)
	}
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == "" {
		t.Fatalf("incomplete problem: %s", r.Body)
	}
	if field != "" {
		var got []string
		for _, e := range p.Errors {
			got = append(got, e.Field)
			if e.Field == field {
				return p
			}
		}
		t.Fatalf("got error fields %v, want %q", got, field)
	}
	return p
}

func TestErrorStatuses(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		auditor := e.Token(auth.RoleAuditor, "geneve")
		editor := e.Token(auth.RoleEditor, "geneve", "etat-civil")
		otherDPO := e.Token(auth.RoleDPO, "carouge")
		created := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre des naissances"))
		id := created.Map(t)["id"].(string)
		etag := created.Header.Get("ETag")
		path := "/api/v1/processings/" + id
		valid := apitest.Complete("etat-civil", "Registre des naissances")
		withField := func(k string, v any) map[string]any {
			m := apitest.Complete("etat-civil", "Registre")
			m[k] = v
			return m
		}
		unknownOrgToken := e.Token(auth.RoleDPO, "nowhere")

		tests := []struct {
			name    string
			method  string
			path    string
			token   string
			body    any
			headers []string
			status  int
			field   string
		}{
			{"MalformedJSON", "POST", "/api/v1/processings", dpo, `{"title": `, nil, 400, ""},
			{"TrailingData", "POST", "/api/v1/processings", dpo, mustJSON(valid) + `{}`, nil, 400, ""},
			{"TrailingGarbage", "POST", "/api/v1/processings", dpo, mustJSON(valid) + ` x`, nil, 400, ""},
			{"UnknownField", "POST", "/api/v1/processings", dpo, withField("colour", "blue"), nil, 400, "colour"},
			{"CaseVariantField", "POST", "/api/v1/processings", dpo, withField("Status", "published"), nil, 400, "Status"},
			{"UpperCaseField", "POST", "/api/v1/processings", dpo, withField("TITLE", "x"), nil, 400, "TITLE"},
			{"NestedUnknownField", "POST", "/api/v1/processings", dpo, withField("retention", map[string]any{"period": "P1Y", "Period": "P2Y"}), nil, 400, "retention.Period"},
			{"DuplicateKey", "POST", "/api/v1/processings", dpo, `{"unit":"etat-civil","title":"abc","title":"def","purpose":"x"}`, nil, 400, "title"},
			{"WrongType", "POST", "/api/v1/processings", dpo, withField("title", 42), nil, 400, "title"},
			{"WrongNestedType", "POST", "/api/v1/processings", dpo, withField("data_subjects", "everyone"), nil, 400, "data_subjects"},
			{"EmptyBody", "POST", "/api/v1/processings", dpo, "", nil, 400, ""},
			{"NotAnObject", "POST", "/api/v1/processings", dpo, `[1,2]`, nil, 400, ""},
			{"MissingTitle", "POST", "/api/v1/processings", dpo, withField("title", ""), nil, 422, "title"},
			{"BadEnum", "POST", "/api/v1/processings", dpo, withField("legal_bases", []any{map[string]any{"type": "whim"}}), nil, 422, "legal_bases[0].type"},
			{"BadDate", "POST", "/api/v1/processings", dpo, withField("review_due", "2027-02-30"), nil, 422, "review_due"},
			{"BadDuration", "POST", "/api/v1/processings", dpo, withField("retention", map[string]any{"period": "P200Y"}), nil, 422, "retention.period"},
			{"ControlCharacter", "POST", "/api/v1/processings", dpo, withField("purpose", "a\u0007b"), nil, 422, "purpose"},
			{"UnknownUnit", "POST", "/api/v1/processings", dpo, withField("unit", "nowhere"), nil, 422, "unit"},
			{"BadPerPage", "GET", "/api/v1/processings?per_page=500", dpo, nil, nil, 422, "per_page"},
			{"BadStatusFilter", "GET", "/api/v1/processings?status=lost", dpo, nil, nil, 422, "status"},
			{"NonNumericPage", "GET", "/api/v1/processings?page=two", dpo, nil, nil, 400, "page"},
			{"UnknownSort", "GET", "/api/v1/processings?sort=-colour", dpo, nil, nil, 422, "sort"},
			{"UnknownView", "GET", "/api/v1/processings?view=mine", dpo, nil, nil, 422, "view"},
			{"BlockingNotBoolean", "GET", "/api/v1/processings?blocking=maybe", dpo, nil, nil, 400, "blocking"},
			{"OverdueNotBoolean", "GET", "/api/v1/processings?overdue=1", dpo, nil, nil, 400, "overdue"},
			{"NoToken", "GET", "/api/v1/processings", "", nil, nil, 401, ""},
			{"GarbageToken", "GET", "/api/v1/processings", "garbage", nil, nil, 401, ""},
			{"UnknownOrganisation", "GET", "/api/v1/processings", unknownOrgToken, nil, nil, 401, ""},
			{"AuditorCannotCreate", "POST", "/api/v1/processings", auditor, valid, nil, 403, ""},
			{"EditorOtherUnit", "POST", "/api/v1/processings", editor, apitest.Complete("informatique", "Annuaire"), nil, 403, ""},
			{"EditorCannotCreateOrganisation", "POST", "/api/v1/organisations", editor, map[string]any{"slug": "x1", "name": "X"}, nil, 403, ""},
			{"NotFound", "GET", "/api/v1/processings/0193a3b0-0000-7000-8000-000000000000", dpo, nil, nil, 404, ""},
			{"NotAUUID", "GET", "/api/v1/processings/../../etc", dpo, nil, nil, 404, ""},
			{"OtherOrganisation", "GET", path, otherDPO, nil, nil, 404, ""},
			{"OtherOrganisationUpdate", "PUT", path, otherDPO, valid, []string{"If-Match: " + etag}, 404, ""},
			{"OtherOrganisationUnits", "GET", "/api/v1/organisations/geneve/units", otherDPO, nil, nil, 404, ""},
			{"OtherOrganisationUnitRename", "PATCH", "/api/v1/organisations/geneve/units/etat-civil", otherDPO, map[string]any{"name": "Pris"}, nil, 404, ""},
			{"UnknownUnitRename", "PATCH", "/api/v1/organisations/geneve/units/nulle-part", dpo, map[string]any{"name": "Nulle part"}, nil, 404, ""},
			{"EmptyUnitName", "PATCH", "/api/v1/organisations/geneve/units/etat-civil", dpo, map[string]any{"name": ""}, nil, 422, "name"},
			{"EditorCannotRenameUnit", "PATCH", "/api/v1/organisations/geneve/units/etat-civil", editor, map[string]any{"name": "Pris"}, nil, 403, ""},
			{"UnitRenameUnknownField", "PATCH", "/api/v1/organisations/geneve/units/etat-civil", dpo, map[string]any{"slug": "x", "name": "Pris"}, nil, 400, ""},
			{"NoIfMatch", "PUT", path, dpo, valid, nil, 428, ""},
			{"IfMatchStar", "PUT", path, dpo, valid, []string{"If-Match: *"}, 428, ""},
			{"StaleIfMatch", "PUT", path, dpo, valid, []string{`If-Match: "r999"`}, 412, ""},
			{"ForeignIfMatch", "PUT", path, dpo, valid, []string{`If-Match: "abc"`}, 412, ""},
			{"PublishDraft", "POST", path + "/publish", dpo, nil, nil, 409, ""},
			{"ArchiveDraft", "POST", path + "/archive", dpo, nil, nil, 409, ""},
			{"TooLarge", "POST", "/api/v1/processings", dpo, withField("description", strings.Repeat("a", 1<<20)), nil, 413, ""},
			{"NotJSON", "POST", "/api/v1/processings", dpo, mustJSON(valid), []string{"Content-Type: text/plain"}, 415, ""},
			{"FormEncoded", "POST", "/api/v1/processings", dpo, "title=x", []string{"Content-Type: application/x-www-form-urlencoded"}, 415, ""},
			{"MethodNotAllowed", "PATCH", path, dpo, valid, nil, 405, ""},
			{"MethodNotAllowedCollection", "DELETE", "/api/v1/processings", dpo, nil, nil, 405, ""},
			{"UnknownPath", "GET", "/api/v1/nothing", dpo, nil, nil, 404, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do(tt.method, tt.path, tt.token, tt.body, tt.headers...)
				p := checkProblem(t, r, tt.status, tt.field)
				if tt.status == 401 {
					want := `error="invalid_token"`
					if tt.token == "" {
						want = "Bearer"
					}
					if got := r.Header.Get("WWW-Authenticate"); !strings.Contains(got, want) {
						t.Fatalf("got WWW-Authenticate %q, want it to contain %q", got, want)
					}
				}
				if tt.status == 405 && r.Header.Get("Allow") == "" {
					t.Fatalf("405 without Allow")
				}
				if strings.Contains(string(r.Body), "SQL") || strings.Contains(string(r.Body), "goroutine") {
					t.Fatalf("internal detail in problem: %s", r.Body)
				}
				_ = p
			})
		}

		// Refused requests change nothing.
		r := e.Must(200, "GET", path, dpo, nil)
		if got := r.Map(t)["version"]; got != float64(1) {
			t.Fatalf("after refused requests: got version %v, want 1", got)
		}
		r = e.Must(200, "GET", "/api/v1/processings", dpo, nil)
		if got := r.Map(t)["total"]; got != float64(1) {
			t.Fatalf("after refused requests: got %v processings, want 1", got)
		}
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return string(b)
}
