package reports

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/registre/registre/register"
)

// ReportData is what the auditor's report shows: the organisation, its
// processings (internal values: the report is internal), their findings and
// summary, recent audit entries and the chain verification. Date is the
// day the report is drawn up; it is the only date that is not in the data.
type ReportData = register.AuditorReport

// ComplianceReport writes the auditor's report of an organisation:
// completeness and counts per severity and per law, findings per processing
// and per law, overdue reviews, sensitive processings and their impact
// assessments, recent changes from the audit trail, and the chain's head
// and verification result.
func ComplianceReport(w io.Writer, data ReportData, opts Options) error {
	if data.Organisation == nil {
		return errors.New("reports: a compliance report needs its organisation")
	}
	org := data.Organisation
	return render(w, opts, func(d *doc) error {
		l := d.l
		d.meta(l.reportTitle+" — "+org.Name, l.reportTitle, org.Name, data.Date)
		d.footer = d.c.line(org.Name + " — " + l.reportTitle + " — " + l.internalShort)
		d.labelW = 75
		d.pdf.AddPage()

		d.font(9, false)
		d.color(grey)
		d.pdf.SetX(marginL)
		d.pdf.CellFormat(contentW, lineH, d.fit(d.c.line(org.Name), contentW-2), "", 1, "L", false, 0, "")
		d.space(2)
		d.title(l.reportTitle)
		d.font(9, false)
		d.color(grey)
		d.para(fmt.Sprintf(l.reportDate, l.date(data.Date)))
		d.font(bodySize, false)
		d.box(l.reportInternal, 0xfbeaea, alert, true)

		titles := map[string]*register.Processing{}
		for i := range data.Processings {
			titles[data.Processings[i].ID] = &data.Processings[i]
		}
		d.reportSummary(data)
		d.reportChain(data.Verify)
		d.reportByProcessing(data, titles)
		d.reportByLaw(data, titles)
		d.reportOverdue(data)
		d.reportSensitive(data)
		d.reportAudit(data, titles)
		return nil
	})
}

func (d *doc) reportSummary(data ReportData) {
	l, s := d.l, data.Summary
	d.heading("1. " + l.summary)
	d.row(l.processingsExamined, strconv.Itoa(s.Processings))
	d.row(l.complete, strconv.Itoa(s.Complete))
	d.row(l.completeness, strconv.FormatFloat(s.Completeness, 'f', 1, 64)+"\u00a0%")
	// Errors a DPO overruled no longer block; they stay listed below with
	// the reason.
	blocking := len(register.Blocking(data.Findings))
	d.row(l.errorsLabel, strconv.Itoa(blocking))
	d.row(l.warningsLabel, strconv.Itoa(s.BySeverity[string(register.SeverityWarning)]))
	if len(s.ByLaw) > 0 {
		d.subheading(l.byLaw)
		for _, law := range lawOrder(s.ByLaw) {
			d.row(word(l.lawNames, law), strconv.Itoa(s.ByLaw[law]))
		}
	}
}

func (d *doc) reportChain(v register.VerifyResult) {
	l := d.l
	d.heading("2. " + l.chain)
	if v.Head == "" {
		// Drawn for a reader who is not an administrator: the chain's
		// length and head count every organisation's changes.
		if v.OK {
			d.para(l.chainOKBrief)
		} else {
			d.color(alert)
			d.font(bodySize, true)
			d.para(l.chainBadBrief)
			d.font(bodySize, false)
			d.color(black)
		}
		return
	}
	if v.OK {
		d.para(fmt.Sprintf(l.chainOK, v.Entries))
	} else {
		d.color(alert)
		d.font(bodySize, true)
		d.para(fmt.Sprintf(l.chainBad, v.FirstBad, v.Reason))
		d.font(bodySize, false)
		d.color(black)
	}
	d.row(l.chainHead, v.Head)
}

// procLabel names a processing in the report: reference and title, or the
// id of one the report does not list.
func procLabel(id string, titles map[string]*register.Processing) string {
	p, ok := titles[id]
	if !ok {
		return id
	}
	return procName(p)
}

func procName(p *register.Processing) string {
	if p.Reference != "" {
		return p.Reference + " — " + p.Title
	}
	return p.Title
}

func (d *doc) finding(f register.Finding) string {
	l := d.l
	msg := f.Message
	if m, ok := l.rules[f.Rule]; ok {
		msg = m
	}
	s := "[" + word(l.severity, f.Severity) + "] " + msg + " (" + l.field + l.colon + f.Field
	if len(f.Articles) > 0 {
		s += "; " + l.articlesWord + l.colon + strings.Join(f.Articles, ", ")
	}
	s += ")"
	if o := f.Override; o != nil {
		s += "\n" + fmt.Sprintf(l.overruled, o.By, l.date(o.At), o.Justification)
	}
	return s
}

