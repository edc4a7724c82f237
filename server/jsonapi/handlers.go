package jsonapi

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/registre/registre/register"

	"github.com/registre/registre/server/httpkit"
)

// ---- organisations and units ----

func (s *API) ListOrganisations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.svc.ListOrganisations(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.Organisation]{Items: orgs, Total: len(orgs), Page: 1, PerPage: len(orgs)})
}

func (s *API) CreateOrganisation(w http.ResponseWriter, r *http.Request) error {
	var in register.Organisation
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	o, err := s.svc.CreateOrganisation(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/organisations/"+o.Slug)
	return httpkit.WriteJSON(w, http.StatusCreated, o)
}

func (s *API) GetOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.svc.GetOrganisation(r.Context(), principal(r), r.PathValue("org"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, o)
}

func (s *API) UpdateOrganisation(w http.ResponseWriter, r *http.Request) error {
	var in register.Organisation
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	o, err := s.svc.UpdateOrganisation(r.Context(), principal(r), r.PathValue("org"), in)
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, o)
}

func (s *API) ListUnits(w http.ResponseWriter, r *http.Request) error {
	units, err := s.svc.ListUnits(r.Context(), principal(r), r.PathValue("org"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.Unit]{Items: units, Total: len(units), Page: 1, PerPage: len(units)})
}

func (s *API) CreateUnit(w http.ResponseWriter, r *http.Request) error {
	var in register.Unit
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	org := r.PathValue("org")
	u, err := s.svc.CreateUnit(r.Context(), principal(r), org, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/organisations/"+org+"/units/"+u.Slug)
	return httpkit.WriteJSON(w, http.StatusCreated, u)
}

// RenameUnit changes a unit's name; its identifier stays.
func (s *API) RenameUnit(w http.ResponseWriter, r *http.Request) error {
	var in register.UnitRename
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.svc.RenameUnit(r.Context(), principal(r), r.PathValue("org"), r.PathValue("unit"), in.Name)
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, u)
}

// DeleteUnit removes a unit that nothing refers to.
func (s *API) DeleteUnit(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteUnit(r.Context(), principal(r), r.PathValue("org"), r.PathValue("unit")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- processings ----

// etag is the entity tag of a processing: its revision changes with every
// write, workflow steps included.
func etag(p *register.Processing) string { return `"r` + strconv.FormatInt(p.Revision, 10) + `"` }

// ifMatch reads If-Match. required: a missing header is 428. "*" is not an
// entity tag of this service (it would defeat the check): 428 too. A tag this
// service never issued can only be stale: it gets a revision that matches
// nothing.
func ifMatch(r *http.Request, required bool) (*int64, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		if !required && v == "" {
			return nil, nil
		}
		return nil, &register.Error{Code: register.EPreconditionRequired,
			Message: "send If-Match with the ETag of the processing as you last read it"}
	}
	for _, tag := range strings.Split(v, ",") {
		tag = strings.TrimSpace(tag)
		if strings.HasPrefix(tag, `"r`) && strings.HasSuffix(tag, `"`) && len(tag) > 3 {
			if n, err := strconv.ParseInt(tag[2:len(tag)-1], 10, 64); err == nil && n > 0 {
				return &n, nil
			}
		}
	}
	stale := int64(-1)
	return &stale, nil
}

func (s *API) writeProcessing(w http.ResponseWriter, status int, p *register.Processing) error {
	w.Header().Set("ETag", etag(p))
	return httpkit.WriteJSON(w, status, p)
}

func (s *API) ListProcessings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, perPage, err := httpkit.Paging(q)
	if err != nil {
		return err
	}
	f := register.ProcessingFilter{Organisation: q.Get("org"), Unit: q.Get("unit"),
		Status: register.Status(q.Get("status")), Query: q.Get("q"), Page: page, PerPage: perPage, Cursor: q.Get("cursor")}
	if err := listFilters(q, &f); err != nil {
		return err
	}
	res, err := s.svc.ListProcessingsPage(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	page, perPage, _ = register.CheckPage(page, perPage)
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.Processing]{Items: res.Items, Total: res.Total,
		Page: page, PerPage: perPage, TotalIsCapped: res.TotalIsCapped, Cursor: res.NextCursor})
}

func (s *API) CreateProcessing(w http.ResponseWriter, r *http.Request) error {
	var in register.Processing
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	p, err := s.svc.CreateProcessing(r.Context(), principal(r), in.Organisation, in.Fields)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/processings/"+p.ID)
	return s.writeProcessing(w, http.StatusCreated, p)
}

