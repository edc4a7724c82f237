// Package oidctest starts a real OpenID provider on 127.0.0.1 for tests:
// the op package of github.com/zitadel/oidc/v3 with its example server's
// storage and login page, test users and clients. It can be told to
// misbehave in one way a test needs: to answer the next token request
// with an ID token of its own choosing (minted by the same provider for
// another client or another nonce), so that the relying party's checks
// of audience and nonce meet real, validly signed tokens.
package oidctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/text/language"
)

// User is a person of the provider. Claims are added to the ID token
// (e.g. {"registre_role": "dpo"}).
type User struct {
	ID, Username, Password string
	Email, Name            string
	Claims                 map[string]any
}

// Client is a client registered at the provider (a web client: secret,
// HTTP Basic authentication).
type Client struct {
	ID, Secret  string
	RedirectURI string
}

// Provider is a running provider.
type Provider struct {
	Issuer string

	t       testing.TB
	srv     *http.Server
	mu      sync.Mutex
	users   map[string]*User
	swapped string // an ID token for the next token answer ("" for none)
}

// Start serves a provider on 127.0.0.1 until the test ends.
func Start(t testing.TB, clients []Client, users []User) *Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{Issuer: "http://" + ln.Addr().String(), t: t, users: map[string]*User{}}
	for i := range users {
		u := users[i]
		p.users[u.ID] = &u
	}
	cs := map[string]*storage.Client{}
	for _, c := range clients {
		cs[c.ID] = storage.WebClient(c.ID, c.Secret, c.RedirectURI)
	}
	st := &claimStorage{Storage: storage.NewStorageWithClients(userStore{p}, cs), p: p}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	router := exampleop.SetupServer(p.Issuer, st, quiet, false)
	p.srv = &http.Server{Handler: p.swap(router), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	t.Cleanup(func() { _ = p.srv.Close() })
	return p
}

// SwapNextIDToken makes the next answer of the token endpoint carry
// idToken instead of the one the provider made for that request.
func (p *Provider) SwapNextIDToken(idToken string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.swapped = idToken
}

// swap wraps the provider: the token endpoint's answer gets the armed ID
// token, once.
func (p *Provider) swap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		tok := p.swapped
		if r.Method == http.MethodPost && r.URL.Path == "/oauth/token" {
			p.swapped = ""
		} else {
			tok = ""
		}
		p.mu.Unlock()
		if tok == "" {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			p.t.Errorf("oidctest: token answer %d %s; nothing swapped", rec.Code, rec.Body)
			copyAnswer(w, rec)
			return
		}
		body["id_token"] = tok
		b, _ := json.Marshal(body)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(b)
	})
}

func copyAnswer(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// SignIn does what a browser does at the provider's login page for an
// authorization URL (as a relying party built it): it returns the URL the
// provider sends the browser back to, with its code and state.
func (p *Provider) SignIn(authURL, username, password string) (*url.URL, error) {
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authURL)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil {
		return nil, fmt.Errorf("authorize: %d without a login page", res.StatusCode)
	}
	id := loc.Query().Get("authRequestID")
	if id == "" {
		return nil, fmt.Errorf("authorize: sent to %s", loc)
	}
	form := url.Values{"id": {id}, "username": {username}, "password": {password}}
	res, err = client.PostForm(p.Issuer+"/login/username", form)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	// The login page sends the browser to the provider's callback, which
	// sends it to the client's redirect URI.
	for range 3 {
		loc, err = res.Location()
		if err != nil {
			return nil, fmt.Errorf("login: %d, no redirect (wrong password?)", res.StatusCode)
		}
		if !strings.HasPrefix(loc.String(), p.Issuer) {
			return loc, nil
		}
		if res, err = client.Get(loc.String()); err != nil {
			return nil, err
		}
		res.Body.Close()
	}
	return nil, fmt.Errorf("login: too many redirects")
}

// IDToken runs a whole authorization code flow for client c and returns
// the ID token the provider issued: nonce "" asks for none.
func (p *Provider) IDToken(c Client, nonce, username, password string) (string, error) {
	q := url.Values{"client_id": {c.ID}, "redirect_uri": {c.RedirectURI}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {"oidctest-state"}}
	if nonce != "" {
		q.Set("nonce", nonce)
	}
	back, err := p.SignIn(p.Issuer+"/auth?"+q.Encode(), username, password)
	if err != nil {
		return "", err
	}
	code := back.Query().Get("code")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.RedirectURI}}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, p.Issuer+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	var out struct {
		IDToken string `json:"id_token"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &out) != nil || out.IDToken == "" {
		return "", fmt.Errorf("token: %d %s", res.StatusCode, bytes.TrimSpace(b))
	}
	return out.IDToken, nil
}

// userStore gives the example storage the test's users.
type userStore struct{ p *Provider }

func (u userStore) GetUserByID(id string) *storage.User {
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	if x, ok := u.p.users[id]; ok {
		return exampleUser(x)
	}
	return nil
}

func (u userStore) GetUserByUsername(name string) *storage.User {
	u.p.mu.Lock()
	defer u.p.mu.Unlock()
	for _, x := range u.p.users {
		if x.Username == name {
			return exampleUser(x)
		}
	}
	return nil
}

func (userStore) ExampleClientID() string { return storage.ServiceUserID }

func exampleUser(u *User) *storage.User {
	first, last, _ := strings.Cut(u.Name, " ")
	return &storage.User{ID: u.ID, Username: u.Username, Password: u.Password, FirstName: first, LastName: last,
		Email: u.Email, EmailVerified: true, PreferredLanguage: language.French}
}

// claimStorage is the example storage, whose ID tokens also carry the
// user's e-mail address, name and extra claims, as many providers' do.
type claimStorage struct {
	*storage.Storage
	p *Provider
}

// SetUserinfoFromScopes implements op.Storage.
func (s *claimStorage) SetUserinfoFromScopes(ctx context.Context, info *oidc.UserInfo, userID, clientID string, scopes []string) error {
	if err := s.Storage.SetUserinfoFromScopes(ctx, info, userID, clientID, scopes); err != nil {
		return err
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	u, ok := s.p.users[userID]
	if !ok {
		return nil
	}
	info.Email, info.Name = u.Email, u.Name
	for k, v := range u.Claims {
		info.AppendClaims(k, v)
	}
	return nil
}
