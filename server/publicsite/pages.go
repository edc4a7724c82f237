package publicsite

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"github.com/registre/registre/register"
	"github.com/registre/registre/reports"

	"github.com/registre/registre/server/httpkit"
)

// The public pages: server-rendered html/template, no JavaScript, French and
// English. Everything they show comes from register.Publication (the public
// JSON) and register.PublicOrganisation. See docs/public.md.

//go:embed templates/*.html static/registre.css
var assets embed.FS

// pageCSP lets a page load only its own stylesheet: no script, no frame, no
// form posting elsewhere.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// pagePerPage is the length of a result list on a page: short enough that
// a page stays well under 50 KB.
const pagePerPage = 20

// summaryRunes bounds the summary shown in a result list.
const summaryRunes = 280

// pageSet is the parsed templates, one set per page, and the label table.
type pageSet struct {
	pages  map[string]*template.Template
	labels map[string]text
	tz     *time.Location
	cssURL string
}

func mustParsePages() *pageSet {
	ps := &pageSet{pages: map[string]*template.Template{}, labels: labelTable(), tz: time.UTC}
	// Dates are days in Geneva; without the zone database they stay UTC.
	if loc, err := time.LoadLocation("Europe/Zurich"); err == nil {
		ps.tz = loc
	}
	for _, name := range []string{"home", "organisation", "processing", "notfound", "error", "ended"} {
		t := template.Must(template.New(name).ParseFS(assets, "templates/layout.html", "templates/partials.html", "templates/"+name+".html"))
		ps.pages[name] = t
	}
	css, err := fs.ReadFile(assets, "static/registre.css")
	if err != nil {
		panic(err)
	}
	ps.cssURL = "/static/registre.css?v=" + fingerprint(css)
	return ps
}

// ---- static files ----

type staticFile struct {
	body, gz    []byte
	contentType string
	fp          string // fingerprint: the URL's ?v=
}

func fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

