package linkeddata

import (
	"bytes"
	"encoding/xml"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/registre/registre/register"
)

// The DCAT-AP CH catalogue of the open data, as opendata.swiss harvests it:
// DCAT-AP CH 2.0 (https://www.dcat-ap.ch/releases/2.0/dcat-ap-ch.html) in
// RDF/XML, the serialisation its harvester imports (handbook.opendata.swiss,
// "DCAT-AP CH": "rdf/xml is used for the actual import of the data"; its
// "Harvester" page: "You must provide a catalog as an RDF file"). One
// dataset per organisation (what an opendata.swiss organisation harvests),
// and, in the catalogue of all, one for the whole register. Each dataset has
// three distributions: the CSV, the Atom feed and the JSON-LD graph.
//
// The catalogue's own texts are written here in French and English: they are
// metadata for portals, not page labels.

// CatalogueOrg is an organisation with the instant of its latest
// publication or archiving.
type CatalogueOrg struct {
	Org      register.PublicOrganisation
	Modified time.Time
}

// Catalogue describes the datasets of orgs, and when all is true the whole
// register too (modified at allModified).
type Catalogue struct {
	Base        string
	Orgs        []CatalogueOrg
	All         bool
	AllModified time.Time
}

// CatalogueURL is where the catalogue is served (org "" for the whole one).
func CatalogueURL(base, org string) string {
	u := base + "/public/v1/catalog.rdf"
	if org != "" {
		u += "?org=" + url.QueryEscape(org)
	}
	return u
}

// Terms of use of opendata.swiss that fit the register: open use, source to
// be given (DCAT-AP CH 2.0 licence vocabulary).
const termsBy = "http://dcat-ap.ch/vocabulary/licenses/terms_by"

type distribution struct {
	url, mediaType, format string
	titleFR, titleEN       string
}

type dataset struct {
	iri, identifier                string
	titleFR, titleEN               string
	descFR, descEN                 string
	publisherIRI, publisherName    string
	contactName, email, contactURL string
	landing                        string
	modified                       time.Time
	dists                          []distribution
}

func orgDataset(base string, c CatalogueOrg) dataset {
	o := c.Org
	q := "?org=" + url.QueryEscape(o.Slug)
	d := dataset{
		iri:        OrganisationIRI(base, o.Slug) + "#register",
		identifier: "registre-" + o.Slug + "@" + o.Slug,
		titleFR:    "Registre des traitements de données personnelles — " + o.Name,
		titleEN:    "Register of processing of personal data — " + o.Name,
		descFR: "Les traitements de données personnelles publiés par " + o.Name +
			" : finalités, bases légales, catégories de données et de personnes, destinataires, transferts, conservation.",
		descEN: "The processing of personal data published by " + o.Name +
			": purposes, legal bases, categories of data and of persons, recipients, transfers, retention.",
		publisherIRI: OrganisationIRI(base, o.Slug), publisherName: o.Name,
		contactName: o.Name, email: contactEmail(o), contactURL: OrganisationIRI(base, o.Slug),
		landing: OrganisationIRI(base, o.Slug), modified: c.Modified,
	}
	d.dists = distributions(base, q, " — "+o.Name)
	return d
}

func distributions(base, q, suffix string) []distribution {
	return []distribution{
		{url: base + "/public/v1/processings.csv" + q, mediaType: "text/csv", format: "CSV",
			titleFR: "Tableau CSV" + suffix, titleEN: "CSV table" + suffix},
		{url: base + "/public/v1/feed.atom" + q, mediaType: "application/atom+xml", format: "ATOM",
			titleFR: "Flux Atom des publications" + suffix, titleEN: "Atom feed of publications" + suffix},
		{url: base + "/public/v1/processings.jsonld" + q, mediaType: "application/ld+json", format: "JSON_LD",
			titleFR: "Données liées JSON-LD (DPV)" + suffix, titleEN: "Linked data, JSON-LD (DPV)" + suffix},
	}
}

// contactEmail is the address a reuser writes to: the data protection
// officer's, else the one who answers access requests under the LIPAD.
func contactEmail(o register.PublicOrganisation) string {
	if a := emailOf(o.DPOContact); a != "" {
		return a
	}
	return emailOf(o.LIPADContact)
}

// emailOf returns the address of a contact that is an e-mail address.
func emailOf(contact string) string {
	a, err := mail.ParseAddress(strings.TrimSpace(contact))
	if err != nil {
		return ""
	}
	return a.Address
}

