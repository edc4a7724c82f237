package publicsite

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/registre/registre/register"
	"github.com/registre/registre/server/httpkit"
	"github.com/registre/registre/spreadsheet"
)

// Open data: the whole public register as CSV, and an Atom feed of its
// publications and archivings. Both are built only from public values:
// register.Publication (the public JSON) and register.PublicEvent (which has
// no actor). See docs/public.md for the columns and the feed.

// orgsCache keeps the organisations of the public register until the
// public register changes (Service.PublicSeq moves), since every page shows them.
type orgsCache struct {
	valid bool
	seq   int64
	orgs  []register.PublicOrganisation
	names map[string]string
	// list is /public/v1/organisations as served, made once per seq: with
	// thousands of organisations encoding and compressing it cost more
	// than anything else in the request.
	list *encodedBody
}

// encodedBody is a response body kept with its entity tag and gzip form.
type encodedBody struct {
	body, gz []byte // body nil: kept compressed only (gz)
	tag      string
}

// publicOrgs returns the organisations with publications and their names
// by slug, from the cache while the register has not changed.
func (s *Site) publicOrgs(r *http.Request) ([]register.PublicOrganisation, map[string]string, error) {
	ctx := r.Context()
	seq, err := s.pub.docs.changeSeq(ctx, s.svc)
	if err != nil {
		return nil, nil, err
	}
	s.pub.mu.Lock()
	c := s.pub.orgs
	s.pub.mu.Unlock()
	if c.valid && c.seq == seq {
		return c.orgs, c.names, nil
	}
	return s.readOrgs(r, seq)
}

