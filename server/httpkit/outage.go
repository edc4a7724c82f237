package httpkit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// OutageRetryAfter is the Retry-After, in seconds, of a 503 answered while
// the database cannot be reached: long enough not to hammer a database
// coming back, short enough for a person to retry by hand.
const OutageRetryAfter = 5

// Outage watches the database while it cannot be reached. The first failed
// request reports the outage, which is logged once; one goroutine then
// pings the database until it answers and logs the recovery. Requests in
// between answer 503 with Retry-After without logging: a flood of requests
// during an outage is not a flood of log lines.
type Outage struct {
	log   *slog.Logger
	ping  func(context.Context) error
	every time.Duration
	down  atomic.Bool
}

// NewOutage returns a watcher that pings with ping every second.
func NewOutage(log *slog.Logger, ping func(context.Context) error) *Outage {
	return &Outage{log: log, ping: ping, every: time.Second}
}

// Report notes that a request met the outage; cause is logged the first
// time only.
func (o *Outage) Report(ctx context.Context, cause error) {
	if o == nil || !o.down.CompareAndSwap(false, true) {
		return
	}
	o.log.ErrorContext(ctx, "database unreachable: answering 503 until it answers again", "err", cause)
	go o.watch(time.Now())
}

// Down reports whether an outage is under way.
func (o *Outage) Down() bool { return o != nil && o.down.Load() }

func (o *Outage) watch(since time.Time) {
	t := time.NewTicker(o.every)
	defer t.Stop()
	for range t.C {
		ctx, cancel := context.WithTimeout(context.Background(), 2*o.every)
		err := o.ping(ctx)
		cancel()
		if err == nil {
			o.down.Store(false)
			o.log.Warn("database reachable again", "outage_s", time.Since(since).Round(time.Second).Seconds())
			return
		}
	}
}
