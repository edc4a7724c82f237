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
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"
	"golang.org/x/text/language"

	"github.com/registre/registre/register"
	"github.com/registre/registre/reports"

	"github.com/registre/registre/server/httpkit"
)

// The PDF documents of API.md: the public notice and register (anonymous,
// cached), the notice preview and the auditor's report (authenticated,
// never cached). See docs/documents.md.
//
// Drawing a PDF costs milliseconds to seconds and megabytes of memory, so it
// is bounded: renders take slots of a weighted semaphore (a big register
// takes more), a request waits a short while for its slots and is then
// answered 429. Published documents are immutable for a given publication,
// so their bytes are kept in a size-bounded LRU cache: an unchanged public
// notice is served without drawing anything, and concurrent requests for
// the same missing document draw it once (singleflight).

// PDFConfig bounds the drawing of PDF documents; zero values take the
// defaults.
type PDFConfig struct {
	// Concurrency is the number of render slots: a notice takes one, a
	// register one per 250 processings (at most all). Default:
	// 2×GOMAXPROCS. Reports have slots of their own (Reports).
	Concurrency int
	// Wait is how long a request waits for slots before 429. Default: 2s.
	Wait time.Duration
	// Reports is the number of auditor's reports read and drawn at once,
	// in slots of their own: a report never takes the public documents'
	// slots. Default: GOMAXPROCS/2, at least 1.
	Reports int
	// CacheBytes is what the rendered public documents add to the bound of
	// the public register's one cache of bytes (cache.go), which holds
	// 24 MiB besides. Default: 8 MiB; negative: documents are not cached.
	CacheBytes int64
	// OrgMaxAge is how long an organisation read for public documents is
	// used before it is read again: its contacts are printed in every
	// notice, and reading them on each request would double the cost of
	// serving a cached one. Default: 1s; negative: read on every request.
	OrgMaxAge time.Duration
	// The renderers; nil: package reports. Tests replace them to make a
	// render slow or panic.
	Notice   func(w io.Writer, p *register.PublicProcessing, org *register.Organisation, opts reports.Options) error
	Register func(w io.Writer, org *register.Organisation, ps []*register.PublicProcessing, opts reports.Options) error
	Report   func(w io.Writer, data reports.ReportData, opts reports.Options) error
}

// Defaults of PDFConfig.
const (
	defaultPDFWait       = 2 * time.Second
	defaultPDFCacheBytes = 8 << 20
	defaultOrgMaxAge     = time.Second
	maxOrgOf             = 1 << 16 // entries of the id -> organisation map
	pdfRetryAfter        = 5       // seconds, in the 429's Retry-After
	processingsPerSlot   = 250
)

// documents is the Site's PDF state: slots, cache, renderers.
type documents struct {
	cfg      PDFConfig
	slots    *semaphore.Weighted
	capacity int64
	reports  *semaphore.Weighted // of the auditor's reports, apart
	cache    *pdfCache
	flight   singleflight.Group
	langs    language.Matcher
	renders  atomic.Int64 // public documents drawn (cache misses), for metrics

	mu    sync.Mutex
	orgs  map[string]orgRead // organisations by slug, with when they were read
	orgOf map[string]string  // processing id -> organisation slug (never changes)
	// registers remembers register keys by organisation, language and base.
	registers map[string]registerKey
}

type orgRead struct {
	org *register.Organisation
	at  time.Time
}

// registerKey is the key of a register document as last computed, with
// what it was computed under.
type registerKey struct {
	head       int64     // register.PublicHead.Seq
	orgUpdated time.Time // register.Organisation.UpdatedAt
	key        string
	count      int // publications
}

func (d *documents) registerMemo(k string) (registerKey, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, ok := d.registers[k]
	return m, ok
}

func (d *documents) rememberRegister(k string, m registerKey) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.registers) >= maxOrgOf {
		clear(d.registers)
	}
	d.registers[k] = m
}

