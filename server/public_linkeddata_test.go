package server_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/linkeddata"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

type offline struct{ t *testing.T }

func (l offline) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.t.Errorf("the JSON-LD processor tried to load %s", u)
	return nil, errors.New("offline")
}

// expandServed expands a served JSON-LD body with a real processor and
// returns the nodes of the given type (a full IRI).
func expandServed(t *testing.T, body []byte, typ string) []map[string]any {
	t.Helper()
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = offline{t}
	flat, err := ld.NewJsonLdProcessor().Flatten(doc, nil, opts)
	if err != nil {
		t.Fatalf("flatten: %v", err)
	}
	var nodes []map[string]any
	for _, n := range flat.([]any) {
		m := n.(map[string]any)
		ts, _ := m["@type"].([]any)
		for _, x := range ts {
			if x == typ {
				nodes = append(nodes, m)
			}
		}
	}
	return nodes
}

const pdh = "https://w3id.org/dpv#PersonalDataHandling"

func TestPublicLinkedData(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		const public = "https://registre.example.ch"
		e := apitest.Start(t, db, func(c *server.Config) { c.PublicURL = public })
		f := e2e.Load(t, e)
		var id string
		for _, v := range f.Published {
			id = v
			break
		}

		t.Run("ContentNegotiation", func(t *testing.T) {
			for _, tc := range []struct {
				accept string
				ld     bool
			}{
				{"", false},
				{"application/json", false},
				{"application/ld+json", true},
				{"application/ld+json, application/json;q=0.9", true},
				{"application/ld+json;q=0.5, application/json", false},
				{"application/ld+json;q=0.5, */*", false},
				{"application/ld+json;q=0", false},
				{"text/html, application/ld+json", true},
			} {
				var hs []string
				if tc.accept != "" {
					hs = append(hs, "Accept: "+tc.accept)
				}
				r := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil, hs...)
				got := strings.HasPrefix(r.Header.Get("Content-Type"), "application/ld+json")
				if got != tc.ld {
					t.Errorf("Accept %q: Content-Type %q", tc.accept, r.Header.Get("Content-Type"))
				}
				if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Accept") {
					t.Errorf("Accept %q: no Vary: Accept (%v)", tc.accept, r.Header.Values("Vary"))
				}
			}
		})

		t.Run("OneProcessing", func(t *testing.T) {
			r := e.Must(200, "GET", "/public/v1/processings/"+id+"/dpv.jsonld", "", nil)
			nodes := expandServed(t, r.Body, pdh)
			if len(nodes) != 1 || nodes[0]["@id"] != public+"/processings/"+id {
				t.Fatalf("got %v", nodes)
			}
			neg := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil, "Accept: application/ld+json")
			if string(neg.Body) != string(r.Body) {
				t.Error("the negotiated document differs from the one at its own address")
			}
			tag := r.Header.Get("ETag")
			if tag == "" || r.Header.Get("Cache-Control") != "public, max-age=60" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("headers: %v", r.Header)
			}
			e.Must(304, "GET", "/public/v1/processings/"+id+"/dpv.jsonld", "", nil, "If-None-Match: "+tag)
		})

		t.Run("Graph", func(t *testing.T) {
			r := e.Must(200, "GET", "/public/v1/processings.jsonld", "", nil)
			// The nodes are encoded on several cores and written in the
			// scan's order: the same bytes as one graph built node by
			// node, organisations first.
			g, err := linkeddata.NewGraph(public)
			if err != nil {
				t.Fatal(err)
			}
			pubOrgs, err := e.Service.PublicOrganisations(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			for i := range pubOrgs {
				if err := g.Organisation(&pubOrgs[i]); err != nil {
					t.Fatal(err)
				}
			}
			err = e.Service.ScanPublic(t.Context(), register.PublicFilter{}, func(pub register.Publication) bool {
				var p register.PublicProcessing
				if err := json.Unmarshal(pub.Data, &p); err != nil {
					t.Fatal(err)
				}
				if err := g.Processing(&p); err != nil {
					t.Fatal(err)
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			g.End()
			if want := g.Take(); !bytes.Equal(r.Body, want) {
				t.Errorf("the graph is not the one built node by node: %d bytes, want %d; first difference at byte %d",
					len(r.Body), len(want), firstDiff(r.Body, want))
			}
			if got := len(expandServed(t, r.Body, pdh)); got != publicTotal {
				t.Errorf("graph has %d processings, want %d", got, publicTotal)
			}
			orgs := expandServed(t, r.Body, "https://w3id.org/dpv#GovernmentalOrganisation")
			if len(orgs) < len(f.Orgs) {
				t.Errorf("graph has %d organisations, want at least %d", len(orgs), len(f.Orgs))
			}
			e.Must(304, "GET", "/public/v1/processings.jsonld", "", nil, "If-None-Match: "+r.Header.Get("ETag"))
			one := e.Must(200, "GET", "/public/v1/processings.jsonld?org=hug", "", nil)
			for _, n := range expandServed(t, one.Body, pdh) {
				pub, _ := json.Marshal(n["http://purl.org/dc/terms/publisher"])
				if !strings.Contains(string(pub), public+"/organisations/hug") {
					t.Errorf("?org=hug holds a processing of %s", pub)
				}
			}
			e.Must(404, "GET", "/public/v1/processings.jsonld?org=nope", "", nil)

			// An organisation's contacts change without a publication: the
			// graph and the catalogue that show them are new documents.
			cat := e.Must(200, "GET", "/public/v1/catalog.rdf?org=hug", "", nil)
			admin := e.Token(auth.RoleAdmin, "")
			o := e.Must(200, "GET", "/api/v1/organisations/hug", admin, nil).Map(t)
			upd := map[string]any{"name": o["name"], "lipad_contact": o["lipad_contact"], "dpo_contact": "nouveau-dpo@hug.example.ch"}
			e.Must(200, "PUT", "/api/v1/organisations/hug", admin, upd)
			again := e.Must(200, "GET", "/public/v1/processings.jsonld?org=hug", "", nil, "If-None-Match: "+one.Header.Get("ETag"))
			if !strings.Contains(string(again.Body), "nouveau-dpo@hug.example.ch") {
				t.Error("the graph does not show the organisation's new contact")
			}
			cat2 := e.Must(200, "GET", "/public/v1/catalog.rdf?org=hug", "", nil, "If-None-Match: "+cat.Header.Get("ETag"))
			if !strings.Contains(string(cat2.Body), "mailto:nouveau-dpo@hug.example.ch") {
				t.Error("the catalogue does not show the organisation's new contact")
			}
		})

		t.Run("Catalogue", func(t *testing.T) {
			r := e.Must(200, "GET", "/public/v1/catalog.rdf", "", nil)
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rdf+xml") {
				t.Errorf("Content-Type %q", ct)
			}
			var doc struct {
				Datasets []struct {
					About string   `xml:"about,attr"`
					Dists []string `xml:"distribution>Distribution>accessURL>resource"`
				} `xml:"Catalog>dataset>Dataset"`
			}
			if err := xml.Unmarshal(r.Body, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Datasets) != len(f.Orgs)+1 {
				t.Errorf("got %d datasets, want %d", len(doc.Datasets), len(f.Orgs)+1)
			}
			for _, d := range doc.Datasets {
				if !strings.HasPrefix(d.About, public+"/") {
					t.Errorf("dataset %q is not under the public URL", d.About)
				}
			}
			// Every distribution the catalogue lists is served.
			for _, u := range strings.Split(string(r.Body), `rdf:resource="`+public)[1:] {
				path, _, _ := strings.Cut(u, `"`)
				if strings.HasPrefix(path, "/public/v1/") {
					e.Must(200, "GET", strings.ReplaceAll(path, "&amp;", "&"), "", nil)
				}
			}
			e.Must(304, "GET", "/public/v1/catalog.rdf", "", nil, "If-None-Match: "+r.Header.Get("ETag"))
			org := e.Must(200, "GET", "/public/v1/catalog.rdf?org=hug", "", nil)
			if strings.Count(string(org.Body), "<dcat:Dataset ") != 1 {
				t.Errorf("?org=hug:\n%s", org.Body)
			}
			e.Must(404, "GET", "/public/v1/catalog.rdf?org=nope", "", nil)
		})

		t.Run("Context", func(t *testing.T) {
			r := e.Must(200, "GET", "/public/v1/context.jsonld", "", nil)
			var c map[string]any
			r.JSON(t, &c)
			if c["@context"] == nil {
				t.Errorf("no @context: %s", r.Body)
			}
		})
	})
}
