package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// runSearch is `bench search`: it seeds a register of published processings
// in many organisations from realistic text, then measures the public side
// (search with a query mix, paging, organisations, one processing, the
// notice, the CSV) and the back office's lists, through the HTTP stack on
// loopback, and deep pages by cursor through the domain service. It prints
// the figures; it asserts nothing.
//
//	go run ./bench search -n 20000 -orgs 200
//	go run ./bench search -n 200000 -orgs 2000 -db 'postgres://...'
func runSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ExitOnError)
	n := fs.Int("n", 20_000, "published processings to seed")
	orgs := fs.Int("orgs", 200, "organisations")
	dsn := fs.String("db", "", "database (default: a new SQLite file in a temporary directory); PostgreSQL: an empty database")
	conc := fs.Int("c", 8, "concurrent clients for the throughput figures")
	dur := fs.Duration("d", 5*time.Second, "duration of each throughput run")
	reqs := fs.Int("r", 400, "requests for each latency figure")
	seedOnly := fs.Bool("seed-only", false, "seed and report the database size, measure nothing")
	serveBin := fs.String("serve", "", "a registre binary: load a `serve` process of its own (its memory measured alone) instead of the service in this process")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the seeding (with -only csv: of the CSV) to this file")
	raw := fs.Bool("raw", false, "the load generator reads the compressed bodies without inflating them (on the same 2 cores, inflating a client's bodies takes CPU from the server; a real client inflates on its own machine)")
	only := fs.String("only", "", "measure only this on an already seeded database: csv (the whole public CSV), search (the search mix and the list's pages)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
	if os.Getenv("GOMEMLIMIT") == "" {
		// The soft memory limit registre serve sets (cmd/registre/serve.go),
		// so that the memory measured is the service's as deployed.
		debug.SetMemoryLimit(90 << 20)
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "registre-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	db, err := sqlstore.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := register.NewService(db.Store(), register.WithLogger(log))
	switch *only {
	case "", "search":
	case "csv":
		seeded, err := db.Bun().NewSelect().TableExpr("publications").Limit(1).Exists(ctx)
		if err != nil || !seeded {
			return fmt.Errorf("-only csv: the database has no publications (seed it first, without -only): %v", err)
		}
		stop, err := cpuProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
		return benchCSV(ctx, db, svc, log)
	default:
		return fmt.Errorf("-only %q: want csv or search", *only)
	}
	c, err := newCorpus()
	if err != nil {
		return err
	}
	stopProfile, err := cpuProfile(*cpuprofile)
	if err != nil {
		return err
	}
	ids, freq, err := seedOrReuse(ctx, db, svc, c, *n, *orgs, log)
	stopProfile()
	if err != nil {
		return err
	}
	// The records' standings as serve keeps them (it checks the stale ones
	// when it starts): seeded through the store, the records have none, and
	// every opening of the database would then fill them from the audit
	// trail again (Migrate), rewriting every row before each run and
	// leaving the dead rows to autovacuum during the measures.
	start := time.Now()
	checked, err := svc.RefreshStaleStandings(ctx)
	if err != nil {
		return err
	}
	if checked > 0 {
		fmt.Printf("checked the standings of %d records in %s (once, as serve does)\n", checked, time.Since(start).Round(time.Second))
	}
	// PostgreSQL's search windows, as serve builds them when it starts
	// (the first takes a few seconds at 200,000 rows), and the newest
	// publications' terms, which the first search would read.
	start = time.Now()
	if err := db.RefreshSearchWindows(ctx); err != nil {
		return err
	}
	if err := db.BuildTermWindow(ctx); err != nil {
		return err
	}
	if db.Postgres() {
		fmt.Printf("search windows ready in %s\n", time.Since(start).Round(time.Millisecond))
	}
	size, err := dbSize(ctx, db, *dsn)
	if err == nil {
		fmt.Printf("database: %.1f MB, %.0f bytes per published processing\n", float64(size)/1e6, float64(size)/float64(*n))
	}
	if *seedOnly {
		return nil
	}

	// The service under load: in this process, or (-serve) a registre
	// serve process of its own, whose memory is then the service's alone.
	var (
		base       string
		signer     auth.Signer
		stopServer func()
		serverPID  int
	)
	if *serveBin != "" {
		base, signer, stopServer, serverPID, err = serveProcess(*serveBin, *dsn)
		// The deep pages measured through the domain (not over HTTP) are
		// this process's service's: its anchors are kept as serve keeps them.
		defer svc.KeepPublicAnchors(ctx)()
	} else {
		base, signer, stopServer, err = serveHTTP(svc, log)
	}
	if err != nil {
		return err
	}
	defer stopServer()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	// The client inflates what it reads (unless -raw) with
	// klauspost/compress, the server's own library: the standard
	// library's inflater took about twice the CPU, which on the same 2
	// cores is taken from the server (a real client inflates on its own
	// machine).
	inflaters := sync.Pool{New: func() any { return new(kgzip.Reader) }}
	get := func(path, tok string) (int, int64, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		// Set by hand, the transport leaves the body compressed.
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0, err
		}
		defer resp.Body.Close()
		var body io.Reader = resp.Body
		if !*raw && resp.Header.Get("Content-Encoding") == "gzip" {
			zr := inflaters.Get().(*kgzip.Reader)
			defer inflaters.Put(zr)
			if err := zr.Reset(resp.Body); err != nil {
				return 0, 0, err
			}
			body = zr
		}
		nb, err := io.Copy(io.Discard, body)
		if err != nil {
			return 0, 0, err
		}
		return resp.StatusCode, nb, nil
	}
	ok := func(path, tok string) error {
		s, _, err := get(path, tok)
		if err == nil && s != 200 {
			err = fmt.Errorf("GET %s: %d", path, s)
		}
		return err
	}

	if os.Getenv("BENCH_SKIP_SEARCH") == "" {
		if err := benchSearches(ctx, svc, c, freq, ok, *reqs, *conc, *dur, *n); err != nil {
			return err
		}
	}
	if *only == "search" {
		if serverPID != 0 {
			fmt.Printf("memory of the registre serve process alone: %s\n", procMemory(serverPID))
		}
		return nil
	}
	if err := benchRest(ctx, svc, queryMix(c, freq), ids, signer, get, ok, *reqs, *conc, *dur, *n, *orgs); err != nil {
		return err
	}
	if serverPID != 0 {
		fmt.Printf("memory of the registre serve process alone: %s\n", procMemory(serverPID))
	}
	return benchCSV(ctx, db, svc, log) // the whole CSV, with the process's memory watched
}

