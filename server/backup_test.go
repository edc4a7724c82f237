package server_test

import (
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func TestExportOverHTTP(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Exporté"))
		if _, err := e.Service.CreateUserAsOperator(t.Context(), register.NewAccount{Username: "alice", Password: "correct horse battery", Role: "dpo", Org: "geneve"}); err != nil {
			t.Fatal(err)
		}
		checkProblem(t, e.Do("GET", "/api/v1/export", dpo, nil), 403, "")
		r := e.Must(200, "GET", "/api/v1/export", e.Token(auth.RoleAdmin, ""), nil)
		var b register.Backup
		r.JSON(t, &b)
		if b.Format != register.BackupFormat || len(b.Processings) != 1 || len(b.Versions) != 1 || len(b.Audit) != 5 || b.Secrets != nil {
			t.Fatalf("got %d processings, %d versions, %d audit entries, secrets %v", len(b.Processings), len(b.Versions), len(b.Audit), b.Secrets != nil)
		}
		if strings.Contains(string(r.Body), "argon2id") || strings.Contains(string(r.Body), "password") {
			t.Fatalf("the HTTP export holds account secrets")
		}
	})
}
