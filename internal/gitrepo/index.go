package gitrepo

import (
	"errors"
	"fmt"
	"io"
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
	trees   []cacheNode  // the cache-tree extension in pre-order; trees[0] is the root
}

type indexEntry struct {
	path  string
	mode  filemode.FileMode
	hash  plumbing.Hash
	stage int
}

// cacheNode is a folder of the index's cache-tree extension: its name in
// its parent, the tree its staged content writes and how many index
// entries it holds (valid is false when git invalidated it), and end, the
// position after its subtree in Index.trees (its children lie between).
type cacheNode struct {
	name    string
	entries int
	hash    plumbing.Hash
	valid   bool
	end     int
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
	text, err := readString(file)
	if errors.Is(err, os.ErrNotExist) {
		return &Index{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the index: %w", err)
	}
	ix, err := parseIndex(text)
	if err != nil && !errors.Is(err, ErrIndexNotRead) {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ix, err
}

// readString reads a file into one string, which the index's entry names
// are cut from without a copy each.
func readString(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 && fi.Size() < 1<<31 {
		b.Grow(int(fi.Size()) + 1)
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}

// errBadIndex reports an index file that cannot be parsed.
var errBadIndex = errors.New("malformed index file; run git status to have git rewrite it, or git reset to rebuild it")

// be16 and be32 decode big-endian integers at the start of s.
func be16(s string) uint16 { return uint16(s[0])<<8 | uint16(s[1]) }
func be32(s string) uint32 {
	return uint32(s[0])<<24 | uint32(s[1])<<16 | uint32(s[2])<<8 | uint32(s[3])
}

// gitVarint decodes the variable-length integer at the start of s as git
// writes it in version 4 indexes (varint.c: seven bits a byte, the most
// significant first, each continuation adding one, as in a pack's offset
// deltas; not encoding/binary's) and returns it with the bytes it took, 0
// when s ends first or it takes more than nine bytes.
func gitVarint(s string) (uint64, int) {
	var v uint64
	for i := 0; i < len(s) && i < 9; i++ {
		c := s[i]
		if i > 0 {
			v++
		}
		v = v<<7 | uint64(c&0x7f)
		if c&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}

// parseIndex parses the text of an index file. Its trailing checksum is
// not verified, as git does not verify it when it reads the index (only
// git fsck does, since git 2.13): the checksum guards against a disk's
// corruption, and hashing the whole file was a sixth of the pre-commit
// hook's work on a repository of 10,000 files.
func parseIndex(text string) (*Index, error) {
	if len(text) < 12+20 || text[:4] != "DIRC" {
		return nil, errBadIndex
	}
	body := text[:len(text)-20]
	version := be32(text[4:8])
	if version < 2 || version > 4 {
		return nil, ErrIndexNotRead
	}
	count := be32(text[8:12])
	if uint64(count) > uint64(len(body))/62 {
		return nil, errBadIndex
	}
	ix := &Index{entries: make([]indexEntry, 0, count)}
	pos, prev := 12, ""
	for range count {
		if pos+62 > len(body) {
			return nil, errBadIndex
		}
		start, e := pos, body[pos:]
		mode := be32(e[24:28])
		var h plumbing.Hash
		copy(h[:], e[40:60])
		flags := be16(e[60:62])
		if flags&0x4000 != 0 {
			return nil, ErrIndexNotRead // extended flags: intent to add, skip-worktree
		}
		pos += 62
		var name string
		if version == 4 {
			strip, n := gitVarint(body[pos:])
			if n <= 0 || strip > uint64(len(prev)) {
				return nil, errBadIndex
			}
			pos += n
			nul := strings.IndexByte(body[pos:], 0)
			if nul < 0 {
				return nil, errBadIndex
			}
			name = prev[:len(prev)-int(strip)] + body[pos:pos+nul]
			pos += nul + 1
		} else {
			nul := strings.IndexByte(body[pos:], 0)
			if nul < 0 {
				return nil, errBadIndex
			}
			name = body[pos : pos+nul]
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
			// Git wrote it, so it is a form of the index not read here: a
			// split index's replaced entries are nameless.
			return nil, ErrIndexNotRead
		}
		ix.entries = append(ix.entries, indexEntry{path: name, mode: filemode.FileMode(mode), hash: h, stage: int(flags>>12) & 3})
		prev = name
	}
	for pos+8 <= len(body) {
		sig, size := body[pos:pos+4], be32(body[pos+4:pos+8])
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
// when the count is not -1 (invalidated), the 20-byte tree name. Its
// names are cut from data.
func parseCacheTree(data string) ([]cacheNode, bool) {
	var nodes []cacheNode
	var walk func() bool
	walk = func() bool {
		nul := strings.IndexByte(data, 0)
		if nul < 0 {
			return false
		}
		name := data[:nul]
		data = data[nul+1:]
		nl := strings.IndexByte(data, '\n')
		if nl < 0 {
			return false
		}
		counts := strings.Fields(data[:nl])
		data = data[nl+1:]
		if len(counts) != 2 {
			return false
		}
		n, err1 := strconv.Atoi(counts[0])
		subs, err2 := strconv.Atoi(counts[1])
		if err1 != nil || err2 != nil || subs < 0 || subs > len(data) {
			return false
		}
		i := len(nodes)
		nodes = append(nodes, cacheNode{name: name, entries: n})
		if n >= 0 {
			if len(data) < 20 {
				return false
			}
			copy(nodes[i].hash[:], data[:20])
			nodes[i].valid = true
			data = data[20:]
		}
		for range subs {
			if !walk() {
				return false
			}
		}
		nodes[i].end = len(nodes)
		return true
	}
	if len(data) == 0 {
		return nil, true
	}
	if !walk() || len(data) != 0 {
		return nil, false
	}
	return nodes, true
}

// cacheChild returns the position in ix.trees of the folder name within
// the cache-tree node at parent (0 for the root when there is one), or -1.
func (ix *Index) cacheChild(parent int, name []byte) int {
	if parent < 0 || parent >= len(ix.trees) {
		return -1
	}
	for i := parent + 1; i < ix.trees[parent].end; i = ix.trees[i].end {
		if ix.trees[i].name == string(name) {
			return i
		}
	}
	return -1
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
	node := -1
	if len(ix.trees) > 0 {
		node = 0
	}
	if err := r.stagedIn(ix, ix.entries, root, "", node, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// stagedIn compares the index entries under the folder prefix (entries,
// sorted) with the tree h of that folder, whose cache-tree node is
// ix.trees[node] (none when node is -1).
func (r *Repo) stagedIn(ix *Index, entries []indexEntry, h plumbing.Hash, prefix string, node int, out *[]string) error {
	if node >= 0 {
		if t := ix.trees[node]; t.valid && t.hash == h && t.entries == len(entries) {
			return nil
		}
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
			if err := r.stagedIn(ix, entries[i:j], te.hash, prefix+string(te.name)+"/", ix.cacheChild(node, te.name), out); err != nil {
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
