package httpkit

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts requests for GET /metrics in the Prometheus text format.
// It is a few dozen lines instead of the Prometheus client library, which
// would add a third to the binary for the same handful of series.
type Metrics struct {
	start    time.Time
	InFlight atomic.Int64

	mu       sync.Mutex
	requests map[reqKey]*reqStats
}

type reqKey struct {
	route  string // the route pattern, never the raw path: bounded cardinality
	method string
	code   int
}

type reqStats struct {
	count   uint64
	sum     float64 // seconds
	buckets []uint64
}

// durationBuckets are the histogram's upper bounds in seconds.
func durationBuckets() []float64 {
	return []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}
}

func NewMetrics() *Metrics {
	return &Metrics{start: time.Now(), requests: map[reqKey]*reqStats{}}
}

func (m *Metrics) Observe(route, method string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	k := reqKey{route, method, code}
	secs := d.Seconds()
	bounds := durationBuckets()
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.requests[k]
	if !ok {
		st = &reqStats{buckets: make([]uint64, len(bounds))}
		m.requests[k] = st
	}
	st.count++
	st.sum += secs
	for i, b := range bounds {
		if secs <= b {
			st.buckets[i]++
		}
	}
}

func (m *Metrics) Write(w io.Writer) {
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	snap := make(map[reqKey]reqStats, len(m.requests))
	for k, v := range m.requests {
		keys = append(keys, k)
		snap[k] = reqStats{count: v.count, sum: v.sum, buckets: append([]uint64(nil), v.buckets...)}
	}
	m.mu.Unlock()
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.code < b.code
	})
	fmt.Fprintln(w, "# HELP registre_http_requests_total HTTP requests answered, by route pattern, method and status.")
	fmt.Fprintln(w, "# TYPE registre_http_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "registre_http_requests_total{route=%q,method=%q,code=\"%d\"} %d\n", k.route, k.method, k.code, snap[k].count)
	}
	fmt.Fprintln(w, "# HELP registre_http_request_duration_seconds Time to answer HTTP requests.")
	fmt.Fprintln(w, "# TYPE registre_http_request_duration_seconds histogram")
	bounds := durationBuckets()
	for _, k := range keys {
		st := snap[k]
		labels := fmt.Sprintf("route=%q,method=%q,code=\"%d\"", k.route, k.method, k.code)
		for i, b := range bounds {
			fmt.Fprintf(w, "registre_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, strconv.FormatFloat(b, 'g', -1, 64), st.buckets[i])
		}
		fmt.Fprintf(w, "registre_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, st.count)
		fmt.Fprintf(w, "registre_http_request_duration_seconds_sum{%s} %g\n", labels, st.sum)
		fmt.Fprintf(w, "registre_http_request_duration_seconds_count{%s} %d\n", labels, st.count)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauges := []struct {
		name, help string
		value      float64
	}{
		{"registre_http_requests_in_flight", "Requests being answered.", float64(m.InFlight.Load())},
		{"registre_uptime_seconds", "Seconds since the server started.", time.Since(m.start).Seconds()},
		{"go_goroutines", "Goroutines that currently exist.", float64(runtime.NumGoroutine())},
		{"go_memstats_heap_inuse_bytes", "Bytes in in-use heap spans.", float64(ms.HeapInuse)},
		{"go_memstats_sys_bytes", "Bytes obtained from the system.", float64(ms.Sys)},
	}
	for _, g := range gauges {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.value)
	}
}
