package office

import (
	"net/http"

	"github.com/registre/registre/register"
)

// The DPO's review page: the record as a summary list, every field by
// section, with the fields changed since the published version marked
// "changed" (before in <del>, after in <ins>) or "new" when it was never
// published, then the return and publish forms. The comparison is the
// history's own (compare.go, diff), so that a field marked here is the
// field the comparison lists.

// reviewRow is one field on the review page.
type reviewRow struct {
	row
	Mark          string // "", "changed" or "new"
	Before, After []diffLine
}

// reviewSection is one section on the review page.
type reviewSection struct {
	Key, Title string
	Rows       []reviewRow
	Marked     int
}

type reviewData struct {
	P        *register.Processing
	Tab      string
	Base     int // the published version compared with; 0 when never published
	Sections []reviewSection
	Marked   []reviewRow // the changed or new fields, for the summary's links
	Blocking []findingView
	// Return and Publish tell which forms the reader may use now.
	Return, Publish bool
	Revision        int64
}

// reviewPage serves GET /office/processings/{id}/review. Every reader of
// the record may read it; only who may return or publish gets the forms.
func (o *Office) reviewPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principal(r)
	rec, err := o.svc.GetProcessing(ctx, p, r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := o.svc.GetOrganisation(ctx, p, rec.Organisation)
	if err != nil {
		return err
	}
	v := o.newView(r)
	names := o.unitNames(ctx, r, rec.Organisation)
	after := v.titled(v.sections(&rec.Fields, names))
	d := reviewData{P: rec, Revision: rec.Revision, Return: may(p, rec, actReturn), Publish: may(p, rec, actPublish)}
	var changes map[string]change
	if rec.PublishedVersion > 0 {
		ver, err := o.svc.GetVersion(ctx, p, rec.ID, rec.PublishedVersion)
		if err != nil {
			return err
		}
		pub, err := decodeVersion(ver)
		if err != nil {
			return err
		}
		d.Base = rec.PublishedVersion
		changes = map[string]change{}
		for _, c := range v.diff(v.titled(v.sections(&pub.Fields, names)), after) {
			changes[c.Key] = c
		}
	}
	for _, s := range after {
		rs := reviewSection{Key: s.Key, Title: s.Title}
		for _, rw := range s.Rows {
			x := reviewRow{row: rw}
			switch c, ok := changes[rw.Key]; {
			case changes == nil && !rw.Empty():
				x.Mark = "new"
			case ok:
				x.Mark, x.Before, x.After = "changed", c.Before, c.After
			}
			if x.Mark != "" {
				rs.Marked++
				d.Marked = append(d.Marked, x)
			}
			rs.Rows = append(rs.Rows, x)
		}
		d.Sections = append(d.Sections, rs)
	}
	if fs := register.Blocking(register.Check(rec, org, o.svc.Now())); len(fs) > 0 {
		d.Blocking = v.checklistOf(fs, rowIndex(after)).Blocking
		d.Publish = false
	}
	v.Title, v.Nav, v.Data = v.T("review.title")+" — "+rec.Title, "register", d
	return o.render(w, http.StatusOK, "review", v)
}

// NewLines marks every line of a field never published as added.
func (r reviewRow) NewLines() []diffLine {
	out := make([]diffLine, 0, len(r.Lines))
	for _, l := range r.Lines {
		out = append(out, diffLine{line: l, Changed: true})
	}
	return out
}

// Row is the field as the summary list prints it.
func (r reviewRow) Row() row { return r.row }
