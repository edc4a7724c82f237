package reports

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/registre/registre/register"
)

// Notice writes the transparency notice of one processing: what a person
// must be told under GDPR Art. 13/14, FADP Art. 19 and the LIPAD, in plain
// language. It is built from the public shape of the processing and the
// organisation's public contacts only.
func Notice(w io.Writer, p *register.PublicProcessing, org *register.Organisation, opts Options) error {
	if p == nil || org == nil {
		return errors.New("reports: a notice needs a processing and its organisation")
	}
	return render(w, opts, func(d *doc) error {
		title := p.Title + " — " + d.l.noticeShort
		if opts.Preview {
			title = d.l.previewShort + " — " + title
		}
		d.meta(title, d.l.noticeTitle, org.Name, p.PublishedAt)
		d.footer = d.c.line(org.Name + " — " + d.l.noticeShort + " — " + p.Title)
		d.pdf.AddPage()
		d.noticeHead(p, org)
		d.processing(p, org, true)
		d.logRecord(opts)
		return nil
	})
}

// logRecord draws where the transparency log holds the publication, so that
// a reader can check the notice's source against the log.
func (d *doc) logRecord(opts Options) {
	if opts.Log == nil || opts.Preview {
		return
	}
	d.space(1)
	d.row(d.l.logRecord, fmt.Sprintf(d.l.logText, opts.Log.Index))
	// The fingerprint on one line, smaller, so that it is copied whole.
	d.need(lineH)
	d.font(9, false)
	d.pdf.SetX(marginL + d.labelW + 2)
	d.pdf.CellFormat(pageW-marginR-marginL-d.labelW-2, lineH, opts.Log.SHA256, "", 1, "L", false, 0, "")
	d.font(bodySize, false)
	d.space(0.8)
	if d.base != "" {
		u := d.base + "/public/v1/log/inclusion?index=" + strconv.FormatInt(opts.Log.Index, 10)
		d.rowLink("", u, u)
	}
}

// noticeHead draws the top of a notice: who publishes it, the title, the
// reference, version and date, and the preview warning.
func (d *doc) noticeHead(p *register.PublicProcessing, org *register.Organisation) {
	d.font(9, false)
	d.color(grey)
	d.pdf.SetX(marginL)
	d.pdf.CellFormat(contentW/2, lineH, d.fit(d.c.line(org.Name), contentW/2-2), "", 0, "L", false, 0, "")
	d.pdf.CellFormat(contentW/2, lineH, d.l.noticeShort, "", 1, "R", false, 0, "")
	d.space(3)
	d.titleBlock(p)
	d.space(1)
	if d.opts.Preview {
		d.box(d.l.preview, 0xfbeaea, alert, true)
	}
	if t := d.plannedText(p); t != "" {
		d.box(t, 0xfff4d6, alert, true)
	}
}

// versionMeta is the line under a title: reference, version, date.
func (d *doc) versionMeta(p *register.PublicProcessing) string {
	var parts []string
	if p.Reference != "" {
		parts = append(parts, d.l.reference+" "+p.Reference)
	}
	v := d.l.version + " " + fmt.Sprint(p.Version)
	if d.opts.Preview {
		v += ", " + fmt.Sprintf(d.l.asOf, d.l.date(p.PublishedAt))
	} else {
		v += ", " + fmt.Sprintf(d.l.publishedOn, d.l.date(p.PublishedAt))
	}
	return strings.Join(append(parts, v), " · ")
}

