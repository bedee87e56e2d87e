// Package gitrepo is modelgate's git adapter: it reads revisions, trees and
// release tags with go-git and hands the domain one fs.FS per revision.
package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/pathwalk"
)

// ShallowFix is the advice for a clone too shallow to hold the baseline.
const ShallowFix = "set fetch-depth: 0 in actions/checkout, or run git fetch --tags --unshallow"

// ErrShallow reports that the history needed is not in a shallow clone; its
// text is the fix.
var ErrShallow = errors.New(ShallowFix)

// errNotCommit reports a tag that does not point to a commit.
var errNotCommit = errors.New("not a commit")

// Repo is an opened git repository.
type Repo struct {
	repo    *git.Repository
	dir     string
	gitDir  string // the repository's (or linked worktree's) git folder
	shallow map[plumbing.Hash]bool
	// large reads the objects of the repository's own store without
	// inflating them whole, for blobs too large to read in full.
	large *filesystem.ObjectStorage
	// fastState is what the memory-mapped object reader, the shared
	// history walk and the tag list keep (fast.go).
	fastState
	trees treeCache // the trees the FSs have looked files up in
}

// Open opens the repository that holds dir, as git would find it (parent
// folders, linked worktrees, bare repositories: the gate reads only
// objects).
func Open(dir string) (*Repo, error) {
	top := discover(dir)
	if top == "" {
		return nil, fmt.Errorf("%s: not a git repository; run modelgate inside a clone or pass --repo", dir)
	}
	r, err := git.PlainOpenWithOptions(top, &git.PlainOpenOptions{EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: not a git repository; run modelgate inside a clone or pass --repo", dir)
	}
	if errors.Is(err, git.ErrUnknownExtension) && strings.Contains(err.Error(), "partialclone") {
		return nil, fmt.Errorf("%s: %w", dir, errPartialCloneExtension)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open the git repository: %w", dir, err)
	}
	gitDir := ""
	var large *filesystem.ObjectStorage
	if st, ok := r.Storer.(*filesystem.Storage); ok {
		gitDir = st.Filesystem().Root()
		large = filesystem.NewObjectStorageWithOptions(dotgit.New(st.Filesystem()), cache.NewObjectLRU(cache.MiByte),
			filesystem.Options{LargeObjectThreshold: streamAbove})
	}
	if r, err = withAlternates(r); err != nil {
		return nil, fmt.Errorf("%s: cannot open the git repository: %w", dir, err)
	}
	if st, ok := r.Storer.(*alternatesStorer); ok {
		if remote := promisorRemote(r); remote != "" {
			st.lazy = &promisor{dir: top, remote: remote, tried: map[plumbing.Hash]error{}, after: func() {
				st.Reindex()
				if large != nil {
					large.Reindex()
				}
			}}
		}
	}
	repo := &Repo{repo: r, dir: dir, gitDir: gitDir, shallow: map[plumbing.Hash]bool{}, large: large}
	if err := repo.withFastObjects(); err != nil {
		return nil, fmt.Errorf("%s: cannot open the git repository: %w", dir, err)
	}
	hs, err := r.Storer.Shallow()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the shallow list: %w", dir, err)
	}
	for _, h := range hs {
		repo.shallow[h] = true
	}
	return repo, nil
}

// Root returns the folder of the working tree.
func (r *Repo) Root() (string, error) {
	wt, err := r.repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("%s is a bare repository: it has no working tree to write to; run this in a clone", r.dir)
	}
	return wt.Filesystem.Root(), nil
}

// CommonDir returns the repository's common git folder: .git, or for a
// linked worktree the main repository's, where the objects, the refs and
// the Git LFS store (lfs/objects) live.
func (r *Repo) CommonDir() string {
	if r.gitDir == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(r.gitDir, "commondir"))
	if err != nil {
		return r.gitDir
	}
	common := strings.TrimSpace(string(data))
	if !filepath.IsAbs(common) {
		common = filepath.Join(r.gitDir, common)
	}
	return filepath.Clean(common)
}

