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
	today := d.opts.Today
	if today == "" {
		today = time.Now().In(zurich()).Format(time.DateOnly)
	}
	day := d.l.day(start)
	planned := p.Planned(today)
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
