package publicsite

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/registre/registre/internal/dbtest"
	"github.com/registre/registre/register"
	"github.com/registre/registre/sqlstore"
)

// Whole-register documents (CSV, JSON-LD graph) are drawn a few at a time:
// with every stream slot taken the next one gets 429 with Retry-After and
// no-store, and a 304 or a HEAD still needs no slot; once a slot is free the
// document is served.
func TestWholeRegisterStreamsAreBounded(t *testing.T) {
	dbtest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := New(Config{Service: register.NewService(db.Store()), PublicURL: "https://registre.example.ch"})
		for range cap(s.streams) {
			s.streams <- struct{}{}
		}
		for _, c := range []struct {
			path string
			h    func(http.ResponseWriter, *http.Request) error
		}{{"/public/v1/processings.csv", s.PublicCSV}, {"/public/v1/processings.jsonld", s.PublicGraphLD}} {
			w := httptest.NewRecorder()
			if err := c.h(w, httptest.NewRequest("GET", c.path, nil)); err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
			if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || w.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("%s with every slot taken: got %d, Retry-After %q, Cache-Control %q, want 429, a delay, no-store",
					c.path, w.Code, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
			}
			head := httptest.NewRecorder()
			if err := c.h(head, httptest.NewRequest("HEAD", c.path, nil)); err != nil || head.Code != http.StatusOK {
				t.Errorf("HEAD %s with every slot taken: got %d %v, want 200", c.path, head.Code, err)
			}
		}
		<-s.streams
		w := httptest.NewRecorder()
		if err := s.PublicCSV(w, httptest.NewRequest("GET", "/public/v1/processings.csv", nil)); err != nil || w.Code != http.StatusOK {
			t.Fatalf("CSV with a free slot: got %d %v, want 200", w.Code, err)
		}
		if len(s.streams) != cap(s.streams)-1 {
			t.Errorf("the CSV kept its slot: %d of %d taken, want %d", len(s.streams), cap(s.streams), cap(s.streams)-1)
		}
	})
}
