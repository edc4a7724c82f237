package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/registre/registre/auth"
	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
	"github.com/registre/registre/sqlstore"
)

// axeRun22 runs axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules.
const axeRun22 = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']},
	resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '')),
})))`

// officeFacts are what the test reads from a back-office page.
type officeFacts struct {
	Lang     string   `json:"lang"`
	H1       int      `json:"h1"`
	Scripts  int      `json:"scripts"`
	Styled   bool     `json:"styled"`
	Wide     bool     `json:"wide"` // the page scrolls sideways
	Forms    []string `json:"forms"`
	Buttons  []string `json:"buttons"`
	Title    string   `json:"title"`
	Location string   `json:"location"`
}

const readOfficeFacts = `(() => {
	const de = document.documentElement;
	return {
		lang: de.lang,
		h1: document.querySelectorAll('h1').length,
		scripts: document.scripts.length,
		styled: getComputedStyle(document.body).fontFamily.includes('system-ui'),
		wide: de.scrollWidth > window.innerWidth,
		forms: [...document.forms].map(f => f.method + ' ' + new URL(f.action).pathname),
		buttons: [...document.querySelectorAll('button, input[type=submit], input[type=button]')].map(b => (b.textContent || b.value).trim()),
		title: document.title,
		location: location.pathname + location.search,
	};
})()`

// rowTitles reads the titles of the list's rows.
const rowTitles = `[...document.querySelectorAll('table.register tbody th a')].map(a => a.textContent.trim())`

// TestOfficeInBrowser signs every role in to the back office in headless
// Chromium, once per database: each page kind in French and English at
// 1280 and 375 px passes axe-core's WCAG 2.2 A/AA rules, does not scroll
// sideways at 320 px nor at 200 % zoom, has one h1 and no script; the keyboard
// alone reaches the list's controls with a visible focus; an editor sees
// their organisation's records and never another's (404); filters and
// search give the right rows; the comparison shows the changes; an auditor
// meets no control that changes anything; signing out and deleting the
// account end the session at once.
func TestOfficeInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	shots := os.Getenv(envScreenshots)
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		env := apitest.Start(t, db, func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		f := e2e.LoadOffice(t, env)
		ctx := startBrowser(t, chrome)
		b := &officeBrowser{t: t, ctx: ctx, env: env, axe: string(axe), shots: shots}

		// Every role signs in and lands on the list.
		for _, role := range []string{"admin", "auditor", "editor", "dpo"} {
			b.signIn(f.Users[role], f.Password)
			if facts := b.facts(); !strings.HasPrefix(facts.Location, "/office/") || facts.H1 != 1 {
				t.Errorf("%s after sign-in: %+v", role, facts)
			}
			b.signOut()
		}

		// Every page kind, as the DPO, in both languages and at every width.
		b.signIn(f.Users["dpo"], f.Password)
		base := "/office/processings/"
		kinds := []struct{ name, path string }{
			{"list", "/office/"},
			{"list-filtered", "/office/?status=draft&q=naissances"},
			{"list-empty", "/office/?q=zzzz"},
			{"list-page-2", ""}, // filled below from the "next page" link
			{"processing", base + f.Births},
			{"processing-blocked", base + f.Canteen},
			{"history", base + f.Births + "/history"},
			{"compare", base + f.Births + "/compare?from=1&to=2"},
			{"version", base + f.Births + "/versions/1"},
			{"preview", base + f.Births + "/preview"},
			{"not-found", base + f.Other},
			{"account", "/office/account"},
			{"account-saved", "/office/account?done=password"},
		}
		b.open("/office/?lang=fr", 200)
		next, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[rel=next]')?.getAttribute('href') || ''`))
		if err != nil || next == "" {
			t.Fatalf("the list has no next page link (%v)", err)
		}
		kinds[3].path = strings.TrimSuffix(strings.TrimSuffix(next, "lang=fr"), "&")
		for _, lang := range []string{"fr", "en"} {
			for _, k := range kinds {
				t.Run(fmt.Sprintf("%s/%s", k.name, lang), func(t *testing.T) {
					b := b.withT(t)
					status := int64(200)
					if k.name == "not-found" {
						status = 404
					}
					b.checkPage(withLang(k.path, lang), lang, status, k.name)
				})
			}
		}

		// The open pages: sign-in (fresh, after a session ended, after
		// signing out, with errors) in both languages and at every width.
		b.signOut()
		for _, lang := range []string{"fr", "en"} {
			for _, k := range []struct{ name, path string }{
				{"login", "/office/login"},
				{"login-ended", "/office/login?ended=1&next=%2Foffice%2F"},
				{"login-signedout", "/office/login?signedout=1"},
			} {
				t.Run(fmt.Sprintf("%s/%s", k.name, lang), func(t *testing.T) {
					b.withT(t).checkPage(withLang(k.path, lang), lang, 200, k.name)
				})
			}
			t.Run("login-errors/"+lang, func(t *testing.T) {
				b := b.withT(t)
				b.open(withLang("/office/login", lang), 200)
				if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("username"), f.Users["dpo"])); err != nil {
					t.Fatal(err)
				}
				// No password: the error summary and the message beside the field.
				if _, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("username"))); err != nil {
					t.Fatal(err)
				}
				b.checkHere("login-errors", lang)
			})
		}
		b.signIn(f.Users["dpo"], f.Password)

		t.Run("keyboard reaches the list's controls with a visible focus", func(t *testing.T) {
			b.withT(t).keyboard()
		})

		t.Run("filters and search in the browser give the right rows", func(t *testing.T) {
			b := b.withT(t)
			b.open("/office/?lang=fr", 200)
			if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("status"), "in_review")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("q"))); err != nil {
				t.Fatal(err)
			}
			if rows := b.rows(); !slices.Equal(rows, []string{e2e.OfficeAccounts}) {
				t.Errorf("status in review: %q", rows)
			}
			b.open("/office/?lang=fr", 200)
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("q"), "cantine")); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("q"))); err != nil {
				t.Fatal(err)
			}
			if rows := b.rows(); !slices.Equal(rows, []string{e2e.OfficeCanteen}) {
				t.Errorf("search cantine: %q", rows)
			}
		})

		t.Run("history and comparison show the right differences", func(t *testing.T) {
			b := b.withT(t)
			b.open(base+f.Births+"/history?lang=en", 200)
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`ul.actions a[href*="compare?from=1"]`))); err != nil {
				t.Fatal(err)
			}
			changed, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('div.change')].map(d => d.id)`))
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(changed)
			if want := []string{"c-recipients", "c-title"}; !slices.Equal(changed, want) {
				t.Errorf("changed fields %v, want %v", changed, want)
			}
			ins, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('ins')].map(e => e.textContent).join(' | ')`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(ins, e2e.OfficeAddedRecip) || !strings.Contains(ins, e2e.OfficeBirthsV2) {
				t.Errorf("inserted: %q", ins)
			}
		})
		b.signOut()

		t.Run("an editor sees their organisation's records, not another's", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(f.Users["editor"], f.Password)
			defer b.signOut()
			b.open("/office/?q=naissances&lang=fr", 200)
			rows := b.rows()
			if !slices.Contains(rows, e2e.OfficeBirthsV2) || slices.Contains(rows, e2e.OfficeOtherTitle) {
				t.Errorf("editor's search: %q", rows)
			}
			for _, p := range []string{"", "/history", "/compare", "/versions/1", "/preview"} {
				b.open(base+f.Other+p+"?lang=fr", 404)
			}
		})

		t.Run("an auditor finds no control that changes anything", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(f.Users["auditor"], f.Password)
			defer b.signOut()
			for _, k := range kinds {
				// An auditor changes their own password (the account
				// page), never the register.
				if k.name == "not-found" || strings.HasPrefix(k.name, "account") {
					continue
				}
				b.open(withLang(k.path, "fr"), 200)
				facts := b.facts()
				for _, fm := range facts.Forms {
					if fm != "get /office/" && fm != "post /office/logout" {
						t.Errorf("%s: a form %q", k.name, fm)
					}
				}
				for _, bt := range facts.Buttons {
					if bt != "Appliquer les filtres" && bt != "Se déconnecter" {
						t.Errorf("%s: a button %q", k.name, bt)
					}
				}
			}
		})

		t.Run("account deletion ends the session at once", func(t *testing.T) {
			b := b.withT(t)
			b.signIn(f.Users["editor"], f.Password)
			b.open("/office/?lang=fr", 200)
			env.WithT(t).Must(204, "DELETE", "/api/v1/users/"+f.Users["editor"], env.Token(auth.RoleAdmin, ""), nil)
			b.open("/office/?lang=fr", 200) // the sign-in page, after the redirect
			if loc := b.facts().Location; !strings.HasPrefix(loc, "/office/login") {
				t.Errorf("after the account's deletion the list is still served: %s", loc)
			}
		})
	})
}

