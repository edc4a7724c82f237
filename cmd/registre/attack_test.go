package main

// The harness of the hostile-input tests (attack_*_test.go): a real
// `registre serve` subprocess on 127.0.0.1, on SQLite and PostgreSQL, with
// what an attack test needs around it: its peak memory, tokens, a seeded
// organisation, raw requests, and a way to see that nothing was written.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
)

// target is a `registre serve` subprocess under attack.
type target struct {
	*proc
	t    *testing.T
	kind dbtest.Kind
	dsn  string
	http *http.Client
	logs *apitest.SyncBuffer // everything the subprocess wrote to stderr
}

// eachTarget runs fn as a subtest on a fresh serve subprocess per database.
// env adds to (or overrides) the subprocess's environment.
func eachTarget(t *testing.T, env map[string]string, fn func(t *testing.T, tg *target)) {
	t.Helper()
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		fn(t, startTarget(t, kind, dsn, env))
	})
}

// startTarget starts `registre serve` as a subprocess on dsn.
func startTarget(t *testing.T, kind dbtest.Kind, dsn string, env map[string]string) *target {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"PATH":                os.Getenv("PATH"),
		"REGISTRE_DB":         dsn,
		"REGISTRE_JWT_SECRET": testSecret,
	}
	for k, v := range env {
		vars[k] = v
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	for k, v := range vars {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	t.Cleanup(func() { p.kill() })
	logs := &apitest.SyncBuffer{}
	// waitListening keeps reading after the address: the tee keeps it all.
	p.base = waitListening(t, io.TeeReader(stderr, logs))
	return &target{proc: p, t: t, kind: kind, dsn: dsn, http: &http.Client{Timeout: 60 * time.Second}, logs: logs}
}

// pid is the subprocess's process id.
func (tg *target) pid() int { return tg.cmd.Process.Pid }

// resetPeak resets the process's peak resident memory (VmHWM), so that the
// next peakKB measures only what follows.
func (tg *target) resetPeak() {
	tg.t.Helper()
	path := fmt.Sprintf("/proc/%d/clear_refs", tg.pid())
	if err := os.WriteFile(path, []byte("5"), 0); err != nil {
		tg.t.Fatalf("reset peak memory: %v", err)
	}
}

// statusKB reads one "Vm…: N kB" line of /proc/PID/status.
func (tg *target) statusKB(name string) int {
	tg.t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", tg.pid()))
	if err != nil {
		tg.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				tg.t.Fatalf("%s: %q", name, line)
			}
			return n
		}
	}
	tg.t.Fatalf("no %s in /proc/%d/status", name, tg.pid())
	return 0
}

// peakKB is the process's peak resident memory since the last resetPeak.
func (tg *target) peakKB() int { return tg.statusKB("VmHWM") }

// rssKB is the process's resident memory now.
func (tg *target) rssKB() int { return tg.statusKB("VmRSS") }

// token signs a token for role in org (units for editors).
func (tg *target) token(role auth.Role, org string, units ...string) string {
	tg.t.Helper()
	signer, err := auth.NewHS256Signer([]byte(testSecret), "registre", "registre")
	if err != nil {
		tg.t.Fatal(err)
	}
	tok, _, err := signer.Issue(auth.Principal{Subject: string(role) + "-" + org, Role: role, Org: org, Units: units}, time.Hour, time.Now())
	if err != nil {
		tg.t.Fatal(err)
	}
	return tok
}

// admin is an admin token.
func (tg *target) admin() string { return tg.token(auth.RoleAdmin, "") }

