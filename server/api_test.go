package server_test

import (
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

func TestSmoke(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", "Registre des naissances"))
		id := r.Map(t)["id"].(string)
		etag := r.Header.Get("ETag")
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)
		_ = etag
		r = e.Must(200, "GET", "/api/v1/processings?q=NAISSANCES", dpo, nil)
		if got := r.Map(t)["total"]; got != float64(1) {
			t.Fatalf("search: got %v, want 1", got)
		}
		r = e.Must(200, "GET", "/api/v1/audit/verify", dpo, nil)
		if ok := r.Map(t)["ok"]; ok != true {
			t.Fatalf("verify: %s", r.Body)
		}
	})
}