// withAlternates serves the objects of alternate object stores (git clone
// --shared, --reference): go-git looks for them inside .git, and on every
// miss opens each alternate anew and reloads its pack index. The stores
// listed in objects/info/alternates are opened once here instead. The
// storage is wrapped even without alternates, so that the objects a
// partial clone left out can be fetched (see promisor.go).
func withAlternates(r *git.Repository) (*git.Repository, error) {
	st, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return r, nil
	}
	var data []byte
	f, err := st.Filesystem().Open(path.Join("objects", "info", "alternates"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading objects/info/alternates: %w", err)
	default:
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, 1<<20)); err != nil {
			return nil, fmt.Errorf("reading objects/info/alternates: %w", err)
		}
	}
	objects := filepath.Join(st.Filesystem().Root(), "objects")
	var alts []*filesystem.ObjectStorage
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !filepath.IsAbs(line) {
			line = filepath.Join(objects, line)
		}
		alts = append(alts, filesystem.NewObjectStorage(dotgit.New(osfs.New(filepath.Dir(line))), cache.NewObjectLRUDefault()))
	}
	var wt billy.Filesystem
	if w, err := r.Worktree(); err == nil {
		wt = w.Filesystem
	}
	return git.Open(&alternatesStorer{Storage: st, alts: alts}, wt)
}

// alternatesStorer is a repository's storage that falls back to alternate
// object stores kept open, then, in a partial clone, to fetching the object
// from the promisor remote (lazy). Existence checks (HasEncodedObject)
// never fetch, as git's do not.
type alternatesStorer struct {
	*filesystem.Storage
	alts []*filesystem.ObjectStorage
	lazy *promisor
}

func (s *alternatesStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := s.encodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) && s.lazy != nil {
		if err := s.lazy.fetch(h); err != nil {
			return nil, err
		}
		return s.encodedObject(t, h)
	}
	return o, err
}

func (s *alternatesStorer) encodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := s.Storage.EncodedObject(t, h)
	for _, alt := range s.alts {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			break
		}
		o, err = alt.EncodedObject(t, h)
	}
	return o, err
}

func (s *alternatesStorer) HasEncodedObject(h plumbing.Hash) error {
	err := s.Storage.HasEncodedObject(h)
	for _, alt := range s.alts {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			break
		}
		err = alt.HasEncodedObject(h)
	}
	return err
}

// HashesWithPrefix returns the objects of the repository and its alternate
// stores whose hash starts with prefix.
func (s *alternatesStorer) HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error) {
	hs, err := s.Storage.HashesWithPrefix(prefix)
	if err != nil {
		return nil, err
	}
	for _, alt := range s.alts {
		more, err := alt.HashesWithPrefix(prefix)
		if err != nil {
			return nil, err
		}
		hs = append(hs, more...)
	}
	return hs, nil
}

func (s *alternatesStorer) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	n, err := s.encodedObjectSize(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) && s.lazy != nil {
		if err := s.lazy.fetch(h); err != nil {
			return 0, err
		}
		return s.encodedObjectSize(h)
	}
	return n, err
}

func (s *alternatesStorer) encodedObjectSize(h plumbing.Hash) (int64, error) {
	n, err := s.Storage.EncodedObjectSize(h)
	for _, alt := range s.alts {
		if !errors.Is(err, plumbing.ErrObjectNotFound) {
			break
		}
		n, err = alt.EncodedObjectSize(h)
	}
	return n, err
}

// Shallow reports whether the clone is shallow.
func (r *Repo) Shallow() bool { return len(r.shallow) > 0 }

// Commit is a resolved revision.
type Commit struct {
	Hash   string
	commit *object.Commit
}

// Resolve resolves a revision (branch, tag, SHA, HEAD~N, ...) to a commit
// exactly as git rev-parse does, or refuses it with what to pass instead;
// it never resolves to another commit. A revision naming a tree or a blob
// is refused. See revision.go for the syntax.
func (r *Repo) Resolve(rev string) (*Commit, error) {
	h, err := r.revision(rev)
	if err != nil {
		return nil, err
	}
	c, err := r.peelCommit(rev, h)
	if err != nil {
		return nil, err
	}
	return &Commit{Hash: c.Hash.String(), commit: c}, nil
}

// FS returns the files of the commit's tree.
func (r *Repo) FS(c *Commit) (fs.FS, error) {
	t, err := r.trees.tree(r.repo, c.commit.TreeHash)
	if err != nil {
		return nil, fmt.Errorf("reading the tree of %s: %w", c.Hash[:7], err)
	}
	return &treeFS{repo: r.repo, tree: t, stream: r.stream, trees: &r.trees}, nil
}

