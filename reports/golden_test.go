package reports

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

const testURL = "https://registre.example.ch"

// testLogSHA256 is the fingerprint the rich notices print as their log record.
const testLogSHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

// goldenDoc is one document of the golden tests.
type goldenDoc struct {
	name   string
	render func(w *bytes.Buffer) error
}

func goldenDocs() []goldenDoc {
	var docs []goldenDoc
	for _, l := range []Lang{French, English} {
		opts := Options{Lang: l, PublicURL: testURL}
		logged := opts
		logged.Log = &LogEntry{Index: 41, SHA256: testLogSHA256}
		docs = append(docs,
			goldenDoc{"notice-rich-" + string(l), func(w *bytes.Buffer) error { return Notice(w, fixtureRich(), fixtureOrg(), logged) }},
			goldenDoc{"notice-minimal-" + string(l), func(w *bytes.Buffer) error { return Notice(w, fixtureMinimal(), fixtureOrg(), opts) }},
			goldenDoc{"register-" + string(l), func(w *bytes.Buffer) error { return Register(w, fixtureOrg(), fixtureMany(3), opts) }},
			goldenDoc{"report-" + string(l), func(w *bytes.Buffer) error { return ComplianceReport(w, fixtureReport(), opts) }},
		)
	}
	docs = append(docs,
		goldenDoc{"notice-preview-fr", func(w *bytes.Buffer) error {
			return Notice(w, fixtureRich(), fixtureOrg(), Options{Lang: French, PublicURL: testURL, Preview: true})
		}},
		goldenDoc{"notice-nourl-en", func(w *bytes.Buffer) error {
			org := fixtureOrg()
			org.LIPADContact, org.Website = "", ""
			return Notice(w, fixtureMinimal(), org, Options{Lang: English})
		}},
		goldenDoc{"register-empty-fr", func(w *bytes.Buffer) error { return Register(w, fixtureOrg(), nil, Options{Lang: French}) }},
	)
	return docs
}

// tool returns the path of a command the tests need. A missing tool fails
// the test: the PDF checks are part of the suite, not optional
// (./scripts/test installs poppler-utils and qpdf).
func tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install poppler-utils and qpdf (./scripts/test does): %v", name, err)
	}
	return p
}

// pdfText returns the text of a PDF as `pdftotext -layout` reads it.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "pdftotext"), "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// qpdfCheck fails the test unless qpdf finds the PDF sound.
func qpdfCheck(t testing.TB, pdf []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "qpdf"), "--check", path).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors found")) {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

// TestGolden renders each document from fixed data, checks it with qpdf,
// and compares its text with testdata/NAME.golden (go test -update
// rewrites them). Rendering twice must give the same bytes.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, d := range goldenDocs() {
		t.Run(d.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := d.render(&a); err != nil {
				t.Fatalf("render: %v", err)
			}
			if err := d.render(&b); err != nil {
				t.Fatalf("render again: %v", err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("two renders of the same data: got %d and %d bytes that differ, want the same bytes", a.Len(), b.Len())
			}
			qpdfCheck(t, a.Bytes())
			got := pdfText(t, a.Bytes())
			golden := filepath.Join("testdata", d.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./reports/ -run TestGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("text of %s differs from %s (-update rewrites it):\n%s", d.name, golden, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 8; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			shown++
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  got  " + gl + "\n  want " + wl + "\n")
		}
	}
	return b.String()
}

// TestMetadata checks the document information, the language and that
// links are real link annotations.
func TestMetadata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                       string
		render                     func(w *bytes.Buffer) error
		title, subject, lang, link string
	}{
		{"NoticeFrench", func(w *bytes.Buffer) error {
			return Notice(w, fixtureRich(), fixtureOrg(), Options{Lang: French, PublicURL: testURL})
		}, "Allocations de rentrée scolaire « Coup d’pouce » — Notice d’information",
			"Notice d’information sur le traitement de données personnelles", "fr-CH", "https://silgeneve.ch/legis/data/rsg_j4_04.htm"},
		{"NoticeEnglish", func(w *bytes.Buffer) error {
			return Notice(w, fixtureRich(), fixtureOrg(), Options{Lang: English, PublicURL: testURL})
		}, "Allocations de rentrée scolaire « Coup d’pouce » — Information notice",
			"Information notice on the processing of personal data", "en", testURL + "/processings/0193a5b2-7c1d-7e00-8a11-4d2c9f0e1a01"},
		{"Register", func(w *bytes.Buffer) error {
			return Register(w, fixtureOrg(), fixtureMany(2), Options{Lang: French, PublicURL: testURL})
		}, "Registre des traitements de données personnelles — Ville de Genève",
			"Registre des traitements de données personnelles", "fr-CH", testURL + "/public/v1/organisations/ville-de-geneve/register.pdf?lang=fr"},
		{"Report", func(w *bytes.Buffer) error {
			return ComplianceReport(w, fixtureReport(), Options{Lang: English})
		}, "Compliance report — Ville de Genève", "Compliance report", "en", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.render(&b); err != nil {
				t.Fatal(err)
			}
			info := pdfInfo(t, b.Bytes())
			for field, want := range map[string]string{
				"Title": tt.title, "Subject": tt.subject, "Author": "Ville de Genève", "Creator": "Registre",
			} {
				if got := info[field]; got != want {
					t.Errorf("%s: got %q, want %q", field, got, want)
				}
			}
			if got := info["CreationDate"]; got == "" || strings.Contains(got, "2000") {
				t.Errorf("CreationDate: got %q, want the data's date", got)
			}
			if !bytes.Contains(b.Bytes(), []byte("/Lang ("+tt.lang+")")) {
				t.Errorf("catalog: no /Lang (%s)", tt.lang)
			}
			if tt.link != "" && !bytes.Contains(b.Bytes(), []byte("/URI ("+tt.link+")")) {
				t.Errorf("no link annotation to %s", tt.link)
			}
		})
	}
}

// pdfInfo returns the document information as pdfinfo prints it.
func pdfInfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool(t, "pdfinfo"), "-enc", "UTF-8", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v\n%s", err, out)
	}
	info := map[string]string{}
	re := regexp.MustCompile(`^([A-Za-z ]+):\s+(.*)$`)
	for _, line := range strings.Split(string(out), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			info[m[1]] = m[2]
		}
	}
	return info
}
