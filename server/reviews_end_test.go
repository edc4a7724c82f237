package server_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/sqlstore"
)

// publishedWithDraft publishes a processing of geneve and opens a newer
// draft of it, submitted for review; it returns the id.
func publishedWithDraft(t *testing.T, e *apitest.Env, dpo, title string) string {
	t.Helper()
	r := e.Must(201, "POST", "/api/v1/processings", dpo, apitest.Complete("etat-civil", title))
	var p struct {
		ID string `json:"id"`
	}
	r.JSON(t, &p)
	e.Must(200, "POST", "/api/v1/processings/"+p.ID+"/submit", dpo, nil)
	r = e.Must(200, "POST", "/api/v1/processings/"+p.ID+"/publish", dpo, nil)
	e.Must(200, "PUT", "/api/v1/processings/"+p.ID, dpo, apitest.Complete("etat-civil", title+" (brouillon jamais publié)"), "If-Match: "+r.Header.Get("ETag"))
	e.Must(200, "POST", "/api/v1/processings/"+p.ID+"/submit", dpo, nil)
	return p.ID
}

// A DPO ends a processing whose newer draft waits for review: the draft is
// not published, stays in the history, and the public keeps a trace (410
// with the end date and reason, the page, the feed, ?include=ended).
func TestArchiveWithPendingDraftLeavesATraceWithoutPublishingTheDraft(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e, _ := startWithLog(t, db)
		e.Seed("geneve")
		dpo := e.Token(auth.RoleDPO, "geneve")
		id := publishedWithDraft(t, e, dpo, "Registre des chiens")
		keep := publishedWithDraft(t, e, dpo, "Registre des chats")

		e.Must(200, "GET", "/public/v1/processings/"+id, "", nil) // warm the cache
		e.Must(403, "POST", "/api/v1/processings/"+id+"/archive", e.Token(auth.RoleEditor, "geneve", "etat-civil"), nil)
		r := e.Must(422, "POST", "/api/v1/processings/"+id+"/archive", dpo, map[string]any{"ended_on": "30.11.2026", "reason": "x"})
		if !strings.Contains(string(r.Body), `"ended_on"`) {
			t.Errorf("bad date: got %s, want a field error on ended_on", r.Body)
		}
		r = e.Must(200, "POST", "/api/v1/processings/"+id+"/archive", dpo,
			map[string]any{"ended_on": "2026-11-30", "reason": "Remplacé par le guichet cantonal", "comment": "interne"})
		var head struct {
			Status           string `json:"status"`
			Version          int    `json:"version"`
			PublishedVersion int    `json:"published_version"`
		}
		r.JSON(t, &head)
		if head.Status != "archived" || head.Version != 2 || head.PublishedVersion != 1 {
			t.Fatalf("head: got %+v, want archived at version 2, published version 1", head)
		}
		e.Must(409, "POST", "/api/v1/processings/"+id+"/archive", dpo, nil)

		// The draft stays in the history, never published.
		var versions struct {
			Items []struct {
				Version int    `json:"version"`
				Status  string `json:"status"`
			} `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/processings/"+id+"/versions", dpo, nil).JSON(t, &versions)
		var got []string
		for _, v := range versions.Items {
			got = append(got, v.Status)
		}
		if len(versions.Items) != 2 || versions.Items[0].Status == "published" || versions.Items[1].Status != "published" {
			t.Errorf("versions: got %v, want the draft unpublished above the published version 1", got)
		}

		// 410 Gone with the public facts only.
		r = e.Must(410, "GET", "/public/v1/processings/"+id, "", nil)
		var gone map[string]any
		r.JSON(t, &gone)
		var keys []string
		for k := range gone {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "ended_on,id,organisation,reason,title" ||
			gone["ended_on"] != "2026-11-30" || gone["reason"] != "Remplacé par le guichet cantonal" ||
			gone["title"] != "Registre des chiens" || gone["organisation"] != "geneve" {
			t.Errorf("410 body: got %s", r.Body)
		}
		if strings.Contains(string(r.Body), "jamais publié") || strings.Contains(string(r.Body), "interne") {
			t.Errorf("410 body shows the draft or the internal comment: %s", r.Body)
		}
		e.Must(404, "GET", "/public/v1/processings/00000000-0000-4000-8000-000000000000", "", nil)

		page := e.Must(410, "GET", "/processings/"+id+"?lang=fr", "", nil)
		for _, want := range []string{"Registre des chiens", "30\u00a0novembre 2026", "Remplacé par le guichet cantonal"} {
			if !strings.Contains(string(page.Body), want) {
				t.Errorf("page: %q missing", want)
			}
		}

		// Lists leave it out unless asked.
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			Total int               `json:"total"`
			Ended []json.RawMessage `json:"ended"`
		}
		e.Must(200, "GET", "/public/v1/processings?org=geneve", "", nil).JSON(t, &list)
		if list.Total != 1 || list.Items[0].ID != keep || list.Ended != nil {
			t.Errorf("list: got %+v, want only the other processing, no endings", list)
		}
		list.Ended = nil
		e.Must(200, "GET", "/public/v1/processings?org=geneve&include=ended", "", nil).JSON(t, &list)
		if list.Total != 1 || len(list.Ended) != 1 || !strings.Contains(string(list.Ended[0]), id) {
			t.Errorf("list with endings: got %+v", list)
		}
		e.Must(400, "GET", "/public/v1/processings?include=drafts", "", nil)
		org := e.Must(200, "GET", "/organisations/geneve?include=ended&lang=fr", "", nil)
		if !strings.Contains(string(org.Body), "Registre des chiens") {
			t.Errorf("organisation page with include=ended does not list the ending")
		}
		if org := e.Must(200, "GET", "/organisations/geneve?lang=fr", "", nil); strings.Contains(string(org.Body), "Registre des chiens") {
			t.Errorf("organisation page lists the ending unasked")
		}

		// The feed has the archiving, with how it ended.
		feed := string(e.Must(200, "GET", "/public/v1/feed.atom?org=geneve&lang=fr", "", nil).Body)
		if !strings.Contains(feed, "Registre des chiens</title>") || !strings.Contains(feed, "Remplacé par le guichet cantonal") {
			t.Errorf("feed lacks the archiving: %s", feed)
		}
		// The transparency log records the archiving as of today, whatever
		// the end date (records 0 and 1 are the two publications).
		rec := e.Must(200, "GET", "/public/v1/log/records/2", "", nil).Map(t)
		if rec["event"] != "archive" || rec["processing_id"] != id ||
			!strings.Contains(rec["record"].(string), time.Now().UTC().Format(time.DateOnly)) {
			t.Errorf("log record 2: got %v, want the archiving of %s dated today", rec, id)
		}
		// The audit trail says the draft was left unpublished.
		audit := string(e.Must(200, "GET", "/api/v1/audit?target=processing/"+id, dpo, nil).Body)
		if !strings.Contains(audit, "draft version 2 not published") {
			t.Errorf("audit lacks the archiving's comment: %s", audit)
		}
	})
}
