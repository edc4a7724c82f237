package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed" // the list of common passwords
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Argon2id parameters: the OWASP Password Storage Cheat Sheet's first
// option (19 MiB, 2 passes, 1 lane), about 30 ms on a server core; slow for
// a guesser, bearable for a login. Stored hashes carry their parameters, so
// raising these later leaves old hashes readable.
const (
	argonMemory  = 19456 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Bounds on the parameters of stored hashes: a damaged or hostile row must
// not make one login allocate gigabytes or loop for minutes.
const (
	maxArgonMemory  = 256 << 10 // KiB, 256 MiB
	maxArgonTime    = 16
	maxArgonThreads = 16
)

// MinPasswordLength is the API's minimum, counted in characters (runes).
const MinPasswordLength = 12

// MaxPasswordLength (bytes) keeps a request from hashing a megabyte.
const MaxPasswordLength = 1024

// Errors of HashPassword, for callers that turn them into a 422.
var (
	ErrPasswordTooShort = errors.New("password shorter than 12 characters")
	ErrPasswordTooLong  = errors.New("password longer than 1024 bytes")
)

// phcB64 is the PHC string format's base64: standard alphabet, no padding.
func phcB64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

// decodePHCB64 refuses the line breaks that encoding/base64 would skip, so
// that a stored hash has exactly one accepted spelling.
func decodePHCB64(s string) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '+' && c != '/' {
			return nil, false
		}
	}
	b, err := phcB64().DecodeString(s)
	return b, err == nil
}

// NormalizePassword returns the form a password is hashed in: Unicode NFC.
// "é" typed as one code point or as "e" and a combining accent is the same
// password to its owner; keyboards, operating systems and browsers do not
// agree on which they send.
func NormalizePassword(password string) string { return norm.NFC.String(password) }

// HashPassword returns an argon2id PHC string with a fresh 16-byte salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, of the password in NFC.
func HashPassword(password string) (string, error) {
	password = NormalizePassword(password)
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", ErrPasswordTooShort
	}
	if len(password) > MaxPasswordLength {
		return "", ErrPasswordTooLong
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return "$argon2id$v=19$m=" + strconv.Itoa(argonMemory) +
		",t=" + strconv.Itoa(argonTime) +
		",p=" + strconv.Itoa(argonThreads) +
		"$" + phcB64().EncodeToString(salt) +
		"$" + phcB64().EncodeToString(key), nil
}

// passwordForms are the spellings a password is checked in: NFC, which
// HashPassword hashes, and, when it differs, NFD, for hashes made before
// passwords were normalised from input that arrived decomposed (macOS
// keyboards). Input in one of the two forms matches a hash of either. The
// second check depends only on the input, never on the account, so it tells
// an attacker nothing; DummyCheck does the same work.
func passwordForms(password string) []string {
	nfc := NormalizePassword(password)
	if nfd := norm.NFD.String(password); nfd != nfc {
		return []string{nfc, nfd}
	}
	return []string{nfc}
}

// CheckPassword reports whether password matches encoded, a string from
// HashPassword. Anything malformed is simply false: the caller's answer to
// the user must not differ.
func CheckPassword(encoded, password string) bool {
	h, ok := parsePHC(encoded)
	if !ok {
		return false
	}
	match := false
	for _, form := range passwordForms(password) {
		key := argon2.IDKey([]byte(form), h.salt, h.time, h.memory, h.threads, uint32(len(h.key)))
		if subtle.ConstantTimeCompare(key, h.key) == 1 {
			match = true
		}
	}
	return match
}