func newDocuments(c PDFConfig, store *bytesCache) *documents {
	if c.Concurrency <= 0 {
		c.Concurrency = 2 * runtime.GOMAXPROCS(0)
	}
	if c.Wait <= 0 {
		c.Wait = defaultPDFWait
	}
	if c.Reports <= 0 {
		c.Reports = max(1, runtime.GOMAXPROCS(0)/2)
	}
	if c.CacheBytes == 0 {
		c.CacheBytes = defaultPDFCacheBytes
	}
	if c.OrgMaxAge == 0 {
		c.OrgMaxAge = defaultOrgMaxAge
	}
	if c.Notice == nil {
		c.Notice = reports.Notice
	}
	if c.Register == nil {
		c.Register = reports.Register
	}
	if c.Report == nil {
		c.Report = reports.ComplianceReport
	}
	return &documents{
		cfg:      c,
		slots:    semaphore.NewWeighted(int64(c.Concurrency)),
		capacity: int64(c.Concurrency),
		reports:  semaphore.NewWeighted(int64(c.Reports)),
		cache:    &pdfCache{store: store, off: c.CacheBytes < 0},
		langs:    language.NewMatcher([]language.Tag{language.French, language.English}),
		orgs:     map[string]orgRead{},
		orgOf:    map[string]string{},

		registers: map[string]registerKey{},
	}
}

// weight is the number of slots a document of n processings takes.
func (d *documents) weight(n int) int64 {
	w := 1 + int64(n/processingsPerSlot)
	return min(w, d.capacity)
}

// errBusy answers a request that found no free slot in time.
func errBusy() *httpkit.Problem {
	p := httpkit.NewProblem(http.StatusTooManyRequests, "too many documents are being drawn; try again in a few seconds")
	p.RetryAfter = pdfRetryAfter
	return p
}

