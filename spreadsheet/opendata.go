package spreadsheet

import (
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/register"
)

// The open-data CSV of the public register (docs/public.md): its columns
// and one row per published processing. The HTTP side streams it.

// OpenDataColumns returns the CSV's columns, in order. They are part of the open
// data contract (docs/public.md): add at the end, never rename or remove.
func OpenDataColumns() []string {
	return []string{
		"id", "organisation", "unit", "reference", "title", "purpose", "description", "public_summary",
		"controller", "controller_contact", "joint_controllers", "processors", "legal_bases",
		"data_subjects", "data_categories", "sensitive", "sensitive_categories", "sources",
		"recipients", "transfers", "accesses", "retention_period", "retention_trigger",
		"retention_disposal", "security_measures", "automated_decision", "profiling",
		"dpia_required", "dpia_status", "dpia_completed_on", "version", "published_at", "url",
		// issue 14
		"retention_criteria", "retention_purge_frequency", "retention_schedule", "retention_per_category",
		"dpia_criteria", "dpia_residual_risk", "dpia_consulted_authority", "dpia_consulted_on",
		"provision", "provision_consequences", "decision_logic", "information_exception", "information_exception_reason",
		// issue 20: planned or active, decided on the day the file is drawn
		"planned_start", "state",
	}
}

// Separators inside a cell: between the items of a list, and between the
// parts of one item.
const (
	csvItemSep = " ; "
	csvPartSep = " | "
)

// csvItem joins the parts of one list item, leaving out empty trailing parts.
func csvItem(parts ...string) string {
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, csvPartSep)
}

func csvList[T any](items []T, f func(T) string) string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, f(it))
	}
	return strings.Join(out, csvItemSep)
}

// OpenDataRow is the open-data row of one published processing, each cell
// neutralised (SafeCell); base is the public URL its link starts with, and
// today (YYYY-MM-DD, Zurich) the day its state is decided on.
func OpenDataRow(p *register.PublicProcessing, base, today string) []string {
	var sensitive []string
	for _, c := range p.DataCategories {
		if c.Sensitive {
			sensitive = append(sensitive, c.Name)
		}
	}
	var consultedAuthority, consultedOn string
	if c := p.DPIA.Consultation; c != nil {
		consultedAuthority, consultedOn = string(c.Authority), c.ConsultedOn
	}
	row := []string{
		p.ID, p.Organisation, p.Unit, p.Reference, p.Title, p.Purpose, p.Description, p.PublicSummary,
		p.Controller.Name, p.Controller.Contact,
		csvList(p.JointControllers, func(c register.Party) string { return csvItem(c.Name, c.Contact) }),
		csvList(p.Processors, func(c register.PublicProcessor) string { return csvItem(c.Name, c.Country) }),
		csvList(p.LegalBases, func(b register.LegalBasis) string { return csvItem(string(b.Type), b.Reference, b.URL) }),
		strings.Join(p.DataSubjects, csvItemSep),
		csvList(p.DataCategories, func(c register.DataCategory) string { return c.Name }),
		strconv.FormatBool(p.Sensitive()),
		strings.Join(sensitive, csvItemSep),
		strings.Join(p.Sources, csvItemSep),
		csvList(p.Recipients, func(c register.Recipient) string { return csvItem(c.Name, string(c.Type), c.Country) }),
		csvList(p.Transfers, func(t register.Transfer) string { return csvItem(t.Country, string(t.Safeguard), t.Details) }),
		csvList(p.Accesses, func(a register.Access) string { return csvItem(a.Institution, a.LegalBasis, a.Scope) }),
		p.Retention.Period, p.Retention.Trigger, string(p.Retention.Disposal),
		csvList(p.SecurityMeasures, func(m register.PublicSecurityMeasure) string { return string(m.Category) }),
		strconv.FormatBool(p.AutomatedDecision), strconv.FormatBool(p.Profiling),
		strconv.FormatBool(p.DPIA.Required), string(p.DPIA.Status), p.DPIA.CompletedOn,
		strconv.Itoa(p.Version), p.PublishedAt.UTC().Format(time.RFC3339), base + "/processings/" + p.ID,
		p.Retention.Criteria, p.Retention.PurgeFrequency, p.Retention.Schedule,
		csvList(p.Retention.PerCategory, func(c register.CategoryRetention) string {
			return csvItem(c.Category, c.Period, c.Criteria, string(c.Disposal))
		}),
		csvList(p.DPIA.Criteria, func(c register.DPIACriterion) string { return string(c) }),
		string(p.DPIA.ResidualRisk), consultedAuthority, consultedOn,
		string(p.Information.Provision), p.Information.Consequences, p.Information.DecisionLogic,
		string(p.Information.Exception), p.Information.ExceptionReason,
		p.PlannedStart, p.State(today),
	}
	for i := range row {
		row[i] = SafeCell(row[i])
	}
	return row
}
