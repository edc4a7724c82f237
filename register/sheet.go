package register

// Sheet is a spreadsheet as the import reads it: the header and the rows,
// each with its line as the spreadsheet shows it. Reading the file (quotes,
// separators, character sets) is package spreadsheet's; what the cells mean
// is the domain's.
type Sheet struct {
	Header []string
	// HeaderErr says why no header could be read ("" when it was).
	HeaderErr string
	Records   []SheetRecord
}

// SheetRecord is one row of a Sheet, or why it could not be read.
type SheetRecord struct {
	Line  int
	Cells []string
	Err   string // the row could not be read; Cells is nil
}

// SheetReader reads a file into a Sheet (spreadsheet.Read).
type SheetReader func(data []byte) Sheet

// WithSheets sets how spreadsheet imports are read (spreadsheet.Read in the
// service). Without it, every import is refused as unreadable.
func WithSheets(r SheetReader) Option { return func(s *Service) { s.sheets = r } }

// noSheets fails closed: a service wired without a reader imports nothing.
func noSheets([]byte) Sheet {
	return Sheet{HeaderErr: "no spreadsheet reader configured (WithSheets)"}
}
