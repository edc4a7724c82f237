package main

// Heavy authenticated reads (docs/security.md, "Heavy authenticated reads"
// and "What each role can learn from the audit trail"): the findings of a
// large register are paged, the auditor's report is bounded in time and
// memory and never takes the public documents' render slots, and the audit
// trail tells a dpo nothing of other organisations.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
)

// readsDrafts is how many drafts the heavy-read tests create: enough that
// the report, before it was bounded, took several seconds and all the
// render slots; few enough to import in seconds on both databases.
const readsDrafts = 4000

// reportGrowthKB is the documented bound (docs/security.md) on how much a
// report request may raise the server's peak resident memory, whatever
// the size of the register.
const reportGrowthKB = 48 << 10

// findingsGrowthKB bounds the same for a page of findings.
const findingsGrowthKB = 32 << 10

// importDrafts creates n drafts in org's unit etat-civil through the CSV
// import (all rows in one transaction per file of at most 2,000 rows),
// each missing most required items.
func (tg *target) importDrafts(org string, n int) {
	tg.t.Helper()
	dpo := tg.token(auth.RoleDPO, org)
	for done := 0; done < n; {
		rows := min(2000, n-done)
		var b strings.Builder
		b.WriteString("Nom du traitement;Finalité(s)\n")
		for i := range rows {
			fmt.Fprintf(&b, "Brouillon %d;Finalité du brouillon %d\n", done+i, done+i)
		}
		resp, body := tg.send(request{method: "POST", path: "/api/v1/import?unit=etat-civil", body: strings.NewReader(b.String()),
			header: map[string]string{"Authorization": "Bearer " + dpo, "Content-Type": "text/csv"}})
		if resp.StatusCode != http.StatusCreated {
			tg.t.Fatalf("import: got %d %s", resp.StatusCode, truncate(body, 300))
		}
		done += rows
	}
}

