package translog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// MaxCheckpointSize bounds a signed checkpoint read from a file or a server.
const MaxCheckpointSize = 16 << 10

// Checkpoint is a verified tree head: the log's origin, its size and the
// Merkle root over its first Size records, with the name of the key that
// signed it.
type Checkpoint struct {
	Origin  string
	Size    int64
	Root    tlog.Hash
	KeyName string
	// Text is the signed note as served, to keep for later comparisons.
	Text []byte
}

// NewKey makes an Ed25519 note key named name (the key name appears in
// every signature, so that after a rotation old checkpoints still name the
// key that signed them). skey is secret; vkey is published.
func NewKey(name string) (skey, vkey string, err error) {
	if !ValidKeyName(name) {
		return "", "", fmt.Errorf("log key name %q: want letters, digits and . / - _ :, no spaces or +", name)
	}
	return note.GenerateKey(rand.Reader, name)
}

// ValidKeyName reports whether name can name a note key.
func ValidKeyName(name string) bool {
	return name != "" && len(name) <= 200 && !strings.ContainsAny(name, "+ \t\n\r") && strings.ToValidUTF8(name, "") == name
}

// ValidOrigin reports whether origin can be a checkpoint's first line.
func ValidOrigin(origin string) bool {
	return origin != "" && len(origin) <= 200 && !strings.ContainsAny(origin, "\n\r") && strings.TrimSpace(origin) == origin
}

// Sign returns the signed checkpoint of a tree of size records with root
// hash root, in the C2SP checkpoint format:
//
//	ORIGIN
//	SIZE
//	BASE64(ROOT)
//
//	— KEYNAME BASE64(KEYHASH || SIGNATURE)
func Sign(skey, origin string, size int64, root tlog.Hash) ([]byte, error) {
	if !ValidOrigin(origin) || size < 0 {
		return nil, errors.New("checkpoint: bad origin or size")
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	body := log.Checkpoint{Origin: origin, Size: uint64(size), Hash: root[:]}.Marshal()
	return note.Sign(&note.Note{Text: string(body)}, s)
}

// Verifiers turns published keys (one "name+hash+base64" per element) into
// a note verifier list.
func Verifiers(vkeys []string) (note.Verifiers, error) {
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("public key %q: %w", k, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, errors.New("no public key")
	}
	return note.VerifierList(vs...), nil
}

// ParseKeys reads published keys: one per line; blank lines and lines
// starting with # are skipped.
func ParseKeys(text []byte) []string {
	var keys []string
	for l := range strings.SplitSeq(string(text), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			keys = append(keys, l)
		}
	}
	return keys
}

// OpenCheckpoint verifies a signed checkpoint against the published keys
// and, when origin is not empty, its origin line. At least one signature
// must be by one of the keys; signatures by unknown keys are ignored.
func OpenCheckpoint(text []byte, origin string, keys note.Verifiers) (*Checkpoint, error) {
	if len(text) > MaxCheckpointSize {
		return nil, errors.New("checkpoint: too large")
	}
	n, err := note.Open(text, keys)
	if err != nil {
		return nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	var c log.Checkpoint
	rest, err := c.Unmarshal([]byte(n.Text))
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, errors.New("checkpoint: unexpected extension lines")
	}
	if origin != "" && c.Origin != origin {
		return nil, fmt.Errorf("checkpoint: origin %q, want %q", c.Origin, origin)
	}
	if len(c.Hash) != tlog.HashSize || c.Size > 1<<62 {
		return nil, errors.New("checkpoint: bad root hash or size")
	}
	out := &Checkpoint{Origin: c.Origin, Size: int64(c.Size), KeyName: n.Sigs[0].Name, Text: text}
	copy(out.Root[:], c.Hash)
	return out, nil
}

// PublicKey returns the public half of a note signing key
// ("PRIVATE+KEY+name+hash+base64") and its name, to publish it.
func PublicKey(skey string) (vkey, name string, err error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return "", "", fmt.Errorf("log key: %w", err)
	}
	// PRIVATE+KEY+NAME+HASH+DATA: names have no '+', base64 data may.
	rest := strings.TrimPrefix(skey, "PRIVATE+KEY+")
	_, rest, _ = strings.Cut(rest, "+")
	_, data, _ := strings.Cut(rest, "+")
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", "", errors.New("log key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err = note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return "", "", err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.KeyHash() != s.KeyHash() {
		return "", "", errors.New("log key: the key does not match its hash")
	}
	return vkey, s.Name(), nil
}
