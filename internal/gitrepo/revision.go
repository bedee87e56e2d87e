package gitrepo

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// Revisions are resolved here as git's get_oid (object-name.c) resolves
// them, for the syntax that names one commit from refs and hashes: refs
// (with git's rules: name, refs/name, refs/tags/name, refs/heads/name,
// refs/remotes/name, refs/remotes/name/HEAD), full and abbreviated hashes,
// "@", describe output (v1.0-3-gabc1234), and the suffixes ~N, ^N, ^{},
// ^{commit}, ^{tag} and ^{object}. What needs state go-git does not keep
// or a search (reflogs and upstreams with @{...}, :/text, ^{/re}), names a
// file or tree (REV:path, :path, ^{tree}, ^{blob}) or several commits
// (ranges) is refused with what to pass instead: never another commit.

// useCommit is the advice given with a refused revision.
const useCommit = "pass a branch, tag or commit instead"

// unknownRevision reports a revision that names nothing here.
func unknownRevision(full string) error {
	return fmt.Errorf("unknown revision %q: not a branch, tag or commit of this repository (git fetch it first?)", full)
}

// refused reports a revision syntax modelgate does not resolve.
func refused(full, what string) error {
	return fmt.Errorf("revision %q %s, which modelgate does not resolve; %s (git rev-parse --verify %q prints the commit)",
		full, what, useCommit, full+"^{commit}")
}

// revision resolves a whole revision to an object.
func (r *Repo) revision(full string) (plumbing.Hash, error) {
	switch {
	case full == "":
		return plumbing.ZeroHash, unknownRevision(full)
	case strings.HasPrefix(full, ":/"):
		return plumbing.ZeroHash, refused(full, "searches commit messages (:/text)")
	case colonOutsideBraces(full) >= 0:
		return plumbing.ZeroHash, fmt.Errorf("revision %q names a file or folder (REV:path or :path), not a commit; %s", full, useCommit)
	}
	return r.revision1(full, full)
}

// colonOutsideBraces returns the index of the first ':' that is not inside
// {...}, where git splits REV:path, or -1.
func colonOutsideBraces(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '{':
			depth++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			return i
		}
	}
	return -1
}

