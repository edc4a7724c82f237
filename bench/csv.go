package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// The whole public CSV (issue 17, "open data at scale"), measured alone by
// `bench search -only csv` or last in the whole run: time, time to the
// first byte, the Go heap and the process's resident memory before and at
// their peak, and a digest of the bytes, which does not depend on the run
// (a fixed public URL, the same day) so that two builds can be compared
// byte for byte at 200,000 rows.

// csvPublicURL is the base URL printed in the measured CSV: fixed, so
// that the digest does not depend on the port the server listens on.
const csvPublicURL = "https://registre.example"

// benchCSV fetches /public/v1/processings.csv plain and gzip-encoded from a
// server of its own on loopback and prints the figures of each.
func benchCSV(ctx context.Context, db *sqlstore.DB, svc *register.Service, log *slog.Logger) error {
	rows, err := db.Bun().NewSelect().TableExpr("publications").Count(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: server.New(server.Config{Service: svc, Logger: log, PublicURL: csvPublicURL})}
	go hs.Serve(ln) //nolint:errcheck
	defer hs.Close()
	// No transparent decompression: the gzip run asks for it and
	// decompresses itself, as a browser would.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, enc := range []string{"identity", "gzip"} {
		if err := csvOnce(ctx, client, "http://"+ln.Addr().String()+"/public/v1/processings.csv", enc, rows); err != nil {
			return err
		}
	}
	// The Atom feed holds the latest 100 events whatever the register's
	// size: one read, for its time.
	t0 := time.Now()
	resp, err := client.Get("http://" + ln.Addr().String() + "/public/v1/feed.atom")
	if err != nil {
		return err
	}
	nb, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("feed: %d %v", resp.StatusCode, err)
	}
	fmt.Printf("public Atom feed: %.1f KB in %s\n", float64(nb)/1e3, time.Since(t0).Round(time.Millisecond))
	return nil
}

// csvOnce fetches the CSV once with Accept-Encoding enc and prints what it cost.
func csvOnce(ctx context.Context, client *http.Client, url, enc string, rows int64) error {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore := procStatus("VmRSS:")
	anonBefore := procStatus("RssAnon:")
	// Reset the peak resident memory (VmHWM), so that it measures only the CSV.
	resetHWM := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	// The heap and the anonymous resident memory are sampled: the kernel
	// keeps a peak of the whole resident memory only, which counts the
	// pages of the SQLite file the readers map.
	type peaks struct{ heap, anonKB uint64 }
	peak := make(chan peaks)
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		var p peaks
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				peak <- p
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				p.heap = max(p.heap, m.HeapInuse)
				p.anonKB = max(p.anonKB, procKB("RssAnon:"))
			}
		}
	}()
	load, _ := os.ReadFile("/proc/loadavg")
	cpu0 := cpuTime()
	t0 := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", enc)
	resp, err := client.Do(req)
	if err != nil {
		close(stop)
		<-peak
		return err
	}
	defer resp.Body.Close()
	var first time.Duration
	body := io.Reader(&firstByte{r: resp.Body, t0: t0, at: &first})
	wire := &countingReader{r: body}
	body = wire
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			close(stop)
			<-peak
			return err
		}
		body = zr
	}
	h := sha256.New()
	n, err := io.Copy(h, body)
	el := time.Since(t0)
	cpu := cpuTime() - cpu0
	close(stop)
	pk := <-peak
	if err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("csv (%s): %d %v", enc, resp.StatusCode, err)
	}
	hwm := "unknown"
	if resetHWM {
		hwm = procStatus("VmHWM:")
	}
	fmt.Printf("public CSV (%s): %d rows, %.1f MB (%.1f MB on the wire) in %s, first byte after %s; sha256 %s\n",
		enc, rows, float64(n)/1e6, float64(wire.n)/1e6, el.Round(time.Millisecond), first.Round(time.Millisecond),
		hex.EncodeToString(h.Sum(nil))[:16])
	fmt.Printf("  CPU time of the process (server and client) %s; load average before: %s\n",
		cpu.Round(10*time.Millisecond), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("  heap in use %.0f MB before, peak %.0f MB during; RSS %s before, peak %s during (with the mapped database file); anonymous RSS %s before, peak %.0f MB during\n",
		float64(before.HeapInuse)/1e6, float64(pk.heap)/1e6, rssBefore, hwm, anonBefore, float64(pk.anonKB)/1024)
	return nil
}

// cpuTime is the CPU time the process has used, user and system: on a
// machine shared with other work it says what the CSV cost when the wall
// time says mostly how busy the machine was.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procKB reads one "…: N kB" line of /proc/self/status, 0 when it cannot.
func procKB(key string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			if f := strings.Fields(v); len(f) == 2 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb
			}
		}
	}
	return 0
}

// procStatus reads one line of /proc/self/status ("VmRSS:" → "123456 kB").
func procStatus(key string) string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, key); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.Atoi(f[0]); err == nil {
					return fmt.Sprintf("%.0f MB", float64(kb)/1024)
				}
			}
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// firstByte notes when the first bytes of the body arrived.
type firstByte struct {
	r  io.Reader
	t0 time.Time
	at *time.Duration
}

func (f *firstByte) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 && *f.at == 0 {
		*f.at = time.Since(f.t0)
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
