package office

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// OIDC configures sign-in through an OpenID provider (docs/identity.md);
// an empty Issuer turns it off.
type OIDC struct {
	Issuer       string // REGISTRE_OIDC_ISSUER
	ClientID     string // REGISTRE_OIDC_CLIENT_ID
	ClientSecret string // REGISTRE_OIDC_CLIENT_SECRET
	RedirectURL  string // REGISTRE_OIDC_REDIRECT_URL: <public URL>/office/login/callback
	// The claims of the ID token that say who someone is when no
	// administrator assigned the subject; "" for none.
	RoleClaim, OrgClaim, UnitsClaim string
	// HTTPClient talks to the provider (discovery, keys, token exchange);
	// nil: one with a 10-second timeout.
	HTTPClient *http.Client
}

// CallbackPath is where the provider sends the browser back.
const CallbackPath = "/office/login/callback"

// stateCookie binds a sign-in under way to the browser that began it, so
// that a state sent to someone else's browser opens nothing there.
const stateCookie = "registre_oidc"

// CheckOIDC reports what is wrong with a configuration, nil when it is
// off or usable; serve stops on it.
func CheckOIDC(c OIDC) error {
	if c.Issuer == "" {
		if c.ClientID != "" || c.RedirectURL != "" {
			return errors.New("REGISTRE_OIDC_CLIENT_ID and REGISTRE_OIDC_REDIRECT_URL need REGISTRE_OIDC_ISSUER")
		}
		return nil
	}
	if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("REGISTRE_OIDC_ISSUER: %q is not an http(s) URL", c.Issuer)
	}
	if c.ClientID == "" {
		return errors.New("REGISTRE_OIDC_CLIENT_ID is required with REGISTRE_OIDC_ISSUER")
	}
	u, err := url.Parse(c.RedirectURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != CallbackPath || u.RawQuery != "" {
		return fmt.Errorf("REGISTRE_OIDC_REDIRECT_URL: want the public URL followed by %s, got %q", CallbackPath, c.RedirectURL)
	}
	return nil
}

// relyingParty is the service as the provider's client. The provider is
// discovered at the first sign-in, not at start, so that a provider down
// when the service starts delays nobody who signs in with a password.
type relyingParty struct {
	cfg    OIDC
	client *http.Client
	// starts bounds the sign-ins one address may begin: each writes a row
	// (kept ExternalLoginTTL) before anyone is known, so an anonymous
	// flood would otherwise cost a database write per request. The limit
	// is generous enough for a whole office behind one address.
	starts *httpkit.Limiter

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	oauth    *oauth2.Config
}

func newRelyingParty(c OIDC) *relyingParty {
	if c.Issuer == "" {
		return nil
	}
	client := c.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	// 120 sign-ins at once from one address, then one a second.
	starts := httpkit.NewLimiter(httpkit.Limit{Free: 120, Burst: 120, Decay: time.Second}, 10_000)
	return &relyingParty{cfg: c, client: client, starts: starts}
}

func (rp *relyingParty) ctx(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, rp.client)
}

