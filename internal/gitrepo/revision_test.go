package gitrepo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitCLI runs git in dir with a fixed identity and no user configuration
// and returns its trimmed output and whether it exited 0.
func gitCLI(t testing.TB, dir string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=modelgate test", "GIT_AUTHOR_EMAIL=test@modelgate.invalid",
		"GIT_COMMITTER_NAME=modelgate test", "GIT_COMMITTER_EMAIL=test@modelgate.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+dir,
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
	)
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err == nil
}

// mustGit runs git and fails the test when it fails.
func mustGit(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, ok := gitCLI(t, dir, args...)
	if !ok {
		t.Fatalf("git %s failed", strings.Join(args, " "))
	}
	return out
}

// revisionRepo builds a repository with a merge, branches, remote-tracking
// refs, annotated, lightweight and nested tags, tags of a tree and a blob,
// a tag and a branch of the same name, a reflog, ORIG_HEAD and FETCH_HEAD,
// and a stray file .git/feature that git 2.39 reads as a ref.
func revisionRepo(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("these tests compare with the git CLI: install git")
	}
	dir := t.TempDir()
	mustGit(t, dir, "init", "-q", "-b", "main")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, msg := range []string{"c1", "c2", "c3"} {
		write("f", msg+"\n")
		mustGit(t, dir, "add", "f")
		mustGit(t, dir, "commit", "-q", "-m", msg)
		if i == 0 {
			mustGit(t, dir, "branch", "feature")
		}
	}
	mustGit(t, dir, "checkout", "-q", "feature")
	write("g", "feature\n")
	mustGit(t, dir, "add", "g")
	mustGit(t, dir, "commit", "-q", "-m", "on feature")
	mustGit(t, dir, "checkout", "-q", "main")
	mustGit(t, dir, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
	mustGit(t, dir, "tag", "light")
	mustGit(t, dir, "tag", "-a", "ann", "-m", "annotated")
	mustGit(t, dir, "tag", "-a", "nested", "-m", "a tag of a tag", "ann")
	mustGit(t, dir, "tag", "treetag", "HEAD^{tree}")
	mustGit(t, dir, "tag", "blobtag", "HEAD:f")
	mustGit(t, dir, "tag", "same", "HEAD~1")
	mustGit(t, dir, "branch", "same", "HEAD~2")
	mustGit(t, dir, "update-ref", "refs/remotes/origin/main", "HEAD~1")
	mustGit(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	mustGit(t, dir, "fetch", "-q", ".", "feature")
	write("f", "c4\n")
	mustGit(t, dir, "commit", "-q", "-am", "c4")
	mustGit(t, dir, "reset", "-q", "--hard", "HEAD~1") // ORIG_HEAD is c4, HEAD@{1} too
	stray := mustGit(t, dir, "rev-parse", "HEAD~2")
	if err := os.WriteFile(filepath.Join(dir, ".git", "feature"), []byte(stray+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestResolveLikeGit resolves a table of revisions with modelgate and with
// git rev-parse --verify in a real repository: modelgate resolves the very
// commit git names, or refuses; it never names another commit, and never a
// tree or a blob.
func TestResolveLikeGit(t *testing.T) {
	dir := revisionRepo(t)
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head := mustGit(t, dir, "rev-parse", "HEAD")
	tree := mustGit(t, dir, "rev-parse", "HEAD^{tree}")
	blob := mustGit(t, dir, "rev-parse", "HEAD:f")
	describe := "ann-1-g" + head[:7]

	for _, tc := range []struct {
		rev     string
		resolve bool   // modelgate resolves it (to git's commit)
		refuse  string // else: a substring of the refusal
	}{
		{rev: "HEAD", resolve: true},
		{rev: "@", resolve: true},
		{rev: "main", resolve: true},
		{rev: "refs/heads/main", resolve: true},
		{rev: "heads/main", resolve: true},
		{rev: "HEAD~1", resolve: true},
		{rev: "HEAD~", resolve: true},
		{rev: "HEAD^", resolve: true},
		{rev: "HEAD^^", resolve: true},
		{rev: "HEAD^2", resolve: true},
		{rev: "HEAD^2~1", resolve: true},
		{rev: "HEAD~1^2", refuse: "has 1 parent(s), not 2"},
		{rev: "HEAD^3", refuse: "has 2 parent(s), not 3"},
		{rev: "HEAD~2^0", resolve: true},
		{rev: "@~2", resolve: true},
		{rev: "HEAD~0", resolve: true},
		{rev: "HEAD^{}", resolve: true},
		{rev: "HEAD^{commit}", resolve: true},
		{rev: "HEAD~1^{commit}~1", resolve: true},
		{rev: "ann", resolve: true},
		{rev: "ann^{}", resolve: true},
		{rev: "ann^{tag}", resolve: true},
		{rev: "ann^{object}", resolve: true},
		{rev: "ann~1", resolve: true},
		{rev: "nested", resolve: true},
		{rev: "nested^{tag}^{}", resolve: true},
		{rev: "light", resolve: true},
		{rev: "light^{tag}", refuse: "not a tag object"},
		{rev: "same", resolve: true}, // refs/tags/same wins, as in git
		{rev: "heads/same", resolve: true},
		{rev: "origin", resolve: true},
		{rev: "origin/main", resolve: true},
		{rev: "remotes/origin/main", resolve: true},
		{rev: "FETCH_HEAD", resolve: true},
		{rev: "ORIG_HEAD", resolve: true},
		{rev: head, resolve: true},
		{rev: strings.ToUpper(head), resolve: true},
		{rev: head[:7], resolve: true},
		{rev: head[:4], resolve: true},
		{rev: describe, resolve: true},
		{rev: "v9-3-g" + head[:5], resolve: true},

		{rev: "feature", refuse: "is ambiguous"}, // .git/feature and refs/heads/feature
		{rev: "treetag", refuse: "names a tree, not a commit"},
		{rev: "blobtag", refuse: "names a blob, not a commit"},
		{rev: "treetag^{}", refuse: "names a tree, not a commit"},
		{rev: "HEAD^{tree}", refuse: "names a tree, not a commit"},
		{rev: "HEAD^{blob}", refuse: "names a blob, not a commit"},
		{rev: tree, refuse: "names a tree, not a commit"},
		{rev: blob[:8], refuse: "names a blob, not a commit"},
		{rev: "HEAD:f", refuse: "names a file or folder"},
		{rev: "main:f", refuse: "names a file or folder"},
		{rev: ":f", refuse: "names a file or folder"},
		{rev: ":0:f", refuse: "names a file or folder"},
		{rev: ":/c1", refuse: "searches commit messages"},
		{rev: "HEAD^{/c2}", refuse: "searches commit messages"},
		{rev: "HEAD^{/a:b}", refuse: "searches commit messages"},
		{rev: "HEAD@{1}", refuse: "reads the reflog"},
		{rev: "HEAD@{0}", refuse: "reads the reflog"},
		{rev: "main@{1}", refuse: "reads the reflog"},
		{rev: "main@{1}~1", refuse: "reads the reflog"},
		{rev: "@{1}", refuse: "reads the reflog"},
		{rev: "@{-1}", refuse: "reads the reflog"},
		{rev: "main@{u}", refuse: "reads the reflog"},
		{rev: "@{upstream}", refuse: "reads the reflog"},
		{rev: "main@{push}", refuse: "reads the reflog"},
		{rev: "HEAD@{2026-01-01}", refuse: "reads the reflog"},
		{rev: "HEAD..main", refuse: "is a range"},
		{rev: "HEAD...main", refuse: "is a range"},
		{rev: "HEAD^@", refuse: "unknown revision"},
		{rev: "HEAD^!", refuse: "unknown revision"},
		{rev: "HEAD^-", refuse: "unknown revision"},
		{rev: "HEAD^{foo}", refuse: "unknown revision"},
		{rev: "^{commit}", refuse: "unknown revision"},
		{rev: "HEAD~99", refuse: "has 0 parent(s), not 1"},
		{rev: "HEAD~2147483648", refuse: "unknown revision"},
		{rev: "HEAD~99999999999999999999", refuse: "unknown revision"},
		{rev: "nosuch", refuse: "unknown revision"},
		{rev: "HEAD ", refuse: "unknown revision"},
		{rev: " HEAD", refuse: "unknown revision"},
		{rev: "-q", refuse: "unknown revision"},
		{rev: "../../HEAD", refuse: "is a range"},
		{rev: "refs/heads/../../config", refuse: "is a range"},
		{rev: "config", refuse: "unknown revision"},
		{rev: "logs/HEAD", refuse: "is ambiguous"}, // .git/logs/HEAD starts with a hash
		{rev: "0000000", refuse: "unknown revision"},
		{rev: strings.Repeat("0", 40), refuse: "unknown revision"},
		{rev: "", refuse: "unknown revision"},
	} {
		t.Run(tc.rev, func(t *testing.T) {
			obj, gitOK := gitCLI(t, dir, "rev-parse", "--verify", "-q", "--end-of-options", tc.rev)
			gitCommit := ""
			if gitOK {
				gitCommit, _ = gitCLI(t, dir, "rev-parse", "--verify", "-q", obj+"^{commit}")
			}
			c, err := r.Resolve(tc.rev)
			if err == nil {
				if c.Hash != gitCommit {
					t.Fatalf("modelgate resolves %s, git rev-parse names %q (commit %q)", c.Hash, obj, gitCommit)
				}
				if !tc.resolve {
					t.Errorf("resolved to %s (as git does); the table expects a refusal", c.Hash[:7])
				}
				return
			}
			if tc.resolve {
				t.Errorf("refused: %v; git names %s", err, gitCommit)
			}
			if !strings.Contains(err.Error(), tc.refuse) || !strings.Contains(err.Error(), "\""+tc.rev+"\"") {
				t.Errorf("refusal %q lacks %q or the quoted revision", err, tc.refuse)
			}
		})
	}
}

// FuzzResolveRevision resolves fuzzed revisions in the repository of
// TestResolveLikeGit: modelgate must never panic, and whatever it resolves
// must be the commit git rev-parse --verify names.
func FuzzResolveRevision(f *testing.F) {
	for _, seed := range []string{"HEAD", "HEAD~2^2", "ann^{}", "nested^{tag}^{}", "HEAD@{1}", "main:f", ":/c1",
		"HEAD^{/c2}", "origin", "ann-1-g0000", "same", "FETCH_HEAD", "HEAD^{tree}", "@~1", "a..b", "HEAD^{commit}}"} {
		f.Add(seed)
	}
	dir := revisionRepo(f)
	r, err := Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rev string) {
		if len(rev) > 100 || strings.ContainsRune(rev, 0) {
			return
		}
		c, err := r.Resolve(rev)
		if err != nil {
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("a refusal of several lines: %q", err)
			}
			return
		}
		obj, ok := gitCLI(t, dir, "rev-parse", "--verify", "-q", "--end-of-options", rev)
		if !ok {
			t.Fatalf("modelgate resolves %q to %s, git rev-parse refuses it", rev, c.Hash)
		}
		commit, _ := gitCLI(t, dir, "rev-parse", "--verify", "-q", obj+"^{commit}")
		if commit != c.Hash {
			t.Fatalf("modelgate resolves %q to %s, git to %q (commit %q)", rev, c.Hash, obj, commit)
		}
	})
}
