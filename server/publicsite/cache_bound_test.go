package publicsite

import (
	"fmt"
	"runtime"
	"testing"
)

// The public caches of bytes (publications, pages, PDFs) stay under their
// bounds when filled with large documents, by their own accounting and by
// the heap's: after many times their bound was put in, what is still
// reachable is at most the bounds together, plus slack for the maps.
func TestPublicCachesStayUnderTheirBounds(t *testing.T) {
	const bound = 16 << 20
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	pubs := newPublicationCache(1<<20, bound)
	pages := newPageCache(1<<20, bound)
	pdfs := newPDFCache(bound)
	const n = 200 // each round puts about a sixteenth of the bound in each cache
	for i := range n {
		key := fmt.Sprintf("doc-%d", i)
		pubs.put(key, &cachedPublication{body: make([]byte, bound/16-1)})
		pages.put(key, &renderedPage{body: make([]byte, bound/32), gz: make([]byte, bound/32-1)})
		pdfs.put(key, make([]byte, bound/16))
	}
	if pubs.bytes > bound || pages.bytes > bound || pdfs.size > bound {
		t.Errorf("accounted bytes over the bound %d: publications %d, pages %d, PDFs %d", bound, pubs.bytes, pages.bytes, pdfs.size)
	}
	after := heap()
	runtime.KeepAlive(pubs)
	runtime.KeepAlive(pages)
	runtime.KeepAlive(pdfs)
	grown := int64(after) - int64(before)
	t.Logf("put %d MiB in three caches bounded at %d MiB each; the heap grew by %.1f MiB", 3*n*(bound/16)>>20, bound>>20, float64(grown)/(1<<20))
	if limit := int64(3*bound + 4<<20); grown > limit {
		t.Errorf("heap grew by %d bytes, over the caches' bounds together (%d)", grown, limit)
	}
}
