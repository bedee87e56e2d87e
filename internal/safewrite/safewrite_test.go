package safewrite_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/safewrite"
)

// layout makes top/repo and top/outside with the given entries (path ->
// content, or "link:TARGET", or "dir") under repo.
func layout(t *testing.T, entries map[string]string) (top, repo string) {
	t.Helper()
	top = t.TempDir()
	repo = filepath.Join(top, "repo")
	must(t, os.MkdirAll(filepath.Join(top, "outside", "sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(top, "outside", "keep"), []byte("outside\n"), 0o644))
	must(t, os.MkdirAll(repo, 0o755))
	for name, v := range entries {
		full := filepath.Join(repo, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		switch {
		case v == "dir":
			must(t, os.MkdirAll(full, 0o755))
		case strings.HasPrefix(v, "link:"):
			must(t, os.Symlink(strings.TrimPrefix(v, "link:"), full))
		default:
			must(t, os.WriteFile(full, []byte(v), 0o644))
		}
	}
	return top, repo
}

// listing lists every entry under dir with its content or link target.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	must(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		e := filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			e += " -> " + target
		case d.Type().IsRegular():
			data, _ := os.ReadFile(p)
			e += " = " + string(data)
		}
		out = append(out, e)
		return nil
	}))
	sort.Strings(out)
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestResolveRefuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries map[string]string
		path    string
		want    string
	}{
		{"chain", map[string]string{"a": "link:b/..", "b": "link:../outside/sub"}, "a/x.md",
			`the symbolic link "b" points to "../outside/sub", outside the working tree`},
		{"link-to-link", map[string]string{"a": "link:c", "c": "link:d/", "d": "link:.."}, "a/x.md",
			`the symbolic link "d" points to "..", outside the working tree`},
		{"absolute", map[string]string{"a": "link:/tmp"}, "a/x.md",
			`the symbolic link "a" points to "/tmp", outside the working tree`},
		{"final-link", map[string]string{"x.md": "link:../outside/keep"}, "x.md",
			`the symbolic link "x.md" points to "../outside/keep", outside the working tree`},
		{"git-folder", map[string]string{".git/hooks": "dir", "h": "link:.git/hooks"}, "h/pre-commit",
			`".git/hooks/pre-commit" is inside a .git folder`},
		{"git-folder-case", map[string]string{".GIT/hooks": "dir"}, ".GIT/hooks/x", "inside a .git folder"},
		{"folder", map[string]string{"x.md": "dir"}, "x.md", `"x.md" is a folder`},
		{"file-as-folder", map[string]string{"a": "text"}, "a/x.md", `"a": not a folder: a file stands where the path needs a folder`},
		{"loop", map[string]string{"a": "link:b", "b": "link:a"}, "a/x.md", "too many levels of symbolic links"},
		{"absolute-name", nil, "/etc/passwd", "the path is absolute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top, repo := layout(t, tc.entries)
			before := listing(t, top)
			tree, err := safewrite.Open(repo)
			must(t, err)
			defer tree.Close()
			_, err = tree.Resolve(tc.path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Resolve(%s) = %v, want %q", tc.path, err, tc.want)
			}
			if _, err := tree.ReadFile(tc.path, 1<<20); err == nil {
				t.Errorf("ReadFile(%s) read through", tc.path)
			}
			if after := listing(t, top); strings.Join(after, "\n") != strings.Join(before, "\n") {
				t.Errorf("the folders changed:\n%v\n%v", before, after)
			}
		})
	}
}

func TestWriteFile(t *testing.T) {
	top, repo := layout(t, map[string]string{"b": "link:sub/deeper", "sub/deeper": "dir", "n": "link:b/../notes", "old.md": "old\n"})
	tree, err := safewrite.Open(repo)
	must(t, err)
	defer tree.Close()

	// Through n -> b/../notes: sub/notes (b's real parent is sub), created.
	tg, err := tree.Resolve("n/v1.md")
	must(t, err)
	if tg.Real != "sub/notes/v1.md" || tg.Exists {
		t.Errorf("target %+v", tg)
	}
	must(t, tree.WriteFile(tg, []byte("one\n")))
	data, err := os.ReadFile(filepath.Join(repo, "sub", "notes", "v1.md"))
	if err != nil || string(data) != "one\n" {
		t.Errorf("written: %q, %v", data, err)
	}
	if fi, err := os.Stat(filepath.Join(repo, "sub", "notes", "v1.md")); err != nil || fi.Mode().Perm()&0o644 != 0o644 {
		t.Errorf("mode: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(filepath.Join(repo, "notes")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the lexical location notes/ was made: %v", err)
	}

	// Replacing keeps the mode and leaves no temporary file.
	must(t, os.Chmod(filepath.Join(repo, "old.md"), 0o600))
	tg, err = tree.Resolve("old.md")
	must(t, err)
	if !tg.Exists {
		t.Error("old.md: not found")
	}
	must(t, tree.WriteFile(tg, []byte("new\n")))
	got, err := tree.ReadFile("old.md", 100)
	if err != nil || string(got) != "new\n" {
		t.Errorf("read back %q, %v", got, err)
	}
	if fi, _ := os.Stat(filepath.Join(repo, "old.md")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after replace: %v", fi.Mode())
	}
	want := []string{".", "b -> sub/deeper", "n -> b/../notes", "old.md = new\n", "sub", "sub/deeper", "sub/notes", "sub/notes/v1.md = one\n"}
	if got := listing(t, repo); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("repository:\n%q\nwant\n%q", got, want)
	}
	if got := listing(t, filepath.Join(top, "outside")); len(got) != 3 {
		t.Errorf("outside changed: %q", got)
	}
	if _, err := tree.ReadFile("old.md", 2); err == nil || !strings.Contains(err.Error(), "more than 2 bytes") {
		t.Errorf("ReadFile over the limit: %v", err)
	}
}

// TestWriteFileRace swaps a checked folder for a link that leads outside
// between Resolve and WriteFile: the write through os.Root still refuses.
func TestWriteFileRace(t *testing.T) {
	top, repo := layout(t, map[string]string{"releases": "dir"})
	tree, err := safewrite.Open(repo)
	must(t, err)
	defer tree.Close()
	tg, err := tree.Resolve("releases/v1.md")
	must(t, err)
	must(t, os.Remove(filepath.Join(repo, "releases")))
	must(t, os.Symlink("../outside", filepath.Join(repo, "releases")))
	if err := tree.WriteFile(tg, []byte("x")); err == nil {
		t.Error("wrote through a link swapped in after the check")
	}
	if got := listing(t, filepath.Join(top, "outside")); len(got) != 3 {
		t.Errorf("outside changed: %q", got)
	}
}