// ready discovers the provider once; a failure is tried again at the next
// sign-in.
func (rp *relyingParty) ready(ctx context.Context) (*oidc.IDTokenVerifier, *oauth2.Config, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.verifier != nil {
		return rp.verifier, rp.oauth, nil
	}
	p, err := oidc.NewProvider(rp.ctx(ctx), rp.cfg.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("identity provider discovery: %w", err)
	}
	// The verifier checks the signature against the provider's keys, the
	// issuer, the audience (our client id) and the expiry; the nonce is
	// ours to check (callback).
	rp.verifier = p.Verifier(&oidc.Config{ClientID: rp.cfg.ClientID})
	rp.oauth = &oauth2.Config{ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: rp.cfg.RedirectURL, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
	return rp.verifier, rp.oauth, nil
}

// oidcRoutes are the two ends of a sign-in at the provider.
func (o *Office) oidcRoutes() []Route {
	return []Route{
		{http.MethodGet, "/office/login/sso", o.serve(o.ssoStart)},
		{http.MethodGet, CallbackPath, o.serve(o.ssoCallback)},
	}
}

// ssoStart sends the browser to the provider: authorization code flow
// with PKCE (S256), a state bound to this browser by a cookie, a nonce.
func (o *Office) ssoStart(w http.ResponseWriter, r *http.Request) error {
	if o.rp == nil {
		return errNotFound()
	}
	client := httpkit.AddrKey(httpkit.ClientAddr(r, o.cfg.TrustedProxies))
	if ok, retry, _ := o.rp.starts.Reserve(client, time.Now()); !ok {
		p := httpkit.NewProblem(http.StatusTooManyRequests, "too many sign-ins begun from this address; try again later")
		p.RetryAfter = max(1, int(retry/time.Second))
		return p
	}
	_, oc, err := o.rp.ready(r.Context())
	if err != nil {
		o.log.WarnContext(r.Context(), "single sign-on unavailable", "err", err)
		return o.ssoFailed(w, r, http.StatusServiceUnavailable, "sso.error.unavailable")
	}
	// The way back carries the language, so that the pages after the
	// provider speak the one the person chose.
	next := withLang(safeNext(r.URL.Query().Get("next")), pickLang(r))
	state, nonce, verifier, err := o.svc.BeginExternalLogin(r.Context(), next)
	if err != nil {
		return err
	}
	o.cookies(r).set(w, stateCookie, state)
	target := oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// ssoCallback is where the provider sends the browser back. Every check
// that fails is refused with the same page, and logged with its reason.
func (o *Office) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	if o.rp == nil {
		return errNotFound()
	}
	ctx := r.Context()
	q := r.URL.Query()
	c := o.cookies(r)
	bound := c.get(r, stateCookie)
	c.clear(w, stateCookie)
	refuse := func(reason string, err error) error {
		o.log.WarnContext(ctx, "single sign-on refused", "reason", reason, "err", err)
		return o.ssoFailed(w, r, http.StatusUnauthorized, "sso.error.refused")
	}
	state := q.Get("state")
	// The state must be the one this browser was given (a state of
	// another browser's sign-in, sent here, is refused), and one the
	// service issued and nobody used yet.
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(bound)) != 1 {
		return refuse("state does not match this browser's", nil)
	}
	login, err := o.svc.TakeExternalLogin(ctx, state)
	if err != nil {
		if register.ErrorCode(err) == register.EUnauthorized {
			return refuse("state unknown, used or expired", err)
		}
		return err
	}
	if u, err := url.Parse(login.Next); err == nil {
		if l := u.Query().Get("lang"); l == "fr" || l == "en" {
			q.Set("lang", l)
			r.URL.RawQuery = q.Encode()
		}
	}
	if e := q.Get("error"); e != "" {
		o.log.InfoContext(ctx, "identity provider answered with an error", "error", clipLog(e), "description", clipLog(q.Get("error_description")))
		return o.ssoFailed(w, r, http.StatusUnauthorized, "sso.error.provider")
	}
	code := q.Get("code")
	if code == "" {
		return refuse("no code", nil)
	}
	verifier, oc, err := o.rp.ready(ctx)
	if err != nil {
		o.log.WarnContext(ctx, "single sign-on unavailable", "err", err)
		return o.ssoFailed(w, r, http.StatusServiceUnavailable, "sso.error.unavailable")
	}
	tok, err := oc.Exchange(o.rp.ctx(ctx), code, oauth2.VerifierOption(login.Verifier))
	if err != nil {
		return refuse("code exchange", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return refuse("no ID token", nil)
	}
	idt, err := verifier.Verify(o.rp.ctx(ctx), raw)
	if err != nil {
		// Signature, issuer, audience, expiry.
		return refuse("ID token", err)
	}
	// The library leaves the nonce to us: without this check, an ID token
	// obtained for another sign-in (a replay) would do.
	if idt.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(login.Nonce)) != 1 {
		return refuse("nonce", nil)
	}
	ext, err := o.rp.identity(idt)
	if err != nil {
		return refuse("claims", err)
	}
	token, _, _, err := o.svc.OpenExternalSession(ctx, ext)
	switch {
	case register.IsUnassigned(err):
		return o.ssoUnassigned(w, r, ext)
	case register.ErrorCode(err) == register.EUnauthorized:
		return o.ssoFailed(w, r, http.StatusForbidden, "sso.error.disabled")
	case err != nil:
		return err
	}
	if old := c.get(r, sessionCookie); old != "" {
		if err := o.svc.CloseSession(ctx, old); err != nil {
			return err
		}
	}
	c.set(w, sessionCookie, token)
	http.Redirect(w, r, safeNext(login.Next), http.StatusSeeOther)
	return nil
}

