package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
	"github.com/registre/registre/translog"
)

const testOrigin = "registre.test/log"

var logAdmin = &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}

func publishableFields(title string) register.Fields {
	return register.Fields{Unit: "etat-civil", Title: title, Purpose: "Tenir le registre.",
		PublicSummary: "Nous enregistrons les naissances.", Controller: register.Party{Name: "État civil", Contact: "ec@example.ch"},
		LegalBases:   []register.LegalBasis{{Type: register.BasisLaw, Reference: "OEC"}},
		DataSubjects: []string{"parents"}, DataCategories: []register.DataCategory{{Name: "identité"}},
		Recipients:       []register.Recipient{{Name: "OFS", Type: register.RecipientPublicBody}},
		Retention:        register.Retention{Period: "P10Y"},
		SecurityMeasures: []register.SecurityMeasure{{Category: register.SecBackup}}}
}

// logFixture is a database with the log set up and a service that appends
// to it, an organisation "geneve" and its unit "etat-civil".
func logFixture(t *testing.T, db *sqlstore.DB) (*register.Service, *sqlstore.TransLog) {
	t.Helper()
	ctx := context.Background()
	tl := db.TransLog()
	if _, err := tl.Setup(ctx, testOrigin, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	svc := register.NewService(db.Store(), register.WithPublicLog(tl))
	if _, err := svc.CreateOrganisation(ctx, logAdmin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@example.ch"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(ctx, logAdmin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
		t.Fatal(err)
	}
	return svc, tl
}

func publish(t *testing.T, svc *register.Service, id string) {
	t.Helper()
	for _, step := range []register.Step{register.StepSubmit, register.StepPublish} {
		if _, err := svc.Transition(context.Background(), logAdmin, id, step, nil, ""); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
}

func openCheckpoint(t *testing.T, tl *sqlstore.TransLog, text []byte) *translog.Checkpoint {
	t.Helper()
	keys, err := tl.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	vs, err := translog.Verifiers(keys)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := translog.OpenCheckpoint(text, testOrigin, vs)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// TestLogRecordsEachPublicEvent: publish, republish (a new version) and
// archive append one record each, holding the fingerprint of the stored
// public JSON; every inclusion proof and every consistency proof between
// two sizes verifies against the signed checkpoints.
func TestLogRecordsEachPublicEvent(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, tl := logFixture(t, db)
		var cps [][]byte // cps[n] is the checkpoint of size n
		cp0, _, err := tl.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cps = append(cps, cp0)
		keep := func() {
			cp, _, err := tl.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cps = append(cps, cp)
		}
		p, err := svc.CreateProcessing(ctx, logAdmin, "geneve", publishableFields("Registre des naissances"))
		if err != nil {
			t.Fatal(err)
		}
		publish(t, svc, p.ID)
		keep()
		first, err := db.Store().GetPublication(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		cur, err := svc.GetProcessing(ctx, logAdmin, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateProcessing(ctx, logAdmin, p.ID, cur.Revision, publishableFields("Registre des naissances (v2)")); err != nil {
			t.Fatal(err)
		}
		publish(t, svc, p.ID)
		keep()
		second, err := db.Store().GetPublication(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, logAdmin, p.ID, register.StepArchive, nil, ""); err != nil {
			t.Fatal(err)
		}
		keep()
		// A draft and a failed publication add nothing.
		d, err := svc.CreateProcessing(ctx, logAdmin, "geneve", register.Fields{Unit: "etat-civil", Title: "Incomplet", Purpose: "Rien."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, logAdmin, d.ID, register.StepSubmit, nil, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(ctx, logAdmin, d.ID, register.StepPublish, nil, ""); err == nil {
			t.Fatal("an incomplete processing was published")
		}
		head, err := tl.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if head.Size != 3 {
			t.Fatalf("got %d records, want 3 (publish, republish, archive)", head.Size)
		}
		want := []struct {
			event   string
			version int
			data    []byte
		}{{"publish", 1, first.Data}, {"publish", 2, second.Data}, {"archive", 2, second.Data}}
		last := openCheckpoint(t, tl, cps[3])
		for i, w := range want {
			inc, err := tl.Inclusion(ctx, int64(i))
			if err != nil {
				t.Fatal(err)
			}
			cp := openCheckpoint(t, tl, []byte(inc.Checkpoint))
			rec, err := translog.VerifyInclusion(inc, cp)
			if err != nil {
				t.Fatalf("record %d: %v", i, err)
			}
			if rec.Event != w.event || rec.Version != w.version || rec.ProcessingID != p.ID || rec.Organisation != "geneve" {
				t.Fatalf("record %d: got %s v%d of %s/%s, want %s v%d", i, rec.Event, rec.Version, rec.Organisation, rec.ProcessingID, w.event, w.version)
			}
			if rec.SHA256 != translog.Fingerprint(w.data) {
				t.Fatalf("record %d: the fingerprint is not the stored JSON's", i)
			}
			if cp.Size != last.Size || cp.Root != last.Root {
				t.Fatalf("record %d: proof against size %d, want %d", i, cp.Size, last.Size)
			}
		}
		idx, err := tl.FindBySHA256(ctx, p.ID, hexSum(second.Data))
		if err != nil || idx != 1 {
			t.Fatalf("find by fingerprint: got %d, %v; want 1", idx, err)
		}
		for m := range cps {
			for n := m; n < len(cps); n++ {
				older, newer := openCheckpoint(t, tl, cps[m]), openCheckpoint(t, tl, cps[n])
				proof, err := tl.Consistency(ctx, int64(m), int64(n))
				if err != nil {
					t.Fatal(err)
				}
				if err := translog.VerifyConsistency(older, newer, proof.Hashes); err != nil {
					t.Fatalf("consistency %d→%d: %v", m, n, err)
				}
				if m < n && m > 0 {
					if err := translog.VerifyConsistency(older, newer, nil); err == nil {
						t.Fatalf("consistency %d→%d verified without a proof", m, n)
					}
				}
			}
		}
	})
}

func hexSum(b []byte) string {
	s := translog.Fingerprint(b)
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 64)
	for _, c := range s {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// TestLogBackfillsEarlierPublications: publications made before the log
// existed get one publish record each at Setup, oldest first, with their
// original time and the fingerprint of their stored JSON, in transactions
// of the fill's batch (one record each here); a second Setup adds nothing.
func TestLogBackfillsEarlierPublications(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		plain := register.NewService(db.Store())
		if _, err := plain.CreateOrganisation(ctx, logAdmin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@example.ch"}); err != nil {
			t.Fatal(err)
		}
		if _, err := plain.CreateUnit(ctx, logAdmin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, title := range []string{"Registre A", "Registre B"} {
			p, err := plain.CreateProcessing(ctx, logAdmin, "geneve", publishableFields(title))
			if err != nil {
				t.Fatal(err)
			}
			publish(t, plain, p.ID)
			ids = append(ids, p.ID)
		}
		tl := db.TransLog()
		tl.SetFillBatch(1)
		n, err := tl.Setup(ctx, testOrigin, "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Fatalf("backfill appended %d records, want 2", n)
		}
		if n, err := tl.Setup(ctx, "another.origin/log", "", time.Now()); err != nil || n != 0 {
			t.Fatalf("second setup: got %d, %v; want 0, nil", n, err)
		}
		prev := int64(-1)
		for _, id := range ids {
			pub, err := db.Store().GetPublication(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			idx, err := tl.FindPublication(ctx, id, 1)
			if err != nil {
				t.Fatal(err)
			}
			if idx <= prev {
				t.Fatalf("the earlier publications are not recorded oldest first: %s at %d after %d", id, idx, prev)
			}
			prev = idx
			inc, err := tl.Inclusion(ctx, idx)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := translog.VerifyInclusion(inc, openCheckpoint(t, tl, []byte(inc.Checkpoint)))
			if err != nil {
				t.Fatal(err)
			}
			if rec.SHA256 != translog.Fingerprint(pub.Data) || !rec.Time.Equal(pub.PublishedAt) {
				t.Fatalf("backfilled record of %s: fingerprint or time differ from the publication", id)
			}
		}
	})
}

// TestLabelChangeLeavesPublishedBytes: renaming the organisation and its
// unit after publication (labels shown on pages and notices) changes
// neither the stored public JSON nor its log record.
func TestLabelChangeLeavesPublishedBytes(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, tl := logFixture(t, db)
		p, err := svc.CreateProcessing(ctx, logAdmin, "geneve", publishableFields("Registre des naissances"))
		if err != nil {
			t.Fatal(err)
		}
		publish(t, svc, p.ID)
		before, err := db.Store().GetPublication(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec0, err := tl.Record(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		org, err := svc.GetOrganisation(ctx, logAdmin, "geneve")
		if err != nil {
			t.Fatal(err)
		}
		org.Name = "Ville de Genève (nouveau nom)"
		org.Address = "Rue nouvelle 2"
		if _, err := svc.UpdateOrganisation(ctx, logAdmin, "geneve", *org); err != nil {
			t.Fatal(err)
		}
		after, err := db.Store().GetPublication(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before.Data, after.Data) {
			t.Fatal("the stored public JSON changed with a label")
		}
		rec1, err := tl.Record(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if rec0.Record != rec1.Record || rec1.SHA256 != hexSum(after.Data) {
			t.Fatal("the log record changed, or does not hold the stored JSON's fingerprint")
		}
		if head, _ := tl.Head(ctx); head.Size != 1 {
			t.Fatalf("a label change appended to the log: size %d", head.Size)
		}
	})
}

// checkNoteByHand verifies a checkpoint's signature by vkey with
// crypto/ed25519 alone, following the signed-note format (C2SP signed-note)
// rather than x/mod's code: the signed message is the text up to the blank
// line; a signature line is "— NAME BASE64(KEYHASH[4] || SIG[64])"; a key
// is "NAME+HASH+BASE64(0x01 || PUBLIC[32])". It reports whether a
// signature line by that key name verifies.
func checkNoteByHand(t *testing.T, text []byte, vkey string) bool {
	t.Helper()
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		t.Fatalf("key %q is not NAME+HASH+DATA", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 1 {
		t.Fatalf("key %q is not an Ed25519 key", vkey)
	}
	pub := ed25519.PublicKey(raw[1:])
	msg, sigs, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		t.Fatal("no blank line between text and signatures")
	}
	msg = append(msg, '\n')
	for line := range strings.SplitSeq(strings.TrimSuffix(string(sigs), "\n"), "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "— "))
		if len(f) != 2 || f[0] != parts[0] {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil || len(sig) != 4+ed25519.SignatureSize {
			continue
		}
		hash, _ := strconv.ParseUint(parts[1], 16, 32)
		if binary.BigEndian.Uint32(sig[:4]) != uint32(hash) {
			continue
		}
		if ed25519.Verify(pub, msg, sig[4:]) {
			return true
		}
	}
	return false
}

// TestLogCheckpointsVerifyAfterKeyRotation: after a rotation, checkpoints
// signed before it still verify against the old key (still published) and
// new ones against the new key only, both with an independent Ed25519
// check and with x/mod's note verifier; key names differ.
func TestLogCheckpointsVerifyAfterKeyRotation(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc, tl := logFixture(t, db)
		p, err := svc.CreateProcessing(ctx, logAdmin, "geneve", publishableFields("Registre A"))
		if err != nil {
			t.Fatal(err)
		}
		publish(t, svc, p.ID)
		before, _, err := tl.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tl.RotateKey(ctx, time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		q, err := svc.CreateProcessing(ctx, logAdmin, "geneve", publishableFields("Registre B"))
		if err != nil {
			t.Fatal(err)
		}
		publish(t, svc, q.ID)
		after, _, err := tl.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := tl.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 {
			t.Fatalf("got %d published keys, want 2", len(keys))
		}
		newKey, oldKey := keys[0], keys[1]
		if strings.Split(newKey, "+")[0] == strings.Split(oldKey, "+")[0] {
			t.Fatalf("the new key has the old one's name: %s", newKey)
		}
		tests := []struct {
			name string
			cp   []byte
			key  string
			want bool
		}{
			{"OldCheckpointOldKey", before, oldKey, true},
			{"NewCheckpointNewKey", after, newKey, true},
			{"NewCheckpointOldKey", after, oldKey, false},
			{"OldCheckpointNewKey", before, newKey, false},
		}
		for _, tt := range tests {
			if got := checkNoteByHand(t, tt.cp, tt.key); got != tt.want {
				t.Errorf("%s: by hand got %v, want %v", tt.name, got, tt.want)
			}
			vs, err := translog.Verifiers([]string{tt.key})
			if err != nil {
				t.Fatal(err)
			}
			_, err = translog.OpenCheckpoint(tt.cp, testOrigin, vs)
			if (err == nil) != tt.want {
				t.Errorf("%s: note verifier got %v, want ok=%v", tt.name, err, tt.want)
			}
		}
		// Both checkpoints verify against the published list.
		older, newer := openCheckpoint(t, tl, before), openCheckpoint(t, tl, after)
		proof, err := tl.Consistency(ctx, older.Size, newer.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := translog.VerifyConsistency(older, newer, proof.Hashes); err != nil {
			t.Fatal(err)
		}
	})
}

// TestLogOperatorKey: a key given by the operator signs checkpoints, its
// public half is published beside the database's, and another key under
// the same name is refused.
func TestLogOperatorKey(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		tl := db.TransLog()
		if _, err := tl.Setup(ctx, testOrigin, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		skey, vkey, err := translog.NewKey("operator/2027")
		if err != nil {
			t.Fatal(err)
		}
		tl = db.TransLog()
		if _, err := tl.Setup(ctx, testOrigin, skey, time.Now().Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		cp, _, err := tl.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !checkNoteByHand(t, cp, vkey) {
			t.Fatalf("the checkpoint is not signed by the operator's key: %s", cp)
		}
		keys, err := tl.Keys(ctx)
		if err != nil || len(keys) != 2 || keys[0] != vkey {
			t.Fatalf("got keys %v, %v; want the operator's first of 2", keys, err)
		}
		for _, k := range keys {
			if strings.Contains(k, "PRIVATE") {
				t.Fatal("a private key is published")
			}
		}
		other, _, err := translog.NewKey("operator/2027")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.TransLog().Setup(ctx, testOrigin, other, time.Now()); err == nil {
			t.Fatal("another key under a published name was accepted")
		}
	})
}
