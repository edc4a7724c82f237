package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
)

// OfficeFixture is a small register for the back office's tests, built
// through the API: one organisation with a person of every role, records in
// every state (one published then changed, so that it has two versions to
// compare; an editor's incomplete draft returned by the DPO with a comment;
// one in review), enough drafts for a second page of the list, and another
// organisation's record, which no one of the first may see.
type OfficeFixture struct {
	Org, OtherOrg string
	Password      string
	Users         map[string]string // role → username
	OtherDPO      string            // the other organisation's DPO
	// IDs of the records: births (v1 published, v2 draft), canteen
	// (returned), accounts (in review), other (the other organisation's).
	Births, Canteen, Accounts, Other string
	Fillers                          int
}

// The words the tests look for.
const (
	OfficeBirthsV1     = "Registre des naissances"
	OfficeBirthsV2     = "Registre des naissances et reconnaissances"
	OfficeAddedRecip   = "Archives d’État"
	OfficeCanteen      = "Cantine scolaire"
	OfficeAccounts     = "Comptes informatiques du personnel"
	OfficeOtherTitle   = "Dossier patient de l’autre institution"
	OfficeReturnNote   = "Ajoutez la base légale et le responsable."
	officeFillerPrefix = "Dossier d’archives n°"
)

// LoadOffice builds the fixture through the API of e.
func LoadOffice(t testing.TB, e *apitest.Env) *OfficeFixture {
	t.Helper()
	f := &OfficeFixture{Org: "ville-de-geneve", OtherOrg: "hug", Password: "un mot de passe assez long 2026",
		Users:    map[string]string{"admin": "alice.admin", "dpo": "dora.dpo", "editor": "eric.editeur", "auditor": "aude.auditrice"},
		OtherDPO: "olga.dpo", Fillers: 30}
	e.Seed(f.Org)
	e.Seed(f.OtherOrg)
	admin := e.Token(auth.RoleAdmin, "")
	for role, user := range f.Users {
		body := map[string]any{"username": user, "password": f.Password, "role": role, "org": f.Org}
		switch role {
		case "admin":
			body["org"] = ""
		case "editor":
			body["units"] = []string{"etat-civil"}
		}
		e.Must(201, "POST", "/api/v1/users", admin, body)
	}
	e.Must(201, "POST", "/api/v1/users", admin, map[string]any{"username": f.OtherDPO, "password": f.Password, "role": "dpo", "org": f.OtherOrg})

	// The records are written by the fixture's people themselves, so that
	// the views relative to the reader ("my drafts", "returned to me") and
	// "last change by" name them.
	as := func(user string, role auth.Role, org string, units ...string) string {
		t.Helper()
		tok, _, err := e.Signer.Issue(auth.Principal{Subject: user, Role: role, Org: org, Units: units}, time.Hour, time.Now())
		if err != nil {
			t.Fatalf("token for %s: %v", user, err)
		}
		return tok
	}
	dpo := as(f.Users["dpo"], auth.RoleDPO, f.Org)
	editor := as(f.Users["editor"], auth.RoleEditor, f.Org, "etat-civil")
	create := func(tok string, body map[string]any) (string, string) {
		t.Helper()
		r := e.Must(201, "POST", "/api/v1/processings", tok, body)
		return r.Map(t)["id"].(string), r.Header.Get("ETag")
	}
	step := func(tok, id, s string, body any) {
		t.Helper()
		e.Must(200, "POST", "/api/v1/processings/"+id+"/"+s, tok, body)
	}

	var etag string
	f.Births, _ = create(dpo, processing("etat-civil", OfficeBirthsV1, func(p map[string]any) { p["reference"] = "VDG-EC-001" }))
	step(dpo, f.Births, "submit", nil)
	step(dpo, f.Births, "publish", nil)
	etag = e.Must(200, "GET", "/api/v1/processings/"+f.Births, dpo, nil).Header.Get("ETag")
	v2 := processing("etat-civil", OfficeBirthsV2, func(p map[string]any) {
		p["reference"] = "VDG-EC-001"
		p["recipients"] = []any{
			map[string]any{"name": "Office cantonal de la population", "type": "public_body"},
			map[string]any{"name": OfficeAddedRecip, "type": "public_body"},
		}
	})
	e.Must(200, "PUT", "/api/v1/processings/"+f.Births, dpo, v2, "If-Match: "+etag)

	f.Canteen, _ = create(editor, processing("etat-civil", OfficeCanteen, func(p map[string]any) {
		p["reference"] = "SCO-7"
		p["controller"] = map[string]any{"name": "", "contact": ""}
		p["legal_bases"] = []any{}
		p["data_categories"] = []any{
			map[string]any{"name": "identité de l’enfant", "sensitive": false},
			map[string]any{"name": "régime alimentaire (santé)", "sensitive": true},
		}
	}))
	step(editor, f.Canteen, "submit", nil)
	step(dpo, f.Canteen, "return", map[string]any{"comment": OfficeReturnNote})

	f.Accounts, _ = create(dpo, processing("informatique", OfficeAccounts, nil))
	step(dpo, f.Accounts, "submit", nil)

	for i := range f.Fillers {
		create(dpo, processing("informatique", fmt.Sprintf("%s %02d", officeFillerPrefix, i+1), nil))
	}

	f.Other, _ = create(as(f.OtherDPO, auth.RoleDPO, f.OtherOrg), processing("etat-civil", OfficeOtherTitle, nil))
	return f
}
