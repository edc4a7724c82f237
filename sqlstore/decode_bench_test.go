package sqlstore_test

import (
	"encoding/json"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/registre/registre/internal/demo"
	"github.com/registre/registre/register"
)

// BenchmarkDecodeProcessing compares encoding/json and encoding/json/v2 (with
// v1's leniencies) on a stored processing's JSON, which every read of a
// record decodes: a back-office list page decodes one per row.
func BenchmarkDecodeProcessing(b *testing.B) {
	p := register.Processing{Fields: demo.Publishable("social", "Gestion des dossiers de l'aide sociale", "Gérer les dossiers.", "Résumé.", "Description longue des traitements.")}
	data, err := json.Marshal(&p)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("v1", func(b *testing.B) {
		for b.Loop() {
			var q register.Processing
			if err := json.Unmarshal(data, &q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("v2", func(b *testing.B) {
		for b.Loop() {
			var q register.Processing
			if err := jsonv2.Unmarshal(data, &q, jsonv2.MatchCaseInsensitiveNames(true), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(len(data)), "bytes")
}
