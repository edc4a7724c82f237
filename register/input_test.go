package register_test

import (
	"context"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// TestBadTextNeverReachesTheStore: lookups and searches with a NUL byte or
// invalid UTF-8 are the caller's mistake (invalid or not found), on both
// databases; before the check, PostgreSQL got a query text cut at the NUL
// and the service answered with an internal error.
func TestBadTextNeverReachesTheStore(t *testing.T) {
	t.Parallel()
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
		admin := adminPrincipal()
		for _, bad := range []string{"a\x00b", "caf\xe9"} {
			cases := []struct {
				name string
				want register.Code
				call func() error
			}{
				{"ListPublicQuery", register.EInvalid, func() error {
					_, _, err := svc.ListPublic(ctx, register.PublicFilter{Query: bad})
					return err
				}},
				{"ListPublicOrganisation", register.EInvalid, func() error {
					_, _, err := svc.ListPublic(ctx, register.PublicFilter{Organisation: bad})
					return err
				}},
				{"ListPublicCategory", register.EInvalid, func() error {
					_, _, err := svc.ListPublic(ctx, register.PublicFilter{Category: bad})
					return err
				}},
				{"ScanPublic", register.EInvalid, func() error {
					return svc.ScanPublic(ctx, register.PublicFilter{Query: bad}, func(register.Publication) bool { return true })
				}},
				{"PublicHead", register.EInvalid, func() error { _, err := svc.PublicHead(ctx, bad); return err }},
				{"PublicEvents", register.EInvalid, func() error { _, err := svc.PublicEvents(ctx, bad, 10); return err }},
				{"PublicUnitName", register.ENotFound, func() error { _, err := svc.PublicUnitName(ctx, "geneve", bad); return err }},
				{"PublicProcessing", register.ENotFound, func() error { _, err := svc.PublicProcessing(ctx, bad); return err }},
				{"GetOrganisation", register.ENotFound, func() error { _, err := svc.GetOrganisation(ctx, admin, bad); return err }},
				{"ListProcessingsQuery", register.EInvalid, func() error {
					_, _, err := svc.ListProcessings(ctx, admin, register.ProcessingFilter{Query: bad})
					return err
				}},
				{"ListProcessingsUnit", register.EInvalid, func() error {
					_, _, err := svc.ListProcessings(ctx, admin, register.ProcessingFilter{Unit: bad})
					return err
				}},
				{"ListAuditActor", register.EInvalid, func() error {
					_, _, err := svc.ListAudit(ctx, admin, register.AuditFilter{Actor: bad})
					return err
				}},
			}
			for _, c := range cases {
				if got := register.ErrorCode(c.call()); got != c.want {
					t.Errorf("%s(%q): got code %q, want %q", c.name, bad, got, c.want)
				}
			}
			if ok, err := svc.OrganisationExists(ctx, bad); ok || err != nil {
				t.Errorf("OrganisationExists(%q): got %v, %v; want false, nil", bad, ok, err)
			}
		}
	})
}
