package office

import (
	"bytes"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

func TestEveryLabelHasFrenchAndEnglish(t *testing.T) {
	for k, v := range labelTable() {
		if strings.TrimSpace(v.fr) == "" || strings.TrimSpace(v.en) == "" {
			t.Errorf("label %q: fr %q, en %q", k, v.fr, v.en)
		}
	}
}

func TestEveryComplianceRuleHasItsMessageInBothLanguages(t *testing.T) {
	l := labelTable()
	for _, r := range register.Rules() {
		w, ok := l["rule."+r.ID]
		if !ok {
			t.Errorf("rule %s has no label", r.ID)
			continue
		}
		// The English is the rule table's own message: a rule reworded
		// there must be reworded here, in both languages.
		if w.en != r.Message {
			t.Errorf("rule %s: English label %q is not the rule's message %q", r.ID, w.en, r.Message)
		}
	}
}

// TestEveryFieldOfARecordIsLaidOut walks register.Fields: a field added to
// records and not to the pages would be neither shown nor compared.
func TestEveryFieldOfARecordIsLaidOut(t *testing.T) {
	v := &view{Lang: "en", labels: labelTable()}
	keys := map[string]bool{}
	for _, s := range v.sections(&register.Fields{}, nil) {
		for _, r := range s.Rows {
			keys[r.Key] = true
			if strings.Contains(r.Label, "⟦") {
				t.Errorf("row %s has no label", r.Key)
			}
		}
	}
	var walk func(typ reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			path := prefix + name
			if f.Type.Kind() == reflect.Struct && !keys[path] {
				walk(f.Type, path+".")
				continue
			}
			if !keys[path] {
				t.Errorf("field %s is on no page", path)
			}
		}
	}
	walk(reflect.TypeOf(register.Fields{}), "")
}

func TestPages(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newPagesEnv(t, db)
		t.Run("every page kind renders in French and English with every label", func(t *testing.T) { testEveryPageInBothLanguages(t, e) })
		t.Run("another organisation's record is 404 on every page", func(t *testing.T) { testOtherOrganisationIs404(t, e) })
		t.Run("filters, views, search and sort give the right rows", func(t *testing.T) { testListRows(t, e) })
		t.Run("a list query the list never offers is a 400 page", func(t *testing.T) { testListBadQuery(t, e) })
		t.Run("the processing page shows the findings with their laws", func(t *testing.T) { testFindings(t, e) })
		t.Run("history lists versions and steps with the return comment", func(t *testing.T) { testHistory(t, e) })
		t.Run("compare shows only the changed fields, before and after", func(t *testing.T) { testCompare(t, e) })
		t.Run("an auditor finds no control that changes anything", func(t *testing.T) { testAuditorReadsOnly(t, e) })
		t.Run("previews show the public shape, marked and not indexed", func(t *testing.T) { testPreviews(t, e) })
	})
}

// pageKinds are one URL of every page kind.
func (e *pagesEnv) pageKinds() map[string]string {
	b := "/office/processings/" + e.ids["births"]
	return map[string]string{
		"list":       "/office/",
		"list-q":     "/office/?q=naissances&status=draft",
		"processing": b,
		"returned":   "/office/processings/" + e.ids["school"],
		"history":    b + "/history",
		"compare":    b + "/compare?from=1&to=2",
		"version":    b + "/versions/1",
		"preview":    b + "/preview",
	}
}

var langAttr = regexp.MustCompile(`<html lang="([a-z]+)">`)

func testEveryPageInBothLanguages(t *testing.T, e *pagesEnv) {
	for kind, path := range e.pageKinds() {
		for _, lang := range []string{"fr", "en"} {
			st, h, body := e.get("dpo", path, lang+";q=1")
			if st != http.StatusOK {
				t.Errorf("%s (%s): status %d\n%s", kind, lang, st, excerpt(body))
				continue
			}
			if m := langAttr.FindStringSubmatch(body); m == nil || m[1] != lang {
				t.Errorf("%s (%s): <html lang> is %v", kind, lang, m)
			}
			if h.Get("Content-Language") != lang {
				t.Errorf("%s (%s): Content-Language %q", kind, lang, h.Get("Content-Language"))
			}
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s (%s): a label is missing: %s", kind, lang, body[i:min(len(body), i+60)])
			}
			if !strings.Contains(body, "?lang="+map[string]string{"fr": "en", "en": "fr"}[lang]) && !strings.Contains(body, "&amp;lang="+map[string]string{"fr": "en", "en": "fr"}[lang]) {
				t.Errorf("%s (%s): no switch to the other language", kind, lang)
			}
			if lang == "en" && kind == "processing" && !strings.Contains(body, `<h1 lang="fr">`) {
				t.Errorf("%s (en): the record's French title is not marked lang=fr", kind)
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s (%s): Cache-Control %q", kind, lang, h.Get("Cache-Control"))
			}
		}
	}
	// The English page is in English, the French one in French.
	if body := e.mustGet("dpo", "/office/?lang=en"); !strings.Contains(body, "Last change") {
		t.Error("the English list has no English column header")
	}
	if body := e.mustGet("dpo", "/office/?lang=fr"); !strings.Contains(body, "Dernière modification") {
		t.Error("the French list has no French column header")
	}
}