// processing draws the content blocks of a processing, shared by the notice
// and the register. full adds what the register prints once for the whole
// organisation: its contacts and the person's rights.
func (d *doc) processing(p *register.PublicProcessing, org *register.Organisation, full bool) {
	l := d.l
	n := 0
	h := func(s string) {
		n++
		d.heading(fmt.Sprintf("%d. %s", n, s))
	}

	if strings.TrimSpace(p.PublicSummary) != "" {
		h(l.inShort)
		d.box(p.PublicSummary, shade, black, false)
	}

	h(l.whoResponsible)
	d.row(l.controller, party(p.Controller, l))
	if len(p.JointControllers) > 0 {
		items := make([]string, 0, len(p.JointControllers))
		for _, jc := range p.JointControllers {
			items = append(items, party(jc, l))
		}
		d.row(l.jointControllers, strings.Join(items, "\n"))
	}
	if full {
		d.orgContacts(org)
	}

	h(l.why)
	d.row(l.purpose, p.Purpose)
	if strings.TrimSpace(p.Description) != "" {
		d.row(l.description, p.Description)
	}

	h(l.legal)
	if len(p.LegalBases) == 0 {
		d.para(l.noLegal)
	}
	for _, b := range p.LegalBases {
		s := word(l.basis, b.Type)
		if b.Reference != "" {
			s += l.colon + b.Reference
		}
		if b.URL != "" {
			s += "\n" + b.URL
		}
		d.bullet(s, b.URL)
	}
	if p.HasConsent() {
		d.para(l.consentWithdraw)
	}

	h(l.whose)
	d.listOr(p.DataSubjects, l.unknown)

	h(l.whatData)
	cats := make([]string, 0, len(p.DataCategories))
	for _, c := range p.DataCategories {
		if c.Sensitive {
			cats = append(cats, c.Name+" ("+l.sensitive+")")
		} else {
			cats = append(cats, c.Name)
		}
	}
	d.listOr(cats, l.unknown)
	if p.Sensitive() {
		d.font(9, false)
		d.color(grey)
		d.para(l.sensitiveNote)
		d.color(black)
		d.font(bodySize, false)
	}

	h(l.sources)
	d.listOr(p.Sources, l.unknown)

	if in := p.Information; in.Provision != "" {
		h(l.provisionTitle)
		d.para(word(l.provision, in.Provision))
		if strings.TrimSpace(in.Consequences) != "" {
			d.row(l.consequences, in.Consequences)
		}
	}

	h(l.recipients)
	recips := make([]string, 0, len(p.Recipients))
	for _, r := range p.Recipients {
		kind := word(l.recipient, r.Type)
		if r.Country != "" {
			kind += ", " + l.country(r.Country)
		}
		recips = append(recips, r.Name+" ("+kind+")")
	}
	d.list(recips)
	if len(p.Processors) > 0 {
		d.space(1)
		d.subheading(l.processors)
		items := make([]string, 0, len(p.Processors))
		for _, pr := range p.Processors {
			s := pr.Name
			if pr.Country != "" {
				s += " — " + l.country(pr.Country)
			}
			items = append(items, s)
		}
		d.list(items)
	}
	if len(p.Accesses) > 0 {
		d.space(1)
		d.subheading(l.accesses)
		items := make([]string, 0, len(p.Accesses))
		for _, a := range p.Accesses {
			s := a.Institution
			if a.LegalBasis != "" {
				s += " — " + l.accessBasis + l.colon + a.LegalBasis
			}
			if a.Scope != "" {
				s += " — " + l.accessScope + l.colon + a.Scope
			}
			items = append(items, s)
		}
		d.list(items)
	}

	h(l.transfers)
	// "Not disclosed abroad" is printed only when nothing goes abroad: no
	// transfer, and no processor or recipient located abroad (a record
	// published before the rules refused that inconsistency still shows
	// its processors abroad here).
	if !p.DisclosedAbroad() {
		d.para(l.noTransfers)
	}
	for _, t := range p.Transfers {
		s := l.country(t.Country) + " — " + l.safeguard + l.colon + word(l.safeguards, t.Safeguard)
		if t.RecipientCertified {
			s += " (" + l.recipientCertified + ")"
		}
		if t.Details != "" {
			s += ".\n" + t.Details
		}
		d.bullet(s, "")
	}
	for _, a := range p.UnlistedAbroad() {
		who := l.recipientWord
		if a.Processor {
			who = l.processorWord
		}
		d.bullet(l.country(a.Country)+" — "+fmt.Sprintf(l.abroadParty, a.Name, who)+" — "+l.abroadUnlisted, "")
	}
	if p.DisclosedAbroad() {
		d.para(l.copySafeguards)
	}

	h(l.retention)
	d.retention(&p.Retention)

	h(l.automated)
	d.row(l.automatedDecision, pick(p.AutomatedDecision, l.autoYes, l.autoNo))
	if p.AutomatedDecision && strings.TrimSpace(p.Information.DecisionLogic) != "" {
		d.row(l.decisionLogic, p.Information.DecisionLogic)
	}
	d.row(l.profiling, pick(p.Profiling, l.profYes, l.profNo))

	h(l.dpia)
	d.para(d.dpiaText(p.DPIA))
	d.dpiaDetails(p.DPIA)

	if in := p.Information; in.Exception != "" {
		h(l.infoExceptionTitle)
		d.para(word(l.infoExc, in.Exception))
		if strings.TrimSpace(in.ExceptionReason) != "" {
			d.para(in.ExceptionReason)
		}
	}

	h(l.security)
	if len(p.SecurityMeasures) == 0 {
		d.para(l.noSecurity)
	} else {
		d.para(l.securityIntro + l.colon)
		seen := map[register.SecurityCategory]bool{}
		var items []string
		for _, m := range p.SecurityMeasures {
			if !seen[m.Category] {
				seen[m.Category] = true
				items = append(items, upperFirst(word(l.measures, m.Category)))
			}
		}
		d.list(items)
	}

	if full {
		h(l.rights)
		d.rights(org)
	}

	h(l.about)
	if d.opts.Preview {
		d.para(fmt.Sprintf(l.previewLine, p.Version, l.date(p.PublishedAt)))
	} else {
		d.para(fmt.Sprintf(l.versionLine, p.Version, l.date(p.PublishedAt)))
	}
	d.links(p.ID, full)
}

// orgContacts draws the organisation's public contacts.
func (d *doc) orgContacts(org *register.Organisation) {
	l := d.l
	d.row(l.organisation, strings.TrimSpace(org.Name+"\n"+org.Address))
	if org.Website != "" {
		d.rowLink(l.website, org.Website, org.Website)
	}
	d.row(l.dpoContact, orDefault(org.DPOContact, l.notStated))
	d.row(l.lipadContact, orDefault(org.LIPADContact, l.notStated))
	if org.TransparencyContact != "" {
		d.row(l.transparencyContact, org.TransparencyContact)
	}
}

