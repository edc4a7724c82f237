package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Page geometry, in millimetres (A4 portrait).
const (
	pageW    = 210.0
	pageH    = 297.0
	marginL  = 20.0
	marginR  = 20.0
	marginT  = 18.0
	marginB  = 20.0
	contentW = pageW - marginL - marginR
	labelW   = 48.0 // label column of key/value rows

	bodySize = 10.0
	lineH    = 5.0 // line height of body text
	family   = "go"
)

// rgb is a colour as 0xRRGGBB.
type rgb uint32

func (c rgb) parts() (r, g, b int) { return int(c >> 16 & 0xff), int(c >> 8 & 0xff), int(c & 0xff) }

// Colours.
const (
	black  rgb = 0x1a1a1a
	grey   rgb = 0x5f6368
	accent rgb = 0x0b4f8a // headings, links
	alert  rgb = 0xa31d1d
	shade  rgb = 0xeef2f7
	light  rgb = 0xc8ccd0 // rules
)

// doc is one document being drawn: gofpdf plus the language, the cleaner
// every string goes through, and the style state that gofpdf does not keep
// itself (simulated bold).
type doc struct {
	pdf    *gofpdf.Fpdf
	l      *labels
	c      cleaner
	opts   Options
	base   string // Options.PublicURL without trailing slash
	bold   bool
	size   float64
	colour rgb
	footer string  // left part of the footer, clean
	labelW float64 // width of the label column of rows
}

// render runs build on a new document and writes the PDF to w. Any panic
// in build or in gofpdf becomes an error: a document never takes the
// process down.
func render(w io.Writer, opts Options, build func(d *doc) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &renderError{v}
		}
	}()
	lang, err := opts.lang()
	if err != nil {
		return err
	}
	glyphs, err := fontGlyphs()
	if err != nil {
		return fmt.Errorf("reports: font: %w", err)
	}
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes(family, "", fontBytes())
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, marginB)
	pdf.SetCatalogSort(true)  // resource dictionaries in a fixed order
	pdf.SetCompression(false) // finish compresses, with one writer (finish.go)
	// meta sets the data's date; until then, a fixed one, so that gofpdf
	// never reads the clock.
	pdf.SetCreationDate(noDate())
	pdf.SetModificationDate(noDate())
	pdf.SetCreator("Registre", true)
	pdf.SetProducer("Registre", true)
	opts.Lang = lang
	d := &doc{pdf: pdf, l: labelsFor(lang), c: cleaner{glyphs}, opts: opts, base: opts.base(), size: bodySize, colour: black, labelW: labelW}
	pdf.SetHeaderFunc(d.pageHeader)
	if err := build(d); err != nil {
		return err
	}
	d.footers()
	f := &finisher{lang: d.l.pdfLang}
	if err := pdf.Output(f); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	out, err := f.result()
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// finisher receives gofpdf's output and finishes it (finish.go). gofpdf
// writes the whole file in one Write (bytes.Buffer.WriteTo), so it is
// finished right there, without a copy of the uncompressed file: for a
// large register that copy was a sixth of the peak memory. Should the
// file come in pieces, they are joined first.
type finisher struct {
	lang  string
	parts []byte
	out   []byte
	err   error
	done  bool
}

func (f *finisher) Write(p []byte) (int, error) {
	if f.done {
		return 0, errors.New("reports: gofpdf wrote after the end of the file")
	}
	if f.parts == nil && bytes.HasSuffix(p, []byte("%%EOF\n")) {
		f.out, f.err = finish(p, f.lang)
		f.done = true
		return len(p), nil
	}
	f.parts = append(f.parts, p...)
	return len(p), nil
}

func (f *finisher) result() ([]byte, error) {
	if !f.done {
		f.out, f.err = finish(f.parts, f.lang)
	}
	return f.out, f.err
}

// noDate is the PDF date of a document whose data have none.
func noDate() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }

// meta sets the document information. date is the data's date (a
// publication, the report's day): with the clock left out, the same data
// give the same bytes. A zero date would make gofpdf read the clock, so it
// is replaced by a fixed one.
func (d *doc) meta(title, subject, author string, date time.Time) {
	if date.IsZero() {
		date = noDate()
	}
	date = date.UTC().Truncate(time.Second)
	d.pdf.SetTitle(d.c.line(title), true)
	d.pdf.SetSubject(d.c.line(subject), true)
	d.pdf.SetAuthor(d.c.line(author), true)
	d.pdf.SetCreationDate(date)
	d.pdf.SetModificationDate(date)
}