// findingsPage is the answer of GET /api/v1/compliance.
type findingsPage struct {
	Items []struct {
		ProcessingID string `json:"processing_id"`
		Rule         string `json:"rule"`
		Severity     string `json:"severity"`
	} `json:"items"`
	Summary struct {
		Processings int            `json:"processings"`
		Complete    int            `json:"complete"`
		BySeverity  map[string]int `json:"by_severity"`
	} `json:"summary"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// TestAttackHeavyReads: with thousands of drafts, GET /api/v1/compliance
// answers one page at a time with the right totals and the whole
// organisation's summary, refuses per_page over 200 as the other lists do,
// and the report's time and memory stay bounded while public documents are
// still served beside concurrent reports.
func TestAttackHeavyReads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		pub := tg.seed("ville-a")
		tg.seed("ville-b")
		start := time.Now()
		tg.importDrafts("ville-a", readsDrafts)
		t.Logf("%s: %d drafts imported in %v", tg.kind, readsDrafts, time.Since(start).Round(time.Millisecond))
		auditor := tg.token(auth.RoleAuditor, "ville-a")
		before := tg.auditEntries()

		t.Run("FindingsPaged", func(t *testing.T) {
			tg := tg.under(t)
			get := func(query string) (findingsPage, int) {
				t.Helper()
				resp, body := tg.send(request{method: "GET", path: "/api/v1/compliance" + query, header: map[string]string{"Authorization": "Bearer " + auditor}})
				if resp.StatusCode != 200 {
					t.Fatalf("GET /api/v1/compliance%s: got %d %s", query, resp.StatusCode, truncate(body, 300))
				}
				var p findingsPage
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatal(err)
				}
				return p, len(body)
			}
			tg.resetPeak()
			rss := tg.rssKB()
			start := time.Now()
			first, size := get("?per_page=200")
			t.Logf("%s: a page of 200 findings of %d: %d bytes in %v, peak memory +%d kB",
				tg.kind, first.Total, size, time.Since(start).Round(time.Millisecond), tg.peakKB()-rss)
			if growth := tg.peakKB() - rss; growth > findingsGrowthKB {
				t.Errorf("a page of findings raised peak memory by %d kB, want at most %d kB", growth, findingsGrowthKB)
			}
			// One published processing (complete) and the drafts.
			s := first.Summary
			if s.Processings != readsDrafts+1 || s.Complete != 1 || s.BySeverity["error"]+s.BySeverity["warning"] != first.Total {
				t.Fatalf("summary: got %+v for %d findings, want %d processings, 1 complete, counts adding up to the total", s, first.Total, readsDrafts+1)
			}
			if first.Total < readsDrafts*5 || len(first.Items) != 200 || first.Page != 1 || first.PerPage != 200 || size > 128<<10 {
				t.Fatalf("first page: got %d items of %d (page %d, per_page %d, %d bytes)", len(first.Items), first.Total, first.Page, first.PerPage, size)
			}
			lastPage := (first.Total + 199) / 200
			last, _ := get(fmt.Sprintf("?per_page=200&page=%d", lastPage))
			if want := first.Total - (lastPage-1)*200; len(last.Items) != want || last.Total != first.Total || last.Summary.Processings != s.Processings {
				t.Fatalf("last page %d: got %d items of %d, want %d of %d and the same summary", lastPage, len(last.Items), last.Total, want, first.Total)
			}
			if last.Items[len(last.Items)-1].ProcessingID <= first.Items[0].ProcessingID {
				t.Errorf("findings are not in processing order across pages")
			}
			past, _ := get(fmt.Sprintf("?per_page=200&page=%d", lastPage+1))
			if len(past.Items) != 0 || past.Total != first.Total {
				t.Fatalf("past the last page: got %d items of %d", len(past.Items), past.Total)
			}
			// Pages do not overlap: page 2 of 100 is the second half of page 1 of 200.
			second, _ := get("?per_page=100&page=2")
			for i, f := range second.Items {
				if f != first.Items[100+i] {
					t.Fatalf("page 2 of 100, item %d: got %+v, want %+v", i, f, first.Items[100+i])
				}
			}
			for _, tt := range []struct {
				name, query string
				status      int
				field       string
			}{
				{"PerPageOverMax", "?per_page=201", 422, "per_page"},
				{"PerPageHuge", "?per_page=100000000", 422, "per_page"},
				{"PageZero", "?page=0", 422, "page"},
				{"PageNotANumber", "?page=all", 400, "page"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					tg := tg.under(t)
					resp, body := tg.send(request{method: "GET", path: "/api/v1/compliance" + tt.query, header: map[string]string{"Authorization": "Bearer " + auditor}})
					p := problemOf(t, resp, body, tt.status)
					if !strings.Contains(string(body), `"field":"`+tt.field+`"`) {
						t.Errorf("problem %v: want an error on %s", p, tt.field)
					}
				})
			}
		})

		t.Run("ReportBounded", func(t *testing.T) {
			tg := tg.under(t)
			tg.resetPeak()
			rss := tg.rssKB()
			start := time.Now()
			resp, body := tg.send(request{method: "GET", path: "/api/v1/compliance/report.pdf?lang=en", header: map[string]string{"Authorization": "Bearer " + auditor}})
			took := time.Since(start)
			if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
				t.Fatalf("report: got %d %s", resp.StatusCode, truncate(body, 300))
			}
			growth := tg.peakKB() - rss
			t.Logf("%s: report of %d processings: %d bytes in %v, peak memory +%d kB", tg.kind, readsDrafts+1, len(body), took.Round(time.Millisecond), growth)
			if growth > reportGrowthKB {
				t.Errorf("a report raised peak memory by %d kB, want at most %d kB", growth, reportGrowthKB)
			}
			text := pdfWords(t, body)
			if want := fmt.Sprintf("and %d more processing(s)", readsDrafts+1-register.MaxReportProcessings); !strings.Contains(text, want) {
				t.Errorf("report: got no %q", want)
			}
			if strings.Contains(text, "Chain head") || !strings.Contains(text, "Chain intact: the whole audit trail was verified.") {
				t.Errorf("an auditor's report: want the chain's verdict without its head")
			}
		})

		t.Run("PublicServedBesideReports", func(t *testing.T) {
			tg := tg.under(t)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var mu sync.Mutex
			statuses := map[int]int{}
			var slowest time.Duration
			tg.resetPeak()
			rss := tg.rssKB()
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := &http.Client{Timeout: time.Minute}
					for {
						select {
						case <-stop:
							return
						default:
						}
						req, _ := http.NewRequest("GET", tg.base+"/api/v1/compliance/report.pdf", nil)
						req.Header.Set("Authorization", "Bearer "+auditor)
						start := time.Now()
						resp, err := c.Do(req)
						if err != nil {
							t.Errorf("report: %v", err)
							return
						}
						var b bytes.Buffer
						_, _ = b.ReadFrom(resp.Body)
						resp.Body.Close()
						if resp.StatusCode == 429 && resp.Header.Get("Retry-After") == "" {
							t.Errorf("report 429 without Retry-After")
						}
						mu.Lock()
						statuses[resp.StatusCode]++
						if d := time.Since(start); resp.StatusCode == 200 && d > slowest {
							slowest = d
						}
						mu.Unlock()
					}
				}()
			}
			// Once one report is answered, the others are being read or
			// drawn: the public documents are asked for while they are.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
				mu.Lock()
				n := len(statuses)
				mu.Unlock()
				if n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no report answered in a minute")
				}
			}
			paths := []string{
				"/public/v1/processings/" + pub + "/notice.pdf?lang=fr",
				"/public/v1/processings/" + pub + "/notice.pdf?lang=en",
				"/public/v1/organisations/ville-a/register.pdf?lang=fr",
				"/public/v1/organisations/ville-a/register.pdf?lang=en",
				"/public/v1/organisations/ville-b/register.pdf?lang=fr",
			}
			for _, path := range paths { // each drawn afresh: not cached yet
				start := time.Now()
				resp, body := tg.send(request{method: "GET", path: path})
				if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
					t.Errorf("GET %s beside reports: got %d %s", path, resp.StatusCode, truncate(body, 200))
				}
				t.Logf("%s: %s beside 4 report clients: %v", tg.kind, path, time.Since(start).Round(time.Millisecond))
			}
			time.Sleep(time.Second)
			close(stop)
			wg.Wait()
			growth := tg.peakKB() - rss
			t.Logf("%s: reports beside the public documents: statuses %v, slowest report %v, peak memory +%d kB",
				tg.kind, statuses, slowest.Round(time.Millisecond), growth)
			if statuses[200] == 0 || len(statuses) > 2 || (len(statuses) == 2 && statuses[429] == 0) {
				t.Errorf("reports: got statuses %v, want 200 (and 429 when busy) only", statuses)
			}
			if growth > reportGrowthKB {
				t.Errorf("concurrent reports raised peak memory by %d kB, want at most %d kB (reports take turns)", growth, reportGrowthKB)
			}
		})
		tg.wroteNothing(before)
	})
}

// under is the target seen from subtest t: its failures are t's.
func (tg *target) under(t *testing.T) *target {
	c := *tg
	c.t = t
	return &c
}

// pdfWords is the text of a PDF, its whitespace folded.
func pdfWords(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestAttackAuditCrossOrganisation: a dpo or an auditor learns whether the
// whole chain verifies and reads their organisation's entries, with no seq
// and no prev_hash whose gaps would count other organisations' changes;
// the chain's length and head, and checking it against a saved head, are
// the admin's.
func TestAttackAuditCrossOrganisation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		idA := tg.seed("ville-a")
		tg.seed("ville-b")
		// Interleaved activity: ville-b writes between ville-a's entries.
		dpoA, dpoB := tg.token(auth.RoleDPO, "ville-a"), tg.token(auth.RoleDPO, "ville-b")
		for i := range 3 {
			tg.must(201, "POST", "/api/v1/processings", dpoA, map[string]any{"unit": "etat-civil", "title": fmt.Sprintf("A %d", i), "purpose": "x"})
			tg.must(201, "POST", "/api/v1/processings", dpoB, map[string]any{"unit": "etat-civil", "title": fmt.Sprintf("B %d", i), "purpose": "x"})
			tg.must(201, "POST", "/api/v1/processings", dpoB, map[string]any{"unit": "etat-civil", "title": fmt.Sprintf("B' %d", i), "purpose": "x"})
		}
		before := tg.auditEntries()

		var admin map[string]any
		if err := json.Unmarshal(tg.must(200, "GET", "/api/v1/audit/verify", tg.admin(), nil), &admin); err != nil {
			t.Fatal(err)
		}
		if admin["ok"] != true || admin["entries"] != float64(before) || len(fmt.Sprint(admin["head"])) != 64 {
			t.Fatalf("admin verify: got %v, want ok, %d entries and the head", admin, before)
		}
		head := fmt.Sprintf("%d:%s", before, admin["head"])

		for _, tok := range []string{dpoA, tg.token(auth.RoleAuditor, "ville-a")} {
			resp, body := tg.send(request{method: "GET", path: "/api/v1/audit/verify", header: map[string]string{"Authorization": "Bearer " + tok}})
			if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"ok":true}` {
				t.Fatalf("dpo or auditor verify: got %d %s, want {\"ok\":true} only", resp.StatusCode, body)
			}
			// A saved head would let them probe the global seq of their
			// own entries.
			resp, body = tg.send(request{method: "GET", path: "/api/v1/audit/verify?head=" + head, header: map[string]string{"Authorization": "Bearer " + tok}})
			problemOf(t, resp, body, 403)
			for _, path := range []string{"/api/v1/audit?per_page=200", "/api/v1/audit?org=ville-b", "/api/v1/audit?target=processing/" + idA, "/api/v1/processings/" + idA + "/history"} {
				resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Authorization": "Bearer " + tok}})
				if resp.StatusCode != 200 {
					t.Fatalf("GET %s: got %d %s", path, resp.StatusCode, truncate(body, 300))
				}
				var page struct {
					Items []map[string]any `json:"items"`
					Total int              `json:"total"`
				}
				if err := json.Unmarshal(body, &page); err != nil {
					t.Fatal(err)
				}
				if len(page.Items) == 0 {
					t.Fatalf("GET %s: no entries", path)
				}
				for _, it := range page.Items {
					for _, k := range []string{"seq", "prev_hash"} {
						if _, ok := it[k]; ok {
							t.Fatalf("GET %s: got %s in %v, which counts other organisations' changes", path, k, it)
						}
					}
					if it["organisation"] != "ville-a" || len(fmt.Sprint(it["hash"])) != 64 {
						t.Fatalf("GET %s: got %v, want ville-a's entries with their hash", path, it)
					}
				}
				// ville-a: organisation, 2 units, create, submit, publish, 3 creates.
				if strings.HasPrefix(path, "/api/v1/audit?") && !strings.Contains(path, "target") && page.Total != 9 {
					t.Errorf("GET %s: got %d entries, want ville-a's 9", path, page.Total)
				}
			}
		}

		// The admin sees the chain: seq and prev_hash link each entry to
		// the one before, whatever its organisation.
		var all struct {
			Items []struct {
				Seq          int64  `json:"seq"`
				Hash         string `json:"hash"`
				PrevHash     string `json:"prev_hash"`
				Organisation string `json:"organisation"`
			} `json:"items"`
		}
		if err := json.Unmarshal(tg.must(200, "GET", "/api/v1/audit?per_page=200", tg.admin(), nil), &all); err != nil {
			t.Fatal(err)
		}
		if len(all.Items) != before || all.Items[0].Seq != int64(before) {
			t.Fatalf("admin audit: got %d entries, newest seq %d; want %d", len(all.Items), all.Items[0].Seq, before)
		}
		for i, e := range all.Items[:len(all.Items)-1] {
			if next := all.Items[i+1]; e.Seq != next.Seq+1 || e.PrevHash != next.Hash {
				t.Fatalf("admin audit: %+v does not follow %+v", e, next)
			}
		}
		var check map[string]any
		if err := json.Unmarshal(tg.must(200, "GET", "/api/v1/audit/verify?head="+head, tg.admin(), nil), &check); err != nil {
			t.Fatal(err)
		}
		if check["ok"] != true || check["expected_head_found"] != true {
			t.Fatalf("admin verify against the saved head: got %v", check)
		}
		tg.wroteNothing(before)
	})
}
