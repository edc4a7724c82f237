package httpkit

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Limit is how a login limiter treats one key (an account name or a client
// address). Failures fill a bucket that leaks one failure per Decay: beyond
// Free failures each answer is held back by Delay more (at most MaxDelay);
// at Burst the key is refused with 429 until the bucket has leaked enough.
type Limit struct {
	Free     int
	Burst    int
	Decay    time.Duration
	Delay    time.Duration
	MaxDelay time.Duration
}

// LoginLimits configures the login limiters. The zero value means
// DefaultLoginLimits.
type LoginLimits struct {
	// Account counts failures per attempted username *and* client address
	// (IPv6: per /64): a guesser is stopped on that account without
	// locking the owner, who signs in from elsewhere.
	Account Limit
	// Address counts failures per client address, whatever the username.
	Address Limit
	// AccountWide counts failures per username from every address, against
	// guessing spread over many addresses. At its Burst it refuses only
	// addresses that have not signed in to that account before (see
	// KnownFor). Zero: off.
	AccountWide Limit
	// KnownFor is how long an address where an account signed in stays
	// exempt from that account's AccountWide refusal; 0: 30 days.
	KnownFor   time.Duration
	MaxEntries int // per limiter; idle entries are evicted first
}

// DefaultLoginLimits lets a person mistype a few times without noticing,
// makes a guesser wait seconds per try after that, and stops them after 10
// tries on one account from one address, 30 from one address on any
// accounts, or 100 on one account from everywhere (then only addresses the
// owner has used still get through). An account's bucket leaks one failure
// a minute, so a guesser gets about one more try a minute per address.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		Account:     Limit{Free: 3, Burst: 10, Decay: time.Minute, Delay: 250 * time.Millisecond, MaxDelay: 2 * time.Second},
		Address:     Limit{Free: 5, Burst: 30, Decay: 20 * time.Second, Delay: 250 * time.Millisecond, MaxDelay: 2 * time.Second},
		AccountWide: Limit{Free: 20, Burst: 100, Decay: 6 * time.Second, Delay: 100 * time.Millisecond, MaxDelay: time.Second},
		KnownFor:    30 * 24 * time.Hour,
		MaxEntries:  10_000,
	}
}

// Limiter counts recent failures per key in leaky buckets: O(1) memory per
// key, no timers, and a bounded number of keys.
type Limiter struct {
	mu      sync.Mutex
	limit   Limit
	max     int
	buckets map[string]bucket
}

type bucket struct {
	level float64 // failures not yet leaked
	at    time.Time
}

// NewLimiter returns nil (no limit) for a zero Limit.
func NewLimiter(l Limit, maxEntries int) *Limiter {
	if l.Burst <= 0 || l.Decay <= 0 {
		return nil
	}
	return &Limiter{limit: l, max: maxEntries, buckets: map[string]bucket{}}
}

// level returns b's level leaked down to now.
func (l *Limiter) level(b bucket, now time.Time) float64 {
	leaked := float64(now.Sub(b.at)) / float64(l.limit.Decay)
	return math.Max(0, b.level-max(0, leaked))
}

// reserve counts an attempt for key as a failure before it is checked, so
// that many attempts sent at once cannot all pass before the first failure
// is recorded; release gives the count back when the attempt succeeds. When
// the key is over its burst, ok is false and retry says when to come back;
// otherwise delay is how long to hold back the answer should it fail.
func (l *Limiter) Reserve(key string, now time.Time) (ok bool, retry, delay time.Duration) {
	if l == nil {
		return true, 0, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	level := 0.0
	if found {
		level = l.level(b, now)
	}
	if level+1 > float64(l.limit.Burst) {
		// Refused attempts are not counted: a refused caller is told the
		// truth about when to come back.
		return false, time.Duration((level + 1 - float64(l.limit.Burst)) * float64(l.limit.Decay)), 0
	}
	if !found {
		l.makeRoom(now)
	}
	level++
	l.buckets[key] = bucket{level: level, at: now}
	if over := level - float64(l.limit.Free); over > 0 {
		delay = min(time.Duration(over*float64(l.limit.Delay)), l.limit.MaxDelay)
	}
	return true, 0, delay
}

// release takes back one failure reserved for key.
func (l *Limiter) Release(key string, now time.Time) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return
	}
	level := l.level(b, now) - 1
	if level <= 0 {
		delete(l.buckets, key)
		return
	}
	l.buckets[key] = bucket{level: level, at: now}
}

// makeRoom keeps the map under max entries: first it drops buckets that
// have leaked empty, which costs nothing to forget; if an attack keeps that
// many keys busy, it drops arbitrary ones down to 90% so that the next
// insertions do not each pay for a full sweep. The per-account limit still
// holds for anyone spreading attempts over many addresses.
func (l *Limiter) makeRoom(now time.Time) {
	if len(l.buckets) < l.max {
		return
	}
	for k, b := range l.buckets {
		if l.level(b, now) == 0 {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < l.max*9/10 {
			break
		}
		delete(l.buckets, k)
	}
}

func (l *Limiter) len() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// ClientAddr returns the address a request comes from: the TCP peer, unless
// the peer is a trusted proxy; then the rightmost X-Forwarded-For hop that
// is not itself a trusted proxy. Hops left of that one were written by the
// client and prove nothing, so a forged header cannot pick the address a
// limit is counted against.
func ClientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseHop(r.RemoteAddr)
	if !peer.IsValid() || !inPrefixes(peer, trusted) {
		return peer
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseHop(strings.TrimSpace(hops[i]))
		if !hop.IsValid() {
			// Garbage from here on was not written by our proxies;
			// the last hop they vouched for is the best we know.
			break
		}
		client = hop
		if !inPrefixes(hop, trusted) {
			break
		}
	}
	return client
}

// parseHop reads "ip", "ip:port" or "[ipv6]:port".
func parseHop(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone("").Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		if a, err := netip.ParseAddr(host); err == nil {
			return a.WithZone("").Unmap()
		}
	}
	return netip.Addr{}
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// AddrKey groups IPv6 addresses by /64, the block one subscriber usually
// holds, so that walking through it does not give fresh limits.
func AddrKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// ParseTrustedProxies reads a comma-separated list of CIDR prefixes or
// single addresses.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// KnownAddrs remembers, for a while, the addresses from which each account
// signed in, in a bounded map (oldest dropped first when full).
type KnownAddrs struct {
	mu   sync.Mutex
	ttl  time.Duration
	max  int
	seen map[string]time.Time // account + "\x00" + address key
}

func NewKnownAddrs(ttl time.Duration, max int) *KnownAddrs {
	return &KnownAddrs{ttl: ttl, max: max, seen: map[string]time.Time{}}
}

func (k *KnownAddrs) Add(account, addr string, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key := account + "\x00" + addr
	if _, ok := k.seen[key]; !ok && len(k.seen) >= k.max {
		for x, at := range k.seen {
			if now.Sub(at) > k.ttl {
				delete(k.seen, x)
			}
		}
		for len(k.seen) >= k.max {
			oldest, first := "", time.Time{}
			for x, at := range k.seen {
				if oldest == "" || at.Before(first) {
					oldest, first = x, at
				}
			}
			delete(k.seen, oldest)
		}
	}
	k.seen[key] = now
}

func (k *KnownAddrs) Has(account, addr string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	at, ok := k.seen[account+"\x00"+addr]
	return ok && now.Sub(at) <= k.ttl
}
