package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
	"github.com/registre/registre/translog"
)

// logSite is a service with a transparency log, served on 127.0.0.1.
type logSite struct {
	t    *testing.T
	dsn  string
	db   *sqlstore.DB
	tl   *sqlstore.TransLog
	svc  *register.Service
	base string
	dir  string
}

var verifyAdmin = &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}

func startLogSite(t *testing.T, dsn string) *logSite {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, dsn)
	tl := db.TransLog()
	if _, err := tl.Setup(ctx, "registre.test/log", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	svc := register.NewService(db.Store(), register.WithPublicLog(tl))
	if _, err := svc.CreateOrganisation(ctx, verifyAdmin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@example.ch"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(ctx, verifyAdmin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: server.New(server.Config{Service: svc, Log: tl, Logger: slog.New(slog.DiscardHandler)}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return &logSite{t: t, dsn: dsn, db: db, tl: tl, svc: svc, base: "http://" + ln.Addr().String(), dir: t.TempDir()}
}

func (s *logSite) publish(title string) string {
	s.t.Helper()
	ctx := context.Background()
	f := register.Fields{Unit: "etat-civil", Title: title, Purpose: "Tenir le registre.",
		PublicSummary: "Nous enregistrons les naissances.", Controller: register.Party{Name: "État civil", Contact: "ec@example.ch"},
		LegalBases:   []register.LegalBasis{{Type: register.BasisLaw, Reference: "OEC"}},
		DataSubjects: []string{"parents"}, DataCategories: []register.DataCategory{{Name: "identité"}},
		Recipients:       []register.Recipient{{Name: "OFS", Type: register.RecipientPublicBody}},
		Retention:        register.Retention{Period: "P10Y"},
		SecurityMeasures: []register.SecurityMeasure{{Category: register.SecBackup}}}
	p, err := s.svc.CreateProcessing(ctx, verifyAdmin, "geneve", f)
	if err != nil {
		s.t.Fatal(err)
	}
	for _, step := range []register.Step{register.StepSubmit, register.StepPublish} {
		if _, err := s.svc.Transition(ctx, verifyAdmin, p.ID, step, nil, ""); err != nil {
			s.t.Fatalf("%s: %v", step, err)
		}
	}
	return p.ID
}

// save GETs path from the service into a file of the test's directory, as
// a person saving the page would, and returns the file's path.
func (s *logSite) save(path, name string) string {
	s.t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return s.write(name, b)
}

func (s *logSite) write(name string, b []byte) string {
	s.t.Helper()
	p := filepath.Join(s.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		s.t.Fatal(err)
	}
	return p
}

// verify runs `registre verify args...` and returns its exit status and
// what it printed.
func runVerifyCmd(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"verify"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	var code exitCode
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &code):
		return int(code), out.String() + errOut.String()
	}
	t.Fatalf("verify: %v", err)
	return -1, ""
}

// rewrite replaces the whole log by records, hashing them afresh, as an
// operator with database access and the signing key could: the service
// then signs checkpoints of the rewritten tree.
func (s *logSite) rewrite(records [][]byte) {
	s.t.Helper()
	ctx := context.Background()
	bdb := s.db.Bun()
	if _, err := bdb.ExecContext(ctx, "DELETE FROM translog_records"); err != nil {
		s.t.Fatal(err)
	}
	var stored []tlog.Hash
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	for n, text := range records {
		hs, err := tlog.StoredHashes(int64(n), text, r)
		if err != nil {
			s.t.Fatal(err)
		}
		stored = append(stored, hs...)
		root, err := tlog.TreeHash(int64(n+1), r)
		if err != nil {
			s.t.Fatal(err)
		}
		var blob []byte
		for _, h := range hs {
			blob = append(blob, h[:]...)
		}
		rec, err := translog.ParseRecord(text)
		if err != nil {
			s.t.Fatal(err)
		}
		if _, err := bdb.NewRaw("INSERT INTO translog_records (idx, organisation, processing_id, version, event, at, sha256, record, hashes, root, frontier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n, rec.Organisation, rec.ProcessingID, rec.Version, rec.Event, rec.Time, hex.EncodeToString(rec.SHA256[:]), string(text), blob, root[:], []byte{}).Exec(ctx); err != nil {
			s.t.Fatal(err)
		}
	}
}

