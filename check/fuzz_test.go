package check

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// The fuzz targets below hold every parser of check to the bad-input
// contract: never a panic, never a hang; an error is one line naming the
// file, with at most a short excerpt of the input; what parses behaves.
// Seed corpora live in testdata/fuzz/<target>/.

// checkParseError fails t unless err is one short line that names file.
func checkParseError(t *testing.T, file string, err error) {
	t.Helper()
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("error on more than one line: %q", msg)
	}
	if !strings.HasPrefix(msg, file) {
		t.Fatalf("error does not name %s: %q", file, msg)
	}
	if len(msg) > 600 {
		t.Fatalf("error of %d bytes: it must quote at most an excerpt: %.200q", len(msg), msg)
	}
}

// fuzzTree parses data as the format of file and checks the invariants
// every tree holds.
func fuzzTree(t *testing.T, file string, data []byte) *Node {
	n, err := Parse(file, data)
	if err != nil {
		checkParseError(t, file, err)
		return nil
	}
	if !Equal(n, n) {
		t.Fatalf("a tree is not Equal to itself: %s", n.Text())
	}
	if d := Diff(n, n); len(d) != 0 {
		t.Fatalf("a tree differs from itself: %v", d)
	}
	return n
}

func FuzzParseYAML(f *testing.F) {
	f.Add([]byte("model: lite-llm-base-v1.0.0\narchitecture:\n  hidden_size: 4096\n  rope_theta: 1e4\n"))
	f.Add([]byte("a: [1, 2\nb: 'x\n"))
	f.Add([]byte("n: 0x1000000000000000000000001\nf: .inf\nz: 1e-400\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := fuzzTree(t, "f.yaml", data)
		if n == nil {
			if l := yamlErrorLine(data); l < 0 || l > strings.Count(string(data), "\n")+1 {
				t.Fatalf("error line %d outside the file", l)
			}
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"model": "lite-llm-base-v1.0.0", "architecture": {"hidden_size": 4096, "n": 9007199254740993}}`))
	f.Add([]byte(`{"a": 1, "a": 2}`))
	f.Add([]byte(`[1e400, 1e-400, -0.0, 123456789012345678901234567890]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := fuzzTree(t, "f.json", data)
		if n == nil {
			return
		}
		// What parses writes back as JSON that parses to an Equal tree:
		// numbers exact at any size.
		out, err := json.Marshal(n.Interface())
		if err != nil {
			t.Fatalf("Interface() does not encode: %v", err)
		}
		m, err := Parse("g.json", out)
		if err != nil {
			t.Fatalf("re-encoded JSON does not parse: %v\n%s", err, out)
		}
		if !Equal(n, m) {
			t.Fatalf("round trip changed the value:\n%s\n%s", n.Text(), m.Text())
		}
	})
}

func FuzzParseTOML(f *testing.F) {
	f.Add([]byte("title = \"m\"\n\n[model]\nhidden_size = 4096\nrope_theta = 1e4\n"))
	f.Add([]byte("[[tiers]]\nname = \"core\"\n[[tiers]]\nname = \"x\"\na = {b = 1}\n"))
	f.Add([]byte("a = 9223372036854775807\nb = inf\nc = nan\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzTree(t, "f.toml", data)
	})
}

