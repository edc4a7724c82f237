package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// reach creates a processing in unit etat-civil and takes it to state.
func reach(t *testing.T, e *apitest.Env, dpo, state string) (id, etag string) {
	t.Helper()
	r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Traitement "+state))
	id = r.Map(t)["id"].(string)
	steps := map[string][]string{
		"draft":     nil,
		"in_review": {"submit"},
		"published": {"submit", "publish"},
		"archived":  {"submit", "publish", "archive"},
	}[state]
	for _, s := range steps {
		r = e.Must(200, "POST", "/api/v1/processings/"+id+"/"+s, dpo, nil)
	}
	return id, r.Header.Get("ETag")
}

func TestWorkflowEveryTransitionAndRole(t *testing.T) {
	type actor struct {
		name  string
		token func(e *apitest.Env) string
	}
	actors := []actor{
		{"admin", func(e *apitest.Env) string { return e.Token(auth.RoleAdmin, "") }},
		{"dpo", func(e *apitest.Env) string { return e.Token(auth.RoleDPO, "geneve") }},
		{"editor", func(e *apitest.Env) string { return e.Token(auth.RoleEditor, "geneve", "etat-civil") }},
		{"editor-other-unit", func(e *apitest.Env) string { return e.Token(auth.RoleEditor, "geneve", "informatique") }},
		{"auditor", func(e *apitest.Env) string { return e.Token(auth.RoleAuditor, "geneve") }},
		{"other-organisation", func(e *apitest.Env) string { return e.Token(auth.RoleDPO, "carouge") }},
	}
	// from is the state a step may start from; who may take it.
	type step struct {
		name, from, to string
		writers        map[string]bool
		ok             int
	}
	dpoOnly := map[string]bool{"admin": true, "dpo": true}
	withEditor := map[string]bool{"admin": true, "dpo": true, "editor": true}
	steps := []step{
		{"submit", "draft", "in_review", withEditor, 200},
		{"return", "in_review", "draft", dpoOnly, 200},
		{"publish", "in_review", "published", dpoOnly, 200},
		{"archive", "published", "archived", dpoOnly, 200},
		{"delete", "draft", "", dpoOnly, 204},
	}
	states := []string{"draft", "in_review", "published", "archived"}

	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		for _, st := range steps {
			for _, state := range states {
				for _, a := range actors {
					// What the API promises, in the order it checks: the
					// organisation (404), the role and unit (403), the state (409).
					want := st.ok
					switch {
					case a.name == "other-organisation":
						want = 404
					case a.name == "editor-other-unit" && (st.name == "submit"):
						want = 403
					case !st.writers[a.name]:
						want = 403
					case state != st.from:
						want = 409
					}
					t.Run(fmt.Sprintf("%s/%s/%s", st.name, state, a.name), func(t *testing.T) {
						e := e.WithT(t)
						id, _ := reach(t, e, dpo, state)
						var r *apitest.Response
						if st.name == "delete" {
							r = e.Do("DELETE", "/api/v1/processings/"+id, a.token(e), nil)
						} else {
							r = e.Do("POST", "/api/v1/processings/"+id+"/"+st.name, a.token(e), nil)
						}
						if r.Status != want {
							t.Fatalf("got %d, want %d: %s", r.Status, want, r.Body)
						}
						after := e.Do("GET", "/api/v1/processings/"+id, dpo, nil)
						switch {
						case want == 204:
							if after.Status != 404 {
								t.Fatalf("deleted processing still there: %d", after.Status)
							}
						case want == 200:
							if got := after.Map(t)["status"]; got != st.to {
								t.Fatalf("got status %v, want %s", got, st.to)
							}
						default:
							checkProblem(t, r, want, "")
							if got := after.Map(t)["status"]; got != state {
								t.Fatalf("refused step changed status to %v", got)
							}
						}
					})
				}
			}
		}
	})
}

