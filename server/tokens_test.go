package server_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

const (
	kidRSA = "idp-rsa"
	kidEC  = "idp-ec"
	kidEd  = "idp-ed"
	kidOwn = "registre-own"
)

// tokenKeys are the keys a server under test trusts, and some it does not.
type tokenKeys struct {
	rsa       *rsa.PrivateKey
	rsaPubPEM []byte
	ec        *ecdsa.PrivateKey
	ed        ed25519.PrivateKey
	own       ed25519.PrivateKey
	attacker  *rsa.PrivateKey
}

func newTokenKeys(t *testing.T) *tokenKeys {
	t.Helper()
	k := &tokenKeys{}
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.attacker, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.ed, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, k.own, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	k.rsaPubPEM = pubPEM(t, "", &k.rsa.PublicKey)
	return k
}

func pubPEM(t *testing.T, kid string, pub crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	b := &pem.Block{Type: "PUBLIC KEY", Bytes: der}
	if kid != "" {
		b.Headers = map[string]string{"kid": kid}
	}
	return pem.EncodeToMemory(b)
}

// withAllKeys makes the server accept the HS256 secret, three IdP keys (PEM)
// and an own Ed25519 key at once, as serve can, with serve's limits.
func withAllKeys(t *testing.T, k *tokenKeys) apitest.Option {
	t.Helper()
	var file []byte
	file = append(file, pubPEM(t, kidRSA, &k.rsa.PublicKey)...)
	file = append(file, pubPEM(t, kidEC, &k.ec.PublicKey)...)
	file = append(file, pubPEM(t, kidEd, k.ed.Public())...)
	ks, err := auth.ParseKeySet(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.VerifierConfig{
		Secret: []byte(apitest.Secret), Keys: ks,
		OwnKey: k.own.Public().(ed25519.PublicKey), OwnKeyID: kidOwn,
		Issuer: "registre", Audience: "registre",
		MaxTTL: register.MaxTokenTTL, Leeway: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return func(c *server.Config) {
		c.Verifier = v
		c.Revoked = c.Service
	}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// craft assembles a token from raw JSON, so that a test can send what no
// JWT library would produce: duplicate members, wrong types, odd headers.
func craft(header, payload string, sign func(input string) []byte) string {
	input := b64url(header) + "." + b64url(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign(input))
}

func signWith(t *testing.T, m jwt.SigningMethod, key any) func(string) []byte {
	return func(input string) []byte {
		sig, err := m.Sign(input, key)
		if err != nil {
			t.Fatalf("sign %s: %v", m.Alg(), err)
		}
		return sig
	}
}

// claims returns a valid payload for a DPO of "geneve" with extra members
// added and the named ones left out.
func claims(extra string, omit ...string) string {
	now := time.Now().Unix()
	base := []struct{ name, value string }{
		{"sub", `"dora"`}, {"role", `"dpo"`}, {"org", `"geneve"`},
		{"iss", `"registre"`}, {"aud", `"registre"`},
		{"iat", fmt.Sprint(now)}, {"nbf", fmt.Sprint(now)}, {"exp", fmt.Sprint(now + 3600)},
		{"jti", `"forged-1"`},
	}
	var parts []string
	for _, m := range base {
		skip := false
		for _, o := range omit {
			skip = skip || o == m.name
		}
		if !skip {
			parts = append(parts, `"`+m.name+`":`+m.value)
		}
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func kidHeader(alg, kid string) string { return `{"alg":"` + alg + `","kid":"` + kid + `"}` }

// TestForgedTokensOverHTTP sends forged, malformed and expired tokens to an
// API route of a server that trusts every kind of key at once: each gets the
// same 401 with the invalid_token challenge, and the service keeps answering.
func TestForgedTokensOverHTTP(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		k := newTokenKeys(t)
		e := apitest.Start(t, db, withAllKeys(t, k))
		e.Seed("geneve")
		now := time.Now().Unix()
		const hsHeader = `{"alg":"HS256","typ":"JWT"}`
		hs := signWith(t, jwt.SigningMethodHS256, []byte(apitest.Secret))
		rs := signWith(t, jwt.SigningMethodRS256, k.rsa)
		es := signWith(t, jwt.SigningMethodES256, k.ec)
		ed := signWith(t, jwt.SigningMethodEdDSA, k.ed)
		own := signWith(t, jwt.SigningMethodEdDSA, k.own)
		valid := craft(hsHeader, claims(""), hs)
		segs := strings.Split(valid, ".")

		// Controls: the same construction with nothing wrong is accepted,
		// for every kind of key, so each refusal below is the rule's doing.
		for name, tok := range map[string]string{
			"HS256": valid,
			"RS256": craft(kidHeader("RS256", kidRSA), claims(""), rs),
			"ES256": craft(kidHeader("ES256", kidEC), claims(""), es),
			"EdDSA": craft(kidHeader("EdDSA", kidEd), claims(""), ed),
			"Own":   craft(kidHeader("EdDSA", kidOwn), claims(""), own),
		} {
			if r := e.Do("GET", "/api/v1/organisations", tok, nil); r.Status != 200 {
				t.Fatalf("control %s: got %d, want 200: %s", name, r.Status, r.Body)
			}
		}

		forged := []struct{ name, token string }{
			{"AlgNoneEmptySignature", craft(`{"alg":"none"}`, claims(""), func(string) []byte { return nil })},
			{"AlgNone", craft(`{"alg":"none"}`, claims(""), hs)},
			{"AlgNoneCapitalised", craft(`{"alg":"None"}`, claims(""), hs)},
			{"AlgNoneUpper", craft(`{"alg":"NONE"}`, claims(""), hs)},
			{"AlgNoneMixedCase", craft(`{"alg":"nOnE"}`, claims(""), hs)},
			{"AlgMissing", craft(`{"typ":"JWT"}`, claims(""), hs)},
			{"AlgHS512", craft(`{"alg":"HS512"}`, claims(""), signWith(t, jwt.SigningMethodHS512, []byte(apitest.Secret)))},
			{"AlgPS256OnRSAKey", craft(kidHeader("PS256", kidRSA), claims(""), signWith(t, jwt.SigningMethodPS256, k.rsa))},
			{"WrongSecret", craft(hsHeader, claims(""), signWith(t, jwt.SigningMethodHS256, []byte("another-secret-that-is-32-bytes-long!")))},
			{"TamperedPayload", segs[0] + "." + b64url(claims(`"units":["x"]`)) + "." + segs[2]},
			{"KeyConfusionHS256WithRSAPublicPEM", craft(hsHeader, claims(""), signWith(t, jwt.SigningMethodHS256, k.rsaPubPEM))},
			{"KeyConfusionHS256WithRSAPublicPEMAndKid", craft(kidHeader("HS256", kidRSA), claims(""), signWith(t, jwt.SigningMethodHS256, k.rsaPubPEM))},
			{"KeyConfusionHS256WithOwnKid", craft(kidHeader("HS256", kidOwn), claims(""), hs)},
			{"RS256WrongKey", craft(kidHeader("RS256", kidRSA), claims(""), signWith(t, jwt.SigningMethodRS256, k.attacker))},
			{"RS256UnknownKid", craft(kidHeader("RS256", "nobody"), claims(""), rs)},
			{"RS256WithoutKid", craft(`{"alg":"RS256"}`, claims(""), rs)},
			{"ES256HeaderOnRSAKid", craft(kidHeader("ES256", kidRSA), claims(""), es)},
			{"EdDSAHeaderOnECKid", craft(kidHeader("EdDSA", kidEC), claims(""), ed)},
			{"EdDSAOwnKidSignedByIdPKey", craft(kidHeader("EdDSA", kidOwn), claims(""), ed)},
			{"JkuHeaderAttackerKey", craft(`{"alg":"RS256","kid":"evil","jku":"https://evil.example/jwks.json"}`, claims(""), signWith(t, jwt.SigningMethodRS256, k.attacker))},
			{"CritHeader", craft(`{"alg":"HS256","crit":["exp"]}`, claims(""), hs)},
			{"ExpMissing", craft(hsHeader, claims("", "exp"), hs)},
			{"ExpString", craft(hsHeader, claims(fmt.Sprintf(`"exp":"%d"`, now+3600), "exp"), hs)},
			{"ExpZero", craft(hsHeader, claims(`"exp":0`, "exp", "iat", "nbf"), hs)},
			{"Expired", craft(hsHeader, claims(fmt.Sprintf(`"iat":%d,"nbf":%d,"exp":%d`, now-7200, now-7200, now-120), "exp", "iat", "nbf"), hs)},
			{"NbfInFuture", craft(hsHeader, claims(fmt.Sprintf(`"nbf":%d`, now+600), "nbf"), hs)},
			{"IatInFuture", craft(hsHeader, claims(fmt.Sprintf(`"iat":%d`, now+600), "iat"), hs)},
			{"LifetimeOverMaximum", craft(hsHeader, claims(fmt.Sprintf(`"exp":%d`, now+13*3600), "exp"), hs)},
			{"WrongIssuer", craft(hsHeader, claims(`"iss":"evil"`, "iss"), hs)},
			{"IssuerMissing", craft(hsHeader, claims("", "iss"), hs)},
			{"WrongAudience", craft(hsHeader, claims(`"aud":"evil"`, "aud"), hs)},
			{"SubMissing", craft(hsHeader, claims("", "sub"), hs)},
			{"RoleUnknown", craft(hsHeader, claims(`"role":"superuser"`, "role"), hs)},
			{"RoleCapitalised", craft(hsHeader, claims(`"role":"Admin"`, "role"), hs)},
			{"OrgUnknown", craft(hsHeader, claims(`"org":"lausanne"`, "org"), hs)},
			{"OrgMissing", craft(hsHeader, claims("", "org"), hs)},
			{"UnitsNotArray", craft(hsHeader, claims(`"role":"editor","units":"etat-civil"`, "role"), hs)},
			{"DuplicateClaimRole", craft(hsHeader, claims(`"role":"admin"`), hs)},
			{"CaseVariantClaimRole", craft(hsHeader, claims(`"Role":"admin"`), hs)},
			{"DuplicateHeaderAlg", craft(`{"alg":"HS256","alg":"none"}`, claims(""), hs)},
			{"PayloadArray", craft(hsHeader, `["sub","dora"]`, hs)},
			{"Oversized9KiB", craft(hsHeader, claims(`"pad":"`+strings.Repeat("A", 9<<10)+`"`), hs)},
			{"Oversized100KiB", craft(hsHeader, claims(`"pad":"`+strings.Repeat("A", 100<<10)+`"`), hs)},
			{"ManyDots", valid + strings.Repeat(".", 1000)},
			{"FourSegments", valid + ".AAAA"},
			{"TwoSegments", segs[0] + "." + segs[1]},
			{"Padding", segs[0] + "." + segs[1] + "." + segs[2] + "=="},
			{"NotAToken", "not-a-token"},
		}
		if len(forged) < 30 {
			t.Fatalf("only %d forged tokens", len(forged))
		}
		for _, tc := range forged {
			t.Run(tc.name, func(t *testing.T) {
				r := e.WithT(t).Do("GET", "/api/v1/organisations", tc.token, nil)
				if r.Status != 401 {
					t.Fatalf("got %d, want 401: %s", r.Status, r.Body)
				}
				if got := r.Header.Get("WWW-Authenticate"); !strings.Contains(got, `Bearer`) || !strings.Contains(got, `error="invalid_token"`) {
					t.Errorf("got WWW-Authenticate %q, want Bearer error=\"invalid_token\"", got)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("got Content-Type %q, want application/problem+json", ct)
				}
				body := r.Map(t)
				if body["detail"] != "a valid bearer token is required" || len(body) != 4 {
					t.Errorf("got body %s, want only the generic problem", r.Body)
				}
			})
		}
		// Still responsive, and nothing of the tokens went to the logs.
		e.Must(200, "GET", "/api/v1/organisations", valid, nil)
		logs := e.Logs.String()
		for _, tc := range forged {
			if len(tc.token) > 20 && strings.Contains(logs, tc.token[:min(len(tc.token), 60)]) {
				t.Errorf("%s: the token appears in the logs", tc.name)
			}
		}
	})
}
