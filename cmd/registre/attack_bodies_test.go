package main

// Hostile request bodies (issue 10): deep, wide and long JSON, and forms,
// sent to the anonymous login and to an authenticated JSON route of a
// `registre serve` subprocess. Each must be refused with a clear 4xx, cost
// the process less than 100 MB of peak memory, and write nothing.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
)

// peakBudgetKB is how much a hostile request may add to the process's peak
// resident memory.
const peakBudgetKB = 100 << 10

// wideJSONObject is an object of n members with distinct names of nameLen
// bytes.
func wideJSONObject(n, nameLen int) string {
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

// hostileJSON are the shapes that once cost gigabytes or seconds, each of
// about size bytes.
func hostileJSON(size int) []struct{ name, body string } {
	longKey := `"` + strings.Repeat("k", 5000) + `":1,`
	return []struct{ name, body string }{
		{"deep arrays", strings.Repeat("[", size/2) + strings.Repeat("]", size/2)},
		{"deep objects", strings.Repeat(`{"a":`, size/6) + "1" + strings.Repeat("}", size/6)},
		{"deep arrays, unclosed", strings.Repeat("[", size)},
		{"wide object", wideJSONObject(size/30, 20)},
		{"wide object in a field", `{"unit":"etat-civil","title":"abc","controller":` + wideJSONObject(size/30, 20) + `}`},
		{"many values", `{"data_subjects":[` + strings.Repeat(`"a",`, size/4) + `"a"]}`},
		{"many long keys", "{" + strings.Repeat(longKey, max(1, size/len(longKey))) + `"b":1}`},
		{"huge string", `{"unit":"etat-civil","title":"` + strings.Repeat("x", size) + `"}`},
		{"huge string in an unknown field", `{"` + strings.Repeat("x", size) + `":1}`},
	}
}

// sendMeasured sends req after resetting the peak memory and returns the
// response, its body, the peak growth and the time taken.
func (tg *target) sendMeasured(req request) (*http.Response, []byte, int, time.Duration) {
	tg.t.Helper()
	tg.resetPeak()
	base := tg.peakKB()
	start := time.Now()
	resp, b := tg.send(req)
	took := time.Since(start)
	return resp, b, tg.peakKB() - base, took
}

func jsonRequest(path, token, body string) request {
	h := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return request{method: "POST", path: path, header: h, body: strings.NewReader(body)}
}

func TestAttackHostileJSONIsRefusedCheaply(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		editor := tg.token(auth.RoleEditor, "ville-a", "etat-civil")
		before := tg.auditEntries()
		routes := []struct {
			name, path, token string
			size              int
			want              map[string]int // by body name; default 400
		}{
			// Login takes at most 8 KiB: larger bodies are refused before
			// they are read, bodies under the cap reach the decoder.
			{"login, 600 KB", "/api/v1/auth/login", "", 600 << 10, map[string]int{"*": 413}},
			{"login, under its cap", "/api/v1/auth/login", "", 3 << 10, nil},
			{"processings, 900 KB", "/api/v1/processings", editor, 900 << 10, map[string]int{"huge string": 422}},
		}
		for _, rt := range routes {
			for _, h := range hostileJSON(rt.size) {
				want, ok := rt.want[h.name]
				if !ok {
					want = rt.want["*"]
				}
				if want == 0 {
					want = 400
				}
				if len(h.body) > 1<<20 {
					want = 413
				}
				resp, b, grewKB, took := tg.sendMeasured(jsonRequest(rt.path, rt.token, h.body))
				p := problemOf(t, resp, b, want)
				t.Logf("%s, %s (%d bytes): %d %q in %v, peak +%d kB", rt.name, h.name, len(h.body), resp.StatusCode, p["detail"], took.Round(time.Millisecond), grewKB)
				if grewKB >= peakBudgetKB {
					t.Errorf("%s, %s: the peak memory grew by %d kB, want < %d", rt.name, h.name, grewKB, peakBudgetKB)
				}
			}
		}
		// Over the general cap, on an authenticated route.
		resp, b, _, _ := tg.sendMeasured(jsonRequest("/api/v1/processings", editor, `{"title":"`+strings.Repeat("x", 2<<20)+`"}`))
		problemOf(t, resp, b, 413)
		tg.wroteNothing(before)
	})
}

