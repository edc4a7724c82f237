package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
	"sort"
	"strings"
)

const (
	// maxKeyFileSize is far above any real key file and keeps a wrong path
	// (a log, a device) from being read whole.
	maxKeyFileSize = 1 << 20
	minRSABits     = 2048
	// maxRSABits bounds verification cost: each RSA verify is linear-ish in
	// the modulus size and runs before we know the token is genuine.
	maxRSABits = 8192
)

// KeySet maps key ids to public keys. Each key is bound to the one algorithm
// its type allows (RSA: RS256, EC P-256: ES256, Ed25519: EdDSA), so a token
// cannot pick another. A KeySet never changes after it is built; rotate by
// loading a new one and handing it to Verifier.SetKeys.
type KeySet struct {
	keys    map[string]publicKey
	skipped []SkippedKey
}

// Skipped lists the keys of the file that were left out, and why, for the
// operator's log.
func (ks *KeySet) Skipped() []SkippedKey {
	if ks == nil {
		return nil
	}
	return ks.skipped
}

type publicKey struct {
	alg string
	key crypto.PublicKey
}

// Len returns the number of keys; a nil KeySet has none.
func (ks *KeySet) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.keys)
}

// KeyIDs returns the key ids in sorted order, for logs and diagnostics.
func (ks *KeySet) KeyIDs() []string {
	if ks == nil {
		return nil
	}
	ids := make([]string, 0, len(ks.keys))
	for kid := range ks.keys {
		ids = append(ids, kid)
	}
	sort.Strings(ids)
	return ids
}

// Algorithm returns the one algorithm the key kid may verify.
func (ks *KeySet) Algorithm(kid string) (string, bool) {
	k, ok := ks.lookup(kid)
	return k.alg, ok
}

func (ks *KeySet) lookup(kid string) (publicKey, bool) {
	if ks == nil || kid == "" {
		return publicKey{}, false
	}
	k, ok := ks.keys[kid]
	return k, ok
}

func (ks *KeySet) algorithms() []string {
	var algs []string
	for _, id := range ks.KeyIDs() {
		if a := ks.keys[id].alg; !slices.Contains(algs, a) {
			algs = append(algs, a)
		}
	}
	return algs
}

// ErrNoSupportedKeys is returned for a key file that was read and parsed
// but holds no key this service can use: the provider's current word is
// then "none of the keys you trust", and callers must not keep trusting the
// keys of an earlier file.
var ErrNoSupportedKeys = errors.New("auth: key set: no supported signature keys")

// SkippedKey is a key of a key file that was left out, and why.
type SkippedKey struct {
	Entry  string // "key 2" (JWKS) or "PEM block 2"
	KID    string // the kid the entry names, if any
	Reason string
}

func (k SkippedKey) String() string {
	if k.KID != "" {
		return fmt.Sprintf("%s (kid %q): %s", k.Entry, k.KID, k.Reason)
	}
	return k.Entry + ": " + k.Reason
}

// LoadKeySet reads a key file; see ParseKeySet for the formats.
func LoadKeySet(path string) (*KeySet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth: key file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("auth: key file %s: %w", path, err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("auth: key file %s: larger than %d bytes", path, maxKeyFileSize)
	}
	ks, err := ParseKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return ks, nil
}

