package hooks

import (
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPreCommitFrameworkManifest checks .pre-commit-hooks.yaml, which the
// pre-commit framework reads: every hook runs modelgate hook <name>, uses the
// stage names of pre-commit 3.2.0 (the first release that knows them; it
// called them commit and push before) and says it needs that version.
func TestPreCommitFrameworkManifest(t *testing.T) {
	data, err := os.ReadFile("../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var manifest []struct {
		ID         string   `yaml:"id"`
		Entry      string   `yaml:"entry"`
		Stages     []string `yaml:"stages"`
		MinVersion string   `yaml:"minimum_pre_commit_version"`
	}
	if err := yaml.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"modelgate": "pre-commit", "modelgate-push": "pre-push"}
	if len(manifest) != len(want) {
		t.Fatalf("%d hooks, want %d", len(manifest), len(want))
	}
	for _, h := range manifest {
		stage, ok := want[h.ID]
		switch {
		case !ok:
			t.Errorf("unexpected hook %q", h.ID)
		case !slices.Equal(h.Stages, []string{stage}):
			t.Errorf("%s: stages %q, want [%s]", h.ID, h.Stages, stage)
		case h.Entry != "modelgate hook "+stage || !slices.Contains(Names, stage):
			t.Errorf("%s: entry %q, want modelgate hook %s", h.ID, h.Entry, stage)
		case h.MinVersion != "3.2.0":
			t.Errorf("%s: minimum_pre_commit_version %q, want 3.2.0, the first pre-commit that understands stage %s", h.ID, h.MinVersion, stage)
		}
		for _, legacy := range []string{"commit", "push", "merge-commit"} {
			if slices.Contains(h.Stages, legacy) || strings.Contains(h.Entry, " "+legacy+" ") {
				t.Errorf("%s: legacy stage name %q", h.ID, legacy)
			}
		}
	}
}
