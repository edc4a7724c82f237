package e2e

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/oidctest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/server/office"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// IdentityFixture is the service with single sign-on through a real
// OpenID provider started on 127.0.0.1 (internal/oidctest), an
// organisation with its units, an administrator and an editor with local
// passwords, and one person at the provider whom no one has assigned yet.
type IdentityFixture struct {
	Env      *apitest.Env
	IdP      *oidctest.Provider
	Org      string
	Password string // the local accounts'
	Admin    string
	Editor   string
	// The provider's person: username and password at the provider, and
	// the subject it names them by.
	IdPUser, IdPPassword, IdPSubject string
	// Client is Registre at the provider; Other another service there.
	Client, Other oidctest.Client
}

// StartIdentity serves the fixture over db.
func StartIdentity(t testing.TB, db *sqlstore.DB) *IdentityFixture {
	t.Helper()
	f := &IdentityFixture{Org: "ville-de-geneve", Password: "un mot de passe assez long 2026", Admin: "alice.admin", Editor: "eric.editeur",
		IdPUser: "marie.curie", IdPPassword: "mot-de-passe-du-fournisseur", IdPSubject: "sub-marie-0001"}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	client := oidctest.Client{ID: "registre", Secret: "registre-client-secret", RedirectURI: base + office.CallbackPath}
	// Another relying party of the same provider: its ID tokens are real
	// and validly signed, but not for Registre (the wrong audience).
	f.Client, f.Other = client, oidctest.Client{ID: "autre-service", Secret: "autre-secret", RedirectURI: "http://127.0.0.1:9/callback"}
	f.IdP = oidctest.Start(t, []oidctest.Client{client, f.Other}, []oidctest.User{
		{ID: f.IdPSubject, Username: f.IdPUser, Password: f.IdPPassword, Email: "marie.curie@geneve.ch", Name: "Marie Curie"},
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}), register.WithSheets(spreadsheet.Read), register.WithLogger(log))
	v, err := auth.NewVerifier(auth.VerifierConfig{Secret: []byte(apitest.Secret), Issuer: "registre", Audience: "registre", Leeway: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewHS256Signer([]byte(apitest.Secret), "registre", "registre")
	if err != nil {
		t.Fatal(err)
	}
	oc := office.OIDC{Issuer: f.IdP.Issuer, ClientID: client.ID, ClientSecret: client.Secret, RedirectURL: client.RedirectURI}
	if err := office.CheckOIDC(oc); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Config{Service: svc, Verifier: v, Revoked: svc, Logger: log, Signer: signer, OIDC: oc})
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	f.Env = &apitest.Env{T: t, URL: hs.URL, DB: db, Service: svc, Server: srv, Signer: signer,
		Logs: &apitest.SyncBuffer{}, Client: &http.Client{Timeout: 30 * time.Second}}
	e := f.Env
	e.Seed(f.Org)
	admin := e.Token(auth.RoleAdmin, "")
	e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": f.Admin, "password": f.Password, "role": "admin"})
	e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": f.Editor, "password": f.Password, "role": "editor",
		"org": f.Org, "units": []string{"etat-civil"}, "email": "eric.editeur@geneve.ch"})
	return f
}
