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
