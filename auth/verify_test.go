package auth

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

type namedToken struct {
	name  string
	token string
}

// forgedTokens returns tokens that must all be refused by f.v. Where it can,
// each one is well signed and breaks a single rule, so that a refusal comes
// from the rule under test and not from a bad signature.
func forgedTokens(tb testing.TB, f *fixture) []namedToken {
	tb.Helper()
	now := testNow().Unix()
	hs := f.hs(tb)
	valid := craft(hsHeader(), claims(""), hs)
	rs := signWith(tb, jwt.SigningMethodRS256, f.rsa.priv)
	es := signWith(tb, jwt.SigningMethodES256, f.ec.priv)
	noSig := func(string) []byte { return nil }
	segs := strings.Split(valid, ".")

	// The same valid token, with padded base64url: only the padding is wrong.
	padded := func() string {
		payload := claims("")
		for len(payload)%3 == 0 {
			payload += " "
		}
		enc := base64.URLEncoding.EncodeToString
		input := enc([]byte(hsHeader())) + "." + enc([]byte(payload))
		return input + "." + enc(hs(input))
	}()

	attackerJWK := `{"kty":"OKP","crv":"Ed25519","x":"` + b64(f.attackerEd.Public().(ed25519.PublicKey)) + `"}`

	return []namedToken{
		// An empty signature is how "none" arrives; the casings carry one so
		// that they reach the algorithm check itself.
		{"AlgNoneEmptySignature", craft(`{"alg":"none","typ":"JWT"}`, claims(""), noSig)},
		{"AlgNone", craft(`{"alg":"none","typ":"JWT"}`, claims(""), hs)},
		{"AlgNoneCapitalised", craft(`{"alg":"None","typ":"JWT"}`, claims(""), hs)},
		{"AlgNoneUpper", craft(`{"alg":"NONE","typ":"JWT"}`, claims(""), hs)},
		{"AlgNoneMixedCase", craft(`{"alg":"nOnE","typ":"JWT"}`, claims(""), hs)},
		{"AlgMissing", craft(`{"typ":"JWT"}`, claims(""), hs)},
		{"AlgNotString", craft(`{"alg":256}`, claims(""), hs)},
		{"AlgHS512", craft(`{"alg":"HS512"}`, claims(""), signWith(tb, jwt.SigningMethodHS512, f.secret))},
		{"AlgPS256OnRSAKey", craft(kidHeader("PS256", kidRSA), claims(""), signWith(tb, jwt.SigningMethodPS256, f.rsa.priv))},
		{"EmptySignature", strings.Join(segs[:2], ".") + "."},
		{"WrongHS256Secret", craft(hsHeader(), claims(""), signWith(tb, jwt.SigningMethodHS256, []byte("another-secret-of-at-least-32-bytes!")))},
		{"TruncatedSignature", valid[:len(valid)-4]},
		{"KeyConfusionHS256WithRSAPublicPEMAndKid", craft(kidHeader("HS256", kidRSA), claims(""), signWith(tb, jwt.SigningMethodHS256, f.rsa.pubPEM))},
		{"KeyConfusionHS256WithRSAPublicPEM", craft(hsHeader(), claims(""), signWith(tb, jwt.SigningMethodHS256, f.rsa.pubPEM))},
		{"KeyConfusionHS256WithOwnKid", craft(kidHeader("HS256", kidOwn), claims(""), hs)},
		{"RS256UnknownKid", craft(kidHeader("RS256", "no-such-kid"), claims(""), rs)},
		{"RS256WithoutKid", craft(`{"alg":"RS256"}`, claims(""), rs)},
		{"ES256HeaderOnRSAKid", craft(kidHeader("ES256", kidRSA), claims(""), es)},
		{"RS256HeaderOnECKid", craft(kidHeader("RS256", kidEC), claims(""), rs)},
		{"EdDSAHeaderOnRSAKid", craft(kidHeader("EdDSA", kidRSA), claims(""), signWith(tb, jwt.SigningMethodEdDSA, f.ed.priv))},
		{"RS256OnOwnKid", craft(kidHeader("RS256", kidOwn), claims(""), rs)},
		{"EdDSAOwnKidSignedByIdPKey", craft(kidHeader("EdDSA", kidOwn), claims(""), signWith(tb, jwt.SigningMethodEdDSA, f.ed.priv))},
		{"KidNotString", craft(`{"alg":"RS256","kid":42}`, claims(""), rs)},
		{"ExpMissing", craft(hsHeader(), claims("", "exp"), hs)},
		{"ExpString", craft(hsHeader(), claims(fmt.Sprintf(`"exp":"%d"`, now+3600), "exp"), hs)},
		{"ExpZero", craft(hsHeader(), claims(`"exp":0`, "exp", "iat", "nbf"), hs)},
		{"ExpNull", craft(hsHeader(), claims(`"exp":null`, "exp"), hs)},
		{"Expired", craft(hsHeader(), claims(fmt.Sprintf(`"exp":%d`, now-120), "exp", "iat", "nbf"), hs)},
		{"ExpBeyondYear9999", craft(hsHeader(), claims(`"exp":1e13`, "exp", "iat"), hs)},
		{"NbfInFuture", craft(hsHeader(), claims(fmt.Sprintf(`"nbf":%d`, now+600), "nbf"), hs)},
		{"NbfString", craft(hsHeader(), claims(`"nbf":"yesterday"`, "nbf"), hs)},
		{"IatInFuture", craft(hsHeader(), claims(fmt.Sprintf(`"iat":%d`, now+600), "iat"), hs)},
		{"IatString", craft(hsHeader(), claims(fmt.Sprintf(`"iat":"%d"`, now), "iat"), hs)},
		{"LifetimeOverMaxTTL", craft(hsHeader(), claims(fmt.Sprintf(`"iat":%d,"exp":%d`, now, now+13*3600), "iat", "exp"), hs)},
		{"LifetimeOverMaxTTLWithoutIat", craft(hsHeader(), claims(fmt.Sprintf(`"exp":%d`, now+13*3600), "iat", "exp"), hs)},
		{"ExpBeforeIat", craft(hsHeader(), claims(fmt.Sprintf(`"iat":%d,"exp":%d`, now, now-1), "iat", "exp"), hs)},
		{"WrongIss", craft(hsHeader(), claims(`"iss":"evil-issuer"`, "iss"), hs)},
		{"IssMissing", craft(hsHeader(), claims("", "iss"), hs)},
		{"IssNotString", craft(hsHeader(), claims(`"iss":["registre"]`, "iss"), hs)},
		{"WrongAud", craft(hsHeader(), claims(`"aud":"evil-audience"`, "aud"), hs)},
		{"AudArrayWithoutUs", craft(hsHeader(), claims(`"aud":["evil-a","evil-b"]`, "aud"), hs)},
		{"AudMissing", craft(hsHeader(), claims("", "aud"), hs)},
		{"SubMissing", craft(hsHeader(), claims("", "sub"), hs)},
		{"SubEmpty", craft(hsHeader(), claims(`"sub":""`, "sub"), hs)},
		{"SubNotString", craft(hsHeader(), claims(`"sub":7`, "sub"), hs)},
		{"SubWithNewline", craft(hsHeader(), claims(`"sub":"alice\nadmin logged in"`, "sub"), hs)},
		{"RoleUnknown", craft(hsHeader(), claims(`"role":"evil-superuser"`, "role"), hs)},
		{"RoleCapitalised", craft(hsHeader(), claims(`"role":"Admin"`, "role"), hs)},
		{"RoleMissing", craft(hsHeader(), claims("", "role"), hs)},
		{"RoleArray", craft(hsHeader(), claims(`"role":["admin"]`, "role"), hs)},
		{"OrgMissingForDPO", craft(hsHeader(), claims("", "org"), hs)},
		{"OrgEmptyForEditor", craft(hsHeader(), claims(`"role":"editor","org":""`, "role", "org"), hs)},
		{"OrgNotSlug", craft(hsHeader(), claims(`"org":"Ville de Genève"`, "org"), hs)},
		{"UnitsNotArray", craft(hsHeader(), claims(`"role":"editor","units":"etat-civil"`, "role"), hs)},
		{"UnitsNotStrings", craft(hsHeader(), claims(`"role":"editor","units":[1,2]`, "role"), hs)},
		{"JtiNotString", craft(hsHeader(), claims(`"jti":12`, "jti"), hs)},
		{"DuplicateClaimRole", craft(hsHeader(), claims(`"role":"admin"`), hs)},
		{"CaseVariantClaimRole", craft(hsHeader(), claims(`"ROLE":"admin"`), hs)},
		{"CaseVariantClaimExp", craft(hsHeader(), claims(fmt.Sprintf(`"Exp":%d`, now+3600)), hs)},
		{"EscapedDuplicateClaim", craft(hsHeader(), claims(`"r\u006fle":"admin"`), hs)},
		{"DuplicateNestedMember", craft(hsHeader(), claims(`"x":{"a":1,"a":2}`), hs)},
		{"DuplicateHeaderAlg", craft(`{"alg":"HS256","alg":"HS256"}`, claims(""), hs)},
		{"CaseVariantHeaderAlg", craft(`{"alg":"HS256","ALG":"none"}`, claims(""), hs)},
		{"CritHeader", craft(`{"alg":"HS256","crit":["exp"],"exp":1}`, claims(""), hs)},
		{"CritHeaderEmpty", craft(`{"alg":"HS256","crit":[]}`, claims(""), hs)},
		{"JkuHeaderAttackerKey", craft(`{"alg":"RS256","kid":"attacker","jku":"https://evil.example/jwks.json"}`, claims(""), signWith(tb, jwt.SigningMethodRS256, f.attackerRSA))},
		{"JkuHeaderKnownKidAttackerKey", craft(`{"alg":"RS256","kid":"`+kidRSA+`","jku":"https://evil.example/jwks.json"}`, claims(""), signWith(tb, jwt.SigningMethodRS256, f.attackerRSA))},
		{"X5uHeaderAttackerKey", craft(`{"alg":"RS256","kid":"`+kidRSA+`","x5u":"https://evil.example/cert.pem"}`, claims(""), signWith(tb, jwt.SigningMethodRS256, f.attackerRSA))},
		{"JwkEmbeddedHeader", craft(`{"alg":"EdDSA","jwk":`+attackerJWK+`}`, claims(""), signWith(tb, jwt.SigningMethodEdDSA, f.attackerEd))},
		{"JwkEmbeddedHeaderKnownKid", craft(`{"alg":"EdDSA","kid":"`+kidEd+`","jwk":`+attackerJWK+`}`, claims(""), signWith(tb, jwt.SigningMethodEdDSA, f.attackerEd))},
		{"Oversized100KiB", craft(hsHeader(), claims(`"pad":"`+strings.Repeat("A", 100<<10)+`"`), hs)},
		{"Empty", ""},
		{"ManyDots", valid + ".x.y.z"},
		{"FourSegments", valid + ".AAAA"},
		{"TwoSegments", strings.Join(segs[:2], ".")},
		{"TwoDotsEmptyParts", ".."},
		{"EmptyHeader", "." + segs[1] + "." + segs[2]},
		{"NonBase64Chars", segs[0] + "." + segs[1][:10] + "!" + segs[1][11:] + "." + segs[2]},
		{"StdBase64Chars", segs[0] + "." + segs[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(segs[2]) + "+/"},
		{"NewlineInSegment", segs[0] + "." + segs[1][:8] + "\n" + segs[1][8:] + "." + segs[2]},
		{"SpaceAroundToken", " " + valid + " "},
		{"Padding", padded},
		{"PayloadArray", craft(hsHeader(), `["sub","alice"]`, hs)},
		{"PayloadNumber", craft(hsHeader(), `42`, hs)},
		{"PayloadNull", craft(hsHeader(), `null`, hs)},
		{"PayloadGarbageJSON", craft(hsHeader(), `{"sub":"alice","role":`, hs)},
		{"PayloadTrailingData", craft(hsHeader(), claims("")+`{}`, hs)},
		{"PayloadInvalidUTF8", craft(hsHeader(), claims(`"name":"`+"\xff\xfe"+`"`), hs)},
		{"HeaderArray", craft(`["HS256"]`, claims(""), hs)},
		{"HeaderGarbage", craft(`{"alg":"HS256"`, claims(""), hs)},
	}
}

func TestVerifyRefusesForgedTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := forgedTokens(t, f)
	if len(cases) < 30 {
		t.Fatalf("got %d forged tokens, want at least 30", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("case name %s used twice", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.v.Verify(tc.token)
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("got principal %+v, error %v; want an error wrapping ErrInvalidToken", p, err)
			}
			if p != nil {
				t.Errorf("got principal %+v with the error, want nil", p)
			}
			t.Logf("refused: %v", err)
			// Logs carry errors; they must not carry what the token said.
			if strings.Contains(err.Error(), "evil") || strings.Contains(err.Error(), "alice") {
				t.Errorf("got error %q, want one that does not quote the token", err)
			}
		})
	}
}

