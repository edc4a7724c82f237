package auth

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is wrapped by every verification failure, so that callers
// answer 401 on errors.Is without caring which rule the token broke.
var ErrInvalidToken = errors.New("invalid token")

// Algorithms in the allow-list, as they appear in the JWS "alg" header.
const (
	algHS256 = "HS256"
	algRS256 = "RS256"
	algES256 = "ES256"
	algEdDSA = "EdDSA"
)

const (
	// MaxTokenLength bounds the work any request can cause before a
	// signature is checked; real tokens of this service are under 1 KiB.
	MaxTokenLength = 8 << 10
	// MinSecretLength is the HS256 key size of RFC 7518 §3.2.
	MinSecretLength = 32
	// DefaultMaxTTL applies when VerifierConfig.MaxTTL is zero.
	DefaultMaxTTL = 24 * time.Hour
	// maxLeeway keeps a misconfigured skew from quietly extending every token.
	maxLeeway = 5 * time.Minute
	// maxNumericDate is 9999-12-31T23:59:59Z: beyond it time arithmetic on
	// float seconds stops being exact, and no honest token goes there.
	maxNumericDate = 253402300799
)

// VerifierConfig says which keys and claims a Verifier accepts. At least one
// of Secret, Keys and OwnKey must be set.
type VerifierConfig struct {
	Secret   []byte            // HS256, >= 32 bytes when set
	Keys     *KeySet           // public keys of an external IdP (RS256, ES256, EdDSA), chosen by kid
	OwnKey   ed25519.PublicKey // the service's own key (EdDSA), kid OwnKeyID
	OwnKeyID string
	Issuer   string           // required iss
	Audience string           // required aud
	MaxTTL   time.Duration    // upper bound on exp-iat (or exp-now without iat); 0 = DefaultMaxTTL
	Leeway   time.Duration    // clock skew allowed on nbf/iat/exp, at most 5 minutes
	Now      func() time.Time // nil = time.Now
}

// Verifier checks bearer tokens. It is safe for concurrent use, including
// concurrent SetKeys.
type Verifier struct {
	secret   []byte
	ownKey   ed25519.PublicKey
	ownKeyID string
	issuer   string
	audience string
	maxTTL   time.Duration
	leeway   time.Duration
	now      func() time.Time

	// keys changes as a whole on SetKeys, together with the parser whose
	// algorithm allow-list depends on it.
	keys atomic.Pointer[keyState]
}

type keyState struct {
	keys   *KeySet
	parser *jwt.Parser
}

// NewVerifier checks cfg and copies what it needs from it.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if cfg.Secret == nil && cfg.Keys.Len() == 0 && cfg.OwnKey == nil {
		return nil, errors.New("auth: verifier needs a secret, a key set or an own key")
	}
	if cfg.Secret != nil && len(cfg.Secret) < MinSecretLength {
		return nil, fmt.Errorf("auth: HS256 secret must be at least %d bytes", MinSecretLength)
	}
	if cfg.OwnKey != nil {
		if len(cfg.OwnKey) != ed25519.PublicKeySize {
			return nil, errors.New("auth: own key is not an Ed25519 public key")
		}
		if !validName(cfg.OwnKeyID) {
			return nil, errors.New("auth: own key needs a key id")
		}
	}
	if cfg.Issuer == "" || cfg.Audience == "" {
		return nil, errors.New("auth: verifier needs an issuer and an audience")
	}
	if cfg.MaxTTL < 0 {
		return nil, errors.New("auth: negative MaxTTL")
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxLeeway {
		return nil, fmt.Errorf("auth: leeway must be between 0 and %v", maxLeeway)
	}
	v := &Verifier{
		secret:   bytes.Clone(cfg.Secret),
		ownKey:   bytes.Clone(cfg.OwnKey),
		ownKeyID: cfg.OwnKeyID,
		issuer:   cfg.Issuer,
		audience: cfg.Audience,
		maxTTL:   cfg.MaxTTL,
		leeway:   cfg.Leeway,
		now:      cfg.Now,
	}
	if v.maxTTL == 0 {
		v.maxTTL = DefaultMaxTTL
	}
	if v.now == nil {
		v.now = time.Now
	}
	if err := v.SetKeys(cfg.Keys); err != nil {
		return nil, err
	}
	return v, nil
}

