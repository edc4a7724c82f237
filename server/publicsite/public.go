package publicsite

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/registre/registre/register"

	"github.com/registre/registre/server/httpkit"
)

// The public register's JSON (API.md, "The public register"): anonymous,
// built only from register.Publication, whose Data is the public shape
// encoded once at publication. Those bytes are written as they are stored.

// Cache lifetimes of public answers. Published versions never change, but a
// processing can be archived or republished at any time: a minute is how
// stale a shared cache may be.
const (
	publicCacheControl = "public, max-age=60"
	publicCSP          = "default-src 'none'; frame-ancestors 'none'"
)

// publicSite is what the public handlers keep between requests: the parsed
// templates, the static files, the bytes of published processings, rendered
// pages and the organisations list. It belongs to one Site.
type publicSite struct {
	pages    *pageSet
	static   map[string]staticFile
	docs     *publicationCache
	rendered *pageCache
	gz       sync.Pool // *gzipScratch

	mu   sync.Mutex // guards orgs
	orgs orgsCache
}

// gzipScratch is a pooled gzip writer and the buffer it compresses into.
type gzipScratch struct {
	w   *gzip.Writer
	buf bytes.Buffer
}

// maxScratch is the largest buffer put back in the pool: a rare large page
// does not keep its buffer.
const maxScratch = 1 << 20

// compress returns body gzipped, at the fastest level. It compresses into
// a pooled buffer and copies the result once at its size: a new buffer
// grew by doubling, 6 % of a cold search's CPU.
func (p *publicSite) compress(body []byte) []byte {
	g := p.gz.Get().(*gzipScratch)
	g.buf.Reset()
	g.w.Reset(&g.buf)
	_, _ = g.w.Write(body)
	_ = g.w.Close()
	out := bytes.Clone(g.buf.Bytes())
	if g.buf.Cap() <= maxScratch {
		p.gz.Put(g)
	}
	return out
}

func newPublicSite(store *bytesCache) *publicSite {
	return &publicSite{
		pages:    mustParsePages(),
		static:   mustLoadStatic(),
		docs:     newPublicationCache(store),
		rendered: &pageCache{store: store},
		gz: sync.Pool{New: func() any {
			w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
			return &gzipScratch{w: w}
		}},
	}
}

// ---- cache of published processings ----

// freshFor is how long this process trusts what it knows of the register
// without asking the database. Changes made through this process are seen
// at once (see invalidate); this bounds how long a change made by another
// process (a command-line import, a second server on PostgreSQL) may go
// unseen.
const freshFor = time.Second

// publicationCache keeps the stored JSON of published processings, which
// never changes for a given publication stamp (version, published_at).
//
// Serving from it must not hide an archive or a republication, yet asking
// the database on every read would cost most of a read. So the cache keeps,
// per entry, the public register's change sequence (Service.PublicSeq: the
// latest publication, archiving or organisation change; drafts and other
// back-office writes do not move it, so a visitor cannot time them) at which
// its stamp was last confirmed, and the process keeps the latest sequence it
// read. That sequence is read again when the domain reported a public change
// of this process since (invalidate), or when it is older than freshFor; an
// entry confirmed at an older sequence has its stamp read again (two small
// columns by primary key) before its bytes are used.
type publicationCache struct {
	store *bytesCache // the site's one cache of public bytes (cache.go)

	gen   atomic.Int64               // moved by invalidate
	known atomic.Pointer[knownState] // the latest change sequence read
}

// knownState is a change sequence as read at a time, under a generation.
type knownState struct {
	gen, seq int64
	at       time.Time
}

// cachedPublication is immutable once in the map: updates replace it.
type cachedPublication struct {
	stamp register.PublicationStamp
	seq   int64  // change sequence at which stamp was last confirmed
	body  []byte // the stored JSON and a newline
	doc   *register.PublicProcessing
	sum   string // SHA-256 of the stored JSON (lowercase hex): its fingerprint in the transparency log
}

func newPublicationCache(store *bytesCache) *publicationCache {
	return &publicationCache{store: store}
}

// invalidate is called by the domain after it commits a change of the
// public register (register.Service.OnPublicChange), before the use case
// returns: what this process cached is not trusted again without asking the
// database. Readers that read the generation before the move store what
// they read under the old one, which the next reader asks again.
func (c *publicationCache) invalidate() { c.gen.Add(1) }

