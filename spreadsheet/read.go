// Package spreadsheet reads and writes the spreadsheet formats the register
// exchanges: the CSV a council exports from its own table (import) and the
// open-data CSV of the public register (export). It is a technology room like
// sqlstore: the domain (register) decides what a row means, this package
// only knows files, separators, quotes and character sets.
package spreadsheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/registre/registre/register"
)

// Read reads a spreadsheet into the rows the domain's import takes
// (register.WithSheets(spreadsheet.Read)): an XLSX workbook (xlsx.go) or a
// CSV export. Line numbers are the rows as the spreadsheet shows them.
func Read(data []byte) register.Sheet {
	if IsXLSX(data) {
		return readXLSX(data)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Excel's « CSV (séparateur : point-virgule) » is Windows-1252, the
		// file most French-speaking DPOs will have; anything that is not
		// UTF-8 is read as such rather than refused column by column.
		if dec, err := charmap.Windows1252.NewDecoder().Bytes(data); err == nil {
			data = dec
		}
	}
	// Exports from some systems decompose accents ("e" + combining accent);
	// compose them, so that cells and headers read as typed.
	data = norm.NFC.Bytes(data)
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffSeparator(data)
	cr.FieldsPerRecord = -1
	// Errors name the row as the spreadsheet shows it: a cell holding a line
	// break is one row there, though two lines in the file. embedded counts
	// the line breaks inside the cells read so far.
	embedded := 0
	breaks := func(rec []string) int {
		n := 0
		for _, c := range rec {
			n += strings.Count(c, "\n")
		}
		return n
	}
	var sheet register.Sheet
	header, err := cr.Read()
	embedded += breaks(header)
	if err != nil {
		sheet.HeaderErr = csvErr(err)
		return sheet
	}
	sheet.Header = header
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine - embedded
			}
			sheet.Records = append(sheet.Records, register.SheetRecord{Line: line, Err: csvErr(err)})
			if pe == nil {
				break
			}
			continue
		}
		fileLine, _ := cr.FieldPos(0)
		line := fileLine - embedded
		embedded += breaks(rec)
		sheet.Records = append(sheet.Records, register.SheetRecord{Line: line, Cells: rec})
	}
	return sheet
}

// sniffSeparator picks ';', ',' or tab, whichever the header line (outside
// quotes) holds most of: spreadsheets export with ';' where ',' is the
// decimal mark.
func sniffSeparator(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(line) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ';' || c == ',' || c == '\t'):
			counts[c]++
		}
	}
	best := ';'
	for _, c := range []rune{',', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