// SetKeys replaces the external key set, for instance after the key file was
// rotated; tokens signed by keys no longer in ks are refused from then on.
// A nil ks removes all external keys, which is refused when the verifier
// would be left with no key at all.
func (v *Verifier) SetKeys(ks *KeySet) error {
	if v.secret == nil && v.ownKey == nil && ks.Len() == 0 {
		return errors.New("auth: verifier would have no key left")
	}
	if v.ownKey != nil {
		if _, clash := ks.lookup(v.ownKeyID); clash {
			return errors.New("auth: the key set reuses the own key's id")
		}
	}
	var methods []string
	if v.secret != nil {
		methods = append(methods, algHS256)
	}
	if v.ownKey != nil {
		methods = append(methods, algEdDSA)
	}
	for _, alg := range ks.algorithms() {
		if !slices.Contains(methods, alg) {
			methods = append(methods, alg)
		}
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods(methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(v.issuer),
		jwt.WithAudience(v.audience),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(v.leeway),
		jwt.WithTimeFunc(v.now),
		jwt.WithStrictDecoding(),
	)
	v.keys.Store(&keyState{keys: ks, parser: parser})
	return nil
}

// Verify returns the principal of a valid token. Every error wraps
// ErrInvalidToken and names the broken rule, never a value from the token.
func (v *Verifier) Verify(token string) (*Principal, error) {
	p, err := v.verify(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return p, nil
}

func (v *Verifier) verify(token string) (*Principal, error) {
	if token == "" {
		return nil, errors.New("empty token")
	}
	if len(token) > MaxTokenLength {
		return nil, errors.New("token too long")
	}
	if strings.Count(token, ".") != 2 {
		return nil, errors.New("token is not three dot-separated segments")
	}
	segs := strings.Split(token, ".")
	for _, s := range segs {
		if s == "" {
			return nil, errors.New("empty token segment")
		}
	}
	header, err := decodeSegment(segs[0])
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	payload, err := decodeSegment(segs[1])
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if _, err := decodeSegment(segs[2]); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if err := checkStrictObject(header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if err := checkStrictObject(payload); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	alg, kid, err := parseHeader(header)
	if err != nil {
		return nil, err
	}

	// Read once, so that the key and the allow-list come from the same set
	// even when SetKeys runs concurrently.
	st := v.keys.Load()
	if st == nil {
		return nil, errors.New("verifier not built by NewVerifier")
	}
	key, err := v.selectKey(st.keys, alg, kid)
	if err != nil {
		return nil, err
	}
	tok, err := st.parser.ParseWithClaims(token, jwt.MapClaims{}, func(t *jwt.Token) (any, error) {
		// golang-jwt found the method from the same header; a mismatch
		// would mean the two parses disagree, which we refuse to guess at.
		if t.Method == nil || t.Method.Alg() != alg {
			return nil, errors.New("algorithm changed between parses")
		}
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	claims, ok := tok.Claims.(jwt.MapClaims)
	if !ok {
		return nil, errors.New("unexpected claims type")
	}
	return v.principal(claims)
}

// parseHeader reads only alg, kid and crit. jku, x5u, jwk and x5c are never
// looked at: keys come from configuration, not from the token they vouch for.
func parseHeader(data []byte) (alg, kid string, err error) {
	var h map[string]any
	if err := json.Unmarshal(data, &h); err != nil {
		return "", "", errors.New("header: malformed JSON")
	}
	// We implement no JWS extension, so whatever crit lists is unknown to
	// us, and RFC 7515 §4.1.11 forbids an empty list.
	if _, ok := h["crit"]; ok {
		return "", "", errors.New("header: crit is not supported")
	}
	alg, ok := h["alg"].(string)
	if !ok {
		return "", "", errors.New("header: alg missing or not a string")
	}
	if raw, present := h["kid"]; present {
		if kid, ok = raw.(string); !ok || !validName(kid) {
			return "", "", errors.New("header: malformed kid")
		}
	}
	return alg, kid, nil
}

// selectKey maps alg+kid to exactly one key and refuses every other pairing,
// which is what stops algorithm confusion: an HS256 token is only ever
// checked against the secret, an RS256 one only against an RSA key, and so on.
func (v *Verifier) selectKey(ks *KeySet, alg, kid string) (any, error) {
	switch alg {
	case algHS256:
		if v.secret == nil {
			return nil, errors.New("algorithm not accepted")
		}
		// A kid naming a public key says the sender thinks of that key:
		// the classic "HMAC with the RSA public key" forgery.
		if _, named := ks.lookup(kid); named || (v.ownKey != nil && kid == v.ownKeyID) {
			return nil, errors.New("HS256 token names a public key")
		}
		return v.secret, nil
	case algRS256, algES256, algEdDSA:
		if kid == "" {
			return nil, errors.New("kid required for public-key algorithms")
		}
		if alg == algEdDSA && v.ownKey != nil && kid == v.ownKeyID {
			return v.ownKey, nil
		}
		k, ok := ks.lookup(kid)
		if !ok {
			return nil, errors.New("unknown kid")
		}
		if k.alg != alg {
			return nil, errors.New("algorithm does not match the key")
		}
		return k.key, nil
	default:
		return nil, errors.New("algorithm not accepted")
	}
}

// principal applies the rules golang-jwt leaves to us. Claim names are
// matched exactly because MapClaims is a plain map.
func (v *Verifier) principal(c jwt.MapClaims) (*Principal, error) {
	exp, err := numericDate(c, "exp")
	if err != nil {
		return nil, err
	}
	if exp <= 0 {
		return nil, errors.New("exp missing or zero")
	}
	if _, err := numericDate(c, "nbf"); err != nil {
		return nil, err
	}
	iat, err := numericDate(c, "iat")
	if err != nil {
		return nil, err
	}
	maxTTL := v.maxTTL.Seconds()
	if _, hasIat := c["iat"]; hasIat {
		if exp < iat {
			return nil, errors.New("exp before iat")
		}
		if exp-iat > maxTTL {
			return nil, errors.New("lifetime exceeds the maximum")
		}
	} else {
		// Without iat the lifetime is unknown; bound what is left of it,
		// allowing for the issuer's clock being ahead of ours.
		now := float64(v.now().UnixNano()) / 1e9
		if exp-now > maxTTL+v.leeway.Seconds() {
			return nil, errors.New("lifetime exceeds the maximum")
		}
	}

	sub, ok := c["sub"].(string)
	if !ok || !validName(sub) {
		return nil, errors.New("sub missing or malformed")
	}
	rs, ok := c["role"].(string)
	if !ok {
		return nil, errors.New("role missing or not a string")
	}
	role, err := ParseRole(rs)
	if err != nil {
		return nil, errors.New("unknown role")
	}
	p := &Principal{
		Subject:   sub,
		Role:      role,
		ExpiresAt: numericTime(exp),
	}
	if _, hasIat := c["iat"]; hasIat {
		p.IssuedAt = numericTime(iat)
	}
	if role != RoleAdmin {
		org, ok := c["org"].(string)
		if !ok || !validSlug(org) {
			return nil, errors.New("org missing or not a slug")
		}
		p.Org = org
	}
	if raw, present := c["units"]; present {
		units, err := slugList(raw)
		if err != nil {
			return nil, err
		}
		if role == RoleEditor {
			p.Units = units
		}
	}
	if raw, present := c["jti"]; present {
		jti, ok := raw.(string)
		if !ok || !validName(jti) {
			return nil, errors.New("jti malformed")
		}
		p.TokenID = jti
	}
	return p, nil
}

// numericDate returns claim name as seconds since the epoch, 0 when absent.
// golang-jwt has already refused non-numbers; the range check is ours.
func numericDate(c jwt.MapClaims, name string) (float64, error) {
	raw, present := c[name]
	if !present {
		return 0, nil
	}
	f, ok := raw.(float64)
	if !ok || f < 0 || f > maxNumericDate || math.IsNaN(f) {
		return 0, fmt.Errorf("%s is not a NumericDate", name)
	}
	return f, nil
}

func numericTime(sec float64) time.Time {
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC()
}

func slugList(raw any) ([]string, error) {
	list, ok := raw.([]any)
	if !ok {
		return nil, errors.New("units is not an array")
	}
	units := make([]string, 0, len(list))
	for _, u := range list {
		s, ok := u.(string)
		if !ok || !validSlug(s) {
			return nil, errors.New("units holds something other than a slug")
		}
		units = append(units, s)
	}
	return units, nil
}
