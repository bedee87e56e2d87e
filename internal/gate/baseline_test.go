package gate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo is a real git repository built with the git command.
type gitRepo struct {
	t   *testing.T
	dir string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs git in the repository with a fixed identity and dates, and
// returns its output.
func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir, "-c", "user.name=t", "-c", "user.email=t@example.invalid",
		"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-01-05T09:00:00Z", "GIT_COMMITTER_DATE=2026-01-05T09:00:00Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// release commits a manifest declaring version v of model m with its notes,
// and tags it m-v<v> when tag is set.
func (r *gitRepo) release(m, v string, tag bool) {
	r.t.Helper()
	r.write("manifest.yaml", "model: "+m+"-v"+v+"\narchitecture:\n  hidden_size: 4096\n  rope_theta: "+v+"\n")
	r.write("releases/v"+v+".md", "Release "+v+".\n")
	r.git("add", "-A")
	r.git("commit", "-q", "-m", m+" "+v)
	if tag {
		r.git("tag", "-a", "-m", "release", m+"-v"+v)
	}
}

func (r *gitRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// TestBaselineSelection runs the gate on real repositories and checks which
// revision it compares with, and what the report says about the choice.
func TestBaselineSelection(t *testing.T) {
	tests := []struct {
		name   string
		build  func(r *gitRepo)
		opts   Options
		base   string // the baseline's ref in the report; "" for a first release
		notice string // a notice the report must carry
	}{
		{name: "highest stable tag reachable from head",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.release("m", "1.1.0", true)
				r.release("m", "1.2.0-rc.1", true)
				r.release("m", "1.2.0", false)
			},
			base: "m-v1.1.0", notice: "baseline m-v1.1.0: the highest release tag of m reachable from HEAD"},
		{name: "a higher tag on another branch is not the baseline",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.git("checkout", "-q", "-b", "side")
				r.release("m", "2.0.0", true)
				r.git("checkout", "-q", "main")
				r.release("m", "1.1.0", false)
			},
			base: "m-v1.0.0"},
		{name: "tags of other models are ignored",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.git("tag", "-a", "-m", "other", "other-v9.0.0")
				r.release("m", "1.1.0", false)
			},
			base: "m-v1.0.0"},
		{name: "the declared version's own tag is never its baseline",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.release("m", "1.1.0", true)
			},
			opts: Options{Version: "m-v1.1.0"},
			base: "m-v1.0.0"},
		{name: "no release tag: a first release",
			build:  func(r *gitRepo) { r.release("m", "1.0.0", false) },
			notice: "first release: no release tag m-v<version> is reachable from HEAD"},
		{name: "--base none: a first release",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.release("m", "1.1.0", false)
			},
			opts:   Options{Base: BaseNone},
			notice: "first release: --base none"},
		{name: "--base names the revision",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.release("m", "1.1.0", true)
				r.release("m", "1.2.0", false)
			},
			opts: Options{Base: "m-v1.0.0"},
			base: "m-v1.0.0"},
		{name: "tags only: the highest stable tag below the declared version",
			build: func(r *gitRepo) {
				r.release("m", "1.0.0", true)
				r.release("m", "1.1.0", true)
				r.release("m", "1.2.0", false)
			},
			opts:   Options{TagsOnly: true},
			base:   "m-v1.1.0",
			notice: "baseline m-v1.1.0: the highest release tag below 1.2.0, fetched for this shallow checkout; whether it is an ancestor of HEAD was not checked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newGitRepo(t)
			tt.build(r)
			opts := tt.opts
			opts.Repo = r.dir
			rep, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			m := rep.Models[0]
			switch {
			case tt.base == "" && m.Base != nil:
				t.Errorf("baseline %s, want a first release", m.Base.Ref)
			case tt.base != "" && m.Base == nil:
				t.Errorf("a first release, want baseline %s", tt.base)
			case tt.base != "" && m.Base.Ref != tt.base:
				t.Errorf("baseline %s, want %s", m.Base.Ref, tt.base)
			case tt.base != "" && m.Base.Commit != r.git("rev-parse", tt.base+"^{commit}"):
				t.Errorf("baseline commit %s, want that of %s", m.Base.Commit, tt.base)
			}
			if tt.notice != "" && !strings.Contains(strings.Join(m.Notices, "\n"), tt.notice) {
				t.Errorf("notices %q, want %q", m.Notices, tt.notice)
			}
		})
	}
}

// TestBaselineNotAnAncestor refuses to guess when the model has release
// tags but none is an ancestor of head.
func TestBaselineNotAnAncestor(t *testing.T) {
	r := newGitRepo(t)
	r.release("m", "1.0.0", false)
	r.git("checkout", "-q", "--orphan", "other")
	r.release("m", "2.0.0", true)
	r.git("checkout", "-q", "main")
	r.release("m", "1.1.0", false)
	_, err := Run(context.Background(), Options{Repo: r.dir})
	want := "m has release tags (the highest is m-v2.0.0) but none is an ancestor of HEAD"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want %q", err, want)
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want one line about the tags", err)
	}
}