// TestCraftedControlTokensVerify guards the table above: the same helpers,
// used without a fault, must produce accepted tokens for every key.
func TestCraftedControlTokensVerify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cases := []struct {
		name  string
		token string
	}{
		{"HS256", craft(hsHeader(), claims(""), f.hs(t))},
		{"HS256WithUnrelatedKid", craft(kidHeader("HS256", "shared-1"), claims(""), f.hs(t))},
		{"RS256", craft(kidHeader("RS256", kidRSA), claims(""), signWith(t, jwt.SigningMethodRS256, f.rsa.priv))},
		{"ES256", craft(kidHeader("ES256", kidEC), claims(""), signWith(t, jwt.SigningMethodES256, f.ec.priv))},
		{"EdDSA", craft(kidHeader("EdDSA", kidEd), claims(""), signWith(t, jwt.SigningMethodEdDSA, f.ed.priv))},
		{"EdDSAOwnKey", craft(kidHeader("EdDSA", kidOwn), claims(""), signWith(t, jwt.SigningMethodEdDSA, f.own))},
		{"AudArrayWithUs", craft(hsHeader(), claims(`"aud":["other","`+testAudience+`"]`, "aud"), f.hs(t))},
		{"NoIatNoNbf", craft(hsHeader(), claims("", "iat", "nbf"), f.hs(t))},
		{"IatWithinLeeway", craft(hsHeader(), claims(fmt.Sprintf(`"iat":%d`, testNow().Unix()+20), "iat"), f.hs(t))},
		{"ExpiredWithinLeeway", craft(hsHeader(), claims(fmt.Sprintf(`"exp":%d`, testNow().Unix()-20), "exp"), f.hs(t))},
		{"IgnoredHeaderMembers", craft(`{"alg":"HS256","typ":"JWT","cty":"x","x5t":"abc"}`, claims(""), f.hs(t))},
		{"AdminWithoutOrg", craft(hsHeader(), claims(`"role":"admin"`, "role", "org"), f.hs(t))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.v.Verify(tc.token)
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}
			if p.Subject != "alice" {
				t.Errorf("got subject %q, want alice", p.Subject)
			}
		})
	}
}

