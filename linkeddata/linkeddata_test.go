package linkeddata

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/piprate/json-gold/ld"

	"github.com/registre/registre/register"
)

const testBase = "https://registre.example.ch"

// full is a published processing with every public field set, every
// enumeration value used somewhere, and text a JSON-LD processor could
// misread (an "@", a colon, a relative path).
func full() *register.PublicProcessing {
	p := &register.PublicProcessing{
		ID: "0193-abc", Organisation: "ville-de-geneve", Unit: "etat-civil", Reference: "VDG-EC-004",
		Title: "Registre des naissances", Purpose: "Tenir le registre: @naissances", Description: "desc ./relative",
		PublicSummary: "résumé", Controller: register.Party{Name: "Ville de Genève", Contact: "dpo@geneve.ch"},
		JointControllers: []register.Party{{Name: "Canton", Contact: "canton@ge.ch"}},
		Processors:       []register.PublicProcessor{{Name: "Prestataire SA", Country: "FR"}, {Name: "Local SA"}},
		DataSubjects:     []string{"habitants", "enfants"},
		DataCategories:   []register.DataCategory{{Name: "identité"}, {Name: "santé", Sensitive: true}},
		Sources:          []string{"la personne concernée"},
		Accesses:         []register.Access{{Institution: "OCPM", LegalBasis: "LIPAD art. 39", Scope: "lecture"}},
		Retention: register.Retention{Period: "P10Y", Trigger: "clôture", Disposal: register.DisposalArchive,
			Criteria: "jusqu'à la fin de la scolarité, puis 2 ans", PurgeFrequency: "P1M", Schedule: "Calendrier AEG 2024: @etat-civil",
			PerCategory: []register.CategoryRetention{
				{Category: "santé", Period: "P2Y", Disposal: register.DisposalDelete},
				{Category: "identité", Criteria: "tant que la personne réside", Disposal: register.DisposalAnonymise},
			}},
		AutomatedDecision: true, Profiling: true,
		DPIA: register.PublicDPIA{Required: true, Status: register.DPIADone, CompletedOn: "2026-03-01",
			Criteria: register.DPIACriteria(), ResidualRisk: register.ResidualHigh,
			Consultation: &register.PublicConsultation{Authority: register.AuthorityPPDT, ConsultedOn: "2026-02-15"}},
		Information: register.Information{Provision: register.ProvisionMandatory, Consequences: "la prestation est refusée",
			DecisionLogic: "barème: revenu / 12", Exception: register.InfoProvidedByLaw, ExceptionReason: "LIPAD art. 2"},
		Version:     3,
		PublishedAt: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC),
	}
	levels := append(register.NormLevels(), "")
	for i, t := range register.LegalBasisTypes() {
		p.LegalBases = append(p.LegalBases, register.LegalBasis{Type: t, Reference: "LIPAD art. " + string(rune('1'+i)),
			URL: "https://silgeneve.ch/legis/" + string(t), Level: levels[i%len(levels)]})
	}
	for _, t := range register.RecipientTypes() {
		p.Recipients = append(p.Recipients, register.Recipient{Name: "dest " + string(t), Type: t, Country: "DE"})
	}
	for i, s := range register.Safeguards() {
		p.Transfers = append(p.Transfers, register.Transfer{Country: "US", Safeguard: s, Details: "détail " + string(s), RecipientCertified: i%2 == 0})
	}
	for _, c := range register.SecurityCategories() {
		p.SecurityMeasures = append(p.SecurityMeasures, register.PublicSecurityMeasure{Category: c})
	}
	return p
}

// noNetwork is the document loader of the tests: the documents carry their
// context, so a processor that wants to fetch anything is a failure.
type noNetwork struct{ t *testing.T }

func (l noNetwork) LoadDocument(u string) (*ld.RemoteDocument, error) {
	l.t.Errorf("the JSON-LD processor tried to load %s", u)
	return nil, errors.New("no network in tests")
}

// expand runs a real JSON-LD processor (json-gold) on doc.
func expand(t *testing.T, doc []byte) (compact map[string]any, expanded []any) {
	t.Helper()
	if err := json.Unmarshal(doc, &compact); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	opts := ld.NewJsonLdOptions(testBase + "/")
	opts.DocumentLoader = noNetwork{t}
	out, err := ld.NewJsonLdProcessor().Expand(compact, opts)
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	return compact, out
}

// compactLeaves counts the scalar values of a compact document, outside
// "@context".
func compactLeaves(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 0
		for k, x := range v {
			if k != "@context" {
				n += compactLeaves(x)
			}
		}
		return n
	case []any:
		n := 0
		for _, x := range v {
			n += compactLeaves(x)
		}
		return n
	case nil:
		return 0
	}
	return 1
}