func withLang(path, lang string) string {
	if strings.Contains(path, "?") {
		return path + "&lang=" + lang
	}
	return path + "?lang=" + lang
}

func startBrowser(t *testing.T, chrome string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	return ctx
}

// officeBrowser is one browser session on the back office.
type officeBrowser struct {
	t     *testing.T
	ctx   context.Context
	env   *apitest.Env
	axe   string
	shots string
}

func (b *officeBrowser) withT(t *testing.T) *officeBrowser {
	c := *b
	c.t = t
	return &c
}

// open loads a path and checks its status.
func (b *officeBrowser) open(path string, status int64) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.env.URL+path))
	if err != nil {
		b.t.Fatalf("navigate %s: %v", path, err)
	}
	if resp.Status != status {
		b.t.Fatalf("%s: got %d, want %d", path, resp.Status, status)
	}
}

func (b *officeBrowser) facts() officeFacts {
	b.t.Helper()
	f, err := chromedp.Run(b.ctx, chromedp.Evaluate[officeFacts](readOfficeFacts))
	if err != nil {
		b.t.Fatal(err)
	}
	return f
}

func (b *officeBrowser) rows() []string {
	b.t.Helper()
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](rowTitles))
	if err != nil {
		b.t.Fatal(err)
	}
	return rows
}

