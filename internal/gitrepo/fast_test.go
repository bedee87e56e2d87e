package gitrepo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/modelgate/modelgate/internal/gitrepo/odb"
)

// runGit runs the git CLI in dir with a fixed identity and no user
// configuration, and returns its standard output.
func runGit(t testing.TB, dir string, stdin []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("these tests build repositories with the git CLI: install git")
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@modelgate.invalid", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@modelgate.invalid")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// selfRepo returns the git folder of the repository these tests run in
// (its common folder, for a linked worktree), or, outside a git checkout,
// a real repository built with git.
func selfRepo(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", "--path-format=absolute", "--git-common-dir")
	if out, err := cmd.Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir
		}
	}
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	for i := range 40 {
		writeFile(t, dir, fmt.Sprintf("f%d.txt", i%7), strings.Repeat(fmt.Sprintf("revision %d\n", i), i+1))
		runGit(t, dir, nil, "add", "-A")
		runGit(t, dir, nil, "commit", "-q", "-m", fmt.Sprintf("c%d", i))
		if i == 20 {
			runGit(t, dir, nil, "gc", "-q")
		}
	}
	return filepath.Join(dir, ".git")
}

// TestReadersAgree reads every object of a real repository (this one's own
// git folder) through the memory-mapped reader beneath go-git and through
// go-git's own storage, and compares both with git cat-file: same type,
// same size, same bytes, for every object.
func TestReadersAgree(t *testing.T) {
	gitDir := selfRepo(t)
	list := runGit(t, gitDir, nil, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)")
	plain := filesystem.NewStorage(osfs.New(gitDir), cache.NewObjectLRUDefault())
	// No fallback: every object must come from the memory-mapped reader.
	fast := &fastStorer{Storage: plain, slow: noObjects{}, db: odb.Open(filepath.Join(gitDir, "objects"), odb.Options{})}
	defer fast.db.Close()

	var names []string
	sc := bufio.NewScanner(strings.NewReader(list))
	for sc.Scan() {
		names = append(names, sc.Text())
	}
	batch := runGit(t, gitDir, []byte(strings.Join(namesOnly(names), "\n")+"\n"), "cat-file", "--batch")
	rd := bufio.NewReader(strings.NewReader(batch))
	for _, line := range names {
		f := strings.Fields(line)
		h := plumbing.NewHash(f[0])
		head, err := rd.ReadString('\n')
		if err != nil || strings.Fields(head)[0] != f[0] {
			t.Fatalf("git cat-file --batch: %q, %v", head, err)
		}
		var size int
		if _, err := fmt.Sscan(f[2], &size); err != nil {
			t.Fatal(err)
		}
		want := make([]byte, size+1)
		if _, err := io.ReadFull(rd, want); err != nil {
			t.Fatal(err)
		}
		want = want[:size]
		for name, st := range map[string]objectStorer{"fast": fast, "go-git": plain} {
			o, err := st.EncodedObject(plumbing.AnyObject, h)
			if err != nil {
				t.Fatalf("%s: %s: %v", name, f[0], err)
			}
			got, err := readAll(o)
			if err != nil {
				t.Fatalf("%s: %s: %v", name, f[0], err)
			}
			if o.Type().String() != f[1] || o.Size() != int64(size) || !bytes.Equal(got, want) {
				t.Fatalf("%s: %s is a %s of %d bytes (same bytes: %v); git: %s of %d", name, f[0], o.Type(), o.Size(), bytes.Equal(got, want), f[1], size)
			}
			if n, err := st.EncodedObjectSize(h); err != nil || n != int64(size) {
				t.Fatalf("%s: size of %s: %d, %v; git: %d", name, f[0], n, err, size)
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("no objects")
	}
	t.Logf("%d objects of %s read identically by both readers and git", len(names), gitDir)
}

// noObjects is a storage that holds nothing.
type noObjects struct{}

func (noObjects) EncodedObject(plumbing.ObjectType, plumbing.Hash) (plumbing.EncodedObject, error) {
	return nil, errors.New("fell back to go-git")
}
func (noObjects) HasEncodedObject(plumbing.Hash) error { return errors.New("fell back to go-git") }
func (noObjects) EncodedObjectSize(plumbing.Hash) (int64, error) {
	return 0, errors.New("fell back to go-git")
}

func namesOnly(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i], _, _ = strings.Cut(l, " ")
	}
	return out
}

