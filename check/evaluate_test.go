package check

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

const baseManifest = `model: lite-llm-base-v2.1.3
architecture:
  hidden_size: 4096
  num_layers: 32
  blocks: [attention, moe_ffn]
tiers:
  - name: core
    experts: 8
routing:
  strategy: top-2
hyperparameters:
  learning_rate: 3.0e-4
`

// model loads a manifest (plus extra files) from memory.
func model(t *testing.T, manifest string, files ...string) (*Model, fstest.MapFS) {
	t.Helper()
	fsys := fstest.MapFS{"manifest.yaml": {Data: []byte(manifest)}}
	for i := 0; i+1 < len(files); i += 2 {
		fsys[files[i]] = &fstest.MapFile{Data: []byte(files[i+1])}
	}
	m, err := Load(fsys, "manifest.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return m, fsys
}

// mustClassify classifies the changes between two models with the default
// configuration.
func mustClassify(t *testing.T, base, head *Model) []Finding {
	t.Helper()
	found, err := Classify(nil, base, head)
	if err != nil {
		t.Fatalf("Classify: %v", err)
	}
	return found
}

func TestEvaluate(t *testing.T) {
	notes := func(v, text string) []string { return []string{"releases/v" + v + ".md", text} }
	tests := []struct {
		name     string
		edit     func(string) string
		files    []string
		changed  []string
		declared string
		tag      string // commit of the declared version's tag
		policy   Policy // default release
		release  bool   // the caller says it is a release (Input.Release)
		wip      bool   // the caller says it is not (Input.WorkInProgress)
		bump     Bump
		problems []string
		// isRelease and notice: the report's release field, and a notice it
		// must hold ("" for none asserted).
		isRelease bool
		notice    string
	}{
		{name: "tier added is minor",
			edit:  replace("2.1.3", "2.2.0", "routing:", "  - name: long\n    experts: 4\nrouting:"),
			files: notes("2.2.0", "A long-context tier."), bump: BumpMinor},
		{name: "hidden size is major",
			edit:  replace("2.1.3", "2.1.4", "4096", "5120"),
			files: notes("2.1.4", "Wider."), bump: BumpMajor, problems: []string{"version-too-small", "release-notes-no-migration"}},
		{name: "major with migration passes",
			edit:  replace("2.1.3", "3.0.0", "4096", "5120"),
			files: notes("3.0.0", "Wider.\n\n## Migration\nRun the converter.\n"), bump: BumpMajor},
		{name: "major with migration tool pointer passes",
			edit:  replace("2.1.3", "3.0.0", "4096", "5120"),
			files: append(notes("3.0.0", "Wider. Convert with tools/convert.py."), "tools/convert.py", "pass"), bump: BumpMajor},
		{name: "migration heading without steps fails",
			edit:  replace("2.1.3", "3.0.0", "4096", "5120"),
			files: notes("3.0.0", "Wider.\n\n## Migration\n\n## Other\ntext\n"), bump: BumpMajor, problems: []string{"release-notes-no-migration"}},
		{name: "block type added is major",
			edit:  replace("2.1.3", "3.0.0", "moe_ffn]", "moe_ffn, mamba]"),
			files: notes("3.0.0", "Mamba.\n## Migration\nRetrain."), bump: BumpMajor},
		{name: "experts removed is major",
			edit:  replace("2.1.3", "3.0.0", "experts: 8", "experts: 6"),
			files: notes("3.0.0", "Fewer.\n## Migration\nDrop experts 6 and 7."), bump: BumpMajor},
		{name: "routing is minor",
			edit:  replace("2.1.3", "2.2.0", "top-2", "top-1"),
			files: notes("2.2.0", "Top-1 routing."), bump: BumpMinor},
		{name: "hyperparameters only keep the version",
			edit: replace("3.0e-4", "2.0e-4"), bump: BumpNone},
		{name: "hyperparameters only with a patch release",
			edit:  replace("2.1.3", "2.1.4", "3.0e-4", "2.0e-4"),
			files: notes("2.1.4", "Retrained with a lower learning rate."), bump: BumpNone},
		{name: "code file is patch",
			edit: replace("2.1.3", "2.1.4"), files: append(notes("2.1.4", "Fix."), "src/model.py", "x"),
			changed: []string{"src/model.py", "docs/index.md", "releases/v2.1.4.md"}, bump: BumpPatch},
		{name: "code change needs a bump under every-change",
			edit: replace(), changed: []string{"src/model.py"}, policy: PolicyEveryChange, bump: BumpPatch, problems: []string{"version-not-bumped"}},
		{name: "code change is work in progress under release",
			edit: replace(), changed: []string{"src/model.py"}, bump: BumpPatch,
			notice: "work in progress: unreleased changes require a patch bump: the next release must be at least 2.1.4"},
		{name: "work in progress that needs a major bump",
			edit: replace("4096", "5120"), bump: BumpMajor,
			notice: "work in progress: unreleased changes require a major bump: the next release must be at least 3.0.0"},
		{name: "a release by the caller's word is gated",
			edit: replace("4096", "5120"), release: true, bump: BumpMajor, problems: []string{"version-not-bumped"}, isRelease: true},
		{name: "a bumped version is a release",
			edit: replace("2.1.3", "2.2.0", "4096", "5120"), bump: BumpMajor, problems: []string{"version-too-small", "release-notes-missing"}, isRelease: true},
		{name: "a commit that keeps a bumped version is work in progress",
			edit: replace("2.1.3", "2.2.0", "4096", "5120"), wip: true, bump: BumpMajor,
			notice: "work in progress: unreleased changes require a major bump: the next release must be at least 3.0.0 (manifest.yaml declares 2.2.0)"},
		{name: "every-change gates what the caller calls work in progress",
			edit: replace("2.1.3", "2.2.0", "4096", "5120"), wip: true, policy: PolicyEveryChange, bump: BumpMajor,
			problems: []string{"version-too-small", "release-notes-missing"}},
		{name: "hyperparameters only in work in progress",
			edit: replace("3.0e-4", "2.0e-4"), bump: BumpNone, notice: "no release needed: the changes require no version bump and manifest.yaml keeps 2.1.3"},
		{name: "version decreased",
			edit: replace("2.1.3", "2.1.2"), files: notes("2.1.2", "x"), problems: []string{"version-decreased"}},
		{name: "version skips warns",
			edit: replace("2.1.3", "2.3.0", "top-2", "top-1"), files: notes("2.3.0", "Top-1."), bump: BumpMinor, problems: []string{"version-skips"}},
		{name: "version exists",
			edit: replace("2.1.3", "2.2.0", "top-2", "top-1"), files: notes("2.2.0", "x"), tag: "0123456789abcdef", bump: BumpMinor,
			problems: []string{"version-exists"}},
		{name: "declared version must agree",
			edit: replace("2.1.3", "2.2.0", "top-2", "top-1"), files: notes("2.2.0", "x"), declared: "2.3.0", bump: BumpMinor,
			problems: []string{"version-mismatch", "version-skips", "release-notes-missing"}},
		{name: "renamed",
			edit: replace("lite-llm-base-v2.1.3", "lite-llm-v2.1.4"), files: notes("2.1.4", "x"), problems: []string{"model-renamed"}},
		{name: "notes missing",
			edit: replace("2.1.3", "2.2.0", "top-2", "top-1"), bump: BumpMinor, problems: []string{"release-notes-missing"}},
		{name: "notes empty",
			edit: replace("2.1.3", "2.2.0", "top-2", "top-1"), files: notes("2.2.0", "# v2.2.0\n\n<!-- write here -->\n"), bump: BumpMinor,
			problems: []string{"release-notes-empty"}},
		{name: "notes template",
			edit: replace("2.1.3", "2.2.0", "top-2", "top-1"), files: notes("2.2.0", "Routing.\n\nTODO: say why\n"), bump: BumpMinor,
			problems: []string{"release-notes-template"}},
		{name: "notes placeholder marker",
			edit: replace("2.1.3", "2.2.0", "top-2", "top-1"), files: notes("2.2.0", "Routing.\n<!-- modelgate:placeholder -->\n"), bump: BumpMinor,
			problems: []string{"release-notes-template"}},
		{name: "changelog section",
			edit:  replace("2.1.3", "2.2.0", "top-2", "top-1"),
			files: []string{"CHANGELOG.md", "# Changelog\n\n## [Unreleased]\n\n## [2.2.0] - 2026-01-02\n### Changed\n- top-1 routing\n\n## [2.1.3] - 2025-12-01\n- fix\n"},
			bump:  BumpMinor},
		{name: "empty changelog section",
			edit:  replace("2.1.3", "2.2.0", "top-2", "top-1"),
			files: []string{"CHANGELOG.md", "# Changelog\n\n## [2.2.0] - 2026-01-02\n\n## [2.1.3] - 2025-12-01\n- fix\n"},
			bump:  BumpMinor, problems: []string{"release-notes-empty"}},
		{name: "prerelease of the required version",
			edit: replace("2.1.3", "3.0.0-rc.1", "4096", "5120"), files: notes("3.0.0", "Wider.\n## Migration\nConvert."), bump: BumpMajor},
		{name: "prerelease of a smaller version",
			edit: replace("2.1.3", "2.2.0-rc.1", "4096", "5120"), files: notes("2.2.0-rc.1", "Wider."), bump: BumpMajor,
			problems: []string{"version-too-small", "release-notes-no-migration"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, _ := model(t, baseManifest)
			head, fsys := model(t, tt.edit(baseManifest), tt.files...)
			in := Input{Base: base, Head: head, HeadFS: fsys, Changed: tt.changed, TagCommit: tt.tag,
				HeadRef: Ref{Ref: "HEAD", Commit: "fedcba9876543210"}, BaseRef: Ref{Ref: "lite-llm-base-v2.1.3", Commit: "abc"}}
			if tt.declared != "" {
				in.Declared, _ = ParseVersion(tt.declared)
				in.DeclaredSource = "--version " + tt.declared
			}
			in.Release, in.WorkInProgress = tt.release, tt.wip
			if tt.policy != "" {
				in.Config = DefaultConfig()
				in.Config.Policy = tt.policy
			}
			r, err := Evaluate(in)
			if err != nil {
				t.Fatal(err)
			}
			wantRelease := tt.isRelease || tt.release || !tt.wip && head.ID.String() != base.ID.String()
			if tt.declared != "" && tt.declared != "2.1.3" {
				wantRelease = true
			}
			if r.Release != wantRelease {
				t.Errorf("release = %v, want %v", r.Release, wantRelease)
			}
			if tt.notice != "" && !slices.Contains(r.Notices, tt.notice) {
				t.Errorf("notices = %q, want %q among them", r.Notices, tt.notice)
			}
			if r.RequiredBump != tt.bump {
				t.Errorf("required bump = %s, want %s; findings %+v", r.RequiredBump, tt.bump, r.Findings)
			}
			var got []string
			for _, p := range r.Problems {
				got = append(got, p.Rule)
			}
			if strings.Join(got, ",") != strings.Join(tt.problems, ",") {
				t.Errorf("problems = %v, want %v; %+v", got, tt.problems, r.Problems)
			}
			wantPass := true
			for _, p := range r.Problems {
				if p.Level == LevelError {
					wantPass = false
				}
			}
			if r.Passed != wantPass {
				t.Errorf("passed = %v, want %v", r.Passed, wantPass)
			}
		})
	}
}

// mapFS builds an in-memory file system from path -> content.
func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, c := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(c)}
	}
	return fsys
}

