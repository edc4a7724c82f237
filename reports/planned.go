package reports

import (
	"fmt"
	"time"

	"github.com/registre/registre/register"
)

// plannedText is what a document says of a processing published with a
// planned start: planned until that day, then in operation since it; ""
// for a processing published without one.
func (d *doc) plannedText(p *register.PublicProcessing) string {
	if p.PlannedStart == "" {
		return ""
	}
	start, err := time.Parse(time.DateOnly, p.PlannedStart)
	if err != nil {
		return ""
	}
	day := d.l.day(start)
	planned := p.Planned(d.today())
	switch {
	case d.l.lang == English && planned:
		return fmt.Sprintf("PLANNED — this processing is announced before it starts: it will begin on %s.", day)
	case d.l.lang == English:
		return fmt.Sprintf("In operation since %s (announced before it started).", day)
	case planned:
		return fmt.Sprintf("PRÉVU — ce traitement est annoncé avant sa mise en œuvre\u00a0: il commencera le %s.", day)
	}
	return fmt.Sprintf("En vigueur depuis le %s (annoncé avant sa mise en œuvre).", day)
}

// today is the Zurich day the document is drawn for (Options.Today, or the
// clock's).
func (d *doc) today() string {
	if d.opts.Today != "" {
		return d.opts.Today
	}
	return time.Now().In(zurich()).Format(time.DateOnly)
}

// plannedMark is the short mark of a planned processing in the register's
// table of contents, with its start day; "" once it has started or for a
// processing published without a planned start.
func (d *doc) plannedMark(p *register.PublicProcessing) string {
	if p.PlannedStart == "" || !p.Planned(d.today()) {
		return ""
	}
	start, err := time.Parse(time.DateOnly, p.PlannedStart)
	if err != nil {
		return ""
	}
	if d.l.lang == English {
		return "PLANNED, from " + d.l.day(start)
	}
	return "PRÉVU, dès le " + d.l.day(start)
}