// seed creates organisation org with units "etat-civil" and "informatique"
// and returns the id of one published processing in it.
func (tg *target) seed(org string) string {
	tg.t.Helper()
	admin := tg.admin()
	tg.must(201, "POST", "/api/v1/organisations", admin, map[string]any{
		"slug": org, "name": "Ville de " + org, "address": "Rue du Stand 1, 1204 Genève",
		"website": "https://www.example.ch", "dpo_contact": "dpo@" + org + ".example.ch",
		"lipad_contact": "lipad@" + org + ".example.ch"})
	for _, u := range []string{"etat-civil", "informatique"} {
		tg.must(201, "POST", "/api/v1/organisations/"+org+"/units", admin, map[string]any{"slug": u, "name": "Service " + u})
	}
	var p struct {
		ID string `json:"id"`
	}
	b := tg.must(201, "POST", "/api/v1/processings", admin, func() map[string]any {
		m := apitest.Complete("etat-civil", "Registre des naissances")
		m["organisation"] = org
		return m
	}())
	if err := json.Unmarshal(b, &p); err != nil {
		tg.t.Fatal(err)
	}
	tg.must(200, "POST", "/api/v1/processings/"+p.ID+"/submit", admin, nil)
	tg.must(200, "POST", "/api/v1/processings/"+p.ID+"/publish", admin, nil)
	return p.ID
}

// request is one HTTP request of an attack: any method, path, headers and
// raw body.
type request struct {
	method, path string
	header       map[string]string
	body         io.Reader
}

// send sends req and returns the response with its body read (at most
// 16 MiB) and closed; a broken connection fails the test.
func (tg *target) send(req request) (*http.Response, []byte) {
	tg.t.Helper()
	r, err := http.NewRequest(req.method, tg.base+req.path, req.body)
	if err != nil {
		tg.t.Fatal(err)
	}
	for k, v := range req.header {
		if strings.EqualFold(k, "Host") {
			r.Host = v
			continue
		}
		r.Header.Set(k, v)
	}
	resp, err := tg.http.Do(r)
	if err != nil {
		tg.t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp, b
}

// call sends a JSON request (body marshalled unless nil) with a bearer token
// (unless empty) and returns the status and body.
func (tg *target) call(method, path, token string, body any) (int, []byte) {
	tg.t.Helper()
	h := map[string]string{}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tg.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
		h["Content-Type"] = "application/json"
	}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	resp, b := tg.send(request{method: method, path: path, header: h, body: rd})
	return resp.StatusCode, b
}

// must is call that fails the test unless the status is want.
func (tg *target) must(want int, method, path, token string, body any) []byte {
	tg.t.Helper()
	status, b := tg.call(method, path, token, body)
	if status != want {
		tg.t.Fatalf("%s %s: got %d %s, want %d", method, path, status, b, want)
	}
	return b
}

// auditEntries is the number of entries in the audit trail: an attack that
// wrote nothing leaves it unchanged (every write appends an entry).
func (tg *target) auditEntries() int {
	tg.t.Helper()
	var v struct {
		Entries int `json:"entries"`
	}
	if err := json.Unmarshal(tg.must(200, "GET", "/api/v1/audit/verify", tg.admin(), nil), &v); err != nil {
		tg.t.Fatal(err)
	}
	return v.Entries
}

// wroteNothing fails the test when the audit trail grew since before.
func (tg *target) wroteNothing(before int) {
	tg.t.Helper()
	if after := tg.auditEntries(); after != before {
		tg.t.Errorf("the attack wrote: the audit trail went from %d to %d entries", before, after)
	}
}

// problem decodes a problem+json body and checks its status and content type.
func problemOf(t *testing.T, resp *http.Response, body []byte, wantStatus int) map[string]any {
	t.Helper()
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: got %d %s, want %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, truncate(body, 300), wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want application/problem+json; body %s", ct, truncate(body, 300))
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("problem body: %v: %s", err, truncate(body, 300))
	}
	return m
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}

// TestAttackHarness checks the harness itself: a seeded target answers, its
// peak memory can be reset and read, and reads write nothing.
func TestAttackHarness(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		id := tg.seed("ville-a")
		before := tg.auditEntries()
		tg.must(200, "GET", "/public/v1/processings/"+id, "", nil)
		tg.resetPeak()
		if peak, rss := tg.peakKB(), tg.rssKB(); peak <= 0 || rss <= 0 || peak < rss/2 {
			t.Errorf("peak %d kB, rss %d kB", peak, rss)
		}
		tg.wroteNothing(before)
	})
}
