package check

import (
	"strings"
	"testing"
)

func TestParseConfigErrors(t *testing.T) {
	tests := []struct{ data, want string }{
		{"modles: [a]\n", `.modelgate.yaml:1: unknown key "modles"`},
		{"rules:\n  no-such-rule: {bump: minor}\n", `.modelgate.yaml:2: rule "no-such-rule": unknown rule ID`},
		{"rules:\n  arch-shape-changed: {bump: huge}\n", `.modelgate.yaml:2: rule "arch-shape-changed": invalid bump "huge"`},
		{"rules:\n  version-skips: {bump: minor}\n", "is a gate rule; override its level"},
		{"rules:\n  arch-shape-changed: {level: warning}\n", "is a finding rule; override its bump"},
		{"rules:\n  My_Rule: {match: a.b, bump: minor}\n", "rule IDs are kebab-case"},
		{"rules:\n  my-rule: {match: a.b}\n", "a custom rule needs a bump"},
		{"suppress:\n  - rule: tier-added\n    path: tiers.*\n", `.modelgate.yaml:2: suppression of "tier-added" needs a reason`},
		{"suppress:\n  - {rule: tier-added, reason: x, why: y}\n", `unknown key "why" in suppression`},
		{"pre1_policy: loose\n", ".modelgate.yaml:1: pre1_policy must be shift"},
		{"suppress:\n  - {rule: arch-shape-chnged, reason: typo}\n", `.modelgate.yaml:2: suppression names "arch-shape-chnged", which is not a finding rule`},
		{"suppress:\n  - {rule: version-skips, reason: x}\n", `suppression names "version-skips", which is not a finding rule`},
		{"models: [../other/manifest.yaml]\n", "leaves the repository"},
		{"notes_dir: /abs\n", "absolute path"},
		{"- a\n", "the configuration must be a map"},
		{"policy: always\n", ".modelgate.yaml:1: policy must be release (gate releases; work in progress passes) or every-change (gate every change), not always"},
		{"policy: [release]\n", ".modelgate.yaml:1: policy must be release"},
	}
	for _, tt := range tests {
		_, err := ParseConfig(".modelgate.yaml", []byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseConfig(%q) error = %v, want %q", tt.data, err, tt.want)
		}
	}
}

func TestConfigPolicy(t *testing.T) {
	for data, want := range map[string]Policy{
		"":                       PolicyRelease,
		"policy: release\n":      PolicyRelease,
		"policy: every-change\n": PolicyEveryChange,
	} {
		cfg, err := ParseConfig(".modelgate.yaml", []byte(data))
		if err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if cfg.Policy != want {
			t.Errorf("%q: policy %q, want %q", data, cfg.Policy, want)
		}
	}
}

func TestConfigIgnore(t *testing.T) {
	cfg, err := ParseConfig(".modelgate.yaml", []byte("ignore: [notebooks/**, '*.ipynb']\n"))
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{
		"docs/a/b.md": true, ".github/workflows/ci.yml": true, "README.md": true, "models/a/README.md": true,
		"notebooks/x/y.py": true, "eval.ipynb": true, "src/eval.ipynb": false, "src/model.py": false, "docsx/a": false,
		// the built-in defaults of DESIGN §7
		".modelgate.yaml": true, ".gitignore": true, ".gitattributes": true, ".pre-commit-config.yaml": true,
		".pre-commit-hooks.yaml": true, "lefthook.yml": true, ".husky/pre-commit": true, ".husky/_/h": true,
		".editorconfig": true, "LICENSE": true, "LICENSE.txt": true, "CODEOWNERS": true,
		"models/a/LICENSE": false, "lefthook.yaml": false, "src/.gitignore": false, "husky/x": false,
	} {
		if got := cfg.Ignored(p); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", p, got, want)
		}
	}
}
