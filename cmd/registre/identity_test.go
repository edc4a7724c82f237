package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
)

// lockedBuffer collects what a command writes while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving is an in-process `registre serve` whose whole stderr is kept.
type serving struct {
	base   string
	stderr *lockedBuffer
	stop   func()
}

// serveCapture runs `registre serve` in-process like startServe, keeping
// everything it writes to stderr; stop ends it (also at the end of t).
func serveCapture(t *testing.T, env map[string]string, args ...string) *serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...),
			func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, out)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("serve did not stop")
			}
		})
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := addrRE.FindStringSubmatch(out.String()); m != nil {
			return &serving{base: "http://" + m[1], stderr: out, stop: stop}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before listening: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not start:\n%s", out.String())
	return nil
}

// call sends a JSON request and returns the status and body.
func call(t *testing.T, method, url, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func mustCall(t *testing.T, want int, method, url, token string, body any) []byte {
	t.Helper()
	status, b := call(t, method, url, token, body)
	if status != want {
		t.Fatalf("%s %s: got %d, want %d: %s", method, url, status, want, b)
	}
	return b
}

func loginToken(t *testing.T, base, user, pw string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(mustCall(t, 200, "POST", base+"/api/v1/auth/login", "", map[string]string{"username": user, "password": pw}), &out); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

// cli runs a command in-process and returns its stdout, stderr and error.
func cli(env map[string]string, stdin string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

var firstPasswordRE = regexp.MustCompile(`one-time password:\s+(\S+)`)

// TestFirstStartLoginRestart runs serve twice on the same database: the
// first run creates the administrator and prints its password once; the
// second keeps the self-generated key (tokens of the first run still work),
// keeps revocations, and prints no password. Nothing secret reaches stderr
// besides that one line.
func TestFirstStartLoginRestart(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		env := map[string]string{"REGISTRE_DB": dsn, "REGISTRE_LOG_LEVEL": "debug"}
		s1 := serveCapture(t, env)
		m := firstPasswordRE.FindStringSubmatch(s1.stderr.String())
		if m == nil {
			t.Fatalf("no one-time password on stderr:\n%s", s1.stderr.String())
		}
		adminPW := m[1]
		admin := loginToken(t, s1.base, "admin", adminPW)
		mustCall(t, 201, "POST", s1.base+"/api/v1/organisations", admin, map[string]string{"slug": "geneve", "name": "Ville de Genève"})
		const dpoPW = "a-long-dpo-password-42"
		mustCall(t, 201, "POST", s1.base+"/api/v1/users", admin, map[string]string{"username": "dora", "password": dpoPW, "role": "dpo", "org": "geneve"})
		dora := loginToken(t, s1.base, "dora", dpoPW)
		doraOut := loginToken(t, s1.base, "dora", dpoPW)
		mustCall(t, 204, "POST", s1.base+"/api/v1/auth/logout", doraOut, nil)
		mustCall(t, 401, "GET", s1.base+"/api/v1/organisations/geneve", doraOut, nil)
		// `registre token` signs with the key serve uses, from the database.
		script, _, err := cli(env, "", "token", "--sub", "backup-script", "--role", "auditor", "--org", "geneve", "--ttl", "30m")
		if err != nil {
			t.Fatal(err)
		}
		script = strings.TrimSpace(script)
		mustCall(t, 200, "GET", s1.base+"/api/v1/organisations/geneve", script, nil)
		if hdr := tokenHeader(t, admin); hdr["alg"] != "EdDSA" || !strings.HasPrefix(hdr["kid"].(string), "registre-") {
			t.Fatalf("login token header %v, want EdDSA with the own kid", hdr)
		}
		s1.stop()

		s2 := serveCapture(t, env)
		if strings.Contains(s2.stderr.String(), "one-time password") {
			t.Fatalf("second start printed a password:\n%s", s2.stderr.String())
		}
		for name, tok := range map[string]string{"admin": admin, "dora": dora, "script": script} {
			if status, b := call(t, "GET", s2.base+"/api/v1/organisations/geneve", tok, nil); status != 200 {
				t.Errorf("%s's token after restart: got %d: %s", name, status, b)
			}
		}
		mustCall(t, 401, "GET", s2.base+"/api/v1/organisations/geneve", doraOut, nil)
		// Deleting the account refuses its tokens at once.
		mustCall(t, 204, "DELETE", s2.base+"/api/v1/users/dora", admin, nil)
		mustCall(t, 401, "GET", s2.base+"/api/v1/organisations/geneve", dora, nil)
		s2.stop()

		all := s1.stderr.String() + s2.stderr.String()
		if n := strings.Count(all, adminPW); n != 1 {
			t.Errorf("the admin password appears %d times on stderr, want once", n)
		}
		for _, secret := range []string{dpoPW, "$argon2id$", admin, dora, doraOut, script, sigOf(admin), sigOf(dora)} {
			if strings.Contains(all, secret) {
				t.Errorf("stderr holds a secret (%.16s...)", secret)
			}
		}
		if !strings.Contains(all, "msg=request") {
			t.Fatalf("the request log is missing, so this check proves nothing:\n%s", all)
		}
	})
}

func sigOf(tok string) string { return tok[strings.LastIndexByte(tok, '.')+1:] }

func tokenHeader(t *testing.T, tok string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(tok, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestUserAndTokenCommands(t *testing.T) {
	dsn := dbtest.SQLiteDSN(t)
	db := dbtest.Open(t, dsn)
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	ctx := context.Background()
	root := &auth.Principal{Subject: "root", Role: auth.RoleAdmin}
	if _, err := svc.CreateOrganisation(ctx, root, register.Organisation{Slug: "geneve", Name: "Ville de Genève"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(ctx, root, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"REGISTRE_DB": dsn, "REGISTRE_JWT_SECRET": "a-shared-secret-of-at-least-32-bytes!!"}

	const evePW = "eve's password, long enough"
	out, _, err := cli(env, evePW+"\nignored second line\n", "user", "add", "--username", "eve", "--role", "editor", "--org", "geneve", "--units", "etat-civil", "--email", "eve@geneve.example")
	if err != nil || !strings.Contains(out, "created account eve") || strings.Contains(out, evePW) {
		t.Fatalf("user add: %q, %v", out, err)
	}
	if eve, err := svc.GetUser(ctx, root, "eve"); err != nil || eve.Email != "eve@geneve.example" {
		t.Fatalf("user add --email: %+v, %v", eve, err)
	}
	out, _, err = cli(env, "", "user", "add", "--username", "audrey", "--role", "auditor", "--org", "geneve")
	m := regexp.MustCompile(`password \(shown only now\): (\S+)`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("user add with a generated password: %q, %v", out, err)
	}
	audreyPW := m[1]
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"ErrShortPassword", "short\n", []string{"--username", "x1", "--role", "dpo", "--org", "geneve"}, "password"},
		{"ErrUnknownOrg", evePW, []string{"--username", "x2", "--role", "dpo", "--org", "lausanne"}, "org"},
		{"ErrDuplicate", evePW, []string{"--username", "eve", "--role", "dpo", "--org", "geneve"}, "already exists"},
		{"ErrBadRole", evePW, []string{"--username", "x3", "--role", "root", "--org", "geneve"}, "role"},
		{"ErrBadEmail", evePW, []string{"--username", "x4", "--role", "dpo", "--org", "geneve", "--email", "not an address"}, "email"},
	} {
		_, _, err := cli(env, tc.stdin, append([]string{"user", "add"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), evePW) {
			t.Errorf("%s: got %v, want an error about %s", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"ErrTTLOverMaximum", []string{"--sub", "s", "--role", "dpo", "--org", "geneve", "--ttl", "13h"}},
		{"ErrUnknownOrg", []string{"--sub", "s", "--role", "dpo", "--org", "lausanne"}},
		{"ErrUnknownUnit", []string{"--sub", "s", "--role", "editor", "--org", "geneve", "--units", "cuisine"}},
		{"ErrNoSub", []string{"--role", "dpo", "--org", "geneve"}},
		{"ErrAdminWithOrg", []string{"--sub", "s", "--role", "admin", "--org", "geneve"}},
	} {
		if out, _, err := cli(env, "", append([]string{"token"}, tc.args...)...); err == nil {
			t.Errorf("%s: got token %q, want an error", tc.name, out)
		}
	}
	tok, _, err := cli(env, "", "token", "--sub", "ops", "--role", "editor", "--org", "geneve", "--units", "etat-civil")
	if err != nil {
		t.Fatal(err)
	}
	tok = strings.TrimSpace(tok)
	if hdr := tokenHeader(t, tok); hdr["alg"] != "HS256" {
		t.Fatalf("with a secret, got header %v, want HS256", hdr)
	}
	db.Close()

	s := serveCapture(t, env, "--token-ttl", "2h")
	if strings.Contains(s.stderr.String(), "one-time password") {
		t.Fatalf("accounts existed, yet a first admin was created")
	}
	mustCall(t, 200, "GET", s.base+"/api/v1/organisations/geneve", tok, nil)
	eve := loginToken(t, s.base, "eve", evePW)
	if hdr := tokenHeader(t, eve); hdr["alg"] != "HS256" {
		t.Fatalf("login with a secret: header %v, want HS256", hdr)
	}
	var out2 struct {
		ExpiresAt time.Time `json:"expires_at"`
	}
	_ = json.Unmarshal(mustCall(t, 200, "POST", s.base+"/api/v1/auth/login", "", map[string]string{"username": "audrey", "password": audreyPW}), &out2)
	if d := time.Until(out2.ExpiresAt); d < 119*time.Minute || d > 121*time.Minute {
		t.Fatalf("--token-ttl 2h: token expires in %v", d)
	}
	s.stop()
	if strings.Contains(s.stderr.String(), audreyPW) || strings.Contains(s.stderr.String(), evePW) {
		t.Fatalf("a password reached serve's stderr")
	}
	if _, _, err := cli(env, "", "serve", "--addr", "127.0.0.1:0", "--token-ttl", "13h"); err == nil || !strings.Contains(err.Error(), "token-ttl") {
		t.Fatalf("serve --token-ttl 13h: got %v, want refused", err)
	}
}

// opensslPair generates a key with the openssl command, as an identity
// provider's operator would, and returns its private key.
func opensslPair(t *testing.T, args ...string) crypto.Signer {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("openssl is required by this test: %v", err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if out, err := exec.Command(bin, append(append([]string{"genpkey"}, args...), "-out", path)...).CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("openssl wrote no PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(crypto.Signer)
}

// jwksOf writes public keys as a JWKS document, by hand, as an identity
// provider publishes them.
func jwksOf(t *testing.T, keys map[string]crypto.Signer) []byte {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	var list []map[string]string
	for kid, k := range keys {
		switch pub := k.Public().(type) {
		case *rsa.PublicKey:
			list = append(list, map[string]string{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes())})
		case *ecdsa.PublicKey:
			pt, err := pub.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, map[string]string{"kty": "EC", "kid": kid, "use": "sig", "crv": "P-256", "x": b64(pt[1:33]), "y": b64(pt[33:])})
		case ed25519.PublicKey:
			list = append(list, map[string]string{"kty": "OKP", "kid": kid, "use": "sig", "crv": "Ed25519", "x": b64(pub)})
		default:
			t.Fatalf("unexpected key %T", pub)
		}
	}
	b, err := json.Marshal(map[string]any{"keys": list})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// idpToken signs a token as an identity provider would: an admin with no
// local account, so the test needs no organisation.
func idpToken(t *testing.T, kid string, key crypto.Signer) string {
	t.Helper()
	var m jwt.SigningMethod
	switch key.(type) {
	case *rsa.PrivateKey:
		m = jwt.SigningMethodRS256
	case *ecdsa.PrivateKey:
		m = jwt.SigningMethodES256
	case ed25519.PrivateKey:
		m = jwt.SigningMethodEdDSA
	}
	now := time.Now()
	tok := jwt.NewWithClaims(m, jwt.MapClaims{"sub": "idp-admin@canton", "role": "admin", "iss": "https://idp.example", "aud": "registre",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeAtomically replaces a file the way operators are told to: write
// beside it, then rename, so that a reload never reads half a file.
func writeAtomically(t *testing.T, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// eventually polls until the token gets want, for reloads that happen in
// the background.
func eventually(t *testing.T, base, token string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _ := call(t, "GET", base+"/api/v1/organisations", token, nil)
		if status == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d, want %d", status, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIdentityProviderKeysAndRotation gives serve a JWKS file of RSA, EC
// P-256 and Ed25519 keys made by openssl, then rotates the RSA key without a
// restart: the old and new kid both work until the old key leaves the file.
func TestIdentityProviderKeysAndRotation(t *testing.T) {
	rsa1 := opensslPair(t, "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
	rsa2 := opensslPair(t, "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072")
	ec := opensslPair(t, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
	ed := opensslPair(t, "-algorithm", "ED25519")
	for _, reload := range []string{"50ms", "sighup"} {
		t.Run(reload, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "jwks.json")
			writeAtomically(t, path, jwksOf(t, map[string]crypto.Signer{"rsa-2026-01": rsa1, "ec-2026": ec, "ed-2026": ed}))
			env := map[string]string{"REGISTRE_DB": dbtest.SQLiteDSN(t), "REGISTRE_JWT_KEYS": path, "REGISTRE_JWT_ISSUER": "https://idp.example"}
			if reload == "sighup" {
				env["REGISTRE_JWT_KEYS_RELOAD"] = "0"
			} else {
				env["REGISTRE_JWT_KEYS_RELOAD"] = reload
			}
			s := serveCapture(t, env)
			signal := func() {
				if reload != "sighup" {
					return
				}
				p, err := os.FindProcess(os.Getpid())
				if err == nil {
					err = p.Signal(syscall.SIGHUP)
				}
				if err != nil {
					t.Skipf("no SIGHUP here: %v", err)
				}
			}
			oldRSA := idpToken(t, "rsa-2026-01", rsa1)
			newRSA := idpToken(t, "rsa-2026-07", rsa2)
			for name, tok := range map[string]string{"RSA": oldRSA, "EC": idpToken(t, "ec-2026", ec), "Ed25519": idpToken(t, "ed-2026", ed)} {
				if status, b := call(t, "GET", s.base+"/api/v1/organisations", tok, nil); status != 200 {
					t.Fatalf("%s: got %d: %s", name, status, b)
				}
			}
			mustCall(t, 401, "GET", s.base+"/api/v1/organisations", newRSA, nil)

			// Rotation, step 1: the new key joins the file.
			writeAtomically(t, path, jwksOf(t, map[string]crypto.Signer{"rsa-2026-01": rsa1, "rsa-2026-07": rsa2, "ec-2026": ec, "ed-2026": ed}))
			signal()
			eventually(t, s.base, newRSA, 200)
			mustCall(t, 200, "GET", s.base+"/api/v1/organisations", oldRSA, nil)

			// A broken file changes nothing.
			writeAtomically(t, path, []byte(`{"keys":[{"kty":"RSA"`))
			signal()
			time.Sleep(200 * time.Millisecond)
			mustCall(t, 200, "GET", s.base+"/api/v1/organisations", oldRSA, nil)
			mustCall(t, 200, "GET", s.base+"/api/v1/organisations", newRSA, nil)

			// Step 2: the old key leaves the file; its tokens stop working.
			writeAtomically(t, path, jwksOf(t, map[string]crypto.Signer{"rsa-2026-07": rsa2, "ec-2026": ec, "ed-2026": ed}))
			signal()
			eventually(t, s.base, oldRSA, 401)
			mustCall(t, 200, "GET", s.base+"/api/v1/organisations", newRSA, nil)
			s.stop()
			logs := s.stderr.String()
			if !strings.Contains(logs, "keys not reloaded") || !strings.Contains(logs, "keys reloaded") {
				t.Errorf("reloads are not logged:\n%s", logs)
			}
			if strings.Contains(logs, sigOf(oldRSA)) || strings.Contains(logs, sigOf(newRSA)) {
				t.Errorf("a token reached the logs")
			}
		})
	}
}

// jwksPlus is jwksOf with extra raw entries in the "keys" array: keys of a
// type or algorithm this service does not support.
func jwksPlus(t *testing.T, keys map[string]crypto.Signer, extra ...string) []byte {
	t.Helper()
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(jwksOf(t, keys), &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range extra {
		doc.Keys = append(doc.Keys, json.RawMessage(e))
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitLog waits until the log holds n lines containing s.
func waitLog(t *testing.T, s *serving, text string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(s.stderr.String(), text) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the log has %d lines with %q, want at least %d:\n%s", strings.Count(s.stderr.String(), text), text, n, s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKeyRotationWithUnsupportedKeys runs serve with an identity provider
// whose key file gains keys this service does not support while the old key
// leaves it. The unsupported keys are left out with a warning, the others
// replace the set, and the removed key stops working. A file with no usable
// key trusts none (errors at every check); a file that cannot be read keeps
// the keys in use, and says so at every check.
func TestKeyRotationWithUnsupportedKeys(t *testing.T) {
	rsaOld := opensslPair(t, "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
	rsaNew := opensslPair(t, "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
	ec := opensslPair(t, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
	b64 := base64.RawURLEncoding.EncodeToString
	pub := rsaNew.Public().(*rsa.PublicKey)
	// The provider starts to publish an RS512 key and a P-384 key, neither
	// of which this service verifies.
	rs512 := `{"kty":"RSA","kid":"rsa-512","use":"sig","alg":"RS512","n":"` + b64(pub.N.Bytes()) + `","e":"AQAB"}`
	p384 := opensslPair(t, "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384").Public().(*ecdsa.PublicKey)
	pt, err := p384.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	es384 := `{"kty":"EC","kid":"ec-384","use":"sig","alg":"ES384","crv":"P-384","x":"` + b64(pt[1:49]) + `","y":"` + b64(pt[49:]) + `"}`

	path := filepath.Join(t.TempDir(), "jwks.json")
	writeAtomically(t, path, jwksPlus(t, map[string]crypto.Signer{"rsa-old": rsaOld, "ec": ec}, es384))
	env := map[string]string{"REGISTRE_DB": dbtest.SQLiteDSN(t), "REGISTRE_JWT_KEYS": path,
		"REGISTRE_JWT_ISSUER": "https://idp.example", "REGISTRE_JWT_KEYS_RELOAD": "50ms"}
	s := serveCapture(t, env)
	oldTok, newTok, ecTok := idpToken(t, "rsa-old", rsaOld), idpToken(t, "rsa-new", rsaNew), idpToken(t, "ec", ec)
	mustCall(t, 200, "GET", s.base+"/api/v1/organisations", oldTok, nil)
	mustCall(t, 200, "GET", s.base+"/api/v1/organisations", ecTok, nil)
	mustCall(t, 401, "GET", s.base+"/api/v1/organisations", newTok, nil)
	waitLog(t, s, `msg="identity provider key left out"`, 1)

	// The rotation: the old key leaves, the new one and an RS512 key join.
	writeAtomically(t, path, jwksPlus(t, map[string]crypto.Signer{"rsa-new": rsaNew, "ec": ec}, rs512, es384))
	eventually(t, s.base, oldTok, 401)
	mustCall(t, 200, "GET", s.base+"/api/v1/organisations", newTok, nil)
	mustCall(t, 200, "GET", s.base+"/api/v1/organisations", ecTok, nil)
	waitLog(t, s, `kid=rsa-512 reason="unsupported alg \"RS512\"`, 1)

	// Only unsupported keys: none of the provider's tokens is accepted, and
	// the error comes back at every check, not once.
	writeAtomically(t, path, jwksPlus(t, nil, rs512, es384))
	eventually(t, s.base, newTok, 401)
	mustCall(t, 401, "GET", s.base+"/api/v1/organisations", ecTok, nil)
	waitLog(t, s, "holds no usable key", 3)

	// Back to a good file, then a file caught half-written: the keys in use
	// stay, with an error at every check naming the keys still trusted.
	writeAtomically(t, path, jwksOf(t, map[string]crypto.Signer{"rsa-new": rsaNew}))
	eventually(t, s.base, newTok, 200)
	mustCall(t, 401, "GET", s.base+"/api/v1/organisations", ecTok, nil)
	writeAtomically(t, path, []byte(`{"keys":[{"kty":"RSA"`))
	waitLog(t, s, "the previous keys are still trusted", 3)
	mustCall(t, 200, "GET", s.base+"/api/v1/organisations", newTok, nil)
	s.stop()
	logs := s.stderr.String()
	if !strings.Contains(logs, `kids_still_trusted=[rsa-new]`) {
		t.Errorf("the error does not name the keys still trusted:\n%s", logs)
	}
	for _, tok := range []string{oldTok, newTok, ecTok} {
		if strings.Contains(logs, sigOf(tok)) {
			t.Errorf("a token reached the logs")
		}
	}
}
