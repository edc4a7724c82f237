package office

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/registre/registre/register"
)

// pageRoutes are the pages behind sign-in: the register list (home, in
// office.go's table), a processing, its history, the comparison of two
// versions, an old version, and the previews of the notice and the public
// page. Every one of them only reads: the same pages serve auditors.
func (o *Office) pageRoutes() []Route {
	get := http.MethodGet
	in := func(h handler) http.Handler { return o.serve(o.signedIn(h)) }
	return []Route{
		{get, "/office/processings/{id}", in(o.processingPage)},
		{get, "/office/processings/{id}/history", in(o.historyPage)},
		{get, "/office/processings/{id}/compare", in(o.comparePage)},
		{get, "/office/processings/{id}/versions/{n}", in(o.versionPage)},
		{get, "/office/processings/{id}/notice.pdf", in(o.noticePreview)},
		{get, "/office/processings/{id}/preview", in(o.publicPreview)},
	}
}

// home is the page after sign-in: the register list.
func (o *Office) home(w http.ResponseWriter, r *http.Request) error { return o.listPage(w, r) }

// ---- helpers the page templates call ----

// FR marks an element that holds the register's own text on an English
// page: records are written in French, and a screen reader must read them
// as French (WCAG 3.1.2). The attribute is a constant, never user text.
func (v *view) FR() template.HTMLAttr {
	if v.Lang == "fr" {
		return ""
	}
	return ` lang="fr"`
}

// Count prints n with the singular or plural label ("%d ...").
func (v *view) Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(v.T(one), n)
	}
	return fmt.Sprintf(v.T(many), n)
}

// YesNo prints a boolean.
func (v *view) YesNo(b bool) string {
	if b {
		return v.T("yes")
	}
	return v.T("no")
}

// Day prints a YYYY-MM-DD date in words, or as it is when it does not parse.
func (v *view) Day(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return v.day(t)
}

// Duration prints an ISO 8601 period in words ("P10Y": "10 ans").
func (v *view) Duration(s string) string {
	d, err := register.ParseDuration(s)
	if err != nil {
		return s
	}
	var parts []string
	for _, u := range []struct {
		n    int
		unit string
	}{{d.Years, "year"}, {d.Months, "month"}, {d.Weeks, "week"}, {d.Days, "day"}, {d.Hours, "hour"}, {d.Minutes, "minute"}, {d.Seconds, "second"}} {
		if u.n > 0 {
			parts = append(parts, v.Count(u.n, "unit."+u.unit+".one", "unit."+u.unit+".many"))
		}
	}
	switch len(parts) {
	case 0:
		return s
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " " + v.T("and") + " " + parts[len(parts)-1]
}

// Country prints an ISO 3166-1 alpha-2 code as "France (FR)".
func (v *view) Country(code string) string {
	code = strings.ToUpper(code)
	fr, en, ok := register.CountryName(code)
	switch {
	case !ok:
		return code
	case v.Lang == "en":
		return en + " (" + code + ")"
	}
	return fr + " (" + code + ")"
}

// Path returns a local path in the page's language, its parts joined.
func (v *view) Path(parts ...any) string {
	var b strings.Builder
	for _, p := range parts {
		fmt.Fprint(&b, p)
	}
	return v.URL(b.String())
}

// rowCtx and lineCtx carry the view into the partials that print a field.
type rowCtx struct {
	V *view
	R row
}

type lineCtx struct {
	V          *view
	Word, Text string
	Changed    bool
}

// Lines prepares a field's value for the "lines" partial.
func (v *view) Lines(r row) rowCtx { return rowCtx{V: v, R: r} }

// LineOf prepares one line for the "line" partial.
func (v *view) LineOf(l line) lineCtx { return lineCtx{V: v, Word: l.Word, Text: l.Text} }

// DiffLineOf prepares one line of a comparison.
func (v *view) DiffLineOf(l diffLine) lineCtx {
	return lineCtx{V: v, Word: l.Word, Text: l.Text, Changed: l.Changed}
}

// findingsCtx carries a group of findings into the "findings" partial.
type findingsCtx struct {
	V     *view
	Items []findingView
	Kind  string // blocks, overruled, warns
}

// FindingsOf prepares a group of findings.
func (v *view) FindingsOf(items []findingView, kind string) findingsCtx {
	return findingsCtx{V: v, Items: items, Kind: kind}
}

// diffCtx carries one side of a change into the "diff" partial.
type diffCtx struct {
	V     *view
	Lines []diffLine
	Tag   string // del or ins
}

// DiffOf prepares one side of a change.
func (v *view) DiffOf(lines []diffLine, tag string) diffCtx {
	return diffCtx{V: v, Lines: lines, Tag: tag}
}

// CompareURL is the comparison of two versions of a processing.
func (v *view) CompareURL(id string, from, to int) string { return v.compareURL(id, from, to) }

// ISO prints an instant for a datetime attribute.
func (v *view) ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }
