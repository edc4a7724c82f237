package spreadsheet

import "testing"

func TestSafeCellNeutralisesEveryPiece(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"Plain", "habitants", "habitants"},
		{"MinusInside", "état -1", "état -1"},
		{"Date", "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"},
		{"Leading", "=1+1", "'=1+1"},
		{"LeadingTab", "\t=1", "'\t=1"},
		{"ListItem", "habitants ; =1+1", "habitants ; '=1+1"},
		{"ListItemNoSpace", "a;@x", "a;'@x"},
		{"Part", "Commune | +41 22", "Commune | '+41 22"},
		{"SpacesBeforeFormula", "a ;   -2", "a ;   '-2"},
		{"URLWithSemicolon", "https://x.example/a;b=1", "https://x.example/a;b=1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := SafeCell(c.in); got != c.want {
				t.Errorf("SafeCell(%q): got %q, want %q", c.in, got, c.want)
			}
		})
	}
}
