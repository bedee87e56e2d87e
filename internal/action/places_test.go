package action

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/githubtest"
)

// monorepo builds two models, a and b, released at 1.0.0; then b gains a
// tier and declares 1.0.1, a release whose patch bump is too small for it
// (b fails the gate), and a is untouched.
func monorepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, ".modelgate.yaml", "models: [models/a/manifest.yaml, models/b/manifest.yaml]\n")
	writeFile(t, dir, "models/a/manifest.yaml", "model: a-v1.0.0\ntiers:\n  - name: core\n    experts: 8\n")
	writeFile(t, dir, "models/b/manifest.yaml", "model: b-v1.0.0\ntiers:\n  - name: core\n    experts: 8\n")
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "release a and b")
	git(t, dir, "tag", "a-v1.0.0")
	git(t, dir, "tag", "b-v1.0.0")
	writeFile(t, dir, "models/b/manifest.yaml", "model: b-v1.0.1\ntiers:\n  - name: core\n    experts: 8\n  - name: long\n    experts: 4\n")
	git(t, dir, "commit", "-qam", "b: a tier")
	return dir
}

type reportJSON struct {
	Passed bool `json:"passed"`
	Models []struct {
		Name         string `json:"name"`
		RequiredBump string `json:"required_bump"`
	} `json:"models"`
}

// TestModelInput gates one model of two with the model input, as each job
// of a strategy.matrix does.
func TestModelInput(t *testing.T) {
	ws := monorepo(t)
	for _, tc := range []struct {
		model, bump string
		code        int
	}{{"a", "none", 0}, {"b", "minor", 1}} {
		r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
		r.env["INPUT_MODEL"] = tc.model
		r.exec(t)
		if r.code != tc.code {
			t.Errorf("model %s: exit %d, want %d\n%s%s", tc.model, r.code, tc.code, r.stdout.String(), r.stderr.String())
		}
		out := r.outputs(t)
		var rep reportJSON
		if err := json.Unmarshal([]byte(out["report"]), &rep); err != nil || len(rep.Models) != 1 || rep.Models[0].Name != tc.model {
			t.Errorf("model %s: report %v %+v", tc.model, err, rep)
		}
		if out["required-bump"] != tc.bump || out["passed"] != map[int]string{0: "true", 1: "false"}[tc.code] {
			t.Errorf("model %s: outputs %v", tc.model, out)
		}
		other := map[string]string{"a": "`b`", "b": "`a`"}[tc.model]
		if summary := r.read(t, "GITHUB_STEP_SUMMARY"); !strings.Contains(summary, "`"+tc.model+"`") || strings.Contains(summary, other) {
			t.Errorf("model %s: the summary is not about %s alone:\n%s", tc.model, tc.model, summary)
		}
	}
	// Without the input both are gated: b fails the run.
	r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
	r.exec(t)
	var rep reportJSON
	if err := json.Unmarshal([]byte(r.outputs(t)["report"]), &rep); r.code != 1 || err != nil || len(rep.Models) != 2 {
		t.Errorf("no model input: exit %d, %d models", r.code, len(rep.Models))
	}

	// A model no manifest declares, or a malformed name: exit 2, nothing
	// written.
	for model, want := range map[string]string{"c": "no such model c", "a b": `input model is "a b": want a model name`} {
		r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
		r.env["INPUT_MODEL"] = model
		r.exec(t)
		if r.code != 2 || !strings.Contains(r.stderr.String(), want) || r.read(t, "GITHUB_OUTPUT") != "" || r.read(t, "GITHUB_STEP_SUMMARY") != "" {
			t.Errorf("model %q: exit %d\n%s", model, r.code, r.stderr.String())
		}
	}

	// A tag push of b, in the job of model a: nothing to gate, no outputs.
	git(t, ws, "tag", "b-v1.1.0")
	r = start(t, ws, "push", "refs/tags/b-v1.1.0", map[string]any{})
	r.env["INPUT_MODEL"] = "a"
	r.exec(t)
	if r.code != 0 || !strings.Contains(r.stdout.String(), "::notice title=modelgate::tag b-v1.1.0 releases model b; this step gates model a (input model): nothing to do") ||
		r.read(t, "GITHUB_OUTPUT") != "" {
		t.Errorf("tag of another model: exit %d\n%s", r.code, r.stdout.String())
	}
}

