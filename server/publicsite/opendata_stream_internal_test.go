package publicsite

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/register"
)

// The open-data pipeline writes the chunks in the scan's order whatever
// order the workers finish them in, and stops everything (the scan, the
// workers) on the first error of any stage, or when the context ends,
// leaving no goroutine behind; a panic in a stage is an error of the
// request, not the end of the process.
func TestEncodeInOrder(t *testing.T) {
	const rows = 20*chunkRows + 7 // a partial chunk at the end
	scanOf := func(n int, scanned *int) func(context.Context, func(register.Publication) bool) error {
		return func(ctx context.Context, fn func(register.Publication) bool) error {
			for i := range n {
				if err := ctx.Err(); err != nil {
					return err // as a store's query does
				}
				*scanned = i + 1
				if !fn(register.Publication{ProcessingID: strconv.Itoa(i)}) {
					return nil
				}
			}
			return nil
		}
	}
	// encode writes each id on a line, after a random pause so that the
	// workers finish out of order.
	encode := func(failAt string) func(*bytes.Buffer, []register.Publication) error {
		return func(b *bytes.Buffer, pubs []register.Publication) error {
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			for _, p := range pubs {
				if p.ProcessingID == failAt {
					return errors.New("encode failed")
				}
				if "panic-"+p.ProcessingID == failAt {
					panic("encode panicked")
				}
				b.WriteString(p.ProcessingID + "\n")
			}
			return nil
		}
	}
	var want bytes.Buffer
	for i := range rows {
		want.WriteString(strconv.Itoa(i) + "\n")
	}
	for _, c := range []struct {
		name                     string
		scanErr, writeErrAfter   int // scan error after n rows (a panic after -n); write error at the nth write (0: none)
		encodeFailAt             string
		cancelAfter              int // writes before the context is cancelled (0: never)
		wantErr                  string
		wantStoppedEarly, wantOK bool
	}{
		{name: "OK", wantOK: true},
		{name: "ScanErrorEndsIt", scanErr: 3*chunkRows + 5, wantErr: "scan failed", wantStoppedEarly: true},
		{name: "EncodeErrorEndsIt", encodeFailAt: strconv.Itoa(2*chunkRows + 1), wantErr: "encode failed", wantStoppedEarly: true},
		{name: "EncodePanicEndsIt", encodeFailAt: "panic-" + strconv.Itoa(2*chunkRows+1), wantErr: "panic: encode panicked", wantStoppedEarly: true},
		{name: "ScanPanicEndsIt", scanErr: -(3*chunkRows + 5), wantErr: "panic: scan panicked", wantStoppedEarly: true},
		{name: "WriteErrorEndsIt", writeErrAfter: 2, wantErr: "write failed", wantStoppedEarly: true},
		{name: "CancelEndsIt", cancelAfter: 2, wantErr: context.Canceled.Error(), wantStoppedEarly: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			goroutines := runtime.NumGoroutine()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			scanned := 0
			scan := scanOf(rows, &scanned)
			if c.scanErr != 0 { // fails after that many rows; panics when negative
				inner, limit := scan, max(c.scanErr, -c.scanErr)
				scan = func(ctx context.Context, fn func(register.Publication) bool) error {
					n := 0
					err := inner(ctx, func(p register.Publication) bool {
						if n++; n > limit {
							if c.scanErr < 0 {
								panic("scan panicked")
							}
							return false
						}
						return fn(p)
					})
					if err == nil && n > limit {
						err = errors.New("scan failed")
					}
					return err
				}
			}
			var got bytes.Buffer
			writes := 0
			err := encodeInOrder(ctx, scan, encode(c.encodeFailAt), func(b []byte) error {
				writes++
				if writes == c.writeErrAfter {
					return errors.New("write failed")
				}
				if writes == c.cancelAfter {
					cancel()
				}
				got.Write(b)
				return nil
			})
			switch {
			case c.wantOK && err != nil:
				t.Fatalf("got %v, want no error", err)
			case c.wantOK && !bytes.Equal(got.Bytes(), want.Bytes()):
				t.Fatalf("got %d bytes out of order or missing, want the %d bytes of the scan's order", got.Len(), want.Len())
			case !c.wantOK && (err == nil || !strings.HasPrefix(err.Error(), c.wantErr)):
				t.Fatalf("got error %v, want %q", err, c.wantErr)
			case !c.wantOK && !bytes.HasPrefix(want.Bytes(), got.Bytes()):
				t.Errorf("what was written before the error is not the start of the file")
			}
			if c.wantStoppedEarly && scanned == rows {
				t.Errorf("the scan read all %d rows after the error", rows)
			}
			// Every goroutine of the pipeline has returned.
			deadline := time.Now().Add(2 * time.Second)
			for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if n := runtime.NumGoroutine(); n > goroutines {
				buf := make([]byte, 1<<16)
				t.Errorf("%d goroutines left behind:\n%s", n-goroutines, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}