// ParseKeySet accepts either PEM, one or more "PUBLIC KEY" blocks whose kid
// is the block's "kid" header or else the RFC 7638 thumbprint, or a JWKS
// document {"keys":[...]}.
//
// A document that cannot be read as a whole (not JSON, text outside PEM
// blocks, a damaged block: typically a file caught half-written) is an
// error. Inside a readable document, each key that cannot be used is left
// out and reported by KeySet.Skipped, and the others make the set: RSA outside
// 2048 to 8192 bits, an unknown kty, curve or use, private key material, an
// alg that is not the key's own, a malformed key; a kid that appears twice
// leaves out every key with that kid, since no one can tell which is meant.
// Refusing the whole file instead would keep the keys of the previous file
// in use, including those the provider removed. A readable document without
// any usable key returns an error that wraps ErrNoSupportedKeys and says
// why each key was left out.
func ParseKeySet(data []byte) (*KeySet, error) {
	if len(data) > maxKeyFileSize {
		return nil, errors.New("auth: key set too large")
	}
	var err error
	p := &keyParser{keys: map[string][]entryKey{}}
	trimmed := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(trimmed, []byte("{")):
		err = p.parseJWKS(trimmed)
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN ")):
		err = p.parsePEM(trimmed)
	default:
		err = errors.New("neither PEM nor JWKS")
	}
	if err != nil {
		return nil, fmt.Errorf("auth: key set: %w", err)
	}
	ks := &KeySet{keys: map[string]publicKey{}}
	for kid, entries := range p.keys {
		if len(entries) > 1 {
			for _, e := range entries {
				p.skip(e.entry, kid, fmt.Sprintf("kid %q appears %d times; no key with it is used", kid, len(entries)))
			}
			continue
		}
		ks.keys[kid] = entries[0].key
	}
	sort.SliceStable(p.skipped, func(i, j int) bool { return p.skipped[i].order < p.skipped[j].order })
	var reasons []string
	for _, s := range p.skipped {
		ks.skipped = append(ks.skipped, s.SkippedKey)
		reasons = append(reasons, s.String())
	}
	if len(ks.keys) == 0 {
		if len(reasons) == 0 {
			return nil, ErrNoSupportedKeys
		}
		return nil, fmt.Errorf("%w: %s", ErrNoSupportedKeys, strings.Join(reasons, "; "))
	}
	return ks, nil
}

// keyParser collects the keys of one document, by kid, and what it skips.
type keyParser struct {
	keys    map[string][]entryKey
	skipped []orderedSkip
}

type entryKey struct {
	entry int
	key   publicKey
}

type orderedSkip struct {
	SkippedKey
	order int
}

func (p *keyParser) add(entry int, kid string, k publicKey) {
	p.keys[kid] = append(p.keys[kid], entryKey{entry: entry, key: k})
}

func (p *keyParser) skip(entry int, kid, reason string) {
	if !validName(kid) {
		kid = "" // never echo a kid that is not printable as is
	}
	p.skipped = append(p.skipped, orderedSkip{SkippedKey{Entry: p.entryName(entry), KID: kid, Reason: reason}, entry})
}

func (p *keyParser) entryName(entry int) string {
	if entry < 0 {
		return fmt.Sprintf("PEM block %d", -entry)
	}
	return fmt.Sprintf("key %d", entry)
}

func (p *keyParser) parsePEM(data []byte) error {
	// pem.Decode skips text it does not understand, including a damaged
	// block; counting the BEGIN lines catches a key that would vanish.
	want := bytes.Count(data, []byte("-----BEGIN "))
	got := 0
	for rest := data; ; {
		rest = bytes.TrimSpace(rest)
		if len(rest) == 0 {
			break
		}
		if !bytes.HasPrefix(rest, []byte("-----BEGIN ")) {
			return errors.New("text outside PEM blocks")
		}
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return errors.New("malformed PEM block")
		}
		got++
		// PEM blocks are numbered from 1 and stored negative, to tell
		// them from JWKS entries.
		kid, k, err := pemBlockKey(block)
		if err != nil {
			p.skip(-got, kid, err.Error())
			continue
		}
		p.add(-got, kid, k)
	}
	if got != want {
		return errors.New("malformed PEM block")
	}
	return nil
}

func pemBlockKey(block *pem.Block) (string, publicKey, error) {
	switch {
	case block.Type == "PUBLIC KEY":
	case strings.Contains(block.Type, "PRIVATE KEY"):
		return "", publicKey{}, errors.New("private key material is not accepted (remove it from the file: it belongs to the signer only)")
	default:
		return "", publicKey{}, fmt.Errorf("block type %q is not PUBLIC KEY", block.Type)
	}
	kid := ""
	for name, value := range block.Headers {
		// Any other header is most likely a misspelt kid, which would
		// otherwise fall back to the thumbprint without a word.
		if !strings.EqualFold(name, "kid") {
			return "", publicKey{}, fmt.Errorf("unknown PEM header %q", name)
		}
		kid = strings.TrimSpace(value)
		if kid == "" {
			return "", publicKey{}, errors.New("empty kid header")
		}
	}
	if kid != "" && !validName(kid) {
		return "", publicKey{}, errors.New("malformed kid")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return kid, publicKey{}, fmt.Errorf("unsupported or malformed public key: %w", err)
	}
	k, err := boundKey(pub)
	if err != nil {
		return kid, publicKey{}, err
	}
	if kid == "" {
		if kid, err = thumbprint(k.key); err != nil {
			return "", publicKey{}, err
		}
	}
	return kid, k, nil
}

