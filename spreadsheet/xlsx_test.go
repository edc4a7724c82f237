package spreadsheet_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
)

func workbook(t *testing.T, header []string, rows ...[]string) []byte {
	t.Helper()
	x, err := spreadsheet.NewXLSX("Registre", header)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := x.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestXLSXReadsBackWhatItWrote: the header, every row with its sheet row
// number, a cell with line breaks, and a cell that looks like a formula
// read back as the text written.
func TestXLSXReadsBackWhatItWrote(t *testing.T) {
	header := []string{"Nom du traitement", "Finalité", "Notes internes"}
	rows := [][]string{
		{"Registre des naissances", "Tenir l’état civil", "=1+1"},
		{"Cantine", "Repas\nscolaires", "@SUM(A1)"},
	}
	s := spreadsheet.Read(workbook(t, header, rows...))
	if s.HeaderErr != "" || !slices.Equal(s.Header, header) {
		t.Fatalf("header %q (%s), want %q", s.Header, s.HeaderErr, header)
	}
	if len(s.Records) != 2 {
		t.Fatalf("%d records, want 2: %+v", len(s.Records), s.Records)
	}
	for i, r := range s.Records {
		if r.Line != i+2 || !slices.Equal(r.Cells, rows[i]) {
			t.Errorf("row %d: line %d %q, want line %d %q", i, r.Line, r.Cells, i+2, rows[i])
		}
	}
}

// TestXLSXFindsTheTableBelowATitle: a sheet with a title and notes above
// the table (as the CNIL's template has) and an empty first sheet: the
// table's header is found, and lines are the sheet's row numbers.
func TestXLSXFindsTheTableBelowATitle(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if _, err := f.NewSheet("Registre"); err != nil {
		t.Fatal(err)
	}
	set := func(cell, v string) {
		if err := f.SetCellStr("Registre", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "Registre des activités de traitement")
	set("A2", "Commune de Carouge — mis à jour le 1er décembre")
	set("A4", "Nom du traitement")
	set("B4", "Finalité principale")
	set("A5", "Gestion du personnel")
	set("B5", "Payer les salaires")
	set("A7", "Inscriptions scolaires")
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	s := spreadsheet.Read(b.Bytes())
	if s.HeaderErr != "" || len(s.Header) != 2 || s.Header[1] != "Finalité principale" {
		t.Fatalf("header %q (%s)", s.Header, s.HeaderErr)
	}
	var lines []int
	for _, r := range s.Records {
		lines = append(lines, r.Line)
	}
	if !slices.Equal(lines, []int{5, 7}) {
		t.Fatalf("lines %v, want [5 7]", lines)
	}
}

// TestXLSXRefusesAZipBombBeforeOpeningIt: an archive whose entry unzips to
// 25 MiB (from a few kilobytes) is refused from its directory; so are a
// file that is not a zip archive and an archive of too many files.
func TestXLSXRefusesAZipBombBeforeOpeningIt(t *testing.T) {
	zipOf := func(files map[string]int) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for name, size := range files {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			chunk := make([]byte, 1<<20)
			for n := size; n > 0; n -= len(chunk) {
				if _, err := w.Write(chunk[:min(n, len(chunk))]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	bomb := zipOf(map[string]int{"xl/worksheets/sheet1.xml": 25 << 20})
	t.Logf("bomb: %d bytes zipped, 25 MiB unzipped", len(bomb))
	many := map[string]int{}
	for i := range spreadsheet.MaxXLSXEntries + 1 {
		many[fmt.Sprintf("xl/f%d.xml", i)] = 1
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"ZipBomb", bomb, "unzips to more than"},
		{"TooManyFiles", zipOf(many), "files"},
		{"NotAZip", append([]byte("PK\x03\x04"), bytes.Repeat([]byte("x"), 100)...), "not a readable XLSX"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := spreadsheet.Read(c.data)
			if !strings.Contains(s.HeaderErr, c.want) || s.Records != nil {
				t.Fatalf("HeaderErr %q, records %d; want %q and no record", s.HeaderErr, len(s.Records), c.want)
			}
		})
	}
}

// TestXLSXBoundsRowsAndCells: a row wider than MaxXLSXColumns is an
// error of its row, not read; the rows around it are. (A cell longer than
// MaxXLSXCell cannot be written by excelize, which cuts it: the check
// stands for workbooks of other programs.)
func TestXLSXBoundsRowsAndCells(t *testing.T) {
	wide := make([]string, spreadsheet.MaxXLSXColumns+1)
	wide[0], wide[len(wide)-1] = "large", "end"
	s := spreadsheet.Read(workbook(t, []string{"Nom du traitement", "Finalité"}, []string{"ok", "ok"}, wide, []string{"after", "ok"}))
	want := []register.SheetRecord{{Line: 2, Cells: []string{"ok", "ok"}}, {Line: 3}, {Line: 4, Cells: []string{"after", "ok"}}}
	if len(s.Records) != len(want) {
		t.Fatalf("%d records, want %d", len(s.Records), len(want))
	}
	for i, r := range s.Records {
		if r.Line != want[i].Line || !slices.Equal(r.Cells, want[i].Cells) || (want[i].Cells == nil) != (r.Err != "") {
			t.Errorf("record %d: line %d, %d cells, err %q", i, r.Line, len(r.Cells), r.Err)
		}
	}
}
