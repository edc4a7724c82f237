package jsonapi

import (
	"net/http"

	"github.com/registre/registre/server/httpkit"
)

// Export serves GET /api/v1/export: the whole register as one JSON document
// (admin). Accounts and signing keys are never part of it over HTTP; the
// operator's `registre export` includes them.
func (s *API) Export(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.Export(r.Context(), principal(r))
	if err != nil {
		return err
	}
	b.Secrets = nil
	w.Header().Set("Content-Disposition", `attachment; filename="registre-export.json"`)
	return httpkit.WriteJSON(w, http.StatusOK, b)
}
