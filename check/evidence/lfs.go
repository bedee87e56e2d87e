package evidence

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/modelgate/modelgate/internal/fsutil"
)

// MaxLFSPointer bounds the size of a Git LFS pointer file (the
// specification keeps pointers under 1024 bytes).
const MaxLFSPointer = 1024

// lfsVersion starts every Git LFS pointer file.
const lfsVersion = "version https://git-lfs.github.com/spec/v1"

var lfsOIDRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// LFSPointer is a parsed Git LFS pointer file: the object's sha256 and size.
type LFSPointer struct {
	OID  string // 64 lower-case hex digits
	Size int64
}

// Object returns where the pointer's object is in a local LFS store
// (.git/lfs/objects): <oid[0:2]>/<oid[2:4]>/<oid>.
func (p LFSPointer) Object() string { return path.Join(p.OID[0:2], p.OID[2:4], p.OID) }

// ParseLFSPointer recognises a Git LFS pointer file. ok is false for any
// other content; err reports a pointer that is malformed.
func ParseLFSPointer(data []byte) (p LFSPointer, ok bool, err error) {
	if !bytes.HasPrefix(data, []byte(lfsVersion)) {
		return p, false, nil
	}
	p.Size = -1
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\r"), " ")
		switch k {
		case "oid":
			hex, found := strings.CutPrefix(v, "sha256:")
			if !found || !lfsOIDRE.MatchString(hex) {
				return p, true, fmt.Errorf("invalid Git LFS pointer: oid %q; want sha256:<64 hex digits>", v)
			}
			p.OID = hex
		case "size":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return p, true, fmt.Errorf("invalid Git LFS pointer: size %q", v)
			}
			p.Size = n
		}
	}
	if p.OID == "" || p.Size < 0 {
		return p, true, errors.New("invalid Git LFS pointer: no oid or size line")
	}
	return p, true, nil
}

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
	text, err := readLimited(f, st.Size(), max(limit, MaxLFSPointer))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var ptr LFSPointer
	var ok bool
	if len(text) <= MaxLFSPointer {
		if ptr, ok, err = ParseLFSPointer([]byte(text)); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	if !ok {
		if int64(len(text)) > limit {
			return nil, fmt.Errorf("%s: %w: %d bytes, more than the %d modelgate reads", p, ErrTooLarge, len(text), limit)
		}
		return &File{Text: text}, nil
	}
	short := ptr.OID[:12]
	unavailable := &File{LFS: true,
		Unavailable: fmt.Sprintf("%s is a Git LFS pointer and its object sha256:%s… is not in the local LFS store (.git/lfs/objects)", p, short)}
	if store == nil {
		return unavailable, nil
	}
	obj, err := store.Open(ptr.Object())
	if errors.Is(err, fs.ErrNotExist) {
		return unavailable, nil
	}
	name := fmt.Sprintf("%s (Git LFS object %s…)", p, short)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	defer obj.Close()
	ost, err := obj.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, fsutil.UnwrapPath(err))
	}
	if ost.Size() != ptr.Size {
		return nil, fmt.Errorf("%s: the object is %d bytes but the pointer says %d: an incomplete download; run git lfs fetch again", name, ost.Size(), ptr.Size)
	}
	if text, err = readLimited(obj, ost.Size(), limit); err != nil {
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
