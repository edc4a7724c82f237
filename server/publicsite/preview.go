package publicsite

import (
	"net/http"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// PreviewBanner is what a preview says above the page: that it is not
// published, and the way back to where it was asked for. Its words are the
// caller's (the back office's labels), in the page's language.
type PreviewBanner struct {
	Text, Back, BackURL string
}

// PreviewProcessingPage renders the public page of pub as it would look if
// it were published: the same template as the public register, never kept
// in the page cache, marked noindex, with a banner saying it is a preview.
// unitName names the record's unit ("" shows its slug). The caller has
// checked that the reader may see the record; pub is the public shape
// (register.Public), so even a preview shows no internal field.
func (s *Site) PreviewProcessingPage(w http.ResponseWriter, r *http.Request, pub *register.PublicProcessing,
	org *register.Organisation, unitName string, banner func(lang string) PreviewBanner) error {
	lang, _ := pickLang(r)
	v := s.newView(r, lang)
	b := banner(lang)
	v.Preview = &b
	po := &register.PublicOrganisation{Slug: org.Slug, Name: org.Name, Address: org.Address, Website: org.Website,
		DPOContact: org.DPOContact, LIPADContact: org.LIPADContact, TransparencyContact: org.TransparencyContact}
	d := processingData{P: pub, Org: po, UnitName: pub.Unit, Sensitive: pub.Sensitive()}
	if unitName != "" {
		d.UnitName = unitName
	}
	v.Title, v.Data = pub.Title, d
	p, err := s.renderPage(http.StatusOK, "processing", v, true)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Content-Language", p.lang)
	h.Add("Vary", "Accept-Language")
	return httpkit.WriteRaw(w, http.StatusOK, "text/html; charset=utf-8", p.body)
}
