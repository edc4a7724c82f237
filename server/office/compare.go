package office

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/registre/registre/register"
)

// The comparison of two versions, field by field: only the fields that
// changed, each with its value before and after. What was removed and what
// was added are told by words and by <del>/<ins>, never by colour alone.

// diffLine is one line of a value, marked when the other side lacks it.
type diffLine struct {
	line
	Changed bool
}

// change is one field that differs between two versions.
type change struct {
	Section, Label, Key string
	Before, After       []diffLine
}

// versionChoice is a link to compare another pair.
type versionChoice struct {
	Label, URL string
	Current    bool
}

type compareData struct {
	P                *register.Processing
	Tab              string
	From, To         int
	FromAt, ToAt     *register.Version
	Changes          []change
	FromPick, ToPick []versionChoice
	FromURL, ToURL   string
}

// compareURL is the comparison of versions from and to of processing id.
func (v *view) compareURL(id string, from, to int) string {
	q := url.Values{}
	q.Set("from", strconv.Itoa(from))
	q.Set("to", strconv.Itoa(to))
	return link("/office/processings/"+id+"/compare", q, v.Lang)
}

// comparePage serves GET /office/processings/{id}/compare?from=N&to=M;
// without to, the current version; without from, the version before to.
func (o *Office) comparePage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	vs, err := o.svc.ListVersions(ctx, principal(r), p.ID)
	if err != nil {
		return err
	}
	nums := sortedVersions(vs)
	q := r.URL.Query()
	to := p.Version
	if s := q.Get("to"); s != "" {
		if to, err = versionNumber(s); err != nil {
			return err
		}
	}
	from := 0
	if s := q.Get("from"); s != "" {
		if from, err = versionNumber(s); err != nil {
			return err
		}
	} else {
		for _, n := range nums {
			if n < to {
				from = n
			}
		}
		if from == 0 {
			from = to
		}
	}
	byNum := map[int]*register.Version{}
	for i := range vs {
		byNum[vs[i].Number] = &vs[i]
	}
	a, b := byNum[from], byNum[to]
	if a == nil || b == nil {
		return register.Errorf(register.ENotFound, "version not found")
	}
	pa, err := decodeVersion(a)
	if err != nil {
		return err
	}
	pb, err := decodeVersion(b)
	if err != nil {
		return err
	}
	v := o.newView(r)
	names := o.unitNames(ctx, r, p.Organisation)
	d := compareData{P: p, Tab: "history", From: from, To: to, FromAt: a, ToAt: b,
		Changes: v.diff(v.titled(v.sections(&pa.Fields, names)), v.titled(v.sections(&pb.Fields, names))),
		FromURL: v.Path("/office/processings/", p.ID, "/versions/", from),
		ToURL:   v.Path("/office/processings/", p.ID, "/versions/", to)}
	label := func(n int) string {
		if n == p.Version {
			return v.Tf("compare.vn.current", n)
		}
		return v.Tf("compare.vn", n)
	}
	for _, n := range nums {
		d.FromPick = append(d.FromPick, versionChoice{Label: label(n), URL: v.compareURL(p.ID, n, to), Current: n == from})
		d.ToPick = append(d.ToPick, versionChoice{Label: label(n), URL: v.compareURL(p.ID, from, n), Current: n == to})
	}
	v.Title, v.Nav, v.Data = v.Tf("compare.title", from, to)+" — "+p.Title, "register", d
	return o.render(w, http.StatusOK, "compare", v)
}

// diff lists the rows that differ between two layouts of the same fields.
func (v *view) diff(before, after []section) []change {
	var out []change
	for i := range after {
		for j := range after[i].Rows {
			a, b := before[i].Rows[j], after[i].Rows[j]
			if a.same(b) {
				continue
			}
			out = append(out, change{Section: after[i].Title, Label: b.Label, Key: b.Key,
				Before: marked(a.Lines, b.Lines), After: marked(b.Lines, a.Lines)})
		}
	}
	return out
}

// marked returns the lines of one side, each marked when the other side
// does not hold it.
func marked(side, other []line) []diffLine {
	has := map[line]int{}
	for _, l := range other {
		has[l]++
	}
	out := make([]diffLine, 0, len(side))
	for _, l := range side {
		d := diffLine{line: l}
		if has[l] > 0 {
			has[l]--
		} else {
			d.Changed = true
		}
		out = append(out, d)
	}
	return out
}
