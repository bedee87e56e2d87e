package cli_test

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/cli"
	"github.com/modelgate/modelgate/internal/githubtest"
)

// ghReleaseRepo is a model repository released as 1.0.0 (tagged) whose head
// adds a tier and declares 1.1.0 with notes: a passing release.
func ghReleaseRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	gitInit(t, dir)
	writeFile(t, dir, "manifest.yaml", "model: lite-llm-base-v1.0.0\ntiers:\n  - name: core\n    experts: 8\n")
	writeFile(t, dir, "releases/v1.0.0.md", "First.\n")
	gitCommitAll(t, dir, "release 1.0.0")
	git(t, dir, "tag", "-a", "lite-llm-base-v1.0.0", "-m", "release 1.0.0")
	writeFile(t, dir, "manifest.yaml", "model: lite-llm-base-v1.1.0\ntiers:\n  - name: core\n    experts: 8\n  - name: long\n    experts: 4\n")
	writeFile(t, dir, "releases/v1.1.0.md", "A long-context tier: old clients ignore it.\n")
	gitCommitAll(t, dir, "a tier")
	return dir
}

// releaseEnv clears what a developer's shell may hold and points the API
// at api.
func releaseEnv(t *testing.T, api string) {
	for _, v := range []string{"GITHUB_TOKEN", "GITHUB_REPOSITORY", "GITHUB_SERVER_URL"} {
		t.Setenv(v, "")
	}
	t.Setenv("GITHUB_API_URL", api)
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestReleaseRefusesOriginsNotOnGitHub: release talks to GitHub only; an
// origin elsewhere is refused before any request unless GITHUB_REPOSITORY
// says which GitHub repository to release in.
func TestReleaseRefusesOriginsNotOnGitHub(t *testing.T) {
	srv := githubtest.New(t, "acme", "models", "")
	dir := ghReleaseRepo(t)
	other := t.TempDir()
	git(t, dir, "remote", "add", "origin", "https://example.invalid/placeholder")
	for _, origin := range []string{
		other,
		"../models",
		"file://" + filepath.ToSlash(other),
		"https://huggingface.co/acme/models",
		"git@hf.co:acme/models",
		"https://gitlab.com/acme/models.git",
		"git@gitlab.com:acme/models.git",
		"https://github.com.evil.test/acme/models.git",
		"",
	} {
		t.Run(origin, func(t *testing.T) {
			releaseEnv(t, srv.URL)
			before := len(srv.Requests())
			if origin == "" {
				git(t, dir, "remote", "remove", "origin")
				defer git(t, dir, "remote", "add", "origin", "https://example.invalid/placeholder")
			} else {
				git(t, dir, "remote", "set-url", "origin", origin)
			}
			for _, args := range [][]string{{"release", "--dry-run", "--repo", dir}, {"release", "--repo", dir}} {
				t.Setenv("GITHUB_TOKEN", map[bool]string{true: "", false: "ghs_t0ken"}[args[1] == "--dry-run"])
				code, stdout, stderr := runCLI(args...)
				if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "set GITHUB_REPOSITORY=owner/name") {
					t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
				}
				if stdout != "" {
					t.Errorf("%v: stdout %q", args, stdout)
				}
			}
			if n := len(srv.Requests()) - before; n != 0 {
				t.Errorf("%d requests reached GitHub", n)
			}
			t.Setenv("GITHUB_REPOSITORY", "acme/models")
			code, stdout, stderr := runCLI("release", "--dry-run", "--repo", dir)
			if code != 0 || !strings.Contains(stdout, "would create the release lite-llm-base-v1.1.0 (draft)") {
				t.Errorf("with GITHUB_REPOSITORY: exit %d\n%s%s", code, stdout, stderr)
			}
		})
	}
}

// TestReleaseDryRunWithoutToken: --dry-run reads anonymously and says that
// it cannot see drafts; no Authorization header is sent.
func TestReleaseDryRunWithoutToken(t *testing.T) {
	srv := githubtest.New(t, "acme", "models", "")
	dir := ghReleaseRepo(t)
	releaseEnv(t, srv.URL)
	git(t, dir, "remote", "add", "origin", "git@github.com:acme/models.git")
	code, stdout, stderr := runCLI("release", "--dry-run", "--repo", dir)
	if code != 0 || !strings.Contains(stdout, "no GITHUB_TOKEN: reading anonymously") ||
		!strings.Contains(stdout, "would create the release lite-llm-base-v1.1.0 (draft)") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("no request reached GitHub")
	}
	for _, r := range reqs {
		if r.Method != "GET" || r.Header.Get("Authorization") != "" {
			t.Errorf("%s %s with Authorization %q", r.Method, r.Path, r.Header.Get("Authorization"))
		}
	}
	// Without --dry-run a token is needed.
	code, _, stderr = runCLI("release", "--repo", dir)
	if code != 2 || !strings.Contains(stderr, "GITHUB_TOKEN is not set") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("no token: exit %d, stderr %q", code, stderr)
	}
}

// TestReleaseUnreachableAPI: a closed port fails with one line and no
// retries.
func TestReleaseUnreachableAPI(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := ghReleaseRepo(t)
	for _, token := range []string{"", "ghs_t0ken"} {
		releaseEnv(t, "http://"+addr)
		t.Setenv("GITHUB_REPOSITORY", "acme/models")
		t.Setenv("GITHUB_TOKEN", token)
		code, stdout, stderr := runCLI("release", "--dry-run", "--repo", dir)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "cannot reach the GitHub API at "+addr) {
			t.Errorf("token %q: exit %d, stderr %q", token, code, stderr)
		}
		if strings.Contains(stdout, "retrying") || (token != "" && strings.Contains(stdout+stderr, token)) {
			t.Errorf("stdout %q", stdout)
		}
	}
}
