package evidence

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/modelgate/modelgate/check/evidence/lfs"
	"github.com/modelgate/modelgate/internal/fsutil"
)

// File is a repository file read by ReadFile.
type File struct {
	// Text is the content. It is a string so that a reader can keep
	// slices of a large file without copying it.
	Text string
	// LFS is set when Data is the object behind a Git LFS pointer.
	LFS bool
	// Unavailable says why the content could not be read: the file is a
	// Git LFS pointer whose object is not in the local store. Text is then
	// empty.
	Unavailable string
}

// ErrTooLarge reports a file over the limit ReadFile was given.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads the repository file p from fsys, following a Git LFS
// pointer into store (the local .git/lfs/objects; nil means none). A file
// or object over limit bytes is refused with ErrTooLarge. A missing file
// is fs.ErrNotExist; other errors name the file.
func ReadFile(fsys fs.FS, p string, store fs.FS, limit int64) (*File, error) {
	f, err := fsys.Open(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fs.ErrNotExist
		}
		return nil, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, fsutil.UnwrapPath(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a folder, not a file", p)
	}
	// A pointer is read whatever the limit: the limit is the content's.
	text, err := readLimited(f, st.Size(), max(limit, lfs.MaxPointer))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var ptr lfs.Pointer
	var ok bool
	if len(text) <= lfs.MaxPointer {
		if ptr, ok, err = lfs.Parse([]byte(text)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if !ok {
		if int64(len(text)) > limit {
			return nil, fmt.Errorf("%s: %w: %d bytes, more than the %d modelgate reads", p, ErrTooLarge, len(text), limit)
		}
		return &File{Text: text}, nil
	}
	obj, err := ptr.Open(store)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{LFS: true, Unavailable: ptr.Unavailable(p)}, nil
	}
	name := fmt.Sprintf("%s (Git LFS object %s…)", p, ptr.Short())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	defer obj.Close()
	if text, err = readLimited(obj, ptr.Size, limit); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &File{Text: text, LFS: true}, nil
}

// readLimited reads a file of the given size (which may be wrong) into a
// string, in one allocation when the size is right, refusing more than
// limit bytes.
func readLimited(r io.Reader, size, limit int64) (string, error) {
	if size > limit {
		return "", fmt.Errorf("%w: %d bytes, more than the %d modelgate reads", ErrTooLarge, size, limit)
	}
	var b strings.Builder
	b.Grow(int(max(size, 0)))
	n, err := io.Copy(&b, io.LimitReader(r, limit+1))
	if err != nil {
		return "", fsutil.UnwrapPath(err)
	}
	if n > limit {
		return "", fmt.Errorf("%w: more than the %d bytes modelgate reads", ErrTooLarge, limit)
	}
	return b.String(), nil
}
