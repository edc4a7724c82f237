package httpkit

import (
	"strconv"
	"strings"
)

// NegotiateLang picks fr or en from an Accept-Language header (RFC 9110,
// 12.5.4): the highest q wins, the first listed on a tie; "*" means French.
func NegotiateLang(header string) string {
	best, bestQ := "fr", -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if q == 0 {
			continue
		}
		if primary == "*" {
			primary = "fr"
		}
		if (primary == "fr" || primary == "en") && q > bestQ {
			best, bestQ = primary, q
		}
	}
	return best
}
