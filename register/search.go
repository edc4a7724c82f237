package register

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ligatures are letters that no accent removal splits but that people type
// as two letters ("oeuvre" for "œuvre").
var ligatures = strings.NewReplacer("œ", "oe", "Œ", "oe", "æ", "ae", "Æ", "ae", "ß", "ss")

// SearchKey folds text for accent- and case-insensitive search: the same
// function builds the stored key and the query, so both databases compare
// plain lowercase strings and give the same results.
func SearchKey(parts ...string) string {
	s := ligatures.Replace(strings.Join(parts, "\n"))
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	return strings.ToLower(folded)
}

// LikePattern turns a search query into a LIKE pattern with '\' as the escape
// character, so that '%' and '_' in the query are matched literally.
func LikePattern(q string) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, r := range SearchKey(q) {
		switch r {
		case '\\', '%', '_':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('%')
	return b.String()
}