func FuzzParseIdentifier(f *testing.F) {
	f.Add("lite-llm-base-v2.1.3")
	f.Add("foo-v2-base-v1.0.0-rc.1+build.5")
	f.Add("x-v01.2.3")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIdentifier(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") || len(err.Error()) > 400 {
				t.Fatalf("error not one short line: %.200q", err)
			}
			return
		}
		if id.String() != s {
			t.Fatalf("identifier %q reads back as %q", s, id.String())
		}
		again, err := ParseIdentifier(id.String())
		if err != nil || again.Name != id.Name || !again.Version.Equal(id.Version) {
			t.Fatalf("identifier %q does not parse back: %v", s, err)
		}
		if v, err := ParseVersion(id.Version.String()); err != nil || !v.Equal(id.Version) {
			t.Fatalf("version %q does not parse back: %v", id.Version, err)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("models: [models/a/manifest.yaml]\nnotes_dir: releases\nignore: [docs/**]\npre1_policy: strict\n"))
	f.Add([]byte("rules:\n  my-rule: {match: architecture.moe_*, bump: major}\nsuppress:\n  - {rule: my-rule, path: '**', reason: ok}\n"))
	f.Add([]byte("metrics:\n  mmlu.accuracy: {direction: higher, tolerance: 0.01}\n  '*.loss': {direction: lower, tolerance: 5%}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(".modelgate.yaml", data)
		if err != nil {
			checkParseError(t, ".modelgate.yaml", err)
			return
		}
		for _, m := range c.Metrics {
			if m.Tolerance < 0 || m.Pattern == "" {
				t.Fatalf("metric rule %+v", m)
			}
		}
		c.Ignored("a/b.json")
	})
}

// FuzzLoadManifest loads a manifest whose pointer fields may name a second
// file, both fuzzed: the manifest loader, pointer resolution and the
// parsers behind it.
func FuzzLoadManifest(f *testing.F) {
	f.Add([]byte("model: lite-llm-base-v1.0.0\narchitecture: config.json\ntiers:\n  - {name: core, experts: 8}\nmetrics: config.json\n"),
		[]byte(`{"hidden_size": 4096, "mmlu": {"accuracy": 0.7}}`))
	f.Add([]byte("model: m-v1.0.0\ntensors: config.json\n"), []byte(`{"weight_map": {"a": "s1.safetensors"}}`))
	f.Add([]byte("model: m-v1.0.0\narchitecture: ../x.json\nmigrations: migrations/\n"), []byte("{}"))
	f.Fuzz(func(t *testing.T, manifest, pointed []byte) {
		fsys := fstest.MapFS{
			"manifest.yaml": &fstest.MapFile{Data: manifest},
			"config.json":   &fstest.MapFile{Data: pointed},
		}
		m, err := Load(fsys, "manifest.yaml")
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 800 {
				t.Fatalf("error not one short line: %.200q", msg)
			}
			if !strings.HasPrefix(msg, "manifest.yaml") && !strings.HasPrefix(msg, "config.json") {
				t.Fatalf("error names no file: %q", msg)
			}
			return
		}
		if m.ID.Name == "" || m.Root == nil || m.Resolved == nil {
			t.Fatalf("loaded model without identifier or tree: %+v", m)
		}
		if d := Diff(m.Resolved, m.Resolved); len(d) != 0 {
			t.Fatalf("a manifest differs from itself: %v", d)
		}
	})
}

// FuzzChangelogSection feeds the Keep a Changelog reader (release notes in
// CHANGELOG.md) arbitrary files: the section it finds starts at a heading
// that names the version, and holds no other release's heading.
func FuzzChangelogSection(f *testing.F) {
	f.Add("# Changelog\n\n## [Unreleased]\n\n## [2.2.0] - 2026-11-22\n### Added\n- x\n\n## [2.1.3]\n- fix\n\n[2.2.0]: https://example.com/compare/a...b\n", false)
	f.Add("## v2.2.0\r\ntext\r\n## 2.1.0\r\n", false)
	f.Add("## [m-v2.2.0]\nnotes\n", true)
	f.Fuzz(func(t *testing.T, text string, named bool) {
		body, line, ok := changelogSection(text, "2.2.0", "m", named)
		if !ok {
			return
		}
		lines := strings.Split(text, "\n")
		if line < 1 || line > len(lines) || !strings.HasPrefix(lines[line-1], "##") || !strings.Contains(lines[line-1], "2.2.0") {
			t.Fatalf("section at line %d, which is no heading of 2.2.0", line)
		}
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "## ") {
				t.Fatalf("section body holds another heading %q", l)
			}
		}
	})
}
