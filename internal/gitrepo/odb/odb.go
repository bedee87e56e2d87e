// Package odb reads git objects straight from a repository's object store,
// without hashing them again: packs through memory maps (.idx v2 lookups by
// binary search in the fanout range, OFS and REF deltas resolved with a
// bounded cache of bases), the multi-pack-index where there is one, loose
// objects, and alternate object stores. It also reads commit-graph files.
//
// Objects are trusted by their index entry, as git trusts them: a pack's
// checksum must match its index, and zlib's own checksum is verified for
// every object inflated, but object names are not recomputed. A pack that
// git gc deletes while it is mapped stays readable with the bytes it had;
// objects that move (a loose object packed, a new pack) are found by reading
// the pack folder again on a miss. Anything the reader does not understand
// is reported as an error so that the caller can fall back to another
// reader; it never guesses.
package odb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Hash is a SHA-1 object name.
type Hash [20]byte

// String returns the name in hexadecimal.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Type is the type of an object.
type Type int8

// The object types stored in a repository.
const (
	Commit Type = 1
	Tree   Type = 2
	Blob   Type = 3
	Tag    Type = 4
)

// String returns the type as git names it.
func (t Type) String() string {
	switch t {
	case Commit:
		return "commit"
	case Tree:
		return "tree"
	case Blob:
		return "blob"
	case Tag:
		return "tag"
	}
	return "type " + strconv.Itoa(int(t))
}

func parseType(s string) (Type, bool) {
	switch s {
	case "commit":
		return Commit, true
	case "tree":
		return Tree, true
	case "blob":
		return Blob, true
	case "tag":
		return Tag, true
	}
	return 0, false
}

// ErrNotFound reports an object the store does not hold.
var ErrNotFound = errors.New("object not found")

// ErrCorrupt reports data the reader does not understand: a damaged or
// unsupported pack, index or object.
var ErrCorrupt = errors.New("object store not understood")

var errBadSize = errors.New("bad file size")

// corrupt returns an error wrapping ErrCorrupt.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// Object is an object read from the store.
type Object struct {
	Type Type
	Size int64
	// Data holds the content, or nil when the object is streamed (see
	// Options.StreamAbove). It is shared: callers must not modify it.
	Data   []byte
	stream func() (io.ReadCloser, error)
}

// Open returns a reader of the content.
func (o *Object) Open() (io.ReadCloser, error) {
	if o.Data != nil || o.stream == nil {
		return io.NopCloser(bytes.NewReader(o.Data)), nil
	}
	return o.stream()
}

// Options tune a DB.
type Options struct {
	// StreamAbove is the size above which an object stored whole (not as
	// a delta) is streamed from the store when read rather than inflated
	// into memory; 0 never streams.
	StreamAbove int64
	// CacheBytes bounds the cache of delta bases and resolved deltas;
	// 0 means 32 MiB.
	CacheBytes int64
}

// maxAlternateDepth bounds chains of alternates, as git does.
const maxAlternateDepth = 5

// DB is an object store: the objects folder of a repository and its
// alternates. It is safe for concurrent use.
type DB struct {
	dir   string
	opts  Options
	cache *lru
	depth int

	mu       sync.Mutex
	prepared bool
	packs    []*pack // lookup order: the multi-pack-index's first, then newest first
	byName   map[string]*pack
	midx     *midx
	alts     []*DB
	nextID   int
}

// Open returns the object store in the objects folder dir (.git/objects).
// Nothing is read until the first lookup.
func Open(dir string, opts Options) *DB {
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 32 << 20
	}
	return &DB{dir: dir, opts: opts, cache: newLRU(opts.CacheBytes), byName: map[string]*pack{}}
}

