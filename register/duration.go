package register

import (
	"errors"
	"fmt"
	"strconv"
)

// Duration is an ISO 8601 duration as a retention period is written
// ("P10Y", "P6M", "P1Y6M", "P30D", "PT48H"). Only whole numbers are accepted:
// a retention period is a legal statement, not a measurement.
type Duration struct {
	Years, Months, Weeks, Days, Hours, Minutes, Seconds int
}

// Bounds of a retention period.
const (
	minDurationDays = 1.0
	maxDurationDays = 150 * daysPerYear
	daysPerYear     = 365.2425
	daysPerMonth    = daysPerYear / 12
)

var errDuration = errors.New("not an ISO 8601 duration such as P10Y, P6M or P30D")

// ParseDuration parses an ISO 8601 duration of whole numbers.
func ParseDuration(s string) (Duration, error) {
	var d Duration
	if len(s) < 3 || len(s) > 40 || s[0] != 'P' {
		return d, errDuration
	}
	inTime, seen, i := false, false, 1
	// order guards against repeated or misordered designators ("P1D1Y").
	order := 0
	for i < len(s) {
		if s[i] == 'T' {
			if inTime {
				return d, errDuration
			}
			inTime = true
			i++
			if i == len(s) {
				return d, errDuration
			}
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i || j == len(s) || j-i > 9 {
			return d, errDuration
		}
		n, err := strconv.Atoi(s[i:j])
		if err != nil {
			return d, errDuration
		}
		var rank int
		var field *int
		switch c := s[j]; {
		case !inTime && c == 'Y':
			rank, field = 1, &d.Years
		case !inTime && c == 'M':
			rank, field = 2, &d.Months
		case !inTime && c == 'W':
			rank, field = 3, &d.Weeks
		case !inTime && c == 'D':
			rank, field = 4, &d.Days
		case inTime && c == 'H':
			rank, field = 5, &d.Hours
		case inTime && c == 'M':
			rank, field = 6, &d.Minutes
		case inTime && c == 'S':
			rank, field = 7, &d.Seconds
		default:
			return d, errDuration
		}
		if rank <= order {
			return d, errDuration
		}
		order, *field, seen = rank, n, true
		i = j + 1
	}
	if !seen {
		return d, errDuration
	}
	return d, nil
}

// ApproxDays is the length of d in days, with average years and months.
func (d Duration) ApproxDays() float64 {
	return float64(d.Years)*daysPerYear + float64(d.Months)*daysPerMonth +
		float64(d.Weeks*7+d.Days) + float64(d.Hours)/24 + float64(d.Minutes)/1440 +
		float64(d.Seconds)/86400
}

// checkRetention reports why s is not an acceptable retention period.
func checkRetention(s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	days := d.ApproxDays()
	if days < minDurationDays {
		return fmt.Errorf("must be at least one day")
	}
	if days > maxDurationDays+1e-6 {
		return fmt.Errorf("must be at most 150 years")
	}
	return nil
}