// draw renders a document in slots, turning a panic into an error: a
// document never takes the process down, whatever its data.
func (d *documents) draw(ctx context.Context, weight int64, fn func(w io.Writer) error) (body []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Wait)
	err = d.slots.Acquire(ctx, weight)
	cancel()
	if err != nil {
		return nil, errBusy()
	}
	defer d.slots.Release(weight)
	defer func() {
		if v := recover(); v != nil {
			body, err = nil, fmt.Errorf("pdf: rendering panicked: %v", v)
		}
	}()
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// cached returns the bytes under key, drawing them once for all concurrent
// callers when they are missing. The draw does not stop when the request
// that started it goes away: the others wait for it, and it fills the cache.
func (d *documents) cached(ctx context.Context, key string, weight int64, fn func(w io.Writer) error) ([]byte, error) {
	if b, ok := d.cache.get(key); ok {
		return b, nil
	}
	v, err, _ := d.flight.Do(key, func() (any, error) {
		d.renders.Add(1)
		b, err := d.draw(context.WithoutCancel(ctx), weight, fn)
		if err != nil {
			return nil, err
		}
		d.cache.put(key, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// docLang is the document's language: ?lang= when given (fr or en, else
// 422), otherwise the best of French and English in Accept-Language, and
// French when the client prefers neither (a Geneva service).
func (d *documents) docLang(r *http.Request) (reports.Lang, error) {
	if q := r.URL.Query(); q.Has("lang") {
		l, err := reports.ParseLang(q.Get("lang"))
		if err != nil || q.Get("lang") == "" {
			return "", &register.Error{Code: register.EInvalid, Message: "the request is not valid",
				Fields: []register.FieldError{{Field: "lang", Message: `must be "fr" or "en"`}}}
		}
		return l, nil
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return reports.French, nil
	}
	_, i, conf := d.langs.Match(tags...)
	if conf == language.No || i != 1 {
		return reports.French, nil
	}
	return reports.English, nil
}

// pdfKey is a cache key and entity tag over the parts that decide a
// document's bytes.
func pdfKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// writePDF writes a PDF. A public document (tag not empty) gets its entity
// tag and may be kept by shared caches for a minute (a processing can be
// archived at any time); internal ones keep the no-store set for
// authenticated answers. Validators are set here, on success only, so that
// no error answer is ever cached as public.
func writePDF(w http.ResponseWriter, filename string, lang reports.Lang, body []byte, tag string) error {
	h := w.Header()
	// A browser's PDF viewer is a plugin to CSP: default-src 'none' would
	// stop it from showing the document inline.
	h.Del("Content-Security-Policy")
	h.Set("Content-Disposition", `inline; filename="`+filename+`"`)
	h.Set("Content-Language", string(lang))
	h.Add("Vary", "Accept-Language")
	if tag != "" {
		h.Set("ETag", tag)
		h.Set("Cache-Control", publicCacheControl)
	}
	return httpkit.WriteRaw(w, http.StatusOK, "application/pdf", body)
}

// notModifiedPDF answers 304 when the client already has the document.
func notModifiedPDF(w http.ResponseWriter, r *http.Request, tag string) bool {
	inm := r.Header.Get("If-None-Match")
	if inm == "" || !etagMatches(inm, tag) {
		return false
	}
	h := w.Header()
	h.Del("Content-Security-Policy")
	h.Set("ETag", tag)
	h.Set("Cache-Control", publicCacheControl)
	h.Add("Vary", "Accept-Language")
	writeNotModified(w)
	return true
}

// publicOrganisationRecord reads an organisation for a public document
// (its contacts are public), at most once per OrgMaxAge.
func (s *Site) publicOrganisationRecord(ctx context.Context, slug string) (*register.Organisation, error) {
	d := s.docs
	now := time.Now()
	d.mu.Lock()
	if r, ok := d.orgs[slug]; ok && now.Sub(r.at) < d.cfg.OrgMaxAge {
		d.mu.Unlock()
		return r.org, nil
	}
	d.mu.Unlock()
	o, err := s.svc.Store().GetOrganisation(ctx, slug)
	if err != nil {
		if register.ErrorCode(err) == register.ENotFound {
			return nil, register.Errorf(register.ENotFound, "organisation not found")
		}
		return nil, err
	}
	if d.cfg.OrgMaxAge > 0 {
		d.mu.Lock()
		if len(d.orgs) >= maxOrgOf {
			clear(d.orgs)
		}
		d.orgs[slug] = orgRead{org: o, at: now}
		d.mu.Unlock()
	}
	return o, nil
}

// publicationOrg returns the organisation of a published processing,
// remembered after the first read: a processing never changes organisation.
func (s *Site) publicationOrg(ctx context.Context, id string) (string, error) {
	d := s.docs
	d.mu.Lock()
	slug, ok := d.orgOf[id]
	d.mu.Unlock()
	if ok {
		return slug, nil
	}
	pub, err := s.svc.PublicProcessing(ctx, id)
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	if len(d.orgOf) >= maxOrgOf {
		clear(d.orgOf)
	}
	d.orgOf[id] = pub.Organisation
	d.mu.Unlock()
	return pub.Organisation, nil
}

// PublicNoticePDF serves GET /public/v1/processings/{id}/notice.pdf: the
// notice of the published version. Its bytes depend on the publication
// (id, version, date), the organisation's contacts (its update time), the
// language and the base URL of the links: that is the cache key and ETag.
// A request reads only the publication's stamp (version and date, so that
// a new version or an archiving shows at once); the JSON is read and the
// document drawn only when the bytes are not in the cache.
func (s *Site) PublicNoticePDF(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang, err := s.docs.docLang(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	stamp, err := s.svc.PublicStamp(ctx, id) // not found for a non-UUID
	if err != nil {
		// Ended: 410 with the same body as the JSON's (docs/reviews.md).
		_, err = s.gone(w, r, err)
		return err
	}
	slug, err := s.publicationOrg(ctx, id)
	if err != nil {
		return err
	}
	org, err := s.publicOrganisationRecord(ctx, slug)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	// Keyed on the day too: a planned processing's notice turns active on
	// its start day without any change of the register (issue 20).
	today := s.svc.Today()
	noticeKey := func(version int, at time.Time) string {
		return pdfKey("notice", id, strconv.Itoa(version), at.UTC().Format(time.RFC3339Nano),
			org.UpdatedAt.UTC().Format(time.RFC3339Nano), string(lang), base, today)
	}
	key := noticeKey(stamp.Version, stamp.PublishedAt)
	tag := `"n` + key + `"`
	if notModifiedPDF(w, r, tag) {
		return nil
	}
	body, err := s.docs.cached(ctx, key, 1, func(w io.Writer) error {
		// Other requests may be waiting on this draw: it does not stop
		// when this one's client goes away.
		pub, err := s.svc.PublicProcessing(context.WithoutCancel(ctx), id)
		if err != nil {
			return err
		}
		if noticeKey(pub.Version, pub.PublishedAt) != key {
			// Republished since the stamp was read: the key names a
			// version that is gone.
			p := httpkit.NewProblem(http.StatusServiceUnavailable, "the processing was republished while its notice was being read; try again")
			p.RetryAfter = 1
			return p
		}
		var p register.PublicProcessing
		if err := json.Unmarshal(pub.Data, &p); err != nil {
			return fmt.Errorf("decode publication %s: %w", id, err)
		}
		entry, err := s.logEntry(context.WithoutCancel(ctx), id, jsonFingerprint(pub.Data))
		if err != nil {
			return err
		}
		return s.docs.cfg.Notice(w, &p, org, reports.Options{Lang: lang, PublicURL: base, Log: entry, Today: today})
	})
	if err != nil {
		return err
	}
	return writePDF(w, "notice-"+id+"-"+string(lang)+".pdf", lang, body, tag)
}

// PublicRegisterPDF serves GET /public/v1/organisations/{org}/register.pdf:
// every publication of the organisation. The key covers each publication's
// id, version and date and the organisation's update time, so any
// publication, republication or archiving gives a new document. Listing a
// large register costs more than serving it from the cache, so the key is
// remembered with the organisation's public head (its latest publication or
// archiving, one indexed read): while the head and the organisation are
// unchanged, the key is too, and nothing is listed. An organisation with
// nothing published is not found, as in the public list.
func (s *Site) PublicRegisterPDF(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	lang, err := s.docs.docLang(r)
	if err != nil {
		return err
	}
	// Only organisations of the public register are looked at further:
	// one that exists with nothing published and one that does not exist
	// get the same answer (docs/security.md, "What the public side tells
	// apart").
	orgs, _, err := s.publicOrgs(r)
	if err != nil {
		return err
	}
	if findOrg(orgs, r.PathValue("org")) == nil {
		return errNotInPublicRegister()
	}
	org, err := s.publicOrganisationRecord(ctx, r.PathValue("org"))
	if err != nil {
		return err
	}
	head, err := s.svc.PublicHead(ctx, org.Slug)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	memoKey := org.Slug + "\x00" + string(lang) + "\x00" + base
	var pubs []register.Publication
	list := func(ctx context.Context) (string, error) {
		pubs = pubs[:0]
		f := register.PublicFilter{Organisation: org.Slug, PerPage: register.MaxPerPage}
		for f.Page = 1; ; f.Page++ {
			items, total, err := s.svc.ListPublic(ctx, f)
			if err != nil {
				return "", err
			}
			pubs = append(pubs, items...)
			if f.Page*f.PerPage >= total || len(items) == 0 {
				break
			}
		}
		parts := []string{"register", org.Slug, org.UpdatedAt.UTC().Format(time.RFC3339Nano), string(lang), base}
		for _, p := range pubs {
			parts = append(parts, p.ProcessingID, strconv.Itoa(p.Version), p.PublishedAt.UTC().Format(time.RFC3339Nano))
		}
		return pdfKey(parts...), nil
	}
	m, ok := s.docs.registerMemo(memoKey)
	if !ok || m.head != head.Seq || !m.orgUpdated.Equal(org.UpdatedAt) {
		key, err := list(ctx)
		if err != nil {
			return err
		}
		m = registerKey{head: head.Seq, orgUpdated: org.UpdatedAt, key: key, count: len(pubs)}
		s.docs.rememberRegister(memoKey, m)
	}
	if m.count == 0 { // its last publication was archived meanwhile
		return errNotInPublicRegister()
	}
	// Keyed on the Zurich day too, as the notice: a planned processing
	// turns active on its start day without any change of the register.
	today := s.svc.Today()
	docKey := pdfKey(m.key, today)
	tag := `"r` + docKey + `"`
	if notModifiedPDF(w, r, tag) {
		return nil
	}
	body, err := s.docs.cached(ctx, docKey, s.docs.weight(m.count), func(w io.Writer) error {
		if pubs == nil { // the key came from the memo: read what it names
			key, err := list(context.WithoutCancel(ctx))
			if err != nil {
				return err
			}
			if key != m.key {
				p := httpkit.NewProblem(http.StatusServiceUnavailable, "the register changed while it was being read; try again")
				p.RetryAfter = 1
				return p
			}
		}
		ps := make([]*register.PublicProcessing, len(pubs))
		for i := range pubs {
			ps[i] = new(register.PublicProcessing)
			if err := json.Unmarshal(pubs[i].Data, ps[i]); err != nil {
				return fmt.Errorf("decode publication %s: %w", pubs[i].ProcessingID, err)
			}
		}
		return s.docs.cfg.Register(w, org, ps, reports.Options{Lang: lang, PublicURL: base, Today: today})
	})
	if err != nil {
		return err
	}
	return writePDF(w, "register-"+org.Slug+"-"+string(lang)+".pdf", lang, body, tag)
}

// PreviewNotice draws the notice of pub marked as a preview, in a document
// slot, never cached: the API's preview (server/pdf_api.go) of any state.
func (s *Site) PreviewNotice(r *http.Request, pub *register.PublicProcessing, org *register.Organisation, lang reports.Lang) ([]byte, error) {
	return s.docs.draw(r.Context(), 1, func(w io.Writer) error {
		return s.docs.cfg.Notice(w, pub, org, reports.Options{Lang: lang, PublicURL: s.publicBase(r), Preview: true})
	})
}

// ComplianceReport reads (read) and draws the auditor's report in a report
// slot, apart from the public documents' slots: reports wait for each other
// (429 after PDF.Wait), never the public.
func (s *Site) ComplianceReport(r *http.Request, lang reports.Lang, read func() (*register.AuditorReport, error)) ([]byte, *register.AuditorReport, error) {
	wait, cancel := context.WithTimeout(r.Context(), s.docs.cfg.Wait)
	err := s.docs.reports.Acquire(wait, 1)
	cancel()
	if err != nil {
		return nil, nil, errBusy()
	}
	defer s.docs.reports.Release(1)
	data, err := read()
	if err != nil {
		return nil, nil, err
	}
	body, err := drawReport(func(w io.Writer) error {
		return s.docs.cfg.Report(w, *data, reports.Options{Lang: lang, PublicURL: s.publicBase(r)})
	})
	if err != nil {
		return nil, nil, err
	}
	return body, data, nil
}

// DocLang is the language of a document asked for by r (?lang=, then
// Accept-Language); a bad ?lang= is a 400.
func (s *Site) DocLang(r *http.Request) (reports.Lang, error) { return s.docs.docLang(r) }

// WritePDF writes a drawn document; tag empty: not cacheable.
func WritePDF(w http.ResponseWriter, filename string, lang reports.Lang, body []byte, tag string) error {
	return writePDF(w, filename, lang, body, tag)
}

// drawReport renders a report, turning a panic into an error.
func drawReport(fn func(w io.Writer) error) (body []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			body, err = nil, fmt.Errorf("pdf: rendering panicked: %v", v)
		}
	}()
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// ---- cache ----

// pdfCache keeps rendered public documents in the site's one cache of
// public bytes (cache.go); PDFConfig.CacheBytes negative: none are kept.
type pdfCache struct {
	store *bytesCache
	off   bool
}

func (c *pdfCache) get(key string) ([]byte, bool) {
	if c.off {
		return nil, false
	}
	v, ok := c.store.get(kindPDF, key)
	b, _ := v.([]byte)
	return b, ok
}

func (c *pdfCache) put(key string, body []byte) {
	if c.off {
		return
	}
	c.store.put(kindPDF, key, body, cap(body)) // what the entry really holds
}