func TestEditRules(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		editor := e.Token(auth.RoleEditor, "geneve", "etat-civil")
		auditor := e.Token(auth.RoleAuditor, "geneve")
		tests := []struct {
			state      string
			token      string
			who        string
			want       int
			wantStatus string
		}{
			{"draft", editor, "editor", 200, "draft"},
			{"draft", dpo, "dpo", 200, "draft"},
			{"draft", auditor, "auditor", 403, ""},
			{"in_review", editor, "editor", 403, ""},
			{"in_review", dpo, "dpo", 200, "in_review"},
			{"published", editor, "editor", 403, ""},
			{"published", dpo, "dpo", 200, "draft"},
			{"archived", dpo, "dpo", 409, ""},
		}
		for _, tt := range tests {
			t.Run(tt.state+"/"+tt.who, func(t *testing.T) {
				e := e.WithT(t)
				id, etag := reach(t, e, dpo, tt.state)
				r := e.Do("PUT", "/api/v1/processings/"+id, tt.token, apitest.Complete("etat-civil", "Modifié"), "If-Match: "+etag)
				if r.Status != tt.want {
					t.Fatalf("got %d, want %d: %s", r.Status, tt.want, r.Body)
				}
				if tt.want == 200 {
					if got := r.Map(t)["status"]; got != tt.wantStatus {
						t.Fatalf("got status %v, want %s", got, tt.wantStatus)
					}
				}
			})
		}
	})
}

func TestPublishedVersionNeverChanges(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		id, etag := reach(t, e, dpo, "published")
		v1 := e.Must(200, "GET", "/api/v1/processings/"+id+"/versions/1", dpo, nil).Body
		pub, err := e.Service.PublicProcessing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		public1 := string(pub.Data)

		// Two edits and a return: a new draft, the public record unchanged.
		b := apitest.Complete("etat-civil", "Nouveau titre")
		b["internal_notes"] = "à revoir"
		r := e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, b, "If-Match: "+etag)
		m := r.Map(t)
		if m["status"] != "draft" || m["version"] != float64(2) || m["published_version"] != float64(1) {
			t.Fatalf("after editing a published processing: %s", r.Body)
		}
		e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, apitest.Complete("etat-civil", "Titre trois"), "If-Match: "+r.Header.Get("ETag"))
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/return", dpo, map[string]string{"comment": "Précisez la durée."})

		if got := e.Must(200, "GET", "/api/v1/processings/"+id+"/versions/1", dpo, nil).Body; string(got) != string(v1) {
			t.Fatalf("published version 1 changed:\nbefore %s\nafter  %s", v1, got)
		}
		pub, err = e.Service.PublicProcessing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if string(pub.Data) != public1 || strings.Contains(string(pub.Data), "Titre trois") {
			t.Fatalf("public record changed before the new version was published")
		}
		var v1m map[string]any
		if err := json.Unmarshal(v1, &v1m); err != nil || v1m["status"] != "published" || v1m["title"] != "Traitement published" {
			t.Fatalf("version 1 is not the published record: %s", v1)
		}

		// The return comment is kept in the history, for the editor to read.
		editor := e.Token(auth.RoleEditor, "geneve", "etat-civil")
		h := e.Must(200, "GET", "/api/v1/processings/"+id+"/history", editor, nil)
		if !strings.Contains(string(h.Body), "Précisez la durée.") {
			t.Fatalf("return comment not in history: %s", h.Body)
		}

		// Publishing the new version replaces the public record; version 1 stays.
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
		pub, err = e.Service.PublicProcessing(ctx, id)
		if err != nil || !strings.Contains(string(pub.Data), "Titre trois") || pub.Version != 3 {
			t.Fatalf("public record after republishing: %v %s", err, pub.Data)
		}
		if got := e.Must(200, "GET", "/api/v1/processings/"+id+"/versions/1", dpo, nil).Body; string(got) != string(v1) {
			t.Fatalf("published version 1 changed after republishing")
		}
		// Archiving removes it from the public register.
		e.Must(200, "POST", "/api/v1/processings/"+id+"/archive", dpo, nil)
		if _, err := e.Service.PublicProcessing(ctx, id); err == nil {
			t.Fatalf("archived processing still public")
		}
		// A processing that was published can no longer be deleted.
		checkProblem(t, e.Do("DELETE", "/api/v1/processings/"+id, dpo, nil), 409, "")
	})
}