// Close releases the memory maps. Objects read before stay valid; streams
// opened before must be closed first.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	var first error
	for _, p := range db.byName {
		if err := p.close(); err != nil && first == nil {
			first = err
		}
	}
	if db.midx != nil {
		if err := db.midx.close(); err != nil && first == nil {
			first = err
		}
		db.midx = nil
	}
	for _, a := range db.alts {
		if err := a.Close(); err != nil && first == nil {
			first = err
		}
	}
	db.byName, db.packs, db.alts, db.prepared = map[string]*pack{}, nil, nil, false
	db.cache.clear()
	return first
}

// guard turns a memory fault (a mapped file truncated under us) into an
// error; use as: defer guard(&err).
func guard(err *error) {
	if r := recover(); r != nil {
		// With SetPanicOnFault, a fault in a mapped file panics with a
		// runtime.Error that has the faulting address.
		if re, ok := r.(interface {
			runtime.Error
			Addr() uintptr
		}); ok {
			*err = corrupt("memory fault reading a mapped file (truncated?): %v", re)
			return
		}
		panic(r)
	}
}

// readFault runs f, turning a memory fault into an error.
func readFault(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	return f()
}

// Read returns the object named h.
func (db *DB) Read(h Hash) (o *Object, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	return db.read(h, db.opts.StreamAbove)
}

// read finds an object; objects stored whole above streamAbove are
// streamed (0: never).
func (db *DB) read(h Hash, streamAbove int64) (*Object, error) {
	for attempt := 0; ; attempt++ {
		p, off, err := db.locate(h)
		if err == nil {
			o, err := p.object(db, off, streamAbove)
			if errors.Is(err, errGone) && attempt == 0 {
				db.rescan()
				continue
			}
			return o, err
		}
		if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		o, err := db.readLoose(h, streamAbove)
		if !errors.Is(err, ErrNotFound) {
			return o, err
		}
		for _, a := range db.alternates() {
			o, err := a.read(h, streamAbove)
			if !errors.Is(err, ErrNotFound) {
				return o, err
			}
		}
		if attempt > 0 || !db.rescan() {
			return nil, ErrNotFound
		}
	}
}

// Header returns the type and size of the object named h without reading
// its content whole.
func (db *DB) Header(h Hash) (t Type, size int64, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	return db.header(h)
}

func (db *DB) header(h Hash) (Type, int64, error) {
	for attempt := 0; ; attempt++ {
		p, off, err := db.locate(h)
		if err == nil {
			t, size, err := p.header(db, off)
			if errors.Is(err, errGone) && attempt == 0 {
				db.rescan()
				continue
			}
			return t, size, err
		}
		if !errors.Is(err, ErrNotFound) {
			return 0, 0, err
		}
		t, size, err := db.looseHeader(h)
		if !errors.Is(err, ErrNotFound) {
			return t, size, err
		}
		for _, a := range db.alternates() {
			t, size, err := a.header(h)
			if !errors.Is(err, ErrNotFound) {
				return t, size, err
			}
		}
		if attempt > 0 || !db.rescan() {
			return 0, 0, ErrNotFound
		}
	}
}

// Has reports whether the store holds the object named h.
func (db *DB) Has(h Hash) (ok bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer guard(&err)
	return db.has(h, true)
}

