package check

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// TestEvidenceCapsUnclassified: with identical tensor signatures at both
// revisions, an unclassified key counts as minor, with that reason; a key
// with a known meaning is not capped, and neither is anything when the
// signatures differ or lack shapes.
func TestEvidenceCapsUnclassified(t *testing.T) {
	index := func(shape string) string {
		return `{"model.embed.weight": {"shape": ` + shape + `, "dtype": "BF16"}, "model.layers.0.mlp.weight": {"shape": [8, 8], "dtype": "BF16"}}`
	}
	load := func(arch, tensors string) *Model {
		m, _ := model(t, "model: m-v1.0.0\narchitecture:\n"+arch+"tensors: tensors.json\n", "tensors.json", tensors)
		return m
	}
	tests := []struct {
		name                 string
		baseArch, headArch   string
		baseTensor, headTens string
		want                 string
	}{
		{"identical signatures cap an unknown key", "  gizmo_mode: 1\n", "  gizmo_mode: 2\n", index("[16, 8]"), index("[16, 8]"),
			"minor arch-unclassified evidence architecture.gizmo_mode"},
		{"known meaning is not capped", "  blocks: [attention]\n", "  blocks: [attention, cross_attention]\n", index("[16, 8]"), index("[16, 8]"),
			"major arch-block-added rule architecture.blocks"},
		{"differing signatures", "  gizmo_mode: 1\n", "  gizmo_mode: 2\n", index("[16, 8]"), index("[32, 8]"),
			"major arch-unclassified unclassified architecture.gizmo_mode\nmajor tensor-reshaped evidence tensors.model.embed.weight"},
		{"names only", "  gizmo_mode: 1\n", "  gizmo_mode: 2\n", `{"weight_map": {"a": "x.safetensors"}}`, `{"weight_map": {"a": "x.safetensors"}}`,
			"major arch-unclassified unclassified architecture.gizmo_mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := mustClassify(t, load(tt.baseArch, tt.baseTensor), load(tt.headArch, tt.headTens))
			if got := summary(fs); got != tt.want {
				t.Fatalf("findings\n%s\nwant\n%s", got, tt.want)
			}
			if fs[0].Basis == BasisEvidence && !strings.Contains(fs[0].Message, "tensor signatures are identical") {
				t.Errorf("capped finding does not say why: %s", fs[0].Message)
			}
		})
	}
}

// TestConservative: a required bump that rests only on unclassified
// findings is conservative, in the JSON report too; one that a known rule
// also requires is not.
func TestConservative(t *testing.T) {
	gate := func(base, head string) *ModelReport {
		b, _ := model(t, base)
		h, fsys := model(t, head)
		fsys["releases/v2.0.0.md"] = &fstest.MapFile{Data: []byte("# 2.0.0\n\n## Migration\n\nRetrain.\n")}
		return evaluate(t, "", b, h, fsys)
	}
	tests := []struct {
		name       string
		base, head string
		want       bool
	}{
		{"only unknown keys", "model: m-v1.0.0\narchitecture:\n  gizmo: 1\n  lr: 0.1\n", "model: m-v2.0.0\narchitecture:\n  gizmo: 2\n  lr: 0.2\n", true},
		{"a known shape change too", "model: m-v1.0.0\narchitecture:\n  gizmo: 1\n  hidden_size: 8\n",
			"model: m-v2.0.0\narchitecture:\n  gizmo: 2\n  hidden_size: 16\n", false},
		{"no bump", "model: m-v1.0.0\narchitecture:\n  lr: 0.1\n", "model: m-v1.0.0\narchitecture:\n  lr: 0.2\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gate(tt.base, tt.head)
			if r.Conservative != tt.want {
				t.Errorf("conservative = %v, want %v (required %s)", r.Conservative, tt.want, r.RequiredBump)
			}
			data, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Conservative *bool `json:"conservative"`
				Findings     []struct {
					Basis string `json:"basis"`
				} `json:"findings"`
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if got.Conservative == nil || *got.Conservative != tt.want {
				t.Errorf("JSON conservative = %v, want %v", got.Conservative, tt.want)
			}
			for i, f := range got.Findings {
				if f.Basis == "" {
					t.Errorf("finding %d has no basis in JSON", i)
				}
			}
		})
	}
}

// TestRuleSnippet: the rules the report proposes for keys no rule knows are
// a valid .modelgate.yaml that classifies exactly those keys.
func TestRuleSnippet(t *testing.T) {
	b, _ := model(t, "model: m-v1.0.0\narchitecture:\n  zeta_mode: a\n  model:\n    zeta_mode: 1\n    key-renamed: x\n")
	h, fsys := model(t, "model: m-v1.0.0\narchitecture:\n  zeta_mode: b\n  model:\n    zeta_mode: 2\n    key-renamed: y\n")
	r := evaluate(t, "", b, h, fsys)
	unknown := r.UnknownKeys()
	if strings.Join(unknown, " ") != "architecture.zeta_mode architecture.model.zeta_mode architecture.model.key-renamed" {
		t.Fatalf("unknown keys %q", unknown)
	}
	snippet := RuleSnippet(unknown)
	for _, want := range []string{"  zeta-mode-key:\n", "  zeta-mode-key-2:\n", "  key-renamed-key:\n"} {
		if !strings.Contains(snippet, want) {
			t.Errorf("snippet lacks %q:\n%s", want, snippet)
		}
	}
	r = evaluate(t, snippet, b, h, fsys)
	if r.Conservative || len(r.UnknownKeys()) != 0 {
		t.Errorf("with the snippet: conservative %v, unknown %q", r.Conservative, r.UnknownKeys())
	}
	for _, f := range r.Findings {
		if f.Basis != BasisRule || LookupRule(f.Rule) != nil || !strings.Contains(snippet, "  "+f.Rule+":\n") {
			t.Errorf("finding %s %s basis %s: want a custom rule of the snippet", f.Rule, f.Path, f.Basis)
		}
	}
}