// RDFXML returns the catalogue in RDF/XML.
func (c Catalogue) RDFXML() []byte {
	var w rdfWriter
	w.s(xml.Header)
	w.s(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcat="http://www.w3.org/ns/dcat#"` +
		` xmlns:dct="http://purl.org/dc/terms/" xmlns:foaf="http://xmlns.com/foaf/0.1/"` +
		` xmlns:vcard="http://www.w3.org/2006/vcard/ns#" xmlns:xsd="http://www.w3.org/2001/XMLSchema#">` + "\n")
	w.s(` <dcat:Catalog rdf:about="`)
	w.attr(CatalogueURL(c.Base, catalogueOrg(c)))
	w.s("\">\n")
	w.lang("  ", "dct:title", "fr", "Registre des traitements de données personnelles")
	w.lang("  ", "dct:title", "en", "Register of processing of personal data")
	w.res("  ", "foaf:homepage", c.Base+"/")
	var sets []dataset
	if c.All {
		d := dataset{
			iri: c.Base + "/#register", identifier: "registre@registre",
			titleFR: "Registre des traitements de données personnelles", titleEN: "Register of processing of personal data",
			descFR:       "Tous les traitements de données personnelles publiés dans ce registre.",
			descEN:       "Every processing of personal data published in this register.",
			publisherIRI: c.Base + "/", publisherName: "Registre", contactName: "Registre",
			contactURL: c.Base + "/", landing: c.Base + "/", modified: c.AllModified,
		}
		d.dists = distributions(c.Base, "", "")
		sets = append(sets, d)
	}
	for _, o := range c.Orgs {
		sets = append(sets, orgDataset(c.Base, o))
	}
	for _, d := range sets {
		w.dataset(d)
	}
	w.s(" </dcat:Catalog>\n</rdf:RDF>\n")
	return w.b.Bytes()
}

func catalogueOrg(c Catalogue) string {
	if !c.All && len(c.Orgs) == 1 {
		return c.Orgs[0].Org.Slug
	}
	return ""
}

type rdfWriter struct{ b bytes.Buffer }

func (w *rdfWriter) s(s string) { w.b.WriteString(s) }

func (w *rdfWriter) attr(s string) { _ = xml.EscapeText(&w.b, []byte(s)) }

func (w *rdfWriter) text(indent, tag, value string) {
	w.s(indent + "<" + tag + ">")
	_ = xml.EscapeText(&w.b, []byte(value))
	w.s("</" + tag + ">\n")
}

func (w *rdfWriter) lang(indent, tag, lang, value string) {
	w.s(indent + "<" + tag + ` xml:lang="` + lang + `">`)
	_ = xml.EscapeText(&w.b, []byte(value))
	w.s("</" + tag + ">\n")
}

func (w *rdfWriter) res(indent, tag, iri string) {
	w.s(indent + "<" + tag + ` rdf:resource="`)
	w.attr(iri)
	w.s("\"/>\n")
}

func (w *rdfWriter) date(indent, tag string, t time.Time) {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	w.s(indent + "<" + tag + ` rdf:datatype="http://www.w3.org/2001/XMLSchema#dateTime">`)
	w.s(t.UTC().Format(time.RFC3339))
	w.s("</" + tag + ">\n")
}

func (w *rdfWriter) dataset(d dataset) {
	const in = "    "
	w.s("  <dcat:dataset>\n   <dcat:Dataset rdf:about=\"")
	w.attr(d.iri)
	w.s("\">\n")
	w.text(in, "dct:identifier", d.identifier)
	w.lang(in, "dct:title", "fr", d.titleFR)
	w.lang(in, "dct:title", "en", d.titleEN)
	w.lang(in, "dct:description", "fr", d.descFR)
	w.lang(in, "dct:description", "en", d.descEN)
	// opendata.swiss wants the publisher as a foaf:Agent (handbook,
	// dataset-publisher).
	w.s(in + "<dct:publisher>\n" + in + " <foaf:Agent rdf:about=\"")
	w.attr(d.publisherIRI)
	w.s("\">\n")
	w.text(in+"  ", "foaf:name", d.publisherName)
	w.s(in + " </foaf:Agent>\n" + in + "</dct:publisher>\n")
	w.s(in + "<dcat:contactPoint>\n" + in + " <vcard:Organization>\n")
	w.text(in+"  ", "vcard:fn", d.contactName)
	if d.email != "" {
		w.res(in+"  ", "vcard:hasEmail", "mailto:"+d.email)
	} else {
		w.res(in+"  ", "vcard:hasURL", d.contactURL)
	}
	w.s(in + " </vcard:Organization>\n" + in + "</dcat:contactPoint>\n")
	w.date(in, "dct:issued", d.modified)
	w.date(in, "dct:modified", d.modified)
	w.res(in, "dcat:landingPage", d.landing)
	w.res(in, "dct:language", "http://publications.europa.eu/resource/authority/language/FRA")
	w.res(in, "dcat:theme", "http://publications.europa.eu/resource/authority/data-theme/GOVE")
	w.res(in, "dct:accrualPeriodicity", "http://publications.europa.eu/resource/authority/frequency/IRREG")
	for _, k := range [][2]string{{"fr", "protection des données"}, {"fr", "registre des traitements"},
		{"en", "data protection"}, {"en", "record of processing activities"}} {
		w.lang(in, "dcat:keyword", k[0], k[1])
	}
	for _, dist := range d.dists {
		w.s(in + "<dcat:distribution>\n" + in + " <dcat:Distribution rdf:about=\"")
		w.attr(dist.url)
		w.s("\">\n")
		const in2 = in + "  "
		w.lang(in2, "dct:title", "fr", dist.titleFR)
		w.lang(in2, "dct:title", "en", dist.titleEN)
		w.date(in2, "dct:issued", d.modified)
		w.date(in2, "dct:modified", d.modified)
		w.res(in2, "dcat:accessURL", dist.url)
		w.res(in2, "dcat:downloadURL", dist.url)
		w.res(in2, "dct:license", termsBy)
		w.res(in2, "dcat:mediaType", "https://www.iana.org/assignments/media-types/"+dist.mediaType)
		w.res(in2, "dct:format", "http://publications.europa.eu/resource/authority/file-type/"+dist.format)
		w.s(in + " </dcat:Distribution>\n" + in + "</dcat:distribution>\n")
	}
	w.s("   </dcat:Dataset>\n  </dcat:dataset>\n")
}
