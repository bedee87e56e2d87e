package snapshot

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		out              string
		staged, unstaged []string
	}{
		{"", nil, nil},
		{"M  manifest.yaml\x00", []string{"manifest.yaml"}, nil},
		{" M src/model.py\x00", nil, []string{"src/model.py"}},
		{"MM both.py\x00?? new file.py\x00A  added.json\x00", []string{"both.py", "added.json"}, []string{"both.py", "new file.py"}},
		{" D gone.py\x00D  removed.py\x00", []string{"removed.py"}, []string{"gone.py"}},
		{"!! ignored.log\x00xx\x00M_bad\x00", nil, nil},
	}
	for _, tt := range tests {
		c := parseStatus(tt.out)
		if !slices.Equal(c.Staged, tt.staged) || !slices.Equal(c.Unstaged, tt.unstaged) {
			t.Errorf("parseStatus(%q) = %q, %q; want %q, %q", tt.out, c.Staged, c.Unstaged, tt.staged, tt.unstaged)
		}
	}
}

// FuzzParseStatus: any output yields paths that are whole entries of it.
func FuzzParseStatus(f *testing.F) {
	f.Add("M  manifest.yaml\x00 M src/model.py\x00?? notes.md\x00")
	f.Add("MM a b\x00!! c\x00")
	f.Fuzz(func(t *testing.T, out string) {
		c := parseStatus(out)
		entries := strings.Split(out, "\x00")
		for _, p := range append(c.Staged, c.Unstaged...) {
			if !slices.ContainsFunc(entries, func(e string) bool { return len(e) > 3 && e[3:] == p }) {
				t.Fatalf("path %q is no entry of %q", p, out)
			}
		}
	})
}

// TestSnapshots records the index and the working tree of a real
// repository: the index as git commit would record it (GIT_INDEX_FILE
// honoured), the working tree with untracked files that .gitignore does not
// exclude, and neither changes the index.
func TestSnapshots(t *testing.T) {
	dir := t.TempDir()
	run := func(env []string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t",
			"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(nil, "init", "-q")
	write("a.txt", "one\n")
	write(".gitignore", "*.log\n")
	run(nil, "add", "-A")
	run(nil, "commit", "-qm", "first")
	head := run(nil, "rev-parse", "HEAD")
	write("a.txt", "staged\n")
	run(nil, "add", "a.txt")
	write("a.txt", "working\n")
	write("new.txt", "untracked\n")
	write("debug.log", "ignored\n")
	indexBefore := run(nil, "ls-files", "-s")

	ctx := context.Background()
	idx, err := Index(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(nil, "show", idx+":a.txt"); got != "staged" {
		t.Errorf("index snapshot holds a.txt %q, want the staged content", got)
	}
	if parent := run(nil, "rev-parse", idx+"^"); parent != head {
		t.Errorf("index snapshot's parent %s, want HEAD %s", parent, head)
	}
	wt, err := Worktree(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	files := run(nil, "ls-tree", "--name-only", wt)
	if got := run(nil, "show", wt+":a.txt"); got != "working" || !strings.Contains(files, "new.txt") || strings.Contains(files, "debug.log") {
		t.Errorf("worktree snapshot: a.txt %q, files %q", got, files)
	}
	if after := run(nil, "ls-files", "-s"); after != indexBefore {
		t.Errorf("the index changed:\n%s\nwant\n%s", after, indexBefore)
	}
	// GIT_INDEX_FILE, as git commit -a sets it: that index is recorded.
	other := filepath.Join(t.TempDir(), "index")
	run([]string{"GIT_INDEX_FILE=" + other}, "read-tree", head)
	t.Setenv("GIT_INDEX_FILE", other)
	idx2, err := Index(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(nil, "show", idx2+":a.txt"); got != "one" {
		t.Errorf("with GIT_INDEX_FILE, a.txt %q, want the content of that index", got)
	}
	os.Unsetenv("GIT_INDEX_FILE")
	c, err := Uncommitted(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Staged, []string{"a.txt"}) || !slices.Equal(c.Unstaged, []string{"a.txt", "new.txt"}) {
		t.Errorf("uncommitted %+v", c)
	}
}
