package publicsite

import (
	"bytes"
	"container/list"
	"hash/maphash"
	"sync"
)

// The public register's cached bytes (published processings, rendered pages
// and linked data, public PDF documents) are kept in one cache, with one
// memory bound and one eviction policy: least recently used goes first,
// counted in bytes. Keys are namespaced by kind, so that a page and a PDF
// never collide. What may be served from it is decided by its users, on the
// public register's change sequence (Service.PublicSeq, moved by
// Service.OnPublicChange: see publicationCache); the cache itself only
// holds and forgets.

// Kinds of cached bytes: the namespace of a key.
const (
	kindPublication = "pub\x00"
	kindPage        = "page\x00"
	kindPDF         = "pdf\x00"
	kindList        = "list\x00"
)

// entryOverhead is what an entry costs besides its bytes (map slot, list
// element, key, struct): it keeps a cache of many tiny entries bounded too.
const entryOverhead = 256

// defaultCacheBytes is the bound of the public bytes besides PDF documents
// (PDFConfig.CacheBytes adds to it).
const defaultCacheBytes = 24 << 20

// bytesCache is an LRU bounded by the bytes of its entries. An entry larger
// than an eighth of the bound is not kept: it would evict most others.
type bytesCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
	// asked remembers, in a fixed table of hashes, keys that putAgain
	// did not keep (see there).
	asked [4096]uint64
	seed  maphash.Seed
}

type cacheEntry struct {
	key  string
	size int
	val  any
}

// fit returns b with no more capacity than it uses: a kept body built in
// a growing buffer holds up to twice its length, which the cache's bound,
// counted in bytes held, would not see (a bench found 146 MB held under a
// bound of 48).
func fit(b []byte) []byte {
	if cap(b)-len(b) <= len(b)/32 {
		return b
	}
	return bytes.Clone(b)
}

func newBytesCache(max int) *bytesCache {
	return &bytesCache{max: max, order: list.New(), byKey: map[string]*list.Element{}, seed: maphash.MakeSeed()}
}

func (c *bytesCache) get(kind, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[kind+key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*cacheEntry).val, true
}

// put keeps val under kind and key, replacing what was there; size is the
// bytes val holds.
func (c *bytesCache) put(kind, key string, val any, size int) {
	k := kind + key
	size += entryOverhead + len(k)
	if c.max <= 0 || size > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(k)
	for c.size+size > c.max && c.order.Len() > 0 {
		c.remove(c.order.Back().Value.(*cacheEntry).key)
	}
	c.byKey[k] = c.order.PushFront(&cacheEntry{key: k, size: size, val: val})
	c.size += size
}

// putAgain is put for answers that a stream of one-off requests can ask
// for without end (searches): while the cache is less than half full it
// keeps val at once; past that, only when the key was asked before
// lately (the last of 4,096 keys that fall in its slot of a table of
// hashes). A run of new searches filled the cache with pages nobody asks
// twice and evicted those readers ask again; measured at 8 clients on 2
// cores, that churn (and the collector's work on a heap held near its
// limit) cost 15 % of the cold searches' throughput and 5 ms of their
// p99.
func (c *bytesCache) putAgain(kind, key string, val any, size int) {
	k := kind + key
	c.mu.Lock()
	_, kept := c.byKey[k]
	if !kept && c.size+size > c.max/2 {
		h := maphash.String(c.seed, k) | 1 // never the empty slot's 0
		slot := &c.asked[h%uint64(len(c.asked))]
		if *slot != h {
			*slot = h
			c.mu.Unlock()
			return
		}
	}
	c.mu.Unlock()
	c.put(kind, key, val, size)
}

func (c *bytesCache) drop(kind, key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remove(kind + key)
}

// remove forgets k; c.mu is held.
func (c *bytesCache) remove(k string) {
	e, ok := c.byKey[k]
	if !ok {
		return
	}
	c.order.Remove(e)
	delete(c.byKey, k)
	c.size -= e.Value.(*cacheEntry).size
}

// bytes is what the cache holds by its accounting.
func (c *bytesCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}
