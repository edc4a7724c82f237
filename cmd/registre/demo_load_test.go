package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/registre/registre/internal/dbtest"
)

// `registre demo` followed by `registre serve` shows a populated public
// register, on both databases.
func TestDemoThenServe(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, kind dbtest.Kind, dsn string) {
		out := cmdRun(t, dsn, nil, "demo")
		if !strings.HasPrefix(out, "demo loaded: 4 organisations") {
			t.Fatalf("demo said %q", out)
		}
		if again := cmdRun(t, dsn, nil, "demo"); !strings.HasPrefix(again, "demo already loaded") {
			t.Fatalf("second demo said %q", again)
		}
		base := startServe(t, map[string]string{"REGISTRE_DB": dsn})
		get := func(path string) []byte {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: got %d", path, resp.StatusCode)
			}
			return b
		}
		var page struct {
			Total int `json:"total"`
		}
		if err := json.Unmarshal(get("/public/v1/processings"), &page); err != nil || page.Total < 20 {
			t.Fatalf("public processings: %d, %v", page.Total, err)
		}
		var orgs struct {
			Items []struct {
				Slug string `json:"slug"`
			} `json:"items"`
		}
		if err := json.Unmarshal(get("/public/v1/organisations"), &orgs); err != nil || len(orgs.Items) != 4 {
			t.Fatalf("public organisations: %+v, %v", orgs, err)
		}
		if home := string(get("/")); !strings.Contains(home, "Ville de Carouge") {
			t.Fatalf("home page lacks the demo organisations")
		}
		if pdf := get("/public/v1/organisations/ville-de-geneve/register.pdf"); !strings.HasPrefix(string(pdf), "%PDF") {
			t.Fatalf("register PDF: not a PDF")
		}
	})
}