// readOrgs reads the organisations into the cache under seq.
func (s *Site) readOrgs(r *http.Request, seq int64) ([]register.PublicOrganisation, map[string]string, error) {
	ctx := r.Context()
	orgs, err := s.svc.PublicOrganisations(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := make(map[string]string, len(orgs))
	for _, o := range orgs {
		names[o.Slug] = o.Name
	}
	// Read after seq: at worst newer data under an older seq, which the
	// next request replaces; never older data under a newer seq.
	s.pub.mu.Lock()
	if !s.pub.orgs.valid || s.pub.orgs.seq <= seq {
		s.pub.orgs = orgsCache{valid: true, seq: seq, orgs: orgs, names: names}
	}
	s.pub.mu.Unlock()
	return orgs, names, nil
}

// publicOrgsList returns the body of /public/v1/organisations, encoded
// once for each state of the public register.
func (s *Site) publicOrgsList(r *http.Request) (*encodedBody, error) {
	seq, err := s.pub.docs.changeSeq(r.Context(), s.svc)
	s.pub.mu.Lock()
	c := s.pub.orgs
	s.pub.mu.Unlock()
	switch {
	case err != nil && c.list != nil && register.Unavailable(err):
		return c.list, nil // kept, served while the database is away
	case err != nil:
		return nil, err
	case c.valid && c.seq == seq && c.list != nil:
		return c.list, nil
	}
	orgs := c.orgs
	if !c.valid || c.seq != seq {
		if orgs, _, err = s.readOrgs(r, seq); err != nil {
			return nil, err
		}
	}
	body, err := jsonBytes(httpkit.List[register.PublicOrganisation]{Items: orgs, Total: len(orgs), Page: 1, PerPage: len(orgs)})
	if err != nil {
		return nil, err
	}
	e := s.pub.encode(body)
	s.pub.mu.Lock()
	if s.pub.orgs.valid && s.pub.orgs.seq == seq {
		s.pub.orgs.list = &e
	}
	s.pub.mu.Unlock()
	return &e, nil
}

// publicBase is the base URL of links in documents and open data: the
// configured public URL, else the one the request came to, whose host the
// guard (httpkit/guard.go) has checked to be the listen address or a loopback name.
func (s *Site) publicBase(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	// Lower case: "LOCALHOST" must not be a second base URL (and a second
	// render) of the same documents.
	return scheme + "://" + strings.ToLower(r.Host)
}

// orgParam reads ?org= for open data: an organisation that has nothing
// published is not found, as in /public/v1/organisations.
func (s *Site) orgParam(r *http.Request) (*register.PublicOrganisation, error) {
	slug := r.URL.Query().Get("org")
	if slug == "" {
		return nil, nil
	}
	orgs, _, err := s.publicOrgs(r)
	if err != nil {
		return nil, err
	}
	if o := findOrg(orgs, slug); o != nil {
		return o, nil
	}
	return nil, errNotInPublicRegister()
}

// errNotInPublicRegister is the one answer for an organisation the public
// register does not show, whether it does not exist or has nothing
// published: the public side must not tell the two apart.
func errNotInPublicRegister() error {
	return register.Errorf(register.ENotFound, "organisation not found in the public register")
}

// ---- CSV ----

// PublicCSV streams the register as RFC 4180 CSV (CRLF line ends, UTF-8, a
// header row). ?bom=true puts a byte order mark first, which spreadsheet
// programs need to read UTF-8; programs are better off without it.
func (s *Site) PublicCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org, err := s.orgParam(r)
	if err != nil {
		return err
	}
	f := register.PublicFilter{}
	name := "registre.csv"
	if org != nil {
		f.Organisation, name = org.Slug, "registre-"+org.Slug+".csv"
	}
	bom := r.URL.Query().Get("bom") == "true"
	head, err := s.svc.PublicHead(ctx, f.Organisation)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	// The register changes only by publication and archiving: their latest
	// audit entry validates the whole file.
	// The day too: the state column (planned or active) is decided on it.
	today := s.svc.Today()
	tag := hashETag([]byte("csv"), []byte(strconv.FormatInt(head.Seq, 10)), []byte(f.Organisation),
		[]byte(strconv.FormatBool(bom)), []byte(base), []byte(today))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	out, done, ok := s.openStream(w, r, tag, head.At, "text/csv; charset=utf-8; header=present")
	if !ok {
		return nil
	}
	defer done()
	if bom {
		_, _ = io.WriteString(out, "\ufeff")
	}
	cw := csv.NewWriter(out)
	cw.UseCRLF = true
	_ = cw.Write(spreadsheet.OpenDataColumns())
	cw.Flush()
	err = cw.Error()
	if err == nil {
		// The rows stream through a pipeline (opendata_stream.go): the
		// store's batches, rows encoded on every core, written in order.
		err = encodeInOrder(ctx, func(ctx context.Context, fn func(register.Publication) bool) error {
			return s.svc.ScanPublic(ctx, f, fn)
		}, openDataCSV(base, today), func(b []byte) error {
			_, err := out.Write(b)
			return err
		})
	}
	if err != nil {
		// The status is sent: cut the connection so that the client sees a
		// truncated file, not a complete-looking one.
		if ctx.Err() != nil {
			s.log.InfoContext(ctx, "csv export stopped: the client went away", "err", err)
		} else {
			s.log.ErrorContext(ctx, "csv export failed", "err", err)
		}
		panic(http.ErrAbortHandler)
	}
	return nil
}