// changeSeq returns the public register's change sequence
// (Service.PublicSeq), from memory while it is known to be current.
func (c *publicationCache) changeSeq(ctx context.Context, svc *register.Service) (int64, error) {
	gen := c.gen.Load()
	if k := c.known.Load(); k != nil && k.gen == gen && time.Since(k.at) < freshFor {
		return k.seq, nil
	}
	seq, err := svc.PublicSeq(ctx)
	if err != nil {
		return 0, err
	}
	// Stored under the generation read before the query: a write that ends
	// meanwhile moves the generation, and the next reader asks again.
	c.known.Store(&knownState{gen: gen, seq: seq, at: time.Now()})
	return seq, nil
}

// publication returns the cached entry of a published processing, reading
// the database only as the comment on publicationCache says.
func (c *publicationCache) publication(ctx context.Context, svc *register.Service, id string) (*cachedPublication, error) {
	seq, err := c.changeSeq(ctx, svc)
	e := c.get(id)
	switch {
	case err != nil && e != nil && register.Unavailable(err):
		// The database is away: the publication as last known is served
		// rather than an error (docs/security.md, "Database outages").
		return e, nil
	case err != nil:
		return nil, err
	case e != nil && e.seq == seq:
		return e, nil
	}
	st, err := svc.PublicStamp(ctx, id)
	if err != nil {
		if e != nil && register.ErrorCode(err) == register.ENotFound {
			c.drop(id)
		}
		if e != nil && register.Unavailable(err) {
			return e, nil
		}
		return nil, err
	}
	if e != nil && e.stamp == st {
		confirmed := *e
		confirmed.seq = seq
		c.put(id, &confirmed)
		return &confirmed, nil
	}
	pub, err := svc.PublicProcessing(ctx, id)
	if err != nil {
		return nil, err
	}
	var doc register.PublicProcessing
	if err := json.Unmarshal(pub.Data, &doc); err != nil {
		return nil, fmt.Errorf("decode publication %s: %w", id, err)
	}
	// The stamp read last is the truth: a publication between the two
	// reads is the newer one.
	e = &cachedPublication{stamp: register.PublicationStamp{Version: pub.Version, PublishedAt: pub.PublishedAt},
		seq: seq, body: append(append(make([]byte, 0, len(pub.Data)+1), pub.Data...), '\n'), doc: &doc,
		sum: jsonFingerprint(pub.Data)}
	c.put(id, e)
	return e, nil
}

func (c *publicationCache) get(id string) *cachedPublication {
	v, _ := c.store.get(kindPublication, id)
	e, _ := v.(*cachedPublication)
	return e
}

func (c *publicationCache) drop(id string) { c.store.drop(kindPublication, id) }

// put keeps e; its decoded document is counted as much again as its bytes.
func (c *publicationCache) put(id string, e *cachedPublication) {
	c.store.put(kindPublication, id, e, 2*cap(e.body))
}

// ---- conditional requests ----

// stampETag is the entity tag of a publication: its version and instant.
func stampETag(st register.PublicationStamp) string {
	return `"p` + strconv.Itoa(st.Version) + "." + strconv.FormatInt(st.PublishedAt.UnixMicro(), 36) + `"`
}

// hashETag is the entity tag of a body computed on each request.
func hashETag(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return `"h` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
}

// gzETag marks the gzip encoding of a representation: a different
// representation must not share its entity tag (RFC 9110, 8.8.3).
func gzETag(tag string) string { return strings.TrimSuffix(tag, `"`) + `-gz"` }

// etagMatches implements If-None-Match's weak comparison; a tag with or
// without the gzip mark matches both encodings, since either is current.
func etagMatches(header, tag string) bool {
	base := func(t string) string {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		return strings.TrimSuffix(strings.TrimSuffix(t, `"`), "-gz") + `"`
	}
	want := base(tag)
	for _, t := range strings.Split(header, ",") {
		if strings.TrimSpace(t) == "*" || base(t) == want {
			return true
		}
	}
	return false
}

// notModified sets the validators and reports whether the client's copy is
// current (If-None-Match first; If-Modified-Since only without it, as RFC
// 9110 13.2.2 orders).
func notModified(w http.ResponseWriter, r *http.Request, tag string, modified time.Time) bool {
	h := w.Header()
	if tag != "" {
		h.Set("ETag", tag)
	}
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return tag != "" && etagMatches(inm, tag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

func writeNotModified(w http.ResponseWriter) {
	h := w.Header()
	h.Del("Content-Type")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusNotModified)
}

// acceptsGzip reports whether the client takes gzip (and did not refuse it
// with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// writeBody writes a computed body with a hash ETag, answering 304 when the
// client has it, gzip-encoded when that helps and the client takes it.
func (ps *publicSite) writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) error {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	tag := ""
	if status == http.StatusOK {
		tag = hashETag([]byte(contentType), body)
		if notModified(w, r, tag, time.Time{}) {
			writeNotModified(w)
			return nil
		}
	}
	if len(body) < 1024 || !acceptsGzip(r) {
		return httpkit.WriteRaw(w, status, contentType, body)
	}
	gz := ps.compress(body)
	if tag != "" {
		h.Set("ETag", gzETag(tag))
	}
	h.Set("Content-Encoding", "gzip")
	return httpkit.WriteRaw(w, status, contentType, gz)
}

