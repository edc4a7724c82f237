package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// The words the flow types and looks for.
const (
	flowTitle     = "Fichier des chiens de la commune"
	flowComment   = "Précisez le délai de conservation des dossiers."
	flowSecondEd  = "emma.editrice"
	flowTheirs    = "Cantine scolaire et restaurant"
	flowMine      = "Cantine des écoles primaires"
	flowLawRef    = "Loi sur les chiens (LChiens), rsGE M 3 45"
	flowLawRef2   = "Règlement d’application de la loi sur les chiens, rsGE M 3 45.01"
	flowRecipient = "Service de la consommation et des affaires vétérinaires"
)

var processingPathRE = regexp.MustCompile(`/office/processings/([0-9a-f-]{36})`)

// TestOfficeFlowInBrowser is the journey of issue 16 in headless Chromium,
// one browser per database: an editor creates a processing (the empty form
// and its inline errors pass axe-core, focus goes to the error summary),
// fills it section by section with several rows of repeatable groups
// (inline errors again, fixed), completes one section with the keyboard
// alone, checks the answers and submits; the DPO finds it in "waiting for
// my review", reads the review page (never published: every field new)
// and returns it with a comment; the editor reads the comment on the
// record and in "returned to me", edits, resubmits; the DPO publishes and
// the public page shows it; two editors save the same record and the
// second sees both inputs. Every form state (empty, with errors, conflict)
// and every workflow page passes axe-core's WCAG 2.2 A/AA rules at 1280
// and 375 px.
func TestOfficeFlowInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	shots := os.Getenv(envScreenshots)
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		start := time.Now()
		env := apitest.Start(t, db, func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		f := e2e.LoadOffice(t, env)
		env.Must(201, "POST", "/api/v1/users", env.Token(auth.RoleAdmin, ""), map[string]any{
			"username": flowSecondEd, "password": f.Password, "role": "editor", "org": f.Org, "units": []string{"etat-civil"}})
		ctx := startBrowser(t, chrome)
		b := &flowBrowser{officeBrowser: &officeBrowser{t: t, ctx: ctx, env: env, axe: string(axe), shots: shots}}
		editor, dpo := f.Users["editor"], f.Users["dpo"]
		var id string
		base := func(p string) string { return "/office/processings/" + id + p }

		t.Run("the workflow's pages pass axe-core in every state", func(t *testing.T) {
			b := b.withT(t)
			admin := env.Token(auth.RoleAdmin, "")
			dpoTok := env.Token(auth.RoleDPO, f.Org)
			b.signIn(dpo, f.Password)
			// A record the DPO submits, then reviews against its
			// published version.
			b.open("/office/processings/"+f.Births+"?lang=en", 200)
			b.pressCSS(`.wf-actions a[href*="/submit"]`)
			b.axeHere("confirm-open")
			b.pressCSS(`form.confirm button[type=submit]`)
			b.axeHere("record-banner")
			b.pressCSS(`.wf-actions a[href*="/review"]`)
			if b.count(".marked-changed") != 2 || b.count("del") == 0 || b.count("ins") == 0 {
				t.Errorf("the review marks %d fields changed", b.count(".marked-changed"))
			}
			b.axeHere("review-changed")
			// A comment too long: the error summary takes focus.
			b.open("/office/processings/"+f.Accounts+"/return?lang=en", 200)
			b.set("comment", strings.Repeat("Trop long. ", 200))
			b.pressCSS(`form.confirm button[type=submit]`)
			b.mustFocusErrorSummary("the return's form")
			b.axeHere("confirm-errors")
			// A stale form.
			b.open("/office/processings/"+f.Accounts+"/publish?lang=en", 200)
			cur := env.WithT(t).Must(200, "GET", "/api/v1/processings/"+f.Accounts, admin, nil)
			body := apitest.Complete("informatique", e2e.OfficeAccounts)
			env.WithT(t).Must(200, "PUT", "/api/v1/processings/"+f.Accounts, dpoTok, body, "If-Match: "+cur.Header.Get("ETag"))
			b.pressCSS(`form.confirm button[type=submit]`)
			if !strings.Contains(b.text(".error-summary"), "Someone changed this processing") {
				t.Errorf("a stale form: %q", b.text("main"))
			}
			b.axeHere("confirm-stale")
			// A blocked publication.
			blocked := apitest.Complete("etat-civil", "Registre sans base légale")
			blocked["legal_bases"] = []any{}
			bid := env.WithT(t).Must(201, "POST", "/api/v1/processings", dpoTok, blocked).Map(t)["id"].(string)
			env.WithT(t).Must(200, "POST", "/api/v1/processings/"+bid+"/submit", dpoTok, nil)
			b.open("/office/processings/"+bid+"/publish?lang=en", 200)
			if b.count("li.finding-blocks") == 0 || b.count("form.confirm") != 0 {
				t.Errorf("a blocked publication: %q", b.text("main"))
			}
			b.axeHere("confirm-blocked")
			// Delete a draft: the list's banner.
			b.open("/office/processings/"+bid+"/return?lang=en", 200)
			b.pressCSS(`form.confirm button[type=submit]`)
			b.pressCSS(`.wf-actions a[href*="/delete"]`)
			b.axeHere("confirm-delete")
			b.pressCSS(`form.confirm button[type=submit]`)
			b.mustBeAt("/office/")
			if !strings.Contains(b.text(".banner-success"), "deleted for good") {
				t.Errorf("no banner after deleting: %q", b.text("main"))
			}
			b.axeHere("list-deleted")
			// The history, with saves grouped.
			b.open("/office/processings/"+f.Births+"/history?lang=en", 200)
			b.axeHere("history")
			// French too.
			b.open("/office/processings/"+f.Births+"/review?lang=fr", 200)
			b.axeHere("review-fr")
			b.signOut()
		})

		b.signIn(editor, f.Password)
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(env.URL+"/office/processings/new"))
		b.signOut()
		if err != nil || resp.Status == 404 {
			t.Skip("the forms of issue 16 (branch forms) are not merged: nothing writes a draft in the browser yet")
		}

		t.Run("an editor creates a processing and meets inline errors", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(editor, f.Password)
			b.open("/office/?lang=en", 200)
			b.press("new")
			b.axeHere("new-empty")
			b.set("f-unit", "etat-civil") // (without a unit an editor is refused, 403: a defect of the form, reported)
			b.press("create")             // nothing typed
			b.mustFocusErrorSummary("the new processing's form")
			if n := b.count(`.error-summary a`); n < 2 {
				t.Errorf("the error summary lists %d errors", n)
			}
			b.axeHere("new-errors")
			b.set("f-unit", "etat-civil")
			b.set("f-title", flowTitle)
			b.set("f-purpose", "Tenir le fichier des chiens annoncés par leurs détenteurs.")
			b.press("create")
			m := processingPathRE.FindStringSubmatch(b.facts().Location)
			if m == nil {
				t.Fatalf("after creating: at %s", b.facts().Location)
			}
			id = m[1]
		})
		if id == "" {
			t.FailNow()
		}

		t.Run("the editor fills the sections, with several rows of groups", func(t *testing.T) {
			b := b.withT(t)
			b.section(id, "controller", map[string]string{"f-controller-name": "Service vétérinaire communal", "f-controller-contact": "veterinaire@example.ch"})

			b.open(base("/edit/legal?lang=en"), 200)
			b.axeHere("section-empty")
			b.press("add-legal-bases")
			b.set("f-legal_bases-0-type", "law")
			b.set("f-legal_bases-0-reference", flowLawRef)
			b.press("add-legal-bases") // add another
			b.set("f-legal_bases-1-type", "legal_obligation")
			b.set("f-legal_bases-1-reference", flowLawRef2)
			b.set("f-legal_bases-1-url", "pas une adresse")
			b.press("save")
			b.mustFocusErrorSummary("the legal bases' form")
			if v := b.value("f-legal_bases-1-reference"); v != flowLawRef2 {
				t.Errorf("the input was lost: %q", v)
			}
			b.axeHere("section-errors")
			b.set("f-legal_bases-1-url", "")
			b.press("save")
			b.mustBeAt(base("/edit"))

			b.section(id, "recipients", nil, func() {
				b.press("add-recipients")
				b.set("f-recipients-0-name", flowRecipient)
				b.set("f-recipients-0-type", "public_body")
				b.press("add-recipients")
				b.set("f-recipients-1-name", "Office cantonal de la population")
				b.set("f-recipients-1-type", "public_body")
			})
			b.section(id, "retention", map[string]string{"f-retention-period": "P10Y"})
			b.section(id, "security", nil, func() {
				b.press("add-security-measures")
				b.set("f-security_measures-0-category", "access_control")
				b.press("add-security-measures")
				b.set("f-security_measures-1-category", "logging")
			})
			b.section(id, "summary", map[string]string{"f-public_summary": "Nous tenons le fichier des chiens pour la police des chiens."})
		})

		t.Run("the keyboard alone completes a section form", func(t *testing.T) {
			b := b.withT(t)
			b.open(base("/edit/people?lang=en"), 200)
			b.tabTo("add-data-subjects")
			b.key(kb.Enter) // add a row: the page comes back with focus in it
			b.waitFocus("f-data_subjects-0")
			b.key("détenteurs de chiens")
			b.tabTo("add-data-categories")
			b.key(kb.Enter)
			b.waitFocus("f-data_categories-0-name")
			b.key("identité du détenteur")
			b.tabTo("add-data-categories")
			b.key(kb.Enter)
			b.waitFocus("f-data_categories-1-name")
			b.key("signalement du chien")
			b.tabTo("f-data_categories-1-sensitive")
			checked := func() string {
				return b.eval(`String(document.getElementById('f-data_categories-1-sensitive').checked)`)
			}
			b.key(" ")
			if checked() != "true" {
				t.Error("Space does not check the box")
			}
			b.key(" ") // and unchecks it: not sensitive after all
			if checked() != "false" {
				t.Error("Space does not uncheck the box")
			}
			b.tabTo("save")
			b.key(kb.Enter)
			b.waitAt(base("/edit"))
			got := b.env.WithT(t).Must(200, "GET", "/api/v1/processings/"+id, b.env.Token(auth.RoleAdmin, ""), nil).Map(t)
			if s := fmt.Sprint(got["data_subjects"], got["data_categories"]); !strings.Contains(s, "détenteurs de chiens") ||
				!strings.Contains(s, "signalement du chien") || strings.Contains(s, "sensitive:true") {
				t.Errorf("saved by keyboard: %s", s)
			}
		})

		t.Run("the editor checks the answers and submits", func(t *testing.T) {
			b := b.withT(t)
			b.open(base("/check?lang=en"), 200)
			if n := b.count(`.findings li.finding-blocks`); n != 0 {
				t.Fatalf("%d findings still block: %s", n, b.text(".findings"))
			}
			b.press("submit")
			b.mustBeAt(base("/submit"))
			b.axeHere("confirm-submit")
			b.pressCSS(`form.confirm button[type=submit]`)
			b.mustBeAt(base(""))
			if !strings.Contains(b.text(".banner-success"), "waiting for the DPO’s review") {
				t.Errorf("banner: %q", b.text(".banner-success"))
			}
			b.axeHere("record-submitted")
			b.signOut()
		})

		t.Run("the DPO reviews it and returns it with a comment", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(dpo, f.Password)
			b.open("/office/?view=to-review&lang=en", 200)
			b.pressCSS(fmt.Sprintf(`table.register a[href^="/office/processings/%s/review"]`, id))
			b.mustBeAt(base("/review"))
			if !strings.Contains(b.text("main"), "Never published: every field is new.") || b.count(".tag-new") < 10 {
				t.Errorf("the review page does not mark every field new (%d)", b.count(".tag-new"))
			}
			b.axeHere("review")
			b.set("comment", flowComment)
			b.pressCSS(`form[action$="/return"] button[type=submit]`)
			b.mustBeAt(base(""))
			if !strings.Contains(b.text(".banner-success"), "The editor will see your comment.") {
				t.Errorf("banner: %q", b.text(".banner-success"))
			}
			b.signOut()
		})

		t.Run("the editor reads the comment, edits and resubmits", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(editor, f.Password)
			b.open("/office/?view=returned&lang=en", 200)
			if !strings.Contains(b.text("table.register"), flowComment) {
				t.Errorf("returned to me does not show the comment: %q", b.text("table.register"))
			}
			b.open(base("?lang=en"), 200)
			if !strings.Contains(b.text(".returned"), flowComment) {
				t.Errorf("the record does not show the comment: %q", b.text(".returned"))
			}
			b.section(id, "retention", map[string]string{"f-retention-trigger": "fin de la détention du chien"})
			b.open(base("/check?lang=en"), 200)
			b.press("submit")
			b.pressCSS(`form.confirm button[type=submit]`)
			b.mustBeAt(base(""))
			b.signOut()
		})

		t.Run("the DPO publishes; the public page shows it", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(dpo, f.Password)
			b.open(base("/review?lang=en"), 200)
			b.pressCSS(`form[action$="/publish"] button[type=submit]`)
			b.mustBeAt(base(""))
			if !strings.Contains(b.text(".banner-success"), "is on the public register") {
				t.Errorf("banner: %q", b.text(".banner-success"))
			}
			b.axeHere("record-published")
			b.pressCSS(`.banner-success a`)
			if h1 := b.text("h1"); !strings.Contains(h1, flowTitle) {
				t.Errorf("the public page's heading: %q", h1)
			}
			b.signOut()
		})

		t.Run("two editors save the same record: the second sees both inputs", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(editor, f.Password)
			form := "/office/processings/" + f.Canteen + "/edit/purpose?lang=en"
			b.open(form, 200)
			// The other editor, in a browser of their own, saves first.
			other := b.newWindow()
			other.signIn(flowSecondEd, f.Password)
			other.open(form, 200)
			other.set("f-title", flowTheirs)
			other.press("save")
			other.mustBeAt("/office/processings/" + f.Canteen + "/edit")
			b.set("f-title", flowMine)
			b.press("save")
			if b.count("#conflict") != 1 {
				t.Fatalf("no conflict shown: %q", b.text("main"))
			}
			if v := b.value("f-title"); v != flowMine {
				t.Errorf("my input was lost: %q", v)
			}
			if !strings.Contains(b.text("#conflict"), flowTheirs) && !strings.Contains(b.text(".theirs"), flowTheirs) {
				t.Errorf("the other person's title is not shown: %q", b.text("main"))
			}
			b.axeHere("section-conflict")
			b.signOut()
		})
		t.Logf("the flow took %v", time.Since(start))
	})
}

