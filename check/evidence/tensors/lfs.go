package tensors

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/modelgate/modelgate/check/evidence/lfs"
	"github.com/modelgate/modelgate/internal/fsutil"
)

// maxLFSPointer bounds the size of a Git LFS pointer file.
const maxLFSPointer = lfs.MaxPointer

// parseLFSPointer recognises a Git LFS pointer file. ok is false for any
// other content; err reports a pointer that is malformed.
func parseLFSPointer(data []byte) (p lfs.Pointer, ok bool, err error) { return lfs.Parse(data) }

// loadLFS reads the tensor signatures of the object behind a Git LFS
// pointer from the local LFS store, or reports them unavailable.
func loadLFS(p string, ptr lfs.Pointer, opts Options) (*Set, error) {
	name := fmt.Sprintf("%s (Git LFS object %s…)", p, ptr.Short())
	f, err := ptr.Open(opts.LFS)
	if errors.Is(err, fs.ErrNotExist) {
		return &Set{File: p, LFS: true, OID: ptr.OID, Unavailable: ptr.Unavailable(p)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	defer f.Close()
	var ts *Set
	if fm := streamFormat(p, opts); fm != nil {
		ts, err = fm.Stream(name, p, f, ptr.Size, opts)
	} else {
		if ptr.Size > opts.MaxFileSize {
			return nil, fmt.Errorf("%s: object is %d bytes, more than the %d modelgate reads", name, ptr.Size, opts.MaxFileSize)
		}
		var data []byte
		if data, err = readAll(f, ptr.Size); err != nil {
			return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
		}
		ts, err = parse(p, data, opts)
	}
	if err != nil {
		return nil, err
	}
	ts.LFS, ts.OID = true, ptr.OID
	return ts, nil
}
