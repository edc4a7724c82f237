package server

import (
	"net/http"
	"strconv"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/publicsite"
)

// The API's documents: the notice preview and the auditor's report. They
// are authenticated and never cached; they draw in the slots of the public
// site's documents (server/publicsite/pdf.go), which bound every drawing.

// previewNoticePDF serves GET /api/v1/processings/{id}/notice.pdf: the
// notice of the current version, in any state, marked as a preview. It is
// built from the public shape, so even a preview shows no internal field.
func (s *Server) previewNoticePDF(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang, err := s.pub.DocLang(r)
	if err != nil {
		return err
	}
	p, err := s.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := s.svc.GetOrganisation(ctx, principal(r), p.Organisation)
	if err != nil {
		return err
	}
	body, err := s.pub.PreviewNotice(r, register.Public(p, p.UpdatedAt), org, lang)
	if err != nil {
		return err
	}
	name := "notice-" + p.ID + "-v" + strconv.Itoa(p.Version) + "-preview-" + string(lang) + ".pdf"
	return publicsite.WritePDF(w, name, lang, body, "")
}

// complianceReportPDF serves GET /api/v1/compliance/report.pdf: the
// auditor's report of the caller's organisation (an admin names it with
// ?org=), as of now. Reading a report runs the rules over the whole
// register and verifies the whole audit chain, so the reading and the
// drawing both happen in a report slot, apart from the public documents'
// slots: reports wait for each other (429 after PDF.Wait), never the
// public. What a report holds is bounded (register.MaxReportProcessings),
// so each slot's time and memory are too.
func (s *Server) complianceReportPDF(w http.ResponseWriter, r *http.Request) error {
	lang, err := s.pub.DocLang(r)
	if err != nil {
		return err
	}
	body, data, err := s.pub.ComplianceReport(r, lang, func() (*register.AuditorReport, error) {
		return s.svc.AuditorReport(r.Context(), principal(r), r.URL.Query().Get("org"), 0)
	})
	if err != nil {
		return err
	}
	name := "compliance-" + data.Organisation.Slug + "-" + data.Date.Format("2006-01-02") + "-" + string(lang) + ".pdf"
	return publicsite.WritePDF(w, name, lang, body, "")
}