// expandedLeaves counts the values of an expanded document: a value object
// is one, a node's @id is one, each of its @type is one. It also checks that
// every key is a keyword or an absolute IRI.
func expandedLeaves(t *testing.T, v any, iris map[string]bool) int {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["@value"]; ok {
			return 1
		}
		n := 0
		if id, ok := v["@id"].(string); ok {
			iris[id] = true
			n++
		}
		if ts, ok := v["@type"].([]any); ok {
			for _, x := range ts {
				iris[x.(string)] = true
			}
			n += len(ts)
		}
		for k, x := range v {
			if k == "@id" || k == "@type" {
				continue
			}
			if !strings.HasPrefix(k, "@") {
				if !strings.HasPrefix(k, "https://") && !strings.HasPrefix(k, "http://") && !strings.HasPrefix(k, "tag:") {
					t.Errorf("key %q did not expand to an absolute IRI", k)
				}
				iris[k] = true
			}
			n += expandedLeaves(t, x, iris)
		}
		return n
	case []any:
		n := 0
		for _, x := range v {
			n += expandedLeaves(t, x, iris)
		}
		return n
	}
	t.Errorf("unexpected %T in expanded document", v)
	return 0
}

// TestExpansionKeepsEveryValue expands the documents with json-gold and the
// committed context: every key becomes an IRI and every value of the compact
// document is still there (a key the context does not define would vanish).
func TestExpansionKeepsEveryValue(t *testing.T) {
	one, err := Processing(full(), testBase)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGraph(testBase)
	if err != nil {
		t.Fatal(err)
	}
	org := register.PublicOrganisation{Slug: "ville-de-geneve", Name: "Ville de Genève", Address: "Rue 1",
		Website: "https://geneve.ch", DPOContact: "dpo@geneve.ch", LIPADContact: "lipad@geneve.ch",
		TransparencyContact: "transparence@geneve.ch", Count: 2}
	var graph []byte
	if err := g.Organisation(&org); err != nil {
		t.Fatal(err)
	}
	graph = append(graph, g.Take()...)
	for _, p := range []*register.PublicProcessing{full(), {ID: "minimal", Organisation: "o", Title: "t"}} {
		if err := g.Processing(p); err != nil {
			t.Fatal(err)
		}
		graph = append(graph, g.Take()...)
	}
	g.End()
	graph = append(graph, g.Take()...)

	for name, doc := range map[string][]byte{"processing": one, "graph": graph} {
		t.Run(name, func(t *testing.T) {
			compact, expanded := expand(t, doc)
			iris := map[string]bool{}
			want, got := compactLeaves(compact), expandedLeaves(t, expanded, iris)
			if got != want || want < 10 {
				t.Errorf("the compact document has %d values, its expansion %d", want, got)
			}
			for _, must := range []string{DPV + "hasLegalBasis", DPV + "SpecialCategoryPersonalData", LOC + "US", RG + "Archive",
				testBase + "/processings/0193-abc", "http://purl.org/dc/terms/issued",
				DPV + "StorageDeletion", DPV + "hasFrequency", DPV + "DataStoragePolicy", DPV + "ConsultationWithAuthority",
				RG + "PPDT", RG + "HighRisk", DPV + "EvaluationScoring", DPV + "PrivacyNotice", DPV + "Required",
				RG + "ProvidedByLaw", DPV + "AlgorithmicLogic", RG + "retentionCriteria"} {
				if !iris[must] {
					t.Errorf("expansion lacks %s", must)
				}
			}
		})
	}
}

