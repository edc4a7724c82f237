package main

import (
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// runOffice is `bench office`: it seeds a register of n processings in every
// state, spread over orgs organisations, signs in to the back office through
// its sign-in page as a DPO and as an administrator, and measures GET
// /office/ through the whole HTTP stack (session cookie included): the
// default list, filters, a search, a sort, a one-click view and a deep page
// by cursor. It prints p50/p99; it asserts nothing.
//
//	go run ./bench office -n 200000 -orgs 20
//	go run ./bench office -n 200000 -orgs 20 -db 'postgres://...'
//	go run ./bench office -n 200000 -orgs 20 -form   # the forms' pages
//	go run ./bench office -n 200000 -orgs 20 -sorts  # and every sort both ways
func runOffice(args []string) error {
	fs := flag.NewFlagSet("office", flag.ExitOnError)
	n := fs.Int("n", 200_000, "processings to seed")
	orgs := fs.Int("orgs", 20, "organisations")
	dsn := fs.String("db", "", "database (default: a new SQLite file in a temporary directory); PostgreSQL: an empty database")
	reqs := fs.Int("r", 300, "requests for each latency figure")
	deep := fs.Int("deep", 40, "pages followed by cursor for the deep-page figure")
	as := fs.String("as", "dpo,admin", "who reads: dpo (one organisation), admin (every organisation), or both")
	forms := fs.Bool("form", false, "measure the forms' pages (task list, section forms, add a row, check your answers) instead of the list")
	sorts := fs.Bool("sorts", false, "also measure every other sort of the list, both ways")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx := context.Background()
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
	svc := register.NewService(db.Store(), register.WithLogger(log), register.WithPasswords(auth.Argon2id{}))
	c, err := newCorpus()
	if err != nil {
		return err
	}
	// A database kept with -db from an earlier run is measured again as it
	// is: one seeding serves the runs before and after a change.
	have, err := db.Bun().NewSelect().TableExpr("organisations").Where("slug = ?", orgSlug(0)).Count(ctx)
	if err != nil {
		return err
	}
	if have == 0 {
		if err := seedOffice(ctx, db, svc, c, *n, *orgs, log); err != nil {
			return err
		}
	} else {
		fmt.Println("reused the database (not seeded again)")
	}
	const pass = "bench-password-long-enough-2026"
	for _, a := range []register.NewAccount{
		{Username: "bench-dpo", Password: pass, Role: "dpo", Org: orgSlug(0)},
		{Username: "bench-admin", Password: pass, Role: "admin"},
	} {
		if _, err := svc.CreateUserAsOperator(ctx, a); err != nil && have == 0 {
			return fmt.Errorf("account %s: %w", a.Username, err)
		}
	}

	// PostgreSQL's search windows, as serve builds them (an
	// administrator's search across organisations looks there first).
	if err := db.RefreshSearchWindows(ctx); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	v, err := auth.NewVerifier(auth.VerifierConfig{Secret: []byte(secret), Issuer: "registre", Audience: "registre"})
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: server.New(server.Config{Service: svc, Verifier: v, Logger: log}), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln) //nolint:errcheck
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	for _, who := range []struct{ user, label string }{{"bench-dpo", "DPO (one organisation, " + fmt.Sprint(*n / *orgs) + " processings)"}, {"bench-admin", "administrator (every organisation, " + fmt.Sprint(*n) + " processings)"}} {
		if !strings.Contains(*as, strings.TrimPrefix(who.user, "bench-")) {
			continue
		}
		client, err := officeSignIn(base, who.user, pass)
		if err != nil {
			return err
		}
		get := func(path string) (string, error) {
			resp, err := client.Get(base + path)
			if err != nil {
				return "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("GET %s: %d", path, resp.StatusCode)
			}
			return string(b), err
		}
		if *forms {
			fmt.Printf("\nforms of a draft as %s:\n", who.label)
			if err := benchForms(client, base, get, *reqs); err != nil {
				return err
			}
			continue
		}
		fmt.Printf("\nGET /office/ as %s:\n", who.label)
		deepPath, err := followCursor(get, "/office/", *deep)
		if err != nil {
			return err
		}
		cases := []struct{ name, path string }{
			{"default (last change first)", "/office/"},
			{"filter status=draft", "/office/?status=draft"},
			{"filter blocking=yes sensitive=no", "/office/?blocking=yes&sensitive=no"},
			{"filter overdue", "/office/?overdue=1"},
			{"view to-review", "/office/?view=to-review"},
			{"search (frequent word)", "/office/?q=" + url.QueryEscape("données")},
			{"search (rare word)", "/office/?q=" + url.QueryEscape(rareWords[0])},
			{"sort by title", "/office/?sort=title&order=asc"},
			{"sort by blocking findings", "/office/?sort=blocking&order=desc"},
			{fmt.Sprintf("page %d by cursor", *deep+1), deepPath},
			{"overview (compliance dashboard)", "/office/overview?org=" + orgSlug(0)},
			{"filter law=lipad-43 current", "/office/?law=lipad-43&current=1"},
			{"filter risk=transfers current", "/office/?risk=transfers&current=1"},
		}
		if *sorts {
			for _, k := range []string{"title", "reference", "unit", "status", "version", "blocking", "updated"} {
				if who.user == "bench-admin" && register.SortKey(k).WithinOrganisation() {
					continue // refused across every organisation (422)
				}
				for _, o := range []string{"asc", "desc"} {
					cases = append(cases, struct{ name, path string }{"sort=" + k + " order=" + o, "/office/?sort=" + k + "&order=" + o})
				}
			}
		}
		for _, c := range cases {
			l, err := latency(*reqs, 1, func(int) error { _, err := get(c.path); return err })
			if err != nil {
				return err
			}
			fmt.Printf("  %-36s %s\n", c.name, l)
		}
	}
	fmt.Printf("process memory: %s (GOMAXPROCS=%d)\n", vmHWM(), runtime.GOMAXPROCS(0))
	return nil
}