// openStream starts the answer of a public document streamed as it is
// drawn: 304 when tag (or modified) matches, the headers alone for HEAD,
// 429 when as many such documents as the site allows are being drawn, else
// 200 and the writer the body goes to (gzip-encoded when the client takes
// it), with done to call once the body is written. ok is false when the
// answer is already complete.
func (s *Site) openStream(w http.ResponseWriter, r *http.Request, tag string, modified time.Time, contentType string) (out io.Writer, done func(), ok bool) {
	publicHeaders(w)
	h := w.Header()
	h.Set("Vary", "Accept-Encoding")
	gz := acceptsGzip(r)
	if gz {
		tag = gzETag(tag)
	}
	if notModified(w, r, tag, modified) {
		writeNotModified(w)
		return nil, nil, false
	}
	if r.Method == http.MethodHead {
		h.Set("Content-Type", contentType)
		w.WriteHeader(http.StatusOK)
		return nil, nil, false
	}
	select {
	case s.streams <- struct{}{}:
	default:
		p := httpkit.NewProblem(http.StatusTooManyRequests, "too many whole-register documents are being drawn; try again in a few seconds")
		p.RetryAfter = pdfRetryAfter
		h.Set("Cache-Control", "no-store") // a refusal of the moment, for no cache to keep
		h.Del("Last-Modified")
		httpkit.WriteProblem(w, r, p)
		return nil, nil, false
	}
	h.Set("Content-Type", contentType)
	pw := newProgressWriter(w, s.cfg.StreamStall)
	release := func() { pw.last(); <-s.streams }
	out, done = pw, release
	if gz {
		h.Set("Content-Encoding", "gzip")
		// The fastest level: the whole register's CSV is 190 MB at 200,000
		// processings, and the default level spent more CPU on it than
		// reading and writing the rows; CSV compresses well even so.
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed) // a valid level: cannot fail
		out, done = zw, func() { _ = zw.Close(); release() }
	}
	w.WriteHeader(http.StatusOK)
	return out, done, true
}

// ---- Atom ----

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Href     string `xml:"href,attr"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     string       `xml:"title"`
	Updated   string       `xml:"updated"`
	Published string       `xml:"published"`
	Links     []atomLink   `xml:"link"`
	Category  atomCategory `xml:"category"`
	Summary   string       `xml:"summary"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr"`
}

// feedEvents is how many events a feed shows: feed readers poll.
const feedEvents = 100

// atomTime formats an instant as RFC 3339 in UTC, as Atom wants.
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// PublicFeed serves the Atom feed (RFC 4287) of publications and archivings,
// newest first. Entry ids are tag URIs made of the processing id, the action
// and the version, so they never change. An archived processing's entries
// keep their ids but lose its title and link: it left the register.
func (s *Site) PublicFeed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org, err := s.orgParam(r)
	if err != nil {
		return err
	}
	lang, explicit := pickLang(r)
	v := s.newView(r, lang)
	slug := ""
	if org != nil {
		slug = org.Slug
	}
	head, err := s.svc.PublicHead(ctx, slug)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	_, names, err := s.publicOrgs(r)
	if err != nil {
		return err
	}
	events, err := s.svc.PublicEvents(ctx, slug, feedEvents)
	if err != nil {
		return err
	}
	feed := atomFeed{Lang: lang, ID: "tag:registre,2026:feed", Title: v.T("feed.title") + " — " + v.T("feed.all"),
		Updated: atomTime(head.At), Author: atomPerson{Name: v.T("site.name"), URI: base + "/"}, Gen: "Registre"}
	self := base + "/public/v1/feed.atom?"
	home := base + "/?lang=" + lang
	if org != nil {
		feed.ID += ":" + org.Slug
		feed.Title = v.T("feed.title") + " — " + org.Name
		self += "org=" + url.QueryEscape(org.Slug) + "&"
		home = base + "/organisations/" + org.Slug + "?lang=" + lang
	}
	if head.At.IsZero() {
		feed.Updated = atomTime(time.Unix(0, 0))
	}
	feed.Links = []atomLink{
		{Rel: "self", Type: "application/atom+xml", Href: self + "lang=" + lang},
		{Rel: "alternate", Type: "text/html", Href: home, HrefLang: lang},
	}
	for _, e := range events {
		orgName := names[e.Organisation]
		if orgName == "" {
			orgName = e.Organisation
		}
		title := v.T("feed."+e.Action) + v.T("colon") + e.Title
		link := base + "/processings/" + e.ProcessingID + "?lang=" + lang
		if e.Title == "" { // withdrawn since: neither its title nor a dead link
			title, link = fmt.Sprintf(v.T("feed.withdrawn."+e.Action), orgName), base+"/organisations/"+e.Organisation+"?lang="+lang
			if names[e.Organisation] == "" {
				link = home
			}
		}
		entry := atomEntry{
			ID:        "tag:registre,2026:processing/" + e.ProcessingID + "/" + e.Action + "/" + strconv.Itoa(e.Version),
			Title:     title,
			Updated:   atomTime(e.At),
			Published: atomTime(e.At),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: link, HrefLang: lang}},
			Category:  atomCategory{Term: e.Action, Label: v.T("feed." + e.Action)},
			Summary:   fmt.Sprintf(v.T("feed.summary"), v.T("feed."+e.Action), orgName, e.Version),
		}
		if e.EndedOn != "" {
			entry.Summary += " " + v.Tf("feed.ended", v.Day(e.EndedOn), e.EndReason)
		}
		if register.PublicState(e.PlannedStart, v.today) == register.StatePlanned {
			entry.Title += " (" + v.T("planned.tag") + ")"
			entry.Summary += " " + v.Tf("planned.text", v.Day(e.PlannedStart))
		}
		feed.Entries = append(feed.Entries, entry)
	}
	body, err := xml.MarshalIndent(feed, "", " ")
	if err != nil {
		return fmt.Errorf("encode feed: %w", err)
	}
	body = append([]byte(xml.Header), append(body, '\n')...)
	publicHeaders(w)
	if !explicit {
		w.Header().Add("Vary", "Accept-Language")
	}
	if !head.At.IsZero() {
		w.Header().Set("Last-Modified", head.At.UTC().Format(http.TimeFormat))
	}
	return s.pub.writeBody(w, r, http.StatusOK, "application/atom+xml; charset=utf-8", body)
}

