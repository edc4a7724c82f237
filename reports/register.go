package reports

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/register"
)

// Register writes the public register of an organisation: a cover page
// with its contacts and the person's rights, a table of contents with page
// numbers, and one section per published processing with the blocks of the
// notice. Processings are ordered by title (accents and case ignored), then
// id, whatever order they come in: the same register gives the same bytes
// on SQLite and PostgreSQL. The publication date is the latest published_at.
func Register(w io.Writer, org *register.Organisation, ps []*register.PublicProcessing, opts Options) error {
	if org == nil {
		return errors.New("reports: a register needs its organisation")
	}
	sorted := make([]*register.PublicProcessing, 0, len(ps))
	var asOf time.Time
	for _, p := range ps {
		if p == nil {
			continue
		}
		sorted = append(sorted, p)
		if p.PublishedAt.After(asOf) {
			asOf = p.PublishedAt
		}
	}
	keys := make(map[*register.PublicProcessing]string, len(sorted))
	for _, p := range sorted {
		keys[p] = register.SearchKey(p.Title)
	}
	slices.SortStableFunc(sorted, func(a, b *register.PublicProcessing) int {
		return cmp.Or(cmp.Compare(keys[a], keys[b]), cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	return render(w, opts, func(d *doc) error {
		l := d.l
		d.meta(l.registerTitle+" — "+org.Name, l.registerTitle, org.Name, asOf)
		d.footer = d.c.line(org.Name + " — " + l.registerTitle)
		d.pdf.AddPage()
		d.cover(org, len(sorted), asOf)
		if len(sorted) == 0 {
			return nil
		}
		toc := d.contents(sorted)
		for i, p := range sorted {
			d.pdf.AddPage()
			d.pdf.SetLink(toc[i].link, 0, -1)
			toc[i].target = d.pdf.PageNo()
			d.pdf.Bookmark(d.c.line(p.Title), 0, -1)
			d.sectionHead(i+1, p)
			d.processing(p, org, false)
		}
		d.fillContents(toc)
		return nil
	})
}

// cover draws the first page: the organisation, its contacts, the date of
// the register and, once for all processings, the person's rights.
func (d *doc) cover(org *register.Organisation, n int, asOf time.Time) {
	l := d.l
	d.pdf.Bookmark(d.c.line(org.Name), 0, -1)
	d.space(30)
	d.font(11, false)
	d.color(grey)
	d.para(l.registerKind)
	d.space(2)
	d.font(22, true)
	d.color(black)
	d.pdf.SetX(marginL)
	d.pdf.MultiCell(contentW, 10, d.c.text(l.registerTitle), "", "L", false)
	d.space(4)
	d.font(16, true)
	d.color(accent)
	d.pdf.SetX(marginL)
	d.pdf.MultiCell(contentW, 8, d.c.text(org.Name), "", "L", false)
	d.space(3)
	d.font(bodySize, false)
	d.color(grey)
	line := count(n, l.registerCount1, l.registerCountN)
	if !asOf.IsZero() {
		line += " · " + fmt.Sprintf(l.registerAsOf, l.date(asOf))
	}
	d.para(line)
	d.color(black)
	d.space(8)
	d.para(l.registerIntro)
	if n == 0 {
		d.space(2)
		d.para(l.registerEmpty)
	}
	d.heading(l.contacts)
	d.orgContacts(org)
	if d.base != "" {
		u := d.base + "/public/v1/organisations/" + org.Slug + "/register.pdf?lang=" + string(l.lang)
		d.rowLink(l.registerOnline, u, u)
	}
	d.heading(l.rights)
	d.rights(org)
}

// tocEntry is one line of the table of contents: where it is drawn, the
// internal link to its section, and the page the section starts on.
type tocEntry struct {
	page   int
	y      float64
	link   int
	target int
}

const tocRowH = 6.0

// contents draws the table of contents without page numbers, which are not
// known until the sections are drawn; fillContents writes them afterwards
// on the pages already drawn (gofpdf keeps every page open until Output).
// Titles are cut to one line so the table's length is known beforehand.
func (d *doc) contents(ps []*register.PublicProcessing) []tocEntry {
	d.pdf.AddPage()
	d.pdf.Bookmark(d.l.contents, 0, -1)
	d.font(16, true)
	d.color(black)
	d.pdf.SetX(marginL)
	d.pdf.CellFormat(contentW, 10, d.l.contents, "", 1, "L", false, 0, "")
	d.space(3)
	d.font(bodySize, false)
	const numW = 14.0 // page number column
	pair := d.pdf.GetStringWidth(" .")
	out := make([]tocEntry, len(ps))
	for i, p := range ps {
		d.need(tocRowH)
		y := d.pdf.GetY()
		label := strconv.Itoa(i+1) + ". "
		if p.Reference != "" {
			label += d.c.line(p.Reference) + " — "
		}
		// A planned processing's mark goes first, where cutting a long
		// title cannot lose it.
		if m := d.plannedMark(p); m != "" {
			label += "[" + m + "] "
		}
		label = d.fit(label+d.c.line(p.Title), contentW-numW-8)
		d.pdf.SetXY(marginL, y)
		w := d.pdf.GetStringWidth(label) + 2
		d.pdf.CellFormat(w, tocRowH, label, "", 0, "L", false, 0, "")
		// dotted leader up to the page number column
		d.color(light)
		dots := ""
		if n := int((contentW - numW - w - 2) / pair); n > 0 {
			dots = strings.Repeat(" .", n)
		}
		d.pdf.CellFormat(contentW-numW-w, tocRowH, dots, "", 0, "R", false, 0, "")
		d.color(black)
		link := d.pdf.AddLink()
		d.pdf.Link(marginL, y, contentW, tocRowH, link)
		out[i] = tocEntry{page: d.pdf.PageNo(), y: y, link: link}
		d.pdf.SetXY(marginL, y+tocRowH)
	}
	return out
}

// fillContents writes the page numbers into the table of contents, on the
// pages drawn before the sections (see onPage).
func (d *doc) fillContents(toc []tocEntry) {
	const numW = 14.0
	for _, e := range toc {
		d.onPage(e.page)
		d.font(bodySize, false)
		d.color(black)
		d.pdf.SetXY(pageW-marginR-numW, e.y)
		d.pdf.CellFormat(numW, tocRowH, strconv.Itoa(e.target), "", 0, "R", false, 0, "")
	}
}

// sectionHead draws the title of a processing's section in the register.
func (d *doc) sectionHead(n int, p *register.PublicProcessing) {
	d.font(9, false)
	d.color(grey)
	d.para(fmt.Sprintf("%d · %s", n, d.l.noticeShort))
	d.space(1)
	d.titleBlock(p)
	// As on the notice: planned until its start day, then in operation.
	if t := d.plannedText(p); t != "" {
		d.box(t, 0xfff4d6, alert, true)
	}
}

// titleBlock draws a processing's title and, under it in grey, its
// reference, version and publication date; the notice and each section of
// the register open with it.
func (d *doc) titleBlock(p *register.PublicProcessing) {
	d.title(p.Title)
	d.space(1)
	d.font(9, false)
	d.color(grey)
	d.para(d.versionMeta(p))
	d.color(black)
	d.font(bodySize, false)
	d.space(1)
}