func testOtherOrganisationIs404(t *testing.T, e *pagesEnv) {
	id := e.other
	for _, path := range []string{"", "/history", "/compare?from=1&to=1", "/versions/1", "/notice.pdf", "/preview"} {
		for _, who := range []string{"dpo", "editor", "auditor"} {
			st, h, body := e.get(who, "/office/processings/"+id+path, "")
			if st != http.StatusNotFound {
				t.Errorf("%s as %s: status %d, want 404", path, who, st)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || strings.Contains(body, "naissances d’autre") || strings.Contains(body, "naissances d&rsquo;autre") {
				t.Errorf("%s as %s: not the plain 404 page (%s)", path, who, h.Get("Content-Type"))
			}
		}
	}
	// Its own organisation sees it; a missing id and a version that does
	// not exist answer the same 404.
	e.mustGet("otherdpo", "/office/processings/"+id)
	for _, path := range []string{"/office/processings/00000000-0000-0000-0000-000000000000", "/office/processings/nope",
		"/office/processings/" + e.ids["births"] + "/versions/99", "/office/processings/" + e.ids["births"] + "/versions/x",
		"/office/processings/" + e.ids["births"] + "/compare?from=1&to=99"} {
		if st, _, _ := e.get("dpo", path, ""); st != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, st)
		}
	}
	// The list never shows it.
	if rows := rowsOf(e.mustGet("dpo", "/office/?q=naissances")); slices.Contains(rows, "Registre des naissances d’autre") {
		t.Errorf("the list shows another organisation's record: %v", rows)
	}
}

func testListRows(t *testing.T, e *pagesEnv) {
	all := []string{"Cantine scolaire", "Comptes informatiques du personnel", "Registre des naissances et reconnaissances"}
	for _, c := range []struct {
		name, who, query string
		want             []string
	}{
		{"everything of the organisation", "dpo", "", all},
		{"an editor sees the organisation's records", "editor", "", all},
		{"status draft", "dpo", "status=draft", []string{"Cantine scolaire", "Registre des naissances et reconnaissances"}},
		{"status in review", "dpo", "status=in_review", []string{"Comptes informatiques du personnel"}},
		{"unit", "dpo", "unit=informatique", []string{"Comptes informatiques du personnel"}},
		{"search", "dpo", "q=cantine", []string{"Cantine scolaire"}},
		{"search by reference", "auditor", "q=SCO-7", []string{"Cantine scolaire"}},
		{"search and status", "dpo", "q=naissances&status=in_review", nil},
		{"sort by title ascending", "dpo", "sort=title&order=asc", all},
	} {
		body := e.mustGet(c.who, "/office/?"+c.query)
		got := rowsOf(body)
		want := c.want
		if !strings.HasPrefix(c.name, "sort") {
			slices.Sort(got)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: rows %q, want %q", c.name, got, want)
		}
		if len(want) == 0 && !strings.Contains(body, "Aucun traitement ne correspond") {
			t.Errorf("%s: no empty state", c.name)
		}
	}
	body := e.mustGet("dpo", "/office/?sort=title&order=asc&lang=en")
	if !strings.Contains(body, `aria-sort="ascending"`) || strings.Count(body, "aria-sort=") != 1 {
		t.Error("the sorted column does not say aria-sort=ascending, alone")
	}
	if !strings.Contains(body, "3 processings") {
		t.Error("the count is not shown")
	}
	if !strings.Contains(body, `role="region" tabindex="0"`) {
		t.Error("the table is not in a focusable labelled region")
	}
}

