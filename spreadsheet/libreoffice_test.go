package spreadsheet_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// soffice converts in (a file of dir) to format with LibreOffice, headless,
// in a user profile of its own (so that it neither reads nor locks the
// machine's), and returns the converted file's bytes. Without soffice the
// test is skipped, unless the run requires it (REGISTRE_REQUIRE_BROWSER=1,
// as scripts/test sets, or CI=true): then it fails.
func soffice(t *testing.T, dir, in, format, infilter string) []byte {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("REGISTRE_REQUIRE_BROWSER") == "1" || os.Getenv("CI") == "true" {
			t.Fatal("soffice not found: install Debian's libreoffice-calc (scripts/test does)")
		}
		t.Skip("soffice not found (Debian package libreoffice-calc)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "out")
	args := []string{"--headless", "--norestore", "-env:UserInstallation=file://" + filepath.Join(dir, "profile"),
		"--convert-to", format, "--outdir", out}
	if infilter != "" {
		args = append(args, "--infilter="+infilter)
	}
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin, append(args, filepath.Join(dir, in))...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	msg, err := cmd.CombinedOutput()
	t.Logf("soffice --convert-to %s: %v", format, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	name := strings.TrimSuffix(in, filepath.Ext(in)) + "." + strings.SplitN(format, ":", 2)[0]
	b, err := os.ReadFile(filepath.Join(out, name))
	if err != nil {
		t.Fatalf("soffice wrote no %s: %v\n%s", name, err, msg)
	}
	return b
}

// The rows both tests carry: accents, a cell with a line break, a cell that
// looks like a formula, leading zeros, a semicolon and quotes.
var officeRows = [][]string{
	{"Nom du traitement", "Référence", "Finalité", "Catégories de données"},
	{"Registre des naissances", "007", "Tenir l’état civil; établir les actes", "identité\nfiliation"},
	{"Cantine « scolaire »", "SCO-7", "=1+1", "régime alimentaire (santé)"},
	{"Prêt de vélos", "VEL-1", `Prêter des "vélos"`, "identité"},
}

// TestXLSXMadeByLibreOfficeIsRead: a CSV written here, converted to XLSX
// by LibreOffice (another program than excelize), reads back as the same
// header and rows, and imports as the drafts they describe on both
// databases.
func TestXLSXMadeByLibreOfficeIsRead(t *testing.T) {
	dir := t.TempDir()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(officeRows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "registre.csv"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// CSV filter: comma (44), double quote (34), UTF-8 (76), from line 1;
	// every column as text (2), so that "007" and "=1+1" stay as typed.
	xlsx := soffice(t, dir, "registre.csv", "xlsx", "CSV:44,34,76,1,1/2/2/2/3/2/4/2")
	if !spreadsheet.IsXLSX(xlsx) {
		t.Fatal("LibreOffice did not write a zip archive")
	}
	s := spreadsheet.Read(xlsx)
	if s.HeaderErr != "" || !slices.Equal(s.Header, officeRows[0]) {
		t.Fatalf("header %q (%s)", s.Header, s.HeaderErr)
	}
	if len(s.Records) != len(officeRows)-1 {
		t.Fatalf("%d rows, want %d", len(s.Records), len(officeRows)-1)
	}
	for i, r := range s.Records {
		if r.Err != "" || r.Line != i+2 || !slices.Equal(r.Cells, officeRows[i+1]) {
			t.Errorf("row %d: line %d %q (%s), want %q", i+2, r.Line, r.Cells, r.Err, officeRows[i+1])
		}
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := register.NewService(db.Store(), register.WithSheets(spreadsheet.Read))
		op := register.CommandLine("test")
		if _, err := svc.CreateOrganisation(ctx, op, register.Organisation{Slug: "carouge", Name: "Carouge"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateUnit(ctx, op, "carouge", register.Unit{Slug: "social", Name: "Social"}); err != nil {
			t.Fatal(err)
		}
		items, err := svc.ImportCSV(ctx, op, "carouge", "social", bytes.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 3 {
			t.Fatalf("%d drafts, want 3", len(items))
		}
		for i, p := range items {
			row := officeRows[i+1]
			if p.Title != row[0] || p.Reference != row[1] || p.Purpose != row[2] || p.Status != register.StatusDraft {
				t.Errorf("draft %d: %q %q %q %s, want %q", i, p.Title, p.Reference, p.Purpose, p.Status, row[:3])
			}
		}
		if n := len(items[0].DataCategories); n != 2 {
			t.Errorf("a cell with a line break gave %d categories, want 2", n)
		}
	})
}

// TestXLSXWrittenHereOpensInLibreOffice: a workbook of NewXLSX, converted
// to CSV by LibreOffice, gives back the same rows.
func TestXLSXWrittenHereOpensInLibreOffice(t *testing.T) {
	dir := t.TempDir()
	x, err := spreadsheet.NewXLSX("Registre", officeRows[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range officeRows[1:] {
		if err := x.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "registre.xlsx"), b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := soffice(t, dir, "registre.xlsx", `csv:Text - txt - csv (StarCalc):44,34,76,1`, "")
	got, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(out, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatalf("LibreOffice's CSV: %v\n%s", err, out)
	}
	if len(got) != len(officeRows) {
		t.Fatalf("%d rows, want %d:\n%s", len(got), len(officeRows), out)
	}
	for i := range got {
		if !slices.Equal(got[i], officeRows[i]) {
			t.Errorf("row %d: %q, want %q", i+1, got[i], officeRows[i])
		}
	}
}
