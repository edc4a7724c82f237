package server_test

import (
	"context"
	"encoding/hex"
	"strings"
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

// startWithLog serves db with the transparency log wired as `registre
// serve` wires it.
func startWithLog(t *testing.T, db *sqlstore.DB) (*apitest.Env, *sqlstore.TransLog) {
	t.Helper()
	tl := db.TransLog()
	if _, err := tl.Setup(context.Background(), "registre.test/log", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	e := apitest.Start(t, db, func(c *server.Config) {
		c.Service = register.NewService(db.Store(), register.WithPublicLog(tl))
		c.Log = tl
	})
	return e, tl
}

// TestPublicLogEndpoints: the log's endpoints answer anonymous readers with
// the formats docs/transparency-log.md gives; a draft, even with secrets in
// its internal fields, adds nothing and shows nowhere.
func TestPublicLogEndpoints(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e, _ := startWithLog(t, db)
		e.Seed("geneve")
		admin := e.Token(auth.RoleAdmin, "")
		body := apitest.Complete("etat-civil", "Registre des naissances")
		body["internal_notes"] = "SENTINEL-INTERNAL"
		body["organisation"] = "geneve"
		created := e.Must(201, "POST", "/api/v1/processings", admin, body).Map(t)
		id := created["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", admin, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", admin, nil)
		draft := apitest.Complete("etat-civil", "SENTINEL-DRAFT")
		draft["organisation"] = "geneve"
		e.Must(201, "POST", "/api/v1/processings", admin, draft)

		cp := e.Must(200, "GET", "/public/v1/log/checkpoint", "", nil)
		if ct := cp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Fatalf("checkpoint content type %q", ct)
		}
		keys := e.Must(200, "GET", "/public/v1/log/keys", "", nil)
		vs, err := translog.Verifiers(translog.ParseKeys(keys.Body))
		if err != nil {
			t.Fatal(err)
		}
		c, err := translog.OpenCheckpoint(cp.Body, "registre.test/log", vs)
		if err != nil {
			t.Fatal(err)
		}
		if c.Size != 1 {
			t.Fatalf("got %d records, want 1 (the draft adds none)", c.Size)
		}
		rec := e.Must(200, "GET", "/public/v1/log/records/0", "", nil)
		var r struct {
			Record, LeafHash, SHA256, Event, ProcessingID string
		}
		m := rec.Map(t)
		r.Record, r.Event, r.ProcessingID, r.SHA256 = m["record"].(string), m["event"].(string), m["processing_id"].(string), m["sha256"].(string)
		pub := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
		sum := translog.Fingerprint(translog.TrimServed(pub.Body))
		if r.Event != "publish" || r.ProcessingID != id || r.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("record 0: %s", rec.Body)
		}
		for _, path := range []string{"/public/v1/log/inclusion?index=0", "/public/v1/log/inclusion?processing=" + id + "&sha256=" + r.SHA256,
			"/public/v1/log/inclusion?processing=" + id + "&version=1"} {
			res := e.Must(200, "GET", path, "", nil)
			var p translog.Inclusion
			res.JSON(t, &p)
			if _, err := translog.VerifyInclusion(&p, c); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		cons := e.Must(200, "GET", "/public/v1/log/consistency?from=1", "", nil)
		var cp2 translog.Consistency
		cons.JSON(t, &cp2)
		if cp2.From != 1 || cp2.To != 1 || cp2.Checkpoint == "" {
			t.Fatalf("consistency: %s", cons.Body)
		}
		for _, path := range []string{"/public/v1/log/checkpoint", "/public/v1/log/keys", "/public/v1/log/records/0",
			"/public/v1/log/inclusion?index=0", "/public/v1/log/consistency?from=0"} {
			b := string(e.Must(200, "GET", path, "", nil).Body)
			if strings.Contains(b, "SENTINEL") || strings.Contains(b, "PRIVATE") {
				t.Fatalf("%s leaks: %s", path, b)
			}
		}
	})
}

// TestPublicLogBadRequests: every malformed or impossible request gets a
// problem+json 4xx, never a 500.
func TestPublicLogBadRequests(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e, _ := startWithLog(t, db)
		tests := []struct {
			name, path string
			status     int
			field      string
		}{
			{"RecordNotANumber", "/public/v1/log/records/abc", 404, ""},
			{"RecordNegative", "/public/v1/log/records/-1", 404, ""},
			{"RecordHuge", "/public/v1/log/records/99999999999999999999", 404, ""},
			{"RecordBeyondLog", "/public/v1/log/records/5", 404, ""},
			{"InclusionNoSelector", "/public/v1/log/inclusion", 400, "index"},
			{"InclusionTwoSelectors", "/public/v1/log/inclusion?index=0&sha256=" + strings.Repeat("a", 64), 400, "index"},
			{"InclusionSHAWithoutProcessing", "/public/v1/log/inclusion?sha256=" + strings.Repeat("a", 64), 400, "index"},
			{"InclusionIndexNotANumber", "/public/v1/log/inclusion?index=x", 400, "index"},
			{"InclusionIndexHuge", "/public/v1/log/inclusion?index=9223372036854775807", 400, "index"},
			{"InclusionBadSHA", "/public/v1/log/inclusion?processing=x&sha256=zz", 400, "sha256"},
			{"InclusionUnknownSHA", "/public/v1/log/inclusion?processing=x&sha256=" + strings.Repeat("a", 64), 404, ""},
			{"InclusionBeyondLog", "/public/v1/log/inclusion?index=0", 404, ""},
			{"InclusionBadVersion", "/public/v1/log/inclusion?processing=x&version=0", 400, "version"},
			{"InclusionUnknownPublication", "/public/v1/log/inclusion?processing=x&version=1", 404, ""},
			{"ConsistencyNoFrom", "/public/v1/log/consistency", 400, "from"},
			{"ConsistencyFromBeyondLog", "/public/v1/log/consistency?from=5", 422, ""},
			{"ConsistencyToBelowFrom", "/public/v1/log/consistency?from=2&to=1", 400, "to"},
			{"ConsistencyToBeyondLog", "/public/v1/log/consistency?from=0&to=7", 404, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				checkProblem(t, e.WithT(t).Do("GET", tt.path, "", nil), tt.status, tt.field)
			})
		}
	})
}

// TestPublicLogAbsent: a server without a log answers 404 on its paths.
func TestPublicLogAbsent(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		for _, path := range []string{"/public/v1/log/checkpoint", "/public/v1/log/keys", "/public/v1/log/records/0",
			"/public/v1/log/inclusion?index=0", "/public/v1/log/consistency?from=0"} {
			checkProblem(t, e.Do("GET", path, "", nil), 404, "")
		}
	})
}
