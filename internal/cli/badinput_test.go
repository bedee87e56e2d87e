package cli_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/modelgate/modelgate/internal/cli"
	"github.com/modelgate/modelgate/internal/gitrepo"
)

// DESIGN.md §8: bad input gets one clear line naming the file, line and what
// to do, and exit 2; nothing is written and nothing half-done is left behind.
// Every case below builds a real git repository, runs modelgate check on it
// and holds the product to that contract.

// goodManifest is a valid manifest, used where the defect lies elsewhere.
const goodManifest = "model: lite-llm-base-v1.0.0\narchitecture:\n  hidden_size: 4096\n  num_layers: 32\n"

// hugeJSON is a pointer target larger than the 16 MiB modelgate reads; it is
// built once and shared.
var hugeJSON = sync.OnceValue(func() string {
	const size = 16<<20 + 4096
	var b strings.Builder
	b.Grow(size + 32)
	b.WriteString(`{"pad": "`)
	b.WriteString(strings.Repeat("x", size))
	b.WriteString("\"}\n")
	return b.String()
})

// badCase is one bad input. The repository is either one commit of files or
// what setup builds. want lists substrings the single stderr line must hold:
// the file, the file:line where the format has lines, and what is wrong or
// what to do. "$DIR" in args and want stands for the repository folder.
type badCase struct {
	name  string
	files map[string]string
	setup func(t *testing.T, dir string)
	args  []string
	want  []string
}

