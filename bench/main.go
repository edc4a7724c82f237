// Command bench measures Registre through the real HTTP stack on loopback:
// reads of one processing per second, creates per second, and list/search
// latency (p50/p99) over a register of many processings in many
// organisations. It prints the figures; it asserts nothing.
//
//	go run ./bench -n 200000 -orgs 50
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

const secret = "bench-secret-that-is-at-least-32-bytes!"

// profile names the CPU profile file, if any (set once by main).
var profile string

func main() {
	if len(os.Args) > 1 && os.Args[1] == "office" {
		if err := runOffice(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "list" {
		if err := runList(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "search" {
		if err := runSearch(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	n := flag.Int("n", 200_000, "processings to seed")
	orgs := flag.Int("orgs", 50, "organisations")
	dsn := flag.String("db", "", "database (default: a new SQLite file in a temporary directory)")
	dur := flag.Duration("d", 5*time.Second, "duration of each throughput run")
	conc := flag.Int("c", 16, "concurrent clients")
	queries := flag.Int("q", 2000, "list/search requests for the latency figures")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured runs (not the seeding) to this file")
	flag.Parse()
	profile = *cpuprofile
	if err := run(*n, *orgs, *dsn, *dur, *conc, *queries); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var words = []string{"naissances", "géolocalisation", "aide sociale", "vidéosurveillance", "repas scolaires",
	"ressources humaines", "déchets", "bibliothèque", "crèche", "impôts", "état civil", "habitants",
	"sport", "culture", "parking", "eau", "énergie", "cimetière", "élections", "subventions"}

func body(org, unit string, i int) map[string]any {
	w := words[i%len(words)]
	return map[string]any{
		"organisation": org, "unit": unit, "title": fmt.Sprintf("Traitement %d — %s", i, w),
		"purpose":       fmt.Sprintf("Gestion des dossiers de %s, numéro %d.", w, i),
		"description":   "Traitement de démonstration pour la mesure des performances.",
		"controller":    map[string]any{"name": "Service " + unit, "contact": "contact@example.ch"},
		"retention":     map[string]any{"period": "P10Y", "trigger": "clôture", "disposal": "archive"},
		"data_subjects": []string{"habitants"}, "data_categories": []any{map[string]any{"name": "identité", "sensitive": false}},
	}
}

func run(n, orgs int, dsn string, dur time.Duration, conc, queries int) error {
	ctx := context.Background()
	if dsn == "" {
		dir, err := os.MkdirTemp("", "registre-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithLogger(log))
	admin := &auth.Principal{Subject: "bench", Role: auth.RoleAdmin}

	// Seed through the domain, many creates per transaction: a Service over
	// the transaction's store runs its use cases inside that transaction.
	t0 := time.Now()
	var ids []string
	orgSlug := func(o int) string { return fmt.Sprintf("org-%02d", o) }
	for o := range orgs {
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: orgSlug(o), Name: fmt.Sprintf("Commune %d", o)}); err != nil {
			return err
		}
		for _, u := range []string{"etat-civil", "social", "technique"} {
			if _, err := svc.CreateUnit(ctx, admin, orgSlug(o), register.Unit{Slug: u, Name: "Service " + u}); err != nil {
				return err
			}
		}
	}
	const batch = 2000
	for start := 0; start < n; start += batch {
		err := db.Store().InTx(ctx, func(tx register.Store) error {
			txSvc := register.NewService(tx, register.WithPasswords(auth.Argon2id{}), register.WithLogger(log))
			for i := start; i < min(start+batch, n); i++ {
				b := body(orgSlug(i%orgs), []string{"etat-civil", "social", "technique"}[i%3], i)
				var f register.Processing
				j, _ := json.Marshal(b)
				if err := json.Unmarshal(j, &f); err != nil {
					return err
				}
				p, err := txSvc.CreateProcessing(ctx, admin, f.Organisation, f.Fields)
				if err != nil {
					return err
				}
				if i%1000 == 0 {
					ids = append(ids, p.ID)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	fmt.Printf("seeded %d processings in %d organisations in %s (%s, GOMAXPROCS=%d)\n",
		n, orgs, time.Since(t0).Round(time.Millisecond), redacted(db.Postgres()), runtime.GOMAXPROCS(0))

	base, signer, stop, err := serveHTTP(svc, log)
	if err != nil {
		return err
	}
	defer stop()
	stopProfile, err := cpuProfile(profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc * 2}}
	token := func(org string) string {
		t, _, _ := signer.Issue(auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: org}, time.Hour, time.Now())
		return t
	}
	tokens := make([]string, orgs)
	for o := range orgs {
		tokens[o] = token(orgSlug(o))
	}
	do := func(method, path, tok string, b []byte) (int, error) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		if b != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	orgOf := func(i int) int { return (i * 1000) % orgs }

	// Reads of one processing.
	rate, errs := throughput(dur, conc, func(w int, k int) bool {
		i := (w*7919 + k) % len(ids)
		s, err := do("GET", "/api/v1/processings/"+ids[i], tokens[orgOf(i)], nil)
		return err == nil && s == 200
	})
	fmt.Printf("GET /api/v1/processings/{id}: %.0f req/s (%d clients, %d errors)\n", rate, conc, errs)

	// Creates, each with its version and audit entry.
	rate, errs = throughput(dur, conc, func(w int, k int) bool {
		o := (w + k) % orgs
		b, _ := json.Marshal(body(orgSlug(o), "social", n+w*1_000_000+k))
		s, err := do("POST", "/api/v1/processings", tokens[o], b)
		return err == nil && s == 201
	})
	fmt.Printf("POST /api/v1/processings: %.0f creates/s (%d clients, %d errors)\n", rate, conc, errs)

	// List and search latency, one request at a time.
	for _, kind := range []string{"list", "search", "search-rare"} {
		lat := make([]time.Duration, 0, queries)
		for k := range queries {
			o := k % orgs
			path := fmt.Sprintf("/api/v1/processings?page=%d&per_page=50", 1+k%20)
			switch kind {
			case "search":
				path = "/api/v1/processings?q=" + urlEscape(words[k%len(words)])
			case "search-rare":
				path = fmt.Sprintf("/api/v1/processings?q=%d", 1000+k*37%n)
			}
			t := time.Now()
			s, err := do("GET", path, tokens[o], nil)
			if err != nil || s != 200 {
				return fmt.Errorf("%s %s: %d %v", kind, path, s, err)
			}
			lat = append(lat, time.Since(t))
		}
		slices.Sort(lat)
		fmt.Printf("%-11s p50 %6.2f ms  p99 %6.2f ms  (%d requests, %d processings per organisation)\n", kind,
			ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), len(lat), n/orgs)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func urlEscape(s string) string {
	var b bytes.Buffer
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func redacted(postgres bool) string {
	if postgres {
		return "PostgreSQL"
	}
	return "SQLite"
}

// throughput runs fn from conc goroutines for d and returns successes per
// second and the number of failures.
func throughput(d time.Duration, conc int, fn func(worker, k int) bool) (float64, int64) {
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for k := r.IntN(1000); time.Now().Before(stop); k++ {
				if fn(w, k) {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return float64(ok.Load()) / time.Since(start).Seconds(), bad.Load()
}

// cpuProfile starts a CPU profile written to name ("" for none) and
// returns what stops it.
func cpuProfile(name string) (stop func(), err error) {
	if name == "" {
		return func() {}, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// serveProcess starts bin serve on dsn at a free loopback port, with the
// bench's signing secret, and waits until it is ready.
func serveProcess(bin, dsn string) (base string, signer auth.Signer, stop func(), pid int, err error) {
	signer, err = auth.NewHS256Signer([]byte(secret), "registre", "registre")
	if err != nil {
		return "", nil, nil, 0, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, 0, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "REGISTRE_DB="+dsn, "REGISTRE_ADDR="+addr, "REGISTRE_JWT_SECRET="+secret, "REGISTRE_LOG_LEVEL=error")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, nil, 0, err
	}
	stop = func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }
	base = "http://" + addr
	for deadline := time.Now().Add(20 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, signer, stop, cmd.Process.Pid, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, nil, 0, fmt.Errorf("%s serve: not ready after 20 minutes (a first start runs the queued maintenance steps over every record)", bin)
		}
	}
}

// serveHTTP serves svc through the real HTTP stack on 127.0.0.1 and returns
// its base URL, a signer of tokens it accepts, and stop. It reads the public
// list's anchors in the background, as registre serve does.
func serveHTTP(svc *register.Service, log *slog.Logger) (base string, signer auth.Signer, stop func(), err error) {
	v, err := auth.NewVerifier(auth.VerifierConfig{Secret: []byte(secret), Issuer: "registre", Audience: "registre"})
	if err != nil {
		return "", nil, nil, err
	}
	signer, err = auth.NewHS256Signer([]byte(secret), "registre", "registre")
	if err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, nil, err
	}
	hs := &http.Server{Handler: server.New(server.Config{Service: svc, Verifier: v, Logger: log})}
	stopAnchors := svc.KeepPublicAnchors(context.Background())
	go hs.Serve(ln) //nolint:errcheck
	return "http://" + ln.Addr().String(), signer, func() { _ = hs.Close(); stopAnchors() }, nil
}
