package gate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/modelgate/modelgate/check"
	"github.com/modelgate/modelgate/internal/gitrepo"
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

// benchmarkRepo generates, once per test binary, testdata/bench/genrepo.sh's
// repository at a fifth of its size: 4,000 commits, 2,000 files, 100
// release tags; at HEAD a tier is added and 1.21.0 declared over
// lite-llm-base-v1.20.0, 30 commits back.
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

// BenchmarkEvaluate is the domain alone: both manifests loaded, the
// changed files listed, the verdict computed.
func BenchmarkEvaluate(b *testing.B) {
	dir := benchmarkRepo(b)
	repo, err := gitrepo.Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	load := func(rev string) (*gitrepo.Commit, *check.Model, check.Input) {
		c, err := repo.Resolve(rev)
		if err != nil {
			b.Fatal(err)
		}
		fsys, err := repo.FS(c)
		if err != nil {
			b.Fatal(err)
		}
		m, err := check.Load(fsys, "manifest.yaml")
		if err != nil {
			b.Fatal(err)
		}
		return c, m, check.Input{Head: m, HeadFS: fsys}
	}
	baseC, base, baseIn := load("lite-llm-base-v1.20.0")
	headC, _, in := load("HEAD")
	changed, err := repo.ChangedFiles(context.Background(), baseC, headC)
	if err != nil {
		b.Fatal(err)
	}
	in.Config, in.Base, in.BaseFS, in.Changed = check.DefaultConfig(), base, baseIn.HeadFS, changed
	in.BaseRef = check.Ref{Ref: "lite-llm-base-v1.20.0", Commit: baseC.Hash}
	in.HeadRef = check.Ref{Ref: "HEAD", Commit: headC.Hash}
	b.ReportAllocs()
	for b.Loop() {
		r, err := check.Evaluate(in)
		if err != nil {
			b.Fatal(err)
		}
		if r.RequiredBump.String() != "minor" || !r.Passed {
			b.Fatalf("required %s, passed %v; want minor, passed", r.RequiredBump, r.Passed)
		}
	}
}

// BenchmarkGate is the whole gate in process, as modelgate check runs it.
func BenchmarkGate(b *testing.B) {
	dir := benchmarkRepo(b)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(context.Background(), Options{Repo: dir})
		if err != nil {
			b.Fatal(err)
		}
		if !r.Passed || r.Models[0].RequiredBump.String() != "minor" || r.Models[0].Base == nil {
			b.Fatalf("passed %v, required %s; want a pass with minor over the baseline", r.Passed, r.Models[0].RequiredBump)
		}
	}
}
