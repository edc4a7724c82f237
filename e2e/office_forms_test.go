package e2e_test

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
)

// TestOfficeFormsInBrowser checks the pages that write a record in headless
// Chromium (SQLite: the pages are the same on both databases; the HTTP
// tests of server/office run both): every form page, and each form state
// a person meets — empty, with errors, in conflict, brought back after the
// session ended — at 1280 and 375 px passes axe-core's WCAG 2.2 A/AA rules
// and does not scroll sideways; focus moves to the error summary on an
// error and to the new row on "add another"; the keyboard alone fills a
// section, adds a row and saves with Enter.
func TestOfficeFormsInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	env := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)), func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
	f := e2e.LoadOffice(t, env)
	b := &officeBrowser{t: t, ctx: startBrowser(t, chrome), env: env, axe: string(axe), shots: os.Getenv(envScreenshots)}
	b.signIn(f.Users["editor"], f.Password)
	base := "/office/processings/" + f.Canteen

	t.Run("every form page, in both languages", func(t *testing.T) {
		b := b.withT(t)
		pages := []string{"/office/processings/new", base + "/edit", base + "/check"}
		for _, s := range []string{"purpose", "controller", "legal", "people", "recipients", "processors", "retention", "security", "dpia", "information", "summary", "internal"} {
			pages = append(pages, base+"/edit/"+s)
		}
		for _, lang := range []string{"fr", "en"} {
			for i, p := range pages {
				b.checkPage(withLang(p, lang), lang, 200, fmt.Sprintf("form-%02d", i))
			}
		}
	})

	t.Run("add another, then an error: focus follows, and the states are accessible", func(t *testing.T) {
		b := b.withT(t)
		b.open(base+"/edit/legal?lang=en", 200)
		b.press(`#add-legal-bases`)
		if got := b.focused(); got != "f-legal_bases-0-type" {
			t.Errorf("after add another, focus is on %q, want the new row's first input", got)
		}
		if err := chromedp.Do(b.ctx,
			chromedp.SetValue(chromedp.CSS(`#f-legal_bases-0-type`), "law"),
			chromedp.SendKeys(chromedp.CSS(`#f-legal_bases-0-url`), "pas une adresse"),
		); err != nil {
			t.Fatal(err)
		}
		b.press(`#save`)
		if got := b.focused(); got != "error-summary" {
			t.Errorf("after an error, focus is on %q, want the error summary", got)
		}
		b.axeHere("en", "form-errors")
		// The summary's link leads to the input.
		b.press(`.error-summary a`)
		if got := b.focused(); got != "f-legal_bases-0-url" {
			t.Errorf("the summary's link focuses %q", got)
		}
	})

	t.Run("a conflict is accessible", func(t *testing.T) {
		b := b.withT(t)
		b.open(base+"/edit/summary?lang=fr", 200)
		// Someone else saves the record meanwhile, through the API.
		dpo := env.Token("dpo", f.Org)
		cur := env.Must(200, "GET", "/api/v1/processings/"+f.Canteen, dpo, nil)
		body := cur.Map(t)
		body["public_summary"] = "La version de la DPO."
		env.Must(200, "PUT", "/api/v1/processings/"+f.Canteen, dpo, body, "If-Match: "+cur.Header.Get("ETag"))
		if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(`#f-public_summary`), "Ma version.")); err != nil {
			t.Fatal(err)
		}
		b.press(`#save`)
		if got := b.text(`#conflict`); !strings.Contains(got, "La version de la DPO.") {
			t.Errorf("conflict box: %q", got)
		}
		b.axeHere("fr", "form-conflict")
	})

	t.Run("the keyboard alone fills a section and saves with Enter", func(t *testing.T) {
		b := b.withT(t)
		b.open(base+"/edit/controller?lang=en", 200)
		// From the top of the page, Tab to the controller's name.
		for range 40 {
			b.key(kb.Tab)
			if b.focused() == "f-controller-name" {
				break
			}
		}
		if b.focused() != "f-controller-name" {
			t.Fatal("Tab never reaches the first input")
		}
		b.typeText("Service des écoles")
		b.key(kb.Tab)
		b.typeText("ecoles@ville-ge.ch")
		b.key(kb.Tab) // "Add a joint controller"
		if got := b.focused(); got != "add-joint-controllers" {
			t.Fatalf("after the contact, focus is on %q", got)
		}
		b.key(kb.Enter)
		b.waitFor(`#f-joint_controllers-0-name`)
		if got := b.focused(); got != "f-joint_controllers-0-name" {
			t.Fatalf("after add another, focus is on %q", got)
		}
		b.typeText("Département de l’instruction publique")
		b.key(kb.Enter) // Enter in a text field saves: the form's first button
		b.waitFor(`#tasks`)
		if loc := b.facts().Location; !strings.Contains(loc, "saved=controller") {
			t.Fatalf("Enter did not save: at %s", loc)
		}
		p := env.Must(200, "GET", "/api/v1/processings/"+f.Canteen, env.Token("dpo", f.Org), nil).Map(t)
		jc, _ := p["joint_controllers"].([]any)
		if c, _ := p["controller"].(map[string]any); c["name"] != "Service des écoles" || len(jc) != 1 {
			t.Errorf("saved: controller %v, joint controllers %v", p["controller"], jc)
		}
	})

	t.Run("input brought back after the session ended is accessible", func(t *testing.T) {
		b := b.withT(t)
		b.open(base+"/edit/summary?lang=en", 200)
		if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.CSS(`#f-public_summary`), " Gardé pendant la connexion.")); err != nil {
			t.Fatal(err)
		}
		// The session ends while the person types.
		if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		b.press(`#save`)
		if got := b.text(`main`); !strings.Contains(got, "your input is kept") {
			t.Fatalf("the sign-in page does not say the input is kept: %q", got)
		}
		if err := chromedp.Do(b.ctx,
			chromedp.SendKeys(chromedp.ID("username"), f.Users["editor"]),
			chromedp.SendKeys(chromedp.ID("password"), f.Password),
		); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(b.ctx, chromedp.Submit(chromedp.ID("password"))); err != nil {
			t.Fatal(err)
		}
		b.waitFor(`#section-form`)
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('#f-public_summary').value`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got, "Gardé pendant la connexion.") || !strings.Contains(b.text(`.banner`), "session had ended") {
			t.Errorf("after sign-in the form holds %q", got)
		}
		b.axeHere("en", "form-resumed")
	})
}

// press activates an element as a click does and waits for the page it
// leads to.
func (b *officeBrowser) press(sel string) {
	b.t.Helper()
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil && !strings.Contains(sel, "error-summary a") {
		b.t.Fatalf("press %s: %v", sel, err)
	}
}

// focused is the id (or class) of the element that has focus. A page's
// autofocus is applied at its next rendering step, which a loaded machine
// may delay past the load event: while focus is still on the body, it asks
// again for up to two seconds.
func (b *officeBrowser) focused() string {
	b.t.Helper()
	for try := 0; ; try++ {
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement; return !e || e === document.body ? '<body>' : (e.id || e.className); })()`))
		if err != nil {
			b.t.Fatal(err)
		}
		if s != "<body>" || try == 20 {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *officeBrowser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *officeBrowser) key(k string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(k)); err != nil {
		b.t.Fatal(err)
	}
}

func (b *officeBrowser) typeText(s string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(s)); err != nil {
		b.t.Fatal(err)
	}
}

func (b *officeBrowser) waitFor(sel string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("wait for %s: %v", sel, err)
	}
}

// axeHere runs axe-core on the page as it is (a form's answer to a POST,
// which a navigation would lose) at 1280 and 375 px, and checks that it
// does not scroll sideways.
func (b *officeBrowser) axeHere(lang, name string) {
	b.t.Helper()
	for _, width := range []int64{1280, 375} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			b.t.Fatal(err)
		}
		f := b.facts()
		if f.Lang != lang || f.H1 != 1 || f.Scripts != 0 || !f.Styled || f.Wide {
			b.t.Errorf("%s at %d px: %+v", name, width, f)
		}
		if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
			b.t.Fatalf("inject axe-core: %v", err)
		}
		vs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]violation](axeRun22, chromedp.EvalAwaitPromise))
		if err != nil {
			b.t.Fatalf("axe-core: %v", err)
		}
		for _, v := range vs {
			b.t.Errorf("%s at %d px: WCAG violation %s (%s): %s\n\t%s", name, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		b.t.Fatal(err)
	}
}
