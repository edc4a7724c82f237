package publicsite

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"

	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
)

// Whole-register open data is streamed by a pipeline of three stages, so
// that reading the database, decoding and encoding the rows, and writing
// (and compressing) the response overlap on every core, with memory bounded
// by the chunks in flight whatever the register's size:
//
//	scan (one goroutine: the store's keyset batches)
//	  → encode (one worker per core: a chunk of rows decoded and encoded)
//	    → write (the handler: the chunks in the scan's order)
//
// At 200,000 processings decoding the public JSON was half of the work,
// hence encoding/json/v2's decoder (github.com/go-json-experiment/json, the
// same package, from before it joined the standard library), which is twice
// as fast on it and allocates a third as much; the JSON is the service's
// own (json.Marshal of register.PublicProcessing), so the stricter defaults
// of v2 (exact names, valid UTF-8, no duplicate names) change nothing.
//
// A client that goes away cancels the request's context: the scan's query
// is cancelled, the workers stop, and nothing more is read. A client that
// stops reading blocks the handler's writes; the bounded queues then stop
// the scan within a few chunks, and the server's write timeout ends it.

// chunkRows is how many rows one worker encodes at a time: enough to make
// the hand-over between stages cheap (a few microseconds a chunk, against
// half a millisecond of work), few enough (about 70 KB of CSV) that the
// chunks in flight stay small.
const chunkRows = 64

// chunk is a run of consecutive publications and, once a worker has
// encoded them, their bytes.
type chunk struct {
	pubs []register.Publication
	buf  bytes.Buffer
	err  error
	done chan struct{}
}

// encodeInOrder runs scan, hands its publications in chunks to workers
// that run encode on each (into the chunk's buffer), and passes the encoded
// chunks to write in the order of the scan. It returns the first error of
// scan, encode or write; once there is one, everything stops.
func encodeInOrder(ctx context.Context, scan func(context.Context, func(register.Publication) bool) error,
	encode func(*bytes.Buffer, []register.Publication) error, write func([]byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := min(max(runtime.GOMAXPROCS(0), 1), 4)
	// In flight at most: cap(order) chunks queued (each also queued for or
	// with a worker), one being written, one being filled and one waiting
	// to be queued; written chunks are used again.
	jobs := make(chan *chunk, workers)
	order := make(chan *chunk, workers)
	free := make(chan *chunk, cap(order)+3)
	get := func() *chunk {
		select {
		case c := <-free:
			c.buf.Reset()
			c.err, c.done = nil, make(chan struct{})
			return c
		default:
			return &chunk{pubs: make([]register.Publication, 0, chunkRows), done: make(chan struct{})}
		}
	}

	var workersDone sync.WaitGroup
	for range workers {
		workersDone.Go(func() {
			for c := range jobs {
				if ctx.Err() == nil {
					c.err = safely(func() error { return encode(&c.buf, c.pubs) })
				} else {
					c.err = ctx.Err()
				}
				clear(c.pubs) // the JSON is not needed any more
				c.pubs = c.pubs[:0]
				close(c.done)
			}
		})
	}

	scanErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		// send queues c for the writer and then for a worker, so that the
		// chunk the writer waits for is always with a worker or queued for one.
		send := func(c *chunk) bool {
			select {
			case order <- c:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- c:
				return true
			case <-ctx.Done():
				c.err = ctx.Err()
				close(c.done)
				return false
			}
		}
		cur := get()
		err := safely(func() error {
			return scan(ctx, func(p register.Publication) bool {
				cur.pubs = append(cur.pubs, p)
				if len(cur.pubs) < chunkRows {
					return true
				}
				if !send(cur) {
					cur = nil // queued for the writer, or given up: not to be sent again
					return false
				}
				cur = get()
				return true
			})
		})
		if err == nil && cur != nil && len(cur.pubs) > 0 {
			send(cur)
		}
		if err == nil {
			err = ctx.Err() // stopped early: not a complete answer
		}
		scanErr <- err
	}()

	var failed error
	for c := range order {
		if failed != nil {
			continue // drain, so that the scan is never blocked on order
		}
		<-c.done
		if failed = c.err; failed == nil {
			failed = write(c.buf.Bytes())
		}
		if failed != nil {
			cancel()
			continue
		}
		select {
		case free <- c:
		default:
		}
	}
	workersDone.Wait()
	if err := <-scanErr; failed == nil {
		failed = err
	}
	return failed
}

// safely runs f and turns a panic into an error: the stages run on
// goroutines of their own, where a panic would end the process, not the
// request (the server recovers the handler's goroutine only).
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return f()
}

// openDataCSV returns the encode step of the open-data CSV: each
// publication's JSON decoded and written as one CSV row (OpenDataRow, every
// cell neutralised), CRLF line ends.
func openDataCSV(base, today string) func(*bytes.Buffer, []register.Publication) error {
	return func(b *bytes.Buffer, pubs []register.Publication) error {
		cw := csv.NewWriter(b)
		cw.UseCRLF = true
		for i := range pubs {
			var p register.PublicProcessing
			if err := jsonv2.Unmarshal(pubs[i].Data, &p); err != nil {
				return fmt.Errorf("decode publication %s: %w", pubs[i].ProcessingID, err)
			}
			if err := cw.Write(spreadsheet.OpenDataRow(&p, base, today)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
}
