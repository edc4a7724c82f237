package office_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// TestReturnWithCommentsOnFields: the DPO returns a draft from the review
// page with a comment on the purpose and one on the retention period (a
// field path no form has is refused beside nothing, and changes nothing);
// the editor sees each comment beside its field in the section forms, the
// history keeps them after the draft is submitted again, when the forms no
// longer show them; the API lists them.
func TestReturnWithCommentsOnFields(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		editor := signIn(t, e, f.Users["editor"], f.Password)
		base := "/office/processings/" + f.Canteen
		// The fixture returned the canteen once; the editor submits it.
		editor.takes(f.Canteen, "submit", "will see it in “waiting for my review”", nil, base)

		rev := html.UnescapeString(dpo.page(base + "/review?lang=en"))
		for _, want := range []string{`id="return-form"`, `name="note.purpose"`, `form="return-form"`, "Comment on this field"} {
			if !strings.Contains(rev, want) {
				t.Fatalf("the review page lacks %q", want)
			}
		}
		form := mustForm(t, rev, base+"/return")
		form.Set("comment", "Quelques points à revoir.")
		form.Set("note.no_such_field", "x")
		if st, _, _ := dpo.post(base+"/return", form); st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
			t.Errorf("a note on an unknown field: %d, want 4xx", st)
		}
		if rec := readRecord(t, e, f.Canteen); rec.Status != "in_review" {
			t.Fatalf("a refused return changed the record: %s", rec.Status)
		}
		form.Del("note.no_such_field")
		form.Set("note.purpose", "Précisez la finalité : repas ou facturation ?")
		form.Set("note.retention.period", "Dix ans paraît long.")
		if st, _, body := dpo.post(base+"/return", form); st != http.StatusSeeOther {
			t.Fatalf("return: %d\n%s", st, excerptOf(body))
		}

		purpose := html.UnescapeString(editor.page(base + "/edit/purpose?lang=en"))
		if !strings.Contains(purpose, "Comment from the data protection officer") || !strings.Contains(purpose, "Précisez la finalité : repas ou facturation ?") {
			t.Errorf("the purpose form does not show the comment:\n%s", excerptOf(purpose))
		}
		if strings.Contains(purpose, "Dix ans paraît long.") {
			t.Error("the purpose form shows the retention's comment")
		}
		retention := html.UnescapeString(editor.page(base + "/edit/retention?lang=en"))
		i, j := strings.Index(retention, "Dix ans paraît long."), strings.Index(retention, `name="retention.period"`)
		if i < 0 || j < 0 || i > j || strings.Contains(retention, "repas ou facturation") {
			t.Errorf("the retention form does not show its comment just before the period (%d, %d)", i, j)
		}

		var notes struct {
			Items []struct {
				Field, Note, Author string
				Version             int
			} `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/processings/"+f.Canteen+"/notes", e.Token(auth.RoleAuditor, f.Org), nil).JSON(t, &notes)
		if len(notes.Items) != 2 || notes.Items[0].Field != "purpose" || notes.Items[1].Field != "retention.period" {
			t.Errorf("API notes: %+v", notes.Items)
		}

		// Submitted again: the forms stop showing them; the history keeps them.
		editor.takes(f.Canteen, "submit", "will see it in “waiting for my review”", nil, base)
		e.Must(200, "POST", "/api/v1/processings/"+f.Canteen+"/return", e.Token(auth.RoleDPO, f.Org), map[string]any{"notes": map[string]string{"title": "Titre trop vague."}})
		again := html.UnescapeString(editor.page(base + "/edit/purpose?lang=en"))
		if strings.Contains(again, "repas ou facturation") || !strings.Contains(again, "Titre trop vague.") {
			t.Error("the purpose form does not show only the last return's comments")
		}
		hist := html.UnescapeString(editor.page(base + "/history?lang=en"))
		for _, want := range []string{"Comments on fields", "Précisez la finalité : repas ou facturation ?", "Dix ans paraît long.", "Titre trop vague."} {
			if !strings.Contains(hist, want) {
				t.Errorf("the history lacks %q", want)
			}
		}
		e.Must(422, "POST", "/api/v1/processings/"+f.Canteen+"/return", e.Token(auth.RoleDPO, f.Org), map[string]any{"notes": map[string]string{"title": strings.Repeat("x", 1001)}})
	})
}
