package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
)

// TestServeTLS serves HTTPS on the listener (--tls-cert, --tls-key): the
// API answers over TLS and the back office's cookies are Secure with the
// __Host- prefix, with no proxy and no public URL saying so.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	tg := startTarget(t, dbtest.SQLite, dbtest.SQLiteDSN(t), map[string]string{
		"REGISTRE_TLS_CERT": certFile, "REGISTRE_TLS_KEY": keyFile})
	tg.base = strings.Replace(tg.base, "http://", "https://", 1)
	tg.http.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}

	tg.must(200, "GET", "/healthz", "", nil)
	resp, _ := tg.send(request{method: "GET", path: "/office/login"})
	if resp.TLS == nil {
		t.Fatal("the answer did not come over TLS")
	}
	cookies := resp.Cookies()
	if len(cookies) == 0 {
		t.Fatal("the sign-in page set no cookie")
	}
	for _, c := range cookies {
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || c.Path != "/" {
			t.Errorf("cookie %s: Secure %v, path %q; want __Host-, Secure, Path=/ over TLS", c.Name, c.Secure, c.Path)
		}
	}
	// Plain HTTP on the TLS port is refused, not served.
	plain := &http.Client{Timeout: 5 * time.Second}
	if r, err := plain.Get(strings.Replace(tg.base, "https://", "http://", 1) + "/healthz"); err == nil {
		if r.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served on the TLS listener")
		}
		r.Body.Close()
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "registre test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
