package check

import (
	"strings"
	"testing"
)

// TestUnreleasable: the versions modelgate notes refuses to draft, each with
// the version to declare, and those it drafts.
func TestUnreleasable(t *testing.T) {
	tests := []struct {
		name, head, want string
	}{
		{"not bumped", replace("top-2", "top-1")(baseManifest),
			"lite-llm-base declares 2.1.3, the version of its baseline lite-llm-base-v2.1.3, but the changes require a minor bump: set model: lite-llm-base-v2.2.0 in manifest.yaml, or pass --version 2.2.0"},
		{"too small", replace("2.1.3", "2.1.4", "4096", "5120")(baseManifest),
			"lite-llm-base declares 2.1.4, but the changes since lite-llm-base-v2.1.3 require at least 3.0.0: set model: lite-llm-base-v3.0.0 in manifest.yaml, or pass --version 3.0.0"},
		{"decreased", replace("2.1.3", "2.1.2", "top-2", "top-1")(baseManifest),
			"lite-llm-base declares 2.1.2, lower than its baseline lite-llm-base-v2.1.3: set model: lite-llm-base-v2.2.0 in manifest.yaml, or pass --version 2.2.0"},
		{"renamed", replace("lite-llm-base-v2.1.3", "lite-llm-chat-v2.2.0", "top-2", "top-1")(baseManifest),
			"lite-llm-chat was lite-llm-base at the baseline lite-llm-base-v2.1.3, and a new name is a new model: keep the name lite-llm-base (its next release is lite-llm-base-v2.2.0), or start lite-llm-chat with --base none"},
		{"bumped enough", replace("2.1.3", "2.2.0", "top-2", "top-1")(baseManifest), ""},
		{"more than enough", replace("2.1.3", "3.0.0", "top-2", "top-1")(baseManifest), ""},
		{"a prerelease of the required version", replace("2.1.3", "3.0.0-rc.1", "4096", "5120")(baseManifest), ""},
		{"no bump needed, version kept", replace("3.0e-4", "2.0e-4")(baseManifest), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := model(t, baseManifest)
			head, fsys := model(t, tt.head)
			r, err := Evaluate(Input{Base: base, Head: head, HeadFS: fsys,
				BaseRef: Ref{Ref: "lite-llm-base-v2.1.3", Commit: "abc"}, HeadRef: Ref{Ref: "HEAD", Commit: "def"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Unreleasable(); got != tt.want {
				t.Errorf("Unreleasable() = %q, want %q", got, tt.want)
			}
			// The report tells the same story: the identifier to declare.
			if tt.want != "" && !strings.Contains(tt.want, r.NextIdentifier) {
				t.Errorf("next identifier %s is not the one the refusal names", r.NextIdentifier)
			}
		})
	}
	// A first release has nothing to be too small against.
	head, fsys := model(t, baseManifest)
	r, _ := Evaluate(Input{Head: head, HeadFS: fsys})
	if got := r.Unreleasable(); got != "" {
		t.Errorf("first release: %q", got)
	}
}

// TestIsRelease: what makes a change a release (DESIGN §3.2).
func TestIsRelease(t *testing.T) {
	base, _ := model(t, baseManifest)
	kept, _ := model(t, replace("top-2", "top-1")(baseManifest))
	bumped, _ := model(t, replace("2.1.3", "2.2.0", "top-2", "top-1")(baseManifest))
	renamed, _ := model(t, replace("lite-llm-base-v2.1.3", "lite-llm-chat-v2.1.3")(baseManifest))
	head := Ref{Commit: "c0ffee"}
	tests := []struct {
		name string
		in   Input
		want bool
	}{
		{"version kept", Input{Base: base, Head: kept, HeadRef: head}, false},
		{"version bumped", Input{Base: base, Head: bumped, HeadRef: head}, true},
		{"renamed", Input{Base: base, Head: renamed, HeadRef: head}, true},
		{"the caller says so", Input{Base: base, Head: kept, HeadRef: head, Release: true}, true},
		{"the caller says it is not", Input{Base: base, Head: bumped, HeadRef: head, WorkInProgress: true}, false},
		{"the declared version's tag is on the head", Input{Base: base, Head: kept, HeadRef: head, TagCommit: "c0ffee"}, true},
		{"the tag is elsewhere", Input{Base: base, Head: kept, HeadRef: head, TagCommit: "beef"}, false},
		{"no baseline, no tag", Input{Head: kept, HeadRef: head}, false},
		{"no baseline, released by the caller", Input{Head: kept, HeadRef: head, Release: true}, true},
	}
	for _, tt := range tests {
		if got := isRelease(tt.in, tt.in.Head.ID.Version); got != tt.want {
			t.Errorf("%s: isRelease = %v, want %v", tt.name, got, tt.want)
		}
	}
}
