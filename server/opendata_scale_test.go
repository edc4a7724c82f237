package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// The whole public CSV at scale (issue 17): the same bytes as encoding it
// row by row; memory that does not grow with the register; and a client
// that goes away, or stops reading, stops the database scan. The register
// is the e2e fixture, a processing whose cells hold formulas, and copies of
// their publications made through the store (publishing thousands through
// the workflow would take minutes).
func TestOpenDataCSVStreamsAtScale(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		start := time.Now()
		e := apitest.Start(t, db)
		e2e.Load(t, e)
		t.Logf("fixture loaded in %v", time.Since(start).Round(time.Millisecond))
		dpo := e.Token(auth.RoleDPO, "hug")
		evil := apitest.Complete("recherche", "=HYPERLINK(\"http://evil.example\",\"clic\")")
		evil["purpose"] = "-2+3 ; =1+1"
		evil["data_subjects"] = []any{"@SUM(A1)", "patients"}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, evil).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)

		grow := copyPublications(t, db)
		grow(2_000)
		t.Run("SameBytesAsRowByRow", func(t *testing.T) {
			for _, path := range []string{"/public/v1/processings.csv", "/public/v1/processings.csv?org=hug&bom=true"} {
				got := e.Must(200, "GET", path, "", nil).Body
				want := rowByRowCSV(t, e, path)
				if !bytes.Equal(got, want) {
					t.Errorf("%s: %d bytes, want the %d bytes of row-by-row encoding; first difference at byte %d",
						path, len(got), len(want), firstDiff(got, want))
				}
			}
			if n := csvRecords(t, e.Must(200, "GET", "/public/v1/processings.csv", "", nil).Body); n != 1+2_000 {
				t.Errorf("got %d records, want a header and 2000 rows", n)
			}
		})

		// The heap the stream holds: the rows in flight, not the rows of the
		// register. Holding every row (as a file built before it is sent
		// would) holds at least the 5 MB more of CSV that 8,000 rows make
		// than 2,000; the median is compared (a sample now and then finds a
		// megabyte or two more, the batch just read and what a collection
		// did not free yet), the most is bounded.
		small := liveHeapDuringCSV(t, db, 2_000)
		grow(8_000)
		large := liveHeapDuringCSV(t, db, 8_000)
		t.Logf("heap held by the CSV stream: median %.2f MB, most %.2f MB at 2,000 rows; median %.2f MB, most %.2f MB at 8,000",
			mb(small.median), mb(small.most), mb(large.median), mb(large.most))
		if large.median > small.median+3<<19 || large.most > 8<<20 {
			t.Errorf("the heap held by the CSV stream grows with the register: median %.2f MB at 2,000 rows, %.2f MB at 8,000 (most %.2f MB); want the same within 1.5 MB, never 8 MB",
				mb(small.median), mb(large.median), mb(large.most))
		}

		t.Run("ClientGoneStopsTheScan", func(t *testing.T) {
			c := startCounted(t, db, 0, 0)
			conn, rd := c.openCSV(t)
			if _, err := io.CopyN(io.Discard, rd, 64<<10); err != nil {
				t.Fatal(err)
			}
			conn.Close()
			rows, err := c.waitScan(t, 10*time.Second)
			t.Logf("rows read from the database before the scan stopped: %d of 8000 (%v)", rows, err)
			if rows >= 8_000 {
				t.Errorf("scan after the client went away: read %d of 8000 rows (%v); want it stopped early", rows, err)
			}
		})
		t.Run("StalledClientStopsTheScan", func(t *testing.T) {
			// A minute of write timeout for the whole request, half a
			// second for the stream to wait for its client: the stall
			// ends it (the wait below is 10 s).
			c := startCounted(t, db, time.Minute, 500*time.Millisecond)
			conn, rd := c.openCSV(t)
			defer conn.Close()
			if _, err := io.CopyN(io.Discard, rd, 64<<10); err != nil {
				t.Fatal(err)
			}
			// The client reads nothing more: the pipeline fills its bounded
			// queues and stops asking the database for rows.
			time.Sleep(500 * time.Millisecond)
			stalled := c.rows.Load()
			time.Sleep(500 * time.Millisecond)
			if later := c.rows.Load(); later != stalled {
				t.Errorf("the scan went on while the client read nothing: %d rows, then %d", stalled, later)
			}
			// The stream's stall ends the request, and the scan, long
			// before the server's write timeout would.
			rows, err := c.waitScan(t, 10*time.Second)
			t.Logf("rows read from the database for a client that stopped reading: %d of 8000 (%v)", rows, err)
			if rows >= 8_000 || rows != stalled {
				t.Errorf("scan for a stalled client: read %d of 8000 rows (%d when it stalled, %v); want it stopped there", rows, stalled, err)
			}
		})
		t.Run("SlowReaderOutlivesTheWriteTimeout", func(t *testing.T) {
			// The whole request may take a second; a client that keeps
			// reading, slowly, is still served after three. (Each write,
			// a chunk of some 60 KB, must go out within the stall: 2 s
			// here, 30 s in service, a client of 2 KB/s.)
			c := startCounted(t, db, time.Second, 2*time.Second)
			conn, rd := c.openCSV(t)
			defer conn.Close()
			read := int64(0)
			for start := time.Now(); time.Since(start) < 3*time.Second; {
				n, err := io.CopyN(io.Discard, rd, 16<<10)
				read += n
				if err != nil {
					t.Fatalf("a slow reader was cut after %v and %d bytes: %v", time.Since(start).Round(time.Millisecond), read, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Logf("a client reading 16 KB every 50 ms: %d bytes in 3 s, still served", read)
		})
	})
}

