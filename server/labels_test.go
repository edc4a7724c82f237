package server_test

import (
	"html"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/labels"
	"github.com/registre/registre/sqlstore"
)

// folded is s as a reader compares words: one space between words, case
// ignored (a notice capitalises a disposal that a page prints after a colon).
func folded(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// The page and the notice of one processing name its legal basis, its
// recipients, its disposal and its security measures in the same words, in
// both languages: both read the one table of package labels.
func TestPageAndNoticeShowTheSameLabels(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		body := apitest.Complete("etat-civil", "Registre des naissances")
		body["recipients"] = []any{
			map[string]any{"name": "Office cantonal de la population", "type": "public_body"},
			map[string]any{"name": "Service des archives", "type": "internal"},
		}
		id := e.Must(201, "POST", "/api/v1/processings", dpo, body).Map(t)["id"].(string)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/submit", dpo, nil)
		e.Must(200, "POST", "/api/v1/processings/"+id+"/publish", dpo, nil)

		table := labels.New()
		want := []struct{ kind, value string }{
			{labels.Basis, "law"}, {labels.Recipient, "public_body"}, {labels.Recipient, "internal"},
			{labels.Disposal, "archive"}, {labels.Security, "access_control"},
		}
		for _, l := range labels.Languages() {
			page := folded(html.UnescapeString(string(e.Must(200, "GET", "/processings/"+id+"?lang="+string(l), "", nil).Body)))
			notice := folded(pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang="+string(l), "", nil).Body))
			for _, w := range want {
				words, ok := table.Enum(l, w.kind, w.value)
				if !ok {
					t.Fatalf("%s %s %s: no words", l, w.kind, w.value)
				}
				if !strings.Contains(page, folded(words)) {
					t.Errorf("%s: the page lacks %s %q", l, w.kind, words)
				}
				if !strings.Contains(notice, folded(words)) {
					t.Errorf("%s: the notice lacks %s %q", l, w.kind, words)
				}
			}
		}
	})
}
