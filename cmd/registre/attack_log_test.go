package main

// The transparency log's public endpoints (docs/transparency-log.md) against
// the real `registre serve`: the log is set up at start, every publication
// of the running service is a record that `registre verify` finds, and
// anonymous requests with hostile parameters get a 4xx problem, write
// nothing and never make a proof longer than log₂ of the log.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/translog"
)

// completeIn is a publishable processing body in org.
func completeIn(org, title string) map[string]any {
	m := apitest.Complete("etat-civil", title)
	m["organisation"] = org
	return m
}

func TestAttackLogEndpoints(t *testing.T) {
	eachTarget(t, map[string]string{"REGISTRE_LOG_ORIGIN": "attack.test/log"}, func(t *testing.T, tg *target) {
		id := tg.seed("geneve")
		doc := tg.must(200, "GET", "/public/v1/processings/"+id, "", nil)
		dir := t.TempDir()
		file := filepath.Join(dir, "processing.json")
		if err := os.WriteFile(file, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, out := runVerifyCmd(t, "--url", tg.base, "--origin", "attack.test/log", file); got != 0 {
			t.Fatalf("verify against the running service: exit %d, %s", got, out)
		}
		if keys := tg.must(200, "GET", "/public/v1/log/keys", "", nil); strings.Contains(string(keys), "PRIVATE") {
			t.Fatalf("the keys leak the signing key: %s", keys)
		}
		before := tg.auditEntries()
		hostile := []struct {
			path   string
			status int
		}{
			{"/public/v1/log/records/9223372036854775807", 404},
			{"/public/v1/log/records/1e9", 404},
			{"/public/v1/log/inclusion?index=-1", 400},
			{"/public/v1/log/inclusion?index=1125899906842624", 404},
			{"/public/v1/log/inclusion?processing=" + strings.Repeat("x", 5000) + "&version=1", 400},
			{"/public/v1/log/inclusion?processing=" + id + "&sha256=" + strings.Repeat("0", 64), 404},
			{"/public/v1/log/inclusion?processing=%27%20OR%201=1--&version=1", 404},
			{"/public/v1/log/consistency?from=1&to=1125899906842624", 404},
			{"/public/v1/log/consistency?from=99999999999999999999", 400},
			{"/public/v1/log/consistency?from=2", 422},
		}
		for _, h := range hostile {
			resp, body := tg.send(request{method: "GET", path: h.path})
			problemOf(t, resp, body, h.status)
		}
		tg.wroteNothing(before)
		// More publications; every proof stays within 2·log₂(n) hashes.
		admin := tg.admin()
		for i := range 6 {
			m := map[string]any{}
			if err := json.Unmarshal(tg.must(201, "POST", "/api/v1/processings", admin, completeIn("geneve", fmt.Sprintf("Registre %d", i))), &m); err != nil {
				t.Fatal(err)
			}
			pid := m["id"].(string)
			tg.must(200, "POST", "/api/v1/processings/"+pid+"/submit", admin, nil)
			tg.must(200, "POST", "/api/v1/processings/"+pid+"/publish", admin, nil)
		}
		for from := range 7 {
			var c translog.Consistency
			if err := json.Unmarshal(tg.must(200, "GET", fmt.Sprintf("/public/v1/log/consistency?from=%d", from), "", nil), &c); err != nil {
				t.Fatal(err)
			}
			if c.To != 7 || len(c.Hashes) > 6 {
				t.Fatalf("consistency from %d: to %d with %d hashes", from, c.To, len(c.Hashes))
			}
			var p translog.Inclusion
			if err := json.Unmarshal(tg.must(200, "GET", fmt.Sprintf("/public/v1/log/inclusion?index=%d", from), "", nil), &p); err != nil {
				t.Fatal(err)
			}
			if len(p.Hashes) > 3 {
				t.Fatalf("inclusion of %d in 7: %d hashes", from, len(p.Hashes))
			}
		}
	})
}
