package spreadsheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/registre/registre/register"
)

// XLSX workbooks (Office Open XML), read with excelize. A workbook is a zip
// archive: a few megabytes may unzip to gigabytes (a "zip bomb"), so the
// archive's directory is read and its unzipped size checked before excelize
// opens it; Go's zip reader refuses an entry that unzips to more than its
// directory says, so the check holds for entries that lie. Then the rows,
// the cells per row and each cell's length are bounded as they are read.

// Limits of a workbook, besides register.MaxCSVBytes (the file) and
// register.MaxCSVRows (the rows), which the import checks.
const (
	// MaxXLSXUnzipped bounds the sum of the unzipped sizes of the entries.
	// A workbook of 5,000 processings with long texts unzips to a few
	// megabytes; excelize holds the worksheet and the shared strings in
	// memory, several times their size once parsed.
	MaxXLSXUnzipped = 24 << 20
	// MaxXLSXEntries bounds the files in the archive.
	MaxXLSXEntries = 1000
	// MaxXLSXSheets bounds the sheets looked at for the register's table.
	MaxXLSXSheets = 50
	// MaxXLSXColumns bounds the cells of one row.
	MaxXLSXColumns = 200
	// MaxXLSXCell is the longest cell, as in Excel itself (32,767
	// characters).
	MaxXLSXCell = 32767
	// headerSearch is how many rows above the table may hold a title or
	// notes (the CNIL's template has some).
	headerSearch = 20
)

// xlsxMagic starts every zip archive, and so every XLSX workbook.
var xlsxMagic = []byte("PK\x03\x04")

// IsXLSX reports whether data looks like an XLSX workbook (a zip archive).
func IsXLSX(data []byte) bool { return bytes.HasPrefix(data, xlsxMagic) }

// CheckZip checks a workbook's archive directory against the limits,
// without unzipping anything. It answers why it refuses, or nil.
func CheckZip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("is not a readable XLSX workbook (a zip archive): %w", err)
	}
	if len(zr.File) > MaxXLSXEntries {
		return fmt.Errorf("holds %d files; a workbook of this register holds at most %d", len(zr.File), MaxXLSXEntries)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxXLSXUnzipped || f.UncompressedSize64 > MaxXLSXUnzipped {
			return fmt.Errorf("unzips to more than %d bytes (the limit of an import)", MaxXLSXUnzipped)
		}
	}
	return nil
}

// readXLSX reads the register's table of a workbook: the first sheet with a
// header row (register.IsSheetHeader) among its first rows, else the first
// sheet. Lines are the sheet's row numbers.
func readXLSX(data []byte) register.Sheet {
	var sheet register.Sheet
	if err := CheckZip(data); err != nil {
		sheet.HeaderErr = "the file " + err.Error()
		return sheet
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxXLSXUnzipped, UnzipXMLSizeLimit: MaxXLSXUnzipped})
	if err != nil {
		sheet.HeaderErr = "the workbook cannot be read: " + cleanErr(err)
		return sheet
	}
	defer f.Close()
	names := f.GetSheetList()
	if len(names) == 0 {
		sheet.HeaderErr = "the workbook has no sheet"
		return sheet
	}
	if len(names) > MaxXLSXSheets {
		names = names[:MaxXLSXSheets]
	}
	chosen, headerRow := names[0], 0
	for _, name := range names {
		if row := findHeader(f, name); row > 0 {
			chosen, headerRow = name, row
			break
		}
	}
	rows, err := f.Rows(chosen)
	if err != nil {
		sheet.HeaderErr = "the sheet cannot be read: " + cleanErr(err)
		return sheet
	}
	defer rows.Close()
	line, read := 0, 0
	for rows.Next() {
		line++
		cells, err := rows.Columns()
		if err != nil {
			sheet.Records = append(sheet.Records, register.SheetRecord{Line: line, Err: cleanErr(err)})
			break
		}
		if msg := checkCells(cells); msg != "" {
			sheet.Records = append(sheet.Records, register.SheetRecord{Line: line, Err: msg})
			continue
		}
		cells = cleanCells(cells)
		switch {
		case headerRow > 0 && line < headerRow:
			continue // a title or notes above the table
		case sheet.Header == nil && (line == headerRow || (headerRow == 0 && !blank(cells))):
			sheet.Header = cells
			continue
		case sheet.Header == nil:
			continue
		}
		if blank(cells) {
			continue
		}
		// The import stops past its row limit; reading further would only
		// cost memory.
		if read++; read > register.MaxCSVRows+1 {
			break
		}
		sheet.Records = append(sheet.Records, register.SheetRecord{Line: line, Cells: cells})
	}
	if err := rows.Error(); err != nil && sheet.HeaderErr == "" {
		sheet.Records = append(sheet.Records, register.SheetRecord{Line: line + 1, Err: cleanErr(err)})
	}
	if sheet.Header == nil {
		sheet.HeaderErr = "the sheet " + fmt.Sprintf("%q", chosen) + " is empty"
	}
	return sheet
}

