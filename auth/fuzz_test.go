package auth

import (
	"crypto"
	"errors"
	"testing"
	"time"
)

// FuzzVerify checks that no input panics and that every refusal wraps
// ErrInvalidToken. The seeds are the forged table plus valid tokens, so
// mutations start next to every rule.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	for _, tc := range forgedTokens(f, fx) {
		f.Add(tc.token)
	}
	f.Add(craft(hsHeader(), claims(""), fx.hs(f)))
	s, err := NewHS256Signer(fx.secret, testIssuer, testAudience)
	if err != nil {
		f.Fatal(err)
	}
	tok, _, err := s.Issue(Principal{Subject: "ed", Role: RoleEditor, Org: "hug", Units: []string{"rh"}}, time.Hour, testNow())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(tok)
	v := fx.v
	f.Fuzz(func(t *testing.T, token string) {
		p, err := v.Verify(token)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("got error %v, want one wrapping ErrInvalidToken", err)
			}
			if p != nil {
				t.Fatalf("got principal %+v with error, want nil", p)
			}
			return
		}
		if p == nil || p.Subject == "" || !p.Role.Valid() || (p.Role != RoleAdmin && !validSlug(p.Org)) {
			t.Fatalf("got accepted principal %+v, want a complete one", p)
		}
	})
}

// FuzzParseKeySet checks that a key file, however broken, yields an error or
// a usable set, never a panic or an empty set.
func FuzzParseKeySet(f *testing.F) {
	fx := newFixture(f)
	f.Add(fx.rsa.pubPEM)
	f.Add(pemWithKid(fx.ec.pubPEM, "a"))
	f.Add(fx.ed.privPEM)
	f.Add(jwks(f, map[string]crypto.PublicKey{"r": fx.rsa.pub, "e": fx.ec.pub, "d": fx.ed.pub}))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := ParseKeySet(data)
		if err != nil {
			if ks != nil {
				t.Fatalf("got key set %v with error %v, want nil", ks.KeyIDs(), err)
			}
			return
		}
		for _, kid := range ks.KeyIDs() {
			if alg, ok := ks.Algorithm(kid); !ok || (alg != algRS256 && alg != algES256 && alg != algEdDSA) {
				t.Fatalf("got kid %q bound to %q, want one of RS256, ES256, EdDSA", kid, alg)
			}
		}
		if ks.Len() == 0 {
			t.Fatalf("got an empty key set without error")
		}
	})
}
