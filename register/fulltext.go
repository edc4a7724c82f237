package register

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
)

// Full-text search. The domain turns text into index terms once, in Go, when
// a record is saved; both databases index the same space-separated terms
// (SQLite FTS5 and PostgreSQL's 'simple' text search configuration, which
// split on the spaces and do nothing else), so they match the same records.
// A word gives its French and English Snowball stems, folded, and its folded
// form when that differs: "Données" gives "don", "donne" and "donnees".
// Queries are turned into the same stems; the last word of a query is also
// matched as a prefix of the folded words, for the word being typed.

// TermsVersion names the way terms are built. Rows indexed by an older
// version are indexed again when the store opens.
const TermsVersion = 1

// SearchTerms are the index terms of a record: High from the fields that say
// what the processing is (title, purpose, public summary, reference), Low
// from its description; High weighs more in the ranking.
type SearchTerms struct {
	High string
	Low  string
}

// maxTermLen bounds a term: PostgreSQL ignores words of more than 2047 bytes,
// and nobody searches for one.
const maxTermLen = 60

// stopwords are the French and English words too frequent to tell records
// apart; they are not indexed, and not searched unless typed as a prefix.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a au aux avec ce ces dans de des du elle en et eux il je la le les leur lui ma
		mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton
		tu un une vos votre vous c d j l m n s t y ete etre est sont
		an and are as at be by for from has have in is it its of on or that the this to was were will with`) {
		m[w] = true
	}
	return m
}()

// words splits folded text into ASCII letter and digit runs; the rest
// separates words. SearchKey has already removed accents, so "é" is "e".
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// fold is SearchKey for one word, without its allocations for the
// common case of a word in plain ASCII or with Latin accents.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(ligatures.Replace(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return norm.NFC.String(b.String())
}

// rawWords splits lowercase text with its accents (the stemmers need them)
// into words, along the same boundaries as words as far as accents allow.
func rawWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
	})
}

// wordForms returns the distinct index forms of one word: its French stem,
// its English stem and its folded form, each folded and cut to ASCII runs.
func wordForms(w string) []string {
	folded := words(w)
	if len(folded) != 1 {
		// A word that folding splits ("l'État" was already split; "œ" is
		// not): index its parts as they are.
		return folded
	}
	f := folded[0]
	var out []string
	add := func(t string) {
		if len(t) > maxTermLen {
			t = t[:maxTermLen]
		}
		for _, o := range out {
			if o == t {
				return
			}
		}
		out = append(out, t)
	}
	fr := snowball.NewEnv(w)
	french.Stem(fr)
	for _, t := range words(fr.Current()) {
		add(t)
	}
	en := snowball.NewEnv(f)
	english.Stem(en)
	add(en.Current())
	add(f)
	return out
}

// accentedWords splits text into words keeping accents, for the stemmers.
func accentedWords(s string) []string { return rawWords(s) }

// termsOf builds the index terms of fields.
func termsOf(title, purpose, summary, reference, description string) SearchTerms {
	return SearchTerms{
		High: indexTermsAccented(title, purpose, summary, reference),
		Low:  indexTermsAccented(description),
	}
}

// indexTermsAccented is indexTerms over words that keep their accents, so
// that the French stemmer sees "données" and not "donnees".
func indexTermsAccented(texts ...string) string {
	var b strings.Builder
	for _, s := range texts {
		for _, w := range accentedWords(s) {
			for _, t := range termsOfWord(w) {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(t)
			}
		}
	}
	return b.String()
}

// termsOfWord returns the index forms of one accented word, none for a
// stop word.
func termsOfWord(w string) []string {
	folded := words(w)
	switch {
	case len(folded) == 0:
		return nil
	case len(folded) > 1:
		var out []string
		for _, f := range folded {
			if !stopwords[f] {
				out = append(out, wordForms(f)...)
			}
		}
		return out
	case stopwords[folded[0]]:
		return nil
	}
	return wordForms(w)
}

// ProcessingTerms returns the index terms of a processing's fields.
func ProcessingTerms(f *Fields) SearchTerms {
	return termsOf(f.Title, f.Purpose, f.PublicSummary, f.Reference, f.Description)
}

// PublicationTerms returns the index terms of a published processing.
func PublicationTerms(p *PublicProcessing) SearchTerms {
	return termsOf(p.Title, p.Purpose, p.PublicSummary, p.Reference, p.Description)
}

// Query is a search query turned into terms: every group must match, a group
// matches when any of its forms does. Prefix forms match the start of a term.
type Query struct {
	Groups [][]QueryForm
}

// QueryForm is one form of a query word.
type QueryForm struct {
	Term   string
	Prefix bool
}

// MaxQueryWords bounds the words of a query that are searched; more narrow
// nothing a reader would notice and cost a join each.
const MaxQueryWords = 8

// ParseQuery turns a reader's query into terms. Stop words are dropped,
// except as the last word still being typed (no space after it), which is
// also matched as a prefix: "prot" finds "protection". A query with no
// searchable word is empty.
func ParseQuery(q string) Query {
	ws := accentedWords(q)
	typing := q != "" && !unicode.IsSpace(rune(q[len(q)-1])) && len(ws) > 0
	var out Query
	for i, w := range ws {
		last := typing && i == len(ws)-1
		folded := words(w)
		for j, f := range folded {
			lastPart := last && j == len(folded)-1
			if stopwords[f] && !lastPart {
				continue
			}
			var g []QueryForm
			if !stopwords[f] {
				src := f
				if len(folded) == 1 {
					src = w
				}
				for _, t := range wordForms(src) {
					g = append(g, QueryForm{Term: t})
				}
			}
			if lastPart {
				p := f
				if len(p) > maxTermLen {
					p = p[:maxTermLen]
				}
				g = append(g, QueryForm{Term: p, Prefix: true})
			}
			out.Groups = append(out.Groups, g)
		}
	}
	if len(out.Groups) > MaxQueryWords {
		out.Groups = out.Groups[:MaxQueryWords]
	}
	return out
}

// Empty reports whether the query has nothing to search.
func (q Query) Empty() bool { return len(q.Groups) == 0 }

// FTS5 renders the query in SQLite FTS5's syntax. Terms are ASCII letters
// and digits only, so quoting them is enough.
func (q Query) FTS5() string { return q.render(" AND ", " OR ", `"`, "*") }