// Tag is a release tag of a model.
type Tag struct {
	Name    string // e.g. lite-llm-base-v2.1.3
	Version *semver.Version
	hash    plumbing.Hash // the tag ref's target (a tag object or a commit)
	commit  *object.Commit
}

// Commit returns the commit hash the tag points to.
func (t *Tag) Commit() string {
	if t.commit == nil {
		return ""
	}
	return t.commit.Hash.String()
}

// ModelTags returns the tags <name>-v<semver> of a model, highest version
// first. Tags are peeled to their commits lazily. Only the tags whose names
// start with <name>-v are parsed: the list is sorted by name, so they are
// found by binary search among every tag of the repository.
func (r *Repo) ModelTags(name string) ([]*Tag, error) {
	refs, err := r.tagRefs()
	if err != nil {
		return nil, err
	}
	var tags []*Tag
	plain := validModelName(name)
	for _, ref := range tagsWithPrefix(refs, name+"-v") {
		v, ok := modelVersion(ref.name, name, plain)
		if !ok {
			continue
		}
		h, err := ref.hash()
		if err != nil {
			return nil, err
		}
		tags = append(tags, &Tag{Name: ref.name, Version: v, hash: h})
	}
	sort.Slice(tags, func(i, j int) bool {
		if c := tags[i].Version.Compare(tags[j].Version); c != 0 {
			return c > 0
		}
		return tags[i].Name < tags[j].Name
	})
	return tags, nil
}

// modelVersion returns the version of the tag <name>-v<semver> of the model
// name, as check.ParseIdentifier reads it: false when the tag is not an
// identifier of that model. When the name is valid (plain) and the rest of
// the tag holds no "-v", the version starts right after the name, as
// ParseIdentifier would find it, and it is parsed alone, without the name's
// regular expression each time.
func modelVersion(tag, name string, plain bool) (*semver.Version, bool) {
	rest := tag[len(name)+2:]
	if plain && len(tag) <= check.MaxIdentifier && !strings.Contains(rest, "-v") {
		v, err := check.ParseVersion(rest)
		return v, err == nil
	}
	id, err := check.ParseIdentifier(tag)
	if err != nil || id.Name != name {
		return nil, false
	}
	return id.Version, true
}

// validModelName reports whether name is a model name check.ParseIdentifier
// accepts.
func validModelName(name string) bool {
	id, err := check.ParseIdentifier(name + "-v0.0.0")
	return err == nil && id.Name == name
}

// AllIdentifiers returns the model names that have release tags, with the
// highest tag of each.
func (r *Repo) AllIdentifiers() (map[string]*Tag, error) {
	refs, err := r.tagRefs()
	if err != nil {
		return nil, err
	}
	out := map[string]*Tag{}
	for _, ref := range refs {
		if !strings.Contains(ref.name, "-v") {
			continue // not an identifier: spares the parser most other tags
		}
		id, err := check.ParseIdentifier(ref.name)
		if err != nil || id.Version.Prerelease() != "" {
			continue
		}
		if t, ok := out[id.Name]; !ok || id.Version.GreaterThan(t.Version) {
			h, err := ref.hash()
			if err != nil {
				return nil, err
			}
			out[id.Name] = &Tag{Name: ref.name, Version: id.Version, hash: h}
		}
	}
	return out, nil
}

