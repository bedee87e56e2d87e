// Package lfs recognises Git LFS pointer files and opens the objects they
// point to in the local LFS store (.git/lfs/objects), for every evidence
// reader: tensor signatures, GGUF headers, ONNX models.
package lfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// MaxPointer bounds the size of a pointer file (the spec says pointers are
// under 1024 bytes).
const MaxPointer = 1024

// version starts every Git LFS pointer file.
const version = "version https://git-lfs.github.com/spec/v1"

var oidRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// Pointer is a parsed Git LFS pointer file.
type Pointer struct {
	OID  string // sha256, 64 hex digits
	Size int64
}

// Short is the start of the object ID, for messages.
func (p Pointer) Short() string { return p.OID[:12] }

// Parse recognises a pointer file. ok is false for any other content; err
// reports a pointer that is malformed.
func Parse(data []byte) (p Pointer, ok bool, err error) {
	if !bytes.HasPrefix(data, []byte(version)) {
		return p, false, nil
	}
	p.Size = -1
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		k, v, _ := strings.Cut(strings.TrimSuffix(line, "\r"), " ")
		switch k {
		case "oid":
			hex, found := strings.CutPrefix(v, "sha256:")
			if !found || !oidRE().MatchString(hex) {
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

// Object is the path of the pointer's object in the store:
// <oid[0:2]>/<oid[2:4]>/<oid>.
func (p Pointer) Object() string { return path.Join(p.OID[0:2], p.OID[2:4], p.OID) }

// Unavailable says why the object of the pointer at file cannot be read.
func (p Pointer) Unavailable(file string) string {
	return fmt.Sprintf("%s is a Git LFS pointer and its object sha256:%s… is not in the local LFS store (.git/lfs/objects)", file, p.Short())
}

// Open opens the pointer's object in store. fs.ErrNotExist (also for a nil
// store) means it is not there; an object whose size is not the pointer's
// is refused as an incomplete download.
func (p Pointer) Open(store fs.FS) (fs.File, error) {
	if store == nil {
		return nil, fs.ErrNotExist
	}
	f, err := store.Open(p.Object())
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.Size() != p.Size {
		f.Close()
		return nil, fmt.Errorf("the object is %d bytes but the pointer says %d: an incomplete download; run git lfs fetch again", st.Size(), p.Size)
	}
	return f, nil
}
