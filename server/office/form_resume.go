package office

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/register"
)

// A section form posted after the session ended keeps what was typed:
// the sign-in page carries the form's own inputs (and the record's
// revision) as hidden fields named "keep.<input>", never the old form
// token nor anything the section form does not hold; after sign-in the
// section form comes back with them, unsaved, and says so.

// keepPrefix marks the carried inputs in the sign-in form.
const keepPrefix = "keep."

// maxKept bounds the carried values, so that the sign-in form that holds
// them stays within the form limits (httpkit: 1000 fields) with its own.
const maxKept = 900

// hiddenField is one carried input.
type hiddenField struct{ Name, Value string }

// sectionOfPath returns the record id and the section form of a path
// /office/processings/{id}/edit/{section}.
func (o *Office) sectionOfPath(path string) (string, *sectionSpec, bool) {
	rest, ok := strings.CutPrefix(path, "/office/processings/")
	if !ok {
		return "", nil, false
	}
	id, key, ok := strings.Cut(rest, "/edit/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", nil, false
	}
	spec, ok := sectionByKey(o.forms, key)
	return id, spec, ok
}

// kept returns the section's inputs of form (named plain, or with
// keepPrefix when prefixed is set) and the revision, as hidden fields
// named with keepPrefix, in a stable order; nil when none.
func kept(spec *sectionSpec, form url.Values, prefixed bool) []hiddenField {
	in := url.Values{}
	for k, vs := range form {
		if prefixed {
			var ok bool
			if k, ok = strings.CutPrefix(k, keepPrefix); !ok {
				continue
			}
		}
		in[k] = vs
	}
	vals, err := posted(spec, in)
	if err != nil || len(vals) == 0 {
		return nil
	}
	if rev, err := strconv.ParseInt(in.Get("revision"), 10, 64); err == nil && rev > 0 {
		vals.Set("revision", strconv.FormatInt(rev, 10))
	}
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	slices.Sort(names)
	var out []hiddenField
	for _, k := range names {
		for _, v := range vals[k] {
			if len(out) == maxKept {
				return out
			}
			out = append(out, hiddenField{keepPrefix + k, v})
		}
	}
	return out
}

// keepPosted reads a section form posted without a live session and
// returns its inputs to carry through sign-in; nil for any other form,
// whose body is left unread. A body over the form limits is refused as it
// would be with a session (413, 400).
func (o *Office) keepPosted(w http.ResponseWriter, r *http.Request) ([]hiddenField, error) {
	_, spec, ok := o.sectionOfPath(r.URL.Path)
	if !ok {
		return nil, nil
	}
	if err := readPosted(w, r); err != nil {
		return nil, err
	}
	return kept(spec, r.PostForm, false), nil
}

// resumeSection answers a successful sign-in that carried a section form:
// the form again, with the input as typed, not saved. It reports false when
// next is not a section form (the caller redirects as usual).
func (o *Office) resumeSection(w http.ResponseWriter, r *http.Request, next string, keep []hiddenField, sess *register.Session, p *identity.Principal, token string) (bool, error) {
	u, err := url.Parse(next)
	if err != nil || len(keep) == 0 {
		return false, nil
	}
	id, spec, ok := o.sectionOfPath(u.Path)
	if !ok {
		return false, nil
	}
	r = r.WithContext(withVisit(r.Context(), &visit{p: p, sess: sess, token: token}))
	r.URL = u
	r.SetPathValue("id", id)
	r.SetPathValue("section", spec.key)
	rec, err := o.editableRecord(r)
	if err != nil {
		return true, err
	}
	in := url.Values{}
	for _, h := range keep {
		in.Add(strings.TrimPrefix(h.Name, keepPrefix), h.Value)
	}
	vals, err := posted(spec, in)
	if err != nil {
		return true, err
	}
	rev, err := strconv.ParseInt(in.Get("revision"), 10, 64)
	if err != nil || rev < 1 {
		rev = rec.Revision
	}
	return true, o.showSection(w, r, http.StatusOK, rec, spec, sectionState{vals: vals, revision: rev, banner: "form.resumed"})
}
