package office

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/registre/registre/server/httpkit"
)

//go:embed templates/*.html static/office.css
var assets embed.FS

// mustParsePages parses each page template with the layout and the
// partials; a template that does not parse is a programming error the
// tests catch at once.
func mustParsePages() map[string]*template.Template {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err)
	}
	shared := []string{"templates/layout.html"}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			shared = append(shared, n) // partials: _*.html
		}
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t := template.Must(template.New(base).ParseFS(assets, append(append([]string{}, shared...), n)...))
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages
}

// staticFile is the stylesheet: its bytes and its fingerprinted URL, so that
// it may be cached for ever and a new one is fetched at once.
type staticFile struct {
	url, tag string
	body     []byte
}

func mustLoadCSS() staticFile {
	b, err := assets.ReadFile("static/office.css")
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:6])
	return staticFile{url: "/office/static/office." + h + ".css", tag: `"` + h + `"`, body: b}
}

// static serves the stylesheet under its fingerprinted name.
func (o *Office) static(w http.ResponseWriter, r *http.Request) error {
	if "/office/static/"+r.PathValue("file") != o.css.url {
		return errNotFound()
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", o.css.tag)
	if r.Header.Get("If-None-Match") == o.css.tag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return httpkit.WriteRaw(w, http.StatusOK, "text/css; charset=utf-8", o.css.body)
}
