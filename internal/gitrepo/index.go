package gitrepo

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// ErrIndexNotRead says that the index file holds something ReadIndex does
// not read (a split or sparse index, entries with extended flags, a
// required extension it does not know, another version): the caller asks
// the git CLI instead.
var ErrIndexNotRead = errors.New("index not read by modelgate: ask git")

// Index is the staging area as the index file records it (versions 2 to
// 4): the entries and the cache of tree names git keeps in it.
type Index struct {
	entries []indexEntry // sorted by path, then stage
	trees   map[string]cachedTree
}

type indexEntry struct {
	path  string
	mode  filemode.FileMode
	hash  plumbing.Hash
	stage int
}

// cachedTree is an entry of the index's cache-tree extension: the tree a
// folder's staged content writes, and how many index entries it holds.
type cachedTree struct {
	entries int
	hash    plumbing.Hash
}

// IndexFile returns the index file git uses for the repository: the one
// GIT_INDEX_FILE names (relative to dir, where git runs hooks) when it is
// set, else the index of the repository's git folder.
func (r *Repo) IndexFile(getenv func(string) string) string {
	if f := getenv("GIT_INDEX_FILE"); f != "" {
		if !filepath.IsAbs(f) {
			f = filepath.Join(r.dir, f)
		}
		return f
	}
	if r.gitDir == "" {
		return ""
	}
	return filepath.Join(r.gitDir, "index")
}

