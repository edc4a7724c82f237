package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
)

// BenchmarkPublish measures the publish step (in_review → published, with
// its publication row, version and audit entry) on each database, without and with
// the transparency log's append in the same transaction. The two run
// interleaved, one publish each in turn on two databases, each first in turn, so that the load
// of a shared machine weighs on both alike; the processings are made and
// submitted before the timer starts.
//
//	go test -run '^$' -bench BenchmarkPublish -benchtime 2000x ./sqlstore/
func BenchmarkPublish(b *testing.B) {
	for _, kind := range []dbtest.Kind{dbtest.SQLite, dbtest.Postgres} {
		b.Run(string(kind), func(b *testing.B) { benchmarkPublish(b, dbtest.DSNs()[kind]) })
	}
}

func benchmarkPublish(b *testing.B, dsn func(testing.TB) string) {
	ctx := context.Background()
	setup := func(withLog bool) (*register.Service, []string) {
		db := dbtest.Open(b, dsn(b))
		var opts []register.Option
		if withLog {
			tl := db.TransLog()
			if _, err := tl.Setup(ctx, testOrigin, "", time.Now()); err != nil {
				b.Fatal(err)
			}
			opts = append(opts, register.WithPublicLog(tl))
		}
		svc := register.NewService(db.Store(), opts...)
		if _, err := svc.CreateOrganisation(ctx, logAdmin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@example.ch"}); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, logAdmin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
			b.Fatal(err)
		}
		ids := make([]string, b.N)
		for i := range ids {
			p, err := svc.CreateProcessing(ctx, logAdmin, "geneve", publishableFields(fmt.Sprintf("Registre %d", i)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Transition(ctx, logAdmin, p.ID, register.StepSubmit, nil, ""); err != nil {
				b.Fatal(err)
			}
			ids[i] = p.ID
		}
		return svc, ids
	}
	plain, plainIDs := setup(false)
	logged, loggedIDs := setup(true)
	var without, with time.Duration
	b.ResetTimer()
	publish := func(svc *register.Service, id string) time.Duration {
		start := time.Now()
		if _, err := svc.Transition(ctx, logAdmin, id, register.StepPublish, nil, ""); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for i := range b.N {
		// Each goes first in turn: the second of a pair meets the caches
		// and the write-ahead log the first left.
		if i%2 == 0 {
			without += publish(plain, plainIDs[i])
			with += publish(logged, loggedIDs[i])
		} else {
			with += publish(logged, loggedIDs[i])
			without += publish(plain, plainIDs[i])
		}
	}
	b.ReportMetric(float64(b.N)/without.Seconds(), "publish/s-without-log")
	b.ReportMetric(float64(b.N)/with.Seconds(), "publish/s-with-log")
	b.ReportMetric(100*(with.Seconds()-without.Seconds())/without.Seconds(), "%-slower")
}
