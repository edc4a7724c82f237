package register

// AdequacyLevel is what Swiss law says of a country's data protection.
type AdequacyLevel int

// Adequacy levels.
const (
	AdequacyNone    AdequacyLevel = iota // no decision: another safeguard is needed
	AdequacyPartial                      // only for some recipients (Canada: private sector; US: DPF-certified)
	AdequacyFull
	AdequacyDomestic // Switzerland itself: not a transfer abroad
)

// swissAdequacy is annex 1 of the Swiss Data Protection Ordinance (OPDo, RS
// 235.11), in force since 2023-09-01, as compiled in shared/reference
// (adequacy.csv). Cantonal bodies treat it as a sufficient basis (privatim).
func swissAdequacy() map[string]AdequacyLevel {
	return map[string]AdequacyLevel{
		"CH": AdequacyDomestic,
		// EEA
		"AT": AdequacyFull, "BE": AdequacyFull, "BG": AdequacyFull, "CY": AdequacyFull, "CZ": AdequacyFull,
		"DE": AdequacyFull, "DK": AdequacyFull, "EE": AdequacyFull, "ES": AdequacyFull, "FI": AdequacyFull,
		"FR": AdequacyFull, "GR": AdequacyFull, "HR": AdequacyFull, "HU": AdequacyFull, "IE": AdequacyFull,
		"IS": AdequacyFull, "IT": AdequacyFull, "LI": AdequacyFull, "LT": AdequacyFull, "LU": AdequacyFull,
		"LV": AdequacyFull, "MT": AdequacyFull, "NL": AdequacyFull, "NO": AdequacyFull, "PL": AdequacyFull,
		"PT": AdequacyFull, "RO": AdequacyFull, "SE": AdequacyFull, "SI": AdequacyFull, "SK": AdequacyFull,
		// others
		"AD": AdequacyFull, "AR": AdequacyFull, "FO": AdequacyFull, "GB": AdequacyFull, "GG": AdequacyFull,
		"GI": AdequacyFull, "IL": AdequacyFull, "IM": AdequacyFull, "JE": AdequacyFull, "MC": AdequacyFull,
		"NZ": AdequacyFull, "UY": AdequacyFull,
		"CA": AdequacyPartial, "US": AdequacyPartial,
	}
}

// Adequacy returns the Swiss adequacy level of a country (ISO 3166-1 alpha-2).
func Adequacy(country string) AdequacyLevel {
	if l, ok := swissAdequacy()[country]; ok {
		return l
	}
	return AdequacyNone
}

// euAdequacy is the European Commission's list of adequacy decisions under
// GDPR art. 45 (shared/reference adequacy_eu.csv), plus the EEA states, for
// which transfers are not transfers to a third country. Partial entries
// cover only some recipients.
func euAdequacy() map[string]AdequacyLevel {
	m := map[string]AdequacyLevel{
		"AD": AdequacyFull, "AR": AdequacyFull, "FO": AdequacyFull, "GG": AdequacyFull, "IM": AdequacyFull,
		"JE": AdequacyFull, "NZ": AdequacyFull, "UY": AdequacyFull, "GB": AdequacyFull, "CH": AdequacyFull,
		"BR": AdequacyPartial, "CA": AdequacyPartial, "IL": AdequacyPartial, "JP": AdequacyPartial,
		"KR": AdequacyPartial, "US": AdequacyPartial,
	}
	for c, l := range swissAdequacy() {
		if l == AdequacyFull && eea(c) {
			m[c] = AdequacyFull
		}
	}
	return m
}

func eea(c string) bool {
	switch c {
	case "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
		"IS", "IT", "LI", "LT", "LU", "LV", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK":
		return true
	}
	return false
}

// Abroad reports whether a country code names a place outside Switzerland.
// An empty code says nothing.
func Abroad(country string) bool { return country != "" && country != "CH" }

// AdequateFor reports whether a transfer to country rests on adequacy for an
// organisation: under the Swiss list (OPDo annex 1), and also under the EU
// list when the GDPR applies. A partial decision counts only when the record
// says the recipient is covered (certified).
func AdequateFor(country string, gdpr, certified bool) bool {
	ok := func(l AdequacyLevel) bool {
		return l == AdequacyFull || l == AdequacyDomestic || (l == AdequacyPartial && certified)
	}
	if !ok(Adequacy(country)) {
		return false
	}
	if gdpr {
		l, found := euAdequacy()[country]
		return found && ok(l)
	}
	return true
}