// ---- handlers ----

func publicHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", publicCacheControl)
	h.Set("Content-Security-Policy", publicCSP)
	// Open data: any web page may read it.
	h.Set("Access-Control-Allow-Origin", "*")
}

func (s *Site) PublicOrganisations(w http.ResponseWriter, r *http.Request) error {
	e, err := s.publicOrgsList(r)
	if err != nil {
		return err
	}
	publicHeaders(w)
	return writeEncoded(w, r, e)
}

func (s *Site) PublicOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.svc.PublicOrganisation(r.Context(), r.PathValue("org"))
	if err != nil {
		return err
	}
	publicHeaders(w)
	body, err := jsonBytes(o)
	if err != nil {
		return err
	}
	return s.pub.writeBody(w, r, http.StatusOK, "application/json", body)
}

// publicFilter reads the search parameters shared by the public list, the
// CSV and the pages. strict: a bad value is an error (the JSON API), else it
// is ignored (a page shows what it can).
func publicFilter(q url.Values, strict bool) (register.PublicFilter, error) {
	f := register.PublicFilter{Organisation: q.Get("org"), Query: q.Get("q"), Category: q.Get("category"),
		BasisType: register.LegalBasisType(q.Get("legal_basis"))}
	switch v := q.Get("sensitive"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.Sensitive = &b
	default:
		if strict {
			return f, httpkit.BadRequest("a query parameter has the wrong type",
				register.FieldError{Field: "sensitive", Message: "must be true or false"})
		}
	}
	if !strict && f.BasisType != "" && !f.BasisType.Valid() {
		f.BasisType = ""
	}
	return f, nil
}

func (s *Site) PublicProcessings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, perPage, err := httpkit.Paging(q)
	if err != nil {
		return err
	}
	f, err := publicFilter(q, true)
	if err != nil {
		return err
	}
	withEnded, err := includeEnded(q, true)
	if err != nil {
		return err
	}
	f.Page, f.PerPage, f.Cursor = page, perPage, q.Get("cursor")
	// The same list or search asked again while the public register has
	// not changed is served as it was encoded: readers ask the same few
	// queries most of the time, and a search costs milliseconds of CPU.
	// A planned processing's state is decided when read (issue 20): a
	// page is kept for the day it was made on, not beyond.
	key, today := listKey(q), s.svc.Today()
	seq, err := s.pub.docs.changeSeq(r.Context(), s.svc)
	if v, ok := s.cache.get(kindList, key); ok {
		// While the database is away, a kept page is served as it was
		// (docs/security.md, "Database outages").
		if e := v.(*keptList); err == nil && e.seq == seq && e.day == today || err != nil && register.Unavailable(err) {
			publicHeaders(w)
			return writeEncoded(w, r, &e.encodedBody)
		}
	}
	if err != nil {
		return err
	}
	// Ranked by relevance when searching; a cursor fetches the page after
	// the one that returned it at the cost of the first (issue 17).
	res, err := s.svc.ListPublicPage(r.Context(), f)
	if err != nil {
		return err
	}
	page, perPage, _ = register.CheckPage(page, perPage)
	if f.Cursor != "" {
		page = 0 // a cursor's page has no number
	}
	// Each item is the stored public JSON, written as it is (with its
	// state when it was published with a planned start).
	var b bytes.Buffer
	// Sized once: grown by doubling, the buffer took 6 % of a cold
	// search's CPU.
	size := 256 + len(res.NextCursor)
	for i := range res.Items {
		size += len(res.Items[i].Data) + 64 // a planned start's state
	}
	b.Grow(size)
	b.WriteString(`{"items":[`)
	for i := range res.Items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(register.WithState(res.Items[i].Data, res.Items[i].PlannedStart, today))
	}
	b.WriteString(`],"total":`)
	b.WriteString(strconv.Itoa(res.Total))
	if page > 0 {
		b.WriteString(`,"page":`)
		b.WriteString(strconv.Itoa(page))
	}
	b.WriteString(`,"per_page":`)
	b.WriteString(strconv.Itoa(perPage))
	if res.TotalIsCapped {
		b.WriteString(`,"total_is_capped":true`)
	}
	if res.NextCursor != "" {
		b.WriteString(`,"cursor":`)
		c, _ := json.Marshal(res.NextCursor) // a string: cannot fail
		b.Write(c)
	}
	if withEnded {
		// The processings that ended (of the organisation asked for),
		// latest end first: a trace, not a searchable list.
		ended, err := s.svc.PublicEndings(r.Context(), f.Organisation)
		if err != nil {
			return err
		}
		e, err := json.Marshal(ended)
		if err != nil {
			return err
		}
		b.WriteString(`,"ended":`)
		b.Write(e)
	}
	b.WriteString("}\n")
	e := &keptList{seq: seq, day: today, encodedBody: s.pub.encode(b.Bytes())}
	// Kept compressed only: a page of JSON is 6 to 8 times its gzip, and
	// nearly every client takes gzip; the others have it inflated.
	kept := *e
	if kept.gz != nil {
		kept.body = nil
	}
	// Searches are endless: a page is kept from its second request once
	// the cache is half full.
	s.cache.putAgain(kindList, key, &kept, cap(kept.body)+cap(kept.gz))
	publicHeaders(w)
	return writeEncoded(w, r, &e.encodedBody)
}