// ReadIndex reads an index file. A missing file is an empty index.
func ReadIndex(file string) (*Index, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return &Index{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	ix, err := parseIndex(data)
	if err != nil && !errors.Is(err, ErrIndexNotRead) {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ix, err
}

// errBadIndex reports an index file that cannot be parsed.
var errBadIndex = errors.New("malformed index file; run git status to have git rewrite it, or git reset to rebuild it")

// parseIndex parses the bytes of an index file and checks its trailing
// SHA-1 (all zero when index.skipHash is set).
func parseIndex(data []byte) (*Index, error) {
	if len(data) < 12+20 || string(data[:4]) != "DIRC" {
		return nil, errBadIndex
	}
	body, sum := data[:len(data)-20], data[len(data)-20:]
	if !bytes.Equal(sum, make([]byte, 20)) {
		if got := sha1.Sum(body); !bytes.Equal(got[:], sum) {
			return nil, errBadIndex
		}
	}
	version := binary.BigEndian.Uint32(data[4:8])
	if version < 2 || version > 4 {
		return nil, ErrIndexNotRead
	}
	count := binary.BigEndian.Uint32(data[8:12])
	if uint64(count) > uint64(len(body))/62 {
		return nil, errBadIndex
	}
	ix := &Index{entries: make([]indexEntry, 0, count)}
	pos, prev := 12, ""
	// One string for the entries: the names of version 2 and 3 are cut
	// from it without an allocation each.
	text := string(body)
	for range count {
		if pos+62 > len(body) {
			return nil, errBadIndex
		}
		start, e := pos, body[pos:]
		mode := binary.BigEndian.Uint32(e[24:28])
		var h plumbing.Hash
		copy(h[:], e[40:60])
		flags := binary.BigEndian.Uint16(e[60:62])
		if flags&0x4000 != 0 {
			return nil, ErrIndexNotRead // extended flags: intent to add, skip-worktree
		}
		pos += 62
		var name string
		if version == 4 {
			strip, n := binary.Uvarint(body[pos:])
			if n <= 0 || strip > uint64(len(prev)) {
				return nil, errBadIndex
			}
			pos += n
			nul := bytes.IndexByte(body[pos:], 0)
			if nul < 0 {
				return nil, errBadIndex
			}
			name = prev[:len(prev)-int(strip)] + string(body[pos:pos+nul])
			pos += nul + 1
		} else {
			nul := bytes.IndexByte(body[pos:], 0)
			if nul < 0 {
				return nil, errBadIndex
			}
			name = text[pos : pos+nul]
			// Entries are padded with 1 to 8 NULs to a multiple of 8.
			pos = start + (62+nul+8)&^7
			if pos > len(body) {
				return nil, errBadIndex
			}
		}
		if mode == 0o040000 {
			return nil, ErrIndexNotRead // a sparse index's folder entry
		}
		if name == "" || (len(ix.entries) > 0 && name < prev) {
			// Git wrote it (the checksum holds), so it is a form of the
			// index not read here: a split index's replaced entries are
			// nameless.
			return nil, ErrIndexNotRead
		}
		ix.entries = append(ix.entries, indexEntry{path: name, mode: filemode.FileMode(mode), hash: h, stage: int(flags>>12) & 3})
		prev = name
	}
	for pos+8 <= len(body) {
		sig, size := string(body[pos:pos+4]), binary.BigEndian.Uint32(body[pos+4:pos+8])
		pos += 8
		if uint64(size) > uint64(len(body)-pos) {
			return nil, errBadIndex
		}
		ext := body[pos : pos+int(size)]
		pos += int(size)
		switch {
		case sig == "TREE":
			trees, ok := parseCacheTree(ext)
			if !ok {
				return nil, errBadIndex
			}
			ix.trees = trees
		case sig[0] < 'A' || sig[0] > 'Z':
			// A required extension (a split index's "link", a sparse
			// index's "sdir") changes what the entries mean.
			return nil, ErrIndexNotRead
		}
	}
	if pos != len(body) {
		return nil, errBadIndex
	}
	return ix, nil
}

// parseCacheTree parses the cache-tree extension: in pre-order, each
// folder as "<path component>\x00<entry count> <subtree count>\n" and,
// when the count is not -1 (invalidated), the 20-byte tree name. It
// returns the valid trees by folder path ("" for the root).
func parseCacheTree(data []byte) (map[string]cachedTree, bool) {
	trees := map[string]cachedTree{}
	var walk func(prefix string) bool
	walk = func(prefix string) bool {
		nul := bytes.IndexByte(data, 0)
		if nul < 0 {
			return false
		}
		name := string(data[:nul])
		data = data[nul+1:]
		nl := bytes.IndexByte(data, '\n')
		if nl < 0 {
			return false
		}
		counts := strings.Fields(string(data[:nl]))
		data = data[nl+1:]
		if len(counts) != 2 {
			return false
		}
		n, err1 := strconv.Atoi(counts[0])
		subs, err2 := strconv.Atoi(counts[1])
		if err1 != nil || err2 != nil || subs < 0 || subs > len(data) {
			return false
		}
		p := name
		if prefix != "" {
			p = prefix + "/" + name
		}
		if n >= 0 {
			if len(data) < 20 {
				return false
			}
			var h plumbing.Hash
			copy(h[:], data[:20])
			data = data[20:]
			trees[p] = cachedTree{entries: n, hash: h}
		}
		for range subs {
			if !walk(p) {
				return false
			}
		}
		return true
	}
	if len(data) == 0 {
		return trees, true
	}
	if !walk("") || len(data) != 0 {
		return nil, false
	}
	return trees, true
}

// File returns the object name of a file staged without conflict.
func (ix *Index) File(name string) (plumbing.Hash, bool) {
	i := sort.Search(len(ix.entries), func(i int) bool { return ix.entries[i].path >= name })
	if i < len(ix.entries) && ix.entries[i].path == name && ix.entries[i].stage == 0 {
		return ix.entries[i].hash, true
	}
	return plumbing.ZeroHash, false
}

// Blob returns the content of a blob.
func (r *Repo) Blob(h plumbing.Hash) ([]byte, error) {
	if fs, ok := r.repo.Storer.(*fastStorer); ok {
		return fs.rawObject(plumbing.BlobObject, h)
	}
	return readObject(r.repo.Storer, plumbing.BlobObject, h)
}

// Staged lists the paths whose staged content differs from the tree of
// head (nil for an unborn branch), sorted, as git diff --cached
// --name-only --no-renames does: added, removed, changed in content or
// mode, or in conflict. Folders whose cached tree in the index is the
// head's are skipped whole, so the cost follows what is staged.
func (r *Repo) Staged(ix *Index, head *Commit) ([]string, error) {
	var root plumbing.Hash
	if head != nil {
		root = head.commit.TreeHash
	}
	var out []string
	if err := r.stagedIn(ix, ix.entries, root, "", &out); err != nil {
		return nil, err
	}
	return out, nil
}

// stagedIn compares the index entries under the folder prefix (entries,
// sorted) with the tree h of that folder.
func (r *Repo) stagedIn(ix *Index, entries []indexEntry, h plumbing.Hash, prefix string, out *[]string) error {
	if t, ok := ix.trees[strings.TrimSuffix(prefix, "/")]; ok && t.hash == h && t.entries == len(entries) {
		return nil
	}
	data, err := r.rawTree(h)
	if err != nil {
		return fmt.Errorf("reading tree %s: %w", h, err)
	}
	i := 0
	for len(data) > 0 || i < len(entries) {
		var (
			te treeEntry
			tn int
		)
		if len(data) > 0 {
			if te, tn, err = parseTreeEntry(data); err != nil {
				return fmt.Errorf("tree %s: %w", h, err)
			}
		}
		// The index side: one file, or every entry of one folder.
		var ie treeEntry
		j := i
		if i < len(entries) {
			rest := entries[i].path[len(prefix):]
			if k := strings.IndexByte(rest, '/'); k >= 0 {
				dir := prefix + rest[:k+1]
				j = i + sort.Search(len(entries)-i, func(n int) bool { return !strings.HasPrefix(entries[i+n].path, dir) })
				ie = treeEntry{mode: filemode.Dir, name: []byte(rest[:k])}
			} else {
				for j = i + 1; j < len(entries) && entries[j].path == entries[i].path; j++ {
				}
				ie = treeEntry{mode: entries[i].mode, name: []byte(rest)}
			}
		}
		c := 0
		switch {
		case len(data) == 0:
			c = 1
		case i == len(entries):
			c = -1
		default:
			c = compareEntries(&te, &ie)
		}
		switch {
		case c < 0: // in the tree only: removed
			if err := r.allFiles(te, prefix, out); err != nil {
				return err
			}
		case c > 0: // in the index only: added
			for k := i; k < j; k++ {
				if k == i || entries[k].path != entries[k-1].path {
					*out = append(*out, entries[k].path)
				}
			}
		case te.dir():
			if err := r.stagedIn(ix, entries[i:j], te.hash, prefix+string(te.name)+"/", out); err != nil {
				return err
			}
		default:
			e := entries[i]
			if j-i > 1 || e.stage != 0 || e.hash != te.hash || e.mode != te.mode {
				*out = append(*out, e.path)
			}
		}
		if c <= 0 {
			data = data[tn:]
		}
		if c >= 0 {
			i = j
		}
	}
	return nil
}

// allFiles appends the paths of the files of a tree entry: the entry
// itself, or every file under a folder.
func (r *Repo) allFiles(e treeEntry, prefix string, out *[]string) error {
	p := prefix + string(e.name)
	if !e.dir() {
		*out = append(*out, p)
		return nil
	}
	data, err := r.rawTree(e.hash)
	if err != nil {
		return fmt.Errorf("reading tree %s: %w", e.hash, err)
	}
	for len(data) > 0 {
		c, n, err := parseTreeEntry(data)
		if err != nil {
			return fmt.Errorf("tree %s: %w", e.hash, err)
		}
		data = data[n:]
		if err := r.allFiles(c, p+"/", out); err != nil {
			return err
		}
	}
	return nil
}