// signIn fills the sign-in form as a person does.
func (b *officeBrowser) signIn(user, pass string) {
	b.t.Helper()
	b.open("/office/login?lang=fr", 200)
	if err := chromedp.Do(b.ctx,
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), pass),
	); err != nil {
		b.t.Fatal(err)
	}
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Submit(chromedp.ID("password"))); err != nil {
		b.t.Fatalf("sign in as %s: %v", user, err)
	}
	if loc := b.facts().Location; !strings.HasPrefix(loc, "/office/") || strings.HasPrefix(loc, "/office/login") {
		b.t.Fatalf("sign in as %s: at %s", user, loc)
	}
}

// signOut presses the sign-out button; the list then asks to sign in.
func (b *officeBrowser) signOut() {
	b.t.Helper()
	b.open("/office/?lang=fr", 200)
	if _, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(`form[action="/office/logout"] button`))); err != nil {
		b.t.Fatalf("sign out: %v", err)
	}
	b.open("/office/?lang=fr", 200)
	if loc := b.facts().Location; !strings.HasPrefix(loc, "/office/login") {
		b.t.Errorf("after sign-out the list is still served: %s", loc)
	}
}

// checkPage loads a page at 1280 and 375 px, runs axe-core on each, and
// checks reflow at 320 px and at 200 % zoom.
func (b *officeBrowser) checkPage(path, lang string, status int64, name string) {
	b.t.Helper()
	for _, width := range []int64{1280, 375} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			b.t.Fatal(err)
		}
		b.open(path, status)
		f := b.facts()
		if f.Lang != lang || f.H1 != 1 || f.Scripts != 0 || !f.Styled {
			b.t.Errorf("%s at %d px: %+v", path, width, f)
		}
		if f.Wide {
			b.t.Errorf("%s scrolls sideways at %d px", path, width)
		}
		if err := chromedp.Do(b.ctx, chromedp.Evaluate[chromedp.Void](b.axe)); err != nil {
			b.t.Fatalf("inject axe-core: %v", err)
		}
		vs, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]violation](axeRun22, chromedp.EvalAwaitPromise))
		if err != nil {
			b.t.Fatalf("axe-core: %v", err)
		}
		for _, v := range vs {
			b.t.Errorf("%s at %d px: WCAG violation %s (%s): %s\n\t%s", path, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
		if b.shots != "" {
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				b.t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("office-%s-%s-%d.png", name, lang, width)), png, 0o644); err != nil {
				b.t.Fatal(err)
			}
		}
	}
	// 320 CSS px (WCAG 1.4.10), and a 1280 px window at 200 % zoom: 640
	// CSS px drawn at twice the scale.
	for _, vp := range []struct {
		w, h  int64
		scale float64
	}{{320, 640, 1}, {640, 450, 2}} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(vp.w, vp.h, chromedp.EmulateScale(vp.scale))); err != nil {
			b.t.Fatal(err)
		}
		wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil {
			b.t.Fatal(err)
		}
		if wide {
			b.t.Errorf("%s scrolls sideways at %d CSS px (scale %.0f)", path, vp.w, vp.scale)
		}
	}
	if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		b.t.Fatal(err)
	}
}