// replace returns an edit that applies old/new pairs in order.
func replace(pairs ...string) func(string) string {
	return func(s string) string {
		for i := 0; i+1 < len(pairs); i += 2 {
			s = strings.Replace(s, pairs[i], pairs[i+1], 1)
		}
		return s
	}
}

func TestFirstRelease(t *testing.T) {
	head, fsys := model(t, baseManifest, "releases/v2.1.3.md", "First.")
	r, err := Evaluate(Input{Head: head, HeadFS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed || r.Base != nil || r.NextIdentifier != "lite-llm-base-v2.1.3" || len(r.Findings) != 0 {
		t.Errorf("first release: %+v", r)
	}
	if r.Release || !slices.Contains(r.Notices, "work in progress: lite-llm-base has no release yet; its first release will be lite-llm-base-v2.1.3, gated with its release notes when it is tagged (or by modelgate check --release)") {
		t.Errorf("first release without a tag: release %v, notices %q", r.Release, r.Notices)
	}
	head, fsys = model(t, baseManifest)
	// Without notes and without a tag: work in progress toward the first
	// release passes under policy release...
	r, _ = Evaluate(Input{Head: head, HeadFS: fsys})
	if !r.Passed || len(r.Problems) != 0 || r.Release {
		t.Errorf("first release without notes, work in progress: %+v", r.Problems)
	}
	// ...and fails once it is released, or under every-change.
	every := DefaultConfig()
	every.Policy = PolicyEveryChange
	for _, in := range []Input{{Head: head, HeadFS: fsys, Release: true}, {Config: every, Head: head, HeadFS: fsys}} {
		r, _ = Evaluate(in)
		if r.Passed || len(r.Problems) != 1 || r.Problems[0].Rule != "release-notes-missing" || r.Release != in.Release {
			t.Errorf("first release without notes (release %v): %+v", in.Release, r.Problems)
		}
	}
}

func TestConfigChangesTheVerdict(t *testing.T) {
	cfg, err := ParseConfig(".modelgate.yaml", []byte(`
pre1_policy: strict
rules:
  arch-shape-changed: {bump: minor}
  version-skips: {level: error}
  moe-ratio:
    match: architecture.moe_*
    bump: patch
suppress:
  - rule: routing-changed
    path: routing.**
    reason: routing is chosen at serving time in this project
`))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := model(t, strings.Replace(baseManifest, "num_layers", "moe_ratio: 2\n  num_layers", 1))
	head, fsys := model(t, replace("2.1.3", "2.3.0", "4096", "5120", "top-2", "top-1", "num_layers", "moe_ratio: 3\n  num_layers")(baseManifest),
		"releases/v2.3.0.md", "Notes.")
	r, err := Evaluate(Input{Config: cfg, Base: base, Head: head, HeadFS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]Finding{}
	for _, f := range r.Findings {
		rules[f.Rule] = f
	}
	if f := rules["arch-shape-changed"]; f.Bump != BumpMinor {
		t.Errorf("override: arch-shape-changed bump = %s, want minor", f.Bump)
	}
	if f := rules["moe-ratio"]; f.Bump != BumpPatch || f.Path != "architecture.moe_ratio" {
		t.Errorf("custom rule: %+v", f)
	}
	if f := rules["routing-changed"]; f.Suppressed == "" {
		t.Errorf("suppression not applied: %+v", f)
	}
	if r.RequiredBump != BumpMinor || r.Passed || len(r.Problems) != 1 || r.Problems[0].Rule != "version-skips" || r.Problems[0].Level != LevelError {
		t.Errorf("bump %s, problems %+v", r.RequiredBump, r.Problems)
	}
}