// TestEveryDPVTermExists reads the committed term list: every DPV IRI the
// documents use, and every IRI of the mapping table, is a DPV 2.3 term; every
// term of Registre's own vocabulary is defined in docs/open-data.md.
func TestEveryDPVTermExists(t *testing.T) {
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	if len(terms) < 1000 || !terms[DPV+"PersonalDataHandling"] || !terms[LOC+"CH"] {
		t.Fatalf("the committed term list has %d terms", len(terms))
	}
	doc, err := Processing(full(), testBase)
	if err != nil {
		t.Fatal(err)
	}
	_, expanded := expand(t, doc)
	used := map[string]bool{}
	expandedLeaves(t, expanded, used)
	// Every value of every enumeration, through the table.
	var table []string
	for _, v := range register.LegalBasisTypes() {
		table = append(table, legalBasisTypes(v)...)
	}
	for _, v := range register.NormLevels() {
		table = append(table, normLevel(v))
	}
	for _, v := range register.RecipientTypes() {
		table = append(table, recipientTypes(v)...)
	}
	for _, v := range register.Safeguards() {
		table = append(table, safeguardTypes(v)...)
	}
	for _, v := range register.Disposals() {
		table = append(table, disposal(v))
	}
	for _, v := range register.SecurityCategories() {
		table = append(table, securityMeasure(v))
	}
	for _, v := range register.DPIAStatuses() {
		table = append(table, dpiaStatus(v))
	}
	for _, v := range register.DPIACriteria() {
		table = append(table, dpiaCriterion(v))
	}
	for _, v := range register.ResidualRisks() {
		table = append(table, residualRisk(v))
	}
	for _, v := range register.Authorities() {
		a := authority(v)
		table = append(table, a.Type...)
		if a.ID != "" {
			table = append(table, a.ID)
		}
	}
	for _, v := range register.Provisions() {
		table = append(table, provision(v))
	}
	for _, v := range register.InfoExceptions() {
		table = append(table, infoException(v))
	}
	for _, c := range table {
		prefix, name, _ := strings.Cut(c, ":")
		switch prefix {
		case "dpv":
			used[DPV+name] = true
		case "rg":
			used[RG+name] = true
		default:
			t.Errorf("table value %q is neither dpv: nor rg:", c)
		}
	}
	docs, err := os.ReadFile("../docs/open-data.md")
	if err != nil {
		t.Fatal(err)
	}
	var dpvUsed, rgUsed int
	for iri := range used {
		switch {
		case strings.HasPrefix(iri, "https://w3id.org/dpv"):
			dpvUsed++
			if !terms[iri] {
				t.Errorf("%s is not a term of DPV %s", iri, DPVVersion)
			}
		case strings.HasPrefix(iri, RG):
			rgUsed++
			if !strings.Contains(string(docs), "`rg:"+strings.TrimPrefix(iri, RG)+"`") {
				t.Errorf("rg:%s is not defined in docs/open-data.md", strings.TrimPrefix(iri, RG))
			}
		}
	}
	t.Logf("%d DPV terms and %d of Registre's own used", dpvUsed, rgUsed)
}

// TestUnknownValuesAreKept: a value the table does not know (a record under
// newer rules) becomes a term of Registre's own vocabulary, not a DPV term
// nobody defined, and not nothing.
func TestUnknownValuesAreKept(t *testing.T) {
	for _, got := range []string{safeguardTypes("new one")[0], disposal("x<y"), securityMeasure("shredding"), dpiaStatus("?"),
		dpiaCriterion("new one"), residualRisk("very high"), authority("cnil").Type[1], provision("?"), infoException("x y")} {
		if !strings.HasPrefix(got, "rg:") || strings.ContainsAny(got, " <?") {
			t.Errorf("unknown value mapped to %q", got)
		}
	}
}

// jsonPaths lists the JSON keys of a type as dotted paths through its
// structs and lists.
func jsonPaths(t reflect.Type, prefix string, out *[]string) {
	for t.Kind() == reflect.Slice || t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]() {
		*out = append(*out, prefix)
		return
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		jsonPaths(f.Type, p, out)
	}
}

// TestEveryPublicFieldIsMapped: each JSON key of the public shape is carried
// by the linked data (the table in fields.go says where), and the table
// names no key that no longer exists. A public field added elsewhere fails
// here until it is mapped.
func TestEveryPublicFieldIsMapped(t *testing.T) {
	var paths []string
	jsonPaths(reflect.TypeFor[register.PublicProcessing](), "", &paths)
	table := publicFields()
	seen := map[string]bool{}
	for _, p := range paths {
		seen[p] = true
		if _, ok := table[p]; !ok {
			t.Errorf("public field %q has no place in the linked data: map it in package linkeddata and add it to fields.go", p)
		}
	}
	var stale []string
	for p := range table {
		if !seen[p] {
			stale = append(stale, p)
		}
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("fields.go maps fields the public shape no longer has: %v", stale)
	}
	// And the table is true: every text of the full record is in the
	// document.
	p := full()
	doc, err := Processing(p, testBase)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.String:
			if v.Type() == reflect.TypeFor[string]() && v.String() != "" {
				texts = append(texts, v.String())
			}
		}
	}
	walk(reflect.ValueOf(*p))
	var compact map[string]any
	if err := json.Unmarshal(doc, &compact); err != nil {
		t.Fatal(err)
	}
	flat, _ := json.Marshal(compact) // one escaping for both sides
	for _, s := range texts {
		enc, _ := json.Marshal(s)
		if !strings.Contains(string(flat), strings.Trim(string(enc), `"`)) {
			t.Errorf("text %q of the record is not in its JSON-LD", s)
		}
	}
}

