package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/register"
)

// date prints t as a day in Geneva: "1er mars 2026", "1 March 2026".
func (l *labels) date(t time.Time) string { return l.day(t.In(zurich())) }

func (l *labels) day(t time.Time) string {
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 && l.firstDay != "" {
		day = l.firstDay
	}
	return day + "\u00a0" + l.months[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// dateTime prints t as "2026-03-01 14:05" in Geneva (tables of the report).
func dateTime(t time.Time) string { return t.In(zurich()).Format("2006-01-02 15:04") }

// isoDate prints a YYYY-MM-DD date of the data (completed_on, review_due) in
// words when it parses, as it is otherwise.
func (l *labels) isoDate(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return l.day(t)
}

// duration prints an ISO 8601 retention period in words: "P10Y" is
// "10 ans" or "10 years", "P1Y6M" "1 an et 6 mois". A period that does not
// parse is printed as it is.
func (l *labels) duration(s string) string {
	d, err := register.ParseDuration(s)
	if err != nil {
		return s
	}
	var parts []string
	add := func(n int, unit [2]string) {
		switch {
		case n == 0:
		case n == 1:
			parts = append(parts, "1\u00a0"+unit[0])
		default:
			parts = append(parts, strconv.Itoa(n)+"\u00a0"+unit[1])
		}
	}
	add(d.Years, l.years)
	add(d.Months, l.months2)
	add(d.Weeks, l.weeks)
	add(d.Days, l.days)
	add(d.Hours, l.hours)
	add(d.Minutes, l.minutes)
	add(d.Seconds, l.seconds)
	switch len(parts) {
	case 0:
		return s // "P0D": not a period a person can read; keep the source
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " " + l.and + " " + parts[len(parts)-1]
}

// country prints an ISO 3166-1 alpha-2 code as a name with its code:
// "France (FR)". An unknown code is printed as it is.
func (l *labels) country(code string) string {
	if code == "" {
		return ""
	}
	code = strings.ToUpper(code)
	fr, en, ok := register.CountryName(code)
	if !ok {
		return code
	}
	if l.lang == English {
		return en + " (" + code + ")"
	}
	return fr + " (" + code + ")"
}

// word returns the label of an enumeration value, or the value itself when
// the table has no label for it (a value added to the domain later).
func word[K ~string](m map[K]string, k K) string {
	if s, ok := m[k]; ok {
		return s
	}
	return string(k)
}

// count prints n with the singular or plural form of a "%d ..." label.
func count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(one, n)
	}
	return fmt.Sprintf(many, n)
}
