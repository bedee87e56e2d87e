package gitrepo

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// tagRef is a tag reference: its short name and target.
type tagRef struct {
	name   string // without refs/tags/
	target string // the object name in hexadecimal, decoded when the tag is used
}

// hash decodes the tag's target. Only the tags a run uses are decoded: of
// 50,000 tags in packed-refs, those of the models gated.
func (t tagRef) hash() (plumbing.Hash, error) {
	h, ok := parseHex(t.target)
	if !ok {
		return h, fmt.Errorf("tag %q: malformed object name %q in packed-refs: run git pack-refs --all to rewrite it", t.name, t.target)
	}
	return h, nil
}

// tagsWithPrefix returns the tags whose names start with prefix, from a
// list sorted by name.
func tagsWithPrefix(tags []tagRef, prefix string) []tagRef {
	i := sort.Search(len(tags), func(i int) bool { return tags[i].name >= prefix })
	j := i + sort.Search(len(tags)-i, func(k int) bool { return !strings.HasPrefix(tags[i+k].name, prefix) })
	return tags[i:j]
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
	if tags, ok := r.readTagFiles(); ok {
		r.tags = tags
		return tags, nil
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
		tags = append(tags, tagRef{name: name, target: h.String()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing tags: %w", err)
	}
	sortTags(tags)
	r.tags = tags
	return tags, nil
}

// tagHash returns the target of the tag name.
func (r *Repo) tagHash(name string) (plumbing.Hash, bool, error) {
	tags, err := r.tagRefs()
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	i := sort.Search(len(tags), func(i int) bool { return tags[i].name >= name })
	if i < len(tags) && tags[i].name == name {
		h, err := tags[i].hash()
		return h, err == nil, err
	}
	return plumbing.ZeroHash, false, nil
}

// readTagFiles lists the tags of a repository that keeps its references
// in files, as git does by default: packed-refs, then the loose ones under
// refs/tags, which win. It reports false for anything else it does not
// understand (a reftable, a malformed line), and go-git lists the tags.
func (r *Repo) readTagFiles() ([]tagRef, bool) {
	common := r.CommonDir()
	if common == "" || !fastObjects {
		return nil, false
	}
	if _, err := os.Stat(filepath.Join(common, "reftable")); err == nil {
		return nil, false
	}
	sorted := true
	data, err := os.ReadFile(filepath.Join(common, "packed-refs"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	// One string for the file: the names and object names are cut from it
	// without an allocation each.
	text := string(data)
	tags := make([]tagRef, 0, len(text)/64) // a line is about 60-80 bytes
	for len(text) > 0 {
		line := text
		if nl := strings.IndexByte(text, '\n'); nl >= 0 {
			line, text = text[:nl], text[nl+1:]
		} else {
			text = ""
		}
		if len(line) == 0 || line[0] == '#' || line[0] == '^' {
			continue
		}
		if len(line) < 42 || line[40] != ' ' {
			return nil, false
		}
		name, ok := strings.CutPrefix(line[41:], "refs/tags/")
		if !ok {
			continue
		}
		if n := len(tags); n > 0 && tags[n-1].name >= name {
			sorted = false
		}
		tags = append(tags, tagRef{name: name, target: line[:40]})
	}
	var loose []tagRef
	dir := filepath.Join(common, "refs", "tags")
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		content = bytes.TrimSpace(content)
		var h plumbing.Hash
		if bytes.HasPrefix(content, []byte("ref: ")) {
			ref, err := r.repo.Reference(plumbing.NewTagReferenceName(name), true)
			if err != nil {
				return nil // a dangling symbolic tag names nothing
			}
			h = ref.Hash()
		} else if len(content) != 40 {
			return errors.New("not a reference")
		} else if _, err := hex.Decode(h[:], content); err != nil {
			return err
		}
		loose = append(loose, tagRef{name: name, target: h.String()})
		return nil
	})
	if err != nil {
		return nil, false
	}
	if len(loose) > 0 {
		// A loose reference wins over a packed one of the same name.
		shadowed := make(map[string]bool, len(loose))
		for _, t := range loose {
			shadowed[t.name] = true
		}
		kept := tags[:0]
		for _, t := range tags {
			if !shadowed[t.name] {
				kept = append(kept, t)
			}
		}
		tags, sorted = append(kept, loose...), false
	}
	if !sorted {
		sortTags(tags)
	}
	return tags, true
}

// sortTags orders tags by name, as tagHash searches them.
func sortTags(tags []tagRef) {
	sort.Slice(tags, func(i, j int) bool { return tags[i].name < tags[j].name })
}

// parseHex decodes a 40-digit hexadecimal object name.
func parseHex(s string) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if len(s) != 2*len(h) {
		return h, false
	}
	for i := range h {
		hi, ok1 := unhex(s[2*i])
		lo, ok2 := unhex(s[2*i+1])
		if !ok1 || !ok2 {
			return h, false
		}
		h[i] = hi<<4 | lo
	}
	return h, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