func TestPublicationGate(t *testing.T) {
	// Each legally required item, missing, blocks publication with 422 and
	// the finding that names it.
	tests := []struct {
		rule   string
		change func(b map[string]any)
	}{
		{"controller", func(b map[string]any) { b["controller"] = map[string]any{"name": "", "contact": "x@y.ch"} }},
		{"controller-contact", func(b map[string]any) { b["controller"] = map[string]any{"name": "Service", "contact": ""} }},
		{"data-subjects", func(b map[string]any) { b["data_subjects"] = []any{} }},
		{"data-categories", func(b map[string]any) { b["data_categories"] = []any{} }},
		{"legal-basis", func(b map[string]any) { b["legal_bases"] = []any{} }},
		{"legal-basis-reference", func(b map[string]any) { b["legal_bases"] = []any{map[string]any{"type": "law"}} }},
		{"retention", func(b map[string]any) { b["retention"] = map[string]any{"trigger": "clôture"} }},
		{"security-measures", func(b map[string]any) { b["security_measures"] = []any{} }},
		{"recipients", func(b map[string]any) { b["recipients"] = []any{} }},
		{"transfer-safeguard", func(b map[string]any) { b["transfers"] = []any{map[string]any{"country": "FR"}} }},
		{"public-summary", func(b map[string]any) { b["public_summary"] = "" }},
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		for _, tt := range tests {
			t.Run(tt.rule, func(t *testing.T) {
				e := e.WithT(t)
				b := apitest.Complete("etat-civil", "Incomplet "+tt.rule)
				tt.change(b)
				id := e.Must(201, "POST", "/api/v1/processings", dpo, b).Map(t)["id"].(string)
				e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
				r := e.Do("POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
				checkProblem(t, r, 422, "")
				var p struct {
					Findings []struct {
						Rule, Severity string
						Laws           []string
					} `json:"findings"`
				}
				r.JSON(t, &p)
				found := false
				for _, f := range p.Findings {
					if f.Severity != "error" {
						t.Fatalf("non-blocking finding in a 422: %+v", f)
					}
					if f.Rule == tt.rule && len(f.Laws) > 0 {
						found = true
					}
				}
				if !found {
					t.Fatalf("got findings %+v, want rule %s", p.Findings, tt.rule)
				}
				if got := e.Must(200, "GET", "/api/v1/processings/"+id, dpo, nil).Map(t)["status"]; got != "in_review" {
					t.Fatalf("refused publish changed status to %v", got)
				}
			})
		}
		// The organisation's LIPAD contact is required too.
		admin := e.Token(auth.RoleAdmin, "")
		e.Must(201, "POST", "/api/v1/organisations", admin, map[string]any{"slug": "onex", "name": "Ville d'Onex"})
		e.Must(201, "POST", "/api/v1/organisations/onex/units", admin, map[string]any{"slug": "etat-civil", "name": "État civil"})
		onex := e.Token(auth.RoleDPO, "onex")
		id := e.Must(201, "POST", "/api/v1/processings", onex, apitest.Complete("etat-civil", "Sans contact LIPAD")).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", onex, nil)
		r := e.Do("POST", "/api/v1/processings/"+id+"/publish", onex, nil)
		checkProblem(t, r, 422, "")
		if !strings.Contains(string(r.Body), "lipad-contact") {
			t.Fatalf("missing lipad-contact finding: %s", r.Body)
		}
		e.Must(200, "PUT", "/api/v1/organisations/onex", onex, map[string]any{"name": "Ville d'Onex", "lipad_contact": "lipad@onex.ch"})
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", onex, nil)
	})
}