// findHeader returns the row number of the header among the first rows of
// a sheet, or 0.
func findHeader(f *excelize.File, name string) int {
	rows, err := f.Rows(name)
	if err != nil {
		return 0
	}
	defer rows.Close()
	for n := 1; n <= headerSearch && rows.Next(); n++ {
		cells, err := rows.Columns()
		if err != nil || checkCells(cells) != "" {
			return 0
		}
		if register.IsSheetHeader(cells) {
			return n
		}
	}
	return 0
}

// checkCells bounds one row: its cells and each cell's length.
func checkCells(cells []string) string {
	if len(cells) > MaxXLSXColumns {
		return fmt.Sprintf("has %d columns; at most %d are read", len(cells), MaxXLSXColumns)
	}
	for i, c := range cells {
		if len(c) > 4*MaxXLSXCell || utf8.RuneCountInString(c) > MaxXLSXCell {
			return fmt.Sprintf("column %d holds more than %d characters", i+1, MaxXLSXCell)
		}
	}
	return ""
}

// cleanCells composes accents (NFC) and turns the workbook's line breaks
// into newlines, as the CSV reader gives them.
func cleanCells(cells []string) []string {
	for i, c := range cells {
		c = strings.ReplaceAll(c, "\r\n", "\n")
		cells[i] = norm.NFC.String(strings.ReplaceAll(c, "_x000D_", ""))
	}
	return cells
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cleanErr keeps an error's message short and free of paths of this
// machine (excelize names its temporary files).
func cleanErr(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the file is cut short"
	}
	if errors.Is(err, excelize.ErrWorkbookFileFormat) || errors.Is(err, zip.ErrFormat) {
		return "it is not an XLSX workbook"
	}
	msg := err.Error()
	if i := strings.Index(msg, "/"); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return strings.TrimSpace(msg)
}

// XLSXWriter writes a workbook of one sheet, row by row, through
// excelize's stream writer. Cells are written as text, never as formulas: a
// cell that starts with "=" stays text.
type XLSXWriter struct {
	f     *excelize.File
	sw    *excelize.StreamWriter
	style int
	n     int
}

// NewXLSX starts a workbook whose one sheet is named sheet and starts with
// the header row, in bold.
func NewXLSX(sheet string, header []string) (*XLSXWriter, error) {
	f := excelize.NewFile()
	x := &XLSXWriter{f: f}
	err := f.SetSheetName("Sheet1", sheet)
	if err == nil {
		x.sw, err = f.NewStreamWriter(sheet)
	}
	if err == nil {
		x.style, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	}
	if err == nil {
		err = x.row(header, x.style)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return x, nil
}

// Row adds a row.
func (x *XLSXWriter) Row(cells []string) error {
	if err := x.row(cells, 0); err != nil {
		return fmt.Errorf("xlsx: row %d: %w", x.n, err)
	}
	return nil
}

func (x *XLSXWriter) row(cells []string, style int) error {
	x.n++
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = excelize.Cell{Value: c, StyleID: style}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.n)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, vals)
}

// WriteTo ends the workbook and writes it to w.
func (x *XLSXWriter) WriteTo(w io.Writer) (int64, error) {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return 0, fmt.Errorf("xlsx: %w", err)
	}
	n, err := x.f.WriteTo(w)
	if err != nil {
		return n, fmt.Errorf("xlsx: %w", err)
	}
	return n, nil
}

// Close releases a workbook not written.
func (x *XLSXWriter) Close() error { return x.f.Close() }