// checkHere runs axe-core on the page as it is (a form's answer, which a
// reload would not show again) at 1280 and 375 px.
func (b *officeBrowser) checkHere(name, lang string) {
	b.t.Helper()
	for _, width := range []int64{1280, 375} {
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(width, 900)); err != nil {
			b.t.Fatal(err)
		}
		f := b.facts()
		if f.Lang != lang || f.H1 != 1 || !f.Styled || f.Wide {
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

// focusInfo is the focused element and whether its focus is visible.
type focusInfo struct {
	Desc    string `json:"desc"`
	Visible bool   `json:"visible"`
}

const readFocus = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return {desc: 'body', visible: false};
	const s = getComputedStyle(e);
	const visible = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
	const id = e.id ? '#' + e.id : '';
	const text = (e.textContent || e.value || '').trim().slice(0, 40);
	return {desc: e.tagName.toLowerCase() + id + (e.getAttribute('rel') ? '[rel=' + e.getAttribute('rel') + ']' : '') + ' ' + text, visible: visible};
})()`

// keyboard tabs through the list page from its top and checks that focus
// is always visible and reaches the skip link, the views, the filters, the
// apply button, a sortable column, a record and the next page.
func (b *officeBrowser) keyboard() {
	b.t.Helper()
	b.open("/office/?lang=en", 200)
	var seen []string
	for range 80 {
		if err := chromedp.Do(b.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			b.t.Fatal(err)
		}
		fi, err := chromedp.Run(b.ctx, chromedp.Evaluate[focusInfo](readFocus))
		if err != nil {
			b.t.Fatal(err)
		}
		if fi.Desc == "body" {
			break
		}
		if !fi.Visible {
			b.t.Errorf("focus on %q is not visible", fi.Desc)
		}
		seen = append(seen, fi.Desc)
	}
	all := strings.Join(seen, "\n")
	for _, want := range []string{"a Skip to content", "Waiting for my review", "input#q", "select#status", "input#overdue",
		"button Apply filters", "Title", "div ", "a[rel=next]"} {
		if !strings.Contains(all, want) {
			b.t.Errorf("the keyboard never reaches %q; focus went through:\n%s", want, all)
		}
	}
}
