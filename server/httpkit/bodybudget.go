package httpkit

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// DefaultBodyMemory is how many bytes of request bodies, and of their
// decoding, all requests in flight may hold together when Config.BodyMemory
// is zero: 16 requests at the 1 MiB cap, or thousands of small ones.
const DefaultBodyMemory = 64 << 20

// bodyCost is what a body costs while it is read and decoded, as a multiple
// of its size: the bytes, the strings the name check reads, the decoded
// value and what validation makes of it (measured: a 1 MiB string field
// allocates about 7 MiB, of which about half is live at once).
const bodyCost = 4

// BodyBudget bounds the bytes that request bodies being read or decoded
// hold at once, across all requests. Reading a body first takes bodyCost
// times its size (its Content-Length, or the route's cap when the length is
// unknown) from the budget and gives it back when the request ends. When the budget is
// spent the request fails at once with 503 and Retry-After: queueing it
// would only hold its connection and then its memory.
type BodyBudget struct {
	mu   sync.Mutex
	max  int64
	used int64
}

func NewBodyBudget(max int64) *BodyBudget {
	if max <= 0 {
		max = DefaultBodyMemory
	}
	return &BodyBudget{max: max}
}

func (b *BodyBudget) tryTake(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

func (b *BodyBudget) give(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
}

func (b *BodyBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// bodyHold is one request's share of the budget, given back by done when
// the request ends (its decoded value lives until then too).
type bodyHold struct {
	budget *BodyBudget
	mu     sync.Mutex
	held   int64
}

type bodyHoldKey struct{}

// WithBodyHold gives r a hold on b; call the returned func when the request
// is over.
func WithBodyHold(r *http.Request, b *BodyBudget) (*http.Request, func()) {
	h := &bodyHold{budget: b}
	return r.WithContext(context.WithValue(r.Context(), bodyHoldKey{}, h)), h.done
}

func holdFrom(ctx context.Context) *bodyHold {
	h, _ := ctx.Value(bodyHoldKey{}).(*bodyHold)
	return h
}

// take counts a body of n bytes for this request, or answers 503.
func (h *bodyHold) take(n int64) error {
	if n <= 0 {
		return nil
	}
	n *= bodyCost
	if !h.budget.tryTake(n) {
		p := NewProblem(http.StatusServiceUnavailable, fmt.Sprintf("the server is busy with as many request bodies as it may hold (%d bytes in all); try again shortly", h.budget.max))
		p.RetryAfter = 1
		return p
	}
	h.mu.Lock()
	h.held += n
	h.mu.Unlock()
	return nil
}

func (h *bodyHold) done() {
	h.mu.Lock()
	n := h.held
	h.held = 0
	h.mu.Unlock()
	h.budget.give(n)
}