// ---- style ----

// font selects the face at size, bold or not. Bold is simulated: text is
// filled and stroked with a thin outline of its own colour (PDF text
// rendering mode 2), which thickens the strokes like a bold face.
func (d *doc) font(size float64, bold bool) {
	d.size, d.bold = size, bold
	d.pdf.SetFont(family, "", size)
	d.applyBold()
}

func (d *doc) applyBold() {
	if d.pdf.PageNo() == 0 {
		// gofpdf would write the operator into the file's header; the
		// first page's header function applies it instead.
		return
	}
	if d.bold {
		d.pdf.SetDrawColor(d.colour.parts())
		d.pdf.SetLineWidth(d.size * 0.045 * 25.4 / 72) // pt to mm
		d.pdf.SetTextRenderingMode(2)
	} else {
		d.pdf.SetTextRenderingMode(0)
	}
}

func (d *doc) color(c rgb) {
	d.colour = c
	d.pdf.SetTextColor(c.parts())
	if d.bold {
		d.pdf.SetDrawColor(c.parts())
	}
}

// pageHeader runs at the top of every page: a new page starts with the
// default graphics state, so the simulated bold is set again.
func (d *doc) pageHeader() {
	if d.bold {
		d.applyBold()
	}
}

// footers draws the footer of every page once the document is complete,
// when the number of pages is known: what the document is, and "page X of
// Y". (gofpdf's page-count alias would do it with a text replacement over
// every page, which for a large register costs more memory than drawing.)
func (d *doc) footers() {
	n := d.pdf.PageCount()
	d.pdf.SetAutoPageBreak(false, 0)
	for p := 1; p <= n; p++ {
		d.onPage(p)
		d.font(7.5, false)
		d.color(grey)
		d.pdf.SetDrawColor(light.parts())
		d.pdf.SetLineWidth(0.2)
		y := pageH - 13
		d.pdf.Line(marginL, y, pageW-marginR, y)
		page := fmt.Sprintf(d.l.page, p, n)
		pw := d.pdf.GetStringWidth(page) + 2
		d.pdf.SetXY(marginL, y+1.5)
		d.pdf.CellFormat(contentW-pw-4, 4, d.fit(d.footer, contentW-pw-6), "", 0, "L", false, 0, "")
		d.pdf.SetXY(pageW-marginR-pw, y+1.5)
		d.pdf.CellFormat(pw, 4, page, "", 0, "R", false, 0, "")
	}
}

// onPage goes back to page p to draw on it. The page's content ends in the
// graphics state its last drawing left, which gofpdf does not track per
// page: the font is written again (gofpdf skips a SetFont that changes
// nothing), and bold, text and fill colours are set explicitly by the next
// calls to font and color.
func (d *doc) onPage(p int) {
	d.pdf.SetPage(p)
	d.pdf.SetFontSize(d.size + 1)
	d.font(d.size, false)
	d.pdf.SetFillColor(0xff, 0xff, 0xff) // text colour differs: cells set it
}

// ---- blocks ----

// space moves down by h millimetres.
func (d *doc) space(h float64) { d.pdf.SetY(d.pdf.GetY() + h) }

// need starts a new page unless h millimetres are left on this one: a
// heading stays with what follows it.
func (d *doc) need(h float64) {
	if d.pdf.GetY()+h > pageH-marginB {
		d.pdf.AddPage()
	}
}

