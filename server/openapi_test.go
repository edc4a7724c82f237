package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
)

// TestOpenAPIMatchesRoutes fetches the document from a running server,
// validates it as OpenAPI 3.1, and sends a request to every operation it
// lists: each must be served (not the catch-all 404, not 405), protected
// ones must ask for a token. New() refuses to build a document that leaves a
// served route undocumented, so both directions hold.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)))
	r := e.Must(200, "GET", "/api/openapi.json", "", nil)
	if strings.Contains(e.Logs.String(), "msg=openapi") {
		t.Fatalf("the server could not build its OpenAPI document: %s", e.Logs.String())
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("got openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var raw struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.JSON(t, &raw)
	param := regexp.MustCompile(`\{[a-z]+\}`)
	var ops []string
	for path, methods := range raw.Paths {
		for method, opJSON := range methods {
			ops = append(ops, method+" "+path)
			var o struct {
				Security []map[string]any `json:"security"`
			}
			if err := json.Unmarshal(opJSON, &o); err != nil {
				t.Fatal(err)
			}
			concrete := param.ReplaceAllString(path, "0193a3b0-0000-7000-8000-000000000000")
			resp := e.Do(strings.ToUpper(method), concrete, "", nil)
			if resp.Status == http.StatusMethodNotAllowed || strings.Contains(string(resp.Body), "nothing is served at this path") {
				t.Errorf("%s %s is documented but not served: %d %s", method, path, resp.Status, resp.Body)
			}
			if len(o.Security) > 0 && resp.Status != http.StatusUnauthorized {
				t.Errorf("%s %s needs a token but answered %d without one", method, path, resp.Status)
			}
		}
	}
	sort.Strings(ops)
	if len(ops) < 20 {
		t.Fatalf("only %d operations documented: %v", len(ops), ops)
	}
}
