package server_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// The notice PDF of a processing that ended answers as its JSON does: 410
// Gone with the same body ({"id","organisation","title","ended_on",
// "reason"}), in every language, even to a client holding the ETag of the
// notice it downloaded before; it links to the page that says it in words.
// A processing never published stays 404; another one's notice is still a
// PDF.
func TestEndedProcessingsNoticeIsGone(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e, _ := startWithLog(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		id := publishedWithDraft(t, e, dpo, "Registre des chiens")
		keep := publishedWithDraft(t, e, dpo, "Registre des chats")
		notice := "/public/v1/processings/" + id + "/notice.pdf"
		before := e.Must(200, "GET", notice+"?lang=fr", "", nil)
		if !bytes.HasPrefix(before.Body, []byte("%PDF-")) {
			t.Fatalf("the notice before the end is not a PDF")
		}
		e.Must(200, "POST", "/api/v1/processings/"+id+"/archive", dpo, map[string]any{"ended_on": "2026-11-30", "reason": "Remplacé par le guichet <cantonal>"})

		want := e.Must(410, "GET", "/public/v1/processings/"+id, "", nil)
		for _, tc := range []struct{ name, query, header string }{
			{"French", "?lang=fr", ""},
			{"English", "?lang=en", ""},
			{"NoLanguage", "", ""},
			{"StaleETag", "?lang=fr", "If-None-Match: " + before.Header.Get("ETag")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var headers []string
				if tc.header != "" {
					headers = append(headers, tc.header)
				}
				r := e.Do("GET", notice+tc.query, "", nil, headers...)
				if r.Status != 410 {
					t.Fatalf("got %d, want 410: %s", r.Status, r.Body)
				}
				if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q, want application/json", ct)
				}
				if !bytes.Equal(r.Body, want.Body) {
					t.Errorf("body %s, want the JSON's 410 body %s", r.Body, want.Body)
				}
				if link := r.Header.Get("Link"); link != "</processings/"+id+`>; rel="alternate"; type="text/html"` {
					t.Errorf("Link %q, want the page", link)
				}
				if r.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("no nosniff")
				}
			})
		}
		e.Must(404, "GET", "/public/v1/processings/00000000-0000-4000-8000-000000000000/notice.pdf", "", nil)
		e.Must(404, "GET", "/public/v1/processings/not-an-id/notice.pdf", "", nil)
		if r := e.Must(200, "GET", "/public/v1/processings/"+keep+"/notice.pdf", "", nil); !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Errorf("the other processing's notice is not a PDF")
		}
	})
}
