// Package vocab is the reference vocabulary the forms suggest: data subjects
// and data categories as registers name them (with whether a category is
// sensitive), and the Geneva and federal laws a legal basis cites, with their
// official URLs. The files are copies of shared/reference/vocabulary.csv and
// legal_references.csv, each row with its source and how sure it is; a test
// keeps the copies in step when the originals are at hand.
//
// Suggestions only: a record may name anything; these words are what the
// back office offers first (HTML datalist), so that records of different
// organisations say the same thing the same way.
package vocab

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
)

//go:embed vocabulary.csv
var vocabularyCSV string

//go:embed legal_references.csv
var legalCSV string

// Term is a data subject or a data category in French and English.
type Term struct {
	Key       string
	FR, EN    string
	Sensitive bool   // data categories: sensitive under at least one law
	Verified  string // yes, partial or unverified, as the source says
}

// Name returns the term in lang ("fr" or "en").
func (t Term) Name(lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.FR
}

// Law is a legal text a legal basis may cite.
type Law struct {
	ShortName  string // "LIPAD", "LPD", "LIPAD art. 43"
	Title      string // in French, its official title
	Collection string // rsGE (Geneva) or RS (federal)
	Number     string // "A 2 08"
	URL        string // its official text, when known
}

// Label is how a form offers the law: "LIPAD — Loi sur … (rsGE A 2 08)".
func (l Law) Label() string {
	s := l.ShortName
	if l.Title != "" && l.Title != l.ShortName {
		s += " — " + l.Title
	}
	if l.Collection != "" && l.Number != "" {
		s += " (" + l.Collection + " " + l.Number + ")"
	}
	return s
}

// Vocabulary is the parsed reference. Build it once with Load; it is
// read-only afterwards and may be shared.
type Vocabulary struct {
	Subjects   []Term
	Categories []Term
	Laws       []Law
}

// Load parses the embedded files.
func Load() (*Vocabulary, error) {
	v := &Vocabulary{}
	rows, err := readCSV(vocabularyCSV, "kind", "key", "name_fr", "name_en", "sensitive", "verified")
	if err != nil {
		return nil, fmt.Errorf("vocabulary.csv: %w", err)
	}
	for _, r := range rows {
		t := Term{Key: r["key"], FR: r["name_fr"], EN: r["name_en"], Sensitive: r["sensitive"] == "yes", Verified: r["verified"]}
		switch r["kind"] {
		case "data_subject":
			v.Subjects = append(v.Subjects, t)
		case "data_category":
			v.Categories = append(v.Categories, t)
		}
	}
	rows, err = readCSV(legalCSV, "short_name", "title_fr", "collection", "number", "url")
	if err != nil {
		return nil, fmt.Errorf("legal_references.csv: %w", err)
	}
	for _, r := range rows {
		v.Laws = append(v.Laws, Law{ShortName: r["short_name"], Title: r["title_fr"], Collection: r["collection"], Number: r["number"], URL: r["url"]})
	}
	return v, nil
}

// readCSV reads a CSV file with a header into maps by column name, checking
// that the columns want are there.
func readCSV(text string, want ...string) ([]map[string]string, error) {
	records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("empty")
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, w := range want {
		if _, ok := col[w]; !ok {
			return nil, fmt.Errorf("no column %q", w)
		}
	}
	out := make([]map[string]string, 0, len(records)-1)
	for _, rec := range records[1:] {
		m := make(map[string]string, len(col))
		for name, i := range col {
			if i < len(rec) {
				m[name] = strings.TrimSpace(rec[i])
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Sensitive reports whether name is a data category the vocabulary marks
// sensitive (in French or English, case ignored): a form sets the box for
// the writer, who may still change it.
func (v *Vocabulary) Sensitive(name string) (sensitive, known bool) {
	for _, t := range v.Categories {
		if strings.EqualFold(t.FR, name) || strings.EqualFold(t.EN, name) {
			return t.Sensitive, true
		}
	}
	return false, false
}

// LawURL returns the official URL of the law a legal reference names
// ("LIPAD art. 35" → LIPAD's URL), matching the longest short name that
// starts the reference; "" when none does.
func (v *Vocabulary) LawURL(reference string) string {
	best, url := 0, ""
	ref := strings.TrimSpace(reference)
	for _, l := range v.Laws {
		if l.URL == "" || len(l.ShortName) <= best {
			continue
		}
		if ref == l.ShortName || strings.HasPrefix(ref, l.ShortName+" ") || strings.HasPrefix(ref, l.ShortName+",") {
			best, url = len(l.ShortName), l.URL
		}
	}
	return url
}
