package httpkit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/register"
)

func statusOfErr(err error) int {
	if err == nil {
		return 0
	}
	return ProblemFor(err).Status
}

func TestDecodeRefusesShapesBeyondTheLimits(t *testing.T) {
	lim := JSONLimits{MaxBytes: 1 << 20, MaxDepth: 4, MaxValues: 50, MaxName: 12}
	tests := []struct {
		name, body string
		want       int
		detail     string
	}{
		{"OK", `{"title":"abc","legal_bases":[{"type":"law"}]}`, 0, ""},
		{"DeepArrays", strings.Repeat("[", 5) + strings.Repeat("]", 5), 400, "more than 4 level"},
		{"DeepObjects", strings.Repeat(`{"a":`, 5) + "1" + strings.Repeat("}", 5), 400, "more than 4 level"},
		{"UnclosedDeepArrays", strings.Repeat("[", 100000), 400, "more than 4 level"},
		{"ManyValues", "[" + strings.Repeat("0,", 60) + "0]", 400, "more than 50 values"},
		{"WideObject", "{" + strings.Repeat(`"a":1,`, 60) + `"b":2}`, 400, "more than 50 values"},
		{"LongName", `{"` + strings.Repeat("x", 13) + `":1}`, 400, "longer than 12"},
		{"LongNameWithEscapes", `{"title":"ok","\u0041\u0041\u0041":1}`, 400, "longer than 12"},
		{"LongStringValueIsNotAName", `{"title":"` + strings.Repeat("x", 1000) + `"}`, 0, ""},
		{"BracketsInStringsDoNotNest", `{"title":"[[[[[[[[{{{{{{{\"]]]"}`, 0, ""},
		{"TooLarge", `{"title":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				Title      string `json:"title"`
				LegalBases []struct {
					Type string `json:"type"`
				} `json:"legal_bases"`
			}
			err := DecodeBytesWith([]byte(tt.body), &v, lim)
			if got := statusOfErr(err); got != tt.want {
				t.Fatalf("got status %d (%v), want %d", got, err, tt.want)
			}
			if tt.detail != "" && !strings.Contains(ProblemFor(err).Detail, tt.detail) {
				t.Fatalf("got detail %q, want it to say %q", ProblemFor(err).Detail, tt.detail)
			}
		})
	}
}

func TestDecodeNamesThePathOfTheReportedError(t *testing.T) {
	var p register.Processing
	err := decodeBytes([]byte(`{"unit":"x","legal_bases":[{"type":"law"},{"type":"law","Type":"x"}]}`), &p)
	pr := ProblemFor(err)
	if pr.Status != 400 || len(pr.Errors) != 1 || pr.Errors[0].Field != "legal_bases[1].Type" {
		t.Fatalf("got %d %+v, want 400 at legal_bases[1].Type", pr.Status, pr.Errors)
	}
	var anyV any
	err = decodeBytes([]byte(`[{"a":[{"b":1,"b":2}]}]`), &anyV)
	if pr := ProblemFor(err); len(pr.Errors) != 1 || pr.Errors[0].Field != "[0].a[0].b" {
		t.Fatalf("got %+v, want [0].a[0].b", pr.Errors)
	}
}

// TestDecodeMemoryIsLinearInTheBody decodes the shapes that once cost
// gigabytes (a path string per nesting level, kept) at the default limits
// and checks what they allocate.
func TestDecodeMemoryIsLinearInTheBody(t *testing.T) {
	const size = 900 << 10
	bodies := map[string]string{
		"deep arrays":  strings.Repeat("[", size),
		"deep objects": strings.Repeat(`{"a":`, size/5),
		"wide object":  wideObject(19_000, 40),
		"long keys":    "{" + strings.Repeat(`"`+strings.Repeat("k", 5000)+`":1,`, size/5004) + `"b":1}`,
		"huge string":  `{"title":"` + strings.Repeat("x", size) + `"}`,
		"many values":  "[" + strings.Repeat("0,", size/2-1) + "0]",
	}
	for name, body := range bodies {
		for _, target := range []any{new(register.Processing), new(any)} {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := decodeBytes([]byte(body), target)
			runtime.ReadMemStats(&after)
			alloc := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s into %T: %d kB allocated, %v", name, target, alloc>>10, err)
			if alloc > 32*uint64(len(body))+(1<<20) {
				t.Errorf("%s into %T: allocated %d bytes for a body of %d", name, target, alloc, len(body))
			}
		}
	}
}

// wideObject is an object of n members with distinct names of about
// nameLen bytes.
func wideObject(n, nameLen int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%0*d":1`, nameLen, i)
	}
	b.WriteString("}")
	return b.String()
}

