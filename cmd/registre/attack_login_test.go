package main

// Login under attack (issue 11): floods of large bodies, guessing one
// account, and a flood of logins from many addresses while the owner signs
// in, against a `registre serve` subprocess behind a "proxy" (the test
// client, trusted at 127.0.0.1, names each caller's address in
// X-Forwarded-For).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const ownerPassword = "Tr0ub4dor&3-horse-staple"

var behindProxy = map[string]string{"REGISTRE_TRUSTED_PROXIES": "127.0.0.1/32"}

// addUser creates an account with ownerPassword.
func (tg *target) addUser(username string) {
	tg.t.Helper()
	tg.must(201, "POST", "/api/v1/users", tg.admin(), map[string]any{
		"username": username, "password": ownerPassword, "role": "dpo", "org": "ville-a"})
}

// loginFrom sends a login as the client at addr and returns its status (-1
// when the connection broke, as it may when a server refuses a large body
// before reading it), the Retry-After header and the problem's detail.
func (tg *target) loginFrom(client *http.Client, addr string, body io.Reader, length int64) (int, string, string) {
	req, err := http.NewRequest("POST", tg.base+"/api/v1/auth/login", body)
	if err != nil {
		tg.t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", addr)
	resp, err := client.Do(req)
	if err != nil {
		return -1, "", ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var p struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(b, &p)
	if resp.StatusCode >= 400 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		tg.t.Errorf("login %d with content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), p.Detail
}

func loginBody(username, password string) []byte {
	b, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return b
}

// hideLength makes a reader whose length the HTTP client cannot see, so
// that the body is sent chunked, without Content-Length.
type hideLength struct{ io.Reader }

func TestAttackConcurrentLargeLogins(t *testing.T) {
	eachTarget(t, behindProxy, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		tg.addUser("dora")
		before := tg.auditEntries()
		big := loginBody("dora", strings.Repeat("p", 1<<20))
		for _, spread := range []struct {
			name    string
			addr    func(i int) string
			chunked bool
		}{
			{"one address", func(int) string { return "203.0.113.9" }, false},
			{"300 addresses", func(i int) string { return fmt.Sprintf("10.1.%d.%d", i/250, i%250+1) }, false},
			{"300 addresses, chunked", func(i int) string { return fmt.Sprintf("10.2.%d.%d", i/250, i%250+1) }, true},
		} {
			tg.resetPeak()
			base := tg.peakKB()
			const n = 300
			client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n}}
			var mu sync.Mutex
			count := map[int]int{}
			var wg sync.WaitGroup
			start := time.Now()
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var body io.Reader = bytes.NewReader(big)
					length := int64(len(big))
					if spread.chunked {
						body, length = hideLength{body}, -1
					}
					status, _, _ := tg.loginFrom(client, spread.addr(i), body, length)
					mu.Lock()
					count[status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			client.CloseIdleConnections()
			grew := tg.peakKB() - base
			t.Logf("%s: %d concurrent 1 MiB logins: %v in %v, peak +%d kB", spread.name, n, count, time.Since(start).Round(time.Millisecond), grew)
			if grew >= peakBudgetKB {
				t.Errorf("%s: the peak memory grew by %d kB, want < %d", spread.name, grew, peakBudgetKB)
			}
			for s, c := range count {
				if s != 413 && s != 429 && s != -1 {
					t.Errorf("%s: %d answers %d, want 413 or 429", spread.name, c, s)
				}
			}
			if count[-1] > n/2 {
				t.Errorf("%s: %d of %d connections broke without an answer", spread.name, count[-1], n)
			}
		}
		// The address that sent 300 is over its limit: it is refused
		// before its body is read (this body never comes).
		body, closeBody := blockingBody()
		start := time.Now()
		status, retry, _ := tg.loginFrom(&http.Client{Timeout: 10 * time.Second}, "203.0.113.9", body, 100)
		closeBody()
		if took := time.Since(start); status != 429 || retry == "" || took >= 5*time.Second {
			t.Errorf("an address over its limit, with a body that never comes: got %d (Retry-After %q) after %v, want 429 at once", status, retry, took)
		}
		t.Logf("an address over its limit was refused in %v without its body", time.Since(start).Round(time.Millisecond))
		tg.wroteNothing(before)
	})
}

func TestAttackGuesserDoesNotLockOutTheOwner(t *testing.T) {
	eachTarget(t, behindProxy, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		tg.addUser("dora")
		before := tg.auditEntries()
		client := &http.Client{Timeout: 60 * time.Second}
		// The guesser tries wrong passwords one after another until
		// refused, then the right one. (Guesses sent at once are refused
		// sooner: an address may have two checks waiting.)
		start := time.Now()
		guesses := 0
		for ; guesses < 20; guesses++ {
			status, retry, _ := tg.loginFrom(client, "203.0.113.9", bytes.NewReader(loginBody("dora", fmt.Sprint("guess-", guesses))), -1)
			if status == 429 && retry != "" {
				break
			}
			if status != 401 {
				t.Fatalf("guess %d: got %d, want 401 or 429", guesses, status)
			}
		}
		t.Logf("the guesser was refused after %d failures, in %v", guesses, time.Since(start).Round(time.Millisecond))
		if guesses != 10 {
			t.Errorf("the guesser was refused after %d failures, want 10", guesses)
		}
		status, retry, _ := tg.loginFrom(client, "203.0.113.9", bytes.NewReader(loginBody("dora", ownerPassword)), -1)
		if status != 429 || retry == "" {
			t.Fatalf("the guesser with the right password: got %d (Retry-After %q), want 429 with Retry-After", status, retry)
		}
		tg.wroteNothing(before)
		start = time.Now()
		status, _, detail := tg.loginFrom(client, "198.51.100.7", bytes.NewReader(loginBody("dora", ownerPassword)), -1)
		if status != 200 {
			t.Fatalf("the owner at another address: got %d %q, want 200", status, detail)
		}
		t.Logf("the owner signed in in %v while the guesser was refused", time.Since(start).Round(time.Millisecond))
	})
}

