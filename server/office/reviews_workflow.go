package office

import (
	"context"
	"net/url"
	"strings"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// archive ends a processing from the confirmation form: the office asks for
// the end date and a short public reason (the API may leave the reason out).
func (o *Office) archive(ctx context.Context, p *identity.Principal, id string, rev int64, d *confirmData) error {
	// Who may, and whether the record is current, are told first (403,
	// 412, 409 before 422): the domain decides them.
	if strings.TrimSpace(d.Reason) == "" && may(p, d.P, actArchive) && rev == d.P.Revision {
		return &register.Error{Code: register.EInvalid, Message: "the request is not valid",
			Fields: []register.FieldError{{Field: "reason", Message: "is required"}}}
	}
	_, err := o.svc.Archive(ctx, p, id, &rev, register.EndInput{EndedOn: d.EndedOn, Reason: d.Reason})
	return err
}

// returnWithNotes returns a draft with the DPO's comment.
func (o *Office) returnWithNotes(ctx context.Context, p *identity.Principal, id string, rev int64, _ url.Values, d *confirmData) error {
	_, err := o.svc.Transition(ctx, p, id, register.StepReturn, &rev, d.Comment)
	return err
}
