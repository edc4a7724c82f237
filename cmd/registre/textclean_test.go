package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
)

// TestStoredTextIsCleanedAndAudited: records stored before bidirectional
// controls, non-characters and mailto parameters were refused (written here
// straight into the database) are cleaned by the step migration
// 20261130000010 queues; every cleaned record has its audit entry, and the
// chain still verifies.
func TestStoredTextIsCleanedAndAudited(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		ctx := context.Background()
		db := dbtest.Open(t, dsn) // migrated by the store alone: the step is still queued
		svc := register.NewService(db.Store(), register.WithPasswords(auth.Argon2id{}))
		admin := &auth.Principal{Subject: "ada", Role: auth.RoleAdmin}
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: "geneve", Name: "Ville de Genève",
			DPOContact: "dpo@geneve.example.ch", LIPADContact: "lipad@geneve.example.ch"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, admin, "geneve", register.Unit{Slug: "etat-civil", Name: "État civil"}); err != nil {
			t.Fatal(err)
		}
		var f register.Fields
		b, _ := json.Marshal(apitest.Complete("etat-civil", "Registre des naissances"))
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatal(err)
		}
		pr, err := svc.CreateProcessing(ctx, admin, "geneve", f)
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []register.Step{register.StepSubmit, register.StepPublish} {
			if _, err := svc.Transition(ctx, admin, pr.ID, step, nil, ""); err != nil {
				t.Fatalf("%s: %v", step, err)
			}
		}
		clean, err := svc.GetProcessing(ctx, admin, pr.ID)
		if err != nil {
			t.Fatal(err)
		}

		// What an older version let through, written as it would be stored.
		const rlo, nonchar = "\u202e", "\ufffe"
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Bun().ExecContext(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		exec("UPDATE organisations SET name = ?, lipad_contact = ? WHERE slug = 'geneve'",
			"Ville de "+rlo+"Genève", "lipad@geneve.example.ch?cc=someone%40elsewhere.example&body=x")
		exec("UPDATE units SET name = ? WHERE slug = 'etat-civil'", "État"+nonchar+" civil")
		for _, table := range []string{"processings", "processing_versions", "publications"} {
			exec("UPDATE "+table+" SET data = REPLACE(REPLACE(data, ?, ?), ?, ?)",
				`"Registre des naissances"`, `"`+rlo+`gnp.exe Registre des naissances"`,
				`"etat-civil@example.ch"`, `"mailto:etat-civil@example.ch?bcc=x@evil.example"`)
		}
		before, err := svc.GetProcessing(ctx, admin, pr.ID)
		if err != nil || !strings.Contains(before.Title, rlo) {
			t.Fatalf("setup: the stored title is not dirty: %+q, %v", before.Title, err)
		}
		entries := func() []register.AuditEntry {
			var all []register.AuditEntry
			if err := db.Store().ScanAudit(ctx, func(e register.AuditEntry) bool { all = append(all, e); return true }); err != nil {
				t.Fatal(err)
			}
			return all
		}
		n0 := len(entries())

		out := cmdRun(t, dsn, nil, "migrate", "up")
		t.Logf("migrate up: %s", strings.TrimSpace(out))

		o, err := svc.GetOrganisation(ctx, admin, "geneve")
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != "Ville de Genève" || o.LIPADContact != "lipad@geneve.example.ch" || o.DPOContact != "dpo@geneve.example.ch" {
			t.Errorf("organisation: got %+q %q %q", o.Name, o.LIPADContact, o.DPOContact)
		}
		u, err := db.Store().GetUnit(ctx, "geneve", "etat-civil")
		if err != nil || u.Name != "État civil" {
			t.Errorf("unit: got %+v, %v", u, err)
		}
		after, err := svc.GetProcessing(ctx, admin, pr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Title != "gnp.exe Registre des naissances" || after.Controller.Contact != "etat-civil@example.ch" {
			t.Errorf("head: got title %+q contact %q", after.Title, after.Controller.Contact)
		}
		if after.Revision == before.Revision || after.Version != clean.Version {
			t.Errorf("head: got revision %d (was %d) version %d (was %d), want a new revision and the same version",
				after.Revision, before.Revision, after.Version, clean.Version)
		}
		versions, err := svc.ListVersions(ctx, admin, pr.ID)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := db.Store().GetPublication(ctx, pr.ID)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string][]byte{"version": versions[0].Data, "publication": pub.Data} {
			if strings.Contains(string(data), rlo) || strings.Contains(string(data), "mailto") || strings.Contains(string(data), "evil") {
				t.Errorf("%s still dirty: %s", name, data)
			}
		}
		if strings.Contains(pub.Title, rlo) || strings.Contains(pub.SearchKey, rlo) {
			t.Errorf("publication columns still dirty: %+q", pub.Title)
		}

		all := entries()
		got := map[string]string{}
		for _, e := range all[n0:] {
			if e.Action != register.ActionTextClean || e.Actor != register.SystemActor {
				t.Errorf("unexpected entry %+v", e)
			}
			got[e.Target] = e.Comment
		}
		for target, field := range map[string]string{
			"organisation/geneve":    "lipad_contact",
			"unit/geneve/etat-civil": "name",
			"processing/" + pr.ID:    "controller.contact",
		} {
			if c, ok := got[target]; !ok || !strings.Contains(c, field) || !strings.Contains(c, "20261130000010") {
				t.Errorf("audit entry for %s: got %q, want one naming %s", target, c, field)
			}
			if strings.Contains(got[target], "evil") {
				t.Errorf("audit comment echoes the stored value: %q", got[target])
			}
		}
		if len(all)-n0 != 3 {
			t.Errorf("got %d cleaning entries, want 3", len(all)-n0)
		}
		if out, err := auditCmd(t, dsn, "verify"); err != nil || !strings.HasPrefix(out, "ok: ") {
			t.Fatalf("audit verify after cleaning: got %q, %v", out, err)
		}
		// The step ran once: running again changes and appends nothing.
		cmdRun(t, dsn, nil, "migrate", "up")
		if n := len(entries()); n != len(all) {
			t.Errorf("second run appended %d entries", n-len(all))
		}
	})
}
