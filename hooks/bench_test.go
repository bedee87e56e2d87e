package hooks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/exitcode"
)

// BenchmarkPreCommitNoModel is the pre-commit hook's fast path in process:
// a commit that stages only README.md in a repository of 10,000 files in
// 100 folders with a model at its root (the shape of testdata/bench's
// benchmark repository), so the index is read and compared with HEAD's
// tree, and the gate does not run. Every run must pass silently.
func BenchmarkPreCommitNoModel(b *testing.B) {
	dir := b.TempDir()
	git := func(stdin string, args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Stdin = strings.NewReader(stdin)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("git %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	// One commit written by git fast-import, its tree read into the index
	// with the cache-tree git commit leaves (write-tree), then README.md
	// staged as git add stages it.
	var stream strings.Builder
	stream.WriteString("commit refs/heads/main\ncommitter b <b@modelgate.invalid> 1700000000 +0000\ndata 3\none\n")
	file := func(name, content string) {
		fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", name, len(content), content)
	}
	file("manifest.yaml", "model: lite-llm-base-v1.0.0\narchitecture:\n  hidden_size: 4096\n")
	file("README.md", "# lite-llm-base\n")
	for i := range 10_000 {
		file(fmt.Sprintf("src/pkg%02d/file%04d.py", i%100, i), fmt.Sprintf("x = %d", i))
	}
	git("", "init", "-q", "-b", "main")
	git(stream.String(), "fast-import", "--quiet")
	git("", "read-tree", "HEAD")
	git("", "write-tree")
	blob := git("# lite-llm-base\n\nMore documentation.\n", "hash-object", "-w", "--stdin")
	git("", "update-index", "--cacheinfo", "100644,"+blob+",README.md")
	if staged := git("", "diff", "--cached", "--name-only"); staged != "README.md" {
		b.Fatalf("staged %q, want README.md", staged)
	}
	var out bytes.Buffer
	e := &Env{Repo: dir, Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}
	for b.Loop() {
		if code := PreCommit(context.Background(), e); code != exitcode.Pass || out.Len() != 0 {
			b.Fatalf("pre-commit: exit %d, output %q; want 0 and nothing", code, out.String())
		}
	}
}
