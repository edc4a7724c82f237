package server_test

import (
	"fmt"
	"net/url"
	"reflect"
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
			// seq and prev_hash would tell of other organisations' activity.
			if it.Organisation != "geneve" || len(it.Hash) != 64 || it.Seq != 0 || it.PrevHash != "" {
				t.Fatalf("entry outside the organisation, without its hash, or with seq or prev_hash: %+v", it)
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
		// The admin sees every organisation's entries, linked.
		e.Must(200, "GET", "/api/v1/audit", e.Token(auth.RoleAdmin, ""), nil).JSON(t, &page)
		if page.Total != 9 {
			t.Fatalf("admin: got %d entries, want 9", page.Total)
		}
		for i, it := range page.Items[:len(page.Items)-1] {
			if next := page.Items[i+1]; it.Seq != next.Seq+1 || it.PrevHash != next.Hash {
				t.Fatalf("admin: entry %+v does not follow %+v", it, next)
			}
		}
	})
}

// TestAuditWhatEachRoleLearns: a dpo or an auditor learns whether the whole
// chain verifies and sees their organisation's entries, with nothing that
// counts other organisations' changes; the chain's length and head, seq
// and prev_hash are the admin's.
func TestAuditWhatEachRoleLearns(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		e.Seed("carouge")
		dpo := e.Token(auth.RoleDPO, "geneve")
		id := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Tracé")).Map(t)["id"].(string)
		e.Must(201, "POST", "/api/v1/processings", e.Token(auth.RoleDPO, "carouge"), apitest.Complete("etat-civil", "Ailleurs"))
		e.Must(200, "PUT", "/api/v1/processings/"+id, dpo, apitest.Complete("etat-civil", "Tracé, revu"), `If-Match: "r1"`)
		admin := e.Must(200, "GET", "/api/v1/audit/verify", e.Token(auth.RoleAdmin, ""), nil).Map(t)
		if admin["ok"] != true || admin["entries"] != float64(9) || len(admin["head"].(string)) != 64 {
			t.Fatalf("admin verify: got %v, want ok, 9 entries and the head", admin)
		}
		head := fmt.Sprintf("9:%s", admin["head"])
		if got := e.Must(200, "GET", "/api/v1/audit/verify?head="+head, e.Token(auth.RoleAdmin, ""), nil).Map(t); got["expected_head_found"] != true {
			t.Fatalf("admin verify against the head: got %v", got)
		}
		for _, tok := range []string{dpo, e.Token(auth.RoleAuditor, "geneve")} {
			got := e.Must(200, "GET", "/api/v1/audit/verify", tok, nil).Map(t)
			if !reflect.DeepEqual(got, map[string]any{"ok": true}) {
				t.Fatalf("dpo or auditor verify: got %v, want {\"ok\": true} only", got)
			}
			checkProblem(t, e.Do("GET", "/api/v1/audit/verify?head="+head, tok, nil), 403, "")
			for _, path := range []string{"/api/v1/audit", "/api/v1/audit?target=processing/" + id, "/api/v1/processings/" + id + "/history"} {
				var page struct {
					Items []map[string]any `json:"items"`
				}
				e.Must(200, "GET", path, tok, nil).JSON(t, &page)
				if len(page.Items) == 0 {
					t.Fatalf("%s: no entries", path)
				}
				for _, it := range page.Items {
					if _, ok := it["seq"]; ok {
						t.Fatalf("%s: got seq in %v", path, it)
					}
					if _, ok := it["prev_hash"]; ok {
						t.Fatalf("%s: got prev_hash in %v", path, it)
					}
					if it["organisation"] != "geneve" {
						t.Fatalf("%s: got another organisation's entry %v", path, it)
					}
				}
			}
		}
		// An editor's history of a processing has no seq either.
		var hist struct {
			Items []map[string]any `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/processings/"+id+"/history", e.Token(auth.RoleEditor, "geneve", "etat-civil"), nil).JSON(t, &hist)
		if len(hist.Items) != 2 || hist.Items[0]["seq"] != nil || hist.Items[0]["prev_hash"] != nil {
			t.Fatalf("editor history: got %v, want 2 entries without seq or prev_hash", hist.Items)
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

		// Paged like the other lists; the summary covers every page.
		var page struct {
			Items   []map[string]any `json:"items"`
			Total   int              `json:"total"`
			Page    int              `json:"page"`
			PerPage int              `json:"per_page"`
			Summary struct {
				BySeverity map[string]int `json:"by_severity"`
			} `json:"summary"`
		}
		auditor := e.Token(auth.RoleAuditor, "geneve")
		e.Must(200, "GET", "/api/v1/compliance?per_page=1&page=2", auditor, nil).JSON(t, &page)
		if page.Total != len(res.Items) || page.Page != 2 || page.PerPage != 1 || len(page.Items) != 1 ||
			page.Items[0]["rule"] != res.Items[1].Rule || page.Summary.BySeverity["error"] != 1 {
			t.Fatalf("page 2 of 1: got %+v, want the second of %d findings and the whole summary", page, len(res.Items))
		}
		e.Must(200, "GET", "/api/v1/compliance?page=99", auditor, nil).JSON(t, &page)
		if page.Total != len(res.Items) || len(page.Items) != 0 || page.PerPage != 50 {
			t.Fatalf("past the end: got %+v, want no items of %d, per_page 50", page, len(res.Items))
		}
		checkProblem(t, e.Do("GET", "/api/v1/compliance?per_page=201", auditor, nil), 422, "per_page")
		checkProblem(t, e.Do("GET", "/api/v1/compliance?page=x", auditor, nil), 400, "page")
		checkProblem(t, e.Do("GET", "/api/v1/compliance?org=nowhere", e.Token(auth.RoleAdmin, ""), nil), 404, "")
	})
}