// retention draws how long the data are kept: a period, criteria or both,
// then what differs per category of data.
func (d *doc) retention(r *register.Retention) {
	l := d.l
	if r.Period != "" || strings.TrimSpace(r.Criteria) == "" {
		period := l.notStated
		if r.Period != "" {
			period = l.duration(r.Period)
		}
		d.row(l.period, period)
	}
	if strings.TrimSpace(r.Criteria) != "" {
		d.row(l.criteria, r.Criteria)
	}
	if r.Trigger != "" {
		d.row(l.trigger, r.Trigger)
	}
	if r.Disposal != "" {
		d.row(l.afterwards, upperFirst(word(l.disposal, r.Disposal)))
	}
	if r.PurgeFrequency != "" {
		d.row(l.purgeFrequency, l.duration(r.PurgeFrequency))
	}
	if strings.TrimSpace(r.Schedule) != "" {
		d.row(l.schedule, r.Schedule)
	}
	if len(r.PerCategory) > 0 {
		items := make([]string, 0, len(r.PerCategory))
		for _, c := range r.PerCategory {
			var parts []string
			if c.Period != "" {
				parts = append(parts, l.duration(c.Period))
			}
			if strings.TrimSpace(c.Criteria) != "" {
				parts = append(parts, c.Criteria)
			}
			s := c.Category + l.colon + strings.Join(parts, ", ")
			if c.Disposal != "" {
				s += "\n" + l.afterwards + l.colon + word(l.disposal, c.Disposal)
			}
			items = append(items, s)
		}
		d.space(1)
		d.subheading(l.perCategory)
		d.list(items)
	}
}

// dpiaDetails draws the criteria that made an assessment required, a high
// residual risk and the consultation of the authority, when there are.
func (d *doc) dpiaDetails(a register.PublicDPIA) {
	l := d.l
	if len(a.Criteria) > 0 {
		words := make([]string, 0, len(a.Criteria))
		for _, c := range a.Criteria {
			words = append(words, word(l.criterion, c))
		}
		d.para(fmt.Sprintf(l.dpiaCriteria, joinAnd(words, l.and)))
	}
	if a.ResidualRisk == register.ResidualHigh {
		d.para(l.dpiaResidualHigh)
	}
	if c := a.Consultation; c != nil && c.ConsultedOn != "" {
		d.para(fmt.Sprintf(l.dpiaConsulted, word(l.authority, c.Authority), l.isoDate(c.ConsultedOn)))
	}
}

// joinAnd joins words as a sentence does: "a, b and c".
func joinAnd(ws []string, and string) string {
	if len(ws) <= 1 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " " + and + " " + ws[len(ws)-1]
}

// rights draws the person's rights and how to exercise them.
func (d *doc) rights(org *register.Organisation) {
	l := d.l
	d.para(l.rightsText)
	d.space(1)
	who := org.LIPADContact
	if who == "" {
		who = org.Name + " (" + l.lipadMissing + ")"
	} else {
		who = org.Name + "\n" + who
	}
	d.row(l.howAccess, who)
	d.para(l.answer30)
	d.space(1)
	d.para(l.complaint)
}

// links draws the links to the online page and the PDFs of a processing.
// Without a public URL there is nothing to link to.
func (d *doc) links(id string, notice bool) {
	if d.base == "" {
		return
	}
	l := d.l
	page := d.base + "/processings/" + id
	d.space(1)
	d.rowLink(l.onlinePage, page, page)
	if !notice {
		return
	}
	pdf := d.base + "/public/v1/processings/" + id + "/notice.pdf?lang="
	other := English
	if l.lang == English {
		other = French
	}
	d.rowLink(l.pdfHere, pdf+string(l.lang), pdf+string(l.lang))
	d.rowLink(l.pdfOther, pdf+string(other), pdf+string(other))
}

// dpiaText says in words where the impact assessment stands.
func (d *doc) dpiaText(a register.PublicDPIA) string {
	l := d.l
	switch {
	case a.Status == register.DPIADone && a.CompletedOn != "":
		return fmt.Sprintf(l.dpiaDoneOn, l.isoDate(a.CompletedOn))
	case a.Status == register.DPIADone:
		return l.dpiaDone
	case a.Status == register.DPIAInProgress:
		return l.dpiaInProgress
	case a.Status == register.DPIANotStarted || (a.Required && a.Status == ""):
		return l.dpiaToDo
	}
	return l.dpiaNotNeeded
}

// list draws items as bullets, or "None." for an empty list.
func (d *doc) list(items []string) { d.listOr(items, d.l.none) }

// listOr draws items as bullets, or empty for an empty list.
func (d *doc) listOr(items []string, empty string) {
	if len(items) == 0 {
		d.para(empty)
		return
	}
	d.bullets(items)
}

func party(p register.Party, l *labels) string {
	if p.Name == "" {
		return l.notStated
	}
	if p.Contact == "" {
		return p.Name
	}
	return p.Name + "\n" + p.Contact
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// upperFirst capitalises the first letter of a label.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
