package httpkit

import (
	"fmt"
	"net/http"
	"net/netip"
	"testing"
	"time"
)

func TestLimiterSlowsDownThenRefuses(t *testing.T) {
	l := NewLimiter(Limit{Free: 2, Burst: 5, Decay: time.Minute, Delay: 100 * time.Millisecond, MaxDelay: 250 * time.Millisecond}, 100)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	wantDelays := []time.Duration{0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 250 * time.Millisecond}
	for i, want := range wantDelays {
		ok, _, delay := l.Reserve("dora", t0)
		if !ok || delay != want {
			t.Fatalf("failure %d: got ok %v delay %v, want ok and %v", i+1, ok, delay, want)
		}
	}
	ok, retry, _ := l.Reserve("dora", t0)
	if ok || retry != time.Minute {
		t.Fatalf("over the burst: got ok %v retry %v, want refused for a minute", ok, retry)
	}
	// Refused attempts do not push the time back.
	if _, retry, _ := l.Reserve("dora", t0.Add(30*time.Second)); retry != 30*time.Second {
		t.Fatalf("half a minute later: got retry %v, want 30s", retry)
	}
	if ok, _, _ := l.Reserve("dora", t0.Add(time.Minute)); !ok {
		t.Fatalf("a minute later: refused, want one more try")
	}
	if ok, _, _ := l.Reserve("other", t0); !ok {
		t.Fatalf("another key is refused")
	}
}

func TestLimiterReleaseGivesBackAReservation(t *testing.T) {
	l := NewLimiter(Limit{Free: 1, Burst: 2, Decay: time.Hour}, 100)
	t0 := time.Now()
	for range 10 {
		if ok, _, _ := l.Reserve("dora", t0); !ok {
			t.Fatalf("successful attempts must not count")
		}
		l.Release("dora", t0)
	}
	if l.len() != 0 {
		t.Fatalf("got %d entries, want none after successes", l.len())
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	l := NewLimiter(Limit{Free: 1, Burst: 3, Decay: time.Second}, 1000)
	t0 := time.Now()
	// Busy keys: the map never grows beyond its bound.
	for i := range 50_000 {
		l.Reserve(fmt.Sprint("k", i), t0)
		if n := l.len(); n > 1000 {
			t.Fatalf("after %d keys: %d entries, want at most 1000", i, n)
		}
	}
	// Idle keys are dropped first: after they leak empty, old keys go and
	// a fresh busy one stays.
	later := t0.Add(time.Hour)
	for i := range 1000 {
		l.Reserve(fmt.Sprint("new", i), later)
	}
	for _, k := range []string{"new0", "new999"} {
		if _, kept := l.buckets[k]; !kept {
			t.Fatalf("busy key %s evicted in favour of idle ones", k)
		}
	}
	if l.len() > 1000 {
		t.Fatalf("got %d entries", l.len())
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	tests := []struct {
		name   string
		peer   string
		xff    []string
		want   string
		noProx bool
	}{
		{"PeerWithoutProxy", "198.51.100.7:4242", nil, "198.51.100.7", false},
		{"SpoofedHeaderFromUntrustedPeer", "198.51.100.7:4242", []string{"1.2.3.4"}, "198.51.100.7", false},
		{"HeaderIgnoredWithoutTrustedProxies", "10.0.0.1:4242", []string{"1.2.3.4"}, "10.0.0.1", true},
		{"TrustedProxyHop", "10.0.0.1:4242", []string{"203.0.113.9"}, "203.0.113.9", false},
		{"RightmostUntrustedHop", "10.0.0.1:4242", []string{"1.2.3.4, 203.0.113.9, 10.0.0.2"}, "203.0.113.9", false},
		{"SeveralHeaders", "10.0.0.1:4242", []string{"1.2.3.4", "203.0.113.9"}, "203.0.113.9", false},
		{"AllHopsTrusted", "10.0.0.1:4242", []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1", false},
		{"GarbageHop", "10.0.0.1:4242", []string{"203.0.113.9, garbage, 10.0.0.3"}, "10.0.0.3", false},
		{"HopWithPort", "10.0.0.1:4242", []string{"203.0.113.9:5555"}, "203.0.113.9", false},
		{"IPv6Hop", "[2001:db8:ffff::1]:443", []string{"[2001:db8:1::5]:80"}, "2001:db8:1::5", false},
		{"MappedIPv4Peer", "[::ffff:10.0.0.1]:4242", []string{"203.0.113.9"}, "203.0.113.9", false},
		{"EmptyHeader", "10.0.0.1:4242", []string{""}, "10.0.0.1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("POST", "/api/v1/auth/login", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			tr := trusted
			if tc.noProx {
				tr = nil
			}
			if got := ClientAddr(r, tr).String(); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAddrKeyGroupsIPv6By64(t *testing.T) {
	a := AddrKey(netip.MustParseAddr("2001:db8:1:2::1"))
	b := AddrKey(netip.MustParseAddr("2001:db8:1:2:ffff::9"))
	c := AddrKey(netip.MustParseAddr("2001:db8:1:3::1"))
	if a != b || a == c {
		t.Fatalf("got %s %s %s, want the first two equal and the third apart", a, b, c)
	}
	if got := AddrKey(netip.MustParseAddr("192.0.2.1")); got != "192.0.2.1" {
		t.Fatalf("got %s", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.1 ,2001:db8::/32,")
	if err != nil || len(got) != 3 || got[1].String() != "192.0.2.1/32" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.example"); err == nil {
		t.Fatalf("a host name was accepted")
	}
}
