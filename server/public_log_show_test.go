package server_test

import (
	"encoding/hex"
	"html"
	"strconv"
	"strings"
	"testing"

	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
	"github.com/registre/registre/translog"
)

// TestPageAndNoticeShowTheLogRecord: the page and the notice of a
// published processing, in both languages, print the index of its publish
// record and the fingerprint of its stored JSON, and the log's own record
// at that index confirms both (the same processing, version and SHA-256 of
// the JSON the API serves).
func TestPageAndNoticeShowTheLogRecord(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e, _ := startWithLog(t, db)
		e.Seed("geneve")
		publishOne(t, e, "geneve", "Premier traitement")
		id := publishOne(t, e, "geneve", "Second traitement") // record 1, not 0

		pub := e.Must(200, "GET", "/public/v1/processings/"+id, "", nil)
		sum := translog.Fingerprint(translog.TrimServed(pub.Body))
		want := hex.EncodeToString(sum[:])
		const index = 1
		rec := e.Must(200, "GET", "/public/v1/log/records/"+strconv.Itoa(index), "", nil).Map(t)
		if rec["processing_id"] != id || rec["event"] != "publish" || rec["sha256"] != want {
			t.Fatalf("record %d: %v, want the publish of %s with sha256 %s", index, rec, id, want)
		}

		for lang, sentence := range map[string]string{
			"fr": "Inscrit au journal de transparence sous le n° 1 ; empreinte SHA-256 du JSON publié :",
			"en": "Recorded in the transparency log as no. 1; SHA-256 fingerprint of the published JSON:",
		} {
			page := html.UnescapeString(string(e.Must(200, "GET", "/processings/"+id+"?lang="+lang, "", nil).Body))
			for _, s := range []string{sentence, want, `href="/public/v1/log/inclusion?index=1"`} {
				if !strings.Contains(flat(page), s) {
					t.Errorf("page %s: no %q", lang, s)
				}
			}
			notice := flat(pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang="+lang, "", nil).Body))
			for _, s := range []string{sentence, want} {
				if !strings.Contains(notice, s) {
					t.Errorf("notice %s: no %q in\n%s", lang, s, notice)
				}
			}
		}
	})
}

// TestNoLogNoRecordShown: without a transparency log, the page and the
// notice print no publication record.
func TestNoLogNoRecordShown(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		e.Seed("geneve")
		id := publishOne(t, e, "geneve", "Sans journal")
		for _, lang := range []string{"fr", "en"} {
			page := string(e.Must(200, "GET", "/processings/"+id+"?lang="+lang, "", nil).Body)
			notice := pdfText(t, e.Must(200, "GET", "/public/v1/processings/"+id+"/notice.pdf?lang="+lang, "", nil).Body)
			for name, text := range map[string]string{"page": page, "notice": notice} {
				if strings.Contains(text, "SHA-256") || strings.Contains(text, "log/inclusion") {
					t.Errorf("%s %s shows a log record without a log", name, lang)
				}
			}
		}
	})
}
