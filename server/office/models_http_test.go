package office_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

var editRE = regexp.MustCompile(`^/office/processings/([0-9a-f-]{36})/edit\?lang=`)

// TestModelsWithoutJavaScript: the DPO shares the published record from
// its page; the other organisation's DPO finds it among the models and
// starts a draft from it, which carries the public fields and not the
// internal notes, and whose history names the model; an auditor gets no
// link and 403.
func TestModelsWithoutJavaScript(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := apitest.Start(t, db)
		f := e2e.LoadOffice(t, e)
		dpo := signIn(t, e, f.Users["dpo"], f.Password)
		// Births is published (v1) with a draft v2 holding internal notes.
		page := dpo.page("/office/processings/" + f.Births + "?lang=en")
		mark := dpo.page(follow(t, page, "Share as a model"))
		st, hd, _ := dpo.post("/office/processings/"+f.Births+"/model", url.Values{"csrf": {dpo.token(mark)}, "do": {"on"}, "lang": {"en"}})
		if st != http.StatusSeeOther || !strings.Contains(dpo.page(hd.Get("Location")), "The processing is shared as a model.") {
			t.Fatalf("share: %d %q", st, hd.Get("Location"))
		}
		aud := signIn(t, e, f.Users["auditor"], f.Password)
		if strings.Contains(aud.page("/office/processings/"+f.Births+"?lang=en"), "Share as a model") {
			t.Error("an auditor is offered to share")
		}
		if st, _, _ := aud.get("/office/processings/" + f.Births + "/model"); st != http.StatusForbidden {
			t.Errorf("auditor: %d, want 403", st)
		}
		other := signIn(t, e, f.OtherDPO, f.Password)
		models := other.page("/office/models?lang=en")
		if !strings.Contains(models, e2e.OfficeBirthsV1) {
			t.Fatalf("the model is not listed:\n%s", models)
		}
		st, hd, _ = other.post("/office/models/"+f.Births+"/start", url.Values{"csrf": {other.token(models)}, "unit": {"etat-civil"}, "lang": {"en"}})
		m := editRE.FindStringSubmatch(hd.Get("Location"))
		if st != http.StatusSeeOther || m == nil {
			t.Fatalf("start: %d %q", st, hd.Get("Location"))
		}
		var cp register.Processing
		e.Must(200, "GET", "/api/v1/processings/"+m[1], e.Token(auth.RoleDPO, f.OtherOrg), nil).JSON(t, &cp)
		if cp.Title != e2e.OfficeBirthsV1 || cp.Organisation != f.OtherOrg || cp.InternalNotes != "" || cp.Reference != "" || cp.Controller.Name != "" {
			t.Fatalf("copy: %+v", cp.Fields)
		}
		var hist struct {
			Items []register.AuditEntry `json:"items"`
		}
		e.Must(200, "GET", "/api/v1/processings/"+m[1]+"/history", e.Token(auth.RoleDPO, f.OtherOrg), nil).JSON(t, &hist)
		found := false
		for _, h := range hist.Items {
			found = found || strings.Contains(h.Comment, "from model "+f.Org+"/"+f.Births)
		}
		if !found {
			t.Errorf("the history does not name the model: %+v", hist.Items)
		}
		if st, _, _ := aud.get("/office/models"); st != http.StatusForbidden {
			t.Errorf("auditor models: %d, want 403", st)
		}
	})
}
