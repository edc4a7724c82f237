package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
)

// TestTwoInstances runs two `registre serve` processes on one PostgreSQL
// database, as a deployment behind a load balancer does (issue 17, 3): what
// one publishes or archives, the other serves within about a second, and
// what one writes, the other reads at once.
func TestTwoInstances(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	a := startTarget(t, dbtest.Postgres, dsn, nil)
	b := startTarget(t, dbtest.Postgres, dsn, nil)
	admin := a.admin()

	id := a.seed("geneve") // published on A
	waitStatus(t, b, "/public/v1/processings/"+id, http.StatusOK)
	// B now keeps that publication and its page. A publishes a new version.
	b.must(200, "GET", "/processings/"+id+"?lang=fr", "", nil)
	// B also keeps a search that finds nothing yet.
	if body := b.must(200, "GET", "/public/v1/processings?q=reconnaissances", "", nil); bytes.Contains(body, []byte(id)) {
		t.Fatalf("the search found the record before its new version: %s", truncate(body, 200))
	}
	etag := a.etag("/api/v1/processings/"+id, admin)
	doc := apitest.Complete("etat-civil", "Registre des naissances et des reconnaissances")
	doc["organisation"] = "geneve"
	a.mustH(200, "PUT", "/api/v1/processings/"+id, admin, doc, map[string]string{"If-Match": etag})
	a.must(200, "POST", "/api/v1/processings/"+id+"/submit", admin, nil)
	a.must(200, "POST", "/api/v1/processings/"+id+"/publish", admin, nil)
	seen := waitBody(t, b, "/public/v1/processings/"+id, "reconnaissances")
	t.Logf("a new version published on A was served by B after %v", seen)
	waitBody(t, b, "/processings/"+id+"?lang=fr", "reconnaissances")
	seen = waitBody(t, b, "/public/v1/processings?q=reconnaissances", id)
	t.Logf("B's kept search found it after %v more", seen)

	// Back-office reads are never cached: B reads A's writes at once.
	draft := apitest.Complete("informatique", "Annuaire du personnel")
	draft["organisation"] = "geneve"
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(a.must(201, "POST", "/api/v1/processings", admin, draft), &created); err != nil {
		t.Fatal(err)
	}
	b.must(200, "GET", "/api/v1/processings/"+created.ID, b.admin(), nil)

	// An archive on B leaves A's public register as quickly.
	b.must(200, "POST", "/api/v1/processings/"+id+"/archive", b.admin(), nil)
	gone := waitStatus(t, a, "/public/v1/processings/"+id, http.StatusGone) // ended: 410 with its ending
	t.Logf("an archive on B was served by A after %v", gone)

	// Failed sign-ins count on both: five wrong passwords on each instance
	// lock the account (10 per account and address) on both.
	a.must(201, "POST", "/api/v1/users", admin, map[string]any{"username": "alice", "password": "correct horse battery staple 42", "role": "dpo", "org": "geneve"})
	wrong := map[string]any{"username": "alice", "password": "not the password at all"}
	for i := 0; i < 5; i++ {
		a.must(401, "POST", "/api/v1/auth/login", "", wrong)
		b.must(401, "POST", "/api/v1/auth/login", "", wrong)
	}
	for _, tg := range []*target{a, b} {
		status, body := tg.call("POST", "/api/v1/auth/login", "", wrong)
		if status != http.StatusTooManyRequests {
			t.Errorf("the 11th failure in all: %d %s, want 429 on both instances", status, truncate(body, 200))
		}
	}

	// One audit chain, whoever wrote.
	a.must(200, "GET", "/api/v1/audit/verify", admin, nil)
}

// etag returns the ETag of path.
func (tg *target) etag(path, token string) string {
	tg.t.Helper()
	resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Authorization": "Bearer " + token}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
		tg.t.Fatalf("GET %s: %d %s, no ETag", path, resp.StatusCode, truncate(body, 200))
	}
	return resp.Header.Get("ETag")
}

// mustH is must with extra headers.
func (tg *target) mustH(want int, method, path, token string, body any, header map[string]string) []byte {
	tg.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tg.t.Fatal(err)
	}
	h := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	resp, out := tg.send(request{method: method, path: path, header: h, body: bytes.NewReader(b)})
	if resp.StatusCode != want {
		tg.t.Fatalf("%s %s: got %d %s, want %d", method, path, resp.StatusCode, truncate(out, 300), want)
	}
	return out
}

// waitBody polls path on tg until its body holds want and returns how long
// that took; it fails the test after 10 s.
func waitBody(t *testing.T, tg *target, path, want string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		status, body := tg.call("GET", path, "", nil)
		if status == http.StatusOK && bytes.Contains(body, []byte(want)) {
			return time.Since(start)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("GET %s: still %d without %q after 10 s", path, status, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitStatus polls path on tg until it answers want and returns how long
// that took; it fails the test after 10 s.
func waitStatus(t *testing.T, tg *target, path string, want int) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		status, body := tg.call("GET", path, "", nil)
		if status == want {
			return time.Since(start)
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("GET %s: still %d %s after 10 s, want %d", path, status, truncate(body, 200), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
