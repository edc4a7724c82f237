package jsonapi

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/registre/registre/register"

	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/spreadsheet"
)

// ImportCSV serves POST /api/v1/import: a spreadsheet exported as CSV becomes
// drafts of the organisation, all rows or none (docs/migrating.md).
func (s *API) ImportCSV(w http.ResponseWriter, r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || (mt != "text/csv" && mt != spreadsheet.XLSXType) || (params["charset"] != "" && !strings.EqualFold(params["charset"], "utf-8")) {
		return httpkit.NewProblem(http.StatusUnsupportedMediaType, "send the spreadsheet as text/csv (UTF-8) or as an XLSX workbook ("+spreadsheet.XLSXType+")")
	}
	// The API's one body limit (1 MiB) holds here too, inside the shared
	// budget of bodies in flight; larger files go through
	// `registre import --csv`, which takes up to register.MaxCSVBytes.
	body, err := httpkit.ReadBody(w, r, httpkit.MaxBody)
	if err != nil {
		var p *httpkit.Problem
		if errors.As(err, &p) && p.Status == http.StatusRequestEntityTooLarge {
			p.Detail = fmt.Sprintf("the spreadsheet must be at most %d bytes over HTTP; use `registre import --csv` for larger files", httpkit.MaxBody)
		}
		return err
	}
	q := r.URL.Query()
	items, err := s.svc.ImportCSV(r.Context(), principal(r), q.Get("org"), q.Get("unit"), strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	return httpkit.WriteJSON(w, http.StatusCreated, struct {
		Imported int                   `json:"imported"`
		Items    []register.Processing `json:"items"`
	}{len(items), items})
}
