package auth

import (
	"golang.org/x/crypto/argon2"

	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	const pw = "correct horse battery staple"
	h1, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(h1, want) {
		t.Errorf("got hash %q, want prefix %q", h1, want)
	}
	if !CheckPassword(h1, pw) {
		t.Errorf("right password: got false, want true")
	}
	for _, wrong := range []string{"correct horse battery stapl", "Correct horse battery staple", "", pw + " "} {
		if CheckPassword(h1, wrong) {
			t.Errorf("wrong password %q: got true, want false", wrong)
		}
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Errorf("got the same hash twice, want different salts")
	}
	if !CheckPassword(h2, pw) {
		t.Errorf("second hash: got false, want true")
	}
}

func TestHashPasswordRefusesLength(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		pw   string
		want error
	}{
		{"Eleven", "abcdefghijk", ErrPasswordTooShort},
		{"ElevenRunesManyBytes", "ééééééééééé", ErrPasswordTooShort},
		{"TooLong", strings.Repeat("a", MaxPasswordLength+1), ErrPasswordTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := HashPassword(tc.pw); !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := HashPassword("twelve chars"); err != nil {
		t.Errorf("12 characters: got error %v, want none", err)
	}
}

func TestCheckPasswordMalformedIsFalse(t *testing.T) {
	t.Parallel()
	good, err := HashPassword("a fine long password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	cases := []struct{ name, enc string }{
		{"Empty", ""},
		{"Dollar", "$"},
		{"Bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"Argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"Version16", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"ParamsOutOfOrder", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key},
		{"ParamLeadingZero", "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key},
		{"ParamNegative", "$argon2id$v=19$m=19456,t=-2,p=1$" + salt + "$" + key},
		{"ParamZeroTime", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key},
		{"ParamZeroThreads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
		{"ParamHugeMemory", "$argon2id$v=19$m=4294967295,t=2,p=1$" + salt + "$" + key},
		{"ParamOverflow", "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key},
		{"ParamHugeTime", "$argon2id$v=19$m=19456,t=100000,p=1$" + salt + "$" + key},
		{"MemoryBelowLanes", "$argon2id$v=19$m=8,t=2,p=4$" + salt + "$" + key},
		{"MissingParams", "$argon2id$v=19$" + salt + "$" + key},
		{"ExtraField", good + "$x"},
		{"SaltPadded", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key},
		{"SaltNotBase64", "$argon2id$v=19$m=19456,t=2,p=1$!!!!$" + key},
		{"SaltTooShort", "$argon2id$v=19$m=19456,t=2,p=1$AAAA$" + key},
		{"KeyEmpty", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$"},
		{"KeyTooShort", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$AAAA"},
		{"KeyTruncated", good[:len(good)-1]},
		{"NoLeadingDollar", good[1:]},
		{"Whitespace", good + "\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if CheckPassword(tc.enc, "a fine long password") {
				t.Errorf("got true, want false")
			}
		})
	}
}

// TestDummyCheckTakesAsLongAsCheckPassword keeps the timing promise in a
// coarse form that a loaded machine does not break: within a factor of 3.
func TestDummyCheckTakesAsLongAsCheckPassword(t *testing.T) {
	enc, err := HashPassword("a fine long password")
	if err != nil {
		t.Fatal(err)
	}
	timeIt := func(f func()) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	check := timeIt(func() { CheckPassword(enc, "a wrong long password") })
	dummy := timeIt(func() { DummyCheck("a wrong long password") })
	if dummy*3 < check || check*3 < dummy {
		t.Errorf("got CheckPassword %v and DummyCheck %v, want them within a factor of 3", check, dummy)
	}
}

func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 50 {
		pw, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 20 {
			t.Errorf("got %q of %d characters, want 20", pw, len(pw))
		}
		if strings.Trim(pw, passwordAlphabet) != "" {
			t.Errorf("got %q, want only characters of %q", pw, passwordAlphabet)
		}
		if seen[pw] {
			t.Errorf("got %q twice, want random passwords", pw)
		}
		seen[pw] = true
	}
	pw, err := GeneratePassword()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := HashPassword(pw); err != nil {
		t.Errorf("hashing a generated password: got error %v, want none", err)
	}
}

func TestPasswordProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, password, username string
		bad                      bool
	}{
		{"OKPassphrase", "violet tram Carouge 1987", "alice", false},
		{"OKRandom", "kT7#pQ2!vX9z", "alice", false},
		{"ErrTooShort", "kT7#pQ2!vX9", "alice", true},
		{"ErrTwelveSpaces", strings.Repeat(" ", 12), "alice", true},
		{"ErrFewDistinct", "abababababab", "alice", true},
		{"ErrUsername", "alice.martin", "alice.martin", true},
		{"ErrUsernameOtherCase", "ALICE.MARTIN", "alice.martin", true},
		{"ErrContainsUsername", "xxalice.martin!", "alice.martin", true},
		{"ErrContainsEmailLocalPart", "bob.dupont-2026", "bob.dupont@ge.ch", true},
		{"ErrCommonListed", "password1234", "alice", true},
		{"ErrCommonWithSuffix", "Sunshine2024!!", "alice", true},
		{"ErrDigitRun", "123456789012", "alice", true},
		{"ErrDigitRunBackwards", "210987654321", "alice", true},
		{"ErrKeyboardRun", "qwertzuiopas", "alice", true},
		{"ErrAlphabetRun", "abcdefghijkl", "alice", true},
		{"ErrTooLong", strings.Repeat("kT7#pQ2!", 200), "alice", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PasswordProblem(tc.password, tc.username)
			if (got != "") != tc.bad {
				t.Errorf("PasswordProblem(%q) = %q, want bad=%v", tc.name, got, tc.bad)
			}
		})
	}
}

// TestPasswordNFCAndNFDAreOnePassword: a password set in one normal form is
// accepted when typed in the other, both for new hashes (made from NFC) and
// for hashes made before normalisation from decomposed input.
func TestPasswordNFCAndNFDAreOnePassword(t *testing.T) {
	t.Parallel()
	const nfc = "d\u00e9j\u00e0 vu \u00e0 Gen\u00e8ve"
	const nfd = "de\u0301ja\u0300 vu a\u0300 Gene\u0300ve"
	h, err := HashPassword(nfd)
	if err != nil {
		t.Fatal(err)
	}
	for _, typed := range []string{nfc, nfd} {
		if !CheckPassword(h, typed) {
			t.Errorf("hash of the NFD spelling refuses %+q", typed)
		}
	}
	// A hash made of the raw NFD bytes, as before this change.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(nfd), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	old := "$argon2id$v=19$m=19456,t=2,p=1$" + phcB64().EncodeToString(salt) + "$" + phcB64().EncodeToString(key)
	for _, typed := range []string{nfc, nfd} {
		if !CheckPassword(old, typed) {
			t.Errorf("old NFD hash refuses %+q", typed)
		}
	}
	if CheckPassword(old, "deja vu a Geneve") {
		t.Error("old hash accepts the password without accents")
	}
}