// fit returns s (clean, one line) cut with an ellipsis to fit in w.
func (d *doc) fit(s string, w float64) string {
	if d.pdf.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi { // longest prefix that fits with the ellipsis
		mid := (lo + hi + 1) / 2
		if d.pdf.GetStringWidth(string(r[:mid])+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}

// para draws text (cleaned) across the page.
func (d *doc) para(s string) {
	d.pdf.SetX(marginL)
	d.pdf.MultiCell(contentW, lineH, d.c.text(s), "", "L", false)
}

// title draws the document's main title.
func (d *doc) title(s string) {
	d.font(18, true)
	d.color(black)
	d.pdf.SetX(marginL)
	d.pdf.MultiCell(contentW, 8, d.c.text(s), "", "L", false)
	d.font(bodySize, false)
}

// heading starts a block: a numbered title in the accent colour, kept with
// the first lines of what follows.
func (d *doc) heading(s string) {
	d.space(3)
	d.need(18)
	d.font(12, true)
	d.color(accent)
	d.pdf.SetX(marginL)
	d.pdf.MultiCell(contentW, 6, d.c.text(s), "", "L", false)
	d.font(bodySize, false)
	d.color(black)
	d.space(1)
}

// subheading is a smaller title inside a block.
func (d *doc) subheading(s string) {
	d.need(12)
	d.font(bodySize, true)
	d.pdf.SetX(marginL)
	d.pdf.MultiCell(contentW, lineH, d.c.text(s), "", "L", false)
	d.font(bodySize, false)
}

// row draws a key/value row: the label in a narrow grey column, the value
// beside it. The value may wrap and cross a page.
func (d *doc) row(label, value string) { d.rowLink(label, value, "") }

// rowLink is row whose value is a link to target (when target is an http
// or https URL).
func (d *doc) rowLink(label, value, target string) {
	d.need(2 * lineH)
	valueX := marginL + d.labelW + 2
	valueW := pageW - marginR - valueX
	y0, p0 := d.pdf.GetY(), d.pdf.PageNo()
	d.font(9, false)
	d.color(grey)
	d.pdf.SetXY(marginL, y0)
	d.pdf.MultiCell(d.labelW, lineH, d.c.text(label), "", "L", false)
	yl := d.pdf.GetY()
	d.font(bodySize, false)
	colour := black
	target = linkTarget(target)
	if target != "" {
		colour = accent
	}
	d.color(colour)
	d.pdf.SetXY(valueX, y0)
	d.pdf.MultiCell(valueW, lineH, d.c.text(value), "", "L", false)
	y1, p1 := d.pdf.GetY(), d.pdf.PageNo()
	if target != "" {
		top := y0
		if p1 != p0 {
			top = marginT
		}
		d.pdf.LinkString(valueX, top, valueW, y1-top, target)
	}
	d.color(black)
	if p1 == p0 && yl > y1 {
		d.pdf.SetY(yl)
	}
	d.space(0.8)
}

// bullets draws a list, one item per entry.
func (d *doc) bullets(items []string) {
	for _, it := range items {
		d.bullet(it, "")
	}
}

// bullet draws one list item; target, when an http(s) URL, makes it a link.
func (d *doc) bullet(s, target string) {
	d.need(lineH)
	y0, p0 := d.pdf.GetY(), d.pdf.PageNo()
	d.pdf.SetXY(marginL+1.5, y0)
	d.pdf.CellFormat(4, lineH, "•", "", 0, "L", false, 0, "")
	target = linkTarget(target)
	if target != "" {
		d.color(accent)
	}
	d.pdf.SetXY(marginL+6, y0)
	d.pdf.MultiCell(contentW-6, lineH, d.c.text(s), "", "L", false)
	if target != "" {
		y1, top := d.pdf.GetY(), y0
		if d.pdf.PageNo() != p0 {
			top = marginT
		}
		d.pdf.LinkString(marginL+6, top, contentW-6, y1-top, target)
		d.color(black)
	}
	d.space(0.5)
}

// box draws text in a shaded box (the summary, the preview warning).
func (d *doc) box(s string, fill, text rgb, bold bool) {
	d.need(3 * lineH)
	d.pdf.SetFillColor(fill.parts())
	d.font(bodySize, bold)
	d.color(text)
	d.pdf.SetX(marginL)
	d.pdf.SetCellMargin(3)
	d.space(1)
	d.pdf.CellFormat(contentW, 2, "", "", 2, "L", true, 0, "")
	d.pdf.MultiCell(contentW, lineH, d.c.text(s), "", "L", true)
	d.pdf.CellFormat(contentW, 2, "", "", 2, "L", true, 0, "")
	d.pdf.SetCellMargin(1)
	d.font(bodySize, false)
	d.color(black)
	d.space(2)
}

// linkTarget returns u when it is an absolute http(s) URL, in its escaped
// form; anything else (javascript:, file:, relative) is never made a link.
func linkTarget(u string) string {
	if u == "" {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}
