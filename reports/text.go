package reports

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	_ "time/tzdata" // dates are printed in Europe/Zurich on any machine (doc.go)
)

// The documents use one face, Go Regular (golang.org/x/image/font/gofont,
// BSD licence), embedded in the binary. Bold is drawn by stroking the
// regular outlines (see pdf.go): every UTF-8 font costs gofpdf about 6 ms per
// document (it hashes a 65,536-entry width table and compresses a 128 KiB
// glyph map), and one face is what keeps a notice under 10 ms.
func fontBytes() []byte { return goregular.TTF }

// glyphSet is the set of runes the face can draw: a bitset over the Basic
// Multilingual Plane. gofpdf indexes a 65,536-entry width table with the
// rune, so nothing outside the BMP may ever reach it.
type glyphSet [0x10000 / 64]uint64

func (g *glyphSet) has(r rune) bool {
	return r >= 0 && r < 0x10000 && g[r>>6]&(1<<(uint(r)&63)) != 0
}

// fontGlyphs parses the embedded face once. The result is immutable and
// shared by every renderer.
var fontGlyphs = sync.OnceValues(func() (*glyphSet, error) {
	f, err := sfnt.Parse(fontBytes())
	if err != nil {
		return nil, err
	}
	var g glyphSet
	var buf sfnt.Buffer
	for r := rune(0x20); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF { // surrogates are not characters
			continue
		}
		if i, err := f.GlyphIndex(&buf, r); err == nil && i != 0 {
			g[r>>6] |= 1 << (uint(r) & 63)
		}
	}
	return &g, nil
})

// substitutes are what a rune the face lacks is drawn as. The first entries
// are French typography: the narrow no-break space French puts before
// « » : ; ! ? becomes a no-break space. The table is consulted only for runes
// the face cannot draw, so a face that has them keeps them.
func substitute(r rune) (string, bool) {
	switch r {
	case '\u202F', '\u2007': // narrow no-break space, figure space: non-breaking
		return "\u00A0", true
	case '\u2000', '\u2001', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006',
		'\u2008', '\u2009', '\u200A', '\u205F', '\u3000': // breaking spaces
		return " ", true
	case '\u2010', '\u2011', '\u2012', '\u2043', '\u2212', '\uFE63', '\uFF0D': // hyphens, minus
		return "-", true
	case '\u2013', '\u2014', '\u2015': // dashes
		return "-", true
	case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032', '\u02BC': // single quotes, apostrophe
		return "'", true
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033', '\u00AB', '\u00BB': // double quotes, guillemets
		return "\"", true
	case '\u2039':
		return "<", true
	case '\u203A':
		return ">", true
	case '\u2026':
		return "...", true
	case '\u20AC':
		return "EUR", true
	case '\u0153':
		return "oe", true
	case '\u0152':
		return "OE", true
	case '\u2022', '\u2023', '\u25E6': // bullets
		return "-", true
	}
	return "", false
}

// removed are runes dropped whatever the face has: invisible format
// characters (zero-width spaces and joiners, bidirectional controls that
// could reorder what a reader sees, the byte-order mark), variation
// selectors, and the soft hyphen, which gofpdf would draw as a visible
// hyphen in the middle of a word.
func removed(r rune) bool {
	switch {
	case r == '\u00AD', r == '\u034F', r == '\u061C', r == '\u180E', r == '\uFEFF':
		return true
	case r >= '\u200B' && r <= '\u200F', r >= '\u202A' && r <= '\u202E',
		r >= '\u2060' && r <= '\u206F', r >= '\uFE00' && r <= '\uFE0F',
		r >= 0xE0000 && r <= 0xE007F: // tags
		return true
	}
	return false
}

// cleaner turns any string into one the face can draw. Rules, in order:
//
//   - invalid UTF-8 becomes U+FFFD, which the face draws;
//   - text is put in Unicode NFC, so that "e" + combining acute is "é";
//   - tab is a space; CR LF, CR, U+2028 and U+2029 are a newline (a space
//     when the text must fit on one line); other control characters and the
//     invisible format characters of removed are dropped;
//   - a rune the face draws is kept;
//   - otherwise: the substitutes table; then the rune's compatibility form
//     (NFKC: ligatures, full-width and mathematical letters, superscripts)
//     when the face draws all of it; then the letter without its accent
//     (NFD base); a combining mark the face lacks is dropped;
//   - anything else, runes outside the Basic Multilingual Plane included
//     (emoji), is '?'.
type cleaner struct{ g *glyphSet }

// text cleans s keeping newlines.
func (c cleaner) text(s string) string { return c.clean(s, true) }

// line cleans s for one line: newlines become spaces.
func (c cleaner) line(s string) string { return c.clean(s, false) }

func (c cleaner) clean(s string, multiline bool) string {
	if c.plain(s, multiline) {
		return s
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	nl := "\n"
	if !multiline {
		nl = " "
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				i++
			}
			b.WriteString(nl)
		case r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteString(nl)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7F && r < 0xA0) || removed(r):
			// dropped
		case c.g.has(r):
			b.WriteRune(r)
		default:
			b.WriteString(c.fallback(r))
		}
	}
	return b.String()
}

// plain reports whether s needs no cleaning (the common case, no allocation).
func (c cleaner) plain(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r == '\r', r == '\t', r == '\u00AD':
			return false
		case r == '\n':
			if !multiline {
				return false
			}
		case r < 0x20, r >= 0x7F && r < 0xA0:
			return false
		case r < 0x7F:
			// printable ASCII
		case !c.g.has(r) || removed(r):
			return false
		}
	}
	// A string can be NFC-unstable only if it has a rune that composes; the
	// ones the face draws that do are combining marks, which it mostly lacks
	// (so they fail above). Check anyway: it is cheap on the ASCII fast path.
	return norm.NFC.IsNormalString(s)
}

func (c cleaner) fallback(r rune) string {
	if s, ok := substitute(r); ok && c.drawable(s) {
		return s
	}
	if k := norm.NFKC.String(string(r)); k != string(r) && k != "" && c.drawable(k) {
		return k
	}
	if d := []rune(norm.NFD.String(string(r))); len(d) > 1 && d[0] != r && c.g.has(d[0]) {
		return string(d[0])
	}
	if unicode.Is(unicode.Mn, r) {
		return ""
	}
	return "?"
}

func (c cleaner) drawable(s string) bool {
	for _, r := range s {
		if !c.g.has(r) || r < 0x20 {
			return false
		}
	}
	return true
}