func testListBadQuery(t *testing.T, e *pagesEnv) {
	for _, q := range []string{"status=nope", "view=everything", "sort=colour", "order=up", "sensitive=maybe", "overdue=2", "cursor=garbage",
		"q=" + strings.Repeat("a", 201)} {
		st, h, body := e.get("dpo", "/office/?"+q, "")
		if st != http.StatusBadRequest || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("%s: status %d (%s), want a 400 page", q, st, h.Get("Content-Type"))
		}
		if !strings.Contains(body, "Demande incorrecte") {
			t.Errorf("%s: not the bad-request page", q)
		}
	}
}

func testFindings(t *testing.T, e *pagesEnv) {
	body := e.mustGet("dpo", "/office/processings/"+e.ids["school"]+"?lang=en")
	for _, want := range []string{"What blocks publication", "Blocking findings (", "Name the controller responsible for the processing",
		"Give at least one legal basis", "Required by", `href="#f-controller-name"`, `id="f-controller-name"`,
		"Returned for correction", "Ajoutez la base légale."} {
		if !strings.Contains(body, want) {
			t.Errorf("the returned draft's page lacks %q", want)
		}
	}
	// The law each finding cites is there: the organisation is under the LIPAD.
	if !strings.Contains(body, "LIPAD art. 43") {
		t.Error("the findings cite no LIPAD article")
	}
	body = e.mustGet("dpo", "/office/processings/"+e.ids["births"]+"?lang=fr")
	if !strings.Contains(body, "Rien ne bloque la publication.") {
		t.Error("the complete record is said to be blocked")
	}
	for _, want := range []string{"Registre des naissances et reconnaissances", "Archives d’État", "50 ans", "Note interne confidentielle", "Service de l’état civil (etat-civil)"} {
		if !strings.Contains(htmlText(body), want) {
			t.Errorf("the processing page lacks %q", want)
		}
	}
}

func testHistory(t *testing.T, e *pagesEnv) {
	body := htmlText(e.mustGet("auditor", "/office/processings/"+e.ids["births"]+"/history?lang=en"))
	for _, want := range []string{"Version 2", "Version 1", "Published", "Submitted for review", "Created", "Changed",
		"dora.dpo", "compare?from=1&amp;to=2", "Read version 1"} {
		if !strings.Contains(body, want) && !strings.Contains(body, strings.ReplaceAll(want, "&amp;", "&")) {
			t.Errorf("the history lacks %q", want)
		}
	}
	body = htmlText(e.mustGet("editor", "/office/processings/"+e.ids["school"]+"/history?lang=fr"))
	if !strings.Contains(body, "Renvoyé pour correction") || !strings.Contains(body, "Ajoutez la base légale.") {
		t.Error("the history does not show the return and its comment")
	}
	// An old version shows what it said then.
	body = htmlText(e.mustGet("auditor", "/office/processings/"+e.ids["births"]+"/versions/1?lang=en"))
	if !strings.Contains(body, "Version 1, saved on") || strings.Contains(body, "Archives d’État") {
		t.Error("version 1 is not shown as it was")
	}
}

func testCompare(t *testing.T, e *pagesEnv) {
	body := htmlText(e.mustGet("auditor", "/office/processings/"+e.ids["births"]+"/compare?from=1&to=2&lang=en"))
	changed := regexp.MustCompile(`<div class="change" id="c-([a-z_.]+)">`).FindAllStringSubmatch(body, -1)
	var keys []string
	for _, m := range changed {
		keys = append(keys, m[1])
	}
	slices.Sort(keys)
	if want := []string{"internal_notes", "recipients", "title"}; !slices.Equal(keys, want) {
		t.Errorf("changed fields %v, want %v", keys, want)
	}
	for _, want := range []string{"<del>", "<ins>", "Before", "After", "Registre des naissances et reconnaissances", "Archives d’État", "3 fields changed"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comparison lacks %q", want)
		}
	}
	// The unchanged recipient is listed without a mark; the new one is
	// marked added in words, not only by colour.
	if !strings.Contains(body, "added") || !strings.Contains(body, "removed") {
		t.Error("the changes are not told in words")
	}
	// A version compared with itself has no change.
	if body := e.mustGet("dpo", "/office/processings/"+e.ids["births"]+"/compare?from=2&to=2&lang=en"); !strings.Contains(body, "same content") {
		t.Error("a version compared with itself shows changes")
	}
	// Without from: the version before to.
	if body := e.mustGet("dpo", "/office/processings/"+e.ids["births"]+"/compare?lang=en"); !strings.Contains(body, "Compare versions 1 and 2") {
		t.Error("compare without parameters is not the last change")
	}
}

