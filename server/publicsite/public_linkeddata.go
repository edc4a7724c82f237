package publicsite

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/klauspost/compress/gzip"

	"github.com/registre/registre/server/httpkit"

	"github.com/registre/registre/linkeddata"
	"github.com/registre/registre/register"
)

// Linked open data (docs/open-data.md): the JSON-LD of published processings
// with the W3C Data Privacy Vocabulary, and the DCAT-AP CH catalogue that
// opendata.swiss harvests. The mapping is package linkeddata; these handlers
// only pick the public values, as the JSON, CSV and feed handlers do, and
// use the same caches and validators.

const ldContentType = "application/ld+json"

// wantsLinkedData reports whether the client prefers JSON-LD to JSON: an
// Accept header that rates application/ld+json above every range that
// covers application/json. Without that the JSON stays the answer.
func wantsLinkedData(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	if !strings.Contains(accept, "ld+json") {
		return false
	}
	ld, plain := -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case ldContentType:
			ld = max(ld, q)
		case "application/json", "application/*", "*/*":
			plain = max(plain, q)
		}
	}
	return ld > 0 && ld > plain
}

// PublicProcessingLD serves the JSON-LD of one published processing, from
// the cached publication (the same 404 as its JSON), rendered once per
// change of the register and kept with the rendered pages.
func (s *Site) PublicProcessingLD(w http.ResponseWriter, r *http.Request) error {
	e, err := s.pub.docs.publication(r.Context(), s.svc, r.PathValue("id"))
	if err != nil {
		_, err = s.gone(w, r, err) // ended: 410 as the JSON answers
		return err
	}
	seq, err := s.pub.docs.changeSeq(r.Context(), s.svc)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	key := "dpv.jsonld\x00" + e.doc.ID + "\x00" + base
	p := s.pub.rendered.get(key, seq)
	if p == nil || p.tag != ldTag(e, base) {
		body, err := linkeddata.Processing(e.doc, base)
		if err != nil {
			return err
		}
		p = renderOnce(seq, ldTag(e, base), body)
		s.pub.rendered.put(key, p)
	}
	publicHeaders(w)
	w.Header().Add("Vary", "Accept")
	w.Header().Set("Link", `<`+base+`/public/v1/processings/`+e.doc.ID+`>; rel="alternate"; type="application/json"`)
	return serveRendered(w, r, p, ldContentType, e.stamp.PublishedAt)
}

// ldTag is the entity tag of a processing's JSON-LD: its publication and
// the base URL of its IRIs.
func ldTag(e *cachedPublication, base string) string {
	return hashETag([]byte("dpv.jsonld"), []byte(stampETag(e.stamp)), []byte(base))
}

// renderOnce keeps a rendered body with its gzip encoding.
func renderOnce(seq int64, tag string, body []byte) *renderedPage {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	return &renderedPage{seq: seq, status: http.StatusOK, body: fit(body), gz: fit(buf.Bytes()), tag: tag}
}

// serveRendered answers with a kept rendering: 304 when the client has it,
// gzip-encoded when the client takes it.
func serveRendered(w http.ResponseWriter, r *http.Request, p *renderedPage, contentType string, modified time.Time) error {
	w.Header().Add("Vary", "Accept-Encoding")
	tag := p.tag
	gz := acceptsGzip(r)
	if gz {
		tag = gzETag(tag)
	}
	if notModified(w, r, tag, modified) {
		writeNotModified(w)
		return nil
	}
	if !gz {
		return httpkit.WriteRaw(w, http.StatusOK, contentType, p.body)
	}
	w.Header().Set("Content-Encoding", "gzip")
	return httpkit.WriteRaw(w, http.StatusOK, contentType, p.gz)
}

// PublicContextLD serves the committed JSON-LD context, for readers who
// want it apart from the documents (which carry it inline).
func (s *Site) PublicContextLD(w http.ResponseWriter, r *http.Request) error {
	publicHeaders(w)
	return s.pub.writeBody(w, r, http.StatusOK, ldContentType, linkeddata.Context())
}

