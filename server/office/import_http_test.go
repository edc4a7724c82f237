package office_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// upload posts a multipart form with a file, as a browser does.
func (r *reader) upload(path string, fields url.Values, name string, data []byte) (int, http.Header, string) {
	r.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		r.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, r.base+path, &b)
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return r.do(req)
}

// token is the page's form token.
func (r *reader) token(body string) string {
	r.t.Helper()
	m := hiddenCSRF.FindStringSubmatch(body)
	if m == nil {
		r.t.Fatal("no form token on the page")
	}
	return html.UnescapeString(m[1])
}

func total(t *testing.T, e *apitest.Env, org string) int {
	t.Helper()
	var res struct{ Total int }
	e.Must(200, "GET", "/api/v1/processings?per_page=1", e.Token(auth.RoleDPO, org), nil).JSON(t, &res)
	return res.Total
}

var previewRE = regexp.MustCompile(`^/office/import/([0-9a-f]{32})\?lang=`)

// TestImportWizardWithoutJavaScript: a DPO uploads a CSV with errors and
// sees every one with its row and column, nothing written; then an XLSX
// workbook, previewed row by row with nothing written; another DPO cannot
// see the preview; confirming creates every draft once; editors and
// auditors are refused; the register downloads as XLSX and CSV.
func TestImportWizardWithoutJavaScript(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		before := total(t, e, f.Org)

		for _, role := range []string{"editor", "auditor"} {
			if st, _, _ := signIn(t, e, f.Users[role], f.Password).get("/office/import"); st != http.StatusForbidden {
				t.Errorf("%s: GET /office/import %d, want 403", role, st)
			}
		}

		form := dpo.page("/office/import?lang=en")
		tok := dpo.token(form)
		bad := "Nom du traitement;Unité;Profilage;Finalité\nAide sociale;nulle-part;peut-être;Aider\n;etat-civil;non;Inscrire\n"
		st, _, body := dpo.upload("/office/import", url.Values{"csrf": {tok}, "lang": {"en"}}, "registre.csv", []byte(bad))
		body = html.UnescapeString(body)
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("bad file: %d, want 422", st)
		}
		for _, want := range []string{`line 2, column "Unité"`, `line 2, column "Profilage"`, `line 3`, `role="alert"`, "nothing was imported"} {
			if !strings.Contains(body, want) {
				t.Errorf("the error page does not say %q", want)
			}
		}
		if n := total(t, e, f.Org); n != before {
			t.Fatalf("a file with errors wrote %d records", n-before)
		}
		// On a French page the errors are in French, where and what, the
		// import's own and the record's rules alike; none is left in English.
		frForm := dpo.page("/office/import?lang=fr")
		for _, tc := range []struct {
			file      string
			want, not []string
		}{
			{bad, []string{"ligne 2, colonne « Unité »", "ligne 2, colonne « Profilage »", "n’est pas une unité de l’organisation",
				"doit être oui ou non", "<th scope=\"row\">ligne 3, colonne « Nom du traitement »</th><td>Titre : Ce champ est obligatoire</td>",
				"3 erreurs dans le tableur ; rien n’a été importé"},
				[]string{"must be oui", "is not a unit", "is required", "nothing was imported", `<td lang="en"`, `<span lang="en"`}},
			{"Nom du traitement;Couleur\nArchives;bleu\n", []string{"ligne 1, colonne « Couleur »", "n’est pas une colonne connue"},
				[]string{"is not a known column"}},
			{"Nom du traitement;Unité;Durée de conservation;Transferts;Référence\nA;etat-civil;dix ans;FR (promesse);R-1\nB;etat-civil;10 ans;;r-1\n",
				[]string{"n’est pas une durée comme « 10 ans »", "« promesse » n’est pas une garantie", "figure deux fois dans le fichier (aussi ligne 2",
					// No "Finalité" column: the row is where, the field is named as the form names it.
					"<th scope=\"row\">ligne 2</th><td>Finalité : Ce champ est obligatoire</td>"},
				[]string{"is not a duration", "is not a safeguard", "is used twice", "« purpose »"}},
		} {
			st, _, body := dpo.upload("/office/import", url.Values{"csrf": {dpo.token(frForm)}, "lang": {"fr"}}, "registre.csv", []byte(tc.file))
			body = html.UnescapeString(body)
			if st != http.StatusUnprocessableEntity {
				t.Fatalf("%q: %d, want 422", tc.file, st)
			}
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("the French error page does not say %q:\n%s", want, body)
				}
			}
			for _, not := range tc.not {
				if strings.Contains(body, not) {
					t.Errorf("the French error page says %q", not)
				}
			}
		}
		if st, _, _ := dpo.upload("/office/import", url.Values{"csrf": {tok}}, "", nil); st != http.StatusUnprocessableEntity {
			t.Errorf("no file: %d, want 422", st)
		}
		if st, _, _ := dpo.upload("/office/import", url.Values{"csrf": {"forged"}}, "r.csv", []byte(bad)); st != http.StatusForbidden {
			t.Errorf("forged form token: %d, want 403", st)
		}

		x, err := spreadsheet.NewXLSX("Registre", []string{"Nom du traitement", "Unité", "Référence", "Finalité", "Catégories de données"})
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range [][]string{{"Abonnements à la piscine", "etat-civil", "IMP-1", "Gérer les abonnements", "identité\nadresse"},
			{"Prêt de vélos", "informatique", "IMP-2", "Prêter des vélos", "identité"}} {
			if err := x.Row(row); err != nil {
				t.Fatal(err)
			}
		}
		var wb bytes.Buffer
		if _, err := x.WriteTo(&wb); err != nil {
			t.Fatal(err)
		}
		st, hd, _ := dpo.upload("/office/import", url.Values{"csrf": {tok}, "lang": {"en"}}, "registre.xlsx", wb.Bytes())
		m := previewRE.FindStringSubmatch(hd.Get("Location"))
		if st != http.StatusSeeOther || m == nil {
			t.Fatalf("clean workbook: %d to %q, want 303 to the preview", st, hd.Get("Location"))
		}
		preview := dpo.page(hd.Get("Location"))
		for _, want := range []string{"Abonnements à la piscine", "Prêt de vélos", "IMP-2", "Import 2 processings as drafts", "adresse"} {
			if !strings.Contains(preview, want) {
				t.Errorf("the preview does not show %q", want)
			}
		}
		if n := total(t, e, f.Org); n != before {
			t.Fatalf("a preview wrote %d records", n-before)
		}
		other := signIn(t, e, f.OtherDPO, f.Password)
		if st, _, _ := other.get(hd.Get("Location")); st != http.StatusNotFound {
			t.Errorf("another organisation's DPO sees the preview: %d", st)
		}
		st, hd2, _ := dpo.post("/office/import/"+m[1], url.Values{"csrf": {dpo.token(preview)}, "lang": {"en"}})
		if st != http.StatusSeeOther || !strings.HasPrefix(hd2.Get("Location"), "/office/import?done=imported&n=2") {
			t.Fatalf("confirm: %d to %q", st, hd2.Get("Location"))
		}
		if done := dpo.page(hd2.Get("Location")); !strings.Contains(done, "2 processings imported as drafts") {
			t.Error("no banner after the import")
		}
		if n := total(t, e, f.Org); n != before+2 {
			t.Fatalf("%d records after the import, want %d", n, before+2)
		}
		if st, _, _ := dpo.post("/office/import/"+m[1], url.Values{"csrf": {dpo.token(preview)}}); st != http.StatusNotFound {
			t.Errorf("confirmed twice: %d, want 404", st)
		}
		if n := total(t, e, f.Org); n != before+2 {
			t.Fatalf("a second confirmation wrote %d records", n-before-2)
		}

		list := dpo.page("/office/?lang=en")
		st, hx, xb := dpo.get(follow(t, list, "XLSX workbook"))
		if st != http.StatusOK || hx.Get("Content-Type") != spreadsheet.XLSXType {
			t.Fatalf("export: %d %q", st, hx.Get("Content-Type"))
		}
		if s := spreadsheet.Read([]byte(xb)); len(s.Records) != before+2 {
			t.Errorf("the workbook has %d rows, want %d", len(s.Records), before+2)
		}
		st, hc, cb := dpo.get(follow(t, list, "CSV table"))
		if st != http.StatusOK || !strings.HasPrefix(hc.Get("Content-Type"), "text/csv") || !strings.Contains(cb, "Abonnements à la piscine") {
			t.Fatalf("CSV export: %d %q", st, hc.Get("Content-Type"))
		}
	})
}