// TSQuery renders the query for PostgreSQL's to_tsquery('simple', ...).
func (q Query) TSQuery() string { return q.render(" & ", " | ", "", ":*") }

// render writes the groups joined by and, the forms of a group by or, each
// term between quote marks and followed by prefix when it is a prefix.
func (q Query) render(and, or, quote, prefix string) string {
	var b strings.Builder
	for i, g := range q.Groups {
		if i > 0 {
			b.WriteString(and)
		}
		b.WriteByte('(')
		for j, f := range g {
			if j > 0 {
				b.WriteString(or)
			}
			b.WriteString(quote + f.Term + quote)
			if f.Prefix {
				b.WriteString(prefix)
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// Span is a part of a text, in bytes, that a query matched.
type Span struct{ Start, End int }

// Highlights returns the words of text that q matches, in order, for pages
// that mark them. It applies the index's rules to each word of the text, so
// it marks "Données" for the query "donnee" as the search found it.
func (q Query) Highlights(text string) []Span {
	if q.Empty() {
		return nil
	}
	var out []Span
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		if q.matchesWord(w) {
			out = append(out, Span{start, end})
		}
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(text))
	return out
}

func (q Query) matchesWord(w string) bool {
	forms := termsOfWord(strings.ToLower(w))
	for _, g := range q.Groups {
		for _, f := range g {
			for _, t := range forms {
				if t == f.Term || f.Prefix && strings.HasPrefix(t, f.Term) {
					return true
				}
			}
		}
	}
	return false
}

// wordPunctuation is the punctuation of ordinary words and sentences, which
// a search ignores as it splits words.
const wordPunctuation = "'’-.,;:!?\"«»()"

// LiteralPattern returns a LIKE pattern (see LikePattern) for a query that
// holds characters that are neither letters, digits, spaces nor ordinary
// punctuation ("50%", "a_b", "%"): such a query is also matched literally
// against the search key, as before full-text search, so that a reader who
// types a symbol finds the records that contain it. It returns "" for other
// queries.
func LiteralPattern(q string) string {
	q = strings.TrimSpace(q)
	for _, r := range q {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Mn, r) &&
			!strings.ContainsRune(wordPunctuation, r) {
			return LikePattern(q)
		}
	}
	return ""
}
