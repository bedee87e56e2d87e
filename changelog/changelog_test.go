package changelog

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/modelgate/modelgate/check"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const base = `model: lite-llm-base-v2.1.3
architecture:
  hidden_size: 4096
  num_layers: 32
tiers:
  - name: core
    experts: 8
routing:
  strategy: top-2
hyperparameters:
  learning_rate: 3.0e-4
  optimizer: adamw
fingerprints:
  greedy: sha256:aaaa
`

// report gates head against base in memory, as the CLI would on git.
func report(t testing.TB, head string, changed []string, files ...string) *check.ModelReport {
	t.Helper()
	load := func(manifest string, extra ...string) (*check.Model, fstest.MapFS) {
		fsys := fstest.MapFS{"manifest.yaml": {Data: []byte(manifest)}}
		for i := 0; i+1 < len(extra); i += 2 {
			fsys[extra[i]] = &fstest.MapFile{Data: []byte(extra[i+1])}
		}
		m, err := check.Load(fsys, "manifest.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return m, fsys
	}
	b, _ := load(base)
	h, fsys := load(head, files...)
	m, err := check.Evaluate(check.Input{Base: b, Head: h, HeadFS: fsys, Changed: changed,
		BaseRef: check.Ref{Ref: "lite-llm-base-v2.1.3", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: check.Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func edit(pairs ...string) string {
	s := base
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test ./changelog -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s (run with -update to accept):\n%s", name, file, got)
	}
}

// TestDraftGolden renders the draft of each kind of release and compares it
// with testdata/golden/draft-<kind>.md.
func TestDraftGolden(t *testing.T) {
	tests := []struct {
		name, head string
		changed    []string
		want       []string // lines the draft must hold
	}{
		{"major", edit("2.1.3", "3.0.0", "4096", "5120", "optimizer: adamw", "optimizer: lion"), nil,
			[]string{"## Why this is a MAJOR release", "## Breaking changes", "## Migration", Placeholder, "| `optimizer` | `adamw` | `lion` |"}},
		{"minor", edit("2.1.3", "2.2.0", "routing:", "  - name: long\n    experts: 4\nrouting:", "top-2", "top-1"), nil,
			[]string{"## Why this is a MINOR release", "## Added", "## Behaviour changes"}},
		{"patch", edit("2.1.3", "2.1.4"), []string{"src/model.py"},
			[]string{"## Why this is a PATCH release", "## Fixed", "- `src/model.py` changed"}},
		{"none", edit("3.0e-4", "2.0e-4"), nil,
			[]string{"## Why the version does not change", "No version change was required", "| `learning_rate` | `3.0e-4` | `2.0e-4` |"}},
		// modelgate notes refuses to draft a version that is too small; the
		// draft itself never says a release is wrong.
		{"too-small", edit("2.1.3", "2.1.4", "4096", "5120"), nil,
			[]string{"The changes require a **major** bump, from 2.1.3 to 3.0.0", Placeholder}},
		{"fingerprint", edit("2.1.3", "2.2.0", "sha256:aaaa", "sha256:bbbb"), nil,
			[]string{"## Why this is a MINOR release", "`fingerprints.greedy`: `\"sha256:aaaa\"` → `\"sha256:bbbb\"`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Draft(report(t, tt.head, tt.changed))
			for _, w := range tt.want {
				if !strings.Contains(d, w) {
					t.Errorf("draft lacks %q", w)
				}
			}
			for _, wrong := range []string{"too small", "fails", "must be", "wrong"} {
				if strings.Contains(d, wrong) {
					t.Errorf("the draft says %q: a draft never says the release is wrong", wrong)
				}
			}
			if major := tt.name == "major" || tt.name == "too-small"; strings.Contains(d, Placeholder) != major {
				t.Errorf("placeholder present = %v, want it only when the changes or the release are major", !major)
			}
			golden(t, "draft-"+tt.name+".md", d)
		})
	}
}

