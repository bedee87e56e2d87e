package odb

import "sync"

// lru caches objects built from pack entries by (pack, offset), within a
// budget of bytes: delta bases, so that a chain shared by many objects is
// inflated once, and resolved deltas.
type lru struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	m     map[cacheKey]*centry
	root  centry // sentinel of a ring: root.next is the most recent
}

type cacheKey struct {
	p   *pack
	off int64
}

type centry struct {
	key        cacheKey
	t          Type
	data       []byte
	prev, next *centry
}

func newLRU(max int64) *lru {
	c := &lru{max: max, m: map[cacheKey]*centry{}}
	c.root.prev, c.root.next = &c.root, &c.root
	return c
}

func (c *lru) get(p *pack, off int64) (Type, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[cacheKey{p, off}]
	if e == nil {
		return 0, nil, false
	}
	c.unlink(e)
	c.front(e)
	return e.t, e.data, true
}

// put caches an object unless it would take more than a quarter of the
// budget; the least recently used ones make room.
func (c *lru) put(p *pack, off int64, t Type, data []byte) {
	size := int64(len(data)) + 64
	if size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := cacheKey{p, off}
	if c.m[k] != nil {
		return
	}
	for c.bytes+size > c.max && c.root.prev != &c.root {
		old := c.root.prev
		c.unlink(old)
		delete(c.m, old.key)
		c.bytes -= int64(len(old.data)) + 64
	}
	e := &centry{key: k, t: t, data: data}
	c.m[k] = e
	c.front(e)
	c.bytes += size
}

func (c *lru) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = map[cacheKey]*centry{}
	c.root.prev, c.root.next = &c.root, &c.root
	c.bytes = 0
}

func (c *lru) unlink(e *centry) {
	e.prev.next = e.next
	e.next.prev = e.prev
}

func (c *lru) front(e *centry) {
	e.prev = &c.root
	e.next = c.root.next
	c.root.next.prev = e
	c.root.next = e
}