// revision1 is git's get_oid_1: the ~N and ^N suffixes, then ^{type},
// then a name.
func (r *Repo) revision1(full, name string) (plumbing.Hash, error) {
	if name == "" {
		return plumbing.ZeroHash, unknownRevision(full)
	}
	j := len(name)
	for j > 0 && name[j-1] >= '0' && name[j-1] <= '9' {
		j--
	}
	if j > 0 && (name[j-1] == '~' || name[j-1] == '^') {
		op, digits, base := name[j-1], name[j:], name[:j-1]
		n := 1
		if digits != "" {
			v, err := strconv.ParseUint(digits, 10, 32)
			if err != nil || v > math.MaxInt32 {
				return plumbing.ZeroHash, unknownRevision(full)
			}
			n = int(v)
		}
		h, err := r.revision1(full, base)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		c, err := r.peelCommit(full, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if op == '^' {
			if n == 0 {
				return c.Hash, nil
			}
			return r.parent(full, c, n)
		}
		for range n {
			h, err := r.parent(full, c, 1)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			if c, err = r.repo.CommitObject(h); err != nil {
				return plumbing.ZeroHash, r.missing(full, h, err)
			}
		}
		return c.Hash, nil
	}
	if strings.HasSuffix(name, "}") {
		if i := strings.LastIndex(name, "^{"); i >= 0 {
			return r.peelTo(full, name[:i], name[i+2:len(name)-1])
		}
	}
	return r.basic(full, name)
}

// parent returns the n-th parent (from 1) of c.
func (r *Repo) parent(full string, c *object.Commit, n int) (plumbing.Hash, error) {
	if r.shallow[c.Hash] {
		return plumbing.ZeroHash, fmt.Errorf("revision %q reaches past commit %s, the edge of this shallow clone: %w", full, c.Hash.String()[:7], ErrShallow)
	}
	if n > len(c.ParentHashes) {
		return plumbing.ZeroHash, fmt.Errorf("unknown revision %q: commit %s has %d parent(s), not %d", full, c.Hash.String()[:7], len(c.ParentHashes), n)
	}
	return c.ParentHashes[n-1], nil
}

// peelTo is git's peel_onion: base^{typ}.
func (r *Repo) peelTo(full, base, typ string) (plumbing.Hash, error) {
	switch {
	case strings.HasPrefix(typ, "/"):
		return plumbing.ZeroHash, refused(full, "searches commit messages (^{/text})")
	case typ == "tree" || typ == "blob":
		return plumbing.ZeroHash, fmt.Errorf("revision %q names a %s, not a commit; %s", full, typ, useCommit)
	case typ != "" && typ != "commit" && typ != "tag" && typ != "object":
		return plumbing.ZeroHash, unknownRevision(full)
	}
	h, err := r.revision1(full, base)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	switch typ {
	case "commit":
		c, err := r.peelCommit(full, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		return c.Hash, nil
	case "tag":
		t, err := r.objectType(full, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if t != plumbing.TagObject {
			return plumbing.ZeroHash, fmt.Errorf("revision %q: %s is a %s, not a tag object; %s", full, base, t, useCommit)
		}
		return h, nil
	case "object":
		if _, err := r.objectType(full, h); err != nil {
			return plumbing.ZeroHash, err
		}
		return h, nil
	}
	// ^{}: peel tags down to what they point to.
	for range maxTagDepth {
		t, err := r.objectType(full, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if t != plumbing.TagObject {
			return h, nil
		}
		to, err := r.repo.TagObject(h)
		if err != nil {
			return plumbing.ZeroHash, r.missing(full, h, err)
		}
		h = to.Target
	}
	return plumbing.ZeroHash, fmt.Errorf("revision %q: too many nested tag objects", full)
}

// maxTagDepth bounds the tag objects peeled in a row.
const maxTagDepth = 10

var (
	hexRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-fA-F]+$`) })
	// describeRE is git describe output: anything, "-g", at least four hex
	// digits of a commit.
	describeRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^..*-g([0-9a-fA-F]{4,40})$`) })
	// pseudoRefRE names refs stored at the top of the git folder, as HEAD
	// and FETCH_HEAD are.
	pseudoRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z][A-Z_]*HEAD$`) })
)

// basic resolves a name without suffixes: git's get_oid_basic, describe
// output, then an abbreviated hash.
func (r *Repo) basic(full, name string) (plumbing.Hash, error) {
	if len(name) == 40 && hexRE().MatchString(name) {
		return plumbing.NewHash(strings.ToLower(name)), nil
	}
	switch {
	case strings.Contains(name, "@{"):
		return plumbing.ZeroHash, refused(full, "reads the reflog, the upstream or the push branch (@{...})")
	case strings.Contains(name, ".."):
		return plumbing.ZeroHash, fmt.Errorf("revision %q is a range, not one commit; %s", full, useCommit)
	case name == "@":
		name = "HEAD"
	}
	if h, ok, err := r.ref(full, name); ok || err != nil {
		return h, err
	}
	if m := describeRE().FindStringSubmatch(name); m != nil {
		// git takes the last "-g"; the regexp's greedy ".*" does too.
		hs, err := r.hashesWithPrefix(m[1])
		if err != nil {
			return plumbing.ZeroHash, err
		}
		var commits []plumbing.Hash
		for _, h := range hs {
			if t, err := r.objectType(full, h); err == nil && t == plumbing.CommitObject {
				commits = append(commits, h)
			}
		}
		if len(commits) == 1 {
			return commits[0], nil
		}
		if len(commits) > 1 {
			return plumbing.ZeroHash, fmt.Errorf("revision %q: the abbreviated hash %s is ambiguous; give more hex digits", full, m[1])
		}
	}
	if len(name) >= 4 && len(name) < 40 && hexRE().MatchString(name) {
		hs, err := r.hashesWithPrefix(name)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		switch len(hs) {
		case 1:
			return hs[0], nil
		case 0:
		default:
			return plumbing.ZeroHash, fmt.Errorf("revision %q: the abbreviated hash is ambiguous (%d objects); give more hex digits", full, len(hs))
		}
	}
	return plumbing.ZeroHash, r.unknown(full)
}

// unknown reports a revision that names nothing here; a shallow clone
// may lack it.
func (r *Repo) unknown(full string) error {
	if r.Shallow() && hexRE().MatchString(full) && len(full) >= 4 {
		return fmt.Errorf("unknown revision %q: no such object in this shallow clone, which may end before it: %w", full, ErrShallow)
	}
	return unknownRevision(full)
}

// ref resolves name with git's ref rules, first match wins. The first
// rule, the name itself, applies to HEAD, refs/ paths and upper-case
// pseudo-refs (FETCH_HEAD); another name that is also a ref-like file in
// the git folder is refused: git versions disagree on whether it names
// that file.
func (r *Repo) ref(full, name string) (plumbing.Hash, bool, error) {
	if !validRefName(name) {
		return plumbing.ZeroHash, false, nil
	}
	root := name == "HEAD" || strings.HasPrefix(name, "refs/") || pseudoRefRE().MatchString(name)
	if !root && r.strayRef(name) {
		return plumbing.ZeroHash, false, fmt.Errorf("revision %q is ambiguous: the git folder holds a file %s that older git reads as a ref; pass the full ref name (refs/heads/%s, refs/tags/%s) or remove the file", full, name, name, name)
	}
	for i, rule := range plumbing.RefRevParseRules {
		if i == 0 && !root {
			continue
		}
		ref, err := storer.ResolveReference(r.repo.Storer, plumbing.ReferenceName(fmt.Sprintf(rule, name)))
		if err != nil || ref == nil || ref.Hash().IsZero() {
			continue
		}
		return ref.Hash(), true, nil
	}
	return plumbing.ZeroHash, false, nil
}

// strayRef reports whether the git folder holds a file name that reads as
// a ref (a hash, or "ref: "), as git before 2.45 would take it.
func (r *Repo) strayRef(name string) bool {
	for _, dir := range []string{r.gitDir, r.CommonDir()} {
		if dir == "" {
			continue
		}
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			continue
		}
		buf := make([]byte, 41)
		n, _ := io.ReadFull(f, buf)
		f.Close()
		head := string(buf[:n])
		if strings.HasPrefix(head, "ref:") || n >= 40 && hexRE().MatchString(head[:40]) {
			return true
		}
	}
	return false
}

// validRefName reports whether name is a well-formed ref name (git
// check-ref-format, one level allowed), so it is never read as a path.
func validRefName(name string) bool {
	if name == "" || name == "@" || strings.HasSuffix(name, ".") || strings.Contains(name, "..") || strings.Contains(name, "@{") {
		return false
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return false
		}
	}
	for _, comp := range strings.Split(name, "/") {
		if comp == "" || strings.HasPrefix(comp, ".") || strings.HasSuffix(comp, ".lock") {
			return false
		}
	}
	return true
}

// hashesWithPrefix returns the objects whose hash starts with the hex
// prefix, from the repository's stores and its alternates.
func (r *Repo) hashesWithPrefix(prefix string) ([]plumbing.Hash, error) {
	prefix = strings.ToLower(prefix)
	even, err := hex.DecodeString(prefix[:len(prefix)&^1])
	if err != nil {
		return nil, err
	}
	var candidates []plumbing.Hash
	if fi, ok := r.repo.Storer.(interface {
		HashesWithPrefix([]byte) ([]plumbing.Hash, error)
	}); ok {
		if candidates, err = fi.HashesWithPrefix(even); err != nil {
			return nil, fmt.Errorf("looking up %s: %w", prefix, err)
		}
	} else {
		iter, err := r.repo.Storer.IterEncodedObjects(plumbing.AnyObject)
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", prefix, err)
		}
		err = iter.ForEach(func(o plumbing.EncodedObject) error {
			candidates = append(candidates, o.Hash())
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("looking up %s: %w", prefix, err)
		}
	}
	seen := map[plumbing.Hash]bool{}
	var out []plumbing.Hash
	for _, h := range candidates {
		if !seen[h] && strings.HasPrefix(h.String(), prefix) {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out, nil
}

// objectType returns the type of an object without reading a large blob.
func (r *Repo) objectType(full string, h plumbing.Hash) (plumbing.ObjectType, error) {
	if r.large != nil {
		if o, err := r.large.EncodedObject(plumbing.AnyObject, h); err == nil {
			return o.Type(), nil
		}
	}
	o, err := r.repo.Storer.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return plumbing.InvalidObject, r.missing(full, h, err)
	}
	return o.Type(), nil
}

// missing explains a failure to read object h of a revision.
func (r *Repo) missing(full string, h plumbing.Hash, err error) error {
	if !errors.Is(err, plumbing.ErrObjectNotFound) {
		return fmt.Errorf("revision %q: reading %s: %w", full, h.String()[:7], err)
	}
	if r.Shallow() {
		return fmt.Errorf("revision %q: object %s is not in this shallow clone: %w", full, h.String()[:7], ErrShallow)
	}
	return unknownRevision(full)
}

// peelCommit peels tags down to a commit: git's lookup_commit_reference.
func (r *Repo) peelCommit(full string, h plumbing.Hash) (*object.Commit, error) {
	for range maxTagDepth {
		t, err := r.objectType(full, h)
		if err != nil {
			return nil, err
		}
		switch t {
		case plumbing.CommitObject:
			c, err := r.repo.CommitObject(h)
			if err != nil {
				return nil, r.missing(full, h, err)
			}
			return c, nil
		case plumbing.TagObject:
			to, err := r.repo.TagObject(h)
			if err != nil {
				return nil, r.missing(full, h, err)
			}
			h = to.Target
		default:
			return nil, fmt.Errorf("revision %q names a %s, not a commit; %s", full, t, useCommit)
		}
	}
	return nil, fmt.Errorf("revision %q: too many nested tag objects", full)
}
