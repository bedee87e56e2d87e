package action

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelgate/modelgate/internal/githubtest"
)

// repo builds a model repository with the git CLI: release v1.0.0 (tagged),
// then a commit that adds a tier and declares the given version with notes.
func repo(t *testing.T, declared string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("manifest.yaml", "model: lite-llm-base-v1.0.0\ntiers:\n  - name: core\n    experts: 8\n")
	write("releases/v1.0.0.md", "First.\n")
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "release")
	git(t, dir, "tag", "-a", "lite-llm-base-v1.0.0", "-m", "release")
	write("manifest.yaml", "model: lite-llm-base-v"+declared+"\ntiers:\n  - name: core\n    experts: 8\n  - name: long\n    experts: 4\n")
	write("releases/v"+declared+".md", "A long-context tier: old clients ignore it.\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "a tier")
	return dir
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
		"GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// runner is one run of the action as the runner starts it.
type run struct {
	env            map[string]string
	stdout, stderr bytes.Buffer
	code           int
}

// start prepares the variables the runner sets for an event.
func start(t *testing.T, workspace, event, ref string, payload any) *run {
	t.Helper()
	tmp := t.TempDir()
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	eventPath := filepath.Join(tmp, "event.json")
	if err := os.WriteFile(eventPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// The runner creates the file-command files before each step.
	for _, f := range []string{"output", "summary"} {
		if err := os.WriteFile(filepath.Join(tmp, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &run{env: map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": eventPath,
		"GITHUB_REF": ref, "GITHUB_SHA": git(t, workspace, "rev-parse", "HEAD"), "GITHUB_REPOSITORY": "acme/lite-llm",
		"GITHUB_OUTPUT": filepath.Join(tmp, "output"), "GITHUB_STEP_SUMMARY": filepath.Join(tmp, "summary"),
		"INPUT_COMMAND": "check", "INPUT_TOKEN": "ghs_secretTOKEN123", "INPUT_PUBLISH": "false", "INPUT_FAIL-ON-WARNINGS": "false",
		// No pull request comment unless a test asks for one with a fake
		// GitHub (comment_test.go): tests reach no network.
		"INPUT_COMMENT": "never",
	}}
}

func (r *run) exec(t *testing.T) {
	t.Helper()
	r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr, Tool: "test"})
	for _, s := range []string{r.stdout.String(), r.stderr.String(), r.read(t, "GITHUB_OUTPUT"), r.read(t, "GITHUB_STEP_SUMMARY")} {
		if strings.Contains(s, "ghs_secretTOKEN123") {
			t.Fatalf("the token appears in the action's output:\n%s", s)
		}
	}
}

func (r *run) read(t *testing.T, variable string) string {
	data, err := os.ReadFile(r.env[variable])
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

var fileCommandRE = regexp.MustCompile(`(?s)([A-Za-z0-9_-]+)<<(ghadelimiter_[0-9a-f]{32})\n(.*?)\n(ghadelimiter_[0-9a-f]{32})\n`)

// outputs parses $GITHUB_OUTPUT as the runner does.
func (r *run) outputs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	text := r.read(t, "GITHUB_OUTPUT")
	rest := fileCommandRE.ReplaceAllStringFunc(text, func(m string) string {
		sm := fileCommandRE.FindStringSubmatch(m)
		if sm[2] != sm[4] {
			t.Fatalf("delimiters differ: %s %s", sm[2], sm[4])
		}
		out[sm[1]] = sm[3]
		return ""
	})
	if rest != "" {
		t.Fatalf("$GITHUB_OUTPUT has lines that are not file commands: %q", rest)
	}
	return out
}

func TestPullRequest(t *testing.T) {
	ws := repo(t, "1.0.1") // a tier added needs 1.1.0: the gate fails
	r := start(t, ws, "pull_request", "refs/pull/7/merge", map[string]any{"number": 7, "pull_request": map[string]any{"number": 7}})
	r.exec(t)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout.String(), r.stderr.String())
	}
	out := r.outputs(t)
	want := map[string]string{"passed": "false", "required-bump": "minor", "declared-version": "1.0.1",
		"required-version": "1.1.0", "next-identifier": "lite-llm-base-v1.1.0"}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("output %s = %q, want %q", k, out[k], v)
		}
	}
	if _, ok := out["release-url"]; ok {
		t.Error("a pull request wrote a release output")
	}
	var report struct {
		Passed bool `json:"passed"`
		Models []struct {
			Problems []struct{ Rule string } `json:"problems"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out["report"]), &report); err != nil || report.Passed || report.Models[0].Problems[0].Rule != "version-too-small" {
		t.Errorf("report output: %v %+v", err, report)
	}
	stdout := r.stdout.String()
	for _, w := range []string{
		"::error file=manifest.yaml,line=1,title=modelgate version-too-small::declared 1.0.1, the changes require at least 1.1.0%0Afix: set model: lite-llm-base-v1.1.0 in manifest.yaml\n",
		"::notice file=manifest.yaml,line=5,title=modelgate tier-added (minor)::",
		"pull request #7 (merge commit)",
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	// The text report, which quotes manifest values, is inside a
	// stop-commands block with a random token.
	if !regexp.MustCompile(`(?s)::stop-commands::([0-9a-f]{32})\n.*FAIL lite-llm-base.*\n::([0-9a-f]{32})::\n`).MatchString(stdout) {
		t.Errorf("the text report is not inside a stop-commands block:\n%s", stdout)
	}
	summary := r.read(t, "GITHUB_STEP_SUMMARY")
	if !strings.Contains(summary, "### ❌ `lite-llm-base` fails the release gate") || !strings.Contains(summary, "| `version-too-small` |") {
		t.Errorf("summary:\n%s", summary)
	}
}

func TestTagPush(t *testing.T) {
	ws := repo(t, "1.1.0")
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	r := start(t, ws, "push", "refs/tags/lite-llm-base-v1.1.0", map[string]any{"ref": "refs/tags/lite-llm-base-v1.1.0"})
	r.exec(t)
	if r.code != 0 || r.outputs(t)["passed"] != "true" {
		t.Fatalf("exit %d, outputs %v\n%s%s", r.code, r.outputs(t), r.stdout.String(), r.stderr.String())
	}
	// A tag that disagrees with the manifest fails, naming the tag.
	git(t, ws, "tag", "lite-llm-base-v1.2.0")
	r = start(t, ws, "push", "refs/tags/lite-llm-base-v1.2.0", map[string]any{})
	r.exec(t)
	if r.code != 1 || !strings.Contains(r.stdout.String(), "tag lite-llm-base-v1.2.0 says 1.2.0 but manifest.yaml declares lite-llm-base-v1.1.0") {
		t.Errorf("mismatching tag: exit %d\n%s", r.code, r.stdout.String())
	}
}

func TestOtherEventChecksOnly(t *testing.T) {
	ws := repo(t, "1.1.0")
	r := start(t, ws, "workflow_dispatch", "refs/heads/main", map[string]any{})
	r.env["INPUT_COMMAND"] = "release"
	r.exec(t)
	if r.code != 0 || !strings.Contains(r.stdout.String(), "::notice title=modelgate::event workflow_dispatch: checking only, no release") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout.String(), r.stderr.String())
	}
	if _, ok := r.outputs(t)["release-id"]; ok {
		t.Error("released on workflow_dispatch")
	}
}

func TestWithoutRunnerFiles(t *testing.T) {
	ws := repo(t, "1.1.0")
	r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
	delete(r.env, "GITHUB_OUTPUT")
	delete(r.env, "GITHUB_STEP_SUMMARY")
	r.exec(t) // must not panic, must not write anywhere
	if r.code != 0 {
		t.Errorf("exit %d\n%s", r.code, r.stderr.String())
	}
}

func TestFailOnWarnings(t *testing.T) {
	ws := repo(t, "1.2.0") // skips 1.1.0: a warning
	r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
	r.exec(t)
	if r.code != 0 || !strings.Contains(r.stdout.String(), "::warning file=manifest.yaml,line=1,title=modelgate version-skips::") {
		t.Errorf("warnings alone: exit %d\n%s", r.code, r.stdout.String())
	}
	r = start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
	r.env["INPUT_FAIL-ON-WARNINGS"] = "true"
	r.exec(t)
	if r.code != 1 {
		t.Errorf("fail-on-warnings: exit %d", r.code)
	}
}

func TestBadInputs(t *testing.T) {
	ws := repo(t, "1.1.0")
	for k, v := range map[string]string{"INPUT_COMMAND": "deploy", "INPUT_PUBLISH": "yes", "INPUT_BASE": "no-such-tag"} {
		r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
		r.env[k] = v
		r.exec(t)
		if r.code != 2 || !strings.Contains(r.stdout.String(), "::error title=modelgate::") || strings.Count(r.stderr.String(), "\n") != 1 {
			t.Errorf("%s=%s: exit %d\n%s%s", k, v, r.code, r.stdout.String(), r.stderr.String())
		}
		if r.read(t, "GITHUB_OUTPUT") != "" {
			t.Errorf("%s=%s: outputs written for a run that could not run", k, v)
		}
	}
}

// TestShallowCheckout gates a depth-1 clone without tags, as actions/checkout
// makes by default: the action fetches the model's release tags and finds the
// baseline among them.
func TestShallowCheckout(t *testing.T) {
	origin := repo(t, "1.1.0")
	ws := filepath.Join(t.TempDir(), "ws")
	git(t, filepath.Dir(ws), "clone", "-q", "--depth", "1", "--no-tags", "file://"+origin, ws)
	r := start(t, ws, "push", "refs/heads/main", map[string]any{})
	r.exec(t)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout.String(), r.stderr.String())
	}
	for _, w := range []string{
		"::notice title=modelgate::shallow checkout: fetched the model's release tags (depth 1)",
		"baseline lite-llm-base-v1.0.0: the highest release tag below 1.1.0, fetched for this shallow checkout; whether it is an ancestor of branch main was not checked",
	} {
		if !strings.Contains(r.stdout.String(), w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout.String())
		}
	}
	if out := r.outputs(t); out["required-bump"] != "minor" || out["passed"] != "true" {
		t.Errorf("outputs %v", out)
	}
	// Without a reachable origin the fetch fails: exit 2 with the fix.
	ws2 := filepath.Join(t.TempDir(), "ws2")
	git(t, filepath.Dir(ws2), "clone", "-q", "--depth", "1", "--no-tags", "file://"+origin, ws2)
	git(t, ws2, "remote", "set-url", "origin", "file://"+filepath.Join(t.TempDir(), "gone"))
	r = start(t, ws2, "push", "refs/heads/main", map[string]any{})
	r.exec(t)
	if r.code != 2 || !strings.Contains(r.stderr.String(), "set fetch-depth: 0 in actions/checkout") {
		t.Errorf("unreachable origin: exit %d\n%s", r.code, r.stderr.String())
	}
}

// TestAnnotationCap: a step shows at most 10 annotations of a level; the
// rest are in the summary, which says so.
func TestAnnotationCap(t *testing.T) {
	ws := repo(t, "1.1.0")
	for i := range 14 {
		p := filepath.Join(ws, "src", "m"+strings.Repeat("x", i)+".py")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, ws, "add", "-A")
	git(t, ws, "commit", "-qm", "code")
	r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
	r.exec(t)
	if n := strings.Count(r.stdout.String(), "::notice file="); n != maxAnnotations {
		t.Errorf("%d notice annotations with a file, want %d", n, maxAnnotations)
	}
	summary := r.read(t, "GITHUB_STEP_SUMMARY")
	if !strings.Contains(summary, "5 more annotations than a step may show are listed above.") || strings.Count(summary, "`file-changed`") != 14 {
		t.Errorf("summary does not list everything:\n%s", summary)
	}
}

// TestReleaseOnPush drafts the release on a branch push, updates the same
// draft on the next push, publishes on a tag push with publish: true, and
// never touches releases on a pull request or when the gate fails.
func TestReleaseOnPush(t *testing.T) {
	ws := repo(t, "1.1.0")
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	runWith := func(event, ref string) *run {
		r := start(t, ws, event, ref, map[string]any{})
		r.env["INPUT_COMMAND"] = "release"
		r.env["GITHUB_API_URL"] = srv.APIURL()
		return r
	}
	exec := func(r *run) {
		t.Helper()
		r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
			Tool: "test", HTTPClient: srv.Client(), Sleep: func(time.Duration) {}})
		for _, s := range []string{r.stdout.String(), r.stderr.String(), r.read(t, "GITHUB_OUTPUT")} {
			if strings.Contains(s, "ghs_secretTOKEN123") {
				t.Fatalf("the token appears in the output:\n%s", s)
			}
		}
	}

	// A pull request never writes releases, whatever the command.
	r := runWith("pull_request", "refs/pull/1/merge")
	exec(r)
	if r.code != 0 || len(srv.Requests()) != 0 {
		t.Fatalf("pull request: exit %d, %d requests to GitHub", r.code, len(srv.Requests()))
	}

	// A branch push drafts the release, and outputs its ID and URL.
	r = runWith("push", "refs/heads/main")
	exec(r)
	rels := srv.Releases()
	if r.code != 0 || len(rels) != 1 || !rels[0].Draft || rels[0].TagName != "lite-llm-base-v1.1.0" {
		t.Fatalf("branch push: exit %d, releases %+v\n%s%s", r.code, rels, r.stdout.String(), r.stderr.String())
	}
	out := r.outputs(t)
	if out["release-id"] != strconv.FormatInt(rels[0].ID, 10) || out["release-url"] == "" {
		t.Errorf("release outputs %v", out)
	}
	if !strings.Contains(r.stdout.String(), "::notice title=modelgate release::created the draft lite-llm-base-v1.1.0") {
		t.Errorf("no notice of the draft:\n%s", r.stdout.String())
	}

	// The next push updates that draft: still one release.
	r = runWith("push", "refs/heads/main")
	exec(r)
	if rels = srv.Releases(); r.code != 0 || len(rels) != 1 || len(rels[0].Assets) != 1 {
		t.Fatalf("second push: exit %d, releases %+v", r.code, rels)
	}

	// The tag push with publish: true publishes that release.
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	r = runWith("push", "refs/tags/lite-llm-base-v1.1.0")
	r.env["INPUT_PUBLISH"] = "true"
	exec(r)
	if rels = srv.Releases(); r.code != 0 || len(rels) != 1 || rels[0].Draft {
		t.Fatalf("tag push: exit %d, releases %+v\n%s", r.code, rels, r.stderr.String())
	}

	// A failing gate releases nothing.
	bad := repo(t, "1.0.1")
	before := len(srv.Requests())
	r = start(t, bad, "push", "refs/heads/main", map[string]any{})
	r.env["INPUT_COMMAND"], r.env["GITHUB_API_URL"] = "release", srv.APIURL()
	exec(r)
	if r.code != 1 || len(srv.Requests()) != before || !strings.Contains(r.stdout.String(), "the gate did not pass: no release drafted") {
		t.Errorf("failing gate: exit %d, %d new requests", r.code, len(srv.Requests())-before)
	}
}

// TestReleaseForbidden: a token without contents: write gets the fix.
func TestReleaseForbidden(t *testing.T) {
	ws := repo(t, "1.1.0")
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	srv.SetReadOnly(true)
	r := start(t, ws, "push", "refs/heads/main", map[string]any{})
	r.env["INPUT_COMMAND"], r.env["GITHUB_API_URL"] = "release", srv.APIURL()
	r.code = Run(context.Background(), Env{Getenv: func(k string) string { return r.env[k] }, Stdout: &r.stdout, Stderr: &r.stderr,
		Tool: "test", HTTPClient: srv.Client(), Sleep: func(time.Duration) {}})
	if r.code != 2 || !strings.Contains(r.stderr.String(), "add `permissions: contents: write`") || strings.Contains(r.stderr.String()+r.stdout.String(), "ghs_secretTOKEN123") {
		t.Errorf("exit %d\n%s", r.code, r.stderr.String())
	}
	if out := r.outputs(t); out["passed"] != "true" {
		t.Errorf("the verdict's outputs are missing: %v", out)
	}
}
