package odb

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// git runs the git CLI in dir with a fixed identity and no user
// configuration, and returns its standard output.
func git(t testing.TB, dir string, stdin []byte, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("these tests build repositories with the git CLI: install git")
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir,
		"GIT_AUTHOR_NAME=odb", "GIT_AUTHOR_EMAIL=odb@modelgate.invalid", "GIT_COMMITTER_NAME=odb", "GIT_COMMITTER_EMAIL=odb@modelgate.invalid",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("git %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.Bytes()
}

// newRepo creates a repository whose files change over commits commits:
// a growing text file, files rewritten in part (so that packing stores
// them as deltas of deltas), files in folders, an empty file and a binary
// one.
func newRepo(t testing.TB, commits int) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, nil, "init", "-q", "-b", "main")
	for c := 0; c < commits; c++ {
		write(t, dir, "log.txt", strings.Repeat(fmt.Sprintf("line %d of the log\n", c), c+1))
		var b strings.Builder
		for i := 0; i < 200; i++ {
			v := i
			if i%(c+3) == 0 {
				v = i * c
			}
			fmt.Fprintf(&b, "    \"model.layers.%d.weight\": \"model-%05d.safetensors\",\n", i, v)
		}
		write(t, dir, "index.json", "{\n"+b.String()+"}\n")
		write(t, dir, fmt.Sprintf("src/pkg%d/file%d.py", c%3, c), fmt.Sprintf("def f%d():\n    return %d\n", c, c))
		write(t, dir, "empty", "")
		write(t, dir, "weights.bin", string(bytes.Repeat([]byte{0, 1, 2, byte(c)}, 300)))
		git(t, dir, nil, "add", "-A")
		git(t, dir, nil, "commit", "-q", "-m", fmt.Sprintf("commit %d", c))
		if c%4 == 0 {
			git(t, dir, nil, "tag", "-a", fmt.Sprintf("v%d", c), "-m", fmt.Sprintf("release %d", c))
		}
	}
	return dir
}