func TestHS256RoundTrip(t *testing.T) {
	t.Parallel()
	s, err := NewHS256Signer(testSecret(), testIssuer, testAudience)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(VerifierConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   Principal
		want Principal
	}{
		{"Admin", Principal{Subject: "root", Role: RoleAdmin}, Principal{Subject: "root", Role: RoleAdmin}},
		{"AdminOrgDropped", Principal{Subject: "root", Role: RoleAdmin, Org: "ville-de-geneve"}, Principal{Subject: "root", Role: RoleAdmin}},
		{"DPO", Principal{Subject: "dora", Role: RoleDPO, Org: "ville-de-geneve"}, Principal{Subject: "dora", Role: RoleDPO, Org: "ville-de-geneve"}},
		{"EditorWithUnits", Principal{Subject: "ed", Role: RoleEditor, Org: "hug", Units: []string{"etat-civil", "rh"}}, Principal{Subject: "ed", Role: RoleEditor, Org: "hug", Units: []string{"etat-civil", "rh"}}},
		{"EditorWithoutUnits", Principal{Subject: "ed", Role: RoleEditor, Org: "hug"}, Principal{Subject: "ed", Role: RoleEditor, Org: "hug"}},
		{"AuditorUnitsDropped", Principal{Subject: "audrey", Role: RoleAuditor, Org: "hug", Units: []string{"rh"}}, Principal{Subject: "audrey", Role: RoleAuditor, Org: "hug"}},
	}
	ids := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tok, exp, err := s.Issue(tc.in, time.Hour, testNow())
			if err != nil {
				t.Fatalf("Issue: got error %v, want none", err)
			}
			if want := testNow().Add(time.Hour); !exp.Equal(want) {
				t.Errorf("got expiresAt %v, want %v", exp, want)
			}
			p, err := v.Verify(tok)
			if err != nil {
				t.Fatalf("Verify: got error %v, want none", err)
			}
			if p.Subject != tc.want.Subject || p.Role != tc.want.Role || p.Org != tc.want.Org || !slices.Equal(p.Units, tc.want.Units) {
				t.Errorf("got %+v, want %+v", *p, tc.want)
			}
			if !p.ExpiresAt.Equal(exp) {
				t.Errorf("got ExpiresAt %v, want %v", p.ExpiresAt, exp)
			}
			if raw, err := base64.RawURLEncoding.DecodeString(p.TokenID); err != nil || len(raw) != 16 {
				t.Errorf("got jti %q, want 128 bits of base64url", p.TokenID)
			}
			if ids[p.TokenID] {
				t.Errorf("got jti %q twice, want a fresh one per token", p.TokenID)
			}
			ids[p.TokenID] = true
		})
	}
}

