// Package articles is the project's table of the articles of law the
// compliance rules cite. It is apart from the domain because reading its CSV
// file needs encoding/csv, which the domain does not import (its boundary
// test says so); the domain's tests check the rules against it.
package articles

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
)

// articlesCSV is the project's table of the articles the rules cite: one row
// per article, with its source and whether its text was read (verified).
//
//go:embed articles.csv
var articlesCSV string

// Article is one row of the legal table.
type Article struct {
	ID       string `json:"id"` // what findings name in "articles", e.g. "LIPAD art. 43"
	Law      string `json:"law"`
	Article  string `json:"article"`
	Regime   string `json:"regime"` // lipad, lipad-revised, fadp-federal, gdpr or all
	Title    string `json:"title"`
	URL      string `json:"url"`
	Verified string `json:"verified"` // yes, partial or no
	Note     string `json:"note"`
}

// All returns the legal table. It is parsed from the embedded file on
// each call; the file is small and read rarely (documents, tests).
func All() ([]Article, error) {
	rows, err := csv.NewReader(strings.NewReader(articlesCSV)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("articles.csv: %w", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "id,law,article,regime,title,url,verified,note" {
		return nil, fmt.Errorf("articles.csv: unexpected header")
	}
	out := make([]Article, 0, len(rows)-1)
	for _, r := range rows[1:] {
		out = append(out, Article{ID: r[0], Law: r[1], Article: r[2], Regime: r[3], Title: r[4], URL: r[5], Verified: r[6], Note: r[7]})
	}
	return out, nil
}