// TestDraftPassesTheGate checks that the gate and the draft agree: a fresh
// draft passes the notes checks of a minor release, and a major draft fails
// with release-notes-template until the placeholder is replaced.
func TestDraftPassesTheGate(t *testing.T) {
	problems := func(m *check.ModelReport) string {
		var ids []string
		for _, p := range m.Problems {
			ids = append(ids, p.Rule)
		}
		return strings.Join(ids, ",")
	}
	minor := edit("2.1.3", "2.2.0", "top-2", "top-1")
	draft := Draft(report(t, minor, nil))
	if got := problems(report(t, minor, nil, "releases/v2.2.0.md", draft)); got != "" {
		t.Errorf("minor release with its fresh draft: problems %s", got)
	}
	major := edit("2.1.3", "3.0.0", "4096", "5120")
	draft = Draft(report(t, major, nil))
	if got := problems(report(t, major, nil, "releases/v3.0.0.md", draft)); got != "release-notes-template" {
		t.Errorf("major release with its fresh draft: problems %q, want release-notes-template", got)
	}
	i := strings.Index(draft, Placeholder)
	filled := draft[:i] + "Convert old checkpoints with `python migrations/pad.py OLD NEW`.\n"
	if got := problems(report(t, major, nil, "releases/v3.0.0.md", filled)); got != "" {
		t.Errorf("major release with the steps written: problems %s", got)
	}
}

func TestBody(t *testing.T) {
	m := report(t, edit("2.1.3", "2.2.0", "top-2", "top-1"), nil, "releases/v2.2.0.md", "Top-1 routing, for latency.\n")
	body := Body(m)
	for _, w := range []string{"Top-1 routing, for latency.", "<details><summary>Compatibility report: minor bump required since lite-llm-base-v2.1.3 (1 findings)</summary>",
		"| minor | `routing-changed` | `routing.strategy` |", ModelMarker("lite-llm-base")} {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q:\n%s", w, body)
		}
	}
	if strings.Contains(body, "Truncated") {
		t.Error("a small body is truncated")
	}
}

func TestBodyTruncation(t *testing.T) {
	m := report(t, edit("2.1.3", "2.2.0", "top-2", "top-1"), nil, "releases/v2.2.0.md", "Notes.\n")
	for i := range 5000 {
		m.Findings = append(m.Findings, check.Finding{Rule: "tensor-added", Bump: check.BumpMinor, File: "tensors.json",
			Path: fmt.Sprintf("tensors.model.layers.%d.mlp.experts.%d.up_proj.weight", i/64, i%64)})
	}
	huge := strings.Repeat("Long notes. ", 20000)
	tests := []struct{ name, notes, want string }{
		{"many findings", "Notes.", "more findings are in the version record."},
		{"huge notes", huge, "Long notes."},
	}
	for _, tt := range tests {
		m.NotesText = tt.notes
		body := Body(m)
		n := len([]rune(body))
		if n > MaxBody {
			t.Errorf("%s: body is %d characters, more than %d", tt.name, n, MaxBody)
		}
		if !strings.Contains(body, TruncationNote) || !strings.HasSuffix(body, ModelMarker("lite-llm-base")+"\n") || !strings.Contains(body, tt.want) {
			t.Errorf("%s: truncated body lacks the note, the marker or %q", tt.name, tt.want)
		}
	}
}