// boundKey checks a parsed public key against our policy and attaches the
// algorithm it is bound to.
func boundKey(pub crypto.PublicKey) (publicKey, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if err := checkRSA(k); err != nil {
			return publicKey{}, err
		}
		return publicKey{alg: algRS256, key: k}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return publicKey{}, errors.New("EC key is not on P-256")
		}
		return publicKey{alg: algES256, key: k}, nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return publicKey{}, errors.New("malformed Ed25519 key")
		}
		return publicKey{alg: algEdDSA, key: k}, nil
	default:
		return publicKey{}, fmt.Errorf("unsupported key type %T", pub)
	}
}

func checkRSA(k *rsa.PublicKey) error {
	bits := k.N.BitLen()
	if bits < minRSABits {
		return fmt.Errorf("RSA key of %d bits, want at least %d", bits, minRSABits)
	}
	if bits > maxRSABits {
		return fmt.Errorf("RSA key of %d bits, want at most %d", bits, maxRSABits)
	}
	if k.N.Bit(0) == 0 {
		return errors.New("RSA modulus is even")
	}
	if k.E < 3 || k.E > 1<<31-1 || k.E%2 == 0 {
		return errors.New("RSA public exponent out of range")
	}
	return nil
}

func (p *keyParser) parseJWKS(data []byte) error {
	if err := checkStrictObject(data); err != nil {
		return err
	}
	// Plain maps, not structs: encoding/json would let "KEYS" or "Kid"
	// stand in for the real member names.
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return errors.New("malformed JWKS")
	}
	var keys []json.RawMessage
	if err := json.Unmarshal(doc["keys"], &keys); err != nil || keys == nil {
		return errors.New(`JWKS without a "keys" array`)
	}
	for i, raw := range keys {
		var jwk map[string]json.RawMessage
		if err := json.Unmarshal(raw, &jwk); err != nil || jwk == nil {
			p.skip(i, "", "not an object")
			continue
		}
		kid, _ := jwkString(jwk, "kid", false)
		k, derived, use, err := jwkKey(jwk)
		switch {
		case err != nil:
			p.skip(i, kid, err.Error())
		case use == "enc":
			// Encryption keys share JWKS documents with signing keys at
			// many IdPs; they never sign, so leaving them out loses nothing.
		default:
			if kid == "" {
				kid = derived
			}
			p.add(i, kid, k)
		}
	}
	return nil
}

// jwkKey reads one JWK: its key bound to its algorithm, its thumbprint, and
// its "use".
func jwkKey(jwk map[string]json.RawMessage) (publicKey, string, string, error) {
	// The members that carry secrets (RFC 7518 §6): a file holding them
	// was meant for a signer, and copying it here spreads the secret.
	for _, name := range [...]string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
		if _, ok := jwk[name]; ok {
			return publicKey{}, "", "", errors.New("private key material is not accepted (remove it from the file: it belongs to the signer only)")
		}
	}
	kty, err := jwkString(jwk, "kty", true)
	if err != nil {
		return publicKey{}, "", "", err
	}
	use, err := jwkString(jwk, "use", false)
	if err != nil {
		return publicKey{}, "", "", err
	}
	switch use {
	case "", "sig":
	case "enc":
		return publicKey{}, "", use, nil
	default:
		return publicKey{}, "", "", errors.New(`"use" is neither "sig" nor "enc"`)
	}
	alg, err := jwkString(jwk, "alg", false)
	if err != nil {
		return publicKey{}, "", "", err
	}
	kid, err := jwkString(jwk, "kid", false)
	if err != nil {
		return publicKey{}, "", "", err
	}
	if _, ok := jwk["kid"]; ok && (kid == "" || !validName(kid)) {
		return publicKey{}, "", "", errors.New("empty or malformed kid")
	}
	var pub crypto.PublicKey
	switch kty {
	case "RSA":
		pub, err = jwkRSA(jwk)
	case "EC":
		pub, err = jwkEC(jwk)
	case "OKP":
		pub, err = jwkOKP(jwk)
	default:
		return publicKey{}, "", "", fmt.Errorf("unsupported kty %q", printable(kty))
	}
	if err != nil {
		return publicKey{}, "", "", err
	}
	k, err := boundKey(pub)
	if err != nil {
		return publicKey{}, "", "", err
	}
	if alg != "" && alg != k.alg {
		return publicKey{}, "", "", fmt.Errorf("unsupported alg %q for a %s key (this service verifies %s with it)", printable(alg), kty, k.alg)
	}
	thumb, err := thumbprint(k.key)
	if err != nil {
		return publicKey{}, "", "", err
	}
	return k, thumb, use, nil
}

