package translog_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/registre/registre/translog"
)

func record(i int) translog.Record {
	return translog.Record{Organisation: "geneve", ProcessingID: "01a22e3e-0b58-7cf7-a6d7-c65dd220f4a8", Version: i + 1,
		Event: translog.EventPublish, Time: time.Date(2026, 11, 30, 20, 0, i, 123456000, time.UTC),
		SHA256: translog.Fingerprint([]byte{byte(i)})}
}

func TestRecordRoundTrip(t *testing.T) {
	r := record(0)
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := translog.ParseRecord(text)
	if err != nil {
		t.Fatal(err)
	}
	if *back != r {
		t.Fatalf("got %+v, want %+v", back, r)
	}
}

func TestParseRecordRefusesNonCanonical(t *testing.T) {
	r := record(0)
	text, _ := r.Marshal()
	tests := map[string][]byte{
		"TrailingSpace":   bytes.Replace(text, []byte("version 1\n"), []byte("version 1 \n"), 1),
		"LeadingZero":     bytes.Replace(text, []byte("version 1\n"), []byte("version 01\n"), 1),
		"UpperHex":        bytes.ToUpper(text),
		"NoFinalNewline":  bytes.TrimSuffix(text, []byte("\n")),
		"ExtraLine":       append(append([]byte(nil), text...), "note x\n"...),
		"OtherHeader":     bytes.Replace(text, []byte("/v1"), []byte("/v2"), 1),
		"UnknownEvent":    bytes.Replace(text, []byte("event publish"), []byte("event delete"), 1),
		"TimeNotUTC":      bytes.Replace(text, []byte("Z\n"), []byte("+01:00\n"), 1),
		"LinesSwapped":    swapLines(text, 2, 3),
		"TooLong":         append(append([]byte(nil), text...), strings.Repeat("x", translog.MaxRecordSize)...),
		"OrganisationTab": bytes.Replace(text, []byte("organisation geneve"), []byte("organisation gen\teve"), 1),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := translog.ParseRecord(b); err == nil {
				t.Fatalf("accepted %q", b)
			}
		})
	}
}

func swapLines(b []byte, i, j int) []byte {
	l := strings.Split(string(b), "\n")
	l[i], l[j] = l[j], l[i]
	return []byte(strings.Join(l, "\n"))
}

// memLog is an in-memory log built with tlog, to check the verifiers
// without a database.
type memLog struct {
	texts  [][]byte
	stored []tlog.Hash
}

func (m *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.stored[x]
	}
	return out, nil
}

func (m *memLog) add(t *testing.T, r translog.Record) {
	text, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	hs, err := tlog.StoredHashes(int64(len(m.texts)), text, m)
	if err != nil {
		t.Fatal(err)
	}
	m.stored = append(m.stored, hs...)
	m.texts = append(m.texts, text)
}

func (m *memLog) checkpoint(t *testing.T, skey string, vs []string) *translog.Checkpoint {
	root, err := tlog.TreeHash(int64(len(m.texts)), m)
	if err != nil {
		t.Fatal(err)
	}
	text, err := translog.Sign(skey, "test/log", int64(len(m.texts)), root)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := translog.Verifiers(vs)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := translog.OpenCheckpoint(text, "test/log", keys)
	if err != nil {
		t.Fatal(err)
	}
	return cp
}

// TestProofsBetweenAllSizes: inclusion proofs of every record in every
// tree, and consistency proofs between every two sizes up to 17, verify;
// a proof for another record, another tree or with a changed hash does not.
func TestProofsBetweenAllSizes(t *testing.T) {
	skey, vkey, err := translog.NewKey("test/log/k1")
	if err != nil {
		t.Fatal(err)
	}
	m := &memLog{}
	var cps []*translog.Checkpoint
	cps = append(cps, m.checkpoint(t, skey, []string{vkey}))
	for i := range 17 {
		m.add(t, record(i))
		cps = append(cps, m.checkpoint(t, skey, []string{vkey}))
	}
	for n := int64(1); n <= 17; n++ {
		for i := range n {
			p, err := tlog.ProveRecord(n, i, m)
			if err != nil {
				t.Fatal(err)
			}
			inc := &translog.Inclusion{Index: i, TreeSize: n, Record: string(m.texts[i]), LeafHash: translog.LeafHash(m.texts[i]), Hashes: p}
			if _, err := translog.VerifyInclusion(inc, cps[n]); err != nil {
				t.Fatalf("record %d of %d: %v", i, n, err)
			}
			other := *inc
			other.Record = string(m.texts[(i+1)%n])
			other.LeafHash = translog.LeafHash([]byte(other.Record))
			if _, err := translog.VerifyInclusion(&other, cps[n]); err == nil && n > 1 {
				t.Fatalf("record %d of %d: another record verified", i, n)
			}
		}
		for k := int64(0); k <= n; k++ {
			var p tlog.TreeProof
			if k > 0 && k < n {
				if p, err = tlog.ProveTree(n, k, m); err != nil {
					t.Fatal(err)
				}
			}
			if err := translog.VerifyConsistency(cps[k], cps[n], p); err != nil {
				t.Fatalf("%d→%d: %v", k, n, err)
			}
			if k > 0 && k < n {
				bad := append(tlog.TreeProof(nil), p...)
				bad[0][0] ^= 1
				if err := translog.VerifyConsistency(cps[k], cps[n], bad); err == nil {
					t.Fatalf("%d→%d: a changed proof verified", k, n)
				}
			}
		}
		if n > 1 {
			if err := translog.VerifyConsistency(cps[n], cps[n-1], nil); err == nil {
				t.Fatalf("a shrinking log %d→%d verified", n, n-1)
			}
		}
	}
}

// TestPublicKeyOfOperatorKey: the public half derived from a signing key
// is the one note.GenerateKey made with it.
func TestPublicKeyOfOperatorKey(t *testing.T) {
	skey, vkey, err := translog.NewKey("registre.example.ch/log/2027")
	if err != nil {
		t.Fatal(err)
	}
	got, name, err := translog.PublicKey(skey)
	if err != nil || got != vkey || name != "registre.example.ch/log/2027" {
		t.Fatalf("got %q %q %v, want %q", got, name, err, vkey)
	}
	if _, _, err := translog.PublicKey(vkey); err == nil {
		t.Fatal("a public key was taken for a signing key")
	}
	if _, _, err := translog.NewKey("bad name"); err == nil {
		t.Fatal("a key name with a space was accepted")
	}
}

func TestTrimServed(t *testing.T) {
	for in, want := range map[string]string{`{}`: `{}`, "{}\n": `{}`, "{}\r\n": `{}`, "{}\n\n": "{}\n"} {
		if got := string(translog.TrimServed([]byte(in))); got != want {
			t.Errorf("TrimServed(%q) = %q, want %q", in, got, want)
		}
	}
}
