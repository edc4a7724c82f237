package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
)

// TestDatabaseOutage stops PostgreSQL under a running service and starts it
// again (issue 17, 4): while it is down every route that needs it answers
// 503 with Retry-After and a problem, never 500; pages and published JSON
// already kept are still served; the outage is logged once; when it returns
// everything recovers by itself and nothing acknowledged is lost.
func TestDatabaseOutage(t *testing.T) {
	cluster := dbtest.NewCluster(t)
	tg := startTarget(t, dbtest.Postgres, cluster.DSN, nil)
	admin := tg.admin()
	id := tg.seed("geneve")
	// Kept bytes: the public page and the published JSON, read once.
	tg.must(200, "GET", "/processings/"+id+"?lang=fr", "", nil)
	tg.must(200, "GET", "/public/v1/processings/"+id, "", nil)
	tg.must(200, "GET", "/public/v1/organisations", "", nil)
	tg.must(200, "GET", "/public/v1/processings?q=mariages", "", nil)
	// A write acknowledged before the outage.
	draft := func() map[string]any {
		m := apitest.Complete("etat-civil", "Registre des mariages")
		m["organisation"] = "geneve"
		return m
	}
	var before struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(tg.must(201, "POST", "/api/v1/processings", admin, draft()), &before); err != nil {
		t.Fatal(err)
	}

	cluster.Stop()
	stopped := time.Now()

	unavailable := []struct{ method, path string }{
		{"GET", "/api/v1/processings"},
		{"GET", "/api/v1/processings/" + before.ID},
		{"POST", "/api/v1/processings"},
		{"PUT", "/api/v1/processings/" + before.ID},
		{"POST", "/api/v1/processings/" + before.ID + "/submit"},
		{"GET", "/api/v1/organisations"},
		{"GET", "/api/v1/audit"},
		{"GET", "/public/v1/processings?q=naissances"}, // never asked: nothing kept
		{"GET", "/readyz"},
	}
	for round := 0; round < 3; round++ {
		for _, c := range unavailable {
			var body any
			if c.method == "POST" || c.method == "PUT" {
				body = draft()
			}
			h := map[string]string{"Authorization": "Bearer " + admin, "If-Match": `"1"`}
			var rd *strings.Reader
			if body != nil {
				b, _ := json.Marshal(body)
				rd = strings.NewReader(string(b))
				h["Content-Type"] = "application/json"
			}
			req := request{method: c.method, path: c.path, header: h}
			if rd != nil {
				req.body = rd
			}
			resp, b := tg.send(req)
			if c.path == "/readyz" {
				if resp.StatusCode != http.StatusServiceUnavailable {
					t.Errorf("readyz during the outage: %d %s", resp.StatusCode, truncate(b, 200))
				}
				continue
			}
			problemOf(t, resp, b, http.StatusServiceUnavailable)
			if ra := resp.Header.Get("Retry-After"); ra == "" {
				t.Errorf("%s %s: 503 without Retry-After", c.method, c.path)
			}
		}
	}
	// What was kept is still served, also once the process would have asked
	// the database whether it is still current (after a second).
	time.Sleep(1200 * time.Millisecond)
	for _, path := range []string{"/processings/" + id + "?lang=fr", "/public/v1/processings/" + id, "/healthz",
		"/public/v1/organisations", "/public/v1/processings?q=mariages"} {
		if resp, b := tg.send(request{method: "GET", path: path}); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s during the outage: %d %s", path, resp.StatusCode, truncate(b, 200))
		}
	}
	t.Logf("answers during the outage checked in %v", time.Since(stopped).Round(time.Millisecond))

	cluster.Start()
	restarted := time.Now()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _ := tg.call("GET", "/api/v1/processings", admin, nil)
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not recover within 30 s of the database's return (last status %d)", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("recovered %v after the database restarted", time.Since(restarted).Round(time.Millisecond))
	// Nothing acknowledged was lost, and writing works again.
	tg.must(200, "GET", "/api/v1/processings/"+before.ID, admin, nil)
	tg.must(200, "GET", "/public/v1/processings/"+id, "", nil)
	tg.must(201, "POST", "/api/v1/processings", admin, draft())
	tg.must(200, "GET", "/readyz", "", nil)

	// Logged once, and no request answered 500.
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(tg.logs.String(), "database reachable again") && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	logs := tg.logs.String()
	if n := strings.Count(logs, `msg="database unreachable`); n != 1 {
		t.Errorf("the outage was logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs, "database reachable again") {
		t.Errorf("the recovery was not logged:\n%s", logs)
	}
	if strings.Contains(logs, "status=500") {
		t.Errorf("a request answered 500:\n%s", logs)
	}
}