// defaultStreamStall is how long a whole-register stream waits for a client
// that takes no more bytes: one that stopped reading frees its slot (there
// are two or so, streams) after this, not after the server's whole-request
// write timeout.
const defaultStreamStall = 30 * time.Second

// streamMost bounds a whole-register stream whose client keeps reading,
// however slowly: the 190 MB CSV of 200,000 processings at 1 Mbit/s.
const streamMost = 30 * time.Minute

// progressWriter writes a whole-register stream with a write deadline that
// moves with it: each write must go out within the stall, and the stream
// may last streamMost. The server's write timeout (120 s for the whole
// request) would otherwise cut a client slower than about 13 Mbit/s on the
// uncompressed CSV, and leave one that stopped reading holding its slot for
// all of it.
type progressWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time
	moved time.Time // when the deadline was last moved
}

func newProgressWriter(w http.ResponseWriter, stall time.Duration) *progressWriter {
	if stall <= 0 {
		stall = defaultStreamStall
	}
	now := time.Now()
	pw := &progressWriter{w: w, rc: http.NewResponseController(w), stall: stall, end: now.Add(streamMost)}
	pw.move(now)
	return pw
}

// move sets the deadline a stall from now, within the stream's end.
func (pw *progressWriter) move(now time.Time) {
	deadline := now.Add(pw.stall)
	if deadline.After(pw.end) {
		deadline = pw.end
	}
	_ = pw.rc.SetWriteDeadline(deadline) // not supported: the server's own timeout applies
	pw.moved = now
}

func (pw *progressWriter) Write(p []byte) (int, error) {
	// Moved a few times per stall, not at every write: a write that
	// blocks is then ended between three quarters of the stall and all
	// of it.
	if now := time.Now(); now.Sub(pw.moved) > pw.stall/4 {
		pw.move(now)
	}
	return pw.w.Write(p)
}

// last gives what the server writes after the handler (the end of the
// chunked body) one more stall, and no more.
func (pw *progressWriter) last() { pw.move(time.Now()) }