func TestBadInput(t *testing.T) {
	deepJSON := `{"model": "lite-llm-base-v1.0.0", "architecture": ` +
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}\n"
	deepJSONRoot := strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	deepYAML := "model: lite-llm-base-v1.0.0\narchitecture: " +
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"

	cases := []badCase{
		// ---- malformed YAML ----
		{
			name:  "yaml-bad-indentation",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture:\n    hidden_size: 4096\n  num_layers: 32\n"},
			want:  []string{"manifest.yaml:4", "invalid YAML"},
		},
		{
			name:  "yaml-unclosed-flow",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: {hidden_size: 4096, num_layers: 32\nrouting:\n  strategy: top-2\n"},
			// The unclosed { is on line 2; line 1 is a valid model line.
			want: []string{"manifest.yaml:2", "invalid YAML"},
		},
		{
			name:  "yaml-unclosed-quote",
			files: map[string]string{"manifest.yaml": "model: \"lite-llm-base-v1.0.0\narchitecture:\n  hidden_size: 4096\n"},
			// The quote that is never closed opens on line 1.
			want: []string{"manifest.yaml:1", "invalid YAML"},
		},
		{
			name:  "yaml-tab-indentation",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture:\n\thidden_size: 4096\n"},
			// What to do: indent with spaces, not a tab.
			want: []string{"manifest.yaml:3", "invalid YAML", "tab"},
		},
		{
			name:  "yaml-duplicate-key",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture:\n  hidden_size: 4096\n  hidden_size: 5120\n"},
			want:  []string{"manifest.yaml:4", `duplicate key "hidden_size"`, "remove one"},
		},
		{
			name:  "yaml-duplicate-model-key",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\nmodel: lite-llm-base-v2.0.0\n"},
			want:  []string{"manifest.yaml:2", `duplicate key "model"`},
		},
		{
			name:  "yaml-two-documents",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\n---\nmodel: lite-llm-base-v2.0.0\n"},
			want:  []string{"manifest.yaml:", "more than one YAML document", "keep one"},
		},
		{
			name:  "yaml-alias",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\ndefaults: &d\n  hidden_size: 4096\narchitecture: *d\n"},
			want:  []string{"manifest.yaml:4", "alias", "write the value out"},
		},
		{
			name:  "yaml-merge-key",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture:\n  <<: {hidden_size: 4096}\n"},
			want:  []string{"manifest.yaml:3"},
		},
		{
			name:  "yaml-deeply-nested",
			files: map[string]string{"manifest.yaml": deepYAML},
			want:  []string{"manifest.yaml:2", "levels deep"},
		},
		{
			name:  "yaml-invalid-utf8",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\ndescription: caf\xe9\n"},
			want:  []string{"manifest.yaml", "not a YAML, JSON or TOML text file"},
		},

		// ---- malformed JSON manifest ----
		{
			name:  "json-trailing-comma",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"architecture\": {\"hidden_size\": 4096},\n}\n"},
			want:  []string{"manifest.json:4", "invalid JSON"},
		},
		{
			name:  "json-truncated",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"architecture\": {\"hidden_size\": 40"},
			want:  []string{"manifest.json:3", "invalid JSON", "end of file"},
		},
		{
			name:  "json-duplicate-key",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"model\": \"lite-llm-base-v2.0.0\"\n}\n"},
			want:  []string{"manifest.json:3", `duplicate key "model"`, "remove one"},
		},
		{
			name:  "json-trailing-content",
			files: map[string]string{"manifest.json": "{\"model\": \"lite-llm-base-v1.0.0\"}\n{\"model\": \"lite-llm-base-v2.0.0\"}\n"},
			want:  []string{"manifest.json:2", "after the JSON value"},
		},
		{
			name:  "json-deeply-nested-10000",
			files: map[string]string{"manifest.json": deepJSON},
			want:  []string{"manifest.json:1", "levels deep"},
		},
		{
			name:  "json-deeply-nested-root-10000",
			files: map[string]string{"manifest.json": deepJSONRoot},
			want:  []string{"manifest.json:1", "levels deep"},
		},

		// ---- manifest shape ----
		{
			name:  "manifest-is-a-list",
			files: map[string]string{"manifest.yaml": "- model: lite-llm-base-v1.0.0\n"},
			want:  []string{"manifest.yaml:1", "a manifest is a map", "model: lite-llm-base-v1.0.0"},
		},
		{
			name:  "manifest-is-a-scalar",
			files: map[string]string{"manifest.yaml": "lite-llm-base-v1.0.0\n"},
			want:  []string{"manifest.yaml:1", "a manifest is a map"},
		},
		{
			name:  "manifest-json-is-a-list",
			files: map[string]string{"manifest.json": "[{\"model\": \"lite-llm-base-v1.0.0\"}]\n"},
			want:  []string{"manifest.json:1", "a manifest is a map"},
		},
		{
			name:  "manifest-empty",
			files: map[string]string{"manifest.yaml": "# nothing yet\n"},
			want:  []string{"manifest.yaml", "model"},
		},
		{
			name:  "model-missing",
			files: map[string]string{"manifest.yaml": "architecture:\n  hidden_size: 4096\n"},
			want:  []string{"manifest.yaml", "missing required field model", "add e.g. model: "},
		},
		{
			name:  "model-is-a-number",
			files: map[string]string{"manifest.yaml": "architecture:\n  hidden_size: 4096\nmodel: 42\n"},
			want:  []string{"manifest.yaml:3", "model must be a string"},
		},
		{
			name:  "model-is-a-map",
			files: map[string]string{"manifest.yaml": "model:\n  name: lite-llm-base\n  version: 1.0.0\n"},
			want:  []string{"manifest.yaml:1", "model must be a string"},
		},
		{
			name:  "model-is-null",
			files: map[string]string{"manifest.yaml": "model:\n"},
			want:  []string{"manifest.yaml:1", "model must be a string"},
		},

		// ---- invalid identifiers ----
		{
			name:  "identifier-no-v",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-2.1.3\n"},
			want:  []string{"manifest.yaml:1", `"lite-llm-base-2.1.3"`, "<name>-v<MAJOR>.<MINOR>.<PATCH>"},
		},
		{
			name:  "identifier-two-part-version",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v2.1\n"},
			want:  []string{"manifest.yaml:1", `"lite-llm-base-v2.1"`, "<name>-v<MAJOR>.<MINOR>.<PATCH>"},
		},
		{
			name:  "identifier-leading-zero",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v02.1.3\n"},
			want:  []string{"manifest.yaml:1", `"lite-llm-base-v02.1.3"`, "<name>-v<MAJOR>.<MINOR>.<PATCH>"},
		},
		{
			name:  "identifier-empty-name",
			files: map[string]string{"manifest.yaml": "model: \"-v1.0.0\"\n"},
			want:  []string{"manifest.yaml:1", `"-v1.0.0"`, "invalid model name"},
		},
		{
			name:  "identifier-name-with-space",
			files: map[string]string{"manifest.yaml": "model: name with space-v1.0.0\n"},
			want:  []string{"manifest.yaml:1", `"name with space"`, "invalid model name", "letters, digits"},
		},
		{
			name:  "identifier-empty",
			files: map[string]string{"manifest.yaml": "model: \"\"\n"},
			want:  []string{"manifest.yaml:1", "invalid model identifier"},
		},

		// ---- wrong types ----
		{
			name:  "tiers-is-a-map",
			files: map[string]string{"manifest.yaml": goodManifest + "tiers:\n  core: 8\n"},
			want:  []string{"manifest.yaml:5", "tiers must be a list"},
		},
		{
			name:  "tier-without-name",
			files: map[string]string{"manifest.yaml": goodManifest + "tiers:\n  - name: core\n    experts: 8\n  - experts: 4\n"},
			want:  []string{"manifest.yaml:8", "each tier must be a map with a name"},
		},
		{
			name:  "tier-is-a-string",
			files: map[string]string{"manifest.yaml": goodManifest + "tiers:\n  - core\n"},
			want:  []string{"manifest.yaml:6", "each tier must be a map with a name"},
		},
		{
			name:  "tier-duplicate-names",
			files: map[string]string{"manifest.yaml": goodManifest + "tiers:\n  - name: core\n    experts: 8\n  - name: core\n    experts: 4\n"},
			want:  []string{"manifest.yaml:8", `duplicate tier name "core"`},
		},
		{
			name:  "tier-experts-a-word",
			files: map[string]string{"manifest.yaml": goodManifest + "tiers:\n  - name: core\n    experts: eight\n"},
			want:  []string{"manifest.yaml:7", "experts", "whole number", "eight"},
		},
		{
			name:  "tier-experts-fraction",
			files: map[string]string{"manifest.yaml": goodManifest + "tiers:\n  - name: core\n    experts: 2.5\n"},
			want:  []string{"manifest.yaml:7", "experts", "whole number", "2.5"},
		},
		{
			name:  "tier-experts-negative",
			files: map[string]string{"manifest.json": "{\n  \"model\": \"lite-llm-base-v1.0.0\",\n  \"tiers\": [\n    {\"name\": \"core\", \"experts\": -1}\n  ]\n}\n"},
			want:  []string{"manifest.json:4", "whole number"},
		},
		{
			name:  "routing-is-a-list",
			files: map[string]string{"manifest.yaml": goodManifest + "routing:\n  - top-2\n"},
			want:  []string{"manifest.yaml:5", "routing must be a map"},
		},
		{
			// a string is a path to a training config: here, to nothing.
			name:  "hyperparameters-names-no-file",
			files: map[string]string{"manifest.yaml": goodManifest + "hyperparameters: lr=3e-4\n"},
			want:  []string{"manifest.yaml:5", `hyperparameters points to "lr=3e-4": file not found`},
		},
		{
			name:  "hyperparameters-is-a-number",
			files: map[string]string{"manifest.yaml": goodManifest + "hyperparameters: 3\n"},
			want:  []string{"manifest.yaml:5", "hyperparameters must be a map of training settings, a path, or a list of paths"},
		},
		{
			name:  "architecture-is-a-number",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: 4096\n"},
			want:  []string{"manifest.yaml:2", "architecture must be a relative path or an inline map"},
		},

		// ---- hostile pointers ----
		{
			name:  "pointer-parent-folder",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: ../outside.json\n"},
			want:  []string{"manifest.yaml:2", "../outside.json", "leaves the repository"},
		},
		{
			name: "pointer-parent-folder-from-subfolder",
			files: map[string]string{
				".modelgate.yaml":           "models: [models/base/manifest.yaml]\n",
				"models/base/manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: ../../../outside.json\n",
			},
			want: []string{"models/base/manifest.yaml:2", "leaves the repository"},
		},
		{
			name:  "pointer-absolute",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: /etc/passwd\n"},
			want:  []string{"manifest.yaml:2", "/etc/passwd", "absolute path", "relative to the manifest"},
		},
		{
			name:  "pointer-url",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: https://huggingface.co/org/model/raw/main/config.json\n"},
			want:  []string{"manifest.yaml:2", "is a URL", "inside the repository"},
		},
		{
			name:  "pointer-release-notes-absolute",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\nrelease_notes: /tmp/notes.md\n"},
			want:  []string{"manifest.yaml:2", "release_notes", "absolute path"},
		},
		{
			name:  "pointer-missing-file",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.json\n"},
			want:  []string{"manifest.yaml:2", "config.json", "not found"},
		},
		{
			name:  "pointer-to-folder",
			files: map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config\n", "config/a.json": "{}\n"},
			want:  []string{"manifest.yaml:2", "config", "folder"},
		},
		{
			name: "pointer-symlink-outside",
			setup: func(t *testing.T, dir string) {
				gitInit(t, dir)
				writeFile(t, dir, "manifest.yaml", "model: lite-llm-base-v1.0.0\narchitecture: config.json\n")
				if err := os.Symlink("../../etc/passwd", filepath.Join(dir, "config.json")); err != nil {
					t.Fatal(err)
				}
				gitCommitAll(t, dir, "symlink out")
			},
			want: []string{"manifest.yaml:2", "config.json", "leaves the repository"},
		},
		{
			name: "pointer-symlink-absolute",
			setup: func(t *testing.T, dir string) {
				gitInit(t, dir)
				writeFile(t, dir, "manifest.yaml", "model: lite-llm-base-v1.0.0\narchitecture: config.json\n")
				if err := os.Symlink("/etc/passwd", filepath.Join(dir, "config.json")); err != nil {
					t.Fatal(err)
				}
				gitCommitAll(t, dir, "symlink abs")
			},
			want: []string{"manifest.yaml:2", "config.json", "leaves the repository"},
		},
		{
			name: "pointer-symlink-loop",
			setup: func(t *testing.T, dir string) {
				gitInit(t, dir)
				writeFile(t, dir, "manifest.yaml", "model: lite-llm-base-v1.0.0\narchitecture: a.json\n")
				for _, l := range [][2]string{{"b.json", "a.json"}, {"a.json", "b.json"}} {
					if err := os.Symlink(l[0], filepath.Join(dir, l[1])); err != nil {
						t.Fatal(err)
					}
				}
				gitCommitAll(t, dir, "symlink loop")
			},
			want: []string{"manifest.yaml:2", "a.json", "symbolic links"},
		},
		{
			name: "manifest-symlink-outside",
			setup: func(t *testing.T, dir string) {
				gitInit(t, dir)
				writeFile(t, dir, "README.txt", "hi\n")
				if err := os.Symlink("../../etc/passwd", filepath.Join(dir, "manifest.yaml")); err != nil {
					t.Fatal(err)
				}
				gitCommitAll(t, dir, "manifest symlink out")
			},
			want: []string{"manifest.yaml", "leaves the repository"},
		},
		{
			name: "pointer-binary-file",
			files: map[string]string{
				"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.json\n",
				"config.json":   "{\"hidden_size\": 4096,\x00\x00\x01\x02 \"num_layers\": 32}\n",
			},
			want: []string{"config.json", "binary content"},
		},
		{
			name: "pointer-huge-file",
			files: map[string]string{
				"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.json\n",
				"config.json":   hugeJSON(),
			},
			want: []string{"manifest.yaml:2", "config.json", "more than the 16777216"},
		},
		{
			name: "pointer-toml-malformed",
			files: map[string]string{
				"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: arch.toml\n",
				"arch.toml":     "hidden_size = 4096\nnum_layers = \n[rope\nscaling = 2\n",
			},
			want: []string{"arch.toml:2", "invalid TOML"},
		},
		{
			name: "pointer-toml-duplicate-key",
			files: map[string]string{
				"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: arch.toml\n",
				"arch.toml":     "hidden_size = 4096\nnum_layers = 32\nhidden_size = 5120\n",
			},
			want: []string{"arch.toml:3", "invalid TOML", "hidden_size"},
		},
		{
			name: "pointer-json-malformed",
			files: map[string]string{
				"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: config.json\n",
				"config.json":   "{\n  \"hidden_size\": 4096,\n  \"num_layers\": 32,\n}\n",
			},
			want: []string{"config.json:4", "invalid JSON"},
		},

		// ---- refs and flags ----
		{
			name:  "unknown-base-ref",
			files: map[string]string{"manifest.yaml": goodManifest},
			args:  []string{"--base", "no-such-tag"},
			want:  []string{"--base", `"no-such-tag"`, "unknown revision"},
		},
		{
			name:  "unknown-head-ref",
			files: map[string]string{"manifest.yaml": goodManifest},
			args:  []string{"--head", "no-such-branch"},
			want:  []string{"--head", `"no-such-branch"`, "unknown revision"},
		},
		{
			name:  "version-not-semver",
			files: map[string]string{"manifest.yaml": goodManifest},
			args:  []string{"--version", "2.1"},
			want:  []string{"--version", `"2.1"`, "MAJOR.MINOR.PATCH"},
		},
		{
			name:  "version-other-model",
			files: map[string]string{"manifest.yaml": goodManifest},
			args:  []string{"--version", "other-model-v2.0.0"},
			want:  []string{"--version", "manifest.yaml", "other-model", "lite-llm-base"},
		},
		{
			name:  "format-yaml",
			files: map[string]string{"manifest.yaml": goodManifest},
			args:  []string{"--format", "yaml"},
			want:  []string{"--format", `"yaml"`, "text, json, markdown"},
		},
		{
			name: "not-a-git-repository",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "manifest.yaml", goodManifest)
			},
			want: []string{"$DIR", "not a git repository"},
		},
		{
			name: "repo-folder-missing",
			setup: func(t *testing.T, dir string) {
			},
			args: []string{"--repo", "$DIR/no-such-folder"},
			want: []string{"no-such-folder", "not a git repository"},
		},
		{
			name:  "no-manifest-at-head",
			files: map[string]string{"README.md": "# a model\n"},
			want:  []string{"manifest.yaml", "no model manifest at HEAD"},
		},

		{
			name: "repo-without-commits",
			setup: func(t *testing.T, dir string) {
				initBuilder(t, dir)
			},
			want: []string{`"HEAD"`},
		},
		{
			name:  "manifest-is-a-folder",
			files: map[string]string{"manifest.yaml/model.yaml": goodManifest},
			want:  []string{"manifest.yaml", "is a folder"},
		},

		// ---- configuration ----
		{
			name: "config-is-a-list",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "- models: [manifest.yaml]\n",
			},
			want: []string{".modelgate.yaml:1", "must be a map"},
		},
		{
			name: "config-models-outside",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "models:\n  - manifest.yaml\n  - ../other/manifest.yaml\n",
			},
			want: []string{".modelgate.yaml:3", "../other/manifest.yaml", "leaves the repository"},
		},
		{
			name: "config-symlink-outside",
			setup: func(t *testing.T, dir string) {
				gitInit(t, dir)
				writeFile(t, dir, "manifest.yaml", goodManifest)
				if err := os.Symlink("../../etc/passwd", filepath.Join(dir, ".modelgate.yaml")); err != nil {
					t.Fatal(err)
				}
				gitCommitAll(t, dir, "config symlink out")
			},
			want: []string{".modelgate.yaml", "leaves the repository"},
		},
		{
			name: "config-unknown-key",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "notes_dir: releases\nnote_dir: notes\n",
			},
			want: []string{".modelgate.yaml:2", `unknown key "note_dir"`, "known keys"},
		},
		{
			name: "config-suppression-without-reason",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "suppress:\n  - rule: arch-shape-changed\n    path: architecture.hidden_size\n",
			},
			want: []string{".modelgate.yaml:2", "needs a reason"},
		},
		{
			name: "config-suppression-blank-reason",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "suppress:\n  - rule: arch-shape-changed\n    reason: \"   \"\n",
			},
			want: []string{".modelgate.yaml:2", "needs a reason"},
		},
		{
			name: "config-rule-invalid-bump",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "rules:\n  arch-shape-changed:\n    bump: huge\n",
			},
			want: []string{".modelgate.yaml:3", `invalid bump "huge"`, "none, patch, minor or major"},
		},
		{
			name: "config-unknown-rule",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "rules:\n  no-such-rule:\n    bump: minor\n",
			},
			want: []string{".modelgate.yaml:2", "no-such-rule", "unknown rule ID"},
		},
		{
			name: "config-models-missing",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "models:\n  - models/base/manifest.yaml\n",
			},
			want: []string{".modelgate.yaml:2", "models/base/manifest.yaml", "does not exist"},
		},
		{
			name: "config-malformed-yaml",
			files: map[string]string{
				"manifest.yaml":   goodManifest,
				".modelgate.yaml": "ignore: [docs/**\n",
			},
			want: []string{".modelgate.yaml:1", "invalid YAML"},
		},
		{
			name:  "config-flag-missing-file",
			files: map[string]string{"manifest.yaml": goodManifest},
			args:  []string{"--config", "$DIR/ci/modelgate.yaml"},
			want:  []string{"ci/modelgate.yaml", "cannot read the configuration"},
		},
		{
			name: "config-flag-unknown-key",
			setup: func(t *testing.T, dir string) {
				commitFiles(t, dir, map[string]string{"manifest.yaml": goodManifest})
				// The file passed with --config lives outside the repository.
				writeFile(t, filepath.Dir(dir), "gate-config.yaml", "pre1_policy: shift\nrulez: {}\n")
			},
			args: []string{"--config", "$DIR/../gate-config.yaml"},
			want: []string{"gate-config.yaml:2", `unknown key "rulez"`},
		},

		// ---- the baseline ----
		{
			name: "baseline-tag-manifest-malformed",
			setup: func(t *testing.T, dir string) {
				b := initBuilder(t, dir)
				mustDo(t, b.Commit("v1.0.0", map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture:\n  hidden_size: 4096\n  hidden_size: 5120\n"}))
				mustDo(t, b.Tag("lite-llm-base-v1.0.0"))
				mustDo(t, b.Commit("v1.1.0", map[string]string{"manifest.yaml": "model: lite-llm-base-v1.1.0\narchitecture:\n  hidden_size: 4096\n"}))
			},
			want: []string{"baseline", "lite-llm-base-v1.0.0", "manifest.yaml:4", "duplicate key"},
		},
		{
			name: "baseline-flag-manifest-malformed",
			setup: func(t *testing.T, dir string) {
				b := initBuilder(t, dir)
				mustDo(t, b.Commit("broken", map[string]string{"manifest.yaml": "model: [lite-llm-base-v1.0.0]\n"}))
				mustDo(t, b.Tag("broken-base"))
				mustDo(t, b.Commit("fixed", map[string]string{"manifest.yaml": "model: lite-llm-base-v1.1.0\n"}))
			},
			args: []string{"--base", "broken-base"},
			want: []string{"baseline", "broken-base", "manifest.yaml:1", "model must be a string"},
		},
		{
			name: "baseline-manifest-absent",
			setup: func(t *testing.T, dir string) {
				b := initBuilder(t, dir)
				mustDo(t, b.Commit("start", map[string]string{"README.md": "# model\n"}))
				mustDo(t, b.Tag("start"))
				mustDo(t, b.Commit("manifest", map[string]string{"manifest.yaml": goodManifest}))
			},
			args: []string{"--base", "start"},
			want: []string{"manifest.yaml", "does not exist at the baseline start", "--base none"},
		},
		{
			name: "baseline-pointer-escapes",
			setup: func(t *testing.T, dir string) {
				b := initBuilder(t, dir)
				mustDo(t, b.Commit("v1.0.0", map[string]string{"manifest.yaml": "model: lite-llm-base-v1.0.0\narchitecture: ../outside.json\n"}))
				mustDo(t, b.Tag("lite-llm-base-v1.0.0"))
				mustDo(t, b.Commit("v1.1.0", map[string]string{"manifest.yaml": "model: lite-llm-base-v1.1.0\narchitecture:\n  hidden_size: 4096\n"}))
			},
			want: []string{"baseline", "lite-llm-base-v1.0.0", "manifest.yaml:2", "leaves the repository"},
		},

		// ---- tensor, metric and API evidence ----
		{
			name:  "safetensors-truncated-header",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors\n", "model.safetensors": safetensorsBytes(-1, 10)},
			want:  []string{"model.safetensors: safetensors header length 56 is more than the 10 bytes that follow it", "truncated"},
		},
		{
			name:  "safetensors-lying-length",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors\n", "model.safetensors": safetensorsBytes(1<<40, -1)},
			want:  []string{"model.safetensors: safetensors header length 1099511627776 is more than the 72 bytes that follow it"},
		},
		{
			name:  "safetensors-not-json",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: weights/model.safetensors\n", "weights/model.safetensors": "\x08\x00\x00\x00\x00\x00\x00\x00<html>  "},
			want:  []string{"weights/model.safetensors", "not a JSON object", "not a safetensors file"},
		},
		{
			name: "safetensors-lfs-object-truncated",
			setup: func(t *testing.T, dir string) {
				obj := safetensorsBytes(-1, 10)
				sum := sha256.Sum256([]byte(obj))
				oid := hex.EncodeToString(sum[:])
				commitFiles(t, dir, map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors\n",
					"model.safetensors": fmt.Sprintf("version https://git-lfs.github.com/spec/v1\noid sha256:%s\nsize %d\n", oid, len(obj))})
				writeFile(t, dir, ".git/lfs/objects/"+oid[0:2]+"/"+oid[2:4]+"/"+oid, obj)
			},
			want: []string{"model.safetensors (Git LFS object ", "safetensors header length 56 is more than the 10 bytes"},
		},
		{
			name:  "lfs-pointer-malformed",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors\n", "model.safetensors": "version https://git-lfs.github.com/spec/v1\noid md5:abc\nsize 12\n"},
			want:  []string{"model.safetensors", "invalid Git LFS pointer: oid", "sha256:<64 hex digits>"},
		},
		{
			name: "tensors-entry-wrong-type",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: tensors.json\n",
				"tensors.json": "{\n  \"a.weight\": {\"shape\": [4], \"dtype\": \"F32\"},\n  \"b.weight\": true\n}\n"},
			want: []string{"tensors.json:3", `tensor "b.weight"`, "want {\"shape\": [...], \"dtype\": \"...\"}"},
		},
		{
			name: "tensors-index-invalid-json",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors.index.json\n",
				"model.safetensors.index.json": "{\n  \"weight_map\": {\n    \"a\": \"s1.safetensors\"\n    \"b\": \"s2.safetensors\"\n  }\n}\n"},
			want: []string{"model.safetensors.index.json:4", "invalid JSON"},
		},
		{
			name:  "tensors-missing-file",
			files: map[string]string{"manifest.yaml": goodManifest + "tensors: model.safetensors.index.json\n"},
			want:  []string{"manifest.yaml:5", `tensors points to "model.safetensors.index.json": file not found`},
		},
		{
			name: "config-metrics-unknown-key",
			files: map[string]string{"manifest.yaml": goodManifest,
				".modelgate.yaml": "metrics:\n  mmlu.accuracy:\n    direction: higher\n    tolerence: 0.01\n"},
			want: []string{".modelgate.yaml:4", `metric "mmlu.accuracy"`, `unknown key "tolerence"`, "direction, tolerance"},
		},
		{
			name: "config-metrics-bad-direction",
			files: map[string]string{"manifest.yaml": goodManifest,
				".modelgate.yaml": "metrics:\n  eval.loss: {direction: down}\n"},
			want: []string{".modelgate.yaml:2", "direction must be higher", "or lower"},
		},
		{
			name: "openapi-unresolvable-ref",
			files: map[string]string{"manifest.yaml": goodManifest + "api: api/openapi.yaml\n",
				"api/openapi.yaml": "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'https://example.com/s.yaml'}\n"},
			want: []string{"api/openapi.yaml: invalid OpenAPI document", "only files in the repository are read"},
		},
	}

	if len(cases) < 30 {
		t.Fatalf("only %d cases; want at least 30", len(cases))
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %s", tc.name)
		}
		seen[tc.name] = true
	}

	runBadCases(t, cases)
}

