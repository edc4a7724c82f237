package reports

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/register"
)

// fuzzSeeds are texts that once broke PDF generators: runes outside the
// BMP (gofpdf indexes a 65,536-entry table with them), control characters,
// the page-count alias, PDF syntax, invalid UTF-8, very long words.
func fuzzSeeds() []string {
	return []string{
		"",
		"é è ç œ « » ’ — €",
		"Genève\u202f: « oui »\u202f!",
		"👍🏽 𝐀 \U0010FFFF",
		"\x00\x01nb\x01 {nb} \x7f\u0085",
		"(unbalanced \\ parenthesis ) endstream endobj xref trailer %%EOF",
		"\xff\xfe\xfd",
		"e\u0301\u0302\u0303\u0304",
		"\u202e\u200f right-to-left שלום مرحبا",
		"東京 서울 \ufffd \uffff \ue000",
		strings.Repeat("x", 3000),
		strings.Repeat("mot ", 2000),
		"\r\n\t\n\n\n\r",
		"javascript:alert(1)",
		"https://exa mple.ch/(a)\\b",
	}
}

// fill returns a processing, an organisation and report data with s (and
// variants of it) in every text field.
func fill(s string) (*register.PublicProcessing, *register.Organisation, ReportData) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	org := &register.Organisation{Slug: s, Name: s, Address: s, Website: s, DPOContact: s, LIPADContact: s}
	p := &register.PublicProcessing{
		ID: s, Organisation: s, Unit: s, Reference: s, Title: s, Purpose: s, Description: s, PublicSummary: s,
		Controller:        register.Party{Name: s, Contact: s},
		JointControllers:  []register.Party{{Name: s, Contact: s}},
		Processors:        []register.PublicProcessor{{Name: s, Country: s}},
		LegalBases:        []register.LegalBasis{{Type: register.LegalBasisType(s), Reference: s, URL: s}, {Type: register.BasisLaw, Reference: s, URL: "https://example.ch/" + s}},
		DataSubjects:      []string{s, s + s},
		DataCategories:    []register.DataCategory{{Name: s, Sensitive: true}, {Name: s}},
		Sources:           []string{s},
		Recipients:        []register.Recipient{{Name: s, Type: register.RecipientType(s)}},
		Transfers:         []register.Transfer{{Country: s, Safeguard: register.Safeguard(s), Details: s}},
		Accesses:          []register.Access{{Institution: s, LegalBasis: s, Scope: s}},
		Retention:         register.Retention{Period: s, Trigger: s, Disposal: register.Disposal(s)},
		SecurityMeasures:  []register.PublicSecurityMeasure{{Category: register.SecurityCategory(s)}},
		AutomatedDecision: len(s)%2 == 0,
		Profiling:         len(s)%3 == 0,
		DPIA:              register.PublicDPIA{Required: true, Status: register.DPIAStatus(s), CompletedOn: s},
		Version:           len(s),
		PublishedAt:       at,
	}
	proc := register.Processing{ID: s, Organisation: s, Status: register.Status(s), Version: 2, CreatedAt: at, UpdatedAt: at,
		Fields: register.Fields{Unit: s, Reference: s, Title: s, Purpose: s, ReviewDue: s, InternalNotes: s,
			DataCategories: []register.DataCategory{{Name: s, Sensitive: true}},
			DPIA:           register.DPIA{Status: register.DPIAStatus(s), CompletedOn: s, Reference: s}}}
	finding := register.Finding{ProcessingID: s, Rule: s, Severity: register.Severity(s), Field: s, Laws: []string{s, register.LawGDPR30}, Message: s}
	data := ReportData{
		Organisation: org,
		Processings:  []register.Processing{proc},
		Findings:     []register.Finding{finding},
		Omitted:      len(s),
		Overdue:      []register.Processing{proc}, OverdueTotal: 1 + len(s),
		Sensitive: []register.Processing{proc}, SensitiveTotal: 2,
		Summary: register.ComplianceSummary{Processings: 1, BySeverity: map[string]int{s: 1},
			ByLaw: map[string]int{s: 1}, ByRule: map[string]int{s: 1}},
		Audit:  []register.AuditEntry{{Seq: 1, At: at, Actor: s, Role: s, Organisation: s, Action: s, Target: "processing/" + s, Comment: s}},
		Verify: register.VerifyResult{OK: len(s)%2 == 0, Head: s, Reason: s, FirstBad: 1},
		Date:   at,
	}
	return p, org, data
}

// validPDF fails the test unless b is a whole PDF file.
func validPDF(t *testing.T, what string, b []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.HasSuffix(bytes.TrimRight(b, "\n"), []byte("%%EOF")) {
		t.Fatalf("%s: got %d bytes that are not a whole PDF, want %%PDF-...%%%%EOF", what, len(b))
	}
}

func fuzzDocs(t *testing.T, s string, lang Lang) {
	p, org, data := fill(s)
	opts := Options{Lang: lang, PublicURL: "https://registre.example.ch/" + s, Preview: len(s)%2 == 1}
	var b bytes.Buffer
	if err := Notice(&b, p, org, opts); err != nil {
		t.Fatalf("Notice: %v", err)
	}
	validPDF(t, "notice", b.Bytes())
	b.Reset()
	p2, _, _ := fill(s + "2")
	if err := Register(&b, org, []*register.PublicProcessing{p, p2, nil}, opts); err != nil {
		t.Fatalf("Register: %v", err)
	}
	validPDF(t, "register", b.Bytes())
	b.Reset()
	if err := ComplianceReport(&b, data, opts); err != nil {
		t.Fatalf("ComplianceReport: %v", err)
	}
	validPDF(t, "report", b.Bytes())
}

// FuzzDocuments feeds arbitrary text to every field of every document: no
// panic (a recovered one would be an error), always a whole PDF.
func FuzzDocuments(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, french bool) {
		lang := English
		if french {
			lang = French
		}
		fuzzDocs(t, s, lang)
	})
}

// TestSeedsAreSound runs the fuzz seeds through qpdf as well.
func TestSeedsAreSound(t *testing.T) {
	t.Parallel()
	for _, s := range fuzzSeeds() {
		p, org, _ := fill(s)
		var b bytes.Buffer
		if err := Notice(&b, p, org, Options{Lang: French, PublicURL: testURL}); err != nil {
			t.Fatalf("Notice(%q): %v", s, err)
		}
		qpdfCheck(t, b.Bytes())
	}
}

// TestRenderPanicIsError checks that a panic inside a document becomes an
// error: the recover in render is the last line of defence. The panic here
// is gofpdf's own, on a rune outside the BMP that skipped the cleaner.
func TestRenderPanicIsError(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	err := render(&b, Options{}, func(d *doc) error {
		d.pdf.AddPage()
		d.font(bodySize, false)
		d.pdf.GetStringWidth("\U00010000") // indexes gofpdf's width table out of range
		return nil
	})
	var re *renderError
	if !errors.As(err, &re) {
		t.Fatalf("render with a panic: got error %v, want a *renderError", err)
	}
	if b.Len() != 0 {
		t.Errorf("render with a panic: got %d bytes written, want none", b.Len())
	}
}
