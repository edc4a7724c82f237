package office

import (
	"net/http"
	"strconv"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/publicsite"
)

// The previews: the notice (PDF) and the public page of a record as they
// would be if its current version were published. Both are drawn from the
// public shape (register.Public), so that a preview shows no internal
// field, in any state of the record.

// noticePreview serves GET /office/processings/{id}/notice.pdf: the notice
// of the current version, marked as a preview, drawn in the public
// documents' slots (which bound every drawing).
func (o *Office) noticePreview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if o.cfg.Public == nil {
		return errNotFound()
	}
	lang, err := o.cfg.Public.DocLang(r)
	if err != nil {
		return err
	}
	p, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := o.svc.GetOrganisation(ctx, principal(r), p.Organisation)
	if err != nil {
		return err
	}
	body, err := o.cfg.Public.PreviewNotice(r, register.Public(p, p.UpdatedAt), org, lang)
	if err != nil {
		return err
	}
	name := "notice-" + p.ID + "-v" + strconv.Itoa(p.Version) + "-preview-" + string(lang) + ".pdf"
	return publicsite.WritePDF(w, name, lang, body, "")
}

// publicPreview serves GET /office/processings/{id}/preview: the public
// page as it would look if the current version were published.
func (o *Office) publicPreview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if o.cfg.Public == nil {
		return errNotFound()
	}
	p, err := o.svc.GetProcessing(ctx, principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	org, err := o.svc.GetOrganisation(ctx, principal(r), p.Organisation)
	if err != nil {
		return err
	}
	unit := ""
	if names := o.unitNames(ctx, r, p.Organisation); names != nil {
		unit = names(p.Unit)
	}
	pub := register.Public(p, p.UpdatedAt)
	return o.cfg.Public.PreviewProcessingPage(w, r, pub, org, unit, func(lang string) publicsite.PreviewBanner {
		v := o.newView(r)
		v.Lang = lang
		return publicsite.PreviewBanner{Text: v.T("preview.banner"), Back: v.T("preview.back"),
			BackURL: link("/office/processings/"+p.ID, nil, lang)}
	})
}
