package pathwalk_test

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/modelgate/modelgate/internal/pathwalk"
)

// memTree is a folder tree: path -> "dir", "file" or "link:TARGET".
type memTree map[string]string

func (m memTree) lookup(dir, name string) (pathwalk.Entry[string], error) {
	p := path.Join(dir, name)
	v, ok := m[p]
	switch {
	case !ok:
		return pathwalk.Entry[string]{Kind: pathwalk.Missing, Node: p}, nil
	case v == "dir":
		return pathwalk.Entry[string]{Kind: pathwalk.Dir, Node: p}, nil
	case strings.HasPrefix(v, "link:"):
		return pathwalk.Entry[string]{Kind: pathwalk.Link, Node: p, Target: strings.TrimPrefix(v, "link:")}, nil
	}
	return pathwalk.Entry[string]{Kind: pathwalk.File, Node: p}, nil
}

// tree is the layout the tests resolve in; the root sits in a folder that
// also holds "outside", where escaping links lead.
var tree = memTree{
	"sub":             "dir",
	"sub/deeper":      "dir",
	"sub/deeper/file": "file",
	"sub/file":        "file",
	"file":            "file",
	"notes":           "dir",
	"sub/notes":       "dir",

	"b":          "link:sub/deeper",   // a folder two levels down
	"a":          "link:b/..",         // b's real parent: sub (lexically ".")
	"n":          "link:b/../notes",   // sub/notes (lexically "notes")
	"up":         "link:../outside",   // out
	"c":          "link:up/..",        // the root's parent (lexically ".")
	"chain1":     "link:chain2",       // links to links to a folder
	"chain2":     "link:chain3/.",     //
	"chain3":     "link:sub",          //
	"abs":        "link:/etc",         // absolute
	"self":       "link:self",         // a loop
	"sub/back":   "link:../..",        // above the root, from a folder
	"sub/parent": "link:..",           // the root
	"dotdot":     "link:sub/../sub/x", // a missing file in sub
	"tofile":     "link:file/",        // a file named as a folder
	"dirslash":   "link:sub/",         // a folder named as a folder
	"empty":      "link:",             // an empty target
	"x":          "link:sub/parent/b", // through two links: sub/deeper
}

