package check

import (
	"fmt"
	"strings"
	"testing"
)

// classifyFiles classifies two revisions of an architecture file.
func classifyFiles(t *testing.T, name, base, head string) []Finding {
	t.Helper()
	manifest := "model: m-v1.0.0\narchitecture: " + name + "\n"
	b, _ := model(t, manifest, name, base)
	h, _ := model(t, manifest, name, head)
	return mustClassify(t, b, h)
}

// summary renders findings one a line: "bump rule basis path[ <- old path]".
func summary(fs []Finding) string {
	var out []string
	for _, f := range fs {
		s := fmt.Sprintf("%s %s %s %s", f.Bump, f.Rule, f.Basis, f.Path)
		if f.OldPath != "" {
			s += " <- " + f.OldPath
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func TestRenames(t *testing.T) {
	tests := []struct {
		name       string
		base, head string
		want       string
	}{
		{"dashes to underscores", "num-layers: 12\nhidden-size: 768\n", "num_layers: 12\nhidden_size: 768\n",
			"none key-renamed vocabulary architecture.num_layers <- architecture.num-layers\n" +
				"none key-renamed vocabulary architecture.hidden_size <- architecture.hidden-size"},
		{"synonym", "gas: 1\n", "gradient_accumulation_steps: 1\n",
			"none key-renamed vocabulary architecture.gradient_accumulation_steps <- architecture.gas"},
		{"block moved under a new parent", "d_model: 768\nn_layers: 12\nlr: 0.1\n", "model:\n  d_model: 768\n  n_layers: 12\nlr: 0.1\n",
			"none key-renamed vocabulary architecture.model.d_model <- architecture.d_model\n" +
				"none key-renamed vocabulary architecture.model.n_layers <- architecture.n_layers"},
		{"container renamed", "model:\n  n_layer: 6\n  n_embd: 288\n", "model_config:\n  n_layer: 6\n  n_embd: 288\n",
			"none key-renamed vocabulary architecture.model_config.n_layer <- architecture.model.n_layer\n" +
				"none key-renamed vocabulary architecture.model_config.n_embd <- architecture.model.n_embd"},
		{"part of a block moved, the rest added", "d_model: 768\n", "model:\n  d_model: 768\n  n_heads: 12\n",
			"major arch-shape-changed vocabulary architecture.model.n_heads\n" +
				"none key-renamed vocabulary architecture.model.d_model <- architecture.d_model"},
		{"renamed and changed", "hidden-size: 768\n", "hidden_size: 1024\n",
			"major arch-shape-changed vocabulary architecture.hidden_size <- architecture.hidden-size"},
		{"spelling fix", "expandeable_segments: true\n", "expandable_segments: true\n",
			"none key-renamed vocabulary architecture.expandable_segments <- architecture.expandeable_segments"},
		{"flag became a choice", "rms-norm: true\nnum-layers: 2\n", "norm: rmsnorm\nnum-layers: 2\n",
			"none key-renamed vocabulary architecture.norm <- architecture.rms-norm"},
		{"choice became a key", "model:\n  gpt2:\n    hidden_dim: 32\n    num_layers: 2\n",
			"model:\n  type: gpt2\n  hidden_dim: 32\n  num_layers: 2\n",
			"none key-renamed vocabulary architecture.model.type <- architecture.model.gpt2\n" +
				"none key-renamed vocabulary architecture.model.hidden_dim <- architecture.model.gpt2.hidden_dim\n" +
				"none key-renamed vocabulary architecture.model.num_layers <- architecture.model.gpt2.num_layers"},
		// Not renames.
		{"another part of the network", "encoder:\n  layers: 12\n", "decoder:\n  layers: 12\n",
			"major arch-shape-changed vocabulary architecture.decoder.layers\n" +
				"major arch-shape-changed vocabulary architecture.encoder.layers"},
		{"a sibling block", "stage1:\n  channels: 64\nstage2:\n  kernel: 3\n", "stage1:\n  kernel: 3\nstage2:\n  channels: 64\n",
			"major arch-shape-changed vocabulary architecture.stage1.kernel\n" +
				"major arch-shape-changed vocabulary architecture.stage1.channels\n" +
				"major arch-shape-changed vocabulary architecture.stage2.channels\n" +
				"major arch-shape-changed vocabulary architecture.stage2.kernel"},
		{"two keys of one concept with new values", "num_layers: 12\nn_layer: 12\n", "depth: 24\n",
			"major arch-shape-changed vocabulary architecture.depth\n" +
				"major arch-shape-changed vocabulary architecture.num_layers\n" +
				"major arch-shape-changed vocabulary architecture.n_layer"},
		{"digits are not typos", "layer1: 64\n", "layer2: 64\n",
			"major arch-shape-changed vocabulary architecture.layer2\n" +
				"major arch-shape-changed vocabulary architecture.layer1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(classifyFiles(t, "config.yaml", tt.base, tt.head)); got != tt.want {
				t.Errorf("findings\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenameMessage(t *testing.T) {
	fs := classifyFiles(t, "config.yaml", "num-layers: 12\n", "num_layers: 12\n")
	if len(fs) != 1 {
		t.Fatalf("want one finding, got\n%s", summary(fs))
	}
	f := fs[0]
	if f.Summary() != "architecture.num-layers -> architecture.num_layers: 12" {
		t.Errorf("summary %q", f.Summary())
	}
	if f.Message != "architecture.num-layers renamed to architecture.num_layers: the same setting under another name" {
		t.Errorf("message %q", f.Message)
	}
}

// TestClassifierRules covers the rules of the vocabulary: null values,
// framework defaults, settings of a feature that is off, references,
// unknown blocks looked into, and the tables that read like behaviour.
func TestClassifierRules(t *testing.T) {
	tests := []struct {
		name       string
		file       string
		base, head string
		want       string
	}{
		{"null added", "c.yaml", "num_layers: 2\n", "num_layers: 2\nrun_name: null\n",
			"none null-equals-absent default architecture.run_name"},
		{"null removed", "c.yaml", "num_layers: 2\nfoo_width: ~\n", "num_layers: 2\n",
			"none null-equals-absent default architecture.foo_width"},
		{"null is not absent where the library default is not null", "config.json",
			`{"model_type": "mistral", "hidden_size": 8}`, `{"model_type": "mistral", "hidden_size": 8, "sliding_window": null}`,
			"minor hf-behaviour-changed rule architecture.sliding_window"},
		{"kv heads made explicit", "c.yaml", "model:\n  num_heads: 4\n", "model:\n  num_heads: 4\n  num_kv_heads: 4\n",
			"none default-made-explicit default architecture.model.num_kv_heads"},
		{"kv heads below heads", "c.yaml", "model:\n  num_heads: 4\n", "model:\n  num_heads: 4\n  num_kv_heads: 2\n",
			"major arch-shape-changed vocabulary architecture.model.num_kv_heads"},
		{"GPT-NeoX default", "neox.yml", "pipe_parallel_size: 1\nmodel_parallel_size: 1\nattention_config: [[[global], 2]]\nnum_layers: 2\n",
			"pipe_parallel_size: 1\nmodel_parallel_size: 1\nattention_config: [[[global], 2]]\nnum_layers: 2\ngpt_j_residual: false\n",
			"none default-made-explicit default architecture.gpt_j_residual"},
		{"GPT-NeoX non-default", "neox.yml", "pipe_parallel_size: 1\nmodel_parallel_size: 1\nattention_config: [[[global], 2]]\nnum_layers: 2\n",
			"pipe_parallel_size: 1\nmodel_parallel_size: 1\nattention_config: [[[global], 2]]\nnum_layers: 2\ngpt_j_residual: true\n",
			"minor arch-behaviour-changed vocabulary architecture.gpt_j_residual"},
		{"setting of a feature that is off", "c.yaml", "attention_layer_norm: false\nattention_layer_norm_with_affine: false\n",
			"attention_layer_norm: false\nattention_layer_norm_with_affine: true\n",
			"none feature-off-setting-changed rule architecture.attention_layer_norm_with_affine"},
		{"setting of a feature that is on", "c.yaml", "attention_layer_norm: true\nattention_layer_norm_with_affine: false\n",
			"attention_layer_norm: true\nattention_layer_norm_with_affine: true\n",
			"major arch-shape-changed vocabulary architecture.attention_layer_norm_with_affine"},
		{"references resolve to the same value", "c.yaml", "max_seq_len: 2048\nmodel:\n  max_seq_len: ${max_seq_len}\n",
			"variables:\n  max_seq_len: 2048\nmax_seq_len: ${variables.max_seq_len}\nmodel:\n  max_seq_len: ${variables.max_seq_len}\n",
			"none arch-metadata-changed section architecture.variables"},
		{"a variable changed is a change where it is used", "c.yaml", "variables:\n  d: 64\nmodel:\n  d_model: ${variables.d}\n",
			"variables:\n  d: 128\nmodel:\n  d_model: ${variables.d}\n",
			"major arch-shape-changed vocabulary architecture.model.d_model\n" +
				"none arch-metadata-changed section architecture.variables.d"},
		{"unknown block looked into", "c.yaml", "MODEL:\n  RESNETS:\n    DEPTH: 50\n",
			"MODEL:\n  RESNETS:\n    DEPTH: 50\n  RPN:\n    BBOX_REG_LOSS_TYPE: giou\n    BBOX_REG_LOSS_WEIGHT: 2.0\n",
			"none training-setting-changed vocabulary architecture.MODEL.RPN.BBOX_REG_LOSS_TYPE\n" +
				"none training-setting-changed vocabulary architecture.MODEL.RPN.BBOX_REG_LOSS_WEIGHT"},
		{"unknown block of unknown keys", "c.yaml", "model:\n  d_model: 8\n", "model:\n  d_model: 8\n  gizmo:\n    foo: 1\n    bar: 2\n",
			"major arch-unclassified unclassified architecture.model.gizmo"},
		{"Swin window", "c.yaml", "backbone:\n  depths: [2, 2, 18, 2]\n  window_size: 7\n", "backbone:\n  depths: [2, 2, 18, 2]\n  window_size: 12\n",
			"major arch-position-table-resized vocabulary architecture.backbone.window_size"},
		{"Swin window in a Hugging Face config", "config.json", `{"model_type": "swin", "window_size": 7}`, `{"model_type": "swin", "window_size": 12}`,
			"major hf-shape-changed vocabulary architecture.window_size"},
		{"relative-attention buckets", "c.yaml", "pos_emb: rpe\nrpe_num_buckets: 32\n", "pos_emb: rpe\nrpe_num_buckets: 64\n",
			"major arch-position-table-resized vocabulary architecture.rpe_num_buckets"},
		{"learned position grid", "open_clip_config.json", `{"embed_dim": 512, "vision_cfg": {"image_size": 224, "patch_size": 32}, "text_cfg": {"width": 512}}`,
			`{"embed_dim": 512, "vision_cfg": {"image_size": 256, "patch_size": 32}, "text_cfg": {"width": 512}}`,
			"major arch-position-table-resized vocabulary architecture.vision_cfg.image_size"},
		{"context of a learned position table", "c.yaml", "n_layer: 12\nblock_size: 1024\n", "n_layer: 12\nblock_size: 2048\n",
			"major arch-position-table-resized vocabulary architecture.block_size"},
		{"context with rotary positions", "c.yaml", "pos_emb: rotary\nseq_length: 2048\n", "pos_emb: rotary\nseq_length: 4096\n",
			"minor arch-behaviour-changed vocabulary architecture.seq_length"},
		{"gated activation", "c.yaml", "activation: gelu\n", "activation: swiglu\n",
			"major arch-shape-changed vocabulary architecture.activation"},
		{"plain activation", "c.yaml", "activation: gelu\n", "activation: relu\n",
			"minor arch-behaviour-changed vocabulary architecture.activation"},
		{"norm implementation", "c.yaml", "layer_norm_type: low_precision\n", "layer_norm_type: amd_compatible\n",
			"patch runtime-setting-changed vocabulary architecture.layer_norm_type"},
		{"norm kind", "c.yaml", "layer_norm_type: default\n", "layer_norm_type: rms\n",
			"major arch-shape-changed vocabulary architecture.layer_norm_type"},
		{"attention layout covers more layers", "neox.yml", "num_layers: 80\nattention_config: [[[flash], 48]]\n",
			"num_layers: 80\nattention_config: [[[flash], 80]]\n",
			"patch runtime-setting-changed vocabulary architecture.attention_config[0][1]"},
		{"attention layout sparse to local", "neox.yml", "attention_config: [[[sparse_variable, global], 12]]\n",
			"attention_config: [[[local], 12]]\n", "minor arch-behaviour-changed vocabulary architecture.attention_config[0][0]"},
		{"attention layout gains parameters", "neox.yml", "attention_config: [[[global], 12]]\n",
			"attention_config: [[[gmlp], 12]]\n", "major arch-shape-changed vocabulary architecture.attention_config[0][0]"},
		{"open_clip default", "open_clip_config.json", `{"embed_dim": 512, "vision_cfg": {"width": 768}, "text_cfg": {"proj": "mlp", "width": 512}}`,
			`{"embed_dim": 512, "vision_cfg": {"width": 768}, "text_cfg": {"width": 512}}`,
			"none default-made-explicit default architecture.text_cfg.proj"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summary(classifyFiles(t, tt.file, tt.base, tt.head)); got != tt.want {
				t.Errorf("findings\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