// DummyCheck does the work of a CheckPassword against a hash with the
// current parameters, so that a login for an unknown user takes as long as
// one for a known user with a wrong password.
func DummyCheck(password string) {
	// A fixed salt is fine: the result is thrown away.
	salt := []byte("registre-dummy-s")
	for _, form := range passwordForms(password) {
		_ = argon2.IDKey([]byte(form), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	}
}

// commonPasswords is the embedded list of common passwords, one a line,
// lowercase; see the file's header for its source and licence.
//
//go:embed common_passwords.txt
var commonPasswords string

// minDistinctRunes refuses "            " and "aaaaaaaaaaaa".
const minDistinctRunes = 5

// keyboardRuns are sequences people type instead of a password: digits
// (with 9 followed by 0 again), the alphabet, and the letter rows of the
// QWERTY, QWERTZ (Swiss) and AZERTY (French) keyboards.
// Space-separated; each run is written twice so that wrapping counts.
const keyboardRuns = "01234567890123456789012345678901234567890" +
	" abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz" +
	" qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm" +
	" qwertzuiopasdfghjklyxcvbnmqwertzuiopasdfghjklyxcvbnm" +
	" azertyuiopqsdfghjklmwxcvbnazertyuiopqsdfghjklmwxcvbn"

// PasswordProblem says why password may not be chosen by the account
// username, or returns "". The rule (docs/security.md, "Passwords"), on the
// password in NFC:
//   - 12 to 1024 bytes' worth: at least MinPasswordLength characters, at
//     most MaxPasswordLength bytes;
//   - at least 5 different characters, not only spaces;
//   - not the username, and not containing it (names of 4 characters or
//     more, or the part before '@' of an e-mail-like name), in any case;
//   - not a common password, in any case, even with digits or punctuation
//     added before or after ("Sunshine2024!" is "sunshine");
//   - not a run of the keyboard, the alphabet or the digits
//     ("123456789012", "qwertzuiopas"), forwards or backwards.
func PasswordProblem(password, username string) string {
	pw := NormalizePassword(password)
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return "must be at least " + strconv.Itoa(MinPasswordLength) + " characters long"
	case len(pw) > MaxPasswordLength:
		return "must be at most " + strconv.Itoa(MaxPasswordLength) + " bytes long"
	case strings.TrimSpace(pw) == "":
		return "must not be only spaces"
	case distinctRunes(pw) < minDistinctRunes:
		return "must use at least " + strconv.Itoa(minDistinctRunes) + " different characters"
	}
	lower := strings.ToLower(pw)
	if name := strings.ToLower(username); name != "" {
		local, _, _ := strings.Cut(name, "@")
		if lower == name || (len(name) >= 4 && strings.Contains(lower, name)) ||
			(len(local) >= 4 && strings.Contains(lower, local)) {
			return "must not be or contain the username"
		}
	}
	core := strings.TrimFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	if isCommonPassword(lower) || (utf8.RuneCountInString(core) >= 4 && isCommonPassword(core)) {
		return "is too common: it is among the passwords tried first"
	}
	compact := strings.Join(strings.Fields(lower), "")
	for _, run := range strings.Fields(keyboardRuns) {
		if strings.Contains(run, compact) || strings.Contains(run, reverse(compact)) {
			return "must not be a run of the keyboard, the alphabet or the digits"
		}
	}
	return ""
}

func isCommonPassword(s string) bool {
	return strings.Contains(commonPasswords, "\n"+s+"\n")
}

func distinctRunes(s string) int {
	seen := make(map[rune]struct{}, minDistinctRunes)
	for _, r := range s {
		seen[r] = struct{}{}
		if len(seen) >= minDistinctRunes {
			break
		}
	}
	return len(seen)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}

type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parsePHC(s string) (phc, bool) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return phc{}, false
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return phc{}, false
	}
	m, okM := phcParam(params[0], "m=", maxArgonMemory)
	t, okT := phcParam(params[1], "t=", maxArgonTime)
	p, okP := phcParam(params[2], "p=", maxArgonThreads)
	// Argon2 needs at least 8 KiB of memory per lane.
	if !okM || !okT || !okP || m < 8*p {
		return phc{}, false
	}
	salt, ok := decodePHCB64(parts[4])
	if !ok || len(salt) < 8 || len(salt) > 64 {
		return phc{}, false
	}
	key, ok := decodePHCB64(parts[5])
	if !ok || len(key) < 16 || len(key) > 64 {
		return phc{}, false
	}
	return phc{memory: m, time: t, threads: uint8(p), salt: salt, key: key}, true
}

// phcParam parses "name=N" with 1 <= N <= limit, in decimal without signs
// or leading zeros, so that one hash has one spelling.
func phcParam(s, prefix string, limit uint32) (uint32, bool) {
	digits, ok := strings.CutPrefix(s, prefix)
	if !ok || digits == "" || len(digits) > 10 || digits[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	if err != nil || n < 1 || n > uint64(limit) {
		return 0, false
	}
	return uint32(n), true
}

// passwordAlphabet leaves out characters that are easily misread when a
// one-time password is copied from a terminal: 0/O, 1/l/I.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// generatedPasswordLength characters of a 57-letter alphabet give about 116
// bits, beyond guessing even without the slow hash.
const generatedPasswordLength = 20

// GeneratePassword returns a random password for one-time use.
func GeneratePassword() (string, error) {
	// Rejection sampling: bytes at or above the largest multiple of the
	// alphabet size would favour the first letters.
	const limit = 256 - 256%len(passwordAlphabet)
	out := make([]byte, 0, generatedPasswordLength)
	var buf [64]byte
	for len(out) < generatedPasswordLength {
		if _, err := rand.Read(buf[:]); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < generatedPasswordLength {
				out = append(out, passwordAlphabet[int(b)%len(passwordAlphabet)])
			}
		}
	}
	return string(out), nil
}
