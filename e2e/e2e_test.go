package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/registre/registre/e2e"
	"github.com/registre/registre/internal/apitest"
	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/server"
)

// Environment of the browser test (docs/testing.md).
const (
	envChromium       = "REGISTRE_CHROMIUM"
	envAxe            = "REGISTRE_AXE_JS"
	envRequireBrowser = "REGISTRE_REQUIRE_BROWSER" // 1: a missing browser fails the test
	envScreenshots    = "REGISTRE_SCREENSHOTS"     // a directory: PNG screenshots of every page kind
)

// maxPageBytes is the budget of a page: the HTML and its stylesheet as they
// travel, headers included.
const maxPageBytes = 50 * 1024

// violation is what axe-core reports for one failed rule.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe-core on the page with the WCAG 2.0 and 2.1 A and AA rules
// and returns the violations.
const axeRun = `axe.run(document, {
	runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
	resultTypes: ['violations'],
}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '')),
})))`

// pageFacts are what the test reads from a loaded page.
type pageFacts struct {
	Lang      string   `json:"lang"`
	H1        int      `json:"h1"`
	Bytes     int      `json:"bytes"`     // transfer size of the document and its resources
	Foreign   []string `json:"foreign"`   // resources from another origin
	Styled    bool     `json:"styled"`    // the stylesheet applied (the CSP let it in)
	Scripts   int      `json:"scripts"`   // <script> elements: there must be none
	Overflows bool     `json:"overflows"` // wider than the viewport
}

const readFacts = `(() => {
	const nav = performance.getEntriesByType('navigation')[0];
	let bytes = nav ? nav.transferSize : 0;
	const foreign = [];
	for (const r of performance.getEntriesByType('resource')) {
		bytes += r.transferSize;
		if (new URL(r.name).origin !== location.origin) foreign.push(r.name);
	}
	const de = document.documentElement;
	return {
		lang: de.lang,
		h1: document.querySelectorAll('h1').length,
		bytes: bytes,
		foreign: foreign,
		styled: getComputedStyle(document.body).fontFamily.includes('system-ui'),
		scripts: document.scripts.length,
		overflows: de.scrollWidth > de.clientWidth,
	};
})()`

