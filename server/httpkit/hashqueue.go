package httpkit

import (
	"context"
	"net/http"
	"sync"
)

// HashQueue runs password checks, at most slots at a time, and serves the
// callers waiting for a slot round-robin by client address: an address
// that sends a thousand logins waits behind its own, while a person at
// another address waits for about one check per busy address. Each address
// may have only a few checks waiting, and the whole queue is bounded, so a
// flood costs a goroutine per connection and no more.
//
// Round-robin by address is not enough against many addresses: with a
// hundred of them busy, a person waits for a hundred checks. So a sign-in
// from an address where that account signed in before (which a guesser
// cannot produce) goes in a lane served first.
type HashQueue struct {
	mu         sync.Mutex
	free       int                        // slots not in use
	waiting    map[string][]chan struct{} // per address, oldest first
	ring       []string                   // addresses with waiters, in serving order
	known      []knownWaiter              // the first lane, oldest first
	n          int                        // waiters in all, both lanes
	maxWaiting int
	maxPerKey  int
}

type knownWaiter struct {
	key string
	ch  chan struct{}
}

func NewHashQueue(slots, maxWaiting, maxPerKey int) *HashQueue {
	return &HashQueue{free: slots, waiting: map[string][]chan struct{}{}, maxWaiting: maxWaiting, maxPerKey: maxPerKey}
}

// acquire waits for a slot for a check on behalf of key, in the first lane
// when known. It answers 429 when
// key already has maxPerKey checks waiting, 503 when the queue is full, and
// ctx's error when the caller gives up. release must be called once after a
// successful acquire.
func (q *HashQueue) Acquire(ctx context.Context, key string, known bool) error {
	q.mu.Lock()
	if q.free > 0 && q.n == 0 {
		q.free--
		q.mu.Unlock()
		return nil
	}
	if q.waitingFor(key) >= q.maxPerKey {
		q.mu.Unlock()
		p := NewProblem(http.StatusTooManyRequests, "this address already has logins waiting; try again shortly")
		p.RetryAfter = 1
		return p
	}
	if q.n >= q.maxWaiting {
		q.mu.Unlock()
		p := NewProblem(http.StatusServiceUnavailable, "too many logins are waiting; try again shortly")
		p.RetryAfter = 1
		return p
	}
	ch := make(chan struct{})
	switch {
	case known:
		q.known = append(q.known, knownWaiter{key, ch})
	case len(q.waiting[key]) == 0:
		q.ring = append(q.ring, key)
		fallthrough
	default:
		q.waiting[key] = append(q.waiting[key], ch)
	}
	q.n++
	q.mu.Unlock()

	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	select {
	case <-ch:
		// Granted while giving up: the slot is ours to pass on.
		q.handOn()
	default:
		q.remove(key, ch)
	}
	return ctx.Err()
}

// release gives the slot to the next waiter, or frees it.
func (q *HashQueue) Release() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handOn()
}

// handOn passes a slot to the first waiter of the next address in the ring;
// that address goes to the back of the ring if it has more waiting.
func (q *HashQueue) handOn() {
	if q.n == 0 {
		q.free++
		return
	}
	if len(q.known) > 0 {
		ch := q.known[0].ch
		q.known = q.known[1:]
		q.n--
		close(ch)
		return
	}
	key := q.ring[0]
	q.ring = q.ring[1:]
	ws := q.waiting[key]
	ch := ws[0]
	if len(ws) == 1 {
		delete(q.waiting, key)
	} else {
		q.waiting[key] = ws[1:]
		q.ring = append(q.ring, key)
	}
	q.n--
	close(ch)
}

// waitingFor counts key's waiters in both lanes.
func (q *HashQueue) waitingFor(key string) int {
	n := len(q.waiting[key])
	for _, w := range q.known {
		if w.key == key {
			n++
		}
	}
	return n
}

func (q *HashQueue) remove(key string, ch chan struct{}) {
	for i, w := range q.known {
		if w.ch == ch {
			q.known = append(q.known[:i:i], q.known[i+1:]...)
			q.n--
			return
		}
	}
	ws := q.waiting[key]
	for i, w := range ws {
		if w != ch {
			continue
		}
		ws = append(ws[:i:i], ws[i+1:]...)
		q.n--
		if len(ws) > 0 {
			q.waiting[key] = ws
			return
		}
		delete(q.waiting, key)
		for j, k := range q.ring {
			if k == key {
				q.ring = append(q.ring[:j:j], q.ring[j+1:]...)
				break
			}
		}
		return
	}
}
