// Package apitest starts the real HTTP server on 127.0.0.1 over a real
// database for tests, and gives them tokens and a small client.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// Secret is the HS256 key test servers accept.
const Secret = "test-secret-that-is-at-least-32-bytes-long"

// Env is a running server and what a test needs to talk to it.
type Env struct {
	T       testing.TB
	URL     string // http://127.0.0.1:PORT
	DB      *sqlstore.DB
	Service *register.Service
	Server  *server.Server
	Signer  auth.Signer
	Logs    *SyncBuffer // everything the server logged
	Client  *http.Client
}

// Option changes the server configuration before it starts.
type Option func(*server.Config)

// Start serves a server over db on 127.0.0.1 until t ends.
func Start(t testing.TB, db *sqlstore.DB, opts ...Option) *Env {
	t.Helper()
	logs := &SyncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read), register.WithLogger(log))
	v, err := auth.NewVerifier(auth.VerifierConfig{Secret: []byte(Secret), Issuer: "registre", Audience: "registre", Leeway: 30 * time.Second})
	if err != nil {
		t.Fatalf("verifier: %v", err)
	}
	signer, err := auth.NewHS256Signer([]byte(Secret), "registre", "registre")
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	cfg := server.Config{Service: svc, Verifier: v, Logger: log}
	for _, o := range opts {
		o(&cfg)
	}
	srv := server.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})
	return &Env{T: t, URL: "http://" + ln.Addr().String(), DB: db, Service: svc, Server: srv, Signer: signer,
		Logs: logs, Client: &http.Client{Timeout: 30 * time.Second}}
}

// WithT returns a copy of e that reports failures to t (a subtest).
func (e *Env) WithT(t testing.TB) *Env {
	c := *e
	c.T = t
	return &c
}

// Token mints a token for a principal (one hour).
func (e *Env) Token(role auth.Role, org string, units ...string) string {
	e.T.Helper()
	p := auth.Principal{Subject: string(role) + "-" + org, Role: role, Org: org, Units: units}
	if role == auth.RoleAdmin {
		p.Subject, p.Org = "admin", ""
	}
	tok, _, err := e.Signer.Issue(p, time.Hour, time.Now())
	if err != nil {
		e.T.Fatalf("issue token: %v", err)
	}
	return tok
}

// Response is a response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request. body may be nil, a string or []byte (sent as is), or
// any other value (sent as JSON). headers are "Name: value" strings.
func (e *Env) Do(method, path, token string, body any, headers ...string) *Response {
	e.T.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatalf("request: %v", err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("read body: %v", err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Must sends a request and fails the test unless the status is want.
func (e *Env) Must(want int, method, path, token string, body any, headers ...string) *Response {
	e.T.Helper()
	r := e.Do(method, path, token, body, headers...)
	if r.Status != want {
		e.T.Fatalf("%s %s: got %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
