package gitrepo

import (
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// tagRef is a tag reference: its short name and target.
type tagRef struct {
	name string // without refs/tags/
	hash plumbing.Hash
}

// tagRefs lists the repository's tags once per opened repository: every
// model of a run looks its tags up in the same list. Names are cut after
// refs/tags/ directly (go-git's ReferenceName.Short tries every rule with
// fmt.Sscanf, which dominates a listing of 50,000 tags). Symbolic tag
// references are resolved.
func (r *Repo) tagRefs() ([]tagRef, error) {
	if r.tags != nil {
		return r.tags, nil
	}
	iter, err := r.repo.Storer.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	tags := []tagRef{}
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		name, ok := strings.CutPrefix(string(ref.Name()), "refs/tags/")
		if !ok {
			return nil
		}
		h := ref.Hash()
		if ref.Type() == plumbing.SymbolicReference {
			resolved, err := r.repo.Reference(ref.Name(), true)
			if err != nil {
				return nil // a dangling symbolic tag names nothing
			}
			h = resolved.Hash()
		}
		tags = append(tags, tagRef{name: name, hash: h})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	r.tags = tags
	r.tagIndex = make(map[string]plumbing.Hash, len(tags))
	for _, t := range tags {
		r.tagIndex[t.name] = t.hash
	}
	return tags, nil
}
