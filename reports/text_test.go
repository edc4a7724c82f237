package reports

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func testCleaner(t testing.TB) cleaner {
	t.Helper()
	g, err := fontGlyphs()
	if err != nil {
		t.Fatalf("font: %v", err)
	}
	return cleaner{g}
}

// TestFontCoverage holds the font to what French needs: if these runes were
// missing, French would not render exactly.
func TestFontCoverage(t *testing.T) {
	t.Parallel()
	c := testCleaner(t)
	for _, r := range "àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ«»’‘“”—–…€\u00a0°§·•" {
		if !c.g.has(r) {
			t.Errorf("Go Regular: got no glyph for %q (%U), want one", r, r)
		}
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	c := testCleaner(t)
	tests := []struct {
		name, in, text, line string
	}{
		{"ASCII", "Registre des naissances", "Registre des naissances", "Registre des naissances"},
		{"FrenchKept", "l’œuvre « été » — 10 €", "l’œuvre « été » — 10 €", "l’œuvre « été » — 10 €"},
		{"NarrowNoBreakSpace", "Genève\u202f: oui\u202f!", "Genève\u00a0: oui\u00a0!", "Genève\u00a0: oui\u00a0!"},
		{"ThinSpace", "10\u2009000", "10 000", "10 000"},
		{"NonBreakingHyphen", "Jean\u2011Marc", "Jean-Marc", "Jean-Marc"},
		{"Decomposed", "e\u0301te\u0301", "été", "été"},
		{"Newlines", "a\r\nb\rc\nd\u2028e", "a\nb\nc\nd\ne", "a b c d e"},
		{"Tab", "a\tb", "a b", "a b"},
		{"Controls", "a\x00b\x01nb\x01c\x7f\u0085d", "abnbcd", "abnbcd"},
		{"Invisible", "a\u200bb\u200dc\ufeffd\u00ade\u202ef", "abcdef", "abcdef"},
		{"Emoji", "ok 👍", "ok ?", "ok ?"},
		{"OutsideBMPMath", "𝐀𝐁", "AB", "AB"},
		{"FullWidth", "ＡＢ", "AB", "AB"},
		{"AccentFontLacks", "ǹ", "n", "n"},
		{"CombiningLacks", "q\u0303", "q", "q"},
		{"CJK", "東京", "??", "??"},
		{"InvalidUTF8", "a\xffb", "a\ufffdb", "a\ufffdb"},
		{"PrivateUse", "a\ue000b", "a?b", "a?b"},
		{"Noncharacter", "a\uffffb", "a?b", "a?b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.text(tt.in); got != tt.text {
				t.Errorf("text(%q): got %q, want %q", tt.in, got, tt.text)
			}
			if got := c.line(tt.in); got != tt.line {
				t.Errorf("line(%q): got %q, want %q", tt.in, got, tt.line)
			}
		})
	}
}

// TestCleanOnlyDrawable checks, over every rune of the BMP and a sample
// beyond, that cleaning leaves only runes the font draws (and newlines).
func TestCleanOnlyDrawable(t *testing.T) {
	t.Parallel()
	c := testCleaner(t)
	var b strings.Builder
	for r := rune(0); r < 0x10000; r++ {
		b.WriteRune(r)
	}
	for r := rune(0x10000); r < 0x110000; r += 97 {
		b.WriteRune(r)
	}
	for _, s := range []string{c.text(b.String()), c.line(b.String())} {
		if !utf8.ValidString(s) {
			t.Fatal("cleaned text: got invalid UTF-8, want valid")
		}
		for _, r := range s {
			if r != '\n' && !c.g.has(r) {
				t.Fatalf("cleaned text: got %U, which the font cannot draw", r)
			}
		}
	}
}

func TestDuration(t *testing.T) {
	t.Parallel()
	fr, en := labelsFor(French), labelsFor(English)
	tests := []struct{ in, fr, en string }{
		{"P10Y", "10\u00a0ans", "10\u00a0years"},
		{"P1Y", "1\u00a0an", "1\u00a0year"},
		{"P6M", "6\u00a0mois", "6\u00a0months"},
		{"P30D", "30\u00a0jours", "30\u00a0days"},
		{"P1Y6M", "1\u00a0an et 6\u00a0mois", "1\u00a0year and 6\u00a0months"},
		{"P2Y3M10D", "2\u00a0ans, 3\u00a0mois et 10\u00a0jours", "2\u00a0years, 3\u00a0months and 10\u00a0days"},
		{"P2W", "2\u00a0semaines", "2\u00a0weeks"},
		{"PT48H", "48\u00a0heures", "48\u00a0hours"},
		{"ten years", "ten years", "ten years"},
		{"P0D", "P0D", "P0D"},
	}
	for _, tt := range tests {
		if got := fr.duration(tt.in); got != tt.fr {
			t.Errorf("fr duration(%q): got %q, want %q", tt.in, got, tt.fr)
		}
		if got := en.duration(tt.in); got != tt.en {
			t.Errorf("en duration(%q): got %q, want %q", tt.in, got, tt.en)
		}
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	fr, en := labelsFor(French), labelsFor(English)
	tests := []struct {
		in     time.Time
		fr, en string
	}{
		{time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), "1er\u00a0mars 2026", "1\u00a0March 2026"},
		// 23:30 UTC on 31 December is already 1 January in Geneva.
		{time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), "1er\u00a0janvier 2026", "1\u00a0January 2026"},
		{time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC), "15\u00a0août 2026", "15\u00a0August 2026"},
	}
	for _, tt := range tests {
		if got := fr.date(tt.in); got != tt.fr {
			t.Errorf("fr date(%v): got %q, want %q", tt.in, got, tt.fr)
		}
		if got := en.date(tt.in); got != tt.en {
			t.Errorf("en date(%v): got %q, want %q", tt.in, got, tt.en)
		}
	}
}

func TestCountry(t *testing.T) {
	t.Parallel()
	fr, en := labelsFor(French), labelsFor(English)
	tests := []struct{ in, fr, en string }{
		{"CH", "Suisse (CH)", "Switzerland (CH)"},
		{"us", "États-Unis (US)", "United States (US)"},
		{"ZZ", "ZZ", "ZZ"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := fr.country(tt.in); got != tt.fr {
			t.Errorf("fr country(%q): got %q, want %q", tt.in, got, tt.fr)
		}
		if got := en.country(tt.in); got != tt.en {
			t.Errorf("en country(%q): got %q, want %q", tt.in, got, tt.en)
		}
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{{"", French, true}, {"fr", French, true}, {"EN", English, true}, {"de", "", false}, {"fr-CH", "", false}}
	for _, tt := range tests {
		got, err := ParseLang(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseLang(%q): got %q, %v, want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestOptionsBadLang checks that a document in an unknown language is an
// error, not a French document.
func TestOptionsBadLang(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	err := Notice(&b, fixtureMinimal(), fixtureOrg(), Options{Lang: "de"})
	if err == nil {
		t.Fatalf("Notice with lang de: got no error, want ErrLang")
	}
}
