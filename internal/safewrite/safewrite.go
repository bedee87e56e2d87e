// Package safewrite writes files inside a working tree and nowhere else.
//
// A path is resolved on disk the way the operating system resolves it (see
// package pathwalk): a symbolic link, or a chain of them, whose real
// location is outside the working tree or inside a .git folder is refused
// before anything is written. The write itself goes through an os.Root
// opened on the working tree, so a link changed between the check and the
// write cannot take it outside either, and replaces the file atomically: a
// temporary file in the same folder, renamed over the old one.
package safewrite

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/modelgate/modelgate/internal/pathwalk"
)

// Tree is a working tree open for writing.
type Tree struct {
	dir  string
	root *os.Root
}

// Open opens the working tree at dir.
func Open(dir string) (*Tree, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening the working tree %s: %w", dir, err)
	}
	return &Tree{dir: dir, root: root}, nil
}

// Close closes the tree.
func (t *Tree) Close() error { return t.root.Close() }

// ErrOutside reports a path whose real location is not in the working tree.
var ErrOutside = errors.New("outside the working tree")

// Target is a resolved path of the working tree.
type Target struct {
	Name   string // the path asked for, slash-separated, from the tree's root
	Real   string // its real location: no links, no "..", from the tree's root
	Exists bool   // a file exists there
	mode   fs.FileMode
}

// Resolve finds where name really is. It fails when that is outside the
// working tree or inside a .git folder, when a file stands where a folder
// must be, and when name is a folder. The error names the link to blame and
// says what to do.
func (t *Tree) Resolve(name string) (*Target, error) {
	if path.IsAbs(filepath.ToSlash(name)) || filepath.IsAbs(name) {
		return nil, fmt.Errorf("the path is absolute, %w; modelgate writes only inside the repository", ErrOutside)
	}
	res, err := pathwalk.Resolve(".", filepath.ToSlash(name), t.lookup)
	var le *pathwalk.LinkError
	switch {
	case errors.As(err, &le):
		return nil, fmt.Errorf("the symbolic link %q points to %q, %w; modelgate writes only inside the repository: replace the link with a folder or a file",
			le.Link, le.Target, ErrOutside)
	case errors.Is(err, pathwalk.ErrEscapes):
		return nil, fmt.Errorf("the path %w; modelgate writes only inside the repository", ErrOutside)
	case errors.Is(err, pathwalk.ErrNotDir):
		return nil, fmt.Errorf("%w: a file stands where the path needs a folder; move it", err)
	case errors.Is(err, pathwalk.ErrLoop):
		return nil, fmt.Errorf("%w; fix the symbolic links", err)
	case err != nil:
		return nil, err
	}
	for _, c := range strings.Split(res.Path, "/") {
		if strings.EqualFold(c, ".git") {
			return nil, fmt.Errorf("its real location %q is inside a .git folder; modelgate writes only files of the working tree: fix the symbolic links", res.Path)
		}
	}
	tg := &Target{Name: name, Real: res.Path, Exists: res.Exists()}
	switch {
	case res.Entry.Kind == pathwalk.Dir:
		return nil, fmt.Errorf("%q is a folder; modelgate writes a file there: move the folder", res.Path)
	case tg.Exists:
		fi, err := t.root.Lstat(res.Path)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%q is not a regular file; modelgate writes a file there: move it", res.Path)
		}
		tg.mode = fi.Mode().Perm()
	}
	return tg, nil
}

// lookup finds one entry of a folder on disk; folders are named by their
// real path from the root.
func (t *Tree) lookup(dir, name string) (pathwalk.Entry[string], error) {
	p := path.Join(dir, name)
	fi, err := t.root.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return pathwalk.Entry[string]{Kind: pathwalk.Missing, Node: p}, nil
	}
	if err != nil {
		return pathwalk.Entry[string]{}, err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		target, err := t.root.Readlink(p)
		if err != nil {
			return pathwalk.Entry[string]{}, err
		}
		target = filepath.ToSlash(target)
		if filepath.IsAbs(filepath.FromSlash(target)) && !strings.HasPrefix(target, "/") {
			target = "/" + target // a volume name: absolute links leave the root
		}
		return pathwalk.Entry[string]{Kind: pathwalk.Link, Node: p, Target: target}, nil
	case fi.IsDir():
		return pathwalk.Entry[string]{Kind: pathwalk.Dir, Node: p}, nil
	}
	return pathwalk.Entry[string]{Kind: pathwalk.File, Node: p}, nil
}

// ReadFile reads the file at its real location; it fails with
// fs.ErrNotExist when there is none, and like Resolve when the path leads
// outside the working tree.
func (t *Tree) ReadFile(name string, limit int64) ([]byte, error) {
	tg, err := t.Resolve(name)
	if err != nil {
		return nil, err
	}
	if !tg.Exists {
		return nil, fs.ErrNotExist
	}
	f, err := t.root.Open(tg.Real)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("more than %d bytes", limit)
	}
	return data, nil
}

// WriteFile replaces the file at the target's real location with data: it
// creates the missing folders, writes a temporary file next to it and
// renames it over the old one, so a failure leaves the old file whole. A
// new file is made readable by all (0644, less the umask); a replaced one
// keeps its permissions.
func (t *Tree) WriteFile(tg *Target, data []byte) error {
	dir := path.Dir(tg.Real)
	if err := t.root.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if tg.Exists {
		mode = tg.mode
	}
	var tmp string
	var f *os.File
	for range 10 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		tmp = path.Join(dir, ".modelgate-"+hex.EncodeToString(b[:])+".tmp")
		var err error
		f, err = t.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	if f == nil {
		return fmt.Errorf("cannot create a temporary file in %q", dir)
	}
	if err := fill(f, data, tg.Exists, mode); err != nil {
		_ = t.root.Remove(tmp)
		return err
	}
	if err := t.root.Rename(tmp, tg.Real); err != nil {
		_ = t.root.Remove(tmp)
		return err
	}
	return nil
}

// fill writes data to the new file f, gives it mode when it replaces a file
// (OpenFile applied the umask), flushes it to disk and closes it.
func fill(f *os.File, data []byte, replaces bool, mode fs.FileMode) error {
	_, err := f.Write(data)
	if err == nil && replaces {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