// officeSignIn signs in through the back office's sign-in page and returns
// a client holding the session cookie.
func officeSignIn(base, user, pass string) (*http.Client, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 8},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(base + "/office/login")
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	m := csrfField.FindSubmatch(b)
	if m == nil {
		return nil, fmt.Errorf("sign-in page (%d) has no form token", resp.StatusCode)
	}
	resp, err = client.PostForm(base+"/office/login", url.Values{"csrf": {html.UnescapeString(string(m[1]))}, "username": {user}, "password": {pass}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: %d", user, resp.StatusCode)
	}
	return client, nil
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	nextLink  = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
)

// followCursor follows the list's "next page" links pages times and
// returns the path of the last page reached.
func followCursor(get func(string) (string, error), path string, pages int) (string, error) {
	for range pages {
		body, err := get(path)
		if err != nil {
			return "", err
		}
		m := nextLink.FindStringSubmatch(body)
		if m == nil {
			break
		}
		path = html.UnescapeString(m[1])
	}
	return path, nil
}

// seedOffice creates the organisations (three units each) and n
// processings in every state through the domain, in transactions of many:
// six in ten stay drafts (one in three of them incomplete, so that it has
// blocking findings), two are in review, two published.
func seedOffice(ctx context.Context, db *sqlstore.DB, svc *register.Service, c *corpus, n, orgs int, log *slog.Logger) error {
	t0 := time.Now()
	cli := register.CommandLine("bench")
	units := []string{"administration", "social", "technique"}
	for o := range orgs {
		if _, err := svc.CreateOrganisation(ctx, cli, register.Organisation{Slug: orgSlug(o), Name: fmt.Sprintf("Commune %d", o),
			LIPADContact: "lipad@" + orgSlug(o) + ".example"}); err != nil {
			return err
		}
		for _, u := range units {
			if _, err := svc.CreateUnit(ctx, cli, orgSlug(o), register.Unit{Slug: u, Name: "Service " + u}); err != nil {
				return err
			}
		}
	}
	r := rand.New(rand.NewPCG(15, 2026))
	const batch = 500
	for start := 0; start < n; start += batch {
		err := db.Store().InTx(ctx, func(tx register.Store) error {
			ts := register.NewService(tx, register.WithLogger(log))
			for i := start; i < min(start+batch, n); i++ {
				f := c.fields(r, units[i%len(units)], i)
				k := i % 10
				if k < 6 && k%3 == 0 {
					f.Controller = register.Party{} // a blocking finding
				}
				if i%7 == 0 {
					f.DataCategories = append(f.DataCategories, register.DataCategory{Name: "santé", Sensitive: true})
				}
				p, err := ts.CreateProcessing(ctx, cli, orgSlug(i%orgs), f)
				if err != nil {
					return err
				}
				var steps []register.Step
				switch {
				case k >= 8:
					steps = []register.Step{register.StepSubmit, register.StepPublish}
				case k >= 6:
					steps = []register.Step{register.StepSubmit}
				}
				for _, s := range steps {
					if p, err = ts.Transition(ctx, cli, p.ID, s, nil, ""); err != nil {
						return fmt.Errorf("%s: %w", s, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if start%(batch*40) == 0 && start > 0 {
			fmt.Printf("  seeded %d in %s\n", start, time.Since(t0).Round(time.Second))
		}
	}
	fmt.Printf("seeded %d processings in %d organisations in %s (%s)\n", n, orgs, time.Since(t0).Round(time.Millisecond), redacted(db.Postgres()))
	return settle(ctx, db)
}

var (
	recordLink = regexp.MustCompile(`href="/office/processings/([0-9a-f-]{36})\?`)
	revField   = regexp.MustCompile(`name="revision" value="(\d+)"`)
)

// benchForms measures the pages that write a draft, on the first draft of
// the reader's list: the task list (it runs the rules), section forms (the
// people's with its datalists, the processors' with a select of countries
// per row), a row added (a POST that saves nothing and renders the form
// again) and check your answers.
func benchForms(client *http.Client, base string, get func(string) (string, error), reqs int) error {
	body, err := get("/office/?status=draft")
	if err != nil {
		return err
	}
	m := recordLink.FindStringSubmatch(body)
	if m == nil {
		return fmt.Errorf("no draft in the list")
	}
	rec := "/office/processings/" + m[1]
	for _, c := range []struct{ name, path string }{
		{"task list", rec + "/edit"},
		{"section form: purpose", rec + "/edit/purpose"},
		{"section form: legal bases", rec + "/edit/legal"},
		{"section form: people and data", rec + "/edit/people"},
		{"section form: processors, transfers", rec + "/edit/processors"},
		{"check your answers", rec + "/check"},
	} {
		l, err := latency(reqs, 1, func(int) error { _, err := get(c.path); return err })
		if err != nil {
			return err
		}
		fmt.Printf("  GET %-38s %s\n", c.name, l)
	}
	page, err := get(rec + "/edit/legal")
	if err != nil {
		return err
	}
	tok, rev := csrfField.FindStringSubmatch(page), revField.FindStringSubmatch(page)
	if tok == nil || rev == nil {
		return fmt.Errorf("legal bases form: no token or revision")
	}
	form := url.Values{"csrf": {html.UnescapeString(tok[1])}, "revision": {rev[1]}, "action": {"add:legal_bases"},
		"legal_bases.0.type": {"law"}, "legal_bases.0.reference": {"LIPAD art. 35"}}
	l, err := latency(reqs, 1, func(int) error {
		resp, err := client.PostForm(base+rec+"/edit/legal", form)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("add a row: %d", resp.StatusCode)
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Printf("  POST %-37s %s\n", "add a legal basis (nothing saved)", l)
	return nil
}

// settle brings a freshly seeded PostgreSQL database to the state a running
// one is in: autovacuum would in time merge the GIN indexes' pending lists
// (which every search otherwise reads through) and gather the planner's
// figures. On SQLite there is nothing to do.
func settle(ctx context.Context, db *sqlstore.DB) error {
	if !db.Postgres() {
		return nil
	}
	_, err := db.Bun().ExecContext(ctx, "VACUUM ANALYZE")
	return err
}