func (db *DB) has(h Hash, retry bool) (bool, error) {
	if _, _, err := db.locate(h); err == nil {
		return true, nil
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	if _, err := os.Stat(db.loosePath(h)); err == nil {
		return true, nil
	}
	for _, a := range db.alternates() {
		if ok, err := a.has(h, false); ok || err != nil {
			return ok, err
		}
	}
	if retry && db.rescan() {
		return db.has(h, false)
	}
	return false, nil
}

// locate finds a packed object: its pack and offset.
func (db *DB) locate(h Hash) (*pack, int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if !db.prepared {
		db.scan()
	}
	if m := db.midx; m != nil {
		if i, ok := m.find(h); ok {
			pi, off, err := m.entry(i)
			if err != nil {
				return nil, 0, err
			}
			if p := db.byName[m.names[pi]]; p != nil && p.state != packBad {
				return p, off, nil
			}
		}
	}
	for _, p := range db.packs {
		if p.inMIDX || p.state == packBad {
			continue
		}
		if err := p.openIndex(); err != nil {
			continue // a pack deleted since the scan, or not understood
		}
		if i, ok := p.idx.find(h); ok {
			off, err := p.idx.offset(i)
			if err != nil {
				return nil, 0, err
			}
			return p, off, nil
		}
	}
	return nil, 0, ErrNotFound
}

// scan lists the packs, the multi-pack-index and the alternates. Packs
// already known are kept (a mapped pack stays valid after git deletes it).
// It reports whether anything new was found. db.mu is held.
func (db *DB) scan() bool {
	db.prepared = true
	packDir := filepath.Join(db.dir, "pack")
	ents, _ := os.ReadDir(packDir)
	type found struct {
		name string
		mod  int64
	}
	var names []found
	present := map[string]bool{}
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, "pack-") || !strings.HasSuffix(n, ".idx") {
			continue
		}
		base := strings.TrimSuffix(n, ".idx")
		present[base] = true
		var mod int64
		if info, err := e.Info(); err == nil {
			mod = info.ModTime().UnixNano()
		}
		names = append(names, found{base, mod})
	}
	// Newest first, as git looks them up; ties by name for determinism.
	sort.Slice(names, func(i, j int) bool {
		if names[i].mod != names[j].mod {
			return names[i].mod > names[j].mod
		}
		return names[i].name < names[j].name
	})
	changed := false
	var packs []*pack
	for _, n := range names {
		p := db.byName[n.name]
		if p == nil {
			db.nextID++
			p = &pack{dir: packDir, name: n.name, id: db.nextID}
			db.byName[n.name] = p
			changed = true
		}
		p.inMIDX = false
		packs = append(packs, p)
	}
	// Packs that disappeared but are mapped still answer for their
	// objects, after the present ones.
	for name, p := range db.byName {
		if !present[name] && p.state == packOK {
			packs = append(packs, p)
		}
	}
	m, err := openMIDX(packDir)
	if err == nil && m != nil {
		for _, n := range m.names {
			if !present[n] {
				m.close()
				m = nil // stale: it names a pack that is gone
				break
			}
		}
	}
	if db.midx != nil && (m == nil || !bytes.Equal(m.sum, db.midx.sum)) {
		db.midx.close()
		db.midx = nil
	}
	if m != nil {
		if db.midx == nil {
			db.midx = m
			changed = true
		} else {
			m.close()
		}
		for _, n := range db.midx.names {
			db.byName[n].inMIDX = true
		}
	}
	db.packs = packs
	if db.alts == nil && db.depth < maxAlternateDepth {
		for _, dir := range readAlternates(db.dir) {
			a := &DB{dir: dir, opts: db.opts, cache: db.cache, depth: db.depth + 1, byName: map[string]*pack{}}
			db.alts = append(db.alts, a)
		}
	}
	return changed
}

// rescan reads the pack folder again after a miss; it reports whether
// anything new turned up.
func (db *DB) rescan() bool {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.scan()
}

func (db *DB) alternates() []*DB {
	db.mu.Lock()
	defer db.mu.Unlock()
	if !db.prepared {
		db.scan()
	}
	return db.alts
}

// readAlternates returns the object folders objects/info/alternates names,
// relative ones resolved against dir.
func readAlternates(dir string) []string {
	data, err := os.ReadFile(filepath.Join(dir, "info", "alternates"))
	if err != nil {
		return nil
	}
	return ParseAlternates(dir, data)
}

// ParseAlternates parses the content of objects/info/alternates: one object
// folder a line, absolute or relative to dir; lines starting with # are
// comments, and a line in double quotes is unquoted as git quotes paths.
func ParseAlternates(dir string, data []byte) []string {
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, `"`) {
			u, err := strconv.Unquote(line)
			if err != nil {
				continue
			}
			line = u
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(dir, line)
		}
		out = append(out, filepath.Clean(line))
	}
	return out
}
