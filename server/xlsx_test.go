package server_test

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/spreadsheet"
	"github.com/registre/registre/sqlstore"
)

// sheetFields is what the export sheet carries of a record, as JSON for
// comparison.
func sheetFields(t *testing.T, p register.Processing) string {
	t.Helper()
	f := p.Fields
	for i := range f.Transfers {
		f.Transfers[i].Details = "" // the sheet names the country and the safeguard only
	}
	f.Retention.Disposal = ""
	f.DPIA, f.ReviewDue, f.CommonIdentifier, f.Information = register.DPIA{}, "", "", register.Information{}
	f.JointControllers, f.Processors, f.Accesses = nil, nil, nil
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type importResult struct {
	Imported int                   `json:"imported"`
	Items    []register.Processing `json:"items"`
}

// TestXLSXExportImportsAgainAsTheSameRecords: the CNIL example imported
// into carouge, exported as XLSX (GET /api/v1/processings.xlsx) and that
// workbook imported into onex (POST /api/v1/import as XLSX) gives records
// with the same fields the sheet carries; the workbook is another
// organisation's 404 and an editor's own.
func TestXLSXExportImportsAgainAsTheSameRecords(t *testing.T) {
	example, err := os.ReadFile("../docs/examples/registre-cnil.csv")
	if err != nil {
		t.Fatal(err)
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("carouge")
		e.Seed("onex")
		seedUnits(e, "carouge", "social", "ecoles")
		seedUnits(e, "onex", "social", "ecoles")
		var first, again importResult
		e.Must(201, "POST", "/api/v1/import", e.Token(auth.RoleDPO, "carouge"), example, "Content-Type: text/csv; charset=utf-8").JSON(t, &first)
		r := e.Must(200, "GET", "/api/v1/processings.xlsx", e.Token(auth.RoleAuditor, "carouge"), nil)
		if ct := r.Header.Get("Content-Type"); ct != spreadsheet.XLSXType || !strings.Contains(r.Header.Get("Content-Disposition"), "registre-carouge-") {
			t.Fatalf("Content-Type %q, Content-Disposition %q", ct, r.Header.Get("Content-Disposition"))
		}
		sheet := spreadsheet.Read(r.Body)
		if sheet.HeaderErr != "" || len(sheet.Records) != first.Imported {
			t.Fatalf("the workbook reads as %d rows (%s), want %d", len(sheet.Records), sheet.HeaderErr, first.Imported)
		}
		e.Must(201, "POST", "/api/v1/import", e.Token(auth.RoleDPO, "onex"), r.Body, "Content-Type: "+spreadsheet.XLSXType).JSON(t, &again)
		byRef := func(items []register.Processing) map[string]string {
			m := map[string]string{}
			for _, p := range items {
				m[p.Reference] = sheetFields(t, p)
			}
			return m
		}
		a, b := byRef(first.Items), byRef(again.Items)
		refs := make([]string, 0, len(a))
		for ref := range a {
			refs = append(refs, ref)
		}
		sort.Strings(refs)
		for _, ref := range refs {
			if a[ref] != b[ref] {
				t.Errorf("%s:\nimported   %s\nround trip %s", ref, a[ref], b[ref])
			}
		}
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%d records imported again, want %d", len(b), len(a))
		}
		e.Must(404, "GET", "/api/v1/processings.xlsx?org=onex", e.Token(auth.RoleDPO, "carouge"), nil)
		e.Must(200, "GET", "/api/v1/processings.xlsx", e.Token(auth.RoleEditor, "carouge"), nil)
		e.Must(422, "GET", "/api/v1/processings.xlsx", e.Token(auth.RoleAdmin, ""), nil)
		e.Must(401, "GET", "/api/v1/processings.xlsx", "", nil)
	})
}
