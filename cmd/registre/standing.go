package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/registre/registre/register"
)

// standingsEvery is how often serve looks for records whose findings were
// computed before today (Zurich): the rules on review dates depend on the
// day. After the day's first pass a look only reads.
const standingsEvery = time.Hour

// startStandings keeps the standings of the register list fresh until ctx
// ends or the returned stop is called: now (the records never checked, from
// before the standings or a restore, and those checked before today), then
// every standingsEvery. It runs beside the server, so a long first pass
// does not delay start-up; stop waits for it, so that nothing touches the
// database after serve closes it.
func startStandings(ctx context.Context, svc *register.Service, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(standingsEvery)
		defer tick.Stop()
		for {
			start := time.Now()
			if n, err := svc.RefreshStaleStandings(ctx); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "refreshing the standings of the register list", "err", err)
			} else if n > 0 {
				log.InfoContext(ctx, "standings refreshed", "records", n, "ms", time.Since(start).Milliseconds())
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