func TestResolve(t *testing.T) {
	for _, tc := range []struct {
		name    string
		want    string // the real path, or the error text
		missing int
		kind    pathwalk.Kind
	}{
		{name: ".", want: ".", kind: pathwalk.Dir},
		{name: "file", want: "file", kind: pathwalk.File},
		{name: "sub/deeper/file", want: "sub/deeper/file", kind: pathwalk.File},
		{name: "nope", want: "nope", missing: 1, kind: pathwalk.Missing},
		{name: "nope/deeper/x", want: "nope/deeper/x", missing: 3, kind: pathwalk.Missing},
		{name: "b/file", want: "sub/deeper/file", kind: pathwalk.File},
		{name: "a", want: "sub", kind: pathwalk.Dir},
		{name: "a/file", want: "sub/file", kind: pathwalk.File},
		{name: "a/deeper/file", want: "sub/deeper/file", kind: pathwalk.File},
		{name: "n/v1.md", want: "sub/notes/v1.md", missing: 1, kind: pathwalk.Missing},
		{name: "chain1/file", want: "sub/file", kind: pathwalk.File},
		{name: "sub/parent/file", want: "file", kind: pathwalk.File},
		{name: "x/file", want: "sub/deeper/file", kind: pathwalk.File},
		{name: "dirslash/file", want: "sub/file", kind: pathwalk.File},
		{name: "dotdot", want: "sub/x", missing: 1, kind: pathwalk.Missing},

		{name: "up/x", want: `symbolic link "up" -> "../outside" leaves the repository`},
		{name: "c/repo/file", want: `symbolic link "up" -> "../outside" leaves the repository`},
		{name: "abs/passwd", want: `symbolic link "abs" -> "/etc" leaves the repository`},
		{name: "sub/back/x", want: `symbolic link "sub/back" -> "../.." leaves the repository`},
		{name: "empty", want: `symbolic link "empty" -> "" leaves the repository`},
		{name: "self", want: `"self": too many levels of symbolic links`},
		{name: "file/x", want: `"file": not a folder`},
		{name: "tofile", want: `"file": not a folder`},
		{name: "nope/../file", want: `"nope": file does not exist`},
		{name: "..", want: `".." leaves the repository`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := pathwalk.Resolve("", tc.name, tree.lookup)
			if err != nil {
				if err.Error() != tc.want {
					t.Errorf("error %q, want %q", err, tc.want)
				}
				return
			}
			if res.Path != tc.want || res.Missing != tc.missing || res.Entry.Kind != tc.kind {
				t.Errorf("got %s (missing %d, kind %d), want %s (missing %d, kind %d)",
					res.Path, res.Missing, res.Entry.Kind, tc.want, tc.missing, tc.kind)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	_, err := pathwalk.Resolve("", "sub/back/x", tree.lookup)
	var le *pathwalk.LinkError
	if !errors.Is(err, pathwalk.ErrEscapes) || !errors.As(err, &le) || le.Link != "sub/back" {
		t.Errorf("escape: %v", err)
	}
	if _, err := pathwalk.Resolve("", "self", tree.lookup); !errors.Is(err, pathwalk.ErrLoop) {
		t.Errorf("loop: %v", err)
	}
	if _, err := pathwalk.Resolve("", "file/x", tree.lookup); !errors.Is(err, pathwalk.ErrNotDir) {
		t.Errorf("not a folder: %v", err)
	}
	if _, err := pathwalk.Resolve("", "nope/../file", tree.lookup); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
	boom := errors.New("boom")
	if _, err := pathwalk.Resolve("", "a/b", func(string, string) (pathwalk.Entry[string], error) {
		return pathwalk.Entry[string]{}, boom
	}); !errors.Is(err, boom) {
		t.Errorf("lookup error: %v", err)
	}
}

// TestAgainstOS builds the tree on disk and holds every answer to the
// operating system's: a path resolved inside is the file the OS opens; a
// path refused as escaping really leads outside on disk.
func TestAgainstOS(t *testing.T) {
	top := t.TempDir()
	root := filepath.Join(top, "repo")
	build(t, root, tree)
	mustDo(t, os.MkdirAll(filepath.Join(top, "outside", "x"), 0o755))
	names := []string{".", "file", "b/file", "a", "a/file", "a/deeper/file", "n", "chain1/file", "sub/parent/file",
		"x/file", "dirslash/file", "dotdot", "up/x", "c/repo/file", "c/outside", "sub/back/outside", "file/x", "tofile", "self", "nope"}
	for _, name := range names {
		compareWithOS(t, root, name)
	}
	// What pathwalk refuses as escaping does lead outside on disk.
	for _, name := range []string{"up/x", "c/repo", "c/outside", "sub/back/outside", "abs"} {
		if _, err := pathwalk.Resolve(".", name, diskLookup(root)); !errors.Is(err, pathwalk.ErrEscapes) {
			t.Errorf("%s: %v, want an escape", name, err)
		}
		real, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(name)))
		if err == nil && strings.HasPrefix(real, root+string(filepath.Separator)) {
			t.Errorf("%s: the OS resolves it inside, to %s", name, real)
		}
	}
}

// build makes a memTree on disk under root.
func build(t testing.TB, root string, m memTree) {
	t.Helper()
	mustDo(t, os.MkdirAll(root, 0o755))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := filepath.Join(root, filepath.FromSlash(k))
		mustDo(t, os.MkdirAll(filepath.Dir(full), 0o755))
		switch v := m[k]; {
		case v == "dir":
			mustDo(t, os.MkdirAll(full, 0o755))
		case v == "link:":
			// Git stores empty link targets; the OS cannot make one.
		case strings.HasPrefix(v, "link:"):
			mustDo(t, os.Symlink(strings.TrimPrefix(v, "link:"), full))
		default:
			mustDo(t, os.WriteFile(full, []byte(k), 0o644))
		}
	}
}

// diskLookup reads a folder on disk, the way package safewrite does.
func diskLookup(root string) pathwalk.Lookup[string] {
	return func(dir, name string) (pathwalk.Entry[string], error) {
		p := path.Join(dir, name)
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return pathwalk.Entry[string]{Kind: pathwalk.Missing, Node: p}, nil
		case err != nil:
			return pathwalk.Entry[string]{}, err
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(filepath.Join(root, filepath.FromSlash(p)))
			return pathwalk.Entry[string]{Kind: pathwalk.Link, Node: p, Target: target}, err
		case fi.IsDir():
			return pathwalk.Entry[string]{Kind: pathwalk.Dir, Node: p}, nil
		}
		return pathwalk.Entry[string]{Kind: pathwalk.File, Node: p}, nil
	}
}

