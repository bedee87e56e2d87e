package action

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/githubtest"
)

// TestWorkInProgress: a change that keeps the released version is work in
// progress. A pull request (command: check) passes under policy release, and
// the summary and the report say what the next release needs; command:
// release gates it as a release, which fails and drafts nothing; under
// policy every-change the pull request fails too.
func TestWorkInProgress(t *testing.T) {
	ws := repo(t, "1.0.0") // a tier added, the version kept
	r := start(t, ws, "pull_request", "refs/pull/3/merge", map[string]any{"number": 3, "pull_request": map[string]any{"number": 3}})
	r.exec(t)
	if r.code != 0 {
		t.Fatalf("pull request: exit %d\n%s%s", r.code, r.stdout.String(), r.stderr.String())
	}
	const next = "work in progress: unreleased changes require a minor bump: the next release must be at least 1.1.0"
	if summary := r.read(t, "GITHUB_STEP_SUMMARY"); !strings.Contains(summary, "> "+next+"\n") {
		t.Errorf("the summary does not say what the next release needs:\n%s", summary)
	}
	out := r.outputs(t)
	var report struct {
		Passed bool `json:"passed"`
		Models []struct {
			Release  bool     `json:"release"`
			Notices  []string `json:"notices"`
			Problems []struct{ Rule string }
			Head     struct{ Source string }
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(out["report"]), &report); err != nil {
		t.Fatal(err)
	}
	if !report.Passed || report.Models[0].Release || len(report.Models[0].Problems) != 0 || report.Models[0].Head.Source != "commit" ||
		!strings.Contains(strings.Join(report.Models[0].Notices, "\n"), next) {
		t.Errorf("report output: %+v", report)
	}
	if out["passed"] != "true" || out["next-identifier"] != "lite-llm-base-v1.1.0" {
		t.Errorf("outputs %v", out)
	}

	// command: release says it is a release: version-not-bumped, no draft.
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	r = start(t, ws, "push", "refs/heads/main", map[string]any{})
	r.env["INPUT_COMMAND"], r.env["GITHUB_API_URL"] = "release", srv.APIURL()
	r.exec(t)
	if r.code != 1 || len(srv.Requests()) != 0 || !strings.Contains(r.stdout.String(), "title=modelgate version-not-bumped::declared 1.0.0 equals the baseline") {
		t.Errorf("command release: exit %d, %d requests\n%s", r.code, len(srv.Requests()), r.stdout.String())
	}

	// policy every-change gates the pull request as well.
	write(t, ws, ".modelgate.yaml", "policy: every-change\n")
	git(t, ws, "add", "-A")
	git(t, ws, "commit", "-qm", "gate every change")
	r = start(t, ws, "pull_request", "refs/pull/3/merge", map[string]any{})
	r.exec(t)
	if r.code != 1 || !strings.Contains(r.read(t, "GITHUB_STEP_SUMMARY"), "| `version-not-bumped` |") {
		t.Errorf("every-change: exit %d\n%s", r.code, r.read(t, "GITHUB_STEP_SUMMARY"))
	}
}

// TestTagPushIsARelease: a tag push gates a release even when the declared
// version has no change to show for it.
func TestTagPushIsARelease(t *testing.T) {
	ws := repo(t, "1.1.0")
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	r := start(t, ws, "push", "refs/tags/lite-llm-base-v1.1.0", map[string]any{})
	r.exec(t)
	var report struct {
		Models []struct {
			Release bool `json:"release"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(r.outputs(t)["report"]), &report); err != nil || r.code != 0 || !report.Models[0].Release {
		t.Errorf("tag push: exit %d, %v %+v", r.code, err, report)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
