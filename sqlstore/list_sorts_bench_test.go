package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
)

// BenchmarkListIndexesWrites measures what the indexes of migration
// 20261201000170_list_sorts (status, title, blocking, each with updated_at
// and id, and the partial ones of the risks) cost the writes of a processing: a create, an update and a
// submit (each with its version and audit entry), on a database with them
// and on one where they are dropped. The two run interleaved, each first
// in turn, so that the load of a shared machine weighs on both alike; each
// database holds `seed` records first, so that the indexes have depth.
//
//	go test -run '^$' -bench BenchmarkListIndexesWrites -benchtime 1000x ./sqlstore/
func BenchmarkListIndexesWrites(b *testing.B) {
	for _, kind := range []dbtest.Kind{dbtest.SQLite, dbtest.Postgres} {
		b.Run(string(kind), func(b *testing.B) { benchmarkListIndexesWrites(b, dbtest.DSNs()[kind]) })
	}
}

func benchmarkListIndexesWrites(b *testing.B, dsn func(testing.TB) string) {
	ctx := context.Background()
	const seed = 2000
	setup := func(drop bool) *register.Service {
		db := dbtest.Open(b, dsn(b))
		if drop {
			for _, ix := range []string{"processings_status", "processings_title", "processings_blocking",
				"processings_risk_dpia", "processings_risk_abroad", "processings_risk_profiling"} {
				if _, err := db.Bun().ExecContext(ctx, "DROP INDEX "+ix); err != nil {
					b.Fatal(err)
				}
			}
		}
		svc := register.NewService(db.Store())
		if _, err := svc.CreateOrganisation(ctx, logAdmin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@example.ch"}); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, logAdmin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
			b.Fatal(err)
		}
		err := db.Store().InTx(ctx, func(tx register.Store) error {
			ts := register.NewService(tx)
			for i := range seed {
				if _, err := ts.CreateProcessing(ctx, logAdmin, "geneve", publishableFields(fmt.Sprintf("Registre %d", i*7919%seed))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		return svc
	}
	without, with := setup(true), setup(false)
	write := func(svc *register.Service, i int) time.Duration {
		start := time.Now()
		p, err := svc.CreateProcessing(ctx, logAdmin, "geneve", publishableFields(fmt.Sprintf("Traitement %d", i*7919%b.N)))
		if err != nil {
			b.Fatal(err)
		}
		f := p.Fields
		f.Title += " (revu)"
		if p, err = svc.UpdateProcessing(ctx, logAdmin, p.ID, p.Revision, f); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Transition(ctx, logAdmin, p.ID, register.StepSubmit, nil, ""); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	var tWithout, tWith time.Duration
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			tWithout += write(without, i)
			tWith += write(with, i)
		} else {
			tWith += write(with, i)
			tWithout += write(without, i)
		}
	}
	b.ReportMetric(3*float64(b.N)/tWithout.Seconds(), "writes/s-without")
	b.ReportMetric(3*float64(b.N)/tWith.Seconds(), "writes/s-with")
	b.ReportMetric(100*(tWith.Seconds()-tWithout.Seconds())/tWithout.Seconds(), "%-slower")
}
