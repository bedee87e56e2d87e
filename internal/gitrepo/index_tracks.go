package gitrepo

import (
	"sort"
	"strings"
)

// Tracks reports whether the index holds the file p, or a file below the
// folder p, in any stage: what git tracks even where a .gitignore says
// otherwise (git add -f).
func (ix *Index) Tracks(p string) bool {
	i := sort.Search(len(ix.entries), func(i int) bool { return ix.entries[i].path >= p })
	if i < len(ix.entries) && ix.entries[i].path == p {
		return true
	}
	// The files below p follow p+"/" in the index's order, not p: "p-x"
	// and "p.x" sort between them.
	dir := p + "/"
	i = sort.Search(len(ix.entries), func(i int) bool { return ix.entries[i].path >= dir })
	return i < len(ix.entries) && strings.HasPrefix(ix.entries[i].path, dir)
}