func TestUpdateChangelog(t *testing.T) {
	m := report(t, edit("2.1.3", "2.2.0", "routing:", "  - name: long\n    experts: 4\nrouting:"), nil)
	in := `# Changelog

Intro.

## [Unreleased]

### Added
- a long-context tier for 128k documents

## [2.1.3] - 2026-01-01
- fix

[unreleased]: https://github.com/acme/m/compare/lite-llm-base-v2.1.3...HEAD
[2.1.3]: https://github.com/acme/m/releases/tag/lite-llm-base-v2.1.3
`
	out, err := UpdateChangelog(in, m, ChangelogOptions{Date: "2026-11-22"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "changelog-minor.md", out)
	for _, w := range []string{
		"## [Unreleased]\n\n## [2.2.0] - 2026-11-22\n\n### Added\n- a long-context tier for 128k documents\n- `tiers[long]` added",
		"[unreleased]: https://github.com/acme/m/compare/lite-llm-base-v2.2.0...HEAD\n[2.2.0]: https://github.com/acme/m/compare/lite-llm-base-v2.1.3...lite-llm-base-v2.2.0\n",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("changelog lacks %q:\n%s", w, out)
		}
	}
	if _, err := UpdateChangelog(out, m, ChangelogOptions{Date: "2026-11-23"}); err == nil || !strings.Contains(err.Error(), "already has a section for 2.2.0") {
		t.Errorf("second update: error %v, want already has a section", err)
	}
	fresh, err := UpdateChangelog("# Changelog\n", m, ChangelogOptions{Date: "2026-11-22"})
	if err != nil || !strings.Contains(fresh, "## [Unreleased]\n\n## [2.2.0] - 2026-11-22\n") {
		t.Errorf("changelog without sections: %v\n%s", err, fresh)
	}
}

func TestRecord(t *testing.T) {
	m := report(t, edit("2.1.3", "2.2.0", "top-2", "top-1"), nil, "releases/v2.2.0.md", "Top-1.\n")
	data, err := json.Marshal(NewRecord(m, "v1.2.3"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"schema": RecordSchema, "identifier": "lite-llm-base-v2.2.0", "name": "lite-llm-base", "version": "2.2.0",
		"previous_version": "2.1.3", "previous_identifier": "lite-llm-base-v2.1.3", "required_bump": "minor",
		"declared_bump": "minor", "modelgate_version": "v1.2.3",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("record %s = %v, want %v", k, got[k], v)
		}
	}
	notes := got["release_notes"].(map[string]any)
	// printf 'Top-1.\n' | sha256sum
	if notes["path"] != "releases/v2.2.0.md" || notes["sha256"] != "6718985c74a1ac6306062989e46f34a0d22f885d3a94759ef31516f821d2f702" {
		t.Errorf("release_notes = %v", notes)
	}
	hp := got["hyperparameters"].(map[string]any)
	if hp["optimizer"] != "adamw" || got["fingerprints"].(map[string]any)["greedy"] != "sha256:aaaa" || got["metrics"] != nil {
		t.Errorf("hyperparameters %v, fingerprints %v, metrics %v", hp, got["fingerprints"], got["metrics"])
	}
}

