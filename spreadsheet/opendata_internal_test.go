package spreadsheet

import "testing"

func TestCSVItemKeepsPositionsAndTrimsTheEnd(t *testing.T) {
	if got := csvItem("FR", "", ""); got != "FR" {
		t.Errorf("csvItem trims empty trailing parts: got %q", got)
	}
	if got := csvItem("FR", "", "x"); got != "FR |  | x" {
		t.Errorf("csvItem keeps positions: got %q", got)
	}
}