func write(t testing.TB, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// gitObject is an object as git cat-file prints it.
type gitObject struct {
	hash Hash
	typ  string
	data []byte
}

// allObjects reads every object of the repository (and its alternates)
// with git cat-file.
func allObjects(t testing.TB, dir string) []gitObject {
	t.Helper()
	list := git(t, dir, nil, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
	out := git(t, dir, list, "cat-file", "--batch")
	var objs []gitObject
	rd := bufio.NewReader(bytes.NewReader(out))
	for {
		line, err := rd.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("git cat-file --batch: %q", line)
		}
		size, _ := strconv.Atoi(f[2])
		data := make([]byte, size+1)
		if _, err := io.ReadFull(rd, data); err != nil {
			t.Fatal(err)
		}
		var h Hash
		if n, err := hex.Decode(h[:], []byte(f[0])); err != nil || n != 20 {
			t.Fatalf("object name %q: %v", f[0], err)
		}
		objs = append(objs, gitObject{hash: h, typ: f[1], data: data[:size]})
	}
	if len(objs) == 0 {
		t.Fatal("git cat-file listed no objects")
	}
	return objs
}

// assertSameAsGit reads every object through db and compares type, size
// and bytes with what git cat-file prints.
func assertSameAsGit(t *testing.T, db *DB, dir string) {
	t.Helper()
	objs := allObjects(t, dir)
	for _, g := range objs {
		o, err := db.Read(g.hash)
		if err != nil {
			t.Fatalf("%s (%s): %v", g.hash, g.typ, err)
		}
		data := o.Data
		if data == nil {
			rd, err := o.Open()
			if err != nil {
				t.Fatal(err)
			}
			if data, err = io.ReadAll(rd); err != nil {
				t.Fatalf("%s: streaming: %v", g.hash, err)
			}
			rd.Close()
		}
		if o.Type.String() != g.typ || o.Size != int64(len(g.data)) || !bytes.Equal(data, g.data) {
			t.Fatalf("%s: read %s of %d bytes, git has %s of %d bytes (equal bytes: %v)", g.hash, o.Type, o.Size, g.typ, len(g.data), bytes.Equal(data, g.data))
		}
		typ, size, err := db.Header(g.hash)
		if err != nil || typ.String() != g.typ || size != int64(len(g.data)) {
			t.Fatalf("%s: header %s %d %v, git has %s %d", g.hash, typ, size, err, g.typ, len(g.data))
		}
		if ok, err := db.Has(g.hash); !ok || err != nil {
			t.Fatalf("%s: Has = %v, %v", g.hash, ok, err)
		}
	}
	missing := Hash{0xde, 0xad, 0xbe, 0xef}
	if _, err := db.Read(missing); !errors.Is(err, ErrNotFound) {
		t.Errorf("reading a missing object: %v, want ErrNotFound", err)
	}
	if ok, err := db.Has(missing); ok || err != nil {
		t.Errorf("Has(missing) = %v, %v", ok, err)
	}
	t.Logf("%d objects identical to git cat-file", len(objs))
}

func objectsDir(dir string) string { return filepath.Join(dir, ".git", "objects") }

// packEntries counts the entry types of a repository's packs.
func packEntries(t *testing.T, db *DB) (counts map[int]int, maxDepth int) {
	t.Helper()
	counts = map[int]int{}
	db.mu.Lock()
	if !db.prepared {
		db.scan()
	}
	packs := append([]*pack(nil), db.packs...)
	db.mu.Unlock()
	for _, p := range packs {
		if err := p.open(); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < p.idx.n; i++ {
			off, err := p.idx.offset(i)
			if err != nil {
				t.Fatal(err)
			}
			e, err := parseEntry(p.data, off)
			if err != nil {
				t.Fatal(err)
			}
			counts[e.typ]++
			depth := 0
			for e.typ == ofsDelta {
				if e, err = parseEntry(p.data, e.baseOff); err != nil {
					t.Fatal(err)
				}
				depth++
			}
			maxDepth = max(maxDepth, depth)
		}
	}
	return counts, maxDepth
}

func TestLooseOnly(t *testing.T) {
	dir := newRepo(t, 6)
	if packs, _ := filepath.Glob(filepath.Join(objectsDir(dir), "pack", "*.pack")); len(packs) != 0 {
		t.Fatalf("expected no packs, found %v", packs)
	}
	db := Open(objectsDir(dir), Options{})
	defer db.Close()
	assertSameAsGit(t, db, dir)
}

// TestDeltaChains packs with long chains: OFS deltas of deltas.
func TestDeltaChains(t *testing.T) {
	dir := newRepo(t, 30)
	git(t, dir, nil, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50")
	git(t, dir, nil, "prune-packed")
	db := Open(objectsDir(dir), Options{})
	defer db.Close()
	counts, depth := packEntries(t, db)
	if counts[ofsDelta] == 0 || depth < 3 {
		t.Fatalf("the pack holds %d OFS deltas, chains of at most %d: the test needs deltas of deltas", counts[ofsDelta], depth)
	}
	t.Logf("%d OFS deltas, chains up to %d", counts[ofsDelta], depth)
	assertSameAsGit(t, db, dir)
}

// TestTinyCache resolves the same chains with a cache too small to hold
// any base.
func TestTinyCache(t *testing.T) {
	dir := newRepo(t, 20)
	git(t, dir, nil, "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50")
	db := Open(objectsDir(dir), Options{CacheBytes: 256})
	defer db.Close()
	assertSameAsGit(t, db, dir)
}

// TestRefDeltas reads a pack written without --delta-base-offset: every
// delta names its base by hash (REF_DELTA).
func TestRefDeltas(t *testing.T) {
	dir := newRepo(t, 20)
	objs := git(t, dir, nil, "rev-list", "--objects", "--all")
	git(t, dir, objs, "pack-objects", "-q", "--no-reuse-delta", "--window=50", "--depth=50", filepath.Join(objectsDir(dir), "pack", "pack"))
	git(t, dir, nil, "prune-packed")
	db := Open(objectsDir(dir), Options{})
	defer db.Close()
	counts, _ := packEntries(t, db)
	if counts[refDelta] == 0 || counts[ofsDelta] != 0 {
		t.Fatalf("entry types %v: the test needs REF deltas only", counts)
	}
	assertSameAsGit(t, db, dir)
}

// TestThinPackFixed reads a thin pack completed by git index-pack
// --fix-thin, next to the pack that holds the older history: REF deltas
// whose bases were appended to the pack.
func TestThinPackFixed(t *testing.T) {
	src := newRepo(t, 16)
	git(t, src, nil, "branch", "old", "HEAD~5")
	dst := t.TempDir()
	git(t, dst, nil, "init", "-q", "-b", "main")
	git(t, dst, nil, "-c", "fetch.unpackLimit=1", "fetch", "-q", src, "old:refs/heads/old")
	thin := git(t, src, []byte("main\n^old\n"), "pack-objects", "--thin", "--stdout", "--revs", "-q")
	git(t, dst, thin, "index-pack", "--stdin", "--fix-thin")
	git(t, dst, nil, "update-ref", "refs/heads/main", strings.TrimSpace(string(git(t, src, nil, "rev-parse", "main"))))
	packs, _ := filepath.Glob(filepath.Join(objectsDir(dst), "pack", "*.pack"))
	if len(packs) != 2 {
		t.Fatalf("expected the fetched pack and the fixed thin pack, found %v", packs)
	}
	db := Open(objectsDir(dst), Options{})
	defer db.Close()
	counts, _ := packEntries(t, db)
	if counts[refDelta] == 0 {
		t.Fatalf("entry types %v: the fixed thin pack holds no REF deltas", counts)
	}
	assertSameAsGit(t, db, dst)
}

// TestMultiPack reads objects spread over several packs and loose objects,
// then through a multi-pack-index.
func TestMultiPack(t *testing.T) {
	dir := newRepo(t, 4)
	for i := 0; i < 3; i++ {
		git(t, dir, nil, "repack", "-d", "-q") // a new pack of the loose objects
		write(t, dir, fmt.Sprintf("more/%d.txt", i), strings.Repeat("more\n", i+1))
		git(t, dir, nil, "add", "-A")
		git(t, dir, nil, "commit", "-q", "-m", "more")
	}
	packs, _ := filepath.Glob(filepath.Join(objectsDir(dir), "pack", "*.pack"))
	if len(packs) != 3 {
		t.Fatalf("expected 3 packs, found %d", len(packs))
	}
	t.Run("packs and loose", func(t *testing.T) {
		db := Open(objectsDir(dir), Options{})
		defer db.Close()
		assertSameAsGit(t, db, dir)
	})
	t.Run("multi-pack-index", func(t *testing.T) {
		git(t, dir, nil, "multi-pack-index", "write")
		db := Open(objectsDir(dir), Options{})
		defer db.Close()
		assertSameAsGit(t, db, dir)
		if db.midx == nil || len(db.midx.names) != 3 {
			t.Fatal("the multi-pack-index was not used")
		}
	})
}

// TestAlternates reads a clone made with git clone --shared: its own
// objects and those of the repository it borrows from.
func TestAlternates(t *testing.T) {
	src := newRepo(t, 8)
	git(t, src, nil, "gc", "-q")
	clone := filepath.Join(t.TempDir(), "clone")
	git(t, src, nil, "clone", "-q", "--shared", src, clone)
	write(t, clone, "clone-only.txt", "only in the clone\n")
	git(t, clone, nil, "add", "-A")
	git(t, clone, nil, "commit", "-q", "-m", "in the clone")
	if _, err := os.Stat(filepath.Join(objectsDir(clone), "info", "alternates")); err != nil {
		t.Fatal(err)
	}
	db := Open(objectsDir(clone), Options{})
	defer db.Close()
	assertSameAsGit(t, db, clone)
	if len(db.alts) != 1 {
		t.Fatalf("%d alternates, want 1", len(db.alts))
	}
}

// TestPackRewritten rewrites the packs while a DB has them mapped (git
// repack -a -d -f, as git gc does, deletes the old pack) and packs and
// prunes the loose objects it read: every object still reads the same.
func TestPackRewritten(t *testing.T) {
	dir := newRepo(t, 12)
	git(t, dir, nil, "gc", "-q")
	write(t, dir, "late.txt", "written after the pack\n")
	git(t, dir, nil, "add", "-A")
	git(t, dir, nil, "commit", "-q", "-m", "late")
	db := Open(objectsDir(dir), Options{})
	defer db.Close()
	assertSameAsGit(t, db, dir) // maps the pack, reads the loose objects
	before, _ := filepath.Glob(filepath.Join(objectsDir(dir), "pack", "*.pack"))

	write(t, dir, "later.txt", "written after the first read\n")
	git(t, dir, nil, "add", "-A")
	git(t, dir, nil, "commit", "-q", "-m", "later")
	git(t, dir, nil, "repack", "-a", "-d", "-f", "-q", "--depth=10")
	git(t, dir, nil, "prune-packed")
	after, _ := filepath.Glob(filepath.Join(objectsDir(dir), "pack", "*.pack"))
	if len(after) != 1 || len(before) != 1 || after[0] == before[0] {
		t.Fatalf("packs before %v, after %v: the repack should replace the pack", before, after)
	}
	if loose, _ := filepath.Glob(filepath.Join(objectsDir(dir), "??", "*")); len(loose) != 0 {
		t.Fatalf("loose objects left: %v", loose)
	}
	assertSameAsGit(t, db, dir)
}

// TestPackTruncated truncates a mapped pack in place (git never does; a
// damaged disk or another tool might): reading faults, and the fault is an
// error, not a crash.
func TestPackTruncated(t *testing.T) {
	dir := newRepo(t, 6)
	git(t, dir, nil, "gc", "-q")
	db := Open(objectsDir(dir), Options{})
	defer db.Close()
	objs := allObjects(t, dir)
	if _, err := db.Read(objs[0].hash); err != nil {
		t.Fatal(err)
	}
	packs, _ := filepath.Glob(filepath.Join(objectsDir(dir), "pack", "*.pack"))
	if err := os.Chmod(packs[0], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(packs[0], 0); err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, g := range objs[1:] {
		o, err := db.Read(g.hash)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: %v, want an error wrapping ErrCorrupt", g.hash, err)
			}
			failed++
			continue
		}
		if !bytes.Equal(o.Data, g.data) {
			t.Fatalf("%s: wrong bytes from a truncated pack", g.hash)
		}
	}
	if failed == 0 {
		t.Fatal("no read failed after the pack was truncated")
	}
}

// TestStream streams a blob stored whole, packed and loose, above the
// threshold; a delta above it is inflated whole.
func TestStream(t *testing.T) {
	dir := newRepo(t, 3)
	db := Open(objectsDir(dir), Options{StreamAbove: 1000})
	defer db.Close()
	streamed := 0
	for _, g := range allObjects(t, dir) {
		o, err := db.Read(g.hash)
		if err != nil {
			t.Fatal(err)
		}
		if o.Data == nil {
			streamed++
		}
	}
	if streamed == 0 {
		t.Fatal("no loose object above 1000 bytes was streamed")
	}
	assertSameAsGit(t, db, dir)
	git(t, dir, nil, "gc", "-q")
	db2 := Open(objectsDir(dir), Options{StreamAbove: 1000})
	defer db2.Close()
	assertSameAsGit(t, db2, dir)
}
