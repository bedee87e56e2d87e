package gitrepo

import (
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeCache keeps the trees the files of a repository's commits were
// looked up in, decoded, by name: every path is resolved from the root one
// folder at a time, and without it a folder of 5,000 release notes was
// decoded again for each note looked up in it, at each commit. It is
// shared by every FS of a Repo (a baseline and a head share most of their
// folders) and grows with the folders read, not with the repository.
type treeCache struct {
	mu sync.Mutex
	m  map[plumbing.Hash]*object.Tree
}

// tree returns the decoded tree h.
func (c *treeCache) tree(repo *git.Repository, h plumbing.Hash) (*object.Tree, error) {
	c.mu.Lock()
	t := c.m[h]
	c.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := repo.TreeObject(h)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[plumbing.Hash]*object.Tree{}
	}
	if old := c.m[h]; old != nil {
		return old, nil
	}
	c.m[h] = t
	return t, nil
}

// findEntry looks a name up in a cached tree: go-git's Tree.FindEntry
// fills a map of the tree on its first call, so calls are serialised.
func (c *treeCache) findEntry(t *object.Tree, name string) (*object.TreeEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t.FindEntry(name)
}
