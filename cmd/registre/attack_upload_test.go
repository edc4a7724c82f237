package main

// Hostile spreadsheets sent to the import over HTTP (POST /api/v1/import,
// the path the office's import wizard shares through
// register.Service.PreviewImport): a zip bomb, a body over the limit, too
// many rows, a row too wide, a workbook cut short. Each gets a clear 4xx
// problem+json, writes nothing, and the bomb costs the server no more
// memory than its small body.

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/spreadsheet"
)

// bombXLSX is a zip archive of a few tens of kilobytes whose worksheet
// unzips to 64 MiB.
func bombXLSX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("<x/>")); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 64 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func wideXLSX(t *testing.T) []byte {
	t.Helper()
	x, err := spreadsheet.NewXLSX("Registre", []string{"Nom du traitement", "Finalité"})
	if err != nil {
		t.Fatal(err)
	}
	row := make([]string, spreadsheet.MaxXLSXColumns+5)
	row[0], row[len(row)-1] = "Large", "fin"
	if err := x.Row(row); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestAttackUploadBounds(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("carouge")
		dpo := tg.token(auth.RoleDPO, "carouge")
		rows := strings.Repeat("Aide;Aider\n", 5001)
		wide := wideXLSX(t)
		cut := wide[:len(wide)/2]
		bomb := bombXLSX(t)
		t.Logf("bomb: %d bytes, 64 MiB unzipped", len(bomb))
		for _, c := range []struct {
			name, ctype string
			body        []byte
			status      int
			says        string
		}{
			{"ZipBomb", spreadsheet.XLSXType, bomb, 422, "unzips to more than"},
			{"OverOneMiB", "text/csv", bytes.Repeat([]byte("a;b\n"), (1<<20)/4+10), 413, "at most"},
			{"TooManyRows", "text/csv", []byte("Nom du traitement;Finalité\n" + rows), 422, "more than 5000 rows"},
			{"RowTooWide", spreadsheet.XLSXType, wide, 422, "columns"},
			{"WorkbookCutShort", spreadsheet.XLSXType, cut, 422, "XLSX"},
			{"NotASpreadsheetType", "application/zip", bomb, 415, "XLSX"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := tg.auditEntries()
				tg.resetPeak()
				base := tg.rssKB()
				resp, body := tg.send(request{method: "POST", path: "/api/v1/import?unit=etat-civil", body: bytes.NewReader(c.body),
					header: map[string]string{"Authorization": "Bearer " + dpo, "Content-Type": c.ctype}})
				p := problemOf(t, resp, body, c.status)
				if text := fmt.Sprint(p["detail"], p["errors"]); !strings.Contains(text, c.says) {
					t.Errorf("the problem does not say %q: %s", c.says, truncate(body, 400))
				}
				grew := tg.peakKB() - base
				t.Logf("%s: %d, peak memory +%d KiB", c.name, resp.StatusCode, grew)
				if grew > 48<<10 {
					t.Errorf("the server's peak memory grew by %d KiB", grew)
				}
				tg.wroteNothing(before)
			})
		}
	})
}

// officeUpload posts a multipart form with the browser's cookies: fields,
// then each file as a part named file.
func (b *officeBrowser) officeUpload(path string, fields url.Values, files ...[]byte) (*http.Response, string) {
	tg := b.tg
	tg.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				tg.t.Fatal(err)
			}
		}
	}
	for i, data := range files {
		fw, err := mw.CreateFormFile("file", fmt.Sprintf("registre-%d.xlsx", i))
		if err != nil {
			tg.t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			tg.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tg.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", tg.base+path, &body)
	if err != nil {
		tg.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	client := *tg.http
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		tg.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp, string(raw)
}

// TestAttackOfficeImportUploads: the office's import wizard, signed in as a
// DPO, gets a zip bomb, two files, a body over 1 MiB and another
// organisation's preview: each is an HTML page of its 4xx, nothing is
// written, and no preview is staged for the bomb.
func TestAttackOfficeImportUploads(t *testing.T) {
	eachTarget(t, nil, func(t *testing.T, tg *target) {
		tg.seed("ville-a")
		tg.addUser("dpo@ville-a.ch")
		b := &officeBrowser{tg: tg}
		if resp := b.officeSignIn("dpo@ville-a.ch", ownerPassword, nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		_, page := b.officeSend("GET", "/office/import", nil, nil)
		token := b.formToken(page)
		bomb := bombXLSX(t)
		big := bytes.Repeat([]byte("x"), 1<<20+1)
		for _, c := range []struct {
			name   string
			files  [][]byte
			want   int
			says   string
			staged bool
		}{
			{"ZipBomb", [][]byte{bomb}, http.StatusUnprocessableEntity, "unzips to more than", false},
			{"TwoFiles", [][]byte{bomb, bomb}, http.StatusBadRequest, "", false},
			{"OverOneMiB", [][]byte{big}, http.StatusRequestEntityTooLarge, "", false},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := tg.auditEntries()
				tg.resetPeak()
				base := tg.rssKB()
				resp, body := b.officeUpload("/office/import", url.Values{"csrf": {token}, "lang": {"en"}}, c.files...)
				isPage(t, resp, body, c.want)
				if c.says != "" && !strings.Contains(body, c.says) {
					t.Errorf("the page does not say %q", c.says)
				}
				if loc := resp.Header.Get("Location"); loc != "" {
					t.Errorf("redirected to %s: a preview was staged", loc)
				}
				grew := tg.peakKB() - base
				t.Logf("%s: %d, peak memory +%d KiB", c.name, resp.StatusCode, grew)
				if grew > 48<<10 {
					t.Errorf("the server's peak memory grew by %d KiB", grew)
				}
				tg.wroteNothing(before)
			})
		}
		// Another organisation's DPO, or a made-up id, meets the same 404.
		resp, body := b.officeSend("GET", "/office/import/0123456789abcdef0123456789abcdef", nil, nil)
		isPage(t, resp, body, http.StatusNotFound)
		before := tg.auditEntries()
		resp, body = b.officeSend("POST", "/office/import/0123456789abcdef0123456789abcdef", url.Values{"csrf": {token}}, nil)
		isPage(t, resp, body, http.StatusNotFound)
		tg.wroteNothing(before)
	})
}
