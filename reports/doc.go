// Package reports draws Registre's documents as PDF: the transparency
// notice of one processing, the public register of an organisation and the
// auditor's compliance report.
//
// Documents are built from domain values only (register.PublicProcessing for
// the public ones), never from rows or requests, and never read the clock:
// every date printed, and the PDF's own creation date, comes from the data,
// so the same data and language always give the same bytes. Text goes
// through one cleaning step (see text.go) so that whatever a record holds,
// the font can draw it and gofpdf cannot panic on it; a panic anywhere in
// rendering is still caught and returned as an error.
//
// See docs/documents.md for what each document contains.
package reports

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	vocabulary "github.com/registre/registre/labels"
)

// Lang is the language of a document, one of the register's (package
// labels).
type Lang = vocabulary.Lang

// Languages.
const (
	French  = vocabulary.French
	English = vocabulary.English
)

// ParseLang accepts "fr" or "en" (any case). The empty string is French:
// Registre serves Geneva, whose official language is French.
func ParseLang(s string) (Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "fr":
		return French, nil
	case "en":
		return English, nil
	}
	return "", ErrLang
}

// ErrLang is returned for a language other than fr or en.
var ErrLang = errors.New(`language must be "fr" or "en"`)

// Options are the choices a caller makes about a document.
type Options struct {
	// Lang is the document's language: "fr" (default) or "en".
	Lang Lang
	// PublicURL is the base URL of the public site, without a trailing
	// slash (https://registre.example.ch). Documents link to the online page
	// of a processing at PublicURL+"/processings/{id}" and to the PDFs under
	// PublicURL+"/public/v1/...". Empty: no links are printed.
	PublicURL string
	// Preview marks a notice as a preview of a version that may not be
	// published (the internal API's notice.pdf).
	Preview bool
	// Log is where the transparency log holds this publication; nil: the
	// notice prints no publication record (no log, or a preview). The
	// fingerprint is that of the stored public JSON: the PDF is derived
	// from it, so the PDF's own hash is in no log.
	Log *LogEntry
	// Today is the day (YYYY-MM-DD, Europe/Zurich) the document is drawn
	// for: a processing published with a planned start says it is planned
	// until that day (register.PublicState). Empty: today's date.
	Today string
}

// LogEntry is a publication's record in the transparency log: its index and
// the SHA-256 of the public JSON it fingerprints (lowercase hex).
type LogEntry struct {
	Index  int64
	SHA256 string
}

func (o Options) lang() (Lang, error) { return ParseLang(string(o.Lang)) }

func (o Options) base() string { return strings.TrimRight(o.PublicURL, "/") }

// renderError wraps a panic caught while rendering.
type renderError struct{ v any }

func (e *renderError) Error() string { return fmt.Sprintf("reports: rendering panicked: %v", e.v) }

// zurich is the time zone dates are printed in: a publication at 23:30 UTC
// happened on the next day in Geneva. It is loaded once; the Location is
// immutable. time/tzdata is linked in (text.go), so the zone is known even on
// a system without a time zone database, and the output does not depend on
// the machine.
var zurich = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Zurich")
	if err != nil {
		return time.UTC // not reached with time/tzdata linked in
	}
	return loc
})
