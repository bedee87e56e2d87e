package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// treeEntry is an entry of a raw tree object: "<octal mode> <name>\x00"
// and the 20-byte object name.
type treeEntry struct {
	mode filemode.FileMode
	name []byte
	hash plumbing.Hash
}

func (e *treeEntry) dir() bool { return e.mode == filemode.Dir }

// errBadTree reports a tree object that cannot be parsed.
var errBadTree = errors.New("malformed tree object")

// parseTreeEntry parses the entry at the start of data and returns the
// length it takes.
func parseTreeEntry(data []byte) (treeEntry, int, error) {
	sp := bytes.IndexByte(data, ' ')
	if sp <= 0 || sp > 7 {
		return treeEntry{}, 0, errBadTree
	}
	var mode uint32
	for _, c := range data[:sp] {
		if c < '0' || c > '7' {
			return treeEntry{}, 0, errBadTree
		}
		mode = mode<<3 | uint32(c-'0')
	}
	nul := bytes.IndexByte(data[sp+1:], 0)
	if nul < 0 || sp+1+nul+1+20 > len(data) {
		return treeEntry{}, 0, errBadTree
	}
	e := treeEntry{mode: filemode.FileMode(mode), name: data[sp+1 : sp+1+nul]}
	end := sp + 1 + nul + 1
	copy(e.hash[:], data[end:end+20])
	return e, end + 20, nil
}

// compareEntries orders entries as git sorts a tree: by name, a folder's
// name as if it ended in "/".
func compareEntries(a, b *treeEntry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	ca, cb := byte(0), byte(0)
	if len(a.name) > n {
		ca = a.name[n]
	} else if a.dir() {
		ca = '/'
	}
	if len(b.name) > n {
		cb = b.name[n]
	} else if b.dir() {
		cb = '/'
	}
	return int(ca) - int(cb)
}

// rawTree returns the content of a tree object (nil for the zero hash),
// read-only.
func (r *Repo) rawTree(h plumbing.Hash) ([]byte, error) {
	if h.IsZero() {
		return nil, nil
	}
	if fs, ok := r.repo.Storer.(*fastStorer); ok {
		return fs.rawObject(plumbing.TreeObject, h)
	}
	return readObject(r.repo.Storer, plumbing.TreeObject, h)
}

// ChangedFilesIn lists the paths under dir ("." for all) that differ
// between two commits, sorted. It goes straight down to dir and then reads
// only the subtrees whose hashes differ, so the cost follows the size of
// the change, not of the repository or of the other models' folders.
func (r *Repo) ChangedFilesIn(ctx context.Context, base, head *Commit, dir string) ([]string, error) {
	var out []string
	if err := r.changedIn(ctx, base.commit.TreeHash, head.commit.TreeHash, dir, &out); err != nil {
		return nil, fmt.Errorf("diffing %s..%s: %w", base.Hash[:7], head.Hash[:7], err)
	}
	sort.Strings(out)
	return out, nil
}

func (r *Repo) changedIn(ctx context.Context, a, b plumbing.Hash, dir string, out *[]string) error {
	if dir == "" || dir == "." {
		return r.diffTrees(ctx, a, b, "", out)
	}
	prefix := ""
	parts := strings.Split(dir, "/")
	for _, part := range parts {
		if a == b {
			return nil
		}
		x, inA, err := r.lookupEntry(a, part)
		if err != nil {
			return err
		}
		y, inB, err := r.lookupEntry(b, part)
		if err != nil {
			return err
		}
		if !(inA && inB && x.dir() && y.dir()) {
			// The folder is missing or not a folder on one side: list
			// what differs at this name and keep what is under dir.
			var all []string
			if err := r.visit(ctx, prefix, x, y, inA, inB, &all); err != nil {
				return err
			}
			for _, p := range all {
				if p == dir || strings.HasPrefix(p, dir+"/") {
					*out = append(*out, p)
				}
			}
			return nil
		}
		a, b, prefix = x.hash, y.hash, prefix+part+"/"
	}
	return r.diffTrees(ctx, a, b, prefix, out)
}

// lookupEntry finds the entry name in the tree h (the last one, should a
// malformed tree repeat a name).
func (r *Repo) lookupEntry(h plumbing.Hash, name string) (treeEntry, bool, error) {
	data, err := r.rawTree(h)
	if err != nil {
		return treeEntry{}, false, err
	}
	var found treeEntry
	ok := false
	for len(data) > 0 {
		e, n, err := parseTreeEntry(data)
		if err != nil {
			return treeEntry{}, false, fmt.Errorf("tree %s: %w", h.String()[:7], err)
		}
		if string(e.name) == name {
			found, ok = e, true
		}
		data = data[n:]
	}
	return found, ok, nil
}