// maxErrLine bounds the one error line, whatever the input: quoted input
// is shortened to an excerpt.
const maxErrLine = 600

// runBadCases runs modelgate check on each case's repository and holds it
// to the bad-input contract: exit 2, nothing on stdout, one stderr line that
// holds every want, and the repository folder unchanged.
func runBadCases(t *testing.T, cases []badCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "repo")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(t, dir)
			} else {
				commitFiles(t, dir, tc.files)
			}
			before := listTree(t, dir)

			subst := func(s string) string { return strings.ReplaceAll(s, "$DIR", dir) }
			args := []string{"check", "--repo", dir}
			for _, a := range tc.args {
				args = append(args, subst(a))
			}
			var stdout, stderr bytes.Buffer
			code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
			errText := stderr.String()
			t.Logf("exit %d, stderr: %s", code, clip(strings.TrimSuffix(errText, "\n")))

			if code != cli.ExitError {
				t.Errorf("exit status %d, want %d (the gate could not run)", code, cli.ExitError)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout is not empty (nothing must be written on bad input):\n%s", clip(stdout.String()))
			}
			if len(errText) > maxErrLine {
				t.Errorf("the error line is %d bytes, more than %d: it must quote at most a short excerpt", len(errText), maxErrLine)
			}
			if strings.Count(errText, "\n") != 1 || !strings.HasSuffix(errText, "\n") {
				t.Errorf("stderr must be exactly one line, got %d line(s):\n%s", strings.Count(errText, "\n"), clip(errText))
			}
			if !strings.HasPrefix(errText, "modelgate: ") {
				t.Errorf("stderr does not start with %q:\n%s", "modelgate: ", clip(errText))
			}
			for _, w := range tc.want {
				if w = subst(w); !strings.Contains(errText, w) {
					t.Errorf("stderr lacks %q:\n%s", w, clip(errText))
				}
			}
			if after := listTree(t, dir); !equalStrings(before, after) {
				t.Errorf("the repository folder changed:\nbefore: %v\nafter:  %v", before, after)
			}
		})
	}
}