// blockingBody is a request body that delivers no byte for 5 s, then ends
// short: a server that reads it cannot answer sooner, so an answer within
// that time shows that the body was not read. Closing it early is fine.
func blockingBody() (io.ReadCloser, func()) {
	pr, pw := io.Pipe()
	t := time.AfterFunc(5*time.Second, func() { _ = pw.Close() })
	return pr, func() { t.Stop(); _ = pw.Close() }
}

func TestAttackBodiesThatAreNotJSONAreNotRead(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		editor := tg.token(auth.RoleEditor, "ville-a", "etat-civil")
		dpo := tg.token(auth.RoleDPO, "ville-a")
		before := tg.auditEntries()
		cases := []struct {
			name, path, token, contentType string
			length                         int64
			want                           int
		}{
			{"form to a JSON route", "/api/v1/processings", editor, "application/x-www-form-urlencoded", 100 << 20, 415},
			{"multipart to a JSON route", "/api/v1/processings", editor, "multipart/form-data; boundary=x", 100 << 20, 415},
			{"form to login", "/api/v1/auth/login", "", "application/x-www-form-urlencoded", 100 << 20, 415},
			{"JSON over the cap, announced", "/api/v1/processings", editor, "application/json", 100 << 20, 413},
			{"JSON over login's cap, announced", "/api/v1/auth/login", "", "application/json", 1 << 20, 413},
			{"form to a workflow step", "/api/v1/processings/x/return", dpo, "application/x-www-form-urlencoded", 100 << 20, 413},
		}
		client := &http.Client{Timeout: 10 * time.Second}
		for _, c := range cases {
			body, closeBody := blockingBody()
			req, err := http.NewRequest("POST", tg.base+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = c.length
			req.Header.Set("Content-Type", c.contentType)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			start := time.Now()
			resp, err := client.Do(req)
			closeBody()
			if err != nil {
				t.Fatalf("%s: %v (the server waited for the body?)", c.name, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			took := time.Since(start)
			p := problemOf(t, resp, b, c.want)
			t.Logf("%s: %d %q in %v", c.name, resp.StatusCode, p["detail"], took.Round(time.Millisecond))
			if took >= 5*time.Second {
				t.Errorf("%s: answered after %v: the server waited for the body", c.name, took)
			}
		}
		tg.wroteNothing(before)
	})
}

// TestAttackManyLargeBodiesAtOnce sends 100 bodies of 1 MiB at once to an
// authenticated route: what they cost is bounded together (64 MiB, 16 such
// bodies, by default), beyond which requests fail fast with 503.
func TestAttackManyLargeBodiesAtOnce(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		editor := tg.token(auth.RoleEditor, "ville-a", "etat-civil")
		before := tg.auditEntries()
		body := []byte(`{"unit":"etat-civil","title":"` + strings.Repeat("x", 1<<20-64) + `"}`)
		tg.resetPeak()
		base := tg.peakKB()
		const n = 100
		statuses := make(chan int, n)
		start := time.Now()
		for range n {
			go func() {
				req, _ := http.NewRequest("POST", tg.base+"/api/v1/processings", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+editor)
				resp, err := tg.http.Do(req)
				if err != nil {
					statuses <- -1
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				statuses <- resp.StatusCode
			}()
		}
		count := map[int]int{}
		for range n {
			count[<-statuses]++
		}
		grew := tg.peakKB() - base
		t.Logf("%d concurrent 1 MiB bodies: %v in %v, peak +%d kB", n, count, time.Since(start).Round(time.Millisecond), grew)
		for s := range count {
			if s != 422 && s != 503 {
				t.Errorf("got status %d, want 422 (too long a title) or 503 (body budget spent)", s)
			}
		}
		if grew >= peakBudgetKB {
			t.Errorf("the peak memory grew by %d kB, want < %d", grew, peakBudgetKB)
		}
		tg.wroteNothing(before)
	})
}
