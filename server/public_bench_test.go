package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
)

// BenchmarkPublicReads measures public reads through the real HTTP stack on
// loopback, SQLite underneath, with many concurrent clients (the design
// budget: 20,000 requests/s for one public processing on two cores, with the
// load generator on the same machine). Run it with
//
//	./scripts/test --bench -bench PublicReads ./server/
func BenchmarkPublicReads(b *testing.B) {
	e := apitest.Start(b, dbtest.Open(b, dbtest.SQLiteDSN(b)), func(c *server.Config) {
		c.Logger = slog.New(slog.DiscardHandler) // a log line per request would measure the logger
	})
	f := e2e.Load(b, e)
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr}
	var unique atomic.Int64
	run := func(path string, headers ...string) func(b *testing.B) {
		return func(b *testing.B) {
			// Warm the caches, and check the answer once.
			req, _ := http.NewRequest("GET", e.URL+path, nil)
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			want := resp.StatusCode
			if want != 200 && want != 304 {
				b.Fatalf("%s: %d", path, want)
			}
			b.SetParallelism(16) // 16 clients per core
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rq := req.Clone(req.Context())
					if strings.Contains(path, "{n}") { // a new URL each time: nothing cached
						rq.URL.RawQuery = strings.Replace(rq.URL.RawQuery, "{n}", strconv.FormatInt(unique.Add(1), 10), 1)
					}
					resp, err := client.Do(rq)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != want {
						b.Errorf("%s: %d", path, resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		}
	}
	one := "/public/v1/processings/" + f.Sensitive
	b.Run("processing", run(one))
	r := e.Must(200, "GET", one, "", nil)
	b.Run("processing-304", run(one, "If-None-Match", r.Header.Get("ETag")))
	b.Run("search-json", run("/public/v1/processings?q=sante"))
	b.Run("search-page", run("/?q=s%C3%A9jour&lang=fr"))
	b.Run("search-page-uncached", run("/?q=s%C3%A9jour&lang=fr&n={n}"))
	b.Run("processing-page", run("/processings/"+f.Sensitive+"?lang=fr"))
	b.Run("processing-page-uncached", run("/processings/"+f.Sensitive+"?lang=fr&n={n}"))
}
