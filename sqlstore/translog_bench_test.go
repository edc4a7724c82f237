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
// its publication row, version, audit entry) on SQLite, without and with
// the transparency log's append in the same transaction. The processings
// are made and submitted before the timer starts.
//
//	go test -run '^$' -bench BenchmarkPublish -benchtime 2000x ./sqlstore/
func BenchmarkPublish(b *testing.B) {
	for _, withLog := range []bool{false, true} {
		b.Run(fmt.Sprintf("log=%v", withLog), func(b *testing.B) {
			ctx := context.Background()
			db := dbtest.Open(b, dbtest.SQLiteDSN(b))
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
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				if _, err := svc.Transition(ctx, logAdmin, ids[i], register.StepPublish, nil, ""); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "publish/s")
		})
	}
}