func mustLoadStatic() map[string]staticFile {
	css, err := fs.ReadFile(assets, "static/registre.css")
	if err != nil {
		panic(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(css)
	_ = zw.Close()
	return map[string]staticFile{
		"registre.css": {body: css, gz: gz.Bytes(), contentType: "text/css; charset=utf-8", fp: fingerprint(css)},
	}
}

// StaticAsset serves /static/{file}. The pages link to it with its
// fingerprint, so that URL may be kept for a year; without the fingerprint it
// is revalidated by ETag.
func (s *Site) StaticAsset(w http.ResponseWriter, r *http.Request) error {
	f, ok := s.pub.static[r.PathValue("file")]
	if !ok {
		s.PageNotFound(w, r)
		return nil
	}
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == f.fp {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	tag := `"` + f.fp + `"`
	body := f.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body, tag = f.gz, gzETag(tag)
	}
	if notModified(w, r, tag, time.Time{}) {
		writeNotModified(w)
		return nil
	}
	return httpkit.WriteRaw(w, http.StatusOK, f.contentType, body)
}

// ---- language ----

// pickLang chooses the page language: ?lang= first (the language links
// carry it), then Accept-Language, then French, Geneva's official language.
// explicit tells whether the URL chose it (else the answer varies with the
// request's Accept-Language).
func pickLang(r *http.Request) (lang string, explicit bool) {
	switch l := r.URL.Query().Get("lang"); l {
	case "fr", "en":
		return l, true
	}
	return negotiate(r.Header.Get("Accept-Language")), false
}

// negotiate picks fr or en from an Accept-Language header
// (httpkit.NegotiateLang, shared with the back office).
func negotiate(header string) string { return httpkit.NegotiateLang(header) }

// ---- the view ----

// view is what every page template gets: the language, its labels and the
// helpers that print values in it, and the page's own data.
type view struct {
	Lang      string
	Other     string // the other language
	SwitchURL string // this page in the other language
	Title     string
	CSS       string
	FeedURL   string
	Data      any
	// Preview is set when the page is a preview of an unpublished record
	// (PreviewProcessingPage): noindex, and a banner saying so.
	Preview *PreviewBanner

	// status is the page's HTTP status when not 200 (an ended
	// processing's page is 410 Gone).
	status int
	// today is the day (Zurich) the page is drawn for: planned or active
	// is decided on it, and rendered pages are kept per day.
	today string

	path   string     // this page's path
	query  url.Values // this page's query without lang
	labels map[string]text
	tz     *time.Location
}

func (s *Site) newView(r *http.Request, lang string) *view {
	other := "en"
	if lang == "en" {
		other = "fr"
	}
	q := url.Values{}
	for k, vs := range r.URL.Query() {
		if k != "lang" {
			q[k] = vs
		}
	}
	v := &view{Lang: lang, Other: other, CSS: s.pub.pages.cssURL, path: r.URL.Path, query: q,
		labels: s.pub.pages.labels, tz: s.pub.pages.tz, today: s.svc.Today()}
	v.SwitchURL = v.link(r.URL.Path, q, other)
	v.FeedURL = "/public/v1/feed.atom?lang=" + lang
	return v
}

// link builds a local URL with lang last, so that every link keeps the
// language the reader chose.
func (v *view) link(path string, q url.Values, lang string) string {
	enc := q.Encode()
	if enc != "" {
		enc += "&"
	}
	return path + "?" + enc + "lang=" + lang
}

// URL returns a local path in the page's language.
func (v *view) URL(path string) string { return v.link(path, nil, v.Lang) }

// T returns a label in the page's language. A missing label shows its key
// between markers, which the tests look for.
func (v *view) T(key string) string {
	t, ok := v.labels[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if v.Lang == "en" {
		return t.en
	}
	return t.fr
}

// Count prints n with the singular or plural label ("%d ...").
func (v *view) Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(v.T(one), n)
	}
	return fmt.Sprintf(v.T(many), n)
}

// Pages prints "page x of y".
// LogRecord is the sentence saying under which index the log holds a publication.
func (v *view) LogRecord(index int64) string { return fmt.Sprintf(v.T("p.log.text"), index) }

func (v *view) Pages(page, pages int) string { return fmt.Sprintf(v.T("pager.of"), page, pages) }

// Enum prints an enumeration value in words; a value without a label
// (added to the domain later) is printed as it is.
func (v *view) Enum(kind string, value any) string {
	s := fmt.Sprint(value)
	if _, ok := v.labels[kind+"."+s]; !ok {
		return s
	}
	return v.T(kind + "." + s)
}

// YesNo prints a boolean.
func (v *view) YesNo(b bool) string {
	if b {
		return v.T("yes")
	}
	return v.T("no")
}

// Date prints an instant as a day in Geneva.
func (v *view) Date(t time.Time) string { return v.day(t.In(v.tz)) }

// Day prints a YYYY-MM-DD date in words, or as it is when it does not parse.
func (v *view) Day(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return v.day(t)
}

func (v *view) day(t time.Time) string {
	month := v.T("month." + strconv.Itoa(int(t.Month())))
	if v.Lang == "en" {
		return strconv.Itoa(t.Day()) + " " + month + " " + strconv.Itoa(t.Year())
	}
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return d + "\u00a0" + month + " " + strconv.Itoa(t.Year())
}

// Duration prints an ISO 8601 retention period in words ("P10Y": "10 ans").
func (v *view) Duration(s string) string {
	d, err := register.ParseDuration(s)
	if err != nil {
		return s
	}
	var parts []string
	for _, u := range []struct {
		n    int
		unit string
	}{{d.Years, "year"}, {d.Months, "month"}, {d.Weeks, "week"}, {d.Days, "day"}, {d.Hours, "hour"}, {d.Minutes, "minute"}, {d.Seconds, "second"}} {
		if u.n > 0 {
			parts = append(parts, v.Count(u.n, "unit."+u.unit+".one", "unit."+u.unit+".many"))
		}
	}
	switch len(parts) {
	case 0:
		return s
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " " + v.T("and") + " " + parts[len(parts)-1]
}

// Country prints an ISO 3166-1 alpha-2 code as "France (FR)".
func (v *view) Country(code string) string {
	code = strings.ToUpper(code)
	fr, en, ok := register.CountryName(code)
	switch {
	case !ok:
		return code
	case v.Lang == "en":
		return en + " (" + code + ")"
	}
	return fr + " (" + code + ")"
}

// FR marks an element that holds text of the register on a page in
// another language: records and contacts are written in French, Geneva's
// official language, and a screen reader must read them as French (WCAG
// 3.1.2). The attribute is a constant, never user text.
func (v *view) FR() template.HTMLAttr {
	if v.Lang == "fr" {
		return ""
	}
	return ` lang="fr"`
}

// contactView is a contact as a page prints it: a mail link when it is a
// plain address, else its text, else "not stated".
type contactView struct {
	Mail, Text, Missing string
	FR                  template.HTMLAttr
}

// Contact prepares a contact for the "contact" template.
func (v *view) Contact(s string) contactView {
	s = strings.TrimSpace(s)
	c := contactView{Text: s, Missing: v.T("not.stated"), FR: v.FR()}
	// Only a plain address becomes a link: net/mail accepts '?' and '&',
	// which would give the mailto link hidden parameters (docs/security.md).
	if register.MailAddress(s) {
		c.Mail = s
	}
	return c
}

// stringsView is a list of strings for the "strings" template.
type stringsView struct {
	Items   []string
	Missing string
	FR      template.HTMLAttr
}

// Strings prepares a list of strings for the "strings" template.
func (v *view) Strings(items []string) stringsView {
	return stringsView{Items: items, Missing: v.T("not.stated"), FR: v.FR()}
}

// ---- rendering ----

// renderedPage is a page as sent: its bytes, gzip-encoded too, and its tag.
// A page depends only on its URL, its language and the register, so it is
// kept until the register's change sequence moves (see publicationCache).
type renderedPage struct {
	seq      int64
	status   int
	lang     string
	explicit bool // the URL chose the language
	body, gz []byte
	tag      string
}

// pageCache keeps rendered pages and linked data in the site's one cache
// of public bytes (cache.go).
type pageCache struct{ store *bytesCache }

func (c *pageCache) get(key string, seq int64) *renderedPage {
	v, _ := c.store.get(kindPage, key)
	p, _ := v.(*renderedPage)
	if p == nil || p.seq != seq {
		return nil
	}
	return p
}

// stale returns the page kept under key whatever the register's sequence:
// what to serve while the database cannot be reached, rather than nothing.
func (c *pageCache) stale(key string) *renderedPage {
	v, _ := c.store.get(kindPage, key)
	p, _ := v.(*renderedPage)
	return p
}

func (c *pageCache) put(key string, p *renderedPage) {
	c.store.put(kindPage, key, p, cap(p.body)+cap(p.gz))
}

// pageFunc prepares a page: it fills v (Title, Data, FeedURL) and returns
// the template's name. Errors become the 404 or error page.
type pageFunc func(r *http.Request, v *view) (string, error)

// page adapts a pageFunc: it serves the page from the cache while the
// register has not changed, renders it otherwise, and turns errors into
// HTML pages, never problems.
func (s *Site) page(fn pageFunc) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		lang, explicit := pickLang(r)
		// Kept per day too: a planned processing turns active on its
		// start day without any change of the register (issue 20).
		today := s.svc.Today()
		key := today + " " + lang + " " + r.URL.Path + "?" + r.URL.RawQuery
		seq, err := s.pub.docs.changeSeq(ctx, s.svc)
		if err == nil {
			if p := s.pub.rendered.get(key, seq); p != nil {
				return s.writePage(w, r, p)
			}
			v := s.newView(r, lang)
			v.today = today
			var name string
			if name, err = fn(r, v); err == nil {
				p, err := s.renderPage(cmp.Or(v.status, http.StatusOK), name, v, explicit)
				if err != nil {
					return s.ErrorPage(w, r, err)
				}
				p.seq = seq
				s.pub.rendered.put(key, p)
				return s.writePage(w, r, p)
			}
		}
		if register.ErrorCode(err) == register.ENotFound {
			s.PageNotFound(w, r)
			return nil
		}
		if register.Unavailable(err) {
			// The database is away: the page as last rendered is the
			// register as last known, better than an error page.
			if p := s.pub.rendered.stale(key); p != nil {
				s.cfg.Outage.Report(ctx, err)
				return s.writePage(w, r, p)
			}
		}
		return s.ErrorPage(w, r, err)
	}
}