// TestPublicPagesInBrowser visits every kind of public page in both
// languages in headless Chromium, at desktop and phone widths, and fails on
// any WCAG 2.0/2.1 A or AA violation axe-core finds, on horizontal scrolling
// at 320 px, on a page over 50 KB, on a request to another origin, and on a
// script.
func TestPublicPagesInBrowser(t *testing.T) {
	chrome, axe := browserTools(t)
	shots := os.Getenv(envScreenshots)
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	env := apitest.Start(t, dbtest.Open(t, dbtest.SQLiteDSN(t)), func(c *server.Config) {
		c.Logger = slog.New(slog.DiscardHandler)
	})
	f := e2e.Load(t, env)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox, // as root, and in containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first call starts the browser; its context must not time out.
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start %s: %v", chrome, err)
	}
	// Every load travels whole, so that the weight counts the stylesheet.
	if _, err := chromedp.Call(ctx, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true}); err != nil {
		t.Fatal(err)
	}

	pages := []struct {
		name, path string
		status     int64
	}{
		{"home", "/", 200},
		{"search", "/?q=sant%C3%A9&sensitive=true", 200},
		{"results-page-2", "/?page=2", 200},
		{"no-results", "/?q=zzzz&org=hug", 200},
		{"organisation", "/organisations/hug", 200},
		{"organisation-text-contacts", "/organisations/etat-de-geneve", 200},
		{"processing", "/processings/" + f.Sensitive, 200},
		{"processing-minimal", "/processings/" + f.Published["Registre des naissances"], 200},
		{"not-found", "/no/such/page", 404},
		{"withdrawn", "/processings/" + f.Hidden["archived"], 410}, // ended: when and why (issue 20)
	}
	for _, lang := range []string{"fr", "en"} {
		for _, p := range pages {
			for _, width := range []int64{1280, 375} {
				t.Run(fmt.Sprintf("%s/%s/%d", p.name, lang, width), func(t *testing.T) {
					sep := "?"
					if strings.Contains(p.path, "?") {
						sep = "&"
					}
					u := env.URL + p.path + sep + "lang=" + lang
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
						t.Fatal(err)
					}
					resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
					if err != nil {
						t.Fatalf("navigate %s: %v", u, err)
					}
					if resp.Status != p.status {
						t.Fatalf("%s: got %d, want %d", u, resp.Status, p.status)
					}
					facts, err := chromedp.Run(ctx, chromedp.Evaluate[pageFacts](readFacts))
					if err != nil {
						t.Fatal(err)
					}
					if facts.Lang != lang || facts.H1 != 1 || !facts.Styled || facts.Scripts != 0 || len(facts.Foreign) > 0 {
						t.Errorf("%s: %+v", u, facts)
					}
					t.Logf("%s: %d bytes transferred", u, facts.Bytes)
					if facts.Bytes <= 0 || facts.Bytes > maxPageBytes {
						t.Errorf("%s weighs %d bytes, budget %d", u, facts.Bytes, maxPageBytes)
					}
					if facts.Overflows {
						t.Errorf("%s scrolls sideways at %d px", u, width)
					}
					if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(axe))); err != nil {
						t.Fatalf("inject axe-core: %v", err)
					}
					vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
					if err != nil {
						t.Fatalf("axe-core: %v", err)
					}
					for _, v := range vs {
						t.Errorf("%s: WCAG violation %s (%s): %s\n\t%s", u, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
					}
					if shots != "" && (p.name == "home" || p.name == "organisation" || p.name == "processing" || p.name == "search") {
						png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
						if err != nil {
							t.Fatal(err)
						}
						name := filepath.Join(shots, fmt.Sprintf("%s-%s-%d.png", p.name, lang, width))
						if err := os.WriteFile(name, png, 0o644); err != nil {
							t.Fatal(err)
						}
					}
					if width != 375 {
						return
					}
					// 320 CSS px is a 1280 px window at 400 % zoom (WCAG 1.4.10).
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640)); err != nil {
						t.Fatal(err)
					}
					over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
					if err != nil {
						t.Fatal(err)
					}
					if over {
						t.Errorf("%s scrolls sideways at 320 px", u)
					}
				})
			}
		}
	}

	// The test of the test: axe-core runs and reports a planted fault.
	t.Run("axe-sees-a-planted-violation", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(env.URL+"/?lang=fr"),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('main').insertAdjacentHTML('beforeend', '<input type="text">')`),
			chromedp.Evaluate[chromedp.Void](string(axe)),
		); err != nil {
			t.Fatal(err)
		}
		vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 || vs[0].ID != "label" {
			t.Errorf("an input without a label: got %+v, want the violation \"label\"", vs)
		}
	})

	t.Run("search-form-and-language-switch", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(env.URL+"/?lang=fr"),
			chromedp.SendKeys(chromedp.ID("q"), "séjour"),
		); err != nil {
			t.Fatal(err)
		}
		// No script: the form submits as a plain GET.
		if _, err := chromedp.RunResponse(ctx, chromedp.Submit(chromedp.ID("q"))); err != nil {
			t.Fatal(err)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		got, _ := url.Parse(loc)
		if got.Query().Get("q") != "séjour" || got.Query().Get("lang") != "fr" {
			t.Errorf("search form went to %s", loc)
		}
		heading, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("results")))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d traitements trouvés", e2e.Fillers); heading != want {
			t.Errorf("results heading: got %q, want %q", heading, want)
		}
		// The language switch keeps the search.
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[hreflang="en"][lang="en"]`))); err != nil {
			t.Fatal(err)
		}
		lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang + ' ' + new URL(location.href).searchParams.get('q')`))
		if err != nil {
			t.Fatal(err)
		}
		if lang != "en séjour" {
			t.Errorf("after the switch: %q", lang)
		}
	})
}

// browserTools returns the Chromium binary and axe-core's script that
// ./scripts/test provides; without them the test is skipped, or fails when
// REGISTRE_REQUIRE_BROWSER=1.
func browserTools(t *testing.T) (chrome string, axe []byte) {
	t.Helper()
	chrome, axePath := os.Getenv(envChromium), os.Getenv(envAxe)
	if chrome == "" || axePath == "" {
		msg := fmt.Sprintf("the browser test needs %s and %s (./scripts/test sets them)", envChromium, envAxe)
		if os.Getenv(envRequireBrowser) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	return chrome, axe
}
