package odb

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// Pack entry types beyond the object types.
const (
	ofsDelta = 6
	refDelta = 7
)

// maxChain bounds a delta chain (git's own --depth maximum is 4095).
const maxChain = 10000

// errGone reports a pack deleted before it could be mapped: the caller
// reads the pack folder again.
var errGone = errors.New("pack is gone")

const (
	packNew = iota
	packOK
	packBad
)

// pack is one pack and its index, mapped on first use.
type pack struct {
	dir, name string // folder and base name (pack-<hash>)
	id        int
	inMIDX    bool // looked up through the multi-pack-index

	mu      sync.Mutex
	state   int
	idxData []byte
	idx     *index
	data    []byte
	err     error
	// unmaps release the maps when the pack is garbage: a DB dropped
	// without Close does not leak them.
	unmaps []runtime.Cleanup
}

// release unmaps b when owner becomes unreachable, unless stopped first.
func release[T any](owner *T, b []byte) runtime.Cleanup {
	return runtime.AddCleanup(owner, func(b []byte) { unmapFile(b) }, b)
}

// openIndex maps and checks the index. A pack index that is gone or not
// understood marks the pack bad: its objects are then not found here.
func (p *pack) openIndex() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.openIndexLocked()
}

func (p *pack) openIndexLocked() error {
	if p.idx != nil {
		return nil
	}
	if p.state == packBad {
		return p.err
	}
	data, err := mapPath(filepath.Join(p.dir, p.name+".idx"))
	if err != nil {
		p.state, p.err = packBad, fmt.Errorf("%w: %s.idx: %v", errGone, p.name, err)
		return p.err
	}
	x, err := parseIndex(data)
	if err != nil {
		unmapFile(data)
		p.state, p.err = packBad, fmt.Errorf("%s.idx: %w", p.name, err)
		return p.err
	}
	p.idxData, p.idx = data, x
	p.unmaps = append(p.unmaps, release(p, data))
	return nil
}

// open maps the pack and checks it against its index: the signature, the
// object count and the checksum the index records.
func (p *pack) open() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == packOK {
		return nil
	}
	if err := p.openIndexLocked(); err != nil {
		return err
	}
	data, err := mapPath(filepath.Join(p.dir, p.name+".pack"))
	if err != nil {
		p.state, p.err = packBad, fmt.Errorf("%w: %s.pack: %v", errGone, p.name, err)
		return p.err
	}
	if len(data) < 32 || string(data[:4]) != "PACK" {
		unmapFile(data)
		p.state, p.err = packBad, corrupt("%s.pack: not a pack", p.name)
		return p.err
	}
	if v := binary.BigEndian.Uint32(data[4:8]); v != 2 && v != 3 {
		unmapFile(data)
		p.state, p.err = packBad, corrupt("%s.pack: version %d", p.name, v)
		return p.err
	}
	if n := binary.BigEndian.Uint32(data[8:12]); int(n) != p.idx.n {
		unmapFile(data)
		p.state, p.err = packBad, corrupt("%s.pack holds %d objects, its index %d", p.name, n, p.idx.n)
		return p.err
	}
	if !bytes.Equal(data[len(data)-20:], p.idx.packSum) {
		unmapFile(data)
		p.state, p.err = packBad, corrupt("%s.pack does not match its index", p.name)
		return p.err
	}
	p.data, p.state = data, packOK
	p.unmaps = append(p.unmaps, release(p, data))
	return nil
}

func (p *pack) close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.unmaps {
		c.Stop()
	}
	p.unmaps = nil
	var first error
	if p.data != nil {
		first = unmapFile(p.data)
	}
	if p.idxData != nil {
		if err := unmapFile(p.idxData); err != nil && first == nil {
			first = err
		}
	}
	p.data, p.idxData, p.idx, p.state = nil, nil, nil, packBad
	p.err = errors.New("closed")
	return first
}

// mapPath maps a whole file.
func mapPath(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return mapFile(f, st.Size())
}

// entry is a parsed pack entry header.
type entry struct {
	typ     int
	size    int64 // inflated size of the entry's data (a delta's own size)
	data    int64 // offset of the zlib stream
	baseOff int64 // ofsDelta: the base's offset
	baseRef Hash  // refDelta: the base's name
}