// keptList is a page of the public list or search as served, and the
// public register's change sequence and the day (Europe/Zurich) it was
// read at.
type keptList struct {
	encodedBody
	seq int64
	day string
}

// listKey is the cache key of a public list request: its parameters that
// select the page, in a fixed order; others do not change the answer.
func listKey(q url.Values) string {
	var b strings.Builder
	for _, k := range []string{"org", "q", "category", "legal_basis", "sensitive", "page", "per_page", "cursor", "include"} {
		b.WriteString(q.Get(k))
		b.WriteByte(0)
	}
	return b.String()
}

// encode makes a body ready to serve: its entity tag and, when large
// enough to gain, its gzip form.
func (p *publicSite) encode(body []byte) encodedBody {
	e := encodedBody{body: fit(body), tag: hashETag([]byte("application/json"), body)}
	if len(body) >= 1024 {
		// The fastest level: a page of 50 processings is 150 KB of JSON,
		// which the default level took longer to compress than the search
		// took to find; the page is compressed once and then kept.
		// The writers are pooled: each holds about a megabyte of tables,
		// which allocating per cold search cost 8 % of its CPU.
		e.gz = p.compress(body)
	}
	return e
}

// writeEncoded writes e as JSON, compressed when the client accepts it, or
// 304 when the client has it.
func writeEncoded(w http.ResponseWriter, r *http.Request, e *encodedBody) error {
	w.Header().Add("Vary", "Accept-Encoding")
	if notModified(w, r, e.tag, time.Time{}) {
		writeNotModified(w)
		return nil
	}
	if e.gz == nil || !acceptsGzip(r) {
		body := e.body
		if body == nil { // kept compressed only
			zr, err := gzip.NewReader(bytes.NewReader(e.gz))
			if err != nil {
				return fmt.Errorf("inflate a kept page: %w", err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				return fmt.Errorf("inflate a kept page: %w", err)
			}
		}
		return httpkit.WriteRaw(w, http.StatusOK, "application/json", body)
	}
	w.Header().Set("ETag", gzETag(e.tag))
	w.Header().Set("Content-Encoding", "gzip")
	return httpkit.WriteRaw(w, http.StatusOK, "application/json", e.gz)
}

// PublicProcessing serves one published processing: the hottest public
// read, served from memory while the register has not changed.
func (s *Site) PublicProcessing(w http.ResponseWriter, r *http.Request) error {
	if wantsLinkedData(r) { // content negotiation: the same resource as JSON-LD
		return s.PublicProcessingLD(w, r)
	}
	w.Header().Add("Vary", "Accept")
	e, err := s.pub.docs.publication(r.Context(), s.svc, r.PathValue("id"))
	if err != nil {
		_, err = s.gone(w, r, err)
		return err
	}
	publicHeaders(w)
	body, tag := e.body, stampETag(e.stamp)
	if e.doc.PlannedStart != "" {
		// Planned or active is decided now (issue 20): the entity tag
		// names the state, so a client's copy turns stale on the day.
		today := s.svc.Today()
		body = append(register.WithState(e.body[:len(e.body)-1], e.doc.PlannedStart, today), '\n')
		tag = strings.TrimSuffix(tag, `"`) + "." + e.doc.State(today) + `"`
	}
	if notModified(w, r, tag, e.stamp.PublishedAt) {
		writeNotModified(w)
		return nil
	}
	return httpkit.WriteRaw(w, http.StatusOK, "application/json", body)
}

// jsonBytes encodes v as writeJSON does, for handlers that hash the body.
func jsonBytes(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return append(b, '\n'), nil
}