// renderPage executes a page's templates and encodes the result once.
func (s *Site) renderPage(status int, name string, v *view, explicit bool) (*renderedPage, error) {
	var b bytes.Buffer
	if err := s.pub.pages.pages[name].ExecuteTemplate(&b, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	p := &renderedPage{status: status, lang: v.Lang, explicit: explicit, body: fit(b.Bytes()),
		tag: hashETag([]byte("text/html"), b.Bytes())}
	p.gz = s.pub.compress(p.body)
	return p, nil
}

// writePage sends a rendered page. Pages are public and the same for
// everyone asking in the same language: they may be cached briefly, and vary
// by Accept-Language only when the URL did not choose the language.
func (s *Site) writePage(w http.ResponseWriter, r *http.Request, p *renderedPage) error {
	h := w.Header()
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Content-Language", p.lang)
	if !p.explicit {
		h.Add("Vary", "Accept-Language")
	}
	h.Add("Vary", "Accept-Encoding")
	body, tag := p.body, p.tag
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body, tag = p.gz, gzETag(p.tag)
	}
	if p.status != http.StatusOK {
		h.Set("Cache-Control", "no-cache")
		return httpkit.WriteRaw(w, p.status, "text/html; charset=utf-8", body)
	}
	h.Set("Cache-Control", publicCacheControl)
	if notModified(w, r, tag, time.Time{}) {
		writeNotModified(w)
		return nil
	}
	return httpkit.WriteRaw(w, p.status, "text/html; charset=utf-8", body)
}