// parseEntry reads the entry header at off in a pack.
func parseEntry(data []byte, off int64) (entry, error) {
	end := int64(len(data)) - 20
	if off < 12 || off >= end {
		return entry{}, corrupt("entry offset %d outside the pack", off)
	}
	p := off
	b := data[p]
	p++
	e := entry{typ: int(b>>4) & 7, size: int64(b & 15)}
	for shift := uint(4); b&0x80 != 0; shift += 7 {
		if p >= end || shift > 56 {
			return entry{}, corrupt("bad entry header at %d", off)
		}
		b = data[p]
		p++
		e.size |= int64(b&0x7f) << shift
	}
	switch e.typ {
	case int(Commit), int(Tree), int(Blob), int(Tag):
	case ofsDelta:
		if p >= end {
			return entry{}, corrupt("bad delta header at %d", off)
		}
		b = data[p]
		p++
		rel := int64(b & 0x7f)
		for b&0x80 != 0 {
			if p >= end || rel >= 1<<55 {
				return entry{}, corrupt("bad delta offset at %d", off)
			}
			b = data[p]
			p++
			rel = ((rel + 1) << 7) | int64(b&0x7f)
		}
		if rel <= 0 || rel > off-12 {
			return entry{}, corrupt("delta base offset out of range at %d", off)
		}
		e.baseOff = off - rel
	case refDelta:
		if p+20 > end {
			return entry{}, corrupt("bad delta header at %d", off)
		}
		copy(e.baseRef[:], data[p:p+20])
		p += 20
	default:
		return entry{}, corrupt("unknown entry type %d at %d", e.typ, off)
	}
	e.data = p
	return e, nil
}

// link is one delta of a chain being resolved.
type link struct {
	p   *pack
	off int64
	e   entry
}

// object reads the object at off, resolving its delta chain.
func (p *pack) object(db *DB, off int64, streamAbove int64) (*Object, error) {
	defer runtime.KeepAlive(p) // the map lives as long as the pack
	if err := p.open(); err != nil {
		return nil, err
	}
	if t, data, ok := db.cache.get(p, off); ok {
		return &Object{Type: t, Size: int64(len(data)), Data: data}, nil
	}
	e, err := parseEntry(p.data, off)
	if err != nil {
		return nil, err
	}
	if e.typ < ofsDelta {
		if streamAbove > 0 && e.size > streamAbove {
			return &Object{Type: Type(e.typ), Size: e.size, stream: func() (io.ReadCloser, error) { return p.stream(e) }}, nil
		}
		data, err := inflate(p.data[e.data:len(p.data)-20], e.size)
		if err != nil {
			return nil, fmt.Errorf("%s at %d: %w", p.name, off, err)
		}
		if e.typ == int(Tree) {
			// Trees are read again and again: every path is looked up
			// from the root.
			db.cache.put(p, off, Tree, data)
		}
		return &Object{Type: Type(e.typ), Size: e.size, Data: data}, nil
	}
	t, data, err := db.resolve(link{p, off, e})
	if err != nil {
		return nil, err
	}
	return &Object{Type: t, Size: int64(len(data)), Data: data}, nil
}

// resolve applies a delta chain: it follows the bases down to a cached
// object or one stored whole, then applies the deltas back up, caching
// every object it builds.
func (db *DB) resolve(top link) (Type, []byte, error) {
	chain := []link{top}
	defer runtime.KeepAlive(chain) // the maps live as long as their packs
	var (
		t    Type
		base []byte
	)
	cur := top
	for {
		var next link
		switch cur.e.typ {
		case ofsDelta:
			next = link{p: cur.p, off: cur.e.baseOff}
		case refDelta:
			bp, boff, err := db.locate(cur.e.baseRef)
			if errors.Is(err, ErrNotFound) {
				// A base outside the packs (a loose object, an alternate).
				o, err := db.read(cur.e.baseRef, 0)
				if err != nil {
					return 0, nil, fmt.Errorf("delta base %s: %w", cur.e.baseRef, err)
				}
				t, base = o.Type, o.Data
			} else if err != nil {
				return 0, nil, err
			} else {
				if err := bp.open(); err != nil {
					return 0, nil, err
				}
				next = link{p: bp, off: boff}
			}
		}
		if base != nil {
			break
		}
		if ct, data, ok := db.cache.get(next.p, next.off); ok {
			t, base = ct, data
			break
		}
		e, err := parseEntry(next.p.data, next.off)
		if err != nil {
			return 0, nil, err
		}
		next.e = e
		if e.typ < ofsDelta {
			data, err := inflate(next.p.data[e.data:len(next.p.data)-20], e.size)
			if err != nil {
				return 0, nil, fmt.Errorf("%s at %d: %w", next.p.name, next.off, err)
			}
			t, base = Type(e.typ), data
			db.cache.put(next.p, next.off, t, base)
			break
		}
		if len(chain) >= maxChain {
			return 0, nil, corrupt("delta chain longer than %d at %s %d", maxChain, top.p.name, top.off)
		}
		chain = append(chain, next)
		cur = next
	}
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		delta, err := inflate(l.p.data[l.e.data:len(l.p.data)-20], l.e.size)
		if err != nil {
			return 0, nil, fmt.Errorf("%s at %d: %w", l.p.name, l.off, err)
		}
		if base, err = applyDelta(base, delta); err != nil {
			return 0, nil, fmt.Errorf("%s at %d: %w", l.p.name, l.off, err)
		}
		db.cache.put(l.p, l.off, t, base)
	}
	return t, base, nil
}

