package server_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

func TestAuditTrailScopeAndFilters(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		auditor := e.Token(auth.RoleAuditor, "geneve")
		before := time.Now().UTC().Add(-time.Second)
		id := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Tracé")).Map(t)["id"].(string)
		e.Must(201, "POST", "/api/v1/processings", e.Token(auth.RoleDPO, "carouge"), apitest.Complete("etat-civil", "Ailleurs"))
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		// Refused requests add no entry.
		e.Must(409, "POST", "/api/v1/processings/"+id+"/archive", dpo, nil)
		e.Must(403, "POST", "/api/v1/processings/"+id+"/publish", auditor, nil)

		var page struct {
			Items []struct {
				Seq          int64  `json:"seq"`
				Actor        string `json:"actor"`
				Role         string `json:"role"`
				Organisation string `json:"organisation"`
				Action       string `json:"action"`
				Target       string `json:"target"`
				Version      int    `json:"version"`
				Hash         string `json:"hash"`
				PrevHash     string `json:"prev_hash"`
				At           string `json:"at"`
			} `json:"items"`
			Total int `json:"total"`
		}
		e.Must(200, "GET", "/api/v1/audit", auditor, nil).JSON(t, &page)
		// geneve: organisation.create, 2 unit.create, create, submit.
		if page.Total != 5 {
			t.Fatalf("got %d entries for geneve, want 5: %+v", page.Total, page.Items)
		}
		for _, it := range page.Items {
			if it.Organisation != "geneve" || len(it.Hash) != 64 || len(it.PrevHash) != 64 {
				t.Fatalf("entry outside the organisation or without hashes: %+v", it)
			}
		}
		if page.Items[0].Action != "submit" || page.Items[0].Actor != "dpo-geneve" || page.Items[0].Role != "dpo" || page.Items[0].Version != 1 {
			t.Fatalf("newest entry: got %+v", page.Items[0])
		}
		for _, tt := range []struct {
			query string
			want  int
		}{
			{"actor=dpo-geneve", 2},
			{"target=processing/" + id, 2},
			{"action=submit", 1},
			{"since=" + url.QueryEscape(before.Format(time.RFC3339)), 5},
			{"until=2000-01-01", 0},
			{"per_page=2&page=3", 5},
		} {
			e.Must(200, "GET", "/api/v1/audit?"+tt.query, dpo, nil).JSON(t, &page)
			if page.Total != tt.want {
				t.Errorf("%s: got %d, want %d", tt.query, page.Total, tt.want)
			}
		}
		checkProblem(t, e.Do("GET", "/api/v1/audit?since=yesterday", dpo, nil), 400, "since")
		checkProblem(t, e.Do("GET", "/api/v1/audit", e.Token(auth.RoleEditor, "geneve", "etat-civil"), nil), 403, "")
		// The admin sees every organisation's entries.
		e.Must(200, "GET", "/api/v1/audit", e.Token(auth.RoleAdmin, ""), nil).JSON(t, &page)
		if page.Total != 9 {
			t.Fatalf("admin: got %d entries, want 9", page.Total)
		}
	})
}

func TestComplianceEndpoint(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Complet"))
		b := apitest.Complete("etat-civil", "Incomplet et risqué")
		b["purpose"] = "Suivi."
		b["recipients"] = []any{}
		b["profiling"] = true
		// Profiling needs a formal law: cite one, so that the only error is the missing recipients.
		b["legal_bases"] = []any{map[string]any{"type": "law", "reference": "Code civil suisse (CC), art. 39 ss, RS 210", "level": "formal_law"}}
		e.Must(201, "POST", "/api/v1/processings", dpo, b)
		e.Must(201, "POST", "/api/v1/processings", e.Token(auth.RoleDPO, "carouge"), map[string]any{"unit": "etat-civil", "title": "Ailleurs", "purpose": "x"})
		var res struct {
			Items []struct {
				ProcessingID string   `json:"processing_id"`
				Rule         string   `json:"rule"`
				Severity     string   `json:"severity"`
				Laws         []string `json:"laws"`
			} `json:"items"`
			Summary struct {
				Processings  int            `json:"processings"`
				Complete     int            `json:"complete"`
				Completeness float64        `json:"completeness"`
				BySeverity   map[string]int `json:"by_severity"`
				ByLaw        map[string]int `json:"by_law"`
			} `json:"summary"`
		}
		e.Must(200, "GET", "/api/v1/compliance", e.Token(auth.RoleAuditor, "geneve"), nil).JSON(t, &res)
		if res.Summary.Processings != 2 || res.Summary.Complete != 1 || res.Summary.BySeverity["error"] != 1 || res.Summary.BySeverity["warning"] != 1 {
			t.Fatalf("got summary %+v, findings %+v", res.Summary, res.Items)
		}
		if res.Summary.Completeness <= 50 || res.Summary.Completeness >= 100 || res.Summary.ByLaw["gdpr-30"] != 1 {
			t.Fatalf("got summary %+v", res.Summary)
		}
		checkProblem(t, e.Do("GET", "/api/v1/compliance", e.Token(auth.RoleEditor, "geneve", "etat-civil"), nil), 403, "")
	})
}
