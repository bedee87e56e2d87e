package gitrepo

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/modelgate/modelgate/internal/gitrepo/odb"
)

// objectStorer is the part of go-git's storage that reads objects.
type objectStorer interface {
	EncodedObject(plumbing.ObjectType, plumbing.Hash) (plumbing.EncodedObject, error)
	HasEncodedObject(plumbing.Hash) error
	EncodedObjectSize(plumbing.Hash) (int64, error)
}

// fastStorer is go-git's filesystem storage with object reads served by
// the memory-mapped reader (package odb). Whatever that reader does not
// find or does not understand is asked of go-git's own storage (slow), so
// the answer is never worse than go-git's; references, configuration,
// the index and writes are go-git's throughout.
type fastStorer struct {
	*filesystem.Storage
	slow objectStorer
	db   *odb.DB
}

// EncodedObject reads an object through the fast reader, or go-git's.
func (s *fastStorer) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := s.db.Read(odb.Hash(h))
	if err != nil {
		return s.slow.EncodedObject(t, h)
	}
	if t != plumbing.AnyObject && plumbing.ObjectType(o.Type) != t {
		return nil, plumbing.ErrObjectNotFound
	}
	return &encodedObject{h: h, o: o}, nil
}

// HasEncodedObject looks the object up in the fast reader, then go-git's.
func (s *fastStorer) HasEncodedObject(h plumbing.Hash) error {
	if ok, err := s.db.Has(odb.Hash(h)); ok && err == nil {
		return nil
	}
	return s.slow.HasEncodedObject(h)
}

// EncodedObjectSize reads an object's size without its content.
func (s *fastStorer) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if _, size, err := s.db.Header(odb.Hash(h)); err == nil {
		return size, nil
	}
	return s.slow.EncodedObjectSize(h)
}

// rawObject returns the content of an object of type t, read-only.
func (s *fastStorer) rawObject(t plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	if o, err := s.db.Read(odb.Hash(h)); err == nil && o.Data != nil {
		if plumbing.ObjectType(o.Type) != t {
			return nil, plumbing.ErrObjectNotFound
		}
		return o.Data, nil
	}
	return readObject(s.slow, t, h)
}

// readObject reads an object whole from go-git's storage.
func readObject(st objectStorer, t plumbing.ObjectType, h plumbing.Hash) ([]byte, error) {
	o, err := st.EncodedObject(t, h)
	if err != nil {
		return nil, err
	}
	if o, ok := o.(*encodedObject); ok && o.o.Data != nil {
		return o.o.Data, nil
	}
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var b bytes.Buffer
	b.Grow(int(o.Size()))
	if _, err := b.ReadFrom(rd); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodedObject is an object read by odb, as go-git sees it. Its name is
// the one it was looked up by: objects are not hashed again.
type encodedObject struct {
	h plumbing.Hash
	o *odb.Object
}

func (e *encodedObject) Hash() plumbing.Hash            { return e.h }
func (e *encodedObject) Type() plumbing.ObjectType      { return plumbing.ObjectType(e.o.Type) }
func (e *encodedObject) SetType(plumbing.ObjectType)    {}
func (e *encodedObject) Size() int64                    { return e.o.Size }
func (e *encodedObject) SetSize(int64)                  {}
func (e *encodedObject) Reader() (io.ReadCloser, error) { return e.o.Open() }
func (e *encodedObject) Writer() (io.WriteCloser, error) {
	return nil, errors.New("objects read from the object store are read-only")
}

// fastObjects turns the memory-mapped object reader on; tests turn it off
// to compare with go-git's own reading.
var fastObjects = true

// fastState is the part of a Repo that serves reads faster than go-git
// alone.
type fastState struct {
	objects   string                    // the objects folder, when the repository is on disk
	graph     *odb.Graph                // the commit-graph (commitGraph)
	graphRead bool                      // graph was looked for
	walks     map[plumbing.Hash]*walker // one history walk per head
	tags      []tagRef                  // the tags by name, listed once (tagRefs)
}

// withFastObjects puts the memory-mapped object reader beneath go-git's
// storage of a repository on disk.
func (r *Repo) withFastObjects() error {
	if !fastObjects {
		return nil
	}
	var (
		st   *filesystem.Storage
		slow objectStorer
	)
	switch s := r.repo.Storer.(type) {
	case *filesystem.Storage:
		st, slow = s, s
	case *alternatesStorer:
		st, slow = s.Storage, s
	default:
		return nil
	}
	if r.gitDir == "" {
		return nil
	}
	r.objects = filepath.Join(r.CommonDir(), "objects")
	var wt billy.Filesystem
	if w, err := r.repo.Worktree(); err == nil {
		wt = w.Filesystem
	}
	fast := &fastStorer{Storage: st, slow: slow, db: odb.Open(r.objects, odb.Options{StreamAbove: streamAbove})}
	repo, err := git.Open(fast, wt)
	if err != nil {
		return err
	}
	// Large blobs stream from the fast reader (objects stored whole) or
	// are inflated by it (deltas): go-git's own streaming is not needed.
	r.repo, r.large = repo, nil
	return nil
}

// HashesWithPrefix lists the objects whose names start with prefix (short
// SHA revisions), as the storage beneath, alternates included, does.
func (s *fastStorer) HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error) {
	if p, ok := s.slow.(interface {
		HashesWithPrefix([]byte) ([]plumbing.Hash, error)
	}); ok {
		return p.HashesWithPrefix(prefix)
	}
	return s.Storage.HashesWithPrefix(prefix)
}