func TestHS256TokenExpiresAfterTTL(t *testing.T) {
	t.Parallel()
	s, err := NewHS256Signer(testSecret(), testIssuer, testAudience)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := s.Issue(Principal{Subject: "dora", Role: RoleDPO, Org: "hug"}, time.Hour, testNow())
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return testNow().Add(time.Hour + time.Minute) }
	v, err := NewVerifier(VerifierConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience, Now: later})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("got error %v, want ErrInvalidToken", err)
	}
}

func TestEd25519OwnKeyRoundTrip(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewEd25519Signer(priv, kidOwn, testIssuer, testAudience)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(VerifierConfig{OwnKey: pub, OwnKeyID: kidOwn, Issuer: testIssuer, Audience: testAudience, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	in := Principal{Subject: "ed", Role: RoleEditor, Org: "hug", Units: []string{"rh"}}
	tok, _, err := s.Issue(in, 2*time.Hour, testNow())
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(tok)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}
	if p.Subject != in.Subject || p.Role != in.Role || p.Org != in.Org || !slices.Equal(p.Units, in.Units) {
		t.Errorf("got %+v, want %+v", *p, in)
	}

	other, err := NewEd25519Signer(priv, "some-other-kid", testIssuer, testAudience)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err = other.Issue(in, time.Hour, testNow())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("own key under another kid: got error %v, want ErrInvalidToken", err)
	}

	hsOnly, err := NewVerifier(VerifierConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err = s.Issue(in, time.Hour, testNow())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hsOnly.Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("EdDSA token on an HS256-only verifier: got error %v, want ErrInvalidToken", err)
	}
}