// Peel resolves the tag to its commit.
func (r *Repo) Peel(t *Tag) (*Commit, error) {
	if t.commit == nil {
		h := t.hash
		for range 10 {
			obj, err := r.repo.Storer.EncodedObject(plumbing.AnyObject, h)
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				if r.Shallow() {
					return nil, fmt.Errorf("tag %s: its commit is not in this shallow clone: %w", t.Name, ErrShallow)
				}
				return nil, fmt.Errorf("tag %s: object %s not found", t.Name, h.String()[:7])
			}
			if err != nil {
				return nil, fmt.Errorf("tag %s: %w", t.Name, err)
			}
			if obj.Type() == plumbing.TagObject {
				to, err := object.DecodeTag(r.repo.Storer, obj)
				if err != nil {
					return nil, fmt.Errorf("tag %s: %w", t.Name, err)
				}
				h = to.Target
				continue
			}
			if obj.Type() != plumbing.CommitObject {
				return nil, fmt.Errorf("tag %s points to a %s: %w", t.Name, obj.Type(), errNotCommit)
			}
			c, err := object.DecodeCommit(r.repo.Storer, obj)
			if err != nil {
				return nil, fmt.Errorf("tag %s: %w", t.Name, err)
			}
			t.commit = c
			break
		}
		if t.commit == nil {
			return nil, fmt.Errorf("tag %s: too many nested tag objects", t.Name)
		}
	}
	return &Commit{Hash: t.commit.Hash.String(), commit: t.commit}, nil
}

// TagCommit returns the commit the tag points to, or "" if there is no such tag.
func (r *Repo) TagCommit(name string) (string, error) {
	h, ok, err := r.tagHash(name)
	if err != nil || !ok {
		return "", err
	}
	c, err := r.Peel(&Tag{Name: name, hash: h})
	if err != nil {
		return "", err
	}
	return c.Hash, nil
}

// Baseline returns the highest stable tag among tags that is reachable from
// head and does not point at head itself, or nil. It walks history newest
// first and stops at the first candidate it reaches, so a recent baseline
// costs a short walk; only a higher tag that is not an ancestor costs a walk
// of the whole history, once. Commit dates order the walk but never decide
// reachability, so rebased or clock-skewed history is judged exactly.
// Tags that point at something other than a commit are skipped.
func (r *Repo) Baseline(tags []*Tag, head *Commit) (*Tag, error) {
	w, err := r.walkerFor(head.commit.Hash)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		if t.Version.Prerelease() != "" {
			continue
		}
		c, err := r.Peel(t)
		if errors.Is(err, errNotCommit) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.Hash == head.Hash {
			continue
		}
		ok, err := w.reaches(c.commit.Hash)
		if err != nil {
			return nil, fmt.Errorf("checking whether %s is an ancestor of %s: %w", t.Name, head.Hash[:7], err)
		}
		if ok {
			return t, nil
		}
	}
	return nil, nil
}

// ChangedFiles lists the paths that differ between two commits, sorted. It
// reads only the subtrees whose hashes differ, so the cost follows the size
// of the change, not of the repository.
func (r *Repo) ChangedFiles(ctx context.Context, base, head *Commit) ([]string, error) {
	return r.ChangedFilesIn(ctx, base, head, ".")
}

// treeFS is a read-only fs.FS over a git tree. Symbolic links are followed
// as the operating system follows them when their real location stays
// inside the repository, and refused otherwise.
type treeFS struct {
	repo   *git.Repository
	tree   *object.Tree
	stream func(plumbing.Hash) (io.ReadCloser, bool)
	trees  *treeCache // the folders decoded, shared by the repository's FSs
}

// streamAbove is the size above which a blob is streamed from the object
// store rather than inflated into memory whole (and cached) first: a
// .safetensors file of gigabytes is only ever read in part, and a 10 MiB
// tensor index is read once, straight into the buffer it is parsed from.
var streamAbove int64 = 1 << 20

// stream opens a blob for reading without inflating it whole first: a loose
// object, or a packed one stored whole. go-git's streaming of objects
// stored as deltas in a pack is unreliable, so those (and objects in
// alternate stores) are not streamed: ok is false and the caller reads the
// blob the ordinary way.
func (r *Repo) stream(h plumbing.Hash) (io.ReadCloser, bool) {
	if r.large == nil {
		return nil, false
	}
	obj, err := r.large.DeltaObject(plumbing.AnyObject, h)
	if err != nil || obj.Type() != plumbing.BlobObject {
		return nil, false
	}
	if _, delta := obj.(plumbing.DeltaObject); delta {
		return nil, false
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, false
	}
	return rd, true
}

// maxLinkTarget bounds the target of a symbolic link, as PATH_MAX does.
const maxLinkTarget = 4096