// ErrorPage answers a failed page with an HTML page of the error's status;
// 5xx are logged with their cause.
func (s *Site) ErrorPage(w http.ResponseWriter, r *http.Request, err error) error {
	p := httpkit.ProblemFor(err)
	if p.Outage {
		s.cfg.Outage.Report(r.Context(), p.Cause)
	} else if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", p.Cause)
	}
	lang, explicit := pickLang(r)
	v := s.newView(r, lang)
	d := errorData{TitleKey: "error.title", TextKey: "error.text"}
	if p.Status == http.StatusBadRequest {
		d = errorData{TitleKey: "error.bad.title", TextKey: "error.bad.text"}
	}
	v.Title, v.Data = v.T(d.TitleKey), d
	page, rerr := s.renderPage(p.Status, "error", v, explicit)
	if rerr != nil {
		s.log.ErrorContext(r.Context(), "error page failed", "err", rerr)
		httpkit.WriteProblem(w, r, p)
		return nil
	}
	return s.writePage(w, r, page)
}

// errorData is what the error page shows: the keys of its labels.
type errorData struct{ TitleKey, TextKey string }

// IsAPIPath tells paths whose answers are JSON (problem+json when missing)
// from the pages' paths, whose missing answer is an HTML page.
func IsAPIPath(p string) bool {
	for _, prefix := range []string{"/api/", "/public/v1/"} {
		if strings.HasPrefix(p, prefix) || p == strings.TrimSuffix(prefix, "/") {
			return true
		}
	}
	switch p {
	case "/healthz", "/readyz", "/metrics":
		return true
	}
	return false
}

// PageNotFound renders the HTML 404 page. It is not cached: unknown paths
// are as many as anyone cares to type.
func (s *Site) PageNotFound(w http.ResponseWriter, r *http.Request) {
	lang, explicit := pickLang(r)
	v := s.newView(r, lang)
	v.Title = v.T("notfound.title")
	p, err := s.renderPage(http.StatusNotFound, "notfound", v, explicit)
	if err != nil {
		s.log.ErrorContext(r.Context(), "not found page failed", "err", err)
		httpkit.WriteProblem(w, r, httpkit.NewProblem(http.StatusNotFound, "nothing is served at this path"))
		return
	}
	_ = s.writePage(w, r, p)
}

// ---- page data ----

// resultItem is one line of a result list.
type resultItem struct {
	ID, OrgName, Reference string
	Title, Summary         template.HTML // escaped, the matched words in <mark>
	Sensitive              bool
	PlannedStart           string // set while the processing is planned
}

