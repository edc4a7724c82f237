package publicsite

import (
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
)

func TestNegotiate(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", "fr"},
		{"en", "en"},
		{"en-GB,en;q=0.9", "en"},
		{"de-CH,de;q=0.9,en;q=0.8,fr;q=0.7", "en"},
		{"de-CH,de;q=0.9", "fr"},
		{"fr-CH, fr;q=0.9, en;q=0.8", "fr"},
		{"en;q=0.5, fr;q=0.6", "fr"},
		{"en;q=0, fr;q=0.1", "fr"},
		{"en;q=0", "fr"},
		{"EN-us", "en"},
		{"*", "fr"},
		{"it, en;q=bogus", "fr"},
		{"en;q=0.5, fr;q=0.5", "en"},
	} {
		if got := negotiate(c.header); got != c.want {
			t.Errorf("negotiate(%q): got %s, want %s", c.header, got, c.want)
		}
	}
	r := httptest.NewRequest("GET", "/?lang=en", nil)
	r.Header.Set("Accept-Language", "fr")
	if l, explicit := pickLang(r); l != "en" || !explicit {
		t.Errorf("?lang=en: got %s %v", l, explicit)
	}
	r = httptest.NewRequest("GET", "/?lang=de", nil)
	if l, explicit := pickLang(r); l != "fr" || explicit {
		t.Errorf("?lang=de: got %s %v", l, explicit)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"Registre":           "Registre",
		"=1+1":               "'=1+1",
		"+41 22":             "'+41 22",
		"-1":                 "'-1",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tx":                "'\tx",
		"\rx":                "'\rx",
		"a=b":                "a=b",
		"2026-01-01T00:00Z":  "2026-01-01T00:00Z",
		"'already":           "'already",
		"état -1":            "état -1",
		"=HYPERLINK(\"x\")":  "'=HYPERLINK(\"x\")",
		"\u00a0=not leading": "\u00a0=not leading",
	} {
		if got := spreadsheet.SafeCell(in); got != want {
			t.Errorf("SafeCell(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestETagMatches(t *testing.T) {
	for _, c := range []struct {
		header, tag string
		want        bool
	}{
		{`"a"`, `"a"`, true},
		{`W/"a"`, `"a"`, true},
		{`"b", "a"`, `"a"`, true},
		{`"a-gz"`, `"a"`, true},
		{`"a"`, `"a-gz"`, true},
		{`*`, `"a"`, true},
		{`"b"`, `"a"`, false},
		{`"ab"`, `"a"`, false},
	} {
		if got := etagMatches(c.header, c.tag); got != c.want {
			t.Errorf("etagMatches(%s, %s): got %v", c.header, c.tag, got)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{"": false, "gzip": true, "br, gzip;q=0.5": true, "gzip;q=0": false, "deflate": false, "GZIP": true} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", h)
		if got := acceptsGzip(r); got != want {
			t.Errorf("%q: got %v", h, got)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("court", 10); got != "court" {
		t.Errorf("got %q", got)
	}
	got := shorten("Les données   sont conservées pendant dix ans, puis détruites.", 30)
	if got != "Les données sont conservées…" {
		t.Errorf("got %q", got)
	}
	if n := len([]rune(shorten(strings.Repeat("é", 500), 280))); n != 281 {
		t.Errorf("got %d runes", n)
	}
}

func TestPublicationCacheReplacesAndDrops(t *testing.T) {
	c := newPublicationCache(newBytesCache(1 << 20))
	c.put("e", &cachedPublication{body: make([]byte, 10)})
	c.put("e", &cachedPublication{body: make([]byte, 20)})
	if e := c.get("e"); e == nil || len(e.body) != 20 {
		t.Fatalf("replacing: got %v", e)
	}
	c.drop("e")
	if c.get("e") != nil || c.store.bytes() != 0 {
		t.Errorf("drop: %d bytes", c.store.bytes())
	}
}

func TestInvalidateMovesTheGeneration(t *testing.T) {
	t.Parallel()
	c := newPublicationCache(newBytesCache(1))
	c.invalidate()
	if c.gen.Load() != 1 {
		t.Fatalf("after invalidate: gen %d, want 1", c.gen.Load())
	}
}

// TestLabels holds the label table to the templates: every key has both
// languages, and every key a template names exists.
func TestLabels(t *testing.T) {
	labels := labelTable()
	for k, v := range labels {
		if strings.TrimSpace(v.fr) == "" || strings.TrimSpace(v.en) == "" {
			t.Errorf("label %q lacks a language: %+v", k, v)
		}
		if strings.Count(v.fr, "%") != strings.Count(v.en, "%") {
			t.Errorf("label %q: the languages take different arguments", k)
		}
	}
	key := regexp.MustCompile(`\.T "([^"]+)"`)
	files, _ := assets.ReadDir("templates")
	for _, f := range files {
		b, err := assets.ReadFile("templates/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if _, ok := labels[m[1]]; !ok {
				t.Errorf("%s uses the missing label %q", f.Name(), m[1])
			}
		}
	}
	src, _ := os.ReadFile("public_opendata.go")
	for _, m := range regexp.MustCompile(`v\.T\("([a-z.]+)"\)`).FindAllStringSubmatch(string(src), -1) {
		if _, ok := labels[m[1]]; !ok {
			t.Errorf("public_opendata.go uses the missing label %q", m[1])
		}
	}
	// Every value of every enumeration has words.
	enums := map[string][]string{}
	for _, v := range register.LegalBasisTypes() {
		enums["basis"] = append(enums["basis"], string(v))
	}
	for _, v := range register.RecipientTypes() {
		enums["recipient"] = append(enums["recipient"], string(v))
	}
	for _, v := range register.Safeguards() {
		enums["safeguard"] = append(enums["safeguard"], string(v))
	}
	for _, v := range register.Disposals() {
		enums["disposal"] = append(enums["disposal"], string(v))
	}
	for _, v := range register.SecurityCategories() {
		enums["security"] = append(enums["security"], string(v))
	}
	for _, v := range register.DPIAStatuses() {
		enums["dpia"] = append(enums["dpia"], string(v))
	}
	for kind, vs := range enums {
		for _, v := range vs {
			if _, ok := labels[kind+"."+v]; !ok {
				t.Errorf("no words for %s %q", kind, v)
			}
		}
	}
}

func TestViewWords(t *testing.T) {
	ps := mustParsePages()
	fr := &view{Lang: "fr", labels: ps.labels, tz: ps.tz}
	en := &view{Lang: "en", labels: ps.labels, tz: ps.tz}
	for _, c := range []struct{ got, want string }{
		{fr.Duration("P10Y"), "10\u00a0ans"},
		{en.Duration("P1Y6M"), "1\u00a0year and 6\u00a0months"},
		{fr.Duration("P1Y2M3D"), "1\u00a0an, 2\u00a0mois et 3\u00a0jours"},
		{fr.Duration("bogus"), "bogus"},
		{fr.Country("ch"), "Suisse (CH)"},
		{en.Country("US"), "United States (US)"},
		{en.Country("XX"), "XX"},
		{fr.Day("2026-03-01"), "1er\u00a0mars 2026"},
		{en.Day("2026-03-01"), "1 March 2026"},
		{fr.Enum("basis", register.BasisLaw), "Loi"},
		{fr.Enum("basis", "new_kind"), "new_kind"},
		{fr.Count(1, "published.one", "published.many"), "1 traitement publié"},
		{en.Count(2, "published.one", "published.many"), "2 published processings"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if ps.tz != time.UTC { // with the zone database: Geneva is an hour ahead of UTC in winter
		if got := fr.Date(time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)); got != "1er\u00a0janvier 2027" {
			t.Errorf("got %q", got)
		}
	}
	if c := fr.Contact("dpo@example.ch"); c.Mail != "dpo@example.ch" {
		t.Errorf("a bare address is a mail link: %+v", c)
	}
	if c := fr.Contact("DPO <dpo@example.ch>"); c.Mail != "" || c.Text == "" {
		t.Errorf("anything else is text: %+v", c)
	}
	if c := fr.Contact(""); c.Missing != "non indiqué" {
		t.Errorf("missing: %+v", c)
	}
}
