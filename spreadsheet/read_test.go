package spreadsheet

import "testing"

func TestSniffSeparatorPicksTheHeadersMostFrequent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]rune{"a;b,c;d": ';', "a,b,c": ',', "a\tb\tc": '\t', `"x;y",b,c`: ','} {
		if got := sniffSeparator([]byte(in)); got != want {
			t.Errorf("sniff %q: got %q, want %q", in, got, want)
		}
	}
}

func TestReadNumbersRowsAsTheSpreadsheetShowsThem(t *testing.T) {
	t.Parallel()
	// A cell with a line break is one row in the spreadsheet, two lines in
	// the file; Windows-1252 and decomposed accents read as typed.
	data := []byte("Nom;Finalit\xe9\n\"a\nb\";x\nc;y\n\"bad;y\n")
	s := Read(data)
	if s.HeaderErr != "" || len(s.Header) != 2 {
		t.Fatalf("header: %q %q", s.Header, s.HeaderErr)
	}
	if s.Header[1] != "Finalité" {
		t.Errorf("header[1] = %q, want Finalité (read as Windows-1252)", s.Header[1])
	}
	if len(s.Records) != 3 {
		t.Fatalf("records: %+v", s.Records)
	}
	if r := s.Records[0]; r.Line != 2 || r.Cells[0] != "a\nb" {
		t.Errorf("record 0: %+v", r)
	}
	if r := s.Records[1]; r.Line != 3 {
		t.Errorf("record 1 at line %d, want 3", r.Line)
	}
	if r := s.Records[2]; r.Err == "" || r.Line != 4 {
		t.Errorf("record 2: %+v, want a read error at line 4", r)
	}
}

func TestReadComposesDecomposedAccents(t *testing.T) {
	t.Parallel()
	s := Read([]byte("Nom;Durée\nArchives;10 anne\u0301es apre\u0300s la clo\u0302ture\n"))
	if len(s.Records) != 1 || s.Records[0].Cells[1] != "10 années après la clôture" {
		t.Fatalf("got %+v, want the accents composed", s.Records)
	}
}
