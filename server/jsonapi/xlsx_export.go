package jsonapi

import (
	"net/http"
	"time"

	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/spreadsheet"
)

// RegisterXLSX serves GET /api/v1/processings.xlsx[?org=]: the
// organisation's register as an XLSX workbook, one processing per row
// (current versions, internal fields included), under the headings the
// import reads (docs/migrating.md).
func (s *API) RegisterXLSX(w http.ResponseWriter, r *http.Request) error {
	body, name, err := spreadsheet.RegisterXLSX(r.Context(), s.svc, principal(r), r.URL.Query().Get("org"), time.Now())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return httpkit.WriteRaw(w, http.StatusOK, spreadsheet.XLSXType, body)
}
