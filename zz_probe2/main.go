package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func main() {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, os.Args[1])
	if err != nil {
		panic(err)
	}
	svc := register.NewService(db.Store())
	for _, q := range os.Args[2:] {
		for _, org := range []string{"org-0007", "org-0123", ""} {
			p := &auth.Principal{Subject: "dpo", Role: auth.RoleDPO, Org: org}
			if org == "" {
				p = &auth.Principal{Subject: "a", Role: auth.RoleAdmin}
			}
			var best time.Duration = time.Hour
			var n int
			for i := 0; i < 3; i++ {
				t := time.Now()
				page, err := svc.ListProcessingsPage(ctx, p, register.ProcessingFilter{Query: q})
				if err != nil {
					panic(err)
				}
				n = page.Total
				best = min(best, time.Since(t))
			}
			t := time.Now()
			pp, err := svc.ListPublicPage(ctx, register.PublicFilter{Query: q, Organisation: org})
			if err != nil {
				panic(err)
			}
			fmt.Printf("%-22q org %-9s office %7.2f ms total %d | public %7.2f ms total %d\n", q, org, float64(best.Microseconds())/1000, n, float64(time.Since(t).Microseconds())/1000, pp.Total)
		}
	}
}