// flowBrowser drives forms: it types, presses buttons and checks where
// the browser lands.
type flowBrowser struct{ *officeBrowser }

func (b *flowBrowser) withT(t *testing.T) *flowBrowser {
	return &flowBrowser{b.officeBrowser.withT(t)}
}

// newWindow is another person's browser: a browser context of its own (its
// own cookies) in the same Chromium.
func (b *flowBrowser) newWindow() *flowBrowser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	c := *b.officeBrowser
	c.ctx = ctx
	return &flowBrowser{&c}
}

// set puts value in the input, select or textarea of id (waiting for it
// while the page loads). chromedp.SetValue cannot set "" (it reads the
// value back as null).
func (b *flowBrowser) set(id, value string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.getElementById(%q); if (!e) return 'missing'; e.value = %q; return e.value === %q ? 'ok' : 'refused'; })()`, id, value, value)
	got := ""
	for range 100 {
		if got = b.eval(js); got != "missing" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got != "ok" {
		b.t.Fatalf("set #%s: %s, at %s", id, got, b.location())
	}
}

// press clicks the button or link of id and waits for the next page.
func (b *flowBrowser) press(id string) {
	b.t.Helper()
	b.pressCSS("#" + id)
}

func (b *flowBrowser) pressCSS(sel string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("press %s at %s: %v", sel, b.location(), err)
	}
	if resp != nil && resp.Status >= 500 {
		b.t.Fatalf("press %s: %d", sel, resp.Status)
	}
}

func (b *flowBrowser) value(id string) string {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`document.getElementById(%q)?.value ?? ''`, id))
}

func (b *flowBrowser) text(sel string) string {
	b.t.Helper()
	return b.eval(fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ''`, sel))
}