func TestAttackOwnerSignsInDuringAFlood(t *testing.T) {
	eachTarget(t, behindProxy, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		tg.addUser("dora")
		client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 200}}
		owner := "198.51.100.7"
		// The owner has signed in from here before.
		if status, _, detail := tg.loginFrom(client, owner, bytes.NewReader(loginBody("dora", ownerPassword)), -1); status != 200 {
			t.Fatalf("first sign-in: got %d %q", status, detail)
		}
		before := tg.auditEntries()
		// 100 addresses, each sending logins one after another for a few
		// seconds: wrong passwords for dora and for names that do not exist.
		const addrs = 100
		stop := make(chan struct{})
		var mu sync.Mutex
		count := map[int]int{}
		var wg sync.WaitGroup
		for a := range addrs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				addr := fmt.Sprintf("10.9.%d.%d", a/250, a%250+1)
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					user := "dora"
					if i%2 == 1 {
						user = fmt.Sprintf("nobody-%d", a)
					}
					status, _, _ := tg.loginFrom(client, addr, bytes.NewReader(loginBody(user, fmt.Sprint("guess-", i))), -1)
					mu.Lock()
					count[status]++
					mu.Unlock()
					if status == 429 || status == 503 {
						time.Sleep(100 * time.Millisecond) // a patient attacker, keeping the pressure on
					}
				}
			}()
		}
		time.Sleep(2 * time.Second)
		var times []time.Duration
		for range 3 {
			start := time.Now()
			status, _, detail := tg.loginFrom(client, owner, bytes.NewReader(loginBody("dora", ownerPassword)), -1)
			took := time.Since(start)
			if status != 200 {
				t.Errorf("the owner during the flood: got %d %q after %v, want 200", status, detail, took)
			}
			times = append(times, took)
			time.Sleep(500 * time.Millisecond)
		}
		// Someone with an account, at an address never seen, also gets in
		// (the flood did not spend the account-wide limit of their account).
		tg.addUser("eve")
		start := time.Now()
		if status, _, detail := tg.loginFrom(client, "198.51.100.99", bytes.NewReader(loginBody("eve", ownerPassword)), -1); status != 200 {
			t.Errorf("another user during the flood: got %d %q, want 200", status, detail)
		}
		other := time.Since(start)
		close(stop)
		wg.Wait()
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		t.Logf("flood from %d addresses: answers %v; the owner's logins took %v; another user's %v", addrs, count, times, other.Round(time.Millisecond))
		for s, c := range count {
			if s != 401 && s != 429 && s != 503 {
				t.Errorf("the flood got %d answers %d, want 401, 429 or 503", c, s)
			}
		}
		// The owner's three logins and eve's wrote their audit entries and
		// eve's creation one; the flood wrote nothing.
		if after := tg.auditEntries(); after != before+5 {
			t.Errorf("audit entries went from %d to %d, want +5 (4 logins, 1 account)", before, after)
		}
	})
}
