package translog

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// MaxProofHashes bounds the hashes of a proof: proofs of a log of up to 2^62
// records have at most 2·62 of them.
const MaxProofHashes = 128

// Inclusion is the proof that the record at Index is the leaf Index of the
// tree of TreeSize records that Checkpoint signs. Its JSON is what
// GET /public/v1/log/inclusion serves and `registre verify` reads.
type Inclusion struct {
	Index      int64       `json:"index"`
	TreeSize   int64       `json:"tree_size"`
	Record     string      `json:"record"`
	LeafHash   tlog.Hash   `json:"leaf_hash"`
	Hashes     []tlog.Hash `json:"hashes"`
	Checkpoint string      `json:"checkpoint"`
}

// Consistency is the proof that the tree of From records is a prefix of the
// tree of To records that Checkpoint signs.
type Consistency struct {
	From       int64       `json:"from"`
	To         int64       `json:"to"`
	Hashes     []tlog.Hash `json:"hashes"`
	Checkpoint string      `json:"checkpoint,omitempty"`
}

// LeafHash is the RFC 6962 hash of a record's text: SHA-256(0x00 || text).
func LeafHash(text []byte) tlog.Hash { return tlog.RecordHash(text) }

// ErrNotIncluded is returned when a proof does not tie a record to a tree.
var ErrNotIncluded = errors.New("the record is not in the log the checkpoint signs")

// ErrInconsistent is returned when two checkpoints are not of one log that
// only grew: a record was changed or removed, or the log was forked.
var ErrInconsistent = errors.New("the two checkpoints are not of one append-only log")

// VerifyInclusion checks that p ties its record to cp and returns the
// record. cp must already be verified (OpenCheckpoint).
func VerifyInclusion(p *Inclusion, cp *Checkpoint) (*Record, error) {
	if len(p.Hashes) > MaxProofHashes {
		return nil, errors.New("inclusion proof: too many hashes")
	}
	if p.TreeSize != cp.Size {
		return nil, fmt.Errorf("inclusion proof is for a tree of %d records, the checkpoint of %d", p.TreeSize, cp.Size)
	}
	if p.Index < 0 || p.Index >= cp.Size {
		return nil, fmt.Errorf("%w: index %d outside the tree of %d", ErrNotIncluded, p.Index, cp.Size)
	}
	text := []byte(p.Record)
	rec, err := ParseRecord(text)
	if err != nil {
		return nil, err
	}
	leaf := LeafHash(text)
	if leaf != p.LeafHash {
		return nil, fmt.Errorf("%w: the leaf hash is not the record's", ErrNotIncluded)
	}
	if err := tlog.CheckRecord(tlog.RecordProof(p.Hashes), cp.Size, cp.Root, p.Index, leaf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotIncluded, err)
	}
	return rec, nil
}

// VerifyConsistency checks that older is a prefix of newer by proof. Both
// must already be verified (OpenCheckpoint).
func VerifyConsistency(older, newer *Checkpoint, proof []tlog.Hash) error {
	if len(proof) > MaxProofHashes {
		return errors.New("consistency proof: too many hashes")
	}
	if older.Origin != newer.Origin {
		return fmt.Errorf("%w: origins %q and %q differ", ErrInconsistent, older.Origin, newer.Origin)
	}
	switch {
	case older.Size > newer.Size:
		return fmt.Errorf("%w: the log shrank from %d to %d records", ErrInconsistent, older.Size, newer.Size)
	case older.Size == newer.Size:
		if older.Root != newer.Root {
			return fmt.Errorf("%w: two different trees of %d records", ErrInconsistent, older.Size)
		}
		return nil
	case older.Size == 0:
		return nil
	}
	if err := tlog.CheckTree(tlog.TreeProof(proof), newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return fmt.Errorf("%w: %v", ErrInconsistent, err)
	}
	return nil
}

// TrimServed returns the stored JSON of a document saved from
// GET /public/v1/processings/{id}: the body as served ends with one newline
// that the stored bytes do not have, and a processing published with a
// planned start is served with its state, decided when read, as the last
// member ("state":"planned" or "active"), which the stored bytes lack.
func TrimServed(b []byte) []byte {
	if t, ok := bytes.CutSuffix(b, []byte("\r\n")); ok {
		b = t
	} else if t, ok := bytes.CutSuffix(b, []byte("\n")); ok {
		b = t
	}
	for _, st := range []string{"planned", "active"} {
		if t, ok := bytes.CutSuffix(b, []byte(`,"state":"`+st+`"}`)); ok && bytes.Contains(t, []byte(`"planned_start":`)) {
			return append(t[:len(t):len(t)], '}')
		}
	}
	return b
}
