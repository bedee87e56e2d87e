package gitrepo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// agree compares Repo.Staged with git diff --cached --name-only, the
// index rewritten by git update-index --index-version in versions 2 and 4.
func agree(t *testing.T, dir, name string) {
	t.Helper()
	for _, version := range []string{"2", "4"} {
		runGit(t, dir, nil, "update-index", "--index-version", version)
		want := stagedByGit(t, dir)
		got, err := stagedByModelgate(t, dir, func(string) string { return "" })
		if err != nil {
			t.Errorf("%s, index v%s: %v", name, version, err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s, index v%s: staged\n%q\ngit diff --cached:\n%q", name, version, got, want)
		}
	}
}

// The cases below are edges of the pre-commit fast path (Repo.Staged on
// the index file modelgate reads itself) held to git's own answer.

// TestStagedFolderFileSwapWithSiblings: a folder replaced by a file and a
// file by a folder, next to names that sort between them ("e-x", "e.y"
// before "e/", "e0" after).
func TestStagedFolderFileSwapWithSiblings(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	for _, p := range []string{"e/k", "e-x", "e.y", "e0", "f", "f-x", "f0"} {
		writeFile(t, dir, p, "x")
	}
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	runGit(t, dir, nil, "rm", "-q", "-r", "e")
	writeFile(t, dir, "e", "now a file")
	runGit(t, dir, nil, "rm", "-q", "f")
	writeFile(t, dir, "f/in", "now a folder")
	runGit(t, dir, nil, "add", "-A")
	agree(t, dir, "folder became file, file became folder, with siblings")
}

// TestStagedSubmodule: a gitlink added, committed and moved.
func TestStagedSubmodule(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	top := filepath.Join(dir, "top")
	os.Mkdir(sub, 0o755)
	os.Mkdir(top, 0o755)
	runGit(t, sub, nil, "init", "-q", "-b", "main")
	writeFile(t, sub, "f", "1")
	runGit(t, sub, nil, "add", "-A")
	runGit(t, sub, nil, "commit", "-q", "-m", "one")
	runGit(t, top, nil, "init", "-q", "-b", "main")
	writeFile(t, top, "a", "1")
	runGit(t, top, nil, "add", "-A")
	runGit(t, top, nil, "commit", "-q", "-m", "one")
	runGit(t, top, nil, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "m/sub")
	agree(t, top, "submodule added")
	runGit(t, top, nil, "commit", "-q", "-m", "two")
	agree(t, top, "submodule committed")
	inner := filepath.Join(top, "m", "sub")
	writeFile(t, inner, "f", "2")
	runGit(t, inner, nil, "commit", "-q", "-am", "two")
	runGit(t, top, nil, "add", "m/sub")
	agree(t, top, "submodule moved")
}

// TestStagedModifyDeleteConflict: a merge leaving a modify/delete conflict
// (stages 1 and 3) and an add/add conflict in a new folder (stages 2 and 3).
func TestStagedModifyDeleteConflict(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeFile(t, dir, "m/manifest.yaml", "one")
	writeFile(t, dir, "m/w.bin", "one")
	writeFile(t, dir, "z", "one")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	runGit(t, dir, nil, "checkout", "-q", "-b", "side")
	writeFile(t, dir, "m/manifest.yaml", "side")
	writeFile(t, dir, "n/new.yaml", "side")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "side")
	runGit(t, dir, nil, "checkout", "-q", "main")
	runGit(t, dir, nil, "rm", "-q", "m/manifest.yaml")
	writeFile(t, dir, "n/new.yaml", "main")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "main")
	runGit(t, dir, nil, "write-tree")
	if err := runGitAllowFail(dir, "merge", "-q", "side"); err == nil {
		t.Fatal("no conflict")
	}
	agree(t, dir, "modify/delete and add/add conflicts")
}

// TestStagedSHA256: a repository of SHA-256 object names, whose index
// entries hold 32-byte names the parser does not read: modelgate must not
// open it (the hook then asks git), or else agree with git.
func TestStagedSHA256(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main", "--object-format=sha256")
	writeFile(t, dir, "m/manifest.yaml", "one")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	writeFile(t, dir, "m/manifest.yaml", "two")
	runGit(t, dir, nil, "add", "-A")
	if _, err := Open(dir); err != nil {
		return // the hook asks git
	}
	agree(t, dir, "sha256")
}

// TestStagedIndexRewritten: an index replaced by git read-tree, an entry
// set by update-index --cacheinfo, one removed by --force-remove.
func TestStagedIndexRewritten(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	writeFile(t, dir, "m/manifest.yaml", "one")
	writeFile(t, dir, "x/y", "one")
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	writeFile(t, dir, "m/manifest.yaml", "two")
	runGit(t, dir, nil, "commit", "-q", "-am", "two")
	runGit(t, dir, nil, "read-tree", "HEAD~1")
	agree(t, dir, "read-tree of the parent")
	runGit(t, dir, nil, "read-tree", "HEAD")
	runGit(t, dir, nil, "update-index", "--cacheinfo", "100644,"+runGit(t, dir, nil, "rev-parse", "HEAD~1:m/manifest.yaml")[:40]+",m/manifest.yaml")
	agree(t, dir, "update-index --cacheinfo")
	runGit(t, dir, nil, "update-index", "--force-remove", "x/y")
	agree(t, dir, "force-remove")
}

// TestStagedLongPaths: paths of more than 4,095 bytes (the 12 bits of an
// entry's name length hold 0xfff), which no file system holds: set with
// update-index --cacheinfo.
func TestStagedLongPaths(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	long := ""
	for i := 0; i < 22; i++ {
		long += strings.Repeat(string(rune('a'+i)), 200) + "/"
	}
	writeFile(t, dir, "m/manifest.yaml", "1")
	one := strings.TrimSpace(runGit(t, dir, []byte("1"), "hash-object", "-w", "--stdin"))
	two := strings.TrimSpace(runGit(t, dir, []byte("2"), "hash-object", "-w", "--stdin"))
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "100644,"+one+","+long+"x")
	runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "100644,"+one+","+long+"y")
	runGit(t, dir, nil, "commit", "-q", "-m", "one")
	agree(t, dir, "paths over 4095 bytes, nothing staged")
	runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "100644,"+two+","+long+"y")
	runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "100644,"+two+","+long+"z")
	runGit(t, dir, nil, "update-index", "--add", "--cacheinfo", "100644,"+two+",m/manifest.yaml")
	agree(t, dir, "paths over 4095 bytes")
}
