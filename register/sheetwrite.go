package register

import (
	"context"
	"strings"

	"github.com/registre/registre/auth/identity"
)

// The register of an organisation as a spreadsheet (XLSX, written by
// package spreadsheet): one processing per row, its current version, under
// the headings the spreadsheet import reads, each cell in the import's
// grammar (csvmap.go), so that an exported sheet imports again as drafts.
// The sheet is internal: internal notes and security details are in it.

// sheetHeadings are the export's columns: a French heading the import
// reads (csvColumns) and what the cell holds.
func sheetHeadings() []struct {
	Heading string
	cell    func(p *Processing) string
} {
	yesNo := func(b bool) string {
		if b {
			return "oui"
		}
		return "non"
	}
	lines := func(items []string) string { return strings.Join(items, "\n") }
	return []struct {
		Heading string
		cell    func(p *Processing) string
	}{
		{"Référence", func(p *Processing) string { return p.Reference }},
		{"Nom du traitement", func(p *Processing) string { return p.Title }},
		{"Unité", func(p *Processing) string { return p.Unit }},
		{"Statut", func(p *Processing) string { return string(p.Status) }},
		{"Finalité", func(p *Processing) string { return p.Purpose }},
		{"Description", func(p *Processing) string { return p.Description }},
		{"Résumé public", func(p *Processing) string { return p.PublicSummary }},
		{"Responsable du traitement", func(p *Processing) string { return p.Controller.Name }},
		{"Contact", func(p *Processing) string { return p.Controller.Contact }},
		{"Base légale", func(p *Processing) string {
			var out []string
			for _, b := range p.LegalBases {
				s := basisWord(b.Type) + ": " + b.Reference
				if b.URL != "" {
					s += " - " + b.URL
				}
				out = append(out, s)
			}
			return lines(out)
		}},
		{"Catégories de personnes concernées", func(p *Processing) string { return lines(p.DataSubjects) }},
		{"Catégories de données", func(p *Processing) string { return lines(categories(p, false)) }},
		{"Données sensibles", func(p *Processing) string { return lines(categories(p, true)) }},
		{"Sources", func(p *Processing) string { return lines(p.Sources) }},
		{"Destinataires", func(p *Processing) string {
			var out []string
			for _, r := range p.Recipients {
				out = append(out, recipientWord(r.Type)+": "+r.Name)
			}
			return lines(out)
		}},
		{"Transferts", func(p *Processing) string {
			var out []string
			for _, t := range p.Transfers {
				s := t.Country
				if t.Safeguard != "" {
					s += " (" + string(t.Safeguard) + ")"
				}
				out = append(out, s)
			}
			return lines(out)
		}},
		{"Durée de conservation", func(p *Processing) string {
			return strings.TrimSpace(p.Retention.Period + " " + p.Retention.Trigger)
		}},
		{"Mesures de sécurité", func(p *Processing) string {
			var out []string
			for _, m := range p.SecurityMeasures {
				if m.Details != "" {
					out = append(out, m.Details)
				} else {
					out = append(out, string(m.Category))
				}
			}
			return lines(out)
		}},
		{"Profilage", func(p *Processing) string { return yesNo(p.Profiling) }},
		{"Décision automatisée", func(p *Processing) string { return yesNo(p.AutomatedDecision) }},
		{"Notes internes", func(p *Processing) string { return p.InternalNotes }},
	}
}

func categories(p *Processing, sensitive bool) []string {
	var out []string
	for _, c := range p.DataCategories {
		if c.Sensitive == sensitive {
			out = append(out, c.Name)
		}
	}
	return out
}

// basisWord and recipientWord are the words the import reads for each kind.
func basisWord(t LegalBasisType) string {
	return map[LegalBasisType]string{BasisLaw: "loi", BasisLegalObligation: "obligation légale", BasisPublicTask: "mission d'intérêt public",
		BasisConsent: "consentement", BasisContract: "contrat", BasisVitalInterest: "intérêt vital",
		BasisLegitimateInterest: "intérêt légitime"}[t]
}

func recipientWord(t RecipientType) string {
	return map[RecipientType]string{RecipientInternal: "interne", RecipientPublicBody: "organisme public",
		RecipientProcessor: "sous-traitant", RecipientThirdParty: "tiers"}[t]
}

// SheetHeader is the header row of the export.
func SheetHeader() []string {
	var out []string
	for _, h := range sheetHeadings() {
		out = append(out, h.Heading)
	}
	return out
}

// SheetRow is one processing as a row of the export.
func SheetRow(p *Processing) []string {
	hs := sheetHeadings()
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.cell(p)
	}
	return out
}

// ExportSheet calls row with every record of an organisation (its current
// version, in id order), for any reader of that organisation's internal
// fields; an administrator names the organisation. It stops at row's
// first error.
func (s *Service) ExportSheet(ctx context.Context, p *identity.Principal, org string, row func(p *Processing) error) error {
	if err := requireRole(p, identity.RoleAdmin, identity.RoleDPO, identity.RoleEditor, identity.RoleAuditor); err != nil {
		return err
	}
	if p.Role != identity.RoleAdmin {
		if org != "" && org != p.Org {
			return notFound("organisation")
		}
		org = p.Org
	}
	if org == "" {
		return invalid(FieldError{Field: "org", Message: "is required"})
	}
	if err := checkTerms("org", org); err != nil {
		return err
	}
	if _, err := s.store.GetOrganisation(ctx, org); err != nil {
		return err
	}
	var failure error
	err := s.store.ScanProcessings(ctx, ProcessingFilter{Organisation: org}, func(x Processing) bool {
		if failure = ctx.Err(); failure != nil {
			return false
		}
		failure = row(&x)
		return failure == nil
	})
	if err == nil {
		err = failure
	}
	return err
}
