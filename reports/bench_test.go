package reports

import (
	"io"
	"runtime"
	"sort"
	"testing"
	"time"
)

// BenchmarkNotice renders one notice (budget: median ≤ 10 ms).
func BenchmarkNotice(b *testing.B) {
	p, org := fixtureRich(), fixtureOrg()
	opts := Options{Lang: French, PublicURL: "https://registre.example.ch"}
	durations := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if err := Notice(io.Discard, p, org, opts); err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkRegister1000 renders the register of 1,000 processings (budget:
// ≤ 2 s, peak memory ≤ 100 MB). It reports the peak heap in use, sampled
// while rendering, and the bytes allocated per render.
func BenchmarkRegister1000(b *testing.B) {
	ps, org := fixtureMany(1000), fixtureOrg()
	opts := Options{Lang: French, PublicURL: "https://registre.example.ch"}
	var peak uint64
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		done := make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			var m runtime.MemStats
			var max uint64
			t := time.NewTicker(5 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&m)
				if m.HeapInuse > max {
					max = m.HeapInuse
				}
				select {
				case <-done:
					sampled <- max
					return
				case <-t.C:
				}
			}
		}()
		if err := Register(io.Discard, org, ps, opts); err != nil {
			b.Fatal(err)
		}
		close(done)
		if m := <-sampled; m > peak {
			peak = m
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