func readAll(o plumbing.EncodedObject) ([]byte, error) {
	rd, err := o.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// TestChangedFilesIn compares the changed files under a folder with git
// diff --name-only -- <folder>, both ways, over folders that change,
// appear, disappear, turn into files, change mode, and big flat folders.
func TestChangedFilesIn(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	files := map[string]string{
		"a.txt": "a", "models/m1/manifest.yaml": "model: m1-v1.0.0\n", "models/m1/w.bin": "w1",
		"models/m2/x": "x", "models/m10/y": "y", "models/m1.txt": "sibling", "docs/readme.md": "doc",
		"x/y": "dir becomes a file", "keep/same": "same", "models/m3/gone/deep/f": "deep",
	}
	for i := range 300 {
		files[fmt.Sprintf("data/f%04d", i)] = fmt.Sprint(i)
	}
	for n, c := range files {
		writeFile(t, dir, n, c)
	}
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "a")
	writeFile(t, dir, "models/m1/w.bin", "w2")
	writeFile(t, dir, "models/m1/sub/new", "new")
	writeFile(t, dir, "models/m1.txt", "sibling 2")
	writeFile(t, dir, "models/m4/manifest.yaml", "model: m4-v1.0.0\n")
	writeFile(t, dir, "data/f0150", "changed")
	writeFile(t, dir, "data/f0299x", "added")
	for _, p := range []string{"models/m2/x", "x/y", "models/m3/gone/deep/f", "data/f0007"} {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(dir, "x")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "x", "now a file")
	if err := os.Chmod(filepath.Join(dir, "models", "m10", "y"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../m10/y", filepath.Join(dir, "models", "m1", "link")); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, nil, "add", "-A")
	runGit(t, dir, nil, "commit", "-q", "-m", "b")
	runGit(t, dir, nil, "gc", "-q")

	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.Resolve("HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Resolve("HEAD")
	if err != nil {
		t.Fatal(err)
	}
	for _, folder := range []string{".", "models", "models/m1", "models/m2", "models/m3", "models/m3/gone", "models/m4", "models/m10",
		"models/m1.txt", "x", "x/y", "data", "keep", "nowhere", "models/m1/sub"} {
		for _, pair := range [][2]*Commit{{a, b}, {b, a}} {
			got, err := r.ChangedFilesIn(context.Background(), pair[0], pair[1], folder)
			if err != nil {
				t.Fatalf("%s: %v", folder, err)
			}
			args := []string{"diff", "--name-only", "--no-renames", pair[0].Hash, pair[1].Hash}
			if folder != "." {
				args = append(args, "--", folder)
			}
			want := strings.Fields(runGit(t, dir, nil, args...))
			slices.Sort(want)
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("%s %s..%s:\n got %q\nwant %q (git diff)", folder, pair[0].Hash[:7], pair[1].Hash[:7], got, want)
			}
		}
	}
}

// TestWalkMatchesGit asks whether commits are ancestors of heads, many
// questions per head on one shared walk, in a history of branches and
// merges, and compares every answer with git merge-base --is-ancestor:
// without a commit-graph, with one, and with one that misses the newest
// commits.
func TestWalkMatchesGit(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	rng := rand.New(rand.NewSource(1))
	commit := func(msg string) {
		file, _, _ := strings.Cut(msg, " ")
		writeFile(t, dir, file+".txt", msg)
		runGit(t, dir, nil, "add", "-A")
		runGit(t, dir, nil, "commit", "-q", "-m", msg)
	}
	for i := range 12 {
		commit(fmt.Sprintf("main %d", i))
	}
	for b := range 4 {
		runGit(t, dir, nil, "checkout", "-q", "-b", fmt.Sprintf("b%d", b), fmt.Sprintf("main~%d", rng.Intn(8)))
		for i := range 5 {
			commit(fmt.Sprintf("b%d %d", b, i))
		}
		runGit(t, dir, nil, "checkout", "-q", "main")
		commit(fmt.Sprintf("main after b%d", b))
		if b%2 == 0 {
			runGit(t, dir, nil, "merge", "-q", "--no-ff", "-m", fmt.Sprintf("merge b%d", b), fmt.Sprintf("b%d", b))
		}
	}
	runGit(t, dir, nil, "merge", "-q", "-m", "octopus", "b1", "b3")
	commits := strings.Fields(runGit(t, dir, nil, "rev-list", "--all"))
	heads := []string{"main", "b0", "b1", "b2", "b3", "main~3", "main^2"}

	check := func(t *testing.T, wantGraph bool) {
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.commitGraph() != nil; got != wantGraph {
			t.Fatalf("commit-graph used: %v, want %v", got, wantGraph)
		}
		for _, head := range heads {
			hc, err := r.Resolve(head)
			if err != nil {
				t.Fatal(err)
			}
			w, err := r.walkerFor(plumbing.NewHash(hc.Hash))
			if err != nil {
				t.Fatal(err)
			}
			order := rng.Perm(len(commits))
			for _, i := range order {
				c := commits[i]
				got, err := w.reaches(plumbing.NewHash(c))
				if err != nil {
					t.Fatal(err)
				}
				cmd := exec.Command("git", "merge-base", "--is-ancestor", c, hc.Hash)
				cmd.Dir = dir
				want := cmd.Run() == nil
				if got != want {
					t.Fatalf("is %s an ancestor of %s: %v, git says %v", c[:7], head, got, want)
				}
			}
		}
	}
	t.Run("no commit-graph", func(t *testing.T) { check(t, false) })
	runGit(t, dir, nil, "commit-graph", "write", "--reachable")
	t.Run("commit-graph", func(t *testing.T) { check(t, true) })
	runGit(t, dir, nil, "checkout", "-q", "b2")
	commit("after the graph")
	runGit(t, dir, nil, "checkout", "-q", "main")
	runGit(t, dir, nil, "merge", "-q", "-m", "merge after the graph", "b2")
	commits = strings.Fields(runGit(t, dir, nil, "rev-list", "--all"))
	t.Run("stale commit-graph", func(t *testing.T) { check(t, true) })
}

// TestTagFiles lists tags from packed-refs and loose files (a loose tag
// overriding a packed one of the same name, nested names, a symbolic tag,
// annotated tags) and compares the list with go-git's, and TagCommit with
// git rev-parse.
func TestTagFiles(t *testing.T) {
	dir := t.TempDir()
	runGit(t, dir, nil, "init", "-q", "-b", "main")
	for i := range 4 {
		writeFile(t, dir, "f.txt", fmt.Sprint(i))
		runGit(t, dir, nil, "add", "-A")
		runGit(t, dir, nil, "commit", "-q", "-m", fmt.Sprint(i))
		runGit(t, dir, nil, "tag", fmt.Sprintf("m-v1.0.%d", i))
		runGit(t, dir, nil, "tag", "-a", "-m", "annotated", fmt.Sprintf("team/m-v2.0.%d", i))
	}
	runGit(t, dir, nil, "pack-refs", "--all")
	runGit(t, dir, nil, "tag", "-f", "m-v1.0.0", "HEAD") // loose, overrides the packed one
	runGit(t, dir, nil, "tag", "m-v3.0.0", "HEAD~1")     // loose only
	runGit(t, dir, nil, "symbolic-ref", "refs/tags/latest", "refs/tags/m-v1.0.3")
	list := func(fast bool) []tagRef {
		defer func(old bool) { fastObjects = old }(fastObjects)
		fastObjects = fast
		r, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.readTagFiles(); ok != fast {
			t.Fatalf("reading the tag files: %v, want %v", ok, fast)
		}
		tags, err := r.tagRefs()
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tags {
			got, err := r.TagCommit(tag.name)
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.TrimSpace(runGit(t, dir, nil, "rev-parse", tag.name+"^{commit}")); got != want {
				t.Errorf("TagCommit(%s) = %s, git: %s", tag.name, got, want)
			}
		}
		return tags
	}
	fast, slow := list(true), list(false)
	if len(fast) != 10 || !slices.Equal(fast, slow) {
		t.Errorf("tags from the files:\n%v\ngo-git:\n%v", fast, slow)
	}
}
