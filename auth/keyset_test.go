package auth

import (
	"bytes"
	"crypto"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// TestOpensslKeysVerify signs with keys made by the openssl command and
// verifies through a JWKS file and a PEM file built from their public halves.
func TestOpensslKeysVerify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	edThumb := rfc7638(t, f.ed.pub)
	pemFile := slices.Concat(
		pemWithKid(f.rsa.pubPEM, kidRSA),
		[]byte("\n"),
		pemWithKid(f.ec.pubPEM, kidEC),
		f.ed.pubPEM, // no kid header: its kid is the RFC 7638 thumbprint
	)
	pemPath := filepath.Join(t.TempDir(), "keys.pem")
	writeFile(t, pemPath, pemFile)

	sources := []struct {
		name  string
		path  string
		edKid string
	}{
		{"JWKS", f.jwksPath, kidEd},
		{"PEM", pemPath, edThumb},
	}
	for _, src := range sources {
		ks, err := LoadKeySet(src.path)
		if err != nil {
			t.Fatalf("%s: LoadKeySet: got error %v, want none", src.name, err)
		}
		want := []string{kidEC, kidRSA, src.edKid}
		slices.Sort(want)
		if got := ks.KeyIDs(); !slices.Equal(got, want) {
			t.Errorf("%s: got kids %v, want %v", src.name, got, want)
		}
		v := f.verifier(t, func(c *VerifierConfig) { c.Keys = ks })
		keys := []struct {
			alg  string
			kid  string
			m    jwt.SigningMethod
			priv crypto.Signer
		}{
			{"RS256", kidRSA, jwt.SigningMethodRS256, f.rsa.priv},
			{"ES256", kidEC, jwt.SigningMethodES256, f.ec.priv},
			{"EdDSA", src.edKid, jwt.SigningMethodEdDSA, f.ed.priv},
		}
		for _, k := range keys {
			t.Run(src.name+"/"+k.alg, func(t *testing.T) {
				if got, _ := ks.Algorithm(k.kid); got != k.alg {
					t.Errorf("got algorithm %q for %s, want %s", got, k.kid, k.alg)
				}
				tok := craft(kidHeader(k.alg, k.kid), claims(`"role":"editor","units":["rh"]`, "role"), signWith(t, k.m, k.priv))
				p, err := v.Verify(tok)
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if p.Role != RoleEditor || p.Org != "ville-de-geneve" || !slices.Equal(p.Units, []string{"rh"}) || p.TokenID != "test-token-1" {
					t.Errorf("got %+v, want editor of ville-de-geneve in rh with jti test-token-1", *p)
				}
			})
		}
	}
}

// TestKeyRotation follows an IdP rotating its key: both kids are accepted
// while the file holds both, the old one is refused once the file drops it.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	newRSA := opensslRSA(t, 2048)
	const oldKid, newKid = "idp-2026-01", "idp-2026-02"
	path := filepath.Join(t.TempDir(), "jwks.json")
	writeFile(t, path, jwks(t, map[string]crypto.PublicKey{oldKid: f.rsa.pub, newKid: newRSA.pub}))
	ks, err := LoadKeySet(path)
	if err != nil {
		t.Fatal(err)
	}
	v := f.verifier(t, func(c *VerifierConfig) { c.Keys = ks })
	oldTok := craft(kidHeader("RS256", oldKid), claims(""), signWith(t, jwt.SigningMethodRS256, f.rsa.priv))
	newTok := craft(kidHeader("RS256", newKid), claims(""), signWith(t, jwt.SigningMethodRS256, newRSA.priv))
	for name, tok := range map[string]string{"old": oldTok, "new": newTok} {
		if _, err := v.Verify(tok); err != nil {
			t.Errorf("both keys loaded, %s kid: got error %v, want none", name, err)
		}
	}

	writeFile(t, path, jwks(t, map[string]crypto.PublicKey{newKid: newRSA.pub}))
	ks, err = LoadKeySet(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetKeys(ks); err != nil {
		t.Fatalf("SetKeys: got error %v, want none", err)
	}
	if _, err := v.Verify(oldTok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("old key removed, old kid: got error %v, want ErrInvalidToken", err)
	}
	if _, err := v.Verify(newTok); err != nil {
		t.Errorf("old key removed, new kid: got error %v, want none", err)
	}
	// A verifier built afresh from the reloaded file behaves the same.
	fresh := f.verifier(t, func(c *VerifierConfig) { c.Keys = ks })
	if _, err := fresh.Verify(oldTok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("fresh verifier, old kid: got error %v, want ErrInvalidToken", err)
	}
}

func TestSetKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	own := mustPublicPEM(t, f.own.Public())
	clash, err := ParseKeySet(pemWithKid(own, kidOwn))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.v.SetKeys(clash); err == nil {
		t.Errorf("key set reusing the own kid: got no error, want one")
	}
	keysOnly := f.verifier(t, func(c *VerifierConfig) { c.Secret, c.OwnKey, c.OwnKeyID = nil, nil, "" })
	if err := keysOnly.SetKeys(nil); err == nil {
		t.Errorf("removing the only keys: got no error, want one")
	}
	if err := f.v.SetKeys(nil); err != nil {
		t.Fatalf("removing external keys next to a secret: got error %v, want none", err)
	}
	tok := craft(kidHeader("RS256", kidRSA), claims(""), signWith(t, jwt.SigningMethodRS256, f.rsa.priv))
	if _, err := f.v.Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("after SetKeys(nil): got error %v, want ErrInvalidToken", err)
	}
}

func TestThumbprintMatchesRFC7638Example(t *testing.T) {
	t.Parallel()
	// RFC 7638 §3.1.
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	const want = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	ks, err := ParseKeySet([]byte(`{"keys":[{"kty":"RSA","e":"AQAB","n":"` + n + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.KeyIDs(); !slices.Equal(got, []string{want}) {
		t.Errorf("got kids %v, want [%s]", got, want)
	}
}

func TestJWKSLeavesOutEncryptionKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	sig := jwk(t, f.ec.pub)
	enc := jwk(t, f.rsa.pub)
	doc := `{"keys":[` +
		`{"kty":"EC","crv":"P-256","x":"` + sig["x"] + `","y":"` + sig["y"] + `","kid":"s","use":"sig","alg":"ES256"},` +
		`{"kty":"RSA","n":"` + enc["n"] + `","e":"` + enc["e"] + `","kid":"e","use":"enc","alg":"RSA-OAEP"}]}`
	ks, err := ParseKeySet([]byte(doc))
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if got := ks.KeyIDs(); !slices.Equal(got, []string{"s"}) {
		t.Errorf("got kids %v, want [s]", got)
	}
}

func TestParseKeySetRefuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	weak := opensslRSA(t, 1024)
	p384 := opensslEC(t, "P-384")
	x25519 := opensslKey(t, "-algorithm", "X25519")
	rsaJWK := jwk(t, f.rsa.pub)
	ecJWK := jwk(t, f.ec.pub)
	edJWK := jwk(t, f.ed.pub)
	rsaMembers := `"kty":"RSA","n":"` + rsaJWK["n"] + `","e":"` + rsaJWK["e"] + `"`
	ecMembers := `"kty":"EC","crv":"P-256","x":"` + ecJWK["x"] + `","y":"` + ecJWK["y"] + `"`
	weakJWK := jwk(t, weak.pub)

	cases := []struct {
		name string
		data string
	}{
		{"Empty", ""},
		{"NeitherPEMNorJWKS", "hello"},
		{"PEMRSA1024", string(weak.pubPEM)},
		{"PEMP384", string(p384.pubPEM)},
		{"PEMX25519", string(x25519.pubPEM)},
		{"PEMPrivateKey", string(f.ed.privPEM)},
		{"PEMCertificateBlock", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
		{"PEMUnknownHeader", strings.Replace(string(pemWithKid(f.ec.pubPEM, "a")), "kid:", "kd:", 1)},
		{"PEMTextBetweenBlocks", string(f.ec.pubPEM) + "junk\n" + string(f.ed.pubPEM)},
		{"PEMTextAfterBlocks", string(f.ec.pubPEM) + "junk\n"},
		{"PEMDamagedBlockBeforeGoodOne", "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n" + string(f.ec.pubPEM)},
		{"PEMDuplicateKid", string(pemWithKid(f.ec.pubPEM, "a")) + string(pemWithKid(f.ed.pubPEM, "a"))},
		{"PEMSameKeyTwice", string(f.ed.pubPEM) + string(f.ed.pubPEM)},
		{"JWKSNotJSON", `{"keys":`},
		{"JWKSNoKeys", `{}`},
		{"JWKSEmptyKeys", `{"keys":[]}`},
		{"JWKSKeysCaseVariant", `{"KEYS":[{` + ecMembers + `}]}`},
		{"JWKSDuplicateMember", `{"keys":[{` + ecMembers + `,"kid":"a","kid":"b"}]}`},
		{"JWKSKeyNotObject", `{"keys":["x"]}`},
		{"JWKSUnknownKty", `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`},
		{"JWKSOctWithoutK", `{"keys":[{"kty":"oct"}]}`},
		{"JWKSMissingKty", `{"keys":[{"n":"` + rsaJWK["n"] + `","e":"AQAB"}]}`},
		{"JWKSRSA1024", `{"keys":[{"kty":"RSA","n":"` + weakJWK["n"] + `","e":"AQAB"}]}`},
		{"JWKSRSAPrivate", `{"keys":[{` + rsaMembers + `,"d":"AQAB"}]}`},
		{"JWKSECPrivate", `{"keys":[{` + ecMembers + `,"d":"AQAB"}]}`},
		{"JWKSOKPPrivate", `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + edJWK["x"] + `","d":"AQAB"}]}`},
		{"JWKSRSAEvenExponent", `{"keys":[{"kty":"RSA","n":"` + rsaJWK["n"] + `","e":"AQAA"}]}`},
		{"JWKSRSAPaddedModulus", `{"keys":[{"kty":"RSA","n":"` + rsaJWK["n"] + `=","e":"AQAB"}]}`},
		{"JWKSECP384", `{"keys":[{"kty":"EC","crv":"P-384","x":"` + ecJWK["x"] + `","y":"` + ecJWK["y"] + `"}]}`},
		{"JWKSECPointOffCurve", `{"keys":[{"kty":"EC","crv":"P-256","x":"` + ecJWK["x"] + `","y":"` + ecJWK["x"] + `"}]}`},
		{"JWKSECShortCoordinate", `{"keys":[{"kty":"EC","crv":"P-256","x":"AQAB","y":"` + ecJWK["y"] + `"}]}`},
		{"JWKSOKPEd448", `{"keys":[{"kty":"OKP","crv":"Ed448","x":"` + edJWK["x"] + `"}]}`},
		{"JWKSOKPX25519", `{"keys":[{"kty":"OKP","crv":"X25519","x":"` + edJWK["x"] + `"}]}`},
		{"JWKSAlgMismatch", `{"keys":[{` + rsaMembers + `,"alg":"ES256"}]}`},
		{"JWKSAlgRS512", `{"keys":[{` + rsaMembers + `,"alg":"RS512"}]}`},
		{"JWKSUnknownUse", `{"keys":[{` + ecMembers + `,"use":"sign"}]}`},
		{"JWKSKidNotString", `{"keys":[{` + ecMembers + `,"kid":1}]}`},
		{"JWKSEmptyKid", `{"keys":[{` + ecMembers + `,"kid":""}]}`},
		{"JWKSDuplicateKid", `{"keys":[{` + ecMembers + `,"kid":"a"},{` + rsaMembers + `,"kid":"a"}]}`},
		{"JWKSOnlyEncryptionKeys", `{"keys":[{` + rsaMembers + `,"use":"enc"}]}`},
		{"JWKSTrailingData", `{"keys":[{` + ecMembers + `}]} {}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := ParseKeySet([]byte(tc.data))
			if err == nil {
				t.Errorf("got key set with kids %v, want an error", ks.KeyIDs())
			}
			if ks != nil {
				t.Errorf("got a key set with the error, want nil")
			}
		})
	}
}

func TestLoadKeySetRefusesMissingAndHugeFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := LoadKeySet(filepath.Join(dir, "missing.pem")); err == nil {
		t.Errorf("missing file: got no error, want one")
	}
	huge := filepath.Join(dir, "huge.pem")
	writeFile(t, huge, bytes.Repeat([]byte(" "), maxKeyFileSize+1))
	if _, err := LoadKeySet(huge); err == nil {
		t.Errorf("file over %d bytes: got no error, want one", maxKeyFileSize)
	}
}

// TestParseKeySetSkipsUnusableKeys: a readable file with one usable key and
// one that is not gives a set of the usable key, and says why the other was
// left out; a readable file without any usable key is ErrNoSupportedKeys,
// and a file that cannot be read as a whole is another error.
func TestParseKeySetSkipsUnusableKeys(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	weak := opensslRSA(t, 1024)
	p384 := opensslEC(t, "P-384")
	x25519 := opensslKey(t, "-algorithm", "X25519")
	ecJWK := jwk(t, f.ec.pub)
	edJWK := jwk(t, f.ed.pub)
	rsaJWK := jwk(t, f.rsa.pub)
	good := `{"kty":"EC","crv":"P-256","x":"` + ecJWK["x"] + `","y":"` + ecJWK["y"] + `","kid":"good","alg":"ES256"}`
	edMembers := `"kty":"OKP","crv":"Ed25519","x":"` + edJWK["x"] + `"`
	rsaMembers := `"kty":"RSA","n":"` + rsaJWK["n"] + `","e":"` + rsaJWK["e"] + `"`
	pemGood := string(pemWithKid(f.ec.pubPEM, "good"))

	cases := []struct {
		name, data, reason string
	}{
		{"JWKSRS512", `{"keys":[` + good + `,{` + rsaMembers + `,"kid":"old","alg":"RS512"}]}`, `unsupported alg "RS512"`},
		{"JWKSOctSecret", `{"keys":[{"kty":"oct","kid":"old","k":"c2VjcmV0"},` + good + `]}`, "private key material"},
		{"JWKSUnknownKty", `{"keys":[` + good + `,{"kty":"PQC","kid":"old","x":"AQAB"}]}`, `unsupported kty "PQC"`},
		{"JWKSEd448", `{"keys":[` + good + `,{"kty":"OKP","crv":"Ed448","kid":"old","x":"` + edJWK["x"] + `"}]}`, "unsupported OKP curve"},
		{"JWKSPrivateEd25519", `{"keys":[` + good + `,{` + edMembers + `,"kid":"old","d":"AQAB"}]}`, "private key material"},
		{"JWKSDuplicateKid", `{"keys":[` + good + `,{` + edMembers + `,"kid":"old"},{` + rsaMembers + `,"kid":"old"}]}`, "appears 2 times"},
		{"JWKSNotAnObject", `{"keys":[` + good + `,"old"]}`, "not an object"},
		{"PEMRSA1024", pemGood + string(pemWithKid(weak.pubPEM, "old")), "RSA key of 1024 bits"},
		{"PEMP384", pemGood + string(pemWithKid(p384.pubPEM, "old")), "EC key is not on P-256"},
		{"PEMX25519", pemGood + string(pemWithKid(x25519.pubPEM, "old")), "unsupported key type"},
		{"PEMPrivateKey", pemGood + string(f.rsa.privPEM), "private key material"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := ParseKeySet([]byte(tc.data))
			if err != nil {
				t.Fatalf("got error %v, want the set of the usable key", err)
			}
			if got := ks.KeyIDs(); !slices.Equal(got, []string{"good"}) {
				t.Errorf("got kids %v, want [good]", got)
			}
			sk := ks.Skipped()
			if len(sk) == 0 || !strings.Contains(sk[0].Reason, tc.reason) {
				t.Errorf("got skipped %v, want a reason with %q", sk, tc.reason)
			}
		})
	}

	t.Run("NoUsableKey", func(t *testing.T) {
		ks, err := ParseKeySet([]byte(`{"keys":[{` + rsaMembers + `,"kid":"old","alg":"RS512"}]}`))
		if !errors.Is(err, ErrNoSupportedKeys) || ks != nil {
			t.Fatalf("got %v, %v; want ErrNoSupportedKeys and no set", ks.KeyIDs(), err)
		}
		if !strings.Contains(err.Error(), "RS512") {
			t.Errorf("error %q does not say why the key was left out", err)
		}
	})
	t.Run("Unreadable", func(t *testing.T) {
		_, err := ParseKeySet([]byte(`{"keys":[` + good))
		if err == nil || errors.Is(err, ErrNoSupportedKeys) {
			t.Fatalf("half a file: got %v, want an error other than ErrNoSupportedKeys", err)
		}
	})
}
