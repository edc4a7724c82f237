package publicsite

import (
	"fmt"
	"runtime"
	"testing"
)

// The public register's one cache of bytes (publications, pages, PDFs)
// stays under its bound when filled with large documents of every kind, by
// its own accounting and by the heap's: after many times its bound was put
// in, what is still reachable is at most the bound, plus slack for the maps.
func TestPublicCacheStaysUnderItsBound(t *testing.T) {
	const bound = 16 << 20
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	store := newBytesCache(bound)
	pubs := newPublicationCache(store)
	pages := &pageCache{store: store}
	pdfs := &pdfCache{store: store}
	const n = 200 // each round puts about a sixteenth of the bound of each kind
	for i := range n {
		key := fmt.Sprintf("doc-%d", i)
		pubs.put(key, &cachedPublication{body: make([]byte, bound/32-1)})
		pages.put(key, &renderedPage{body: make([]byte, bound/32), gz: make([]byte, bound/32-1)})
		pdfs.put(key, make([]byte, bound/16))
	}
	if got := store.bytes(); got > bound {
		t.Errorf("accounted bytes %d over the bound %d", got, bound)
	}
	if pubs.get("doc-199") == nil || pages.get("doc-199", 0) == nil {
		t.Errorf("the latest entries were not kept")
	}
	if _, ok := pdfs.get("doc-199"); !ok {
		t.Errorf("the latest PDF was not kept")
	}
	after := heap()
	runtime.KeepAlive(store)
	grown := int64(after) - int64(before)
	t.Logf("put %d MiB of three kinds in one cache bounded at %d MiB; the heap grew by %.1f MiB", n*(bound/32+bound/16+bound/16)>>20, bound>>20, float64(grown)/(1<<20))
	if limit := int64(bound + 4<<20); grown > limit {
		t.Errorf("heap grew by %d bytes, over the cache's bound (%d)", grown, limit)
	}
}

// The least recently used entry goes first, whatever its kind; a key of one
// kind never answers for another.
func TestBytesCacheEvictsLeastRecentlyUsed(t *testing.T) {
	const unit = 1000
	size := unit + entryOverhead + len(kindPage) + 1 // the largest key below
	c := newBytesCache(8 * size)
	kinds := []string{kindPage, kindPDF, kindPublication, kindPage, kindPDF, kindPublication, kindPage, kindPDF}
	for i, k := range kinds {
		c.put(k, "a", fmt.Sprint(k, i), unit)
	}
	// One key in three kinds: three entries, each replaced by the later puts
	// of its kind.
	if n := c.order.Len(); n != 3 {
		t.Fatalf("%d entries, want 3 (one per kind)", n)
	}
	for i := range 8 {
		c.put(kindPage, fmt.Sprint(i), i, unit)
	}
	// Full: the entries "a" went first, unused longest.
	if _, ok := c.get(kindPage, "a"); ok {
		t.Errorf("the least recently used entry was kept")
	}
	if _, ok := c.get(kindPage, "7"); !ok {
		t.Errorf("the most recent entry was evicted")
	}
	if c.bytes() > c.max {
		t.Errorf("%d bytes over the bound %d", c.bytes(), c.max)
	}
	c.put(kindPage, "huge", "x", c.max) // over an eighth of the bound: not kept
	if _, ok := c.get(kindPage, "huge"); ok {
		t.Errorf("a huge entry was kept")
	}
	before := c.bytes()
	c.drop(kindPage, "7")
	if _, ok := c.get(kindPage, "7"); ok || c.bytes() != before-(unit+entryOverhead+len(kindPage)+1) {
		t.Errorf("drop: %d bytes, from %d", c.bytes(), before)
	}
}

// Past half its bound, the cache keeps a search's page from its second
// request only; below, from the first. A page already kept is replaced at
// once.
func TestBytesCacheKeepsOneOffAnswersWhileItHasRoom(t *testing.T) {
	const unit = 1000
	size := unit + entryOverhead + len(kindList) + 2
	c := newBytesCache(10 * size)
	for i := range 4 { // 4 of 10: room
		c.putAgain(kindList, fmt.Sprint("a", i), i, unit)
		if _, ok := c.get(kindList, fmt.Sprint("a", i)); !ok {
			t.Fatalf("page %d was not kept with room in the cache", i)
		}
	}
	c.putAgain(kindList, "b0", 0, unit) // the fifth: half full
	c.putAgain(kindList, "b1", 1, unit) // past half: asked once
	if _, ok := c.get(kindList, "b1"); ok {
		t.Errorf("a page asked once was kept in a cache past half full")
	}
	c.putAgain(kindList, "b1", 1, unit) // asked again
	if _, ok := c.get(kindList, "b1"); !ok {
		t.Errorf("a page asked twice was not kept")
	}
	c.putAgain(kindList, "a0", "new", unit) // kept already: replaced
	if v, ok := c.get(kindList, "a0"); !ok || v != "new" {
		t.Errorf("a kept page was not replaced: %v", v)
	}
}