// pager links the pages of a result list.
type pager struct {
	Page, Pages       int
	First, Prev, Next string
}

// resultsData is what the "results" template shows.
type resultsData struct {
	Searched bool
	Results  []resultItem
	Total    int
	Capped   bool // Total stopped counting at a cap (register.SearchTotalCap, SearchRankCap)
	Pager    pager
}

// pageNumber reads ?page= leniently: a page shows page 1 rather than an
// error for a mistyped number.
func pageNumber(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 1_000_000 {
		return 1
	}
	return n
}

// results runs a public search for a page and prepares its list.
func (s *Site) results(r *http.Request, v *view, f register.PublicFilter, orgNames map[string]string) (resultsData, error) {
	q := r.URL.Query()
	f.Page, f.PerPage, f.Cursor = pageNumber(q), pagePerPage, q.Get("cursor")
	if utf8.RuneCountInString(f.Query) > 200 {
		f.Query = string([]rune(f.Query)[:200])
	}
	res, err := s.svc.ListPublicPage(r.Context(), f)
	if register.ErrorCode(err) == register.EInvalid && f.Cursor != "" {
		// A cursor from another search (an edited link): the first page
		// rather than an error.
		f.Cursor, f.Page = "", 1
		res, err = s.svc.ListPublicPage(r.Context(), f)
	}
	if err != nil {
		return resultsData{}, err
	}
	items, total := res.Items, res.Total
	d := resultsData{Total: total, Capped: res.TotalIsCapped, Results: make([]resultItem, 0, len(items))}
	for i := range items {
		// Only what a result shows: decoding whole records would double
		// the cost of a search page.
		var p struct {
			ID            string `json:"id"`
			Organisation  string `json:"organisation"`
			Title         string `json:"title"`
			Reference     string `json:"reference"`
			Purpose       string `json:"purpose"`
			PublicSummary string `json:"public_summary"`
		}
		if err := json.Unmarshal(items[i].Data, &p); err != nil {
			return d, fmt.Errorf("decode publication %s: %w", items[i].ProcessingID, err)
		}
		name := orgNames[p.Organisation]
		if name == "" {
			name = p.Organisation
		}
		summary := p.PublicSummary
		if summary == "" {
			summary = p.Purpose
		}
		d.Results = append(d.Results, resultItem{ID: p.ID, OrgName: name, Reference: p.Reference,
			Title: mark(p.Title, res.Query), Summary: mark(shorten(summary, summaryRunes), res.Query), Sensitive: items[i].Sensitive})
		if register.PublicState(items[i].PlannedStart, v.today) == register.StatePlanned {
			d.Results[len(d.Results)-1].PlannedStart = items[i].PlannedStart
		}
	}
	pages := (total + pagePerPage - 1) / pagePerPage
	d.Pager = pager{Page: f.Page, Pages: pages}
	at := func(n int, cursor string) string {
		q := url.Values{}
		for k, vs := range v.query {
			if k != "cursor" {
				q[k] = vs
			}
		}
		q.Set("page", strconv.Itoa(n))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		return v.link(v.path, q, v.Lang)
	}
	d.Pager.First = at(1, "")
	if f.Page > 1 && f.Page <= pages && f.Page-1 <= maxOffsetPage {
		d.Pager.Prev = at(f.Page-1, "")
	}
	if f.Page < pages && res.NextCursor != "" {
		// The next page by cursor: as fast as the first however deep; the
		// page number only says where the reader is.
		d.Pager.Next = at(f.Page+1, res.NextCursor)
	}
	return d, nil
}

// maxOffsetPage is the deepest page a "previous page" link reaches by
// number (an offset); deeper, the reader goes back with the browser.
const maxOffsetPage = 50

// mark returns text with the words q matched in <mark>, escaped otherwise.
func mark(text string, q register.Query) template.HTML {
	spans := q.Highlights(text)
	if len(spans) == 0 {
		return template.HTML(template.HTMLEscapeString(text))
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		b.WriteString(template.HTMLEscapeString(text[at:sp.Start]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[sp.Start:sp.End]))
		b.WriteString("</mark>")
		at = sp.End
	}
	b.WriteString(template.HTMLEscapeString(text[at:]))
	return template.HTML(b.String())
}