// evidence gates a release whose evidence changed: experts added to the
// tensor map, an optional response field added to the OpenAPI document,
// and a metric that regressed beyond its tolerance. notes are the release
// notes at head ("" for none).
func evidence(t *testing.T, notes string) *check.ModelReport {
	t.Helper()
	tensors := func(experts int) string {
		var b strings.Builder
		b.WriteString("{\n")
		for l := range 2 {
			for e := range experts {
				for _, p := range []string{"gate", "up", "down"} {
					fmt.Fprintf(&b, "  \"model.layers.%d.mlp.experts.%d.%s_proj.weight\": {\"shape\": [64, 32], \"dtype\": \"BF16\"},\n", l, e, p)
				}
			}
		}
		b.WriteString("  \"lm_head.weight\": {\"shape\": [100, 32], \"dtype\": \"BF16\"}\n}\n")
		return b.String()
	}
	const api = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /generate:\n    post:\n      responses:\n        '200':\n" +
		"          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n" +
		"                properties:\n                  text: {type: string}\n"
	manifest := "model: moe-v%s\ntensors: tensors.json\napi: api.yaml\nmetrics: {mmlu: %s, gsm8k: %s}\n"
	load := func(fsys fstest.MapFS) *check.Model {
		m, err := check.Load(fsys, "manifest.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	base := load(fstest.MapFS{"manifest.yaml": {Data: []byte(fmt.Sprintf(manifest, "1.0.0", "0.712", "0.55"))},
		"tensors.json": {Data: []byte(tensors(4))}, "api.yaml": {Data: []byte(api)}})
	headFS := fstest.MapFS{"manifest.yaml": {Data: []byte(fmt.Sprintf(manifest, "1.1.0", "0.690", "0.58"))},
		"tensors.json": {Data: []byte(tensors(6))}, "api.yaml": {Data: []byte(api + "                  finish_reason: {type: string}\n")}}
	if notes != "" {
		headFS["releases/v1.1.0.md"] = &fstest.MapFile{Data: []byte(notes)}
	}
	cfg, err := check.ParseConfig(".modelgate.yaml", []byte("metrics:\n  mmlu: {direction: higher, tolerance: 1%}\n  gsm8k: {direction: higher}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := check.Evaluate(check.Input{Config: cfg, Base: base, Head: load(headFS), HeadFS: headFS,
		BaseRef: check.Ref{Ref: "moe-v1.0.0", Commit: "9c1e2f3a4b5c6d7e8f9091a2b3c4d5e6f7a8b9c0"},
		HeadRef: check.Ref{Ref: "HEAD", Commit: "4be0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c"}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestDraftEvidence drafts the notes of a release with evidence findings:
// grouped tensors, the OpenAPI change, the metrics table with deltas, and a
// Known regressions section the gate refuses until a person writes it.
func TestDraftEvidence(t *testing.T) {
	m := evidence(t, "")
	d := Draft(m)
	for _, w := range []string{
		"- `model.layers.{0,1}.mlp.experts.{4,5}.{gate,up,down}_proj.weight` added: 12 tensors, each [64, 32] BF16 — old checkpoints still load and the new tensors start from their initialisation [`tensor-added`]",
		"- POST /generate: added the optional property `finish_reason` to the response with the `200` status (oasdiff response-optional-property-added) — existing clients keep working [`api-compatible`]",
		"## Metrics", "| metric | old | new | delta |", "| `mmlu` | `0.712` | `0.690` | -0.022, -3.1% — regressed beyond the tolerance 1% (higher is better) |",
		"| `gsm8k` | `0.55` | `0.58` | +0.03, +5.5% |",
		"## Known regressions", "- `mmlu`: 0.712 → 0.690 (-0.022, -3.1%), beyond the tolerance 1%", RegressionPlaceholder,
	} {
		if !strings.Contains(d, w) {
			t.Errorf("draft lacks %q", w)
		}
	}
	golden(t, "draft-evidence.md", d)

	problems := func(m *check.ModelReport) string {
		var ids []string
		for _, p := range m.Problems {
			ids = append(ids, p.Rule)
		}
		return strings.Join(ids, ",")
	}
	if got := problems(m); got != "release-notes-missing,metric-regressed" {
		t.Errorf("without notes: problems %s", got)
	}
	if got := problems(evidence(t, d)); got != "release-notes-template" {
		t.Errorf("with the fresh draft: problems %s, want release-notes-template only (the regression is listed under Known regressions)", got)
	}
	filled := strings.Replace(d, RegressionPlaceholder, "The smaller router costs MMLU a point; GSM8K gains three.", 1)
	if got := problems(evidence(t, filled)); got != "" {
		t.Errorf("with the regression explained: problems %s", got)
	}

	body := Body(evidence(t, filled))
	for _, w := range []string{"The smaller router costs MMLU a point",
		"| minor | `tensor-added` | `model.layers.{0,1}.mlp.experts.{4,5}.{gate,up,down}_proj.weight` added: 12 tensors, each [64, 32] BF16 |",
		"| none | `metric-changed` | metrics.mmlu: 0.712 -&gt; 0.690 (-0.022, -3.1%) |"} {
		if !strings.Contains(body, w) {
			t.Errorf("release body lacks %q:\n%s", w, body)
		}
	}
}
