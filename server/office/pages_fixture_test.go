package office

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/registre/registre/auth/identity"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/server/publicsite"
	"github.com/registre/registre/sqlstore"
)

// pagesEnv is a back office over a small register of two organisations,
// served by a test server whose requests are signed in as the principal the
// test names (header X-Test-As): the page handlers are tested here, apart
// from sign-in (session.go), which has its own tests.
type pagesEnv struct {
	t     *testing.T
	svc   *register.Service
	o     *Office
	url   string
	as    map[string]*identity.Principal
	ids   map[string]string // name → processing id
	other string            // a processing of the other organisation
}

// pageHandlers are the handlers under test, by route pattern, as
// pageRoutes and Routes register them but without signedIn.
func (o *Office) pageHandlers() map[string]handler {
	return map[string]handler{
		"GET /office/{$}":                           o.home,
		"GET /office/processings/{id}":              o.processingPage,
		"GET /office/processings/{id}/history":      o.historyPage,
		"GET /office/processings/{id}/compare":      o.comparePage,
		"GET /office/processings/{id}/versions/{n}": o.versionPage,
		"GET /office/processings/{id}/notice.pdf":   o.noticePreview,
		"GET /office/processings/{id}/preview":      o.publicPreview,
		"GET /office/static/{file}":                 o.static,
	}
}