// TestContextIsCommittedJSON: the committed context parses, and the served
// copy is the file.
func TestContextIsCommittedJSON(t *testing.T) {
	file, err := os.ReadFile("vocab/registre-context.jsonld")
	if err != nil {
		t.Fatal(err)
	}
	if string(Context()) != string(file) {
		t.Error("Context() is not the committed file")
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(file, &doc); err != nil || len(doc) != 1 || len(doc["@context"]) == 0 {
		t.Fatalf("the committed context must be one object with only @context: %v", err)
	}
	if _, err := openContext(); err != nil {
		t.Fatal(err)
	}
}

// TestCatalogueIsDCATAPCH checks the catalogue's shape: well-formed RDF/XML
// with one dataset per organisation plus the whole register, each with the
// three distributions, the elements DCAT-AP CH 2.0 makes mandatory, and names
// escaped.
func TestCatalogueIsDCATAPCH(t *testing.T) {
	at := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	c := Catalogue{Base: testBase, All: true, AllModified: at, Orgs: []CatalogueOrg{
		{Org: register.PublicOrganisation{Slug: "ville-de-geneve", Name: "Ville <de> Genève & co", DPOContact: "dpo@geneve.ch"}, Modified: at},
		{Org: register.PublicOrganisation{Slug: "hug", Name: "HUG", DPOContact: "guichet, 2e étage"}, Modified: at},
		{Org: register.PublicOrganisation{Slug: "etat", Name: "État", DPOContact: "022 000 00 00", LIPADContact: "Préposé <lipad@etat.ge.ch>"}, Modified: at},
	}}
	body := c.RDFXML()
	type resource struct {
		Resource string `xml:"resource,attr"`
	}
	var doc struct {
		Catalog struct {
			About    string `xml:"about,attr"`
			Datasets []struct {
				Dataset struct {
					About      string     `xml:"about,attr"`
					Identifier string     `xml:"identifier"`
					Titles     []string   `xml:"title"`
					Descs      []string   `xml:"description"`
					Publisher  string     `xml:"publisher>Agent>name"`
					Email      resource   `xml:"contactPoint>Organization>hasEmail"`
					URL        resource   `xml:"contactPoint>Organization>hasURL"`
					Issued     string     `xml:"issued"`
					Dists      []resource `xml:"distribution>Distribution>accessURL"`
					Licenses   []resource `xml:"distribution>Distribution>license"`
				} `xml:"Dataset"`
			} `xml:"dataset"`
		} `xml:"Catalog"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, body)
	}
	if got := len(doc.Catalog.Datasets); got != 4 {
		t.Fatalf("got %d datasets, want 4", got)
	}
	for _, d := range doc.Catalog.Datasets {
		ds := d.Dataset
		if ds.About == "" || !strings.Contains(ds.Identifier, "@") || len(ds.Titles) != 2 || len(ds.Descs) != 2 ||
			ds.Publisher == "" || ds.Issued == "" || len(ds.Dists) != 3 || len(ds.Licenses) != 3 {
			t.Errorf("dataset %s lacks a mandatory element: %+v", ds.About, ds)
		}
		if ds.Email.Resource == "" && ds.URL.Resource == "" {
			t.Errorf("dataset %s has no contact", ds.About)
		}
	}
	d := doc.Catalog.Datasets[1].Dataset
	if d.Publisher != "Ville <de> Genève & co" || d.Email.Resource != "mailto:dpo@geneve.ch" ||
		d.Dists[2].Resource != testBase+"/public/v1/processings.jsonld?org=ville-de-geneve" {
		t.Errorf("organisation dataset: %+v", d)
	}
	if u := doc.Catalog.Datasets[2].Dataset.URL.Resource; u != testBase+"/organisations/hug" {
		t.Errorf("a contact that is not an address gets the organisation's page, got %q", u)
	}
	if m := doc.Catalog.Datasets[3].Dataset.Email.Resource; m != "mailto:lipad@etat.ge.ch" {
		t.Errorf("without a DPO address the LIPAD contact's is given, got %q", m)
	}
}

// BenchmarkProcessing is the cost of one JSON-LD document, built on each
// request from the cached publication.
func BenchmarkProcessing(b *testing.B) {
	p := full()
	for b.Loop() {
		if _, err := Processing(p, testBase); err != nil {
			b.Fatal(err)
		}
	}
}