// safetensorsBytes returns a safetensors file with one F32 tensor of 4
// values: length overrides the header length when >= 0, cut keeps only
// that many bytes after the length prefix when >= 0.
func safetensorsBytes(length int64, cut int) string {
	header := `{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	if length < 0 {
		length = int64(len(header))
	}
	body := header + strings.Repeat("\x00", 16)
	if cut >= 0 {
		body = body[:cut]
	}
	return string(binary.LittleEndian.AppendUint64(nil, uint64(length))) + body
}

// clip shortens output for failure messages.
func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return s
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func initBuilder(t *testing.T, dir string) *gitrepo.Builder {
	t.Helper()
	b, err := gitrepo.Init(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// commitFiles makes a repository in dir with one commit holding files.
func commitFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	b := initBuilder(t, dir)
	mustDo(t, b.Commit("model", files))
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	full := filepath.Join(dir, filepath.FromSlash(name))
	mustDo(t, os.MkdirAll(filepath.Dir(full), 0o755))
	mustDo(t, os.WriteFile(full, []byte(content), 0o644))
}

// git runs the git CLI in dir with a throwaway identity and configuration,
// for what the Builder cannot write (symbolic links).
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_AUTHOR_NAME=modelgate test", "GIT_AUTHOR_EMAIL=test@modelgate.invalid",
		"GIT_COMMITTER_NAME=modelgate test", "GIT_COMMITTER_EMAIL=test@modelgate.invalid",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+t.TempDir(),
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func gitInit(t *testing.T, dir string) {
	t.Helper()
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "config", "core.symlinks", "true")
}

func gitCommitAll(t *testing.T, dir, msg string) {
	t.Helper()
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", msg)
}

// listTree lists every path under dir, with the size of regular files outside
// .git, so a written or modified file shows.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		entry := filepath.ToSlash(rel)
		if d.Type().IsRegular() && !strings.HasPrefix(entry, ".git/") {
			info, err := d.Info()
			if err != nil {
				return err
			}
			entry += fmt.Sprintf(" (%d bytes)", info.Size())
		}
		out = append(out, entry)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
