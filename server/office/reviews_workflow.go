package office

import (
	"context"
	"net/http"
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

// returnWithNotes returns a draft with the DPO's comment and comments on
// fields: the form's note.<field path> inputs.
func (o *Office) returnWithNotes(ctx context.Context, p *identity.Principal, id string, rev int64, form url.Values, d *confirmData) error {
	notes := map[string]string{}
	for k, vs := range form {
		if path, ok := strings.CutPrefix(k, "note."); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			notes[path] = vs[0]
		}
	}
	_, err := o.svc.ReturnWithNotes(ctx, p, id, &rev, d.Comment, notes)
	return err
}

// noteInput is one field's comment input on the review page.
type noteInput struct {
	V                  *view
	Key, Label, Anchor string
}

// NoteInput prepares the comment input of a review row.
func (v *view) NoteInput(r row) noteInput {
	return noteInput{V: v, Key: r.Key, Label: r.Label, Anchor: r.Anchor()}
}

// noteShown is a DPO's comment on a field, as shown beside it.
type noteShown struct {
	V    *view
	Text string
}

// NoteOf is the DPO's comment on the field at path in the record's last
// return (nil when none): the section forms and the record show it.
// A note on a row that several inputs share ("dpia.consultation") is shown
// once, at the first of them.
func (v *view) NoteOf(path string) *noteShown {
	for p := path; p != ""; {
		if n, ok := v.notes[p]; ok {
			if v.notesShown[p] {
				return nil
			}
			if v.notesShown == nil {
				v.notesShown = map[string]bool{}
			}
			v.notesShown[p] = true
			return &noteShown{V: v, Text: n.Note}
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return nil
}

// withNotes gives v the notes of rec's last return, while it stays
// returned.
func (o *Office) withNotes(r *http.Request, v *view, rec *register.Processing) error {
	notes, err := o.svc.CurrentNotes(r.Context(), principal(r), rec)
	v.notes = notes
	return err
}

// fieldLabel is the label of a field path as the record page prints it
// (f.<path>), or the path when it has none.
func (v *view) fieldLabel(path string) string {
	if _, ok := v.labels["f."+path]; ok {
		return v.T("f." + path)
	}
	return path
}