func TestIssueRefusesBadPrincipals(t *testing.T) {
	t.Parallel()
	s, err := NewHS256Signer(testSecret(), testIssuer, testAudience)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		p    Principal
		ttl  time.Duration
		now  time.Time
	}{
		{"NoSubject", Principal{Role: RoleAdmin}, time.Hour, testNow()},
		{"UnknownRole", Principal{Subject: "x", Role: "root"}, time.Hour, testNow()},
		{"DPOWithoutOrg", Principal{Subject: "x", Role: RoleDPO}, time.Hour, testNow()},
		{"EditorBadUnit", Principal{Subject: "x", Role: RoleEditor, Org: "hug", Units: []string{"Not A Slug"}}, time.Hour, testNow()},
		{"ZeroTTL", Principal{Subject: "x", Role: RoleAdmin}, 0, testNow()},
		{"NegativeTTL", Principal{Subject: "x", Role: RoleAdmin}, -time.Hour, testNow()},
		{"ZeroNow", Principal{Subject: "x", Role: RoleAdmin}, time.Hour, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tok, _, err := s.Issue(tc.p, tc.ttl, tc.now); err == nil {
				t.Errorf("got token %q, want an error", tok)
			}
		})
	}
}

func TestNewSignerRefusesBadConfig(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		make func() (Signer, error)
	}{
		{"HS256ShortSecret", func() (Signer, error) { return NewHS256Signer(make([]byte, 31), testIssuer, testAudience) }},
		{"HS256NoIssuer", func() (Signer, error) { return NewHS256Signer(testSecret(), "", testAudience) }},
		{"HS256NoAudience", func() (Signer, error) { return NewHS256Signer(testSecret(), testIssuer, "") }},
		{"Ed25519ShortKey", func() (Signer, error) { return NewEd25519Signer(priv[:32], kidOwn, testIssuer, testAudience) }},
		{"Ed25519NoKid", func() (Signer, error) { return NewEd25519Signer(priv, "", testIssuer, testAudience) }},
		{"Ed25519NoIssuer", func() (Signer, error) { return NewEd25519Signer(priv, kidOwn, "", testAudience) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if s, err := tc.make(); err == nil {
				t.Errorf("got signer %v, want an error", s)
			}
		})
	}
}