// diffTrees appends the paths that differ between trees a and b (either
// may be the zero hash: absent) under prefix. Both trees are walked in
// step in git's sort order; a tree out of order falls back to matching
// entries by name.
func (r *Repo) diffTrees(ctx context.Context, a, b plumbing.Hash, prefix string, out *[]string) error {
	if a == b {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	da, err := r.rawTree(a)
	if err != nil {
		return err
	}
	db, err := r.rawTree(b)
	if err != nil {
		return err
	}
	start := len(*out)
	var x, y, px, py treeEntry
	hasX, hasY, hadX, hadY := false, false, false, false
	next := func(data *[]byte, e, prev *treeEntry, has, had *bool) (bool, error) {
		if *has {
			*prev, *had = *e, true
		}
		if len(*data) == 0 {
			*has = false
			return true, nil
		}
		ne, n, err := parseTreeEntry(*data)
		if err != nil {
			return false, err
		}
		*data = (*data)[n:]
		if *had && compareEntries(prev, &ne) >= 0 {
			return false, nil // out of order
		}
		*e, *has = ne, true
		return true, nil
	}
	ok, err := next(&da, &x, &px, &hasX, &hadX)
	if err == nil && ok {
		ok, err = next(&db, &y, &py, &hasY, &hadY)
	}
	for err == nil && ok && (hasX || hasY) {
		c := 0
		switch {
		case !hasY:
			c = -1
		case !hasX:
			c = 1
		default:
			c = compareEntries(&x, &y)
		}
		switch {
		case c < 0:
			err = r.visit(ctx, prefix, x, treeEntry{}, true, false, out)
			if err == nil {
				ok, err = next(&da, &x, &px, &hasX, &hadX)
			}
		case c > 0:
			err = r.visit(ctx, prefix, treeEntry{}, y, false, true, out)
			if err == nil {
				ok, err = next(&db, &y, &py, &hasY, &hadY)
			}
		default:
			err = r.visit(ctx, prefix, x, y, true, true, out)
			if err == nil {
				ok, err = next(&da, &x, &px, &hasX, &hadX)
			}
			if err == nil && ok {
				ok, err = next(&db, &y, &py, &hasY, &hadY)
			}
		}
	}
	if err != nil {
		if errors.Is(err, errBadTree) {
			return fmt.Errorf("tree %s or %s: %w", a.String()[:7], b.String()[:7], err)
		}
		return err
	}
	if !ok {
		*out = (*out)[:start]
		return r.diffTreesByName(ctx, a, b, prefix, out)
	}
	return nil
}

// visit compares the entries of one name on both sides.
func (r *Repo) visit(ctx context.Context, prefix string, x, y treeEntry, inA, inB bool, out *[]string) error {
	if inA && inB && x.hash == y.hash && x.mode == y.mode {
		return nil
	}
	name := x.name
	if !inA {
		name = y.name
	}
	p := prefix + string(name)
	dirA, dirB := inA && x.dir(), inB && y.dir()
	if dirA || dirB {
		var ha, hb plumbing.Hash
		if dirA {
			ha = x.hash
		}
		if dirB {
			hb = y.hash
		}
		if err := r.diffTrees(ctx, ha, hb, p+"/", out); err != nil {
			return err
		}
		if (inA && !dirA) || (inB && !dirB) {
			*out = append(*out, p)
		}
		return nil
	}
	*out = append(*out, p)
	return nil
}

// diffTreesByName is diffTrees for trees not in git's order: entries are
// matched by name (the last of a repeated name counts).
func (r *Repo) diffTreesByName(ctx context.Context, a, b plumbing.Hash, prefix string, out *[]string) error {
	entries := func(h plumbing.Hash) (map[string]treeEntry, []string, error) {
		m := map[string]treeEntry{}
		var names []string
		data, err := r.rawTree(h)
		if err != nil {
			return nil, nil, err
		}
		for len(data) > 0 {
			e, n, err := parseTreeEntry(data)
			if err != nil {
				return nil, nil, fmt.Errorf("tree %s: %w", h.String()[:7], err)
			}
			if _, dup := m[string(e.name)]; !dup {
				names = append(names, string(e.name))
			}
			m[string(e.name)] = e
			data = data[n:]
		}
		return m, names, nil
	}
	ea, na, err := entries(a)
	if err != nil {
		return err
	}
	eb, nb, err := entries(b)
	if err != nil {
		return err
	}
	for _, name := range na {
		y, ok := eb[name]
		if err := r.visit(ctx, prefix, ea[name], y, true, ok, out); err != nil {
			return err
		}
	}
	for _, name := range nb {
		if _, ok := ea[name]; !ok {
			if err := r.visit(ctx, prefix, treeEntry{}, eb[name], false, true, out); err != nil {
				return err
			}
		}
	}
	return nil
}