// PublicGraphLD streams the JSON-LD of the whole register, or of one
// organisation (?org=), as the CSV is streamed: never held whole in memory.
func (s *Site) PublicGraphLD(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org, err := s.orgParam(r)
	if err != nil {
		return err
	}
	f := register.PublicFilter{}
	orgs, _, err := s.publicOrgs(r)
	if err != nil {
		return err
	}
	if org != nil {
		f.Organisation, orgs = org.Slug, []register.PublicOrganisation{*org}
	}
	// The graph holds the organisations' names and contacts too, which
	// change without a publication: the register's change sequence, not
	// its latest publication, validates it, and there is no Last-Modified.
	seq, err := s.pub.docs.changeSeq(ctx, s.svc)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	tag := hashETag([]byte("jsonld"), []byte(strconv.FormatInt(seq, 10)), []byte(f.Organisation), []byte(base))
	g, err := linkeddata.NewGraph(base)
	if err != nil {
		return err
	}
	out, done, ok := s.openStream(w, r, tag, time.Time{}, ldContentType)
	if !ok {
		return nil
	}
	defer done()
	var failed error
	for i := range orgs {
		if failed = g.Organisation(&orgs[i]); failed != nil {
			break
		}
	}
	if failed == nil {
		_, failed = out.Write(g.Take())
	}
	if failed == nil {
		// The processings stream through the CSV's pipeline
		// (opendata_stream.go): decoded and encoded on every core,
		// written in the scan's order, each after a comma.
		first := g.Items() == 0
		failed = encodeInOrder(ctx, func(ctx context.Context, fn func(register.Publication) bool) error {
			return s.svc.ScanPublic(ctx, f, fn)
		}, graphNodes(base), func(b []byte) error {
			if first && len(b) > 0 {
				b, first = b[1:], false // no node before this one: no comma
			}
			_, err := out.Write(b)
			return err
		})
	}
	if failed != nil {
		// The status is sent: cut the connection so that the client sees a
		// truncated document, not a complete-looking one.
		if ctx.Err() != nil {
			s.log.InfoContext(ctx, "json-ld export stopped: the client went away", "err", failed)
		} else {
			s.log.ErrorContext(ctx, "json-ld export failed", "err", failed)
		}
		panic(http.ErrAbortHandler)
	}
	g.End()
	_, _ = out.Write(g.Take())
	return nil
}

// graphNodes returns the encode step of the JSON-LD graph: each
// publication's JSON decoded and written as its node (linkeddata.ProcessingNode).
func graphNodes(base string) func(*bytes.Buffer, []register.Publication) error {
	return func(b *bytes.Buffer, pubs []register.Publication) error {
		for i := range pubs {
			var p register.PublicProcessing
			if err := jsonv2.Unmarshal(pubs[i].Data, &p); err != nil {
				return fmt.Errorf("decode publication %s: %w", pubs[i].ProcessingID, err)
			}
			if err := linkeddata.ProcessingNode(b, &p, base); err != nil {
				return err
			}
		}
		return nil
	}
}

// PublicCatalogue serves the DCAT-AP CH catalogue in RDF/XML, of all
// organisations or of one (?org=, one opendata.swiss harvest source per
// organisation). It is rendered once per change of the register and base
// URL, and kept with the rendered pages.
func (s *Site) PublicCatalogue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org, err := s.orgParam(r)
	if err != nil {
		return err
	}
	seq, err := s.pub.docs.changeSeq(ctx, s.svc)
	if err != nil {
		return err
	}
	base := s.publicBase(r)
	slug := ""
	if org != nil {
		slug = org.Slug
	}
	key := "catalog.rdf\x00" + slug + "\x00" + base
	p := s.pub.rendered.get(key, seq)
	if p == nil {
		body, err := s.renderCatalogue(ctx, r, base, org)
		if err != nil {
			return err
		}
		p = renderOnce(seq, hashETag([]byte("catalog"), body), body)
		s.pub.rendered.put(key, p)
	}
	publicHeaders(w)
	return serveRendered(w, r, p, "application/rdf+xml; charset=utf-8", time.Time{})
}

// renderCatalogue reads what the catalogue says of each organisation: its
// name and contacts (the public organisation) and its latest change.
func (s *Site) renderCatalogue(ctx context.Context, r *http.Request, base string, org *register.PublicOrganisation) ([]byte, error) {
	c := linkeddata.Catalogue{Base: base}
	orgs := []register.PublicOrganisation{}
	if org != nil {
		orgs = append(orgs, *org)
	} else {
		all, _, err := s.publicOrgs(r)
		if err != nil {
			return nil, err
		}
		orgs = all
		head, err := s.svc.PublicHead(ctx, "")
		if err != nil {
			return nil, err
		}
		c.All, c.AllModified = true, head.At
	}
	for _, o := range orgs {
		head, err := s.svc.PublicHead(ctx, o.Slug)
		if err != nil {
			return nil, err
		}
		c.Orgs = append(c.Orgs, linkeddata.CatalogueOrg{Org: o, Modified: head.At})
	}
	return c.RDFXML(), nil
}