func (d *doc) reportByProcessing(data ReportData, titles map[string]*register.Processing) {
	l := d.l
	d.heading("3. " + l.byProcessing)
	by := map[string][]register.Finding{}
	for _, f := range data.Findings {
		by[f.ProcessingID] = append(by[f.ProcessingID], f)
	}
	if len(data.Processings) == 0 {
		d.para(l.noFindings)
	}
	for _, p := range data.Processings {
		fs := by[p.ID]
		errs, warns := 0, 0
		for _, f := range fs {
			switch {
			case f.Blocks():
				errs++
			case f.Severity == register.SeverityWarning:
				warns++
			}
		}
		d.subheading(procLabel(p.ID, titles))
		d.font(9, false)
		d.color(grey)
		d.para(l.status + l.colon + word(l.statuses, p.Status) + " · " + l.version + " " + strconv.Itoa(p.Version) +
			" · " + fmt.Sprintf(l.findingsCount, errs, warns))
		d.color(black)
		d.font(bodySize, false)
		if len(fs) == 0 {
			d.bullets([]string{l.noFindings})
		}
		for _, f := range fs {
			d.bullet(d.finding(f), "")
		}
		d.space(1)
	}
	d.more(data.Omitted)
}

// more says how many processings a bounded list leaves out.
func (d *doc) more(n int) {
	if n > 0 {
		d.font(9, false)
		d.color(grey)
		d.para(fmt.Sprintf(d.l.moreProcessings, n))
		d.color(black)
		d.font(bodySize, false)
	}
}

func (d *doc) reportByLaw(data ReportData, titles map[string]*register.Processing) {
	l := d.l
	d.heading("4. " + l.byLaw)
	by := map[string][]register.Finding{}
	for _, f := range data.Findings {
		for _, law := range f.Laws {
			by[law] = append(by[law], f)
		}
	}
	if len(by) == 0 {
		d.para(l.noFindings)
	}
	for _, law := range lawOrder(by) {
		d.subheading(word(l.lawNames, law))
		for _, f := range by[law] {
			d.bullet(procLabel(f.ProcessingID, titles)+"\n"+d.finding(f), "")
		}
		d.space(1)
	}
}

func (d *doc) reportOverdue(data ReportData) {
	l := d.l
	d.heading("5. " + l.overdue)
	var items []string
	for _, p := range data.Overdue {
		items = append(items, procName(&p)+" — "+l.reviewDue+" "+l.isoDate(p.ReviewDue))
	}
	if len(items) == 0 {
		d.para(l.noneOverdue)
		return
	}
	d.bullets(items)
	d.more(data.OverdueTotal - len(data.Overdue))
}

func (d *doc) reportSensitive(data ReportData) {
	l := d.l
	d.heading("6. " + l.sensitiveDPIA)
	var items []string
	for _, p := range data.Sensitive {
		s := procName(&p) + "\n" + l.dpiaStatus + l.colon + word(l.dpiaState, p.DPIA.Status)
		if p.DPIA.CompletedOn != "" {
			s += ", " + l.isoDate(p.DPIA.CompletedOn)
		}
		if p.DPIA.Reference != "" {
			s += " (" + l.dpiaRef + " " + p.DPIA.Reference + ")"
		}
		items = append(items, s)
	}
	if len(items) == 0 {
		d.para(l.noneSensitive)
		return
	}
	d.bullets(items)
	d.more(data.SensitiveTotal - len(data.Sensitive))
}

// reportAudit draws the recent audit entries as a table.
func (d *doc) reportAudit(data ReportData, titles map[string]*register.Processing) {
	l := d.l
	d.heading("7. " + l.recent)
	if len(data.Audit) == 0 {
		d.para(l.noneRecent)
		return
	}
	cols := []struct {
		title string
		w     float64
	}{{"#", 12}, {l.colAt, 28}, {l.colActor, 30}, {l.colAction, 28}, {l.colTarget, contentW - 12 - 28 - 30 - 28 - 14}, {l.colVersion, 14}}
	header := func() {
		d.font(8.5, true)
		d.color(grey)
		d.pdf.SetX(marginL)
		for _, c := range cols {
			d.pdf.CellFormat(c.w, lineH, d.fit(c.title, c.w-2), "B", 0, "L", false, 0, "")
		}
		d.pdf.Ln(-1)
		d.font(8.5, false)
		d.color(black)
	}
	d.need(3 * lineH)
	header()
	for i, e := range data.Audit {
		if d.pdf.GetY()+lineH > pageH-marginB {
			d.pdf.AddPage()
			header()
		}
		target := e.Target
		if id, ok := strings.CutPrefix(e.Target, register.ActionProcessingRef+"/"); ok {
			target = procLabel(id, titles)
		}
		version := ""
		if e.Version > 0 {
			version = strconv.Itoa(e.Version)
		}
		// The entry's number in the organisation's trail: the chain's own
		// seq counts every organisation's changes.
		num := strconv.FormatInt(e.Seq, 10)
		if data.AuditTotal > 0 {
			num = strconv.Itoa(data.AuditTotal - i)
		}
		cells := []string{num, dateTime(e.At), e.Actor + " (" + e.Role + ")", e.Action, target, version}
		d.pdf.SetX(marginL)
		for i, c := range cols {
			d.pdf.CellFormat(c.w, lineH, d.fit(d.c.line(cells[i]), c.w-2), "", 0, "L", false, 0, "")
		}
		d.pdf.Ln(-1)
	}
	d.font(bodySize, false)
}

// lawOrder lists the laws of m in a fixed order: the register and notice
// duties first, then where the warnings' risks come from; a law the table
// does not know comes last, by code.
func lawOrder[V any](m map[string]V) []string {
	known := register.LawCodes()
	out := make([]string, 0, len(m))
	for _, k := range known {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(known, k) {
			rest = append(rest, k)
		}
	}
	slices.SortFunc(rest, func(a, b string) int { return cmp.Compare(a, b) })
	return append(out, rest...)
}