var (
	formTag   = regexp.MustCompile(`(?s)<form\b[^>]*>`)
	buttonTag = regexp.MustCompile(`(?s)<button\b[^>]*>(.*?)</button>`)
	inputTag  = regexp.MustCompile(`<input\b[^>]*>`)
)

func testAuditorReadsOnly(t *testing.T, e *pagesEnv) {
	for kind, path := range e.pageKinds() {
		body := e.mustGet("auditor", path)
		for _, f := range formTag.FindAllString(body, -1) {
			isFilter := strings.Contains(f, `method="get"`) && strings.Contains(f, `action="/office/"`)
			isSignOut := strings.Contains(f, `method="post"`) && strings.Contains(f, `action="/office/logout"`)
			if !isFilter && !isSignOut {
				t.Errorf("%s: a form that may change something: %s", kind, f)
			}
		}
		for _, b := range buttonTag.FindAllStringSubmatch(body, -1) {
			if label := strings.TrimSpace(b[1]); label != "Appliquer les filtres" && label != "Se déconnecter" {
				t.Errorf("%s: a button %q", kind, label)
			}
		}
		for _, in := range inputTag.FindAllString(body, -1) {
			if strings.Contains(in, `type="file"`) || strings.Contains(in, `formmethod`) {
				t.Errorf("%s: an input that may change something: %s", kind, in)
			}
		}
	}
}

func testPreviews(t *testing.T, e *pagesEnv) {
	path := "/office/processings/" + e.ids["births"] + "/preview?lang=en"
	st, h, body := e.get("auditor", path, "")
	if st != http.StatusOK {
		t.Fatalf("preview: %d", st)
	}
	for _, want := range []string{`<meta name="robots" content="noindex">`, "Preview — not published", "Registre des naissances et reconnaissances",
		"Archives d", "/office/processings/" + e.ids["births"]} {
		if !strings.Contains(body, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if strings.Contains(body, "Note interne confidentielle") {
		t.Error("the preview shows an internal field")
	}
	if h.Get("Cache-Control") != "no-store" || h.Get("X-Robots-Tag") != "noindex" {
		t.Errorf("preview headers: Cache-Control %q, X-Robots-Tag %q", h.Get("Cache-Control"), h.Get("X-Robots-Tag"))
	}
	// A draft never published previews too.
	e.mustGet("editor", "/office/processings/"+e.ids["school"]+"/preview")

	st, h, body = e.get("auditor", "/office/processings/"+e.ids["school"]+"/notice.pdf?lang=fr", "")
	if st != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Errorf("notice preview: %d %s %q", st, h.Get("Content-Type"), body[:min(len(body), 8)])
	}
}

// TestStylesheetKeepsThePublicOneInStep: the office's stylesheet starts
// with the public pages' rules, so that both look and behave alike.
func TestStylesheetKeepsThePublicOneInStep(t *testing.T) {
	pub, err := os.ReadFile("../publicsite/static/registre.css")
	if err != nil {
		t.Fatal(err)
	}
	own, err := assets.ReadFile("static/office.css")
	if err != nil {
		t.Fatal(err)
	}
	start := []byte("*, *::before")
	p, o := pub[bytes.Index(pub, start):], own[bytes.Index(own, start):]
	if !bytes.HasPrefix(o, bytes.TrimRight(p, "\n")) {
		t.Error("office.css does not start with registre.css's rules: copy them again")
	}
}

func TestListCaptionSaysHowItIsOrdered(t *testing.T) {
	v := &view{Lang: "en", labels: labelTable()}
	for _, c := range []struct {
		q    listQuery
		want string
		sort string // the column with aria-sort, and its value
	}{
		{listQuery{}, "sorted by last change (descending)", "updated descending"},
		{listQuery{Q: "école"}, "most relevant first", ""},
		{listQuery{Q: "école", Sort: "title", Order: "asc"}, "sorted by title (ascending)", "title ascending"},
		{listQuery{Sort: "blocking"}, "sorted by blocking findings (descending)", "blocking descending"},
	} {
		d := listData{Q: c.q}
		listChrome(v, &d)
		if !strings.Contains(d.Caption, c.want) {
			t.Errorf("%+v: caption %q, want %q", c.q, d.Caption, c.want)
		}
		var sorted []string
		for _, col := range d.Columns {
			if col.Sort != "" {
				sorted = append(sorted, col.Key+" "+col.Sort)
			}
		}
		if got := strings.Join(sorted, ","); got != c.sort {
			t.Errorf("%+v: sorted columns %q, want %q", c.q, got, c.sort)
		}
	}
}
