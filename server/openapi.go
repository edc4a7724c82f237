package server

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 description of routeTable, kept by hand and
// held to the routes by TestOpenAPIMatchesRoutes.
//
//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeRaw(w, http.StatusOK, "application/json", openAPIDoc)
}
