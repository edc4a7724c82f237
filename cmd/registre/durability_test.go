package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
)

const testSecret = "durability-secret-at-least-32-bytes-long"

// binary builds the program once for all tests that run it as a process.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "registre-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "registre")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, out)
	}
	return bin, nil
})

// proc is a running `registre serve`.
type proc struct {
	cmd  *exec.Cmd
	base string
}

func startProc(t *testing.T, dsn string) *proc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "REGISTRE_DB=" + dsn, "REGISTRE_JWT_SECRET=" + testSecret}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	t.Cleanup(func() { p.kill() })
	p.base = waitListening(t, stderr)
	return p
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

type client struct {
	t     *testing.T
	base  string
	token string
	http  *http.Client
}

func newClient(t *testing.T, base string, p auth.Principal) *client {
	signer, err := auth.NewHS256Signer([]byte(testSecret), "registre", "registre")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := signer.Issue(p, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, token: tok, http: &http.Client{Timeout: 10 * time.Second}}
}

// do returns the status, ETag and decoded body, or an error when the
// connection broke (the process was killed): such a write is not acknowledged.
func (c *client) do(method, path string, body any, etag string) (int, string, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if etag != "" {
		req.Header.Set("If-Match", etag)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", nil, err
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header.Get("ETag"), m, nil
}

func (c *client) must(want int, method, path string, body any) map[string]any {
	c.t.Helper()
	s, _, m, err := c.do(method, path, body, "")
	if err != nil || s != want {
		c.t.Fatalf("%s %s: got %d %v %v, want %d", method, path, s, m, err, want)
	}
	return m
}

type ack struct {
	id      string
	version int
	title   string
}

// TestKill9LosesNothingAcknowledged kills the server with SIGKILL at random
// moments while clients write, restarts it, and checks every acknowledged
// write, its audit entry and the chain.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
		p := startProc(t, dsn)
		admin := newClient(t, p.base, auth.Principal{Subject: "admin", Role: auth.RoleAdmin})
		admin.must(201, "POST", "/api/v1/organisations", map[string]any{"slug": "geneve", "name": "Ville de Genève", "lipad_contact": "l@g.ch"})
		admin.must(201, "POST", "/api/v1/organisations/geneve/units", map[string]any{"slug": "etat-civil", "name": "État civil"})
		var acks []ack
		var mu sync.Mutex
		for round := range 10 {
			dpo := newClient(t, p.base, auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: "geneve"})
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := 0; ; k++ {
						select {
						case <-stop:
							return
						default:
						}
						title := fmt.Sprintf("Round %d writer %d item %d", round, w, k)
						body := map[string]any{"unit": "etat-civil", "title": title, "purpose": "Durabilité."}
						s, etag, m, err := dpo.do("POST", "/api/v1/processings", body, "")
						if err != nil || s != 201 {
							return // the process is gone
						}
						id := m["id"].(string)
						mu.Lock()
						acks = append(acks, ack{id, 1, title})
						mu.Unlock()
						body["title"] = title + " (revu)"
						s, _, m, err = dpo.do("PUT", "/api/v1/processings/"+id, body, etag)
						if err != nil || s != 200 {
							return
						}
						mu.Lock()
						acks = append(acks, ack{id, int(m["version"].(float64)), title + " (revu)"})
						mu.Unlock()
					}
				}()
			}
			time.Sleep(time.Duration(30+rng.IntN(300)) * time.Millisecond)
			p.kill()
			close(stop)
			wg.Wait()
			p = startProc(t, dsn)
			check := newClient(t, p.base, auth.Principal{Subject: "auditor", Role: auth.RoleAuditor, Org: "geneve"})
			mu.Lock()
			for _, a := range acks {
				v := check.must(200, "GET", fmt.Sprintf("/api/v1/processings/%s/versions/%d", a.id, a.version), nil)
				if v["title"] != a.title {
					t.Fatalf("round %d: %s version %d: got title %v, want %q", round, a.id, a.version, v["title"], a.title)
				}
			}
			mu.Unlock()
			res := check.must(200, "GET", "/api/v1/audit/verify", nil)
			if res["ok"] != true {
				t.Fatalf("round %d: chain broken: %v", round, res)
			}
			// Every saved version has its audit entry (create or update).
			for _, a := range acks[max(0, len(acks)-20):] {
				entries := check.must(200, "GET", "/api/v1/audit?target=processing/"+a.id, nil)["items"].([]any)
				found := false
				for _, e := range entries {
					if int(e.(map[string]any)["version"].(float64)) == a.version {
						found = true
					}
				}
				if !found {
					t.Fatalf("round %d: no audit entry for %s version %d", round, a.id, a.version)
				}
			}
		}
		if len(acks) < 10 {
			t.Fatalf("only %d writes acknowledged in 10 rounds: the test did not exercise anything", len(acks))
		}
		t.Logf("%s: %d acknowledged writes survived 10 SIGKILLs", kind, len(acks))
	})
}

// TestTwoProcessesOneChain runs two servers on one PostgreSQL database and
// writes through both at once: the audit trail stays one valid chain.
func TestTwoProcessesOneChain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dsn := dbtest.PostgresDSN(t)
	a := startProc(t, dsn)
	b := startProc(t, dsn)
	admin := newClient(t, a.base, auth.Principal{Subject: "admin", Role: auth.RoleAdmin})
	admin.must(201, "POST", "/api/v1/organisations", map[string]any{"slug": "geneve", "name": "Ville de Genève"})
	admin.must(201, "POST", "/api/v1/organisations/geneve/units", map[string]any{"slug": "etat-civil", "name": "État civil"})
	var wg sync.WaitGroup
	const each = 40
	for i, base := range []string{a.base, b.base, a.base, b.base} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient(t, base, auth.Principal{Subject: fmt.Sprintf("dpo%d", i), Role: auth.RoleDPO, Org: "geneve"})
			for k := range each {
				s, _, _, err := c.do("POST", "/api/v1/processings", map[string]any{"unit": "etat-civil", "title": fmt.Sprintf("P %d %d", i, k), "purpose": "x"}, "")
				if err != nil || s != 201 {
					t.Errorf("create: %d %v", s, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	res := admin.must(200, "GET", "/api/v1/audit/verify", nil)
	// 3: the first-start admin account (created once, by whichever process
	// won), the organisation and the unit.
	if res["ok"] != true || res["entries"] != float64(3+4*each) {
		t.Fatalf("got %v, want one valid chain of %d entries", res, 3+4*each)
	}
}