func (t *treeFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &dirFile{name: "."}, nil
	}
	e, err := t.resolve(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if e.Mode == filemode.Dir {
		return &dirFile{name: e.Name}, nil
	}
	size, err := t.repo.Storer.EncodedObjectSize(e.Hash)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &blobFile{name: e.Name, size: size, open: func() (io.ReadCloser, error) {
		// Stream large files: a .safetensors header is read without the
		// rest, an index without an extra copy.
		if size > streamAbove && t.stream != nil {
			if rd, ok := t.stream(e.Hash); ok {
				return rd, nil
			}
		}
		b, err := t.repo.BlobObject(e.Hash)
		if err != nil {
			return nil, err
		}
		return b.Reader()
	}}, nil
}

// ReadFile reads a whole file, refusing files over check.MaxFileSize before
// reading any of them.
func (t *treeFS) ReadFile(name string) ([]byte, error) {
	f, err := t.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a folder")}
	}
	if st.Size() > check.MaxFileSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("file is %d bytes, more than the %d modelgate reads", st.Size(), check.MaxFileSize)}
	}
	var b bytes.Buffer
	b.Grow(int(st.Size()) + bytes.MinRead)
	if _, err := b.ReadFrom(f); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b.Bytes(), nil
}

// resolve finds the entry at name as the operating system would find the
// file in a checkout of the tree: one component at a time, following
// symbolic links at every step (also in the middle of a path), with ".."
// in a link's target going to the parent of the real folder reached, never
// folded lexically (see package pathwalk). A link whose real location is
// outside the repository is refused. A file in the middle of a path means
// the path does not exist.
func (t *treeFS) resolve(name string) (object.TreeEntry, error) {
	res, err := pathwalk.Resolve(treeNode{tree: t.tree}, name, t.lookup)
	switch {
	case errors.Is(err, pathwalk.ErrNotDir):
		return object.TreeEntry{}, fs.ErrNotExist
	case err != nil:
		return object.TreeEntry{}, err
	case !res.Exists():
		return object.TreeEntry{}, fs.ErrNotExist
	case res.Entry.Kind == pathwalk.Dir:
		return object.TreeEntry{Name: path.Base(res.Path), Mode: filemode.Dir}, nil
	}
	return res.Entry.Node.entry, nil
}

// treeNode is a folder of a git tree (tree set) or a file (entry set).
type treeNode struct {
	tree  *object.Tree
	entry object.TreeEntry
}

// lookup finds one entry of a folder of the tree.
func (t *treeFS) lookup(dir treeNode, name string) (pathwalk.Entry[treeNode], error) {
	e, err := t.trees.findEntry(dir.tree, name)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return pathwalk.Entry[treeNode]{Kind: pathwalk.Missing}, nil
	}
	if err != nil {
		return pathwalk.Entry[treeNode]{}, err
	}
	switch e.Mode {
	case filemode.Symlink:
		target, err := t.blob(e.Hash, maxLinkTarget)
		if err != nil {
			return pathwalk.Entry[treeNode]{}, err
		}
		if len(target) > maxLinkTarget {
			return pathwalk.Entry[treeNode]{}, fmt.Errorf("symbolic link %q: a target of more than %d bytes", name, maxLinkTarget)
		}
		return pathwalk.Entry[treeNode]{Kind: pathwalk.Link, Target: string(target)}, nil
	case filemode.Dir:
		tree, err := t.trees.tree(t.repo, e.Hash)
		if err != nil {
			return pathwalk.Entry[treeNode]{}, err
		}
		return pathwalk.Entry[treeNode]{Kind: pathwalk.Dir, Node: treeNode{tree: tree, entry: *e}}, nil
	case filemode.Submodule:
		return pathwalk.Entry[treeNode]{}, errors.New("is a submodule")
	}
	return pathwalk.Entry[treeNode]{Kind: pathwalk.File, Node: treeNode{entry: *e}}, nil
}

func (t *treeFS) blob(h plumbing.Hash, limit int64) ([]byte, error) {
	b, err := t.repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, limit+1))
}