func (s *logSite) records() [][]byte {
	s.t.Helper()
	head, err := s.tl.Head(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	var out [][]byte
	for i := range head.Size {
		text, err := s.tl.RecordText(context.Background(), i)
		if err != nil {
			s.t.Fatal(err)
		}
		out = append(out, text)
	}
	return out
}

// TestVerifyPublishedJSON: `registre verify` online and offline says a
// published JSON was published as is (exit 0), a modified one that it was
// not (exit 1), and that the log still extends a checkpoint kept earlier.
func TestVerifyPublishedJSON(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, _ dbtest.Kind, dsn string) {
		s := startLogSite(t, dsn)
		id := s.publish("Registre des naissances")
		old := s.save("/public/v1/log/checkpoint", "old.checkpoint")
		s.publish("Registre des décès")
		doc := s.save("/public/v1/processings/"+id, "processing.json")
		keys := s.save("/public/v1/log/keys", "keys.txt")
		body, _ := os.ReadFile(doc)
		sum := translog.Fingerprint(translog.TrimServed(body))
		proof := s.save("/public/v1/log/inclusion?processing="+id+"&sha256="+hex.EncodeToString(sum[:]), "proof.json")
		cons := s.save("/public/v1/log/consistency?from=1", "consistency.json")
		_, otherKey, err := translog.NewKey("registre.test/log/k1")
		if err != nil {
			t.Fatal(err)
		}
		otherKeys := s.write("other.txt", []byte(otherKey+"\n"))
		changed := s.write("changed.json", bytes.Replace(body, []byte("naissances"), []byte("naissanceS"), 1))
		tests := []struct {
			name string
			args []string
			want int
			says string
		}{
			{"OnlinePublished", []string{"--url", s.base, doc}, 0, "PUBLISHED as is: record 0"},
			{"OnlinePinnedKeysSince", []string{doc, "--url", s.base, "--keys", keys, "--since", old}, 0, "CONSISTENT"},
			{"OnlineSinceOnly", []string{"--url", s.base, "--since", old}, 0, "CONSISTENT"},
			{"OnlineModified", []string{"--url", s.base, changed}, 1, "NOT PUBLISHED"},
			{"OfflinePublished", []string{"--keys", keys, "--proof", proof, doc}, 0, "PUBLISHED as is"},
			{"OfflineSince", []string{"--keys", keys, "--proof", proof, "--since", old, "--consistency", cons, doc}, 0, "CONSISTENT"},
			{"OfflineModified", []string{"--keys", keys, "--proof", proof, changed}, 1, "NOT PUBLISHED"},
			{"OfflineWithoutKeys", []string{"--proof", proof, doc}, 2, "--keys is required"},
			{"OfflineWrongKeys", []string{"--keys", otherKeys, "--proof", proof, doc}, 3, "TAMPERED"},
			{"NoArguments", nil, 2, "usage"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, out := runVerifyCmd(t, tt.args...)
				if got != tt.want || !strings.Contains(out, tt.says) {
					t.Fatalf("got exit %d, %q; want %d, %q", got, out, tt.want, tt.says)
				}
			})
		}
	})
}

// TestVerifyCatchesTamperedLog: against a checkpoint kept earlier, verify
// catches a removed record and a rewrite that the service re-signed with
// its own key (exit 3), and the published JSON of a rewritten record is
// reported as not in the log (exit 1). A record changed in place without
// rehashing leaves the tree as it was (the kept checkpoint still matches),
// and its inclusion proof fails (exit 3).
func TestVerifyCatchesTamperedLog(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(s *logSite, recs [][]byte)
		since  int // exit status of checking the kept checkpoint
		json   int // exit status of verifying the first JSON
	}{
		{"ChangedRecordInPlace", func(s *logSite, recs [][]byte) {
			changed := bytes.Replace(recs[0], []byte("version 1"), []byte("version 7"), 1)
			if _, err := s.db.Bun().NewRaw("UPDATE translog_records SET record = ? WHERE idx = 0", string(changed)).Exec(context.Background()); err != nil {
				s.t.Fatal(err)
			}
		}, 0, 3},
		{"ResignedRewrite", func(s *logSite, recs [][]byte) {
			rec, _ := translog.ParseRecord(recs[0])
			rec.SHA256[0] ^= 0xff // another JSON claimed as published
			text, _ := rec.Marshal()
			s.rewrite(append([][]byte{text}, recs[1:]...))
		}, 3, 1},
		{"RemovedRecord", func(s *logSite, recs [][]byte) {
			s.rewrite(recs[1:])
		}, 3, 1},
		{"RemovedLastRecord", func(s *logSite, recs [][]byte) {
			s.rewrite(recs[:len(recs)-1])
		}, 3, 0},
	}
	for _, kind := range []dbtest.Kind{dbtest.SQLite, dbtest.Postgres} {
		for _, tt := range tests {
			t.Run(string(kind)+"/"+tt.name, func(t *testing.T) {
				s := startLogSite(t, dbtest.DSNs()[kind](t))
				id := s.publish("Registre des naissances")
				s.publish("Registre des décès")
				s.publish("Registre des mariages")
				old := s.save("/public/v1/log/checkpoint", "old.checkpoint")
				keys := s.save("/public/v1/log/keys", "keys.txt")
				doc := s.save("/public/v1/processings/"+id, "processing.json")
				if got, out := runVerifyCmd(t, "--url", s.base, "--keys", keys, "--since", old, doc); got != 0 {
					t.Fatalf("before tampering: exit %d, %s", got, out)
				}
				tt.tamper(s, s.records())
				if got, out := runVerifyCmd(t, "--url", s.base, "--keys", keys, "--since", old); got != tt.since {
					t.Fatalf("consistency after tampering: got exit %d, %q; want %d", got, out, tt.since)
				}
				if got, out := runVerifyCmd(t, "--url", s.base, "--keys", keys, doc); got != tt.json {
					t.Fatalf("the JSON after tampering: got exit %d, %q; want %d", got, out, tt.json)
				}
			})
		}
	}
}

// TestLogHeadCommand: `registre log head` prints the checkpoint that the
// published keys verify, for witnesses to keep.
func TestLogHeadCommand(t *testing.T) {
	dsn := dbtest.SQLiteDSN(t)
	s := startLogSite(t, dsn)
	s.publish("Registre des naissances")
	getenv := func(k string) string {
		return map[string]string{"REGISTRE_DB": dsn, "REGISTRE_LOG_ORIGIN": "ignored.after/first-start"}[k]
	}
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"log", "head"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("log head: %v %s", err, errOut.String())
	}
	keys, err := s.tl.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := translog.Verifiers(keys)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := translog.OpenCheckpoint(out.Bytes(), "registre.test/log", vs)
	if err != nil {
		t.Fatalf("log head printed %q: %v", out.String(), err)
	}
	if cp.Size != 1 {
		t.Fatalf("got size %d, want 1", cp.Size)
	}
}
