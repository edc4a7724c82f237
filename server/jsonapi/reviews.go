package jsonapi

import (
	"bytes"
	"net/http"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
)

// archive serves POST /api/v1/processings/{id}/archive: the body, optional,
// is {"ended_on","reason","comment"}; the processing may have a newer draft
// pending, which stays unpublished in its history.
func (s *API) archive(w http.ResponseWriter, r *http.Request) error {
	var in register.EndInput
	lim := httpkit.DefaultJSONLimits()
	lim.MaxBytes = 64 << 10
	body, err := httpkit.ReadBody(w, r, lim.MaxBytes)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
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
	p, err := s.svc.Archive(r.Context(), principal(r), r.PathValue("id"), rev, in)
	if err != nil {
		return err
	}
	return s.writeProcessing(w, http.StatusOK, p)
}

// ReviewNotes serves GET /api/v1/processings/{id}/notes: every comment on
// a field a DPO gave with a return, the latest return first.
func (s *API) ReviewNotes(w http.ResponseWriter, r *http.Request) error {
	notes, err := s.svc.ReviewNotes(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.ReviewNote]{Items: notes, Total: len(notes), Page: 1, PerPage: len(notes)})
}

// MyTasks serves GET /api/v1/me/tasks: the caller's open review tasks, as
// the back office's "my review tasks" shows them.
func (s *API) MyTasks(w http.ResponseWriter, r *http.Request) error {
	tasks, err := s.svc.MyTasks(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.MyTask]{Items: tasks, Total: len(tasks), Page: 1, PerPage: len(tasks)})
}

// ListCampaigns serves GET /api/v1/organisations/{org}/campaigns.
func (s *API) ListCampaigns(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.svc.Campaigns(r.Context(), principal(r), r.PathValue("org"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, httpkit.List[register.Campaign]{Items: cs, Total: len(cs), Page: 1, PerPage: len(cs)})
}

// OpenCampaign serves POST /api/v1/organisations/{org}/campaigns.
func (s *API) OpenCampaign(w http.ResponseWriter, r *http.Request) error {
	var in register.CampaignInput
	if err := httpkit.Decode(w, r, &in); err != nil {
		return err
	}
	c, err := s.svc.OpenCampaign(r.Context(), principal(r), r.PathValue("org"), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/campaigns/"+c.ID)
	return httpkit.WriteJSON(w, http.StatusCreated, c)
}

// CampaignProgress serves GET /api/v1/campaigns/{id}.
func (s *API) CampaignProgress(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.CampaignProgress(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, c)
}

// CloseCampaign serves POST /api/v1/campaigns/{id}/close.
func (s *API) CloseCampaign(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.CloseCampaign(r.Context(), principal(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusOK, c)
}

// ConfirmReview serves POST /api/v1/campaigns/{id}/tasks/{processing}/confirm.
func (s *API) ConfirmReview(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.ConfirmReview(r.Context(), principal(r), r.PathValue("id"), r.PathValue("processing"))
	if err != nil {
		return err
	}
	return s.writeProcessing(w, http.StatusOK, p)
}

// RequestChanges serves POST /api/v1/campaigns/{id}/tasks/{processing}/changes.
func (s *API) RequestChanges(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.RequestChanges(r.Context(), principal(r), r.PathValue("id"), r.PathValue("processing"))
	if err != nil {
		return err
	}
	return s.writeProcessing(w, http.StatusOK, p)
}
