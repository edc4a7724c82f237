package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/registre/registre/internal/apitest"
)

// TestAttackLinkedData sends what an anonymous client can send to the linked
// data addresses of a `registre serve` subprocess: ids and organisations
// that are not published or do not exist (one 404, the same bytes whether
// the thing exists unpublished or not at all), foreign hosts (421 without
// REGISTRE_PUBLIC_URL, as every route that prints a URL), and Accept headers
// made to confuse the content negotiation (never a 5xx). Nothing is written.
func TestAttackLinkedData(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		id := tg.seed("ville-a")
		admin := tg.admin()
		// A draft that exists but was never published.
		draft := string(tg.must(201, "POST", "/api/v1/processings", admin, func() map[string]any {
			m := apitest.Complete("etat-civil", "Brouillon")
			m["organisation"] = "ville-a"
			return m
		}()))
		draftID := draft[strings.Index(draft, `"id":"`)+6:]
		draftID = draftID[:strings.Index(draftID, `"`)]
		before := tg.auditEntries()

		t.Run("NotPublishedIsNotFound", func(t *testing.T) {
			for _, shape := range []struct {
				path   func(id string) string
				accept string
			}{
				{func(id string) string { return "/public/v1/processings/" + id + "/dpv.jsonld" }, ""},
				{func(id string) string { return "/public/v1/processings/" + id }, "application/ld+json"},
			} {
				var bodies [][]byte
				for _, x := range []string{draftID, "0193aaaa-0000-7000-8000-000000000000", "no-such-id", "%2e%2e"} {
					h := map[string]string{}
					if shape.accept != "" {
						h["Accept"] = shape.accept
					}
					resp, body := tg.send(request{method: "GET", path: shape.path(x), header: h})
					problemOf(t, resp, body, http.StatusNotFound)
					if x != "no-such-id" && x != "%2e%2e" {
						bodies = append(bodies, body)
					}
				}
				if !bytes.Equal(bodies[0], bodies[1]) {
					t.Errorf("%s: an unpublished draft and a missing id answer differently:\n%s\n%s", shape.path("ID"), bodies[0], bodies[1])
				}
			}
			for _, path := range []string{"/public/v1/processings.jsonld?org=nowhere", "/public/v1/catalog.rdf?org=nowhere",
				"/public/v1/processings.jsonld?org=%00", "/public/v1/catalog.rdf?org=" + strings.Repeat("a", 5000)} {
				resp, body := tg.send(request{method: "GET", path: path})
				if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: got %d %s", path, resp.StatusCode, truncate(body, 200))
				}
				problemOf(t, resp, body, resp.StatusCode)
			}
		})

		t.Run("HostileAccept", func(t *testing.T) {
			for _, accept := range []string{
				"application/ld+json;q=NaN", "application/ld+json;q=1e999", "application/ld+json;q=-1, application/json",
				strings.Repeat("application/ld+json;q=0.1,", 2000), "application/ld+json;;;=;q", "application/ld+json;q=0.99999999999999999999",
			} {
				resp, body := tg.send(request{method: "GET", path: "/public/v1/processings/" + id, header: map[string]string{"Accept": accept}})
				if resp.StatusCode != http.StatusOK {
					t.Errorf("Accept %.40q: got %d %s", accept, resp.StatusCode, truncate(body, 200))
				}
			}
		})

		t.Run("ForeignHost", func(t *testing.T) {
			for _, path := range []string{"/public/v1/processings/" + id + "/dpv.jsonld", "/public/v1/processings.jsonld",
				"/public/v1/catalog.rdf", "/public/v1/context.jsonld"} {
				resp, body := tg.send(request{method: "GET", path: path, header: map[string]string{"Host": "evil.example"}})
				problemOf(t, resp, body, http.StatusMisdirectedRequest)
				if bytes.Contains(body, []byte("evil")) {
					t.Errorf("%s repeats the foreign host: %s", path, body)
				}
			}
			resp, body := tg.send(request{method: "GET", path: "/public/v1/processings/" + id,
				header: map[string]string{"Host": "evil.example", "Accept": "application/ld+json"}})
			problemOf(t, resp, body, http.StatusMisdirectedRequest)
		})
		tg.wroteNothing(before)
	})
}
