package check

import (
	"slices"
	"testing"
	"testing/fstest"
)

// FuzzClassifyConfigs classifies arbitrary pairs of configuration files
// (renames, references, sections, conditional concepts): never a panic,
// every finding names a catalogue rule and a basis, a file compared with
// itself has no findings, and a renamed key says where it was.
func FuzzClassifyConfigs(f *testing.F) {
	f.Add("num-layers: 12\nhidden-size: 768\n", "num_layers: 12\nhidden_size: 1024\n", false)
	f.Add("variables:\n  d: 64\nmodel:\n  d_model: ${variables.d}\n", "model:\n  d_model: ${variables.missing}\n", false)
	f.Add("a: ${b}\nb: ${a}\n", "a: ${a}\n", false)
	f.Add("model:\n  gpt2:\n    hidden_dim: 32\n", "model:\n  type: gpt2\n  hidden_dim: 32\n", false)
	f.Add("attention_config: [[[global], 1e9]]\n", "attention_config: [[[flash, gmlp], 3]]\n", false)
	f.Add(`{"model_type": "mistral", "sliding_window": 4096}`, `{"model_type": "mistral", "sliding_window": null}`, true)
	f.Fuzz(func(t *testing.T, base, head string, json bool) {
		name := "config.yaml"
		if json {
			name = "config.json"
		}
		load := func(data string) *Model {
			fsys := fstest.MapFS{"manifest.yaml": {Data: []byte("model: m-v1.0.0\narchitecture: " + name + "\n")}, name: {Data: []byte(data)}}
			m, err := Load(fsys, "manifest.yaml")
			if err != nil {
				return nil
			}
			return m
		}
		b, h := load(base), load(head)
		if b == nil || h == nil {
			return
		}
		bases := []Basis{BasisRule, BasisVocabulary, BasisSection, BasisDefault, BasisEvidence, BasisUnclassified}
		for _, f := range mustClassify(t, b, h) {
			if LookupRule(f.Rule) == nil || !slices.Contains(bases, f.Basis) {
				t.Errorf("finding %s with basis %q", f.Rule, f.Basis)
			}
			if f.Rule == ruleKeyRenamed.ID && f.OldPath == "" {
				t.Errorf("renamed %s without its old path", f.Path)
			}
			if f.Basis == BasisUnclassified && f.Bump != BumpMajor {
				t.Errorf("unclassified %s counts %s, want major", f.Path, f.Bump)
			}
		}
		if same := mustClassify(t, b, load(base)); len(same) != 0 {
			t.Errorf("a file compared with itself: %s", summary(same))
		}
	})
}