// copyPublications returns grow(n), which copies the register's
// publications (with new ids and numbered titles, so that copies are spread
// through the file's order) until there are n of them. Each copy has its
// processing row, as the foreign key wants.
func copyPublications(t *testing.T, db *sqlstore.DB) func(n int) {
	t.Helper()
	ctx := context.Background()
	store := db.Store()
	type source struct {
		proc register.Processing
		pub  register.Publication
		data register.PublicProcessing
	}
	var srcs []source
	if err := store.ScanPublications(ctx, register.PublicFilter{}, func(p register.Publication) bool {
		srcs = append(srcs, source{pub: p})
		return true
	}); err != nil {
		t.Fatal(err)
	}
	for i := range srcs {
		s := &srcs[i]
		proc, err := store.GetProcessing(ctx, s.pub.ProcessingID)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := store.GetPublication(ctx, s.pub.ProcessingID)
		if err != nil {
			t.Fatal(err)
		}
		s.proc, s.pub = *proc, *pub
		if err := json.Unmarshal(pub.Data, &s.data); err != nil {
			t.Fatal(err)
		}
	}
	have := len(srcs)
	return func(n int) {
		t.Helper()
		start := time.Now()
		err := store.InTx(ctx, func(tx register.Store) error {
			for ; have < n; have++ {
				src := srcs[have%len(srcs)]
				proc, pub, pp := src.proc, src.pub, src.data
				newID := uuid.Must(uuid.NewV7()).String()
				title := fmt.Sprintf("%s n° %05d", pp.Title, have)
				proc.ID, proc.Title, proc.Reference = newID, title, ""
				if err := tx.CreateProcessing(ctx, &proc, ""); err != nil {
					return err
				}
				pp.ID, pp.Title, pp.Reference = newID, title, ""
				var err error
				if pub.Data, err = json.Marshal(pp); err != nil {
					return err
				}
				pub.ProcessingID, pub.Title = newID, title
				if err := tx.PutPublication(ctx, &pub); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("copy publications: %v", err)
		}
		t.Logf("%d publications (copied in %v)", n, time.Since(start).Round(time.Millisecond))
	}
}

// rowByRowCSV encodes the file of path as the service did before it was
// streamed through a pipeline: each publication of the scan decoded with
// encoding/json and written with one csv.Writer.
func rowByRowCSV(t *testing.T, e *apitest.Env, path string) []byte {
	t.Helper()
	var b bytes.Buffer
	f := register.PublicFilter{}
	if bytes.Contains([]byte(path), []byte("org=hug")) {
		f.Organisation = "hug"
		b.WriteString("\ufeff")
	}
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	_ = cw.Write(spreadsheet.OpenDataColumns())
	today := e.Service.Today()
	err := e.Service.ScanPublic(context.Background(), f, func(pub register.Publication) bool {
		var p register.PublicProcessing
		if err := json.Unmarshal(pub.Data, &p); err != nil {
			t.Fatal(err)
		}
		return cw.Write(spreadsheet.OpenDataRow(&p, e.URL, today)) == nil
	})
	cw.Flush()
	if err != nil || cw.Error() != nil {
		t.Fatalf("row by row: %v %v", err, cw.Error())
	}
	return b.Bytes()
}

func csvRecords(t *testing.T, body []byte) int {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(body))
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatalf("record %d: %v", n, err)
		}
		n++
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// heapHeld is the heap a stream held above the heap before it, over samples.
type heapHeld struct{ median, most uint64 }

// liveHeapDuringCSV reads the whole CSV of a register of rows (checking
// its records) and returns the heap the stream held, measured at 12 points
// spread through the first three quarters of the file (as many for every
// size; the pipeline drains at the end). At each, the client stops reading
// until the server, blocked on its writes, waits to hand over a row: its
// pipeline is then as full as it gets and allocates nothing, and
// collections leave what it holds (the process is the server and a client
// that holds one record).
func liveHeapDuringCSV(t *testing.T, db *sqlstore.DB, rows int) heapHeld {
	t.Helper()
	start := time.Now()
	live := func() uint64 {
		// Twice: what sync.Pools keep survives one collection.
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var held []uint64
	// Once to warm up (types, connections: the first records), then measured.
	for i := range 2 {
		c := startCounted(t, db, 0, 0)
		before := live()
		conn, body := c.openCSV(t)
		cr := csv.NewReader(body)
		cr.ReuseRecord = true
		n := 0
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("record %d: %v", n, err)
			}
			if n++; i == 0 && n == 100 {
				break
			}
			if i == 1 && n%(rows/16) == 0 && len(held) < 12 {
				c.settle()
				held = append(held, max(live(), before)-before)
			}
		}
		conn.Close()
		if _, err := c.waitScan(t, 10*time.Second); err != nil && i == 1 {
			t.Fatal(err)
		}
		if n != rows+1 && i == 1 {
			t.Fatalf("got %d records, want %d", n, rows+1)
		}
	}
	slices.Sort(held)
	t.Logf("%d rows: measured in %v", rows, time.Since(start).Round(time.Millisecond))
	return heapHeld{median: held[len(held)/2], most: held[len(held)-1]}
}

