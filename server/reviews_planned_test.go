package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
	"github.com/registre/registre/translog"
)

// movableClock is a clock a test moves; the service reads it in every use
// case.
type movableClock struct{ t atomic.Pointer[time.Time] }

func (c *movableClock) now() time.Time  { return *c.t.Load() }
func (c *movableClock) set(t time.Time) { c.t.Store(&t) }
func zurichTime(s string) time.Time {
	loc, _ := time.LoadLocation("Europe/Zurich")
	t, _ := time.ParseInLocation("2006-01-02 15:04", s, loc)
	return t
}

// A processing published with a planned start is planned on every public
// surface (JSON, list, CSV, feed, page, PDF notice and register) until that day in
// Zurich, and active from its first minute, with no write in between: the
// state is decided when read, and no kept byte (cached page, notice, ETag)
// hides the change. The served JSON still proves against the transparency
// log once its state member is trimmed.
func TestPlannedProcessingIsPlannedEverywhereUntilItsStartDay(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		clk := &movableClock{}
		clk.set(zurichTime("2027-01-09 12:00"))
		tl := db.TransLog()
		if _, err := tl.Setup(context.Background(), "registre.test/log", "", time.Now()); err != nil {
			t.Fatal(err)
		}
		e := apitest.Start(t, db, func(c *server.Config) {
			c.Service = register.NewService(db.Store(), register.WithPublicLog(tl), register.WithClock(clk.now))
			c.Log = tl
		})
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		body := apitest.Complete("etat-civil", "Vidéosurveillance du parc")
		body["planned_start"] = "2027-01-10"
		id := e.Must(201, "POST", "/api/v1/processings", dpo, body).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
		other := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre des chiens")).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+other+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+other+"/publish", dpo, nil)
		e.Must(422, "POST", "/api/v1/processings", dpo, map[string]any{"unit": "etat-civil", "title": "Mauvaise date", "purpose": "x", "planned_start": "10.01.2027"})

		surfaces := func(state string) (etag string) {
			t.Helper()
			r := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
			var one map[string]any
			r.JSON(t, &one)
			if one["state"] != state || one["planned_start"] != "2027-01-10" {
				t.Errorf("JSON: got state %v, want %s", one["state"], state)
			}
			// The body proves against the log once trimmed.
			rec := e.Must(200, "GET", "/public/v1/log/records/0", "", nil).Map(t)
			sum := sha256.Sum256(translog.TrimServed(r.Body))
			if rec["sha256"] != hex.EncodeToString(sum[:]) {
				t.Errorf("the served JSON, trimmed, is not what the log fingerprinted")
			}
			var list struct {
				Items []map[string]any `json:"items"`
			}
			e.Must(200, "GET", "/public/v1/processings?org=geneve", "", nil).JSON(t, &list)
			for _, it := range list.Items {
				want := any(nil) // published without a planned start: no state member
				if it["id"] == id {
					want = state
				}
				if it["state"] != want {
					t.Errorf("list item %v: state %v, want %v", it["title"], it["state"], want)
				}
			}
			rows, err := csv.NewReader(strings.NewReader(string(e.Must(200, "GET", "/public/v1/processings.csv?org=geneve", "", nil).Body))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i
			}
			for _, row := range rows[1:] {
				want := "active"
				if row[col["id"]] == id {
					want = state
				}
				if row[col["state"]] != want {
					t.Errorf("CSV %s: state %q, want %q", row[col["title"]], row[col["state"]], want)
				}
			}
			feed := string(e.Must(200, "GET", "/public/v1/feed.atom?org=geneve&lang=fr", "", nil).Body)
			page := string(e.Must(200, "GET", "/processings/"+id+"?lang=fr", "", nil).Body)
			orgPage := string(e.Must(200, "GET", "/organisations/geneve?lang=fr", "", nil).Body)
			notice := pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang=fr", "", nil).Body)
			// The organisation's register marks it in its contents (first,
			// with the start day) and in its section, as the notice does;
			// the other processing is not marked.
			reg := pdfText(t, e.Must(200, "GET", "/public/v1/organisations/geneve/register.pdf?lang=fr", "", nil).Body)
			regEN := pdfText(t, e.Must(200, "GET", "/public/v1/organisations/geneve/register.pdf?lang=en", "", nil).Body)
			flat := strings.Join(strings.Fields(reg), " ")
			planned := state == "planned"
			if planned && (strings.Count(reg, "PRÉVU") != 2 || !strings.Contains(flat, "[PRÉVU, dès le 10 janvier 2027] Vidéosurveillance du parc") ||
				!strings.Contains(flat, "il commencera le 10 janvier 2027") || !strings.Contains(strings.Join(strings.Fields(regEN), " "), "[PLANNED, from 10 January 2027]")) {
				t.Errorf("register PDF on the eve: want the mark in the contents and the section only:\n%s", reg)
			}
			if !planned && !strings.Contains(flat, "En vigueur depuis le 10 janvier 2027") {
				t.Errorf("register PDF from the start day: want since when:\n%s", reg)
			}
			for what, got := range map[string]bool{
				"PDF register": strings.Contains(reg, "PRÉVU") || strings.Contains(regEN, "PLANNED"),
				"feed":         strings.Contains(feed, "Vidéosurveillance du parc (Prévu)"),
				"page":         strings.Contains(page, `<strong class="tag">Prévu</strong>`) && strings.Contains(page, "il commencera le 10\u00a0janvier 2027"),
				"org page":     strings.Contains(orgPage, `<strong class="tag">Prévu</strong>`),
				"PDF notice":   strings.Contains(notice, "PRÉVU"),
			} {
				if got != planned {
					t.Errorf("%s: shows planned %v, want %v", what, got, planned)
				}
			}
			if !planned && (!strings.Contains(page, "En vigueur depuis le 10\u00a0janvier 2027") || !strings.Contains(notice, "En vigueur depuis le 10")) {
				t.Errorf("active: the page or the notice does not say since when")
			}
			return r.Header.Get("ETag")
		}
		before := surfaces("planned")
		clk.set(zurichTime("2027-01-09 23:59"))
		if got := surfaces("planned"); got != before {
			t.Errorf("ETag moved within the day: %s, %s", before, got)
		}
		// 00:01 in Zurich is still 9 January in UTC: the day is Zurich's.
		clk.set(zurichTime("2027-01-10 00:01"))
		after := surfaces("active")
		if after == before {
			t.Errorf("the ETag did not change with the state: %s", after)
		}
		e.Must(200, "GET", "/public/v1/processings/"+id, "", nil, "If-None-Match: "+before) // a planned copy is stale
		var out struct{ Items []json.RawMessage }
		e.Must(200, "GET", "/public/v1/processings?org=geneve", "", nil).JSON(t, &out)
		if len(out.Items) != 2 {
			t.Errorf("list: %d items", len(out.Items))
		}
	})
}
