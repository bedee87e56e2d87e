package action

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShallowAdviceOnlyAtTheEdge: in a shallow checkout, an error in the
// checkout itself (a YAML typo at head, no repository at all) is reported
// as it is, without the "set fetch-depth: 0" advice, which is for objects
// missing at the shallow boundary only.
func TestShallowAdviceOnlyAtTheEdge(t *testing.T) {
	origin := repo(t, "1.1.0")
	if err := os.WriteFile(filepath.Join(origin, "manifest.yaml"), []byte("model: lite-llm-base-v1.1.0\ntiers:\n  - name: core\n   experts: 8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, origin, "commit", "-qam", "a YAML typo")
	ws := filepath.Join(t.TempDir(), "ws")
	git(t, filepath.Dir(ws), "clone", "-q", "--depth", "1", "--no-tags", "file://"+origin, ws)

	for name, workspace := range map[string]string{"yaml-typo": ws, "no-checkout": t.TempDir()} {
		t.Run(name, func(t *testing.T) {
			r := start(t, ws, "push", "refs/heads/main", map[string]any{})
			r.env["GITHUB_WORKSPACE"] = workspace
			r.exec(t)
			errText := r.stderr.String()
			if r.code != 2 || strings.Count(errText, "\n") != 1 {
				t.Errorf("exit %d, stderr:\n%s", r.code, errText)
			}
			want := map[string]string{"yaml-typo": "manifest.yaml:4", "no-checkout": "not a git repository"}[name]
			if !strings.Contains(errText, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errText)
			}
			if strings.Contains(errText+r.stdout.String(), "fetch-depth") || strings.Contains(errText, "shallow") {
				t.Errorf("shallow advice for an error that is not about depth:\n%s", errText)
			}
			if r.read(t, "GITHUB_OUTPUT") != "" {
				t.Error("outputs written for a run that could not run")
			}
		})
	}
}
