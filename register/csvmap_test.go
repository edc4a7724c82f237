package register

import (
	"strings"
	"testing"
)

func TestParseRetention(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, period, trigger, err string }{
		{"10 ans", "P10Y", "", ""},
		{"6 mois", "P6M", "", ""},
		{"30 jours", "P30D", "", ""},
		{"1 an et 6 mois", "P1Y6M", "", ""},
		{"10 ans après la clôture du dossier", "P10Y", "après la clôture du dossier", ""},
		{"2 years after the last login", "P2Y", "after the last login", ""},
		{"P10Y", "P10Y", "", ""},
		{"P10Y après la clôture", "P10Y", "après la clôture", ""},
		{"dix ans", "", "", "not a duration"},
		{"200 ans", "", "", "150 years"},
		{"P0D", "", "", "P1D"},
	}
	for _, tt := range tests {
		r, m := parseRetention(tt.in)
		msg := m.text
		if tt.err != "" {
			if msg == "" || !contains(msg, tt.err) {
				t.Errorf("%q: got %q, want an error about %q", tt.in, msg, tt.err)
			}
			continue
		}
		if msg != "" || r.Period != tt.period || r.Trigger != tt.trigger {
			t.Errorf("%q: got %+v %q, want %s / %q", tt.in, r, msg, tt.period, tt.trigger)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

func TestParseCells(t *testing.T) {
	t.Parallel()
	if tr, m := parseTransfer("États-Unis: clauses contractuelles types"); m.text != "" || tr.Country != "US" || tr.Safeguard != SafeguardSCC {
		t.Errorf("transfer: got %+v %q", tr, m.text)
	}
	if tr, m := parseTransfer("FR (adéquation)"); m.text != "" || tr.Country != "FR" || tr.Safeguard != SafeguardAdequacy {
		t.Errorf("transfer: got %+v %q", tr, m.text)
	}
	if tr, m := parseTransfer("germany"); m.text != "" || tr.Country != "DE" || tr.Safeguard != "" {
		t.Errorf("transfer: got %+v %q", tr, m.text)
	}
	if _, m := parseTransfer("Atlantis (scc)"); m.key != "country" || !strings.Contains(m.text, "Atlantis") {
		t.Errorf("unknown country accepted")
	}
	if _, m := parseTransfer("FR (pinky promise)"); m.key != "safeguard" || !strings.Contains(m.text, "pinky promise") {
		t.Errorf("unknown safeguard accepted")
	}
	if b := parseLegalBasis("obligation légale: LAVS (RS 831.10)"); b.Type != BasisLegalObligation || b.Reference != "LAVS (RS 831.10)" {
		t.Errorf("legal basis: got %+v", b)
	}
	if b := parseLegalBasis("LIPAD art. 35 https://silgeneve.ch/legis/data/rsg_a2_08.htm"); b.Type != BasisLaw || b.URL == "" || b.Reference != "LIPAD art. 35" {
		t.Errorf("legal basis: got %+v", b)
	}
	if r := parseRecipient("interne: Archives"); r.Type != RecipientInternal || r.Name != "Archives" {
		t.Errorf("recipient: got %+v", r)
	}
	if r := parseRecipient("Une société: Acme"); r.Type != RecipientThirdParty || r.Name != "Une société: Acme" {
		t.Errorf("recipient: got %+v", r)
	}
	if m := parseSecurity("Chiffrement des communications (TLS)"); m.Category != SecEncryptionInTransit {
		t.Errorf("security: got %+v", m)
	}
	if m := parseSecurity("Coffre-fort"); m.Category != SecOther || m.Details != "Coffre-fort" {
		t.Errorf("security: got %+v", m)
	}
	if got := splitList("a | b\n c;; d"); len(got) != 4 {
		t.Errorf("splitList: got %q", got)
	}
}

func TestParseCellsFromRealSpreadsheets(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]SecurityCategory{
		"Journalisation des accès":   SecLogging,
		"Mises à jour des logiciels": SecOther,
		"Revue des logs mensuelle":   SecLogging,
		"Gestion des habilitations":  SecAccessControl,
	} {
		if got := parseSecurity(in).Category; got != want {
			t.Errorf("parseSecurity(%q): got %s, want %s", in, got, want)
		}
	}
	for _, none := range []string{"Aucun transfert", "non", "Pas de transfert"} {
		if tr, m := parseTransfer(none); m.text != "" || tr.Country != "" {
			t.Errorf("parseTransfer(%q): got %+v %q, want no transfer", none, tr, m.text)
		}
	}
	// Cells arrive composed (spreadsheet.Read composes decomposed accents).
	sheet := func([]byte) Sheet {
		return Sheet{Header: []string{"Nom du traitement", "Finalité", "Durée"}, Records: []SheetRecord{{Line: 2, Cells: []string{"Archives", "Y", "10 années après la clôture"}}}}
	}
	v := NewService(nil, WithSheets(sheet))
	rows, errs, _ := v.parseCSV(nil, "etat-civil", func(s string) (string, sheetMsg) { return s, sheetMsg{} })
	if len(errs) != 0 || len(rows) != 1 || rows[0].fields.Retention.Trigger != "après la clôture" || rows[0].fields.Retention.Period != "P10Y" {
		t.Fatalf("retention cell: got %+v %v", rows, errs)
	}
}

func TestReferenceKeyFoldsLookAlikes(t *testing.T) {
	t.Parallel()
	base := ReferenceKey("VDG-EC-004")
	for _, ref := range []string{
		"vdg-ec-004",
		"VDG\u2010EC\u2010004", // hyphen
		"VDG\u2011EC\u2011004", // non-breaking hyphen
		"VDG\u2013EC\u2013004", // en dash
		"VDG\u2212EC\u2212004", // minus sign
		"VDG\uff0dEC\uff0d004", // full-width hyphen-minus
		"ＶＤＧ-ＥＣ-００４",           // full-width letters and digits
		"VDG-EC-\u00ad004",     // soft hyphen
		"VDG-EC-0\u200b04",     // zero-width space
		"  VDG-EC-004 ",
	} {
		if got := ReferenceKey(ref); got != base {
			t.Errorf("ReferenceKey(%q) = %q, want %q", ref, got, base)
		}
	}
	for _, other := range []string{"VDG-EC-005", "VDG-EC 004", "VDGEC004"} {
		if ReferenceKey(other) == base {
			t.Errorf("ReferenceKey(%q) = %q, the key of a different reference", other, base)
		}
	}
}
