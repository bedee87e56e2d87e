package gitrepo

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// TestMain removes the repository the benchmarks generate.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchRepo.dir != "" {
		os.RemoveAll(benchRepo.dir)
	}
	os.Exit(code)
}

var benchRepo struct {
	once sync.Once
	dir  string
	err  error
}

// benchmarkRepo generates, once per test binary, the benchmark repository
// of testdata/bench/genrepo.sh at a fifth of its size: 4,000 commits over
// 2,000 files, 100 release tags (lite-llm-base-v<X.Y.Z>), packed by git gc
// with a commit-graph; HEAD declares the next minor over the last tag, 30
// commits back.
func benchmarkRepo(b *testing.B) string {
	b.Helper()
	benchRepo.once.Do(func() {
		dir, err := os.MkdirTemp("", "modelgate-bench-")
		if err != nil {
			benchRepo.err = err
			return
		}
		benchRepo.dir = dir
		cmd := exec.Command("bash", filepath.Join("..", "..", "testdata", "bench", "genrepo.sh"), filepath.Join(dir, "repo"))
		cmd.Env = append(os.Environ(), "COMMITS=4000", "FILES=2000")
		if out, err := cmd.CombinedOutput(); err != nil {
			benchRepo.err = err
			b.Logf("%s", out)
		}
	})
	if benchRepo.err != nil {
		b.Fatalf("generating the benchmark repository: %v", benchRepo.err)
	}
	return filepath.Join(benchRepo.dir, "repo")
}

// readers runs a benchmark with the memory-mapped reader beneath go-git
// (with and without the commit-graph) and with go-git alone, for
// comparison in review.
func readers(b *testing.B, f func(b *testing.B)) {
	for _, c := range []struct {
		name        string
		fast, graph bool
	}{{"odb", true, true}, {"odb-no-graph", true, false}, {"go-git", false, false}} {
		b.Run(c.name, func(b *testing.B) {
			defer func(fast, graph bool) { fastObjects, commitGraphs = fast, graph }(fastObjects, commitGraphs)
			fastObjects, commitGraphs = c.fast, c.graph
			f(b)
		})
	}
}

// BenchmarkResolve opens the repository, resolves HEAD and reads the
// manifest there: what every run does first.
func BenchmarkResolve(b *testing.B) {
	dir := benchmarkRepo(b)
	readers(b, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			head := headFS(b, r)
			if _, err := fs.ReadFile(head, "manifest.yaml"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWalk finds the baseline: the tags of the model, then the walk
// from HEAD to the highest one reachable (30 commits, "near"), or to the
// first release (all 4,000 commits, "far").
func BenchmarkWalk(b *testing.B) {
	dir := benchmarkRepo(b)
	for _, far := range []bool{false, true} {
		b.Run(map[bool]string{false: "near", true: "far"}[far], func(b *testing.B) {
			readers(b, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					r, err := Open(dir)
					if err != nil {
						b.Fatal(err)
					}
					head, err := r.Resolve("HEAD")
					if err != nil {
						b.Fatal(err)
					}
					tags, err := r.ModelTags("lite-llm-base")
					if err != nil || len(tags) != 100 {
						b.Fatalf("%d tags, %v", len(tags), err)
					}
					if far {
						tags = tags[len(tags)-1:]
					}
					t, err := r.Baseline(tags, head)
					if err != nil || t == nil {
						b.Fatalf("baseline %v, %v", t, err)
					}
				}
			})
		})
	}
}

// BenchmarkDiff lists the changed files between a release and HEAD: the
// last release (30 commits back, a few files) and the first (every file).
func BenchmarkDiff(b *testing.B) {
	dir := benchmarkRepo(b)
	for _, c := range []struct {
		name, base string
		min        int
	}{{"near", "lite-llm-base-v1.20.0", 3}, {"far", "lite-llm-base-v1.0.0", 2000}} {
		b.Run(c.name, func(b *testing.B) {
			readers(b, func(b *testing.B) {
				r, err := Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				base, err := r.Resolve(c.base)
				if err != nil {
					b.Fatal(err)
				}
				head, err := r.Resolve("HEAD")
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					files, err := r.ChangedFiles(context.Background(), base, head)
					if err != nil || len(files) < c.min {
						b.Fatalf("%d changed files, %v; want at least %d", len(files), err, c.min)
					}
				}
			})
		})
	}
}
