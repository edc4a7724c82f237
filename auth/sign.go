package auth

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Signer issues access tokens that this package's Verifier accepts.
type Signer interface {
	// Issue signs a token for p valid from now for ttl. It sets sub, role,
	// org (not for admin), units (editor only), iss, aud, iat, nbf, exp and a
	// random jti; expiresAt is exp as the verifier will read it.
	Issue(p Principal, ttl time.Duration, now time.Time) (token string, expiresAt time.Time, err error)
}

// NewHS256Signer signs with a shared secret of at least 32 bytes.
func NewHS256Signer(secret []byte, issuer, audience string) (Signer, error) {
	if len(secret) < MinSecretLength {
		return nil, errors.New("auth: HS256 secret must be at least 32 bytes")
	}
	if issuer == "" || audience == "" {
		return nil, errors.New("auth: signer needs an issuer and an audience")
	}
	return &signer{
		method:   jwt.SigningMethodHS256,
		key:      bytes.Clone(secret),
		issuer:   issuer,
		audience: audience,
	}, nil
}

// NewEd25519Signer signs with the service's own key; kid goes into every
// header so that verifiers can tell it from IdP keys.
func NewEd25519Signer(priv ed25519.PrivateKey, kid, issuer, audience string) (Signer, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, errors.New("auth: not an Ed25519 private key")
	}
	if !validName(kid) {
		return nil, errors.New("auth: Ed25519 signer needs a key id")
	}
	if issuer == "" || audience == "" {
		return nil, errors.New("auth: signer needs an issuer and an audience")
	}
	return &signer{
		method:   jwt.SigningMethodEdDSA,
		key:      ed25519.PrivateKey(bytes.Clone(priv)),
		kid:      kid,
		issuer:   issuer,
		audience: audience,
	}, nil
}

type signer struct {
	method   jwt.SigningMethod
	key      any
	kid      string
	issuer   string
	audience string
}

func (s *signer) Issue(p Principal, ttl time.Duration, now time.Time) (string, time.Time, error) {
	if !validName(p.Subject) {
		return "", time.Time{}, errors.New("auth: issue: subject missing or malformed")
	}
	if !p.Role.Valid() {
		return "", time.Time{}, ErrInvalidRole
	}
	if p.Role != RoleAdmin && !validSlug(p.Org) {
		return "", time.Time{}, errors.New("auth: issue: org missing or not a slug")
	}
	// Sub-second lifetimes would round to an already expired token.
	if ttl < time.Second {
		return "", time.Time{}, errors.New("auth: issue: ttl under one second")
	}
	if now.IsZero() {
		return "", time.Time{}, errors.New("auth: issue: zero time")
	}
	jti, err := newTokenID()
	if err != nil {
		return "", time.Time{}, err
	}
	iat := now.Unix()
	exp := now.Add(ttl).Unix()
	claims := jwt.MapClaims{
		"sub":  p.Subject,
		"role": string(p.Role),
		"iss":  s.issuer,
		"aud":  s.audience,
		"iat":  iat,
		"nbf":  iat,
		"exp":  exp,
		"jti":  jti,
	}
	if p.Role != RoleAdmin {
		claims["org"] = p.Org
	}
	if p.Role == RoleEditor && len(p.Units) > 0 {
		for _, u := range p.Units {
			if !validSlug(u) {
				return "", time.Time{}, errors.New("auth: issue: unit is not a slug")
			}
		}
		claims["units"] = p.Units
	}
	tok := jwt.NewWithClaims(s.method, claims)
	if s.kid != "" {
		tok.Header["kid"] = s.kid
	}
	signed, err := tok.SignedString(s.key)
	if err != nil {
		return "", time.Time{}, err
	}
	return signed, time.Unix(exp, 0).UTC(), nil
}

// newTokenID returns 128 random bits, enough that ids never collide and a
// revocation list can key on them.
func newTokenID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