// shorten cuts s to at most n runes at a word boundary, with an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// ---- handlers ----

type homeData struct {
	resultsData
	Q, Org, Sensitive string
	Orgs              []register.PublicOrganisation
}

func (s *Site) homePage(r *http.Request, v *view) (string, error) {
	q := r.URL.Query()
	f, _ := publicFilter(q, false)
	orgs, names, err := s.publicOrgs(r)
	if err != nil {
		return "", err
	}
	d := homeData{Q: f.Query, Org: f.Organisation, Orgs: orgs}
	if f.Sensitive != nil {
		d.Sensitive = strconv.FormatBool(*f.Sensitive)
	}
	if d.resultsData, err = s.results(r, v, f, names); err != nil {
		return "", err
	}
	d.Searched = strings.TrimSpace(f.Query) != "" || f.Organisation != "" || f.Sensitive != nil ||
		f.Category != "" || f.BasisType != ""
	if d.Searched {
		v.Title = v.T("results.title")
	}
	v.Data = d
	return "home", nil
}

type organisationData struct {
	resultsData
	Org *register.PublicOrganisation
	// Ended are the organisation's processings that ended, shown when the
	// page asks (?include=ended); EndedURL is the link that asks.
	Ended    []register.Ending
	ShowEnd  bool
	EndedURL string
}

func (s *Site) organisationPage(r *http.Request, v *view) (string, error) {
	orgs, names, err := s.publicOrgs(r)
	if err != nil {
		return "", err
	}
	org := findOrg(orgs, r.PathValue("org"))
	if org == nil {
		return "", register.Errorf(register.ENotFound, "organisation not found")
	}
	d := organisationData{Org: org}
	if d.resultsData, err = s.results(r, v, register.PublicFilter{Organisation: org.Slug}, names); err != nil {
		return "", err
	}
	if d.ShowEnd, _ = includeEnded(r.URL.Query(), false); d.ShowEnd {
		if d.Ended, err = s.svc.PublicEndings(r.Context(), org.Slug); err != nil {
			return "", err
		}
	}
	d.EndedURL = v.link("/organisations/"+org.Slug, url.Values{"include": {"ended"}}, v.Lang)
	v.Title, v.Data = org.Name, d
	v.FeedURL = "/public/v1/feed.atom?org=" + url.QueryEscape(org.Slug) + "&lang=" + v.Lang
	return "organisation", nil
}

type processingData struct {
	P         *register.PublicProcessing
	Org       *register.PublicOrganisation
	UnitName  string
	Sensitive bool
	Log       *reports.LogEntry // nil: no log, or no record
	Planned   bool              // announced, its start not reached yet
}

func (s *Site) processingPage(r *http.Request, v *view) (string, error) {
	e, err := s.pub.docs.publication(r.Context(), s.svc, r.PathValue("id"))
	if register.ErrorCode(err) == register.ENotFound {
		return s.endedPage(r, v, err)
	}
	if err != nil {
		return "", err
	}
	p := *e.doc // shared by every reader: the page only reads it
	orgs, _, err := s.publicOrgs(r)
	if err != nil {
		return "", err
	}
	org := findOrg(orgs, p.Organisation)
	if org == nil { // archived meanwhile
		return "", register.Errorf(register.ENotFound, "processing not found")
	}
	d := processingData{P: &p, Org: org, UnitName: p.Unit, Sensitive: p.Sensitive(), Planned: p.Planned(v.today)}
	if d.Log, err = s.logEntry(r.Context(), p.ID, e.sum); err != nil {
		return "", err
	}
	if name, err := s.svc.PublicUnitName(r.Context(), p.Organisation, p.Unit); err == nil {
		d.UnitName = name
	}
	v.Title, v.Data = p.Title, d
	v.FeedURL = "/public/v1/feed.atom?org=" + url.QueryEscape(org.Slug) + "&lang=" + v.Lang
	return "processing", nil
}

func findOrg(orgs []register.PublicOrganisation, slug string) *register.PublicOrganisation {
	for i := range orgs {
		if orgs[i].Slug == slug {
			return &orgs[i]
		}
	}
	return nil
}
