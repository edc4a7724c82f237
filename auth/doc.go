// Package auth answers "who is calling?" and nothing more: what a role may
// do is decided by the register package, which receives a *Principal.
//
// # Tokens
//
// Verifier accepts a bearer JWT only when everything about it is expected;
// every refusal wraps ErrInvalidToken and never quotes the token.
//
//   - At most MaxTokenLength bytes, three non-empty segments of unpadded
//     base64url (no '=', no line breaks, no stray bits).
//   - Header and payload are each one JSON object, in valid UTF-8, with no
//     member name given twice, not even in another case: a second "role" or
//     a "Role" could mean something else to another parser of the same
//     token.
//   - The algorithm selects exactly one key, from configuration only:
//     HS256 with the shared secret (and never when the kid names a public
//     key), RS256/ES256/EdDSA with the KeySet key of that kid, each key
//     bound to the one algorithm of its type, and EdDSA with the service's
//     own key when kid is its id. "none" and everything else is refused.
//     jku, x5u, jwk and x5c are ignored; any crit is refused, as we
//     implement no JWS extension.
//   - exp is required, numeric and in the future; nbf and iat, when present,
//     are numeric and not in the future, all within a small leeway; the
//     lifetime exp-iat (or exp-now without iat) is at most MaxTTL, so a
//     stolen long-lived token is not honoured.
//   - iss and aud match the configuration, sub is a non-empty name, role is
//     one of the four roles spelt exactly, org is a slug for every role but
//     admin, units (editor only) is a list of slugs. Whether the
//     organisation exists is for the caller to check.
//
// Signature and standard claims are checked by golang-jwt; the rules above
// that it does not cover are checked here, on top.
//
// # Keys
//
// LoadKeySet reads PEM public keys or a JWKS document. A file that cannot be
// read as a whole is an error; inside a readable file, a key that cannot be
// used (weak RSA, unknown curve or algorithm, private material, a kid given
// twice) is left out and reported by KeySet.Skipped, for the caller to log,
// and the others make the set. Refusing the whole file would keep the keys
// of the previous file trusted, including those the provider removed. A
// readable file without a usable key is ErrNoSupportedKeys. Rotate by
// loading the new file and calling Verifier.SetKeys.
//
// # Passwords
//
// HashPassword stores argon2id PHC strings; CheckPassword compares in
// constant time, and DummyCheck spends the same time for unknown users so
// that a login does not reveal which accounts exist.
package auth