// compareWithOS resolves name under root with pathwalk and with the
// operating system and fails the test where they disagree.
func compareWithOS(t testing.TB, root, name string) {
	t.Helper()
	res, err := pathwalk.Resolve(".", name, diskLookup(root))
	full := filepath.Join(root, filepath.FromSlash(name))
	if name == "." {
		full = root
	}
	osInfo, osErr := os.Stat(full)
	real, evalErr := filepath.EvalSymlinks(full)
	inside := evalErr == nil && (real == root || strings.HasPrefix(real, root+string(filepath.Separator)))
	switch {
	case errors.Is(err, pathwalk.ErrEscapes):
		// Refusing is always safe: pathwalk refuses any trip above the
		// root, even one that comes back in, as os.Root does.
	case errors.Is(err, pathwalk.ErrNotDir):
		if !errors.Is(osErr, syscall.ENOTDIR) {
			t.Errorf("%s: pathwalk says not a folder, the OS says %v", name, osErr)
		}
	case errors.Is(err, pathwalk.ErrLoop):
		if !errors.Is(osErr, syscall.ELOOP) {
			t.Errorf("%s: pathwalk says a loop, the OS says %v", name, osErr)
		}
	case errors.Is(err, fs.ErrNotExist):
		if !errors.Is(osErr, fs.ErrNotExist) {
			t.Errorf("%s: pathwalk says missing, the OS says %v", name, osErr)
		}
	case err != nil:
		t.Errorf("%s: %v", name, err)
	case res.Exists():
		if osErr != nil {
			t.Errorf("%s: pathwalk finds %s, the OS says %v", name, res.Path, osErr)
			return
		}
		mine, err := os.Stat(filepath.Join(root, filepath.FromSlash(res.Path)))
		if err != nil || !os.SameFile(mine, osInfo) {
			t.Errorf("%s: pathwalk finds %s, the OS opens %s", name, res.Path, real)
		}
		if !inside {
			t.Errorf("%s: pathwalk finds %s inside, the OS goes to %s", name, res.Path, real)
		}
	default:
		if !errors.Is(osErr, fs.ErrNotExist) {
			t.Errorf("%s: pathwalk says %s does not exist, the OS says %v", name, res.Path, osErr)
		}
		if res.Missing != 1 {
			return
		}
		// The OS creates the file where pathwalk says it would be.
		f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			t.Errorf("%s: pathwalk would create %s, the OS cannot: %v", name, res.Path, err)
			return
		}
		f.Close()
		created, _ := os.Stat(full)
		mine := filepath.Join(root, filepath.FromSlash(res.Path))
		if fi, err := os.Stat(mine); err != nil || !os.SameFile(fi, created) {
			real, _ := filepath.EvalSymlinks(full)
			t.Errorf("%s: pathwalk would create %s, the OS created %s", name, res.Path, real)
			_ = os.Remove(real)
		}
		_ = os.Remove(mine)
	}
}

func mustDo(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// FuzzResolve resolves paths through links with fuzzed targets, on disk,
// and holds pathwalk to the operating system's answers (compareWithOS).
func FuzzResolve(f *testing.F) {
	f.Add("b/..", "../..", "sub", "l1/f")
	f.Add("l2/..", "../../outside", ".", "l1/x/y")
	f.Add("sub/../sub", "..", "l3/..", "sub/l2/f")
	f.Add("/etc", "a//b/", "./.", "l1")
	f.Fuzz(func(t *testing.T, t1, t2, t3, name string) {
		for _, s := range []string{t1, t2, t3} {
			if s == "" || len(s) > 200 || strings.ContainsRune(s, 0) {
				return
			}
		}
		if !fs.ValidPath(name) || len(name) > 200 || strings.ContainsRune(name, 0) {
			return
		}
		top := t.TempDir()
		root := filepath.Join(top, "repo")
		build(t, root, memTree{"sub": "dir", "sub/f": "file", "f": "file", "l1": "link:" + t1, "sub/l2": "link:" + t2, "sub/l3": "link:" + t3})
		mustDo(t, os.MkdirAll(filepath.Join(top, "outside", "x"), 0o755))
		compareWithOS(t, root, name)
	})
}