type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (fi fileInfo) Name() string { return fi.name }
func (fi fileInfo) Size() int64  { return fi.size }
func (fi fileInfo) Mode() fs.FileMode {
	if fi.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (fi fileInfo) ModTime() time.Time { return time.Time{} }
func (fi fileInfo) IsDir() bool        { return fi.dir }
func (fi fileInfo) Sys() any           { return nil }

// blobFile is a file of a git tree, read on demand. Any prefix of a file can
// be read, up to check.MaxReadSize bytes: a .safetensors header is read from
// the start of a blob of gigabytes without reading the rest. Reading past
// that limit is an error, so a full read of a huge file fails rather than
// filling memory.
type blobFile struct {
	name string
	size int64
	open func() (io.ReadCloser, error)
	rd   io.ReadCloser
	read int64 // bytes read so far
	pos  int64 // bytes read or skipped so far
	// streaming is set by the first Seek: a reader that skips through the
	// blob (an ONNX reader past the weights) holds only what it decodes,
	// so the read limit, which stops whole-file reads, no longer applies.
	streaming bool
}

func (f *blobFile) Stat() (fs.FileInfo, error) { return fileInfo{name: f.name, size: f.size}, nil }

func (f *blobFile) Close() error {
	if f.rd != nil {
		return f.rd.Close()
	}
	return nil
}

func (f *blobFile) Read(p []byte) (int, error) {
	if f.read >= check.MaxReadSize && f.size > check.MaxReadSize && !f.streaming {
		return 0, fmt.Errorf("file is %d bytes, more than the %d modelgate reads", f.size, check.MaxReadSize)
	}
	if f.rd == nil {
		rd, err := f.open()
		if err != nil {
			return 0, err
		}
		f.rd = rd
	}
	if rest := check.MaxReadSize - f.read; int64(len(p)) > rest && f.size > check.MaxReadSize && !f.streaming {
		p = p[:rest]
	}
	n, err := f.rd.Read(p)
	f.read += int64(n)
	f.pos += int64(n)
	return n, err
}

// Seek moves forward through the blob (io.SeekCurrent, or io.SeekStart to
// a later offset) by streaming past the bytes in bounded memory. A reader
// that seeks streams the file (an ONNX reader skipping the weights to reach
// the graph inputs after them): from then on the read limit is lifted.
func (f *blobFile) Seek(offset int64, whence int) (int64, error) {
	f.streaming = true
	switch whence {
	case io.SeekStart:
		offset -= f.pos
	case io.SeekCurrent:
	default:
		return f.pos, errors.New("seek: a git blob only moves forward")
	}
	if offset < 0 {
		return f.pos, errors.New("seek: a git blob only moves forward")
	}
	if f.rd == nil {
		rd, err := f.open()
		if err != nil {
			return f.pos, err
		}
		f.rd = rd
	}
	n, err := io.CopyN(io.Discard, f.rd, offset)
	f.pos += n
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return f.pos, err
}

type dirFile struct{ name string }

func (d *dirFile) Stat() (fs.FileInfo, error) { return fileInfo{name: d.name, dir: true}, nil }
func (d *dirFile) Close() error               { return nil }
func (d *dirFile) Read([]byte) (int, error)   { return 0, errors.New("is a folder") }

// FetchTags fetches the release tags of a model, <name>-v*, from a remote at
// depth 1: just enough to read each release's tree in a shallow checkout.
// The token, if any, authenticates only to the server it is for
// (Credentials) and never appears in errors.
func (r *Repo) FetchTags(ctx context.Context, remote, name string, cred Credentials) error {
	token := cred.Token
	spec := config.RefSpec("+refs/tags/" + name + "-v*:refs/tags/" + name + "-v*")
	opts := &git.FetchOptions{RemoteName: remote, RefSpecs: []config.RefSpec{spec}, Depth: 1, Tags: git.NoTags,
		Auth: cred.authFor(r.RemoteURL(remote))}
	err := r.repo.FetchContext(ctx, opts)
	r.tags = nil // list the tags again
	if err == nil || errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	msg := err.Error()
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "***")
	}
	return &FetchError{msg: fmt.Sprintf("fetching the release tags of %s from %s: %s", name, remote, msg)}
}

// FetchError reports that fetching from a remote failed, as opposed to an
// error in what was already there.
type FetchError struct{ msg string }

func (e *FetchError) Error() string { return e.msg }

// RemoteURL returns the first URL of a remote, or "" if there is none.
func (r *Repo) RemoteURL(name string) string {
	rem, err := r.repo.Remote(name)
	if err != nil || len(rem.Config().URLs) == 0 {
		return ""
	}
	return rem.Config().URLs[0]
}