// identity reads who the ID token names: its subject and issuer, the
// e-mail address and name when given, and the configured claims.
func (rp *relyingParty) identity(idt *oidc.IDToken) (register.ExternalIdentity, error) {
	var all map[string]any
	if err := idt.Claims(&all); err != nil {
		return register.ExternalIdentity{}, err
	}
	ext := register.ExternalIdentity{Issuer: idt.Issuer, Subject: idt.Subject}
	ext.Email, _ = all["email"].(string)
	ext.Name, _ = all["name"].(string)
	if rp.cfg.RoleClaim == "" {
		return ext, nil
	}
	role := claimStrings(all[rp.cfg.RoleClaim])
	if len(role) != 1 {
		return ext, nil // no role said: an administrator decides
	}
	c := &register.ClaimedProfile{Role: strings.ToLower(role[0])}
	if rp.cfg.OrgClaim != "" {
		if org := claimStrings(all[rp.cfg.OrgClaim]); len(org) == 1 {
			c.Org = org[0]
		}
	}
	if rp.cfg.UnitsClaim != "" {
		c.Units = claimStrings(all[rp.cfg.UnitsClaim])
	}
	ext.Claims = c
	return ext, nil
}

// claimStrings reads a claim that is a string (several values separated by
// spaces or commas) or an array of strings.
func claimStrings(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		out = strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// clipLog bounds what the provider's error says before it is logged.
func clipLog(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return strings.ToValidUTF8(s, "?")
}

// ssoData is what the single sign-on pages show.
type ssoData struct {
	Problem string // a label key
	Subject string // an unassigned person's subject, for the administrator
	Issuer  string
	Name    string
	Email   string
}

func (o *Office) ssoFailed(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	v := o.newView(r)
	v.SwitchURL = link("/office/login", nil, v.Other) // not the used callback
	v.Title = v.T("sso.failed.title")
	v.Data = ssoData{Problem: problem}
	return o.render(w, status, "ssofailed", v)
}

// ssoUnassigned is the "ask your administrator" page: the provider knows
// the person, the register does not give them any access yet.
func (o *Office) ssoUnassigned(w http.ResponseWriter, r *http.Request, ext register.ExternalIdentity) error {
	v := o.newView(r)
	v.SwitchURL = link("/office/login", nil, v.Other)
	v.Title = v.T("sso.unassigned.title")
	v.Data = ssoData{Subject: ext.Subject, Issuer: ext.Issuer, Name: ext.Name, Email: ext.Email}
	return o.render(w, http.StatusForbidden, "ssounassigned", v)
}

// ssoLabels are the words of single sign-on.
func ssoLabels() map[string]text {
	return map[string]text{
		"sso.button":             {"Se connecter avec le compte de mon organisation", "Sign in with my organisation's account"},
		"sso.or":                 {"ou avec un compte local du registre", "or with a local account of the register"},
		"sso.local.off":          {"La connexion par mot de passe local est désactivée.", "Signing in with a local password is turned off."},
		"sso.failed.title":       {"La connexion n’a pas abouti", "Sign-in did not succeed"},
		"sso.error.refused":      {"La réponse du fournisseur d’identité n’a pas pu être vérifiée, ou cette connexion a déjà été utilisée ou a pris trop de temps. Recommencez depuis la page de connexion.", "The identity provider's answer could not be checked, or this sign-in was used already or took too long. Start again from the sign-in page."},
		"sso.error.provider":     {"Le fournisseur d’identité n’a pas confirmé votre identité.", "The identity provider did not confirm who you are."},
		"sso.error.unavailable":  {"Le fournisseur d’identité ne répond pas. Réessayez dans un moment.", "The identity provider does not answer. Try again in a moment."},
		"sso.error.disabled":     {"Votre compte est désactivé. Adressez-vous à l’administrateur du registre.", "Your account is disabled. Ask the register's administrator."},
		"sso.again":              {"Retour à la page de connexion", "Back to the sign-in page"},
		"sso.unassigned.title":   {"Demandez l’accès à votre administrateur", "Ask your administrator for access"},
		"sso.unassigned.text":    {"Votre fournisseur d’identité vous a reconnu·e, mais le registre ne vous a pas encore donné d’accès. Transmettez les informations ci-dessous à l’administrateur du registre : il vous attribuera un rôle, puis vous pourrez vous connecter.", "Your identity provider recognised you, but the register has not given you any access yet. Send the details below to the register's administrator: they will give you a role, then you can sign in."},
		"sso.unassigned.subject": {"Identifiant chez le fournisseur", "Identifier at the provider"},
		"sso.unassigned.issuer":  {"Fournisseur d’identité", "Identity provider"},
		"sso.unassigned.name":    {"Nom", "Name"},
		"sso.unassigned.email":   {"Adresse électronique", "E-mail address"},
		"login.error.local.off":  {"La connexion par mot de passe local est désactivée : utilisez le compte de votre organisation.", "Signing in with a local password is turned off: use your organisation's account."},
		"login.error.disabled":   {"Ce compte est désactivé. Adressez-vous à l’administrateur du registre.", "This account is disabled. Ask the register's administrator."},
	}
}
