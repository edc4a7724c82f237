package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// runList is `bench list`: it seeds a register of processings in every
// state (drafts, some returned, records in review, published, some
// incomplete, sensitive or past their review date) by several people, and
// measures the back office's register list (Service.ListProcessingsPage)
// for its common queries: the default page, each filter, each view, each
// sort both ways, a deep page by cursor, a search with a filter; as a DPO
// of one organisation and as an administrator of all. It prints p50/p99;
// it asserts nothing.
//
//	go run ./bench list -n 200000 -orgs 50
//	go run ./bench list -n 200000 -orgs 50 -db 'postgres://...'
func runList(args []string) error {
	fs := flag.NewFlagSet("list", flag.ExitOnError)
	n := fs.Int("n", 200_000, "processings to seed")
	orgs := fs.Int("orgs", 50, "organisations")
	dsn := fs.String("db", "", "database (default: a new SQLite file in a temporary directory); PostgreSQL: an empty database")
	reqs := fs.Int("r", 200, "requests for each latency figure")
	conc := fs.Int("c", 1, "concurrent clients")
	as := fs.String("as", "dpo,admin", "whose lists to measure: dpo (one organisation's), admin (every organisation's), or both")
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
	svc := register.NewService(db.Store(), register.WithLogger(log))
	c, err := newCorpus()
	if err != nil {
		return err
	}
	// A database seeded by an earlier run is measured again as it is.
	have, err := db.Bun().NewSelect().TableExpr("processings").Count(ctx)
	if err != nil {
		return err
	}
	if have == 0 {
		if err := seedList(ctx, db, svc, c, *n, *orgs, log); err != nil {
			return err
		}
	} else {
		fmt.Printf("measuring the %d processings already there\n", have)
	}
	t0 := time.Now()
	if k, err := svc.RefreshStandings(ctx, orgSlug(0)); err != nil {
		return err
	} else {
		fmt.Printf("refresh of one organisation's standings: %d records in %s\n", k, time.Since(t0).Round(time.Millisecond))
	}
	t0 = time.Now()
	if k, err := svc.RefreshStaleStandings(ctx); err != nil {
		return err
	} else {
		fmt.Printf("hourly look for stale standings: %d records in %s\n", k, time.Since(t0).Round(time.Microsecond))
	}

	org := orgSlug(7)
	dpo := &auth.Principal{Subject: "editor-3", Role: auth.RoleDPO, Org: org}
	admin := &auth.Principal{Subject: "editor-3", Role: auth.RoleAdmin}
	yes, no := true, false
	type query struct {
		name string
		f    register.ProcessingFilter
	}
	queries := []query{
		{"default (updated desc)", register.ProcessingFilter{}},
		{"status=draft", register.ProcessingFilter{Status: register.StatusDraft}},
		{"unit", register.ProcessingFilter{Unit: "culture"}},
		{"sensitive", register.ProcessingFilter{Sensitive: &yes}},
		{"blocking", register.ProcessingFilter{Blocking: &yes}},
		{"no blocking", register.ProcessingFilter{Blocking: &no}},
		{"overdue", register.ProcessingFilter{Overdue: true}},
		{"status+sensitive+blocking", register.ProcessingFilter{Status: register.StatusInReview, Sensitive: &yes, Blocking: &yes}},
		{"view my-drafts", register.ProcessingFilter{View: register.ViewMyDrafts}},
		{"view returned", register.ProcessingFilter{View: register.ViewReturned}},
		{"view to-review", register.ProcessingFilter{View: register.ViewToReview}},
		{"search q=registre", register.ProcessingFilter{Query: "registre"}},
		{"search q=registre sort=title", register.ProcessingFilter{Query: "registre", Sort: register.SortTitle}},
	}
	for _, k := range []register.SortKey{register.SortUpdated, register.SortTitle, register.SortReference, register.SortUnit,
		register.SortStatus, register.SortVersion, register.SortBlocking} {
		queries = append(queries, query{"sort=" + string(k), register.ProcessingFilter{Sort: k}},
			query{"sort=-" + string(k), register.ProcessingFilter{Sort: k, Desc: true}})
	}
	fmt.Printf("\nregister list, %d per page, %d requests each, %d client(s) (%s, GOMAXPROCS=%d)\n",
		register.DefaultPerPage, *reqs, *conc, redacted(db.Postgres()), runtime.GOMAXPROCS(0))
	var p99s []time.Duration
	for _, who := range []struct {
		name string
		p    *auth.Principal
	}{{"dpo", dpo}, {"admin", admin}} {
		if !slices.Contains(strings.Split(*as, ","), who.name) {
			continue
		}
		if who.p == dpo {
			fmt.Printf("\na DPO's list of %s (%d records)\n", org, *n / *orgs)
		} else {
			fmt.Printf("\nan administrator's list of every organisation (%d records)\n", *n)
		}
		for _, q := range queries {
			l, err := latency(*reqs, *conc, func(int) error {
				_, err := svc.ListProcessingsPage(ctx, who.p, q.f)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			p99s = append(p99s, l.p99)
			fmt.Printf("  %-30s %s\n", q.name, l)
		}
		// Deep pages: 40 pages down by cursor, for the default and a sort.
		for _, q := range []query{{"default, page 41 by cursor", register.ProcessingFilter{}},
			{"sort=title, page 41 by cursor", register.ProcessingFilter{Sort: register.SortTitle}}} {
			f := q.f
			for range 40 {
				page, err := svc.ListProcessingsPage(ctx, who.p, f)
				if err != nil {
					return err
				}
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			l, err := latency(*reqs, *conc, func(int) error {
				_, err := svc.ListProcessingsPage(ctx, who.p, f)
				return err
			})
			if err != nil {
				return fmt.Errorf("%s: %w", q.name, err)
			}
			p99s = append(p99s, l.p99)
			fmt.Printf("  %-30s %s\n", q.name, l)
		}
	}
	fmt.Printf("\nworst p99: %.2f ms (budget 50 ms)\n", ms(slices.Max(p99s)))
	return nil
}

// seedList creates the organisations (units administration and culture)
// and n processings through the domain, in transactions of many: of every
// ten, four published, one in review, one returned, four drafts; one in
// ten incomplete (a blocking finding), one in eight sensitive, review dates
// from 2025 to 2028; made by ten people.
func seedList(ctx context.Context, db *sqlstore.DB, svc *register.Service, c *corpus, n, orgs int, log *slog.Logger) error {
	t0 := time.Now()
	cli := register.CommandLine("bench")
	for o := range orgs {
		if _, err := svc.CreateOrganisation(ctx, cli, register.Organisation{Slug: orgSlug(o), Name: fmt.Sprintf("Commune %d", o),
			LIPADContact: "lipad@" + orgSlug(o) + ".example"}); err != nil {
			return err
		}
		for _, u := range []string{"administration", "culture"} {
			if _, err := svc.CreateUnit(ctx, cli, orgSlug(o), register.Unit{Slug: u, Name: u}); err != nil {
				return err
			}
		}
	}
	r := rand.New(rand.NewPCG(17, 2026))
	const batch = 500
	for start := 0; start < n; start += batch {
		err := db.Store().InTx(ctx, func(tx register.Store) error {
			ts := register.NewService(tx, register.WithLogger(log))
			for i := start; i < min(start+batch, n); i++ {
				org := orgSlug(i % orgs)
				who := &auth.Principal{Subject: fmt.Sprintf("editor-%d", r.IntN(10)), Role: auth.RoleDPO, Org: org}
				f := c.fields(r, []string{"administration", "culture"}[r.IntN(2)], i)
				f.Reference = fmt.Sprintf("REF-%06d", i)
				f.ReviewDue = fmt.Sprintf("%d-%02d-%02d", 2025+r.IntN(4), 1+r.IntN(12), 1+r.IntN(28))
				if r.IntN(8) == 0 {
					f.DataCategories = append(f.DataCategories, register.DataCategory{Name: "santé", Sensitive: true})
				}
				kind := i % 10
				if kind >= 6 && r.IntN(4) == 0 { // drafts and records in review only
					f.DataSubjects = nil
				}
				p, err := ts.CreateProcessing(ctx, who, org, f)
				if err != nil {
					return err
				}
				var steps []register.Step
				switch {
				case kind < 4:
					steps = []register.Step{register.StepSubmit, register.StepPublish}
				case kind == 4:
					steps = []register.Step{register.StepSubmit}
				case kind == 5:
					steps = []register.Step{register.StepSubmit, register.StepReturn}
				}
				for _, s := range steps {
					if p, err = ts.Transition(ctx, who, p.ID, s, nil, "bench"); err != nil {
						return fmt.Errorf("%s: %w", s, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	fmt.Printf("seeded %d processings in %d organisations in %s (%s)\n", n, orgs, time.Since(t0).Round(time.Millisecond), redacted(db.Postgres()))
	return nil
}