// counted is a server whose store counts the rows the CSV's scans read.
type counted struct {
	url     string
	rows    atomic.Int64
	blocked atomic.Bool // the scan waits for the pipeline to take a row
	ended   atomic.Bool // the scan returned
	done    chan error
}

type countingStore struct {
	register.Store
	c *counted
}

func (s countingStore) ScanPublications(ctx context.Context, f register.PublicFilter, fn func(register.Publication) bool) error {
	err := s.Store.ScanPublications(ctx, f, func(p register.Publication) bool {
		s.c.rows.Add(1)
		s.c.blocked.Store(true)
		defer s.c.blocked.Store(false)
		return fn(p)
	})
	s.c.ended.Store(true)
	s.c.done <- err
	return err
}

// startCounted serves the public site over db with a counting store, with
// small socket buffers (so that the kernel does not hold megabytes for a
// client that stopped reading) and the given write timeout (0: none).
func startCounted(t *testing.T, db *sqlstore.DB, writeTimeout, stall time.Duration) *counted {
	t.Helper()
	c := &counted{done: make(chan error, 1)}
	svc := register.NewService(countingStore{Store: db.Store(), c: c})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: server.New(server.Config{Service: svc, Logger: slog.New(slog.DiscardHandler), StreamStall: stall}),
		WriteTimeout: writeTimeout}
	var wg sync.WaitGroup
	wg.Go(func() { _ = hs.Serve(smallBuffers{ln}) })
	t.Cleanup(func() { _ = hs.Close(); wg.Wait() })
	c.url = ln.Addr().String()
	return c
}

// openCSV asks for the whole CSV (not compressed) on a connection with a
// small receive buffer and returns the connection and the body.
func (c *counted) openCSV(t *testing.T) (net.Conn, io.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", c.url)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.(*net.TCPConn).SetReadBuffer(64 << 10)
	if _, err := fmt.Fprintf(conn, "GET /public/v1/processings.csv HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", c.url); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4<<10), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CSV: %s", resp.Status)
	}
	return conn, resp.Body
}

// settle waits until the scan has been waiting for 20 ms to hand over the
// same row (not reading a batch from the database), or has ended; at most 2 s.
func (c *counted) settle() {
	last := c.rows.Load()
	for range 100 {
		time.Sleep(20 * time.Millisecond)
		now := c.rows.Load()
		if now == last && c.blocked.Load() || c.ended.Load() {
			return
		}
		last = now
	}
}

// waitScan waits for the scan to end and returns the rows it read.
func (c *counted) waitScan(t *testing.T, d time.Duration) (int64, error) {
	t.Helper()
	select {
	case err := <-c.done:
		return c.rows.Load(), err
	case <-time.After(d):
		t.Fatalf("the scan still runs %v later (%d rows read)", d, c.rows.Load())
		return 0, nil
	}
}

// smallBuffers gives accepted connections a small send buffer.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(64 << 10)
	}
	return conn, err
}
