// Package linkeddata turns the public register into linked data: one JSON-LD
// document per published processing, using the W3C Data Privacy Vocabulary
// (DPV 2.3), and a DCAT-AP CH catalogue of the open data for opendata.swiss.
//
// It is pure: it maps public values (register.PublicProcessing,
// register.PublicOrganisation) to bytes, with no HTTP, no SQL and nothing
// fetched at run time. The vocabulary it relies on is committed under vocab/
// (see docs/open-data.md for the mapping table and where the files came from).
package linkeddata

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"strings"
)

// The context every document carries inline, so that a reader needs nothing
// else to expand it, and the DPV term list the tests check the output
// against.
var (
	//go:embed vocab/registre-context.jsonld
	contextFile []byte
	//go:embed vocab/dpv-2.3-terms.tsv
	termsFile []byte
)

// DPVVersion is the DPV release the mapping and the term list follow.
const DPVVersion = "2.3"

// Namespaces of the IRIs in the documents.
const (
	DPV = "https://w3id.org/dpv#"
	PD  = "https://w3id.org/dpv/pd#"
	LOC = "https://w3id.org/dpv/loc#"
	// RG is Registre's own vocabulary, for what DPV has no term for. It is a
	// tag URI (RFC 4151), like the Atom feed's ids: it names the same terms
	// in every installation, so registers can be merged; docs/open-data.md
	// defines each term.
	RG = "tag:registre,2026:vocab#"
)

// Context returns the JSON-LD context document ({"@context": {...}}) as
// committed.
func Context() []byte { return bytes.Clone(contextFile) }

// openContext returns the committed context document without its closing
// brace, so that a document is the context file followed by its own
// members: the 4 kB context is never parsed again on a request.
// TestContextIsCommittedJSON checks that the file is one JSON object.
func openContext() ([]byte, error) {
	doc := bytes.TrimRight(contextFile, " \t\r\n")
	if len(doc) < 2 || doc[0] != '{' || doc[len(doc)-1] != '}' {
		return nil, fmt.Errorf("linkeddata: committed context is not one JSON object")
	}
	return doc[:len(doc)-1], nil
}

// Terms returns the IRIs of the committed DPV term list (DPV core, personal
// data extension, and the countries of the locations extension).
func Terms() (map[string]bool, error) {
	terms := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(termsFile))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		iri, kind, ok := strings.Cut(line, "\t")
		if !ok || (kind != "class" && kind != "property") || !strings.HasPrefix(iri, "https://w3id.org/dpv") {
			return nil, fmt.Errorf("dpv term list line %d: %q is not IRI<TAB>class|property", n, line)
		}
		terms[iri] = true
	}
	return terms, sc.Err()
}