func (s *API) GetProcessing(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.GetProcessing(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeProcessing(w, http.StatusOK, p)
}

func (s *API) UpdateProcessing(w http.ResponseWriter, r *http.Request) error {
	var in register.Processing
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	// Existence and rights come before the precondition: a caller who may
	// not see the processing learns nothing from a 428.
	if _, err := s.svc.GetProcessing(r.Context(), principal(r), r.PathValue("id")); err != nil {
		return err
	}
	rev, err := ifMatch(r, true)
	if err != nil {
		return err
	}
	p, err := s.svc.UpdateProcessing(r.Context(), principal(r), r.PathValue("id"), *rev, in.Fields)
	if err != nil {
		return err
	}
	return s.writeProcessing(w, http.StatusOK, p)
}

func (s *API) DeleteProcessing(w http.ResponseWriter, r *http.Request) error {
	rev, err := ifMatch(r, false)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteProcessing(r.Context(), principal(r), r.PathValue("id"), rev); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Step serves a workflow step. Only "return" takes a body, {"comment"},
// and "archive", {"ended_on","reason","comment"} (register.EndInput).
func (s *API) Step(name register.Step) func(http.ResponseWriter, *http.Request) error {
	if name == register.StepArchive {
		return s.archive
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		var in struct {
			Comment string `json:"comment"`
			// Notes are comments on fields (JSON path → text), kept in
			// the history and shown to the editor beside the fields.
			Notes map[string]string `json:"notes"`
		}
		lim := httpkit.DefaultJSONLimits()
		lim.MaxBytes = 64 << 10 // a comment; the domain bounds its length
		body, err := httpkit.ReadBody(w, r, lim.MaxBytes)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(body)) > 0 {
			if name != register.StepReturn {
				return httpkit.BadRequest("this workflow step takes no body")
			}
			if !httpkit.IsJSON(r) {
				return httpkit.NewProblem(http.StatusUnsupportedMediaType, "the request body must be application/json (UTF-8)")
			}
			if err := httpkit.DecodeBytesWith(body, &in, lim); err != nil {
				return err
			}
		}
		rev, err := ifMatch(r, false)
		if err != nil {
			return err
		}
		var p *register.Processing
		if name == register.StepReturn {
			p, err = s.svc.ReturnWithNotes(r.Context(), principal(r), r.PathValue("id"), rev, in.Comment, in.Notes)
		} else {
			p, err = s.svc.Transition(r.Context(), principal(r), r.PathValue("id"), name, rev, in.Comment)
		}
		if err != nil {
			return err
		}
		return s.writeProcessing(w, http.StatusOK, p)
	}
}

// OverrideFinding lets a DPO overrule one blocking finding with a written
// justification (issue 13); it is audited and lapses when the field changes.
func (s *API) OverrideFinding(w http.ResponseWriter, r *http.Request) error {
	var in register.OverrideInput
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	rev, err := ifMatch(r, false)
	if err != nil {
		return err
	}
	p, err := s.svc.OverrideFinding(r.Context(), principal(r), r.PathValue("id"), rev, in)
	if err != nil {
		return err
	}
	return s.writeProcessing(w, http.StatusOK, p)
}

func (s *API) ListVersions(w http.ResponseWriter, r *http.Request) error {
	vs, err := s.svc.ListVersions(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	// Each version is sent as the bytes it was saved with.
	var b bytes.Buffer
	b.WriteString(`{"items":[`)
	for i, v := range vs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(v.Data)
	}
	fmt.Fprintf(&b, "],\"total\":%d}\n", len(vs))
	return httpkit.WriteRaw(w, http.StatusOK, "application/json", b.Bytes())
}

func (s *API) GetVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		return register.Errorf(register.ENotFound, "version not found")
	}
	v, err := s.svc.GetVersion(r.Context(), principal(r), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", fmt.Sprintf(`"v%d"`, v.Number))
	return httpkit.WriteRaw(w, http.StatusOK, "application/json", append(append([]byte{}, v.Data...), '\n'))
}

func (s *API) History(w http.ResponseWriter, r *http.Request) error {
	es, err := s.svc.History(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.AuditEntry]{Items: es, Total: len(es), Page: 1, PerPage: len(es)})
}

// ---- compliance and audit ----

// Compliance serves GET /api/v1/compliance: one page of the findings, with
// the summary of all of them.
func (s *API) Compliance(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, perPage, err := httpkit.Paging(q)
	if err != nil {
		return err
	}
	res, err := s.svc.Compliance(r.Context(), principal(r), q.Get("org"), page, perPage)
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, res)
}

// queryTime reads an RFC 3339 time or a YYYY-MM-DD date (midnight UTC).
func queryTime(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, httpkit.BadRequest("a query parameter has the wrong type",
		register.FieldError{Field: name, Message: "must be an RFC 3339 time or a YYYY-MM-DD date"})
}

func (s *API) ListAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, perPage, err := httpkit.Paging(q)
	if err != nil {
		return err
	}
	since, err := queryTime(q, "since")
	if err != nil {
		return err
	}
	until, err := queryTime(q, "until")
	if err != nil {
		return err
	}
	f := register.AuditFilter{Organisation: q.Get("org"), Since: since, Until: until, Actor: q.Get("actor"),
		Target: q.Get("target"), Action: q.Get("action"), Page: page, PerPage: perPage}
	items, total, err := s.svc.ListAudit(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	page, perPage, _ = register.CheckPage(page, perPage)
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.AuditEntry]{Items: items, Total: total, Page: page, PerPage: perPage})
}

func (s *API) VerifyAudit(w http.ResponseWriter, r *http.Request) error {
	res, err := s.svc.VerifyAudit(r.Context(), principal(r), r.URL.Query().Get("head"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, res)
}
