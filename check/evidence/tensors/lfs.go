package tensors

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/modelgate/modelgate/check/evidence"
	"github.com/modelgate/modelgate/internal/fsutil"
)

// maxLFSPointer bounds the size of a Git LFS pointer file.
const maxLFSPointer = evidence.MaxLFSPointer

// lfsPointer is a parsed Git LFS pointer file.
type lfsPointer struct {
	oid  string
	size int64
}

// parseLFSPointer recognises a Git LFS pointer file. ok is false for any
// other content; err reports a pointer that is malformed.
func parseLFSPointer(data []byte) (lfsPointer, bool, error) {
	p, ok, err := evidence.ParseLFSPointer(data)
	return lfsPointer{oid: p.OID, size: p.Size}, ok, err
}

// loadLFS reads the tensor signatures of the object behind a Git LFS
// pointer from the local LFS store, or reports them unavailable.
func loadLFS(p string, ptr lfsPointer, opts Options) (*Set, error) {
	short := ptr.oid[:12]
	unavailable := &Set{File: p, LFS: true, OID: ptr.oid,
		Unavailable: fmt.Sprintf("%s is a Git LFS pointer and its object sha256:%s… is not in the local LFS store (.git/lfs/objects)", p, short)}
	if opts.LFS == nil {
		return unavailable, nil
	}
	obj := path.Join(ptr.oid[0:2], ptr.oid[2:4], ptr.oid)
	f, err := opts.LFS.Open(obj)
	if errors.Is(err, fs.ErrNotExist) {
		return unavailable, nil
	}
	name := fmt.Sprintf("%s (Git LFS object %s…)", p, short)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	if st.Size() != ptr.size {
		return nil, fmt.Errorf("%s: the object is %d bytes but the pointer says %d: an incomplete download; run git lfs fetch again", name, st.Size(), ptr.size)
	}
	var ts *Set
	if fm := streamFormat(p, opts); fm != nil {
		ts, err = fm.Stream(name, p, f, st.Size(), opts)
	} else {
		if st.Size() > opts.MaxFileSize {
			return nil, fmt.Errorf("%s: object is %d bytes, more than the %d modelgate reads", name, st.Size(), opts.MaxFileSize)
		}
		var data []byte
		if data, err = readAll(f, st.Size()); err != nil {
			return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
		}
		ts, err = parse(p, data, opts)
	}
	if err != nil {
		return nil, err
	}
	ts.LFS, ts.OID = true, ptr.oid
	return ts, nil
}
