package spreadsheet

import "strings"

// SafeCell neutralises the formulas a spreadsheet could find in a cell: at
// its start, and at the start of every piece after a ";" or a "|". Lists
// are joined into one cell with " ; " (items) and " | " (parts of an item),
// and a spreadsheet that splits cells on ";" (the usual separator where a
// comma is the decimal mark) or on "|" would otherwise read "habitants ;
// =1+1" as a text and a formula. A piece that starts, after spaces, with
// = + - @ or a tab or carriage return gets a leading apostrophe, which
// makes it text (OWASP, "CSV injection"). Free text is treated the same
// way: a spreadsheet does not know which cells were lists.
func SafeCell(s string) string {
	if !strings.ContainsAny(s, "=+-@\t\r") {
		return s // the common case: nothing could start a formula
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	start := true // at the start of the cell or of a piece
	for i := 0; i < len(s); i++ {
		c := s[i]
		if start && c != ' ' {
			if strings.IndexByte("=+-@\t\r", c) >= 0 {
				b.WriteByte('\'')
			}
			start = false
		}
		b.WriteByte(c)
		if c == ';' || c == '|' {
			start = true
		}
	}
	return b.String()
}
