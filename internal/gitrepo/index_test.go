package gitrepo

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stagedByGit is git diff --cached --name-only --no-renames in dir.
func stagedByGit(t *testing.T, dir string, env ...string) []string {
	t.Helper()
	args := []string{"diff", "--cached", "--name-only", "--no-renames", "-z"}
	out := runGitEnv(t, dir, env, args...)
	return strings.FieldsFunc(out, func(r rune) bool { return r == 0 })
}

// runGitEnv is runGit with more environment.
func runGitEnv(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	if len(env) == 0 {
		return runGit(t, dir, nil, args...)
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	return runGit(t, dir, nil, args...)
}

// stagedByModelgate is Repo.Staged on the index file.
func stagedByModelgate(t *testing.T, dir string, getenv func(string) string) ([]string, error) {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := ReadIndex(r.IndexFile(getenv))
	if err != nil {
		return nil, err
	}
	head, err := r.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return r.Staged(ix, head)
}

// TestStagedLikeGit stages changes of every kind in a real repository and
// compares Repo.Staged with git diff --cached --name-only --no-renames,
// with the index in versions 2 and 4, and with the cache-tree both valid
// and invalidated.
func TestStagedLikeGit(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	files := map[string]string{
		"README.md": "readme", "manifest.yaml": "m", "a-b": "x", "a/c": "x", "a/d/e": "x", "a/d/f": "x",
		"b/g": "x", "b/h/i": "x", "c/j": "x", "d": "x", "e/k": "x", "z/y/x/w": "x", "ünï/ço.de": "x",
		// Version 4 strips 205 bytes of this name from the next one's:
		// a varint of two bytes.
		"long/" + strings.Repeat("n", 200): "x",
	}
	for p, c := range files {
		writeFile(t, dir, p, c)
	}
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	check := func(name string) {
		t.Helper()
		for _, version := range []string{"2", "4"} {
			runGit(t, dir, nil, "update-index", "--index-version", version)
			want := stagedByGit(t, dir)
			got, err := stagedByModelgate(t, dir, func(string) string { return "" })
			if err != nil {
				t.Fatalf("%s, index v%s: %v", name, version, err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s, index v%s: staged\n%q\ngit diff --cached:\n%q", name, version, got, want)
			}
		}
	}
	check("nothing staged")
	writeFile(t, dir, "README.md", "more")
	runGit(t, dir, nil, "add", "README.md")
	check("one file changed")
	writeFile(t, dir, "a/d/new", "new")
	writeFile(t, dir, "new/dir/file", "new")
	runGit(t, dir, nil, "add", "-A")
	check("files added, in new folders too")
	runGit(t, dir, nil, "rm", "-q", "-r", "b", "a/c")
	check("a file and a folder removed")
	runGit(t, dir, nil, "update-index", "--chmod=+x", "a/d/f")
	check("mode changed")
	runGit(t, dir, nil, "rm", "-q", "d")
	writeFile(t, dir, "d/inside", "now a folder")
	runGit(t, dir, nil, "rm", "-q", "-r", "e")
	writeFile(t, dir, "e", "now a file")
	runGit(t, dir, nil, "add", "-A")
	check("a file became a folder and a folder a file")
	if err := os.Symlink("README.md", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, nil, "add", "link")
	check("a symbolic link")
	runGit(t, dir, nil, "commit", "-q", "-m", "two")
	check("committed: nothing staged")
	writeFile(t, dir, "z/y/x/w", "deep change")
	runGit(t, dir, nil, "add", "-A")
	check("one deep change")
	runGit(t, dir, nil, "write-tree") // the cache-tree now holds the staged trees
	check("one deep change, cache-tree written")
	runGit(t, dir, nil, "commit", "-q", "-m", "three")
	runGit(t, dir, nil, "reset", "-q", "--soft", "HEAD~1")
	check("a commit undone with reset --soft: the cache-tree is the undone commit's")
	runGit(t, dir, nil, "commit", "-q", "-m", "three")
	// A conflict: unmerged entries in stages 1 to 3.
	runGit(t, dir, nil, "checkout", "-q", "-b", "side", "HEAD~1")
	writeFile(t, dir, "manifest.yaml", "side")
	runGit(t, dir, nil, "commit", "-q", "-am", "side")
	runGit(t, dir, nil, "checkout", "-q", "main")
	writeFile(t, dir, "manifest.yaml", "main")
	runGit(t, dir, nil, "commit", "-q", "-am", "main")
	if err := runGitAllowFail(dir, "merge", "-q", "side"); err == nil {
		t.Fatal("the merge did not conflict")
	}
	check("a merge conflict")
}

// TestGitVarint decodes the variable-length integers of version 4 indexes
// as git's varint.c writes them.
func TestGitVarint(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		n    int
	}{
		{"\x00", 0, 1},
		{"\x7f", 127, 1},
		{"\x80\x00", 128, 2},
		{"\x80\x4a", 202, 2},
		{"\xff\x7f", 16511, 2},
		{"\x80\x80\x00", 16512, 3},
		{"\x05rest", 5, 1},
		{"\x80", 0, 0},
		{"", 0, 0},
		{strings.Repeat("\xff", 9) + "\x00", 0, 0},
	}
	for _, tt := range tests {
		if got, n := gitVarint(tt.in); got != tt.want || n != tt.n {
			t.Errorf("gitVarint(%q) = %d, %d; want %d, %d", tt.in, got, n, tt.want, tt.n)
		}
	}
}

// runGitAllowFail runs git as runGit does and returns its error.
func runGitAllowFail(dir string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@modelgate.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@modelgate.invalid")
	return cmd.Run()
}

// TestStagedTemporaryIndex reads the index GIT_INDEX_FILE names, relative
// to the repository's top as git sets it for hooks, not .git/index.
func TestStagedTemporaryIndex(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeFile(t, dir, "m/manifest.yaml", "one")
	writeFile(t, dir, "doc.md", "one")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	if err := os.WriteFile(filepath.Join(dir, ".git", "other-index"), mustRead(t, filepath.Join(dir, ".git", "index")), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "m/manifest.yaml", "two")
	runGitEnv(t, dir, []string{"GIT_INDEX_FILE=.git/other-index"}, "add", "m/manifest.yaml")
	want := stagedByGit(t, dir) // GIT_INDEX_FILE is still set
	getenv := func(k string) string {
		if k == "GIT_INDEX_FILE" {
			return ".git/other-index"
		}
		return ""
	}
	got, err := stagedByModelgate(t, dir, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || !slices.Equal(got, []string{"m/manifest.yaml"}) {
		t.Errorf("staged in .git/other-index: %q; git: %q, want [m/manifest.yaml]", got, want)
	}
	os.Unsetenv("GIT_INDEX_FILE")
	if got, err := stagedByModelgate(t, dir, func(string) string { return "" }); err != nil || len(got) != 0 {
		t.Errorf("staged in .git/index: %q, %v; want nothing", got, err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestIndexNotRead: a split index, an intent-to-add entry (extended
// flags) and a sparse index are left to git; a corrupt index is an error
// naming the file.
func TestIndexNotRead(t *testing.T) {
	setup := func(t *testing.T) string {
		dir := t.TempDir()
		runGit(t, dir, nil, "init", "-q", "-b", "main")
		writeFile(t, dir, "a/b", "x")
		writeFile(t, dir, "c", "x")
		runGit(t, dir, nil, "add", "-A")
		runGit(t, dir, nil, "commit", "-q", "-m", "one")
		return dir
	}
	for name, prepare := range map[string]func(t *testing.T, dir string){
		"split index":   func(t *testing.T, dir string) { runGit(t, dir, nil, "update-index", "--split-index") },
		"intent to add": func(t *testing.T, dir string) { writeFile(t, dir, "new", "x"); runGit(t, dir, nil, "add", "-N", "new") },
		"sparse index": func(t *testing.T, dir string) {
			runGit(t, dir, nil, "sparse-checkout", "set", "--cone", "--sparse-index", "x")
		},
		"index version3": func(t *testing.T, dir string) { runGit(t, dir, nil, "update-index", "--skip-worktree", "c") },
	} {
		t.Run(name, func(t *testing.T) {
			dir := setup(t)
			prepare(t, dir)
			_, err := ReadIndex(filepath.Join(dir, ".git", "index"))
			if !errors.Is(err, ErrIndexNotRead) {
				t.Errorf("reading the index: %v; want ErrIndexNotRead", err)
			}
		})
	}
	t.Run("corrupt", func(t *testing.T) {
		dir := setup(t)
		p := filepath.Join(dir, ".git", "index")
		data := mustRead(t, p)
		data[8] = 0x7f // more entries than the file holds
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadIndex(p)
		if err == nil || errors.Is(err, ErrIndexNotRead) || !strings.Contains(err.Error(), p) {
			t.Errorf("reading a corrupt index: %v; want an error naming %s", err, p)
		}
	})
}

// TestIndexChecksumNotVerified: an index whose trailing checksum is wrong
// but whose content is sound is read, as git reads it (only git fsck
// verifies the checksum), with the same staged paths as git's.
func TestIndexChecksumNotVerified(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeFile(t, dir, "a/b", "x")
	writeFile(t, dir, "c", "x")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	writeFile(t, dir, "a/b", "y")
	runGit(t, dir, nil, "add", "-A")
	p := filepath.Join(dir, ".git", "index")
	data := mustRead(t, p)
	data[len(data)-1] ^= 0xff
	data[20] ^= 0xff // the first entry's modification time, which only the checksum covers
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := stagedByGit(t, dir)
	got, err := stagedByModelgate(t, dir, func(string) string { return "" })
	if err != nil || !slices.Equal(got, want) || !slices.Equal(got, []string{"a/b"}) {
		t.Errorf("staged with a wrong checksum: %q, %v; git: %q, want [a/b]", got, err, want)
	}
	if err := runGitAllowFail(dir, "fsck", "--no-dangling"); err == nil {
		t.Error("git fsck accepted the index: the checksum was not changed")
	}
}

// FuzzParseStagingIndex parses arbitrary index files (seeds: real ones in
// testdata/fuzz/FuzzParseStagingIndex): never a panic, the entries of an
// index it reads are sorted and its cache-tree nodes nest (the trailing
// checksum is not verified, so every change reaches the parser).
func FuzzParseStagingIndex(f *testing.F) {
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00" + strings.Repeat("\x00", 20)))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := parseIndex(string(data))
		if err != nil {
			return
		}
		for i := 1; i < len(ix.entries); i++ {
			if ix.entries[i].path < ix.entries[i-1].path {
				t.Fatalf("entries out of order: %q before %q", ix.entries[i-1].path, ix.entries[i].path)
			}
		}
		for i, n := range ix.trees {
			if n.end <= i || n.end > len(ix.trees) {
				t.Fatalf("cache-tree node %d ends at %d of %d", i, n.end, len(ix.trees))
			}
		}
	})
}

// TestStagedLinkedWorktree reads the index of a linked worktree (git
// worktree add), not the main worktree's, when GIT_INDEX_FILE is not set.
func TestStagedLinkedWorktree(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "main")
	if err := os.Mkdir(main, 0o755); err != nil {
		t.Fatal(err)
	}
	runGit(t, main, nil, "init", "-q", "-b", "main")
	writeFile(t, main, "m/manifest.yaml", "one")
	writeFile(t, main, "doc.md", "one")
	runGit(t, main, nil, "add", "-A")
	runGit(t, main, nil, "commit", "-q", "-m", "one")
	linked := filepath.Join(dir, "linked")
	runGit(t, main, nil, "worktree", "add", "-q", "-b", "other", linked)
	writeFile(t, linked, "m/manifest.yaml", "two")
	runGit(t, linked, nil, "add", "m/manifest.yaml")
	writeFile(t, main, "doc.md", "two")
	runGit(t, main, nil, "add", "doc.md")
	none := func(string) string { return "" }
	for _, c := range []struct{ dir, want string }{{linked, "m/manifest.yaml"}, {main, "doc.md"}} {
		got, err := stagedByModelgate(t, c.dir, none)
		if err != nil {
			t.Fatal(err)
		}
		if want := stagedByGit(t, c.dir); !slices.Equal(got, want) || !slices.Equal(got, []string{c.want}) {
			t.Errorf("%s: staged %q; git %q, want [%s]", c.dir, got, want, c.want)
		}
	}
}