func TestReadBodyAnswers413BeforeReadingALongBody(t *testing.T) {
	r, _ := http.NewRequest("POST", "/", errReader{})
	r.ContentLength = 10 << 20
	_, err := ReadBody(nopWriter{}, r, 1<<20)
	if got := statusOfErr(err); got != 413 {
		t.Fatalf("got %d (%v), want 413", got, err)
	}
}

func TestBodyBudgetRefusesBeyondItsBytesAndGivesThemBack(t *testing.T) {
	b := NewBodyBudget(100 * bodyCost)
	r1, done1 := WithBodyHold(&http.Request{}, b)
	r1 = r1.WithContext(r1.Context())
	if err := holdFrom(r1.Context()).take(80); err != nil {
		t.Fatal(err)
	}
	r2, done2 := WithBodyHold(&http.Request{}, b)
	err := holdFrom(r2.Context()).take(30)
	if p := ProblemFor(err); p.Status != 503 || p.RetryAfter < 1 {
		t.Fatalf("over the budget: got %v, want 503 with Retry-After", err)
	}
	done1()
	if err := holdFrom(r2.Context()).take(30); err != nil {
		t.Fatalf("after the first request ended: %v", err)
	}
	done2()
	if b.inUse() != 0 {
		t.Fatalf("%d bytes still held", b.inUse())
	}
}

func TestHashQueueServesAddressesInTurn(t *testing.T) {
	q := NewHashQueue(1, 100, 50)
	ctx := context.Background()
	if err := q.Acquire(ctx, "holder", false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 100)
	start := func(key string) {
		go func() {
			if err := q.Acquire(ctx, key, false); err != nil {
				order <- "error " + err.Error()
				return
			}
			order <- key
			q.Release()
		}()
	}
	// A flood from one address queues first; the owner arrives last.
	for range 20 {
		start("flood")
	}
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.n == 20 })
	start("owner")
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.n == 21 })
	q.Release()
	for i := 0; ; i++ {
		if got := <-order; got == "owner" {
			if i > 1 {
				t.Fatalf("the owner was served after %d of the flood, want at most 1", i)
			}
			break
		}
	}
}

func TestHashQueueServesKnownAddressesFirst(t *testing.T) {
	q := NewHashQueue(1, 100, 50)
	ctx := context.Background()
	if err := q.Acquire(ctx, "holder", false); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 100)
	start := func(key string, known bool) {
		go func() {
			if err := q.Acquire(ctx, key, known); err != nil {
				order <- "error " + err.Error()
				return
			}
			order <- key
			q.Release()
		}()
	}
	for i := range 20 {
		start(fmt.Sprint("flood-", i), false)
	}
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.n == 20 })
	start("owner", true)
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.n == 21 })
	q.Release()
	if got := <-order; got != "owner" {
		t.Fatalf("served first: %q, want the owner", got)
	}
	for range 20 {
		<-order
	}
}

func TestHashQueueBoundsWaiters(t *testing.T) {
	q := NewHashQueue(1, 3, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := q.Acquire(ctx, "a", false); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 10)
	for _, k := range []string{"a", "a", "b"} {
		go func() { errs <- q.Acquire(ctx, k, k == "b") }()
	}
	waitFor(t, func() bool { q.mu.Lock(); defer q.mu.Unlock(); return q.n == 3 })
	if got := statusOfErr(q.Acquire(ctx, "a", true)); got != 429 {
		t.Fatalf("a third waiter from one address: got %d, want 429", got)
	}
	if got := statusOfErr(q.Acquire(ctx, "c", false)); got != 503 {
		t.Fatalf("a full queue: got %d, want 503", got)
	}
	cancel()
	for range 3 {
		if err := <-errs; !errors.Is(err, context.Canceled) {
			t.Fatalf("a waiter that gave up: got %v", err)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n != 0 || len(q.ring) != 0 || len(q.waiting) != 0 || len(q.known) != 0 || q.free != 0 {
		t.Fatalf("after the waiters gave up: n %d ring %v waiting %d known %d free %d", q.n, q.ring, len(q.waiting), len(q.known), q.free)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("the body was read") }

type nopWriter struct{}

func (nopWriter) Header() http.Header         { return http.Header{} }
func (nopWriter) Write(b []byte) (int, error) { return len(b), nil }
func (nopWriter) WriteHeader(int)             {}
