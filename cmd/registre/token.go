package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/register"
)

// runToken serves `registre token`: it prints a token signed with the key
// serve uses (the HS256 secret, or the service's own key from the
// database), for scripts and operations. The organisation and units are
// checked, since a token naming an unknown organisation would be refused.
func runToken(ctx context.Context, e *env, args []string) error {
	var c config
	fs := flagSet("token", e, &c)
	sub := fs.String("sub", "", "subject: the person or script the token stands for")
	role := fs.String("role", "", "admin, dpo, editor or auditor")
	org := fs.String("org", "", "organisation slug (not for admin)")
	units := fs.String("units", "", "comma-separated unit slugs (editor only)")
	ttl := fs.String("ttl", "1h", "lifetime, at most 12h")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	life, err := parseTTL("--ttl", *ttl)
	if err != nil {
		return err
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	p := auth.Principal{Subject: *sub, Role: r, Org: *org, Units: splitList(*units)}
	switch {
	case *sub == "":
		return errors.New("--sub is required")
	case register.ReservedUsername(*sub):
		// The service refuses such tokens: their entries would pass for
		// the service's own in the audit trail.
		return fmt.Errorf("--sub: %q is reserved for the service's own entries in the audit trail", *sub)
	case r == auth.RoleAdmin && (p.Org != "" || len(p.Units) > 0):
		return errors.New("an admin token has no --org or --units")
	case r != auth.RoleAdmin && p.Org == "":
		return errors.New("--org is required for this role")
	case r != auth.RoleEditor && len(p.Units) > 0:
		return errors.New("only editors have --units")
	}
	app, err := c.open(ctx, e)
	if err != nil {
		return err
	}
	defer app.close()
	svc := app.svc
	if p.Org != "" {
		// Reads only, as the operator who holds the database.
		units, err := svc.ListUnits(ctx, register.CommandLine("token"), p.Org)
		if register.ErrorCode(err) == register.ENotFound {
			return fmt.Errorf("--org: no organisation %q", p.Org)
		}
		if err != nil {
			return err
		}
		for _, u := range p.Units {
			if !slices.ContainsFunc(units, func(x register.Unit) bool { return x.Slug == u }) {
				return fmt.Errorf("--units: %q is not a unit of %s", u, p.Org)
			}
		}
	}
	signer, _, err := c.signingConfig(ctx, svc)
	if err != nil {
		return err
	}
	token, exp, err := signer.Issue(p, life, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	fmt.Fprintf(e.stderr, "expires at %s\n", exp.Format(time.RFC3339))
	return nil
}
