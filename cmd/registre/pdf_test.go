package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
)

// seedPDF creates an organisation with one published and one draft
// processing through the service, and returns their ids.
func seedPDF(t *testing.T, dsn string) (published, draft string) {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, dsn)
	svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
	admin := &auth.Principal{Subject: "admin", Role: auth.RoleAdmin}
	if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "geneve", Name: "Ville de Genève", LIPADContact: "lipad@example.ch"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUnit(ctx, admin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
		t.Fatal(err)
	}
	f := register.Fields{Unit: "etat-civil", Title: "Registre des naissances", Purpose: "Tenir le registre.",
		PublicSummary: "Nous enregistrons les naissances.", Controller: register.Party{Name: "État civil", Contact: "ec@example.ch"},
		LegalBases:   []register.LegalBasis{{Type: register.BasisLaw, Reference: "OEC"}},
		DataSubjects: []string{"parents"}, DataCategories: []register.DataCategory{{Name: "identité"}},
		Recipients:       []register.Recipient{{Name: "OFS", Type: register.RecipientPublicBody}},
		Retention:        register.Retention{Period: "P10Y"},
		SecurityMeasures: []register.SecurityMeasure{{Category: register.SecBackup}}}
	p, err := svc.CreateProcessing(ctx, admin, "geneve", f)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []register.Step{register.StepSubmit, register.StepPublish} {
		if _, err := svc.Transition(ctx, admin, p.ID, step, nil, ""); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	f.Title = "Brouillon"
	d, err := svc.CreateProcessing(ctx, admin, "geneve", f)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, d.ID
}

func TestPDFCommand(t *testing.T) {
	dsn := dbtest.SQLiteDSN(t)
	published, draft := seedPDF(t, dsn)
	getenv := func(k string) string { return map[string]string{"REGISTRE_DB": dsn}[k] }
	tests := []struct {
		name string
		args []string
		ok   bool
	}{
		{"Notice", []string{"pdf", "notice", published}, true},
		{"NoticeFlagsAfterID", []string{"pdf", "notice", published, "--lang", "en"}, true},
		{"NoticeFlagsBeforeID", []string{"pdf", "notice", "--lang=en", published}, true},
		{"NoticeDraft", []string{"pdf", "notice", draft}, false},
		{"NoticeNoID", []string{"pdf", "notice"}, false},
		{"NoticeBadLang", []string{"pdf", "notice", published, "--lang", "de"}, false},
		{"Register", []string{"pdf", "register", "--org", "geneve", "--lang", "fr"}, true},
		{"RegisterNoOrg", []string{"pdf", "register"}, false},
		{"RegisterUnknownOrg", []string{"pdf", "register", "--org", "nowhere"}, false},
		{"Report", []string{"pdf", "report", "--org", "geneve"}, true},
		{"Unknown", []string{"pdf", "leaflet"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tt.args, getenv, nil, &out, io.Discard)
			if tt.ok != (err == nil) {
				t.Fatalf("%v: got error %v, want ok=%v", tt.args, err, tt.ok)
			}
			if tt.ok && !bytes.HasPrefix(out.Bytes(), []byte("%PDF-")) {
				t.Fatalf("%v: got %.40q on stdout, want a PDF", tt.args, out.Bytes())
			}
			if !tt.ok && out.Len() != 0 {
				t.Fatalf("%v: got %d bytes on stdout after an error, want none", tt.args, out.Len())
			}
			if tt.name == "NoticeDraft" && !strings.Contains(err.Error(), "not published") {
				t.Errorf("draft: got %v, want it to say it is not published", err)
			}
		})
	}
}
