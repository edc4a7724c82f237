package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// seedTrail makes ten audit entries through the domain.
func seedTrail(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "geneve", Name: "Ville de Genève"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(ctx, admin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		if _, err := svc.CreateProcessing(ctx, admin, "geneve", register.Fields{Unit: "etat-civil", Title: fmt.Sprintf("Traitement %d", i), Purpose: "But."}); err != nil {
			t.Fatal(err)
		}
	}
}

func auditCmd(t *testing.T, dsn string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
	err := run(context.Background(), append([]string{"audit"}, args...), getenv, nil, &out, io.Discard)
	return out.String(), err
}

func TestAuditTamperDetected(t *testing.T) {
	tests := []struct {
		name     string
		sql      []string // {{.}} is replaced by nothing; statements run in order
		firstBad string
	}{
		{"Altered", []string{"UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"}, "seq 5"},
		{"AlteredTime", []string{"UPDATE audit_log SET target = 'processing/x' WHERE seq = 7"}, "seq 7"},
		{"Deleted", []string{"DELETE FROM audit_log WHERE seq = 4"}, "seq 5"},
		{"DeletedLast", []string{"DELETE FROM audit_log WHERE seq = 10"}, ""}, // only a saved head can tell
		{"Reordered", []string{
			"UPDATE audit_log SET seq = 100 WHERE seq = 3",
			"UPDATE audit_log SET seq = 3 WHERE seq = 6",
			"UPDATE audit_log SET seq = 6 WHERE seq = 100"}, "seq 3"},
		{"Inserted", []string{
			"UPDATE audit_log SET seq = seq + 100 WHERE seq > 5",
			"UPDATE audit_log SET seq = seq - 99 WHERE seq > 100",
			"INSERT INTO audit_log (seq, at, actor, role, organisation, action, target, version, comment, hash, prev_hash) " +
				"SELECT 6, at, 'mallory', role, organisation, 'delete', target, version, '', hash, hash FROM audit_log WHERE seq = 5"}, "seq 6"},
	}
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				dsn := dbtest.DSNs()[kind](t)
				db := dbtest.Open(t, dsn)
				seedTrail(t, db)
				head, err := auditCmd(t, dsn, "head")
				if err != nil || !strings.HasPrefix(head, "10:") {
					t.Fatalf("audit head: got %q, %v", head, err)
				}
				if out, err := auditCmd(t, dsn, "verify"); err != nil || !strings.HasPrefix(out, "ok: 10 entries") {
					t.Fatalf("before tampering: got %q, %v", out, err)
				}
				for _, q := range tt.sql {
					if _, err := db.Bun().ExecContext(context.Background(), q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				out, err := auditCmd(t, dsn, "verify")
				if tt.firstBad == "" {
					if err != nil {
						t.Fatalf("truncation without a saved head: got %q, %v, want ok", out, err)
					}
				} else {
					var code exitCode
					if !errors.As(err, &code) || code != 1 {
						t.Fatalf("got %v, want exit status 1", err)
					}
					if !strings.Contains(out, "first bad entry is "+tt.firstBad) {
						t.Fatalf("got %q, want the first bad entry %s", out, tt.firstBad)
					}
				}
				// Against the saved head, every tampering is caught.
				if out, err := auditCmd(t, dsn, "verify", "--head", strings.TrimSpace(head)); err == nil {
					t.Fatalf("with saved head: got %q, want failure", out)
				}
			})
		}
	})
}

// A consistent rewrite of the whole table (every hash recomputed) passes a
// plain verification but not one against a head saved before.
func TestAuditConsistentRewriteCaughtByHead(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		ctx := context.Background()
		db := dbtest.Open(t, dsn)
		seedTrail(t, db)
		head, _ := auditCmd(t, dsn, "head")
		head = strings.TrimSpace(head)

		// Rewrite: change entry 3's actor and re-chain everything after it.
		var entries []register.AuditEntry
		if err := db.Store().ScanAudit(ctx, func(e register.AuditEntry) bool { entries = append(entries, e); return true }); err != nil {
			t.Fatal(err)
		}
		var prev *register.AuditEntry
		for i := range entries {
			e := &entries[i]
			if e.Seq == 3 {
				e.Actor = "mallory"
			}
			at := e.At
			e.Chain(prev)
			e.At = at.UTC().Truncate(time.Microsecond)
			e.Hash = e.ComputeHash()
			prev = e
			if _, err := db.Bun().NewRaw("UPDATE audit_log SET actor = ?, hash = ?, prev_hash = ? WHERE seq = ?", e.Actor, e.Hash, e.PrevHash, e.Seq).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if out, err := auditCmd(t, dsn, "verify"); err != nil {
			t.Fatalf("consistent rewrite should pass a plain check: %q %v", out, err)
		}
		out, err := auditCmd(t, dsn, "verify", "--head", head)
		if err == nil || !strings.Contains(out, "first bad entry is seq 10") {
			t.Fatalf("against the saved head: got %q, %v, want failure at seq 10", out, err)
		}
		// An untouched trail extends its saved head.
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
		res, err := svc.VerifyAudit(ctx, nil, "")
		if err != nil || !res.OK {
			t.Fatal(res, err)
		}
		newHead := register.FormatHead(res.Entries, res.Head)
		seedTrailMore(t, db)
		if out, err := auditCmd(t, dsn, "verify", "--head", newHead); err != nil {
			t.Fatalf("a longer trail through the saved head: got %q, %v", out, err)
		}
	})
}

func seedTrailMore(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	if _, err := svc.CreateProcessing(context.Background(), admin, "geneve", register.Fields{Unit: "etat-civil", Title: "Encore un", Purpose: "But."}); err != nil {
		t.Fatal(err)
	}
}