// header returns the type and size of the object at off: the type at the
// bottom of its delta chain, the size the top delta declares.
func (p *pack) header(db *DB, off int64) (Type, int64, error) {
	defer runtime.KeepAlive(p)
	if err := p.open(); err != nil {
		return 0, 0, err
	}
	if t, data, ok := db.cache.get(p, off); ok {
		return t, int64(len(data)), nil
	}
	e, err := parseEntry(p.data, off)
	if err != nil {
		return 0, 0, err
	}
	if e.typ < ofsDelta {
		return Type(e.typ), e.size, nil
	}
	// The delta's target size is its second varint.
	head, err := inflatePrefix(p.data[e.data:len(p.data)-20], 20)
	if err != nil {
		return 0, 0, fmt.Errorf("%s at %d: %w", p.name, off, err)
	}
	_, n := binary.Uvarint(head)
	if n <= 0 {
		return 0, 0, corrupt("bad delta header at %s %d", p.name, off)
	}
	size, m := binary.Uvarint(head[n:])
	if m <= 0 || size > 1<<62 {
		return 0, 0, corrupt("bad delta header at %s %d", p.name, off)
	}
	cp, ce := p, e
	for range maxChain {
		switch ce.typ {
		case ofsDelta:
			if ce, err = parseEntry(cp.data, ce.baseOff); err != nil {
				return 0, 0, err
			}
		case refDelta:
			bp, boff, err := db.locate(ce.baseRef)
			if errors.Is(err, ErrNotFound) {
				t, _, err := db.header(ce.baseRef)
				return t, int64(size), err
			}
			if err != nil {
				return 0, 0, err
			}
			if err := bp.open(); err != nil {
				return 0, 0, err
			}
			if ce, err = parseEntry(bp.data, boff); err != nil {
				return 0, 0, err
			}
			cp = bp
		default:
			return Type(ce.typ), int64(size), nil
		}
	}
	return 0, 0, corrupt("delta chain longer than %d at %s %d", maxChain, p.name, off)
}

var zlibPool sync.Pool

type zreader struct {
	br bytes.Reader
	zr io.ReadCloser
}

func getZ(src []byte) (*zreader, error) {
	z, _ := zlibPool.Get().(*zreader)
	if z == nil {
		z = &zreader{}
	}
	z.br.Reset(src)
	var err error
	if z.zr == nil {
		z.zr, err = zlib.NewReader(&z.br)
	} else {
		err = z.zr.(zlib.Resetter).Reset(&z.br, nil)
	}
	if err != nil {
		z.zr = nil
		return nil, corrupt("zlib: %v", err)
	}
	return z, nil
}

func putZ(z *zreader) {
	z.br.Reset(nil)
	zlibPool.Put(z)
}

// maxRatio bounds deflate's expansion: a size beyond what the compressed
// bytes can hold is corrupt, and is refused before allocating.
const maxRatio = 1100

// inflate decompresses exactly size bytes from the zlib stream at the start
// of src, and checks that the stream ends there with a valid checksum.
func inflate(src []byte, size int64) ([]byte, error) {
	if size < 0 || size > int64(len(src))*maxRatio+64 {
		return nil, corrupt("object of %d bytes cannot come from %d compressed bytes", size, len(src))
	}
	z, err := getZ(src)
	if err != nil {
		return nil, err
	}
	defer putZ(z)
	out := make([]byte, size)
	if _, err := io.ReadFull(z.zr, out); err != nil {
		return nil, corrupt("inflating %d bytes: %v", size, err)
	}
	var one [1]byte
	if n, err := z.zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, corrupt("object longer than its %d bytes, or a bad checksum", size)
	}
	return out, nil
}

// inflatePrefix decompresses at most n bytes from the start of a stream.
func inflatePrefix(src []byte, n int) ([]byte, error) {
	z, err := getZ(src)
	if err != nil {
		return nil, err
	}
	defer putZ(z)
	out := make([]byte, n)
	k, err := io.ReadFull(z.zr, out)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, corrupt("inflating: %v", err)
	}
	return out[:k], nil
}

// stream reads an object stored whole without inflating it into memory.
func (p *pack) stream(e entry) (io.ReadCloser, error) {
	z, err := getZ(p.data[e.data : len(p.data)-20])
	if err != nil {
		return nil, err
	}
	return &packStream{p: p, z: z, left: e.size}, nil
}

// packStream is a streamed object. It holds the pack, so the mapping
// outlives it.
type packStream struct {
	p    *pack
	z    *zreader
	left int64
}

func (s *packStream) Read(b []byte) (n int, err error) {
	if s.z == nil {
		return 0, errors.New("read after close")
	}
	if s.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > s.left {
		b = b[:s.left]
	}
	err = readFault(func() error {
		var rerr error
		n, rerr = s.z.zr.Read(b)
		return rerr
	})
	s.left -= int64(n)
	if err == io.EOF {
		if s.left > 0 {
			return n, corrupt("object shorter than its size")
		}
		err = nil
	}
	return n, err
}

func (s *packStream) Close() error {
	if s.z != nil {
		putZ(s.z)
		s.z = nil
	}
	return nil
}