// sarifFile is the part of a SARIF log this test reads.
type sarifFile struct {
	Version string `json:"version"`
	Runs    []struct {
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func readSARIF(t *testing.T, p string) sarifFile {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var s sarifFile
	if err := json.Unmarshal(data, &s); err != nil || s.Version != "2.1.0" || len(s.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 log: %v\n%s", err, data)
	}
	return s
}

// TestSARIFInput writes SARIF where the sarif input says, inside the
// workspace only, with locations relative to the workspace.
func TestSARIFInput(t *testing.T) {
	ws := repo(t, "1.0.1") // fails: version-too-small
	r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
	r.env["INPUT_SARIF"] = "results/modelgate.sarif"
	r.exec(t)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr.String())
	}
	s := readSARIF(t, filepath.Join(ws, "results", "modelgate.sarif"))
	res := s.Runs[0].Results
	if len(res) != 2 || res[0].RuleID != "version-too-small" || res[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "manifest.yaml" ||
		res[1].RuleID != "tier-added" || res[1].Locations[0].PhysicalLocation.Region.StartLine != 5 {
		t.Errorf("results %+v", res)
	}
	if matches, _ := filepath.Glob(filepath.Join(ws, "results", ".modelgate-sarif-*")); len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}

	// The model repository in a folder of the workspace (the path input):
	// locations are relative to the workspace, where code scanning looks.
	outer := t.TempDir()
	if err := os.Rename(ws, filepath.Join(outer, "model")); err != nil {
		t.Fatal(err)
	}
	r = start(t, filepath.Join(outer, "model"), "pull_request", "refs/pull/1/merge", map[string]any{})
	r.env["GITHUB_WORKSPACE"], r.env["INPUT_PATH"], r.env["INPUT_SARIF"] = outer, "model", "modelgate.sarif"
	r.exec(t)
	s = readSARIF(t, filepath.Join(outer, "modelgate.sarif"))
	if uri := s.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI; r.code != 1 || uri != "model/manifest.yaml" {
		t.Errorf("path model: exit %d, uri %q", r.code, uri)
	}

	// Outside the workspace, by .., by an absolute path, through a
	// symbolic link, or onto a folder: exit 2, one line, nothing written.
	ws = filepath.Join(outer, "model")
	away := t.TempDir()
	if err := os.Symlink(away, filepath.Join(ws, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(away, "target.sarif"), filepath.Join(ws, "file-link.sarif")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"../escape.sarif":                     "not a file inside the workspace",
		filepath.Join(away, "abs.sarif"):      "not a file inside the workspace",
		"link/escape.sarif":                   `the symbolic link "link" points to`,
		"link/new/deeper/escape.sarif":        `the symbolic link "link" points to`,
		"file-link.sarif":                     `the symbolic link "file-link.sarif" points to`,
		"releases":                            "a folder",
		".":                                   "not a file inside the workspace",
		filepath.Join(ws, "ok/../../x.sarif"): "not a file inside the workspace",
	} {
		r := start(t, ws, "pull_request", "refs/pull/1/merge", map[string]any{})
		r.env["INPUT_SARIF"] = p
		r.exec(t)
		if r.code != 2 || !strings.Contains(r.stderr.String(), want) || strings.Count(r.stderr.String(), "\n") != 1 ||
			r.read(t, "GITHUB_OUTPUT") != "" || r.read(t, "GITHUB_STEP_SUMMARY") != "" {
			t.Errorf("sarif %q: exit %d, want 2 and %q\n%s", p, r.code, want, r.stderr.String())
		}
	}
	if entries, _ := os.ReadDir(away); len(entries) != 0 {
		t.Errorf("written outside the workspace: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(outer, "escape.sarif")); err == nil {
		t.Error("written outside the workspace: escape.sarif")
	}
}

// TestImmutableReleaseWithCommentAndSARIF: in a repository with immutable
// releases (assets locked once published), a tag push with the comment and
// sarif inputs set still ends with one published release holding one record;
// a re-run changes nothing on GitHub and writes the SARIF file again; a pull
// request run afterwards comments and leaves the release alone.
func TestImmutableReleaseWithCommentAndSARIF(t *testing.T) {
	ws := repo(t, "1.1.0")
	git(t, ws, "tag", "lite-llm-base-v1.1.0")
	srv := githubtest.New(t, "acme", "lite-llm", "ghs_secretTOKEN123")
	srv.SetImmutable(true)
	sarifPath := filepath.Join(ws, "modelgate.sarif")
	tagRun := func() *run {
		r := start(t, ws, "push", "refs/tags/lite-llm-base-v1.1.0", map[string]any{})
		r.env["INPUT_COMMAND"], r.env["INPUT_PUBLISH"], r.env["GITHUB_API_URL"] = "release", "true", srv.APIURL()
		r.env["INPUT_COMMENT"], r.env["INPUT_SARIF"] = "always", "modelgate.sarif"
		r.execVia(t, srv.Client())
		return r
	}
	released := func(when string) githubtest.Release {
		rels := srv.Releases()
		if len(rels) != 1 || rels[0].Draft || rels[0].TagName != "lite-llm-base-v1.1.0" || len(rels[0].Assets) != 1 {
			t.Fatalf("%s: releases %+v\n%s", when, rels, srv.Log())
		}
		return rels[0]
	}
	lockedWrites := func() int {
		return srv.Count(githubtest.UploadReleaseAsset) + srv.Count(githubtest.DeleteReleaseAsset) + srv.Count(githubtest.DeleteRelease)
	}

	r := tagRun()
	rel := released("first run")
	out := r.outputs(t)
	if r.code != 0 || out["release-id"] != strconv.FormatInt(rel.ID, 10) || out["comment-url"] != "" {
		t.Fatalf("first run: exit %d, outputs %v\n%s%s", r.code, out, r.stdout.String(), r.stderr.String())
	}
	if srv.Count(githubtest.ListIssueComments) != 0 || writes(srv) != 0 {
		t.Errorf("a tag push has no pull request, yet the comment was looked for or written:\n%s", srv.Log())
	}
	s := readSARIF(t, sarifPath)
	if res := s.Runs[0].Results; len(res) != 1 || res[0].RuleID != "tier-added" {
		t.Errorf("first run: SARIF results %+v", res)
	}
	if err := os.Remove(sarifPath); err != nil {
		t.Fatal(err)
	}

	// A re-run: the published release is found and left as it is.
	before, beforeLocked := len(srv.Requests()), lockedWrites()
	r = tagRun()
	if again := released("re-run"); r.code != 0 || again.ID != rel.ID || r.outputs(t)["release-id"] != strconv.FormatInt(rel.ID, 10) {
		t.Errorf("re-run: exit %d, release %d (was %d), outputs %v\n%s%s", r.code, again.ID, rel.ID, r.outputs(t), r.stdout.String(), r.stderr.String())
	}
	if n := lockedWrites() - beforeLocked; n != 0 {
		t.Errorf("re-run: %d asset or release writes on a published immutable release:\n%s", n, srv.Log())
	}
	if len(srv.Requests()) == before {
		t.Error("re-run: no request reached GitHub, the test proves nothing")
	}
	readSARIF(t, sarifPath)

	// A pull request afterwards: the comment is written, the release stays.
	before = srv.Count(githubtest.UpdateRelease) + srv.Count(githubtest.CreateRelease)
	pr := prRun(t, srv, ws, "opened", "always")
	pr.execVia(t, srv.Client())
	if cs := srv.Comments(prNumber7); pr.code != 0 || len(cs) != 1 || pr.outputs(t)["comment-url"] == "" {
		t.Errorf("pull request: exit %d, %d comments\n%s", pr.code, len(cs), pr.stdout.String())
	}
	if n := srv.Count(githubtest.UpdateRelease) + srv.Count(githubtest.CreateRelease) - before; n != 0 {
		t.Errorf("the pull request run wrote %d releases", n)
	}
	released("pull request")
}