// printable keeps a value from the file fit for a log line.
func printable(s string) string {
	if len(s) > 40 || !validName(s) {
		return "…"
	}
	return s
}

func jwkRSA(jwk map[string]json.RawMessage) (crypto.PublicKey, error) {
	n, err := jwkBytes(jwk, "n")
	if err != nil {
		return nil, err
	}
	e, err := jwkBytes(jwk, "e")
	if err != nil {
		return nil, err
	}
	if len(e) > 4 || len(n) == 0 || n[0] == 0 || e[0] == 0 {
		return nil, errors.New("malformed RSA key")
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
}

func jwkEC(jwk map[string]json.RawMessage) (crypto.PublicKey, error) {
	crv, err := jwkString(jwk, "crv", true)
	if err != nil {
		return nil, err
	}
	if crv != "P-256" {
		return nil, errors.New("unsupported EC curve")
	}
	x, err := jwkBytes(jwk, "x")
	if err != nil {
		return nil, err
	}
	y, err := jwkBytes(jwk, "y")
	if err != nil {
		return nil, err
	}
	if len(x) != 32 || len(y) != 32 {
		return nil, errors.New("malformed P-256 coordinates")
	}
	// The parser also checks that the point is on the curve, which stops
	// invalid-curve tricks with attacker-chosen points.
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	if err != nil {
		return nil, errors.New("P-256 point not on the curve")
	}
	return pub, nil
}

func jwkOKP(jwk map[string]json.RawMessage) (crypto.PublicKey, error) {
	crv, err := jwkString(jwk, "crv", true)
	if err != nil {
		return nil, err
	}
	if crv != "Ed25519" {
		return nil, errors.New("unsupported OKP curve")
	}
	x, err := jwkBytes(jwk, "x")
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, errors.New("malformed Ed25519 key")
	}
	return ed25519.PublicKey(x), nil
}

func jwkString(jwk map[string]json.RawMessage, name string, required bool) (string, error) {
	raw, ok := jwk[name]
	if !ok {
		if required {
			return "", fmt.Errorf("%q missing", name)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%q is not a string", name)
	}
	return s, nil
}

func jwkBytes(jwk map[string]json.RawMessage, name string) ([]byte, error) {
	s, err := jwkString(jwk, name, true)
	if err != nil {
		return nil, err
	}
	b, err := decodeSegment(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("%q is not unpadded base64url", name)
	}
	return b, nil
}

// thumbprint computes the RFC 7638 JWK thumbprint: SHA-256 over the required
// members in lexicographic order, without whitespace.
func thumbprint(pub crypto.PublicKey) (string, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	var canon string
	switch k := pub.(type) {
	case *rsa.PublicKey:
		e := big.NewInt(int64(k.E)).Bytes()
		canon = `{"e":"` + b64(e) + `","kty":"RSA","n":"` + b64(k.N.Bytes()) + `"}`
	case *ecdsa.PublicKey:
		pt, err := k.Bytes()
		if err != nil || len(pt) != 65 {
			return "", errors.New("malformed P-256 key")
		}
		canon = `{"crv":"P-256","kty":"EC","x":"` + b64(pt[1:33]) + `","y":"` + b64(pt[33:]) + `"}`
	case ed25519.PublicKey:
		canon = `{"crv":"Ed25519","kty":"OKP","x":"` + b64(k) + `"}`
	default:
		return "", fmt.Errorf("unsupported key type %T", pub)
	}
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:]), nil
}