func newPagesEnv(t *testing.T, db *sqlstore.DB) *pagesEnv {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := register.NewService(db.Store(), register.WithLogger(log))
	pub := publicsite.New(publicsite.Config{Service: svc, Logger: log})
	o := New(Config{Service: svc, Logger: log, Public: pub})
	e := &pagesEnv{t: t, svc: svc, o: o, ids: map[string]string{}, as: map[string]*identity.Principal{
		"admin":    {Subject: "root", Role: identity.RoleAdmin},
		"dpo":      {Subject: "dora.dpo", Role: identity.RoleDPO, Org: "ville"},
		"editor":   {Subject: "eric.editeur", Role: identity.RoleEditor, Org: "ville", Units: []string{"etat-civil"}},
		"auditor":  {Subject: "aude.auditrice", Role: identity.RoleAuditor, Org: "ville"},
		"otherdpo": {Subject: "olga.dpo", Role: identity.RoleDPO, Org: "autre"},
	}}
	admin := e.as["admin"]
	for _, org := range []string{"ville", "autre"} {
		if _, err := svc.CreateOrganisation(ctx, admin, register.Organisation{Slug: org, Name: "Ville de " + org,
			DPOContact: "dpo@" + org + ".example.ch", LIPADContact: "lipad@" + org + ".example.ch"}); err != nil {
			t.Fatalf("organisation: %v", err)
		}
		for _, u := range [][2]string{{"etat-civil", "Service de l’état civil"}, {"informatique", "Service informatique"}} {
			if _, err := svc.CreateUnit(ctx, admin, org, register.Unit{Slug: u[0], Name: u[1]}); err != nil {
				t.Fatalf("unit: %v", err)
			}
		}
	}
	dpo, editor := e.as["dpo"], e.as["editor"]
	// "births": published as version 1, then changed (title and a
	// recipient) into a draft, version 2.
	p := e.create(dpo, "ville", complete("etat-civil", "Registre des naissances"))
	p = e.step(dpo, p, register.StepSubmit, "")
	p = e.step(dpo, p, register.StepPublish, "")
	f := p.Fields
	f.Title = "Registre des naissances et reconnaissances"
	f.Recipients = append(append([]register.Recipient{}, f.Recipients...), register.Recipient{Name: "Archives d’État", Type: register.RecipientPublicBody})
	f.InternalNotes = "Note interne confidentielle"
	p = e.update(dpo, p, f)
	e.ids["births"] = p.ID
	// "school": an editor's incomplete draft (no controller, no legal
	// basis), with sensitive data, returned by the DPO with a comment.
	s := complete("etat-civil", "Cantine scolaire")
	s.Controller = register.Party{}
	s.LegalBases = nil
	s.Reference = "SCO-7"
	s.DataCategories = append(s.DataCategories, register.DataCategory{Name: "régime alimentaire (santé)", Sensitive: true})
	sp := e.create(editor, "ville", s)
	sp = e.step(editor, sp, register.StepSubmit, "")
	sp = e.step(dpo, sp, register.StepReturn, "Ajoutez la base légale.")
	e.ids["school"] = sp.ID
	// "it": in review, in another unit.
	it := e.create(dpo, "ville", complete("informatique", "Comptes informatiques du personnel"))
	it = e.step(dpo, it, register.StepSubmit, "")
	e.ids["it"] = it.ID
	// another organisation's record, with a title the search would find.
	e.other = e.create(e.as["otherdpo"], "autre", complete("etat-civil", "Registre des naissances d’autre")).ID

	mux := http.NewServeMux()
	for pattern, h := range o.pageHandlers() {
		mux.Handle(pattern, o.serve(h))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if who := e.as[r.Header.Get("X-Test-As")]; who != nil {
			r = r.WithContext(withVisit(r.Context(), &visit{p: who, sess: &register.Session{CSRF: "test-form-token"}}))
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// complete is a record with everything the law asks for.
func complete(unit, title string) register.Fields {
	return register.Fields{
		Unit: unit, Title: title,
		Purpose:          "Tenir le registre de la commune.",
		Description:      "Inscription des événements annoncés.",
		PublicSummary:    "Nous enregistrons ces événements pour établir les actes.",
		Controller:       register.Party{Name: "Service de l’état civil", Contact: "etat-civil@example.ch"},
		LegalBases:       []register.LegalBasis{{Type: register.BasisLaw, Reference: "Ordonnance sur l’état civil (OEC), RS 211.112.2"}},
		DataSubjects:     []string{"nouveau-nés", "parents"},
		DataCategories:   []register.DataCategory{{Name: "identité"}, {Name: "filiation"}},
		Sources:          []string{"maternités"},
		Recipients:       []register.Recipient{{Name: "Office cantonal de la population", Type: register.RecipientPublicBody}},
		Retention:        register.Retention{Period: "P50Y", Disposal: register.DisposalArchive},
		SecurityMeasures: []register.SecurityMeasure{{Category: register.SecAccessControl}, {Category: register.SecLogging}},
	}
}

func (e *pagesEnv) create(p *identity.Principal, org string, f register.Fields) *register.Processing {
	e.t.Helper()
	pr, err := e.svc.CreateProcessing(context.Background(), p, org, f)
	if err != nil {
		e.t.Fatalf("create %q: %v", f.Title, err)
	}
	return pr
}

func (e *pagesEnv) update(p *identity.Principal, pr *register.Processing, f register.Fields) *register.Processing {
	e.t.Helper()
	next, err := e.svc.UpdateProcessing(context.Background(), p, pr.ID, pr.Revision, f)
	if err != nil {
		e.t.Fatalf("update %q: %v", f.Title, err)
	}
	return next
}

func (e *pagesEnv) step(p *identity.Principal, pr *register.Processing, s register.Step, comment string) *register.Processing {
	e.t.Helper()
	next, err := e.svc.Transition(context.Background(), p, pr.ID, s, &pr.Revision, comment)
	if err != nil {
		e.t.Fatalf("%s %q: %v", s, pr.Title, err)
	}
	return next
}

// get fetches a path as who, with an Accept-Language.
func (e *pagesEnv) get(who, path, acceptLang string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.url+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-Test-As", who)
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(b)
}

// mustGet fetches a page that must answer 200.
func (e *pagesEnv) mustGet(who, path string) string {
	e.t.Helper()
	st, _, body := e.get(who, path, "")
	if st != http.StatusOK {
		e.t.Fatalf("GET %s as %s: %d\n%s", path, who, st, excerpt(body))
	}
	return body
}

func excerpt(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// rowsOf returns the titles of the list's rows, in order.
func rowsOf(body string) []string {
	var out []string
	for _, part := range strings.Split(body, `<th scope="row">`)[1:] {
		i := strings.Index(part, ">")
		j := strings.Index(part, "</a>")
		if i < 0 || j < i {
			continue
		}
		out = append(out, htmlText(part[i+1:j]))
	}
	return out
}

// htmlText undoes the escapes html/template writes in text.
func htmlText(s string) string {
	return strings.NewReplacer("&#39;", "'", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}

var _ = dbtest.EachDB