func (b *flowBrowser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

func (b *flowBrowser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return s
}

// actionTimeout bounds a click or a typing: an element that is not there
// fails the test instead of waiting for ever.
const actionTimeout = 20 * time.Second

// location is the page's path and query. (officeBrowser.facts reads
// form.action, which a section form's buttons named "action" shadow.)
func (b *flowBrowser) location() string {
	b.t.Helper()
	return b.eval(`location.pathname + location.search`)
}

// flowFacts are officeFacts without the forms.
const readFlowFacts = `(() => {
	const de = document.documentElement;
	return {
		lang: de.lang,
		h1: document.querySelectorAll('h1').length,
		scripts: document.scripts.length,
		styled: getComputedStyle(document.body).fontFamily.includes('system-ui'),
		wide: de.scrollWidth > window.innerWidth,
		location: location.pathname + location.search,
	};
})()`

func (b *flowBrowser) facts() officeFacts {
	b.t.Helper()
	f, err := chromedp.Run(b.ctx, chromedp.Evaluate[officeFacts](readFlowFacts))
	if err != nil {
		b.t.Fatal(err)
	}
	return f
}

// mustBeAt checks the path the browser is at (the query aside).
func (b *flowBrowser) mustBeAt(path string) {
	b.t.Helper()
	loc := b.facts().Location
	if p, _, _ := strings.Cut(loc, "?"); p != path {
		b.t.Fatalf("at %s, want %s; the page says: %.600s", loc, path, b.text("main"))
	}
}

// waitAt waits for a navigation started by a key to land on path.
func (b *flowBrowser) waitAt(path string) {
	b.t.Helper()
	for range 100 {
		// While the next page loads an evaluation may fail (no document
		// yet): that is a wait, not an error.
		p, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.readyState === 'complete' ? location.pathname : ''`))
		if err == nil && p == path {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.mustBeAt(path)
}

// mustFocusErrorSummary checks that the page came back with focus on its
// error summary (GOV.UK: the first thing a screen reader hears).
func (b *flowBrowser) mustFocusErrorSummary(what string) {
	b.t.Helper()
	if b.count(".error-summary") != 1 {
		b.t.Fatalf("%s: no error summary; the page says: %.600s", what, b.text("main"))
	}
	for range 40 {
		if b.eval(`document.activeElement?.classList.contains('error-summary') ? 'yes' : 'no'`) == "yes" {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	b.t.Errorf("%s: focus is on %s, not on the error summary", what, b.eval(`document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing'`))
}

// key sends key events: characters, or kb.Tab, kb.Enter.
func (b *flowBrowser) key(keys string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(keys)); err != nil {
		b.t.Fatalf("keys %q: %v", keys, err)
	}
}

// focusedID is the id of the element with focus.
func (b *flowBrowser) focusedID() string {
	return b.eval(`document.activeElement?.id ?? ''`)
}

// tabTo presses Tab until id has focus.
func (b *flowBrowser) tabTo(id string) {
	b.t.Helper()
	var seen []string
	for range 300 {
		got := b.focusedID()
		if got == id {
			return
		}
		seen = append(seen, got)
		b.key(kb.Tab)
	}
	b.t.Fatalf("Tab never reaches #%s; focus went through %q", id, seen)
}

// waitFocus waits for the page that a key brought to put focus on id.
func (b *flowBrowser) waitFocus(id string) {
	b.t.Helper()
	for range 100 {
		if b.eval(`document.readyState`) == "complete" && b.focusedID() == id {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("focus is on #%s, want #%s", b.focusedID(), id)
}

// section opens a section form, sets the inputs, runs more (adds rows),
// saves, and checks that the save led back to the task list.
func (b *flowBrowser) section(id, key string, inputs map[string]string, more ...func()) {
	b.t.Helper()
	b.open("/office/processings/"+id+"/edit/"+key+"?lang=en", 200)
	for _, m := range more {
		m()
	}
	for k, v := range inputs {
		b.set(k, v)
	}
	b.press("save")
	b.mustBeAt("/office/processings/" + id + "/edit")
}

// axeHere runs axe-core on the page as it is (a form's answer to a POST
// cannot be fetched again) at 1280 and 375 px, and checks that it does not
// scroll sideways.
func (b *flowBrowser) axeHere(name string) {
	b.t.Helper()
	for _, width := range []int64{1280, 375} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			b.t.Fatal(err)
		}
		f := b.facts()
		if f.H1 != 1 || f.Scripts != 0 || !f.Styled {
			b.t.Errorf("%s at %d px: %+v", name, width, f)
		}
		if f.Wide {
			b.t.Errorf("%s scrolls sideways at %d px", name, width)
		}
		if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
			b.t.Fatalf("inject axe-core: %v", err)
		}
		vs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]violation](axeRun22, chromedp.EvalAwaitPromise))
		if err != nil {
			b.t.Fatalf("axe-core: %v", err)
		}
		for _, v := range vs {
			b.t.Errorf("%s (%s) at %d px: WCAG violation %s (%s): %s\n\t%s", name, f.Location, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
		if b.shots != "" {
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				b.t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("office-flow-%s-%d.png", name, width)), png, 0o644); err != nil {
				b.t.Fatal(err)
			}
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		b.t.Fatal(err)
	}
}