// benchSearches measures the public search and the public list's pages.
func benchSearches(ctx context.Context, svc *register.Service, c *corpus, freq []wordFreq, ok func(string, string) error,
	reqs, conc int, dur time.Duration, n int) error {
	// The query mix: frequent words, rare words, two words, 1-3 letter prefixes.
	// The service keeps the pages it served until the public register
	// changes; "cold" requests vary per_page (10 to 49) so that each is
	// searched anew, as a new query would be.
	cold := func(k, n int) string { return "&per_page=" + fmt.Sprint(10+(k/n)%40) }
	// coldQ writes q with the case of its letters flipped by the bits of k
	// (the same search, another request), for the frequent word alone.
	coldQ := func(q string, k int) string {
		r := []rune(q)
		for i := range r {
			if k>>(i%20)&1 == 1 {
				r[i] = unicode.ToUpper(r[i])
			}
		}
		return string(r)
	}
	mix := queryMix(c, freq)
	for _, kind := range []string{"frequent", "rare", "two-words", "prefix"} {
		qs := mix[kind]
		l, err := latency(reqs, 1, func(k int) error {
			return ok("/public/v1/processings?q="+url.QueryEscape(qs[k%len(qs)])+cold(k, len(qs)), "")
		})
		if err != nil {
			return err
		}
		fmt.Printf("public search %-10s 1 client (cold):  %s   e.g. %q\n", kind, l, qs[0])
	}
	var all []string
	for _, kind := range []string{"frequent", "rare", "two-words", "prefix"} {
		all = append(all, mix[kind]...)
	}
	l, err := latency(0, conc, func(k int) error {
		return ok("/public/v1/processings?q="+url.QueryEscape(all[k%len(all)]), "")
	}, dur)
	if err != nil {
		return err
	}
	fmt.Printf("public search mix  %d clients: %s\n", conc, l)
	// Where the cold searches spend the CPU (server and load generator
	// together), when BENCH_COLDPROFILE names a file.
	stopProfile, err := cpuProfile(os.Getenv("BENCH_COLDPROFILE"))
	if err != nil {
		return err
	}
	// Every request of the cold mix is a new one: past the 40 page sizes
	// of each query, the case of its letters changes too (at 1,000/s, 5 s
	// of the mix asked each page size of each query once or twice, and
	// the repeats were served from the kept pages).
	l, err = latency(0, conc, func(k int) error {
		q := coldQ(all[k%len(all)], k/(40*len(all)))
		return ok("/public/v1/processings?q="+url.QueryEscape(q)+cold(k, len(all)), "")
	}, dur)
	stopProfile()
	if err != nil {
		return err
	}
	fmt.Printf("public search mix  %d clients (cold): %s\n", conc, l)
	top := freq[0].word
	l, err = latency(0, conc, func(k int) error {
		return ok("/public/v1/processings?q="+url.QueryEscape(top), "")
	}, dur)
	if err != nil {
		return err
	}
	fmt.Printf("public search most frequent word %q (%d processings) %d clients: %s\n", top, freq[0].docs, conc, l)
	l, err = latency(0, conc, func(k int) error {
		return ok("/public/v1/processings?q="+url.QueryEscape(coldQ(top, k)), "")
	}, dur)
	if err != nil {
		return err
	}
	fmt.Printf("public search most frequent word %q %d clients (cold): %s\n", top, conc, l)

	// Pages of the public list, by offset (today's ?page=).
	lastPage := (n + 49) / 50
	for _, p := range []int{1, lastPage / 2, lastPage} {
		l, err := latency(reqs/4, 1, func(int) error { return ok(fmt.Sprintf("/public/v1/processings?page=%d&per_page=50", p), "") })
		if err != nil {
			return err
		}
		fmt.Printf("public list ?page=%-6d 1 client:  %s\n", p, l)
		// The same page read from the store each time (not the kept page).
		l, err = latency(reqs/4, 1, func(int) error {
			_, err := svc.ListPublicPage(ctx, register.PublicFilter{Page: p, PerPage: 50})
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("public list page %-6d by offset (domain, cold): %s\n", p, l)
	}
	return cursorPages(ctx, svc, reqs)
}

// benchRest measures organisations, one processing, the notice, the back
// office's lists and the CSV.
func benchRest(ctx context.Context, svc *register.Service, mix map[string][]string, ids []string, signer auth.Signer, get func(string, string) (int, int64, error),
	ok func(string, string) error, reqs, conc int, dur time.Duration, n, orgs int) error {
	_ = ctx
	_ = svc
	var all []string
	for _, kind := range []string{"frequent", "rare", "two-words", "prefix"} {
		all = append(all, mix[kind]...)
	}
	l, err := latency(0, conc, func(int) error { return ok("/public/v1/organisations", "") }, dur)
	if err != nil {
		return err
	}
	fmt.Printf("public organisations %d clients: %s\n", conc, l)
	l, err = latency(0, conc, func(k int) error { return ok("/public/v1/processings/"+ids[k%len(ids)], "") }, dur)
	if err != nil {
		return err
	}
	fmt.Printf("public processing    %d clients: %s\n", conc, l)
	l, err = latency(reqs/4, 1, func(k int) error { return ok("/public/v1/processings/"+ids[k%len(ids)]+"/notice.pdf", "") })
	if err != nil {
		return err
	}
	fmt.Printf("public notice.pdf    1 client:  %s\n", l)

	// The back office: a DPO's list and search in their organisation.
	tok := func(o int) string {
		t, _, _ := signer.Issue(auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: orgSlug(o)}, time.Hour, time.Now())
		return t
	}
	toks := make([]string, orgs)
	for o := range toks {
		toks[o] = tok(o)
	}
	perOrg := n / orgs
	// Where the back office's lists spend the CPU, when BENCH_OFFICEPROFILE
	// names a file (the service in this process: without -serve).
	stopProfile, err := cpuProfile(os.Getenv("BENCH_OFFICEPROFILE"))
	if err != nil {
		return err
	}
	defer stopProfile()
	for _, p := range []int{1, max(1, (perOrg+19)/20)} {
		l, err := latency(0, conc, func(k int) error {
			return ok(fmt.Sprintf("/api/v1/processings?page=%d&per_page=20", p), toks[k%len(toks)])
		}, dur)
		if err != nil {
			return err
		}
		fmt.Printf("back-office list ?page=%d %d clients: %s\n", p, conc, l)
	}
	l, err = latency(0, conc, func(k int) error {
		return ok("/api/v1/processings?q="+url.QueryEscape(all[k%len(all)]), toks[k%len(toks)])
	}, dur)
	if err != nil {
		return err
	}
	fmt.Printf("back-office search mix %d clients: %s\n", conc, l)

	if f := os.Getenv("BENCH_HEAPPROFILE"); f != "" {
		// What the heap holds after the load: the server's caches and the
		// load generator's corpus together.
		runtime.GC()
		if err := writeHeapProfile(f); err != nil {
			return err
		}
	}
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	fmt.Printf("heap in use after the load: %.0f MB (the whole CSV: -only csv)\n", float64(m.HeapInuse)/1e6)
	fmt.Printf("process memory (server and load generator together): %s\n", vmHWM())
	return nil
}

func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func orgSlug(o int) string { return fmt.Sprintf("org-%04d", o) }

type wordFreq struct {
	word string
	docs int
}

// seed creates the organisations and publishes n processings (and one draft
// for every twenty, which no public read may show) through the domain, in
// transactions of many: the same rows, versions, publications and audit
// entries as through the API.
func seed(ctx context.Context, db *sqlstore.DB, svc *register.Service, c *corpus, n, orgs int, log *slog.Logger) ([]string, []wordFreq, error) {
	t0 := time.Now()
	cli := register.CommandLine("bench")
	for o := range orgs {
		name := communes[o%len(communes)]
		if o >= len(communes) {
			name = fmt.Sprintf("%s %d", name, o/len(communes)+1)
		}
		if _, err := svc.CreateOrganisation(ctx, cli, register.Organisation{Slug: orgSlug(o), Name: "Commune de " + name,
			LIPADContact: "lipad@" + orgSlug(o) + ".example"}); err != nil {
			return nil, nil, err
		}
		if _, err := svc.CreateUnit(ctx, cli, orgSlug(o), register.Unit{Slug: "administration", Name: "Administration"}); err != nil {
			return nil, nil, err
		}
	}
	docs := map[string]int{}
	var ids []string
	r := rand.New(rand.NewPCG(17, 2026))
	const batch = 500
	for start := 0; start < n; start += batch {
		err := db.Store().InTx(ctx, func(tx register.Store) error {
			ts := register.NewService(tx, register.WithLogger(log))
			for i := start; i < min(start+batch, n); i++ {
				f := c.fields(r, "administration", i)
				countWords(docs, f)
				p, err := ts.CreateProcessing(ctx, cli, orgSlug(i%orgs), f)
				if err != nil {
					return err
				}
				for _, s := range []register.Step{register.StepSubmit, register.StepPublish} {
					if p, err = ts.Transition(ctx, cli, p.ID, s, nil, ""); err != nil {
						return fmt.Errorf("%s: %w", s, err)
					}
				}
				if i%100 == 0 {
					ids = append(ids, p.ID)
				}
				if i%20 == 0 {
					d := c.fields(r, "administration", i+1)
					d.Title = "Brouillon " + d.Title
					if _, err := ts.CreateProcessing(ctx, cli, orgSlug(i%orgs), d); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("seed: %w", err)
		}
	}
	fmt.Printf("seeded %d published processings (and %d drafts) in %d organisations in %s (%s, GOMAXPROCS=%d)\n",
		n, (n+19)/20, orgs, time.Since(t0).Round(time.Millisecond), redacted(db.Postgres()), runtime.GOMAXPROCS(0))
	if err := settle(ctx, db); err != nil {
		return nil, nil, err
	}
	return ids, sortFreq(docs), nil
}

// seedOrReuse seeds, or when the database already holds the seeded
// organisations (a database kept with -db from an earlier run), only
// recomputes the word frequencies the same way (the corpus is drawn from a
// fixed seed) and reads the ids back, so that one seeding serves runs
// before and after a change.
func seedOrReuse(ctx context.Context, db *sqlstore.DB, svc *register.Service, c *corpus, n, orgs int, log *slog.Logger) ([]string, []wordFreq, error) {
	have, err := db.Bun().NewSelect().TableExpr("organisations").Where("slug = ?", orgSlug(0)).Count(ctx)
	if err != nil || have == 0 {
		return seed(ctx, db, svc, c, n, orgs, log)
	}
	var ids []string
	if err := db.Bun().NewSelect().TableExpr("publications").ColumnExpr("processing_id").
		OrderExpr("processing_id").Limit(int64(n/100+1)).Scan(ctx, &ids); err != nil {
		return nil, nil, err
	}
	docs := map[string]int{}
	r := rand.New(rand.NewPCG(17, 2026))
	for i := range n {
		f := c.fields(r, "administration", i)
		countWords(docs, f)
		if i%20 == 0 {
			c.fields(r, "administration", i+1)
		}
	}
	fmt.Printf("reused the database's %d organisations (not seeded again)\n", orgs)
	return ids, sortFreq(docs), nil
}

func countWords(docs map[string]int, f register.Fields) {
	seen := map[string]bool{}
	for _, w := range strings.FieldsFunc(register.SearchKey(f.Title, f.Purpose, f.PublicSummary, f.Description), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	}) {
		if len(w) > 3 && !seen[w] {
			seen[w] = true
			docs[w]++
		}
	}
}

func sortFreq(docs map[string]int) []wordFreq {
	var freq []wordFreq
	for w, d := range docs {
		freq = append(freq, wordFreq{w, d})
	}
	sort.Slice(freq, func(i, j int) bool {
		if freq[i].docs != freq[j].docs {
			return freq[i].docs > freq[j].docs
		}
		return freq[i].word < freq[j].word
	})
	return freq
}

// queryMix builds the queries of each kind.
func queryMix(c *corpus, freq []wordFreq) map[string][]string {
	m := map[string][]string{}
	for _, f := range freq[:min(10, len(freq))] {
		m["frequent"] = append(m["frequent"], f.word)
	}
	m["rare"] = rareWords
	for _, t := range c.titles {
		ws := strings.Fields(strings.ToLower(t))
		var content []string
		for _, w := range ws {
			if len([]rune(w)) > 3 {
				content = append(content, strings.Trim(w, ",:()"))
			}
		}
		if len(content) >= 2 {
			m["two-words"] = append(m["two-words"], content[0]+" "+content[1])
		}
	}
	for _, f := range freq[:min(40, len(freq))] {
		for _, k := range []int{1, 2, 3} {
			m["prefix"] = append(m["prefix"], f.word[:k])
		}
	}
	slices.Sort(m["prefix"])
	m["prefix"] = slices.Compact(m["prefix"])
	return m
}

// lat holds latency figures.
type lat struct {
	n        int
	rate     float64
	p50, p99 time.Duration
}

func (l lat) String() string {
	return fmt.Sprintf("p50 %6.2f ms  p99 %6.2f ms  %7.0f req/s  (%d requests)", ms(l.p50), ms(l.p99), l.rate, l.n)
}

// latency runs fn count times from conc clients, or for d when count is 0.
func latency(count, conc int, fn func(k int) error, d ...time.Duration) (lat, error) {
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	var stop time.Time
	if count == 0 {
		stop = start.Add(d[0])
	}
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for k := w; ; k += conc {
				if count > 0 && k >= count || count == 0 && time.Now().After(stop) {
					break
				}
				t := time.Now()
				if err := fn(k); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return lat{}, firstErr
	}
	slices.Sort(all)
	if len(all) == 0 {
		return lat{}, fmt.Errorf("no request ran")
	}
	return lat{n: len(all), rate: float64(len(all)) / time.Since(start).Seconds(),
		p50: all[len(all)/2], p99: all[len(all)*99/100]}, nil
}

func dbSize(ctx context.Context, db *sqlstore.DB, dsn string) (int64, error) {
	if db.Postgres() {
		var n int64
		err := db.Bun().NewRaw("SELECT pg_database_size(current_database())").Scan(ctx, &n)
		return n, err
	}
	var total int64
	path := strings.TrimPrefix(dsn, "sqlite:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(path + suffix); err == nil {
			total += st.Size()
		}
	}
	return total, nil
}

// vmHWM reports the process's peak resident memory and, at the end, how
// much of the resident memory is the process's own (RssAnon) and how much
// is the database file mapped by SQLite's mmap (RssFile), which the kernel
// reclaims at will.
func vmHWM() string { return procMemory(0) }

// procMemory reads the peak and current memory of a process (0: this one).
func procMemory(pid int) string {
	path := "/proc/self/status"
	if pid != 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		for _, k := range []string{"VmHWM:", "RssAnon:", "RssFile:"} {
			if strings.HasPrefix(l, k) {
				out = append(out, k+" "+strings.TrimSpace(strings.TrimPrefix(l, k)))
			}
		}
	}
	return strings.Join(out, ", ")
}