func TestNewVerifierRefusesBadConfig(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := ParseKeySet(pemWithKid(mustPublicPEM(t, pub), kidOwn))
	if err != nil {
		t.Fatal(err)
	}
	base := VerifierConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience}
	cases := []struct {
		name string
		edit func(*VerifierConfig)
	}{
		{"NoKeys", func(c *VerifierConfig) { c.Secret = nil }},
		{"ShortSecret", func(c *VerifierConfig) { c.Secret = make([]byte, 31) }},
		{"NoIssuer", func(c *VerifierConfig) { c.Issuer = "" }},
		{"NoAudience", func(c *VerifierConfig) { c.Audience = "" }},
		{"NegativeMaxTTL", func(c *VerifierConfig) { c.MaxTTL = -time.Second }},
		{"NegativeLeeway", func(c *VerifierConfig) { c.Leeway = -time.Second }},
		{"HugeLeeway", func(c *VerifierConfig) { c.Leeway = time.Hour }},
		{"OwnKeyWithoutKid", func(c *VerifierConfig) { c.OwnKey = pub }},
		{"OwnKeyWrongSize", func(c *VerifierConfig) { c.OwnKey, c.OwnKeyID = pub[:31], kidOwn }},
		{"OwnKidAlsoInKeySet", func(c *VerifierConfig) { c.OwnKey, c.OwnKeyID, c.Keys = pub, kidOwn, ks }},
		{"EmptyKeySetOnly", func(c *VerifierConfig) { c.Secret, c.Keys = nil, &KeySet{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base
			tc.edit(&cfg)
			if v, err := NewVerifier(cfg); err == nil {
				t.Errorf("got verifier %v, want an error", v)
			}
		})
	}
}

func TestVerifierDefaultsMaxTTLTo24h(t *testing.T) {
	t.Parallel()
	v, err := NewVerifier(VerifierConfig{Secret: testSecret(), Issuer: testIssuer, Audience: testAudience, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewHS256Signer(testSecret(), testIssuer, testAudience)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ttl  time.Duration
		want bool
	}{{24 * time.Hour, true}, {24*time.Hour + time.Second, false}} {
		tok, _, err := s.Issue(Principal{Subject: "root", Role: RoleAdmin}, tc.ttl, testNow())
		if err != nil {
			t.Fatal(err)
		}
		_, err = v.Verify(tok)
		if got := err == nil; got != tc.want {
			t.Errorf("ttl %v: got accepted=%v (err %v), want %v", tc.ttl, got, err, tc.want)
		}
	}
}
