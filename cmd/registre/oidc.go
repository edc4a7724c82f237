package main

import (
	"fmt"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/office"
)

// oidcConfig is the configuration of single sign-on (docs/identity.md).
type oidcConfig struct {
	OIDCIssuer, OIDCClientID, OIDCClientSecret, OIDCRedirectURL string
	OIDCRoleClaim, OIDCOrgClaim, OIDCUnitsClaim                 string
	LocalLogin                                                  string // on or off
}

func (c *oidcConfig) oidcFlags(str func(p *string, flagName, def, help string)) {
	str(&c.OIDCIssuer, "oidc-issuer", "", "issuer URL of the OpenID provider the back office signs in through; empty: no single sign-on")
	str(&c.OIDCClientID, "oidc-client-id", "", "client id registered at the OpenID provider")
	str(&c.OIDCClientSecret, "oidc-client-secret", "", "client secret registered at the OpenID provider")
	str(&c.OIDCRedirectURL, "oidc-redirect-url", "", "redirect URL registered at the provider: the public URL + "+office.CallbackPath)
	str(&c.OIDCRoleClaim, "oidc-role-claim", "", "ID token claim giving the role (admin, dpo, editor, auditor) of a subject no administrator assigned; empty: assignments only")
	str(&c.OIDCOrgClaim, "oidc-org-claim", "", "ID token claim giving the organisation's slug (with --oidc-role-claim)")
	str(&c.OIDCUnitsClaim, "oidc-units-claim", "", "ID token claim giving an editor's unit slugs (with --oidc-role-claim)")
	str(&c.LocalLogin, "local-login", "on", "on or off: off refuses local passwords (sign-in form and POST /api/v1/auth/login)")
}

func (c *oidcConfig) office() office.OIDC {
	return office.OIDC{Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret, RedirectURL: c.OIDCRedirectURL,
		RoleClaim: c.OIDCRoleClaim, OrgClaim: c.OIDCOrgClaim, UnitsClaim: c.OIDCUnitsClaim}
}

func (c *oidcConfig) localLogin() (register.Option, error) {
	switch c.LocalLogin {
	case "", "on":
		return register.WithLocalLogin(true), nil
	case "off":
		return register.WithLocalLogin(false), nil
	}
	return nil, fmt.Errorf("--local-login: want on or off, got %q", c.LocalLogin)
}
