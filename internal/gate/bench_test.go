package gate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/modelgate/modelgate/internal/gitrepo"
)

// deepSeekIndex writes a Hugging Face model.safetensors.index.json at the
// scale of DeepSeek-V3: 3 dense layers, then mixture-of-experts layers of
// 256 routed experts with {gate,up,down}_proj weights and FP8 scales, plus
// attention, norms and shared experts: 101,333 tensors in 163 shards for
// 68 layers, the layout testdata/bench/tensors.sh generates.
// edit may add, drop or move (reshard) tensors: it returns the shard of a
// tensor, "" to drop it.
func deepSeekIndex(layers int, extra func(add func(name string)), edit func(name, shard string) string) (string, int) {
	var entries []string
	add := func(name string) {
		shard := fmt.Sprintf("model-%05d-of-000163.safetensors", len(entries)/620+1)
		if edit != nil {
			if shard = edit(name, shard); shard == "" {
				return
			}
		}
		entries = append(entries, fmt.Sprintf("    %q: %q", name, shard))
	}
	add("model.embed_tokens.weight")
	for l := 0; l < layers; l++ {
		p := fmt.Sprintf("model.layers.%d.", l)
		for _, w := range []string{"input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_a_layernorm.weight", "self_attn.kv_a_layernorm.weight"} {
			add(p + w)
		}
		for _, w := range []string{"q_a_proj", "q_b_proj", "kv_a_proj_with_mqa", "kv_b_proj", "o_proj"} {
			add(p + "self_attn." + w + ".weight")
			add(p + "self_attn." + w + ".weight_scale_inv")
		}
		if l < 3 {
			for _, w := range []string{"gate_proj", "up_proj", "down_proj"} {
				add(p + "mlp." + w + ".weight")
				add(p + "mlp." + w + ".weight_scale_inv")
			}
			continue
		}
		add(p + "mlp.gate.weight")
		add(p + "mlp.gate.e_score_correction_bias")
		for e := 0; e < 256; e++ {
			for _, w := range []string{"gate_proj", "up_proj", "down_proj"} {
				add(fmt.Sprintf("%smlp.experts.%d.%s.weight", p, e, w))
				add(fmt.Sprintf("%smlp.experts.%d.%s.weight_scale_inv", p, e, w))
			}
		}
		for _, w := range []string{"gate_proj", "up_proj", "down_proj"} {
			add(p + "mlp.shared_experts." + w + ".weight")
			add(p + "mlp.shared_experts." + w + ".weight_scale_inv")
		}
	}
	if extra != nil {
		extra(add)
	}
	add("model.norm.weight")
	add("lm_head.weight")
	// transformers writes the index with sorted keys.
	sort.Strings(entries)
	return "{\n  \"metadata\": {\n    \"total_size\": 688586727753\n  },\n  \"weight_map\": {\n" +
		strings.Join(entries, ",\n") + "\n  }\n}\n", len(entries)
}

// BenchmarkGateTensorIndex gates a release whose tensors field points to a
// 101,405-tensor model.safetensors.index.json, against a baseline that
// differs in a few hundred tensors: experts 256-257 added to layers 10-19
// (120 tensors), expert 255 dropped from layers 60-67 (48 tensors), and 400
// tensors moved to other shards. It reads both indexes from git objects,
// compares them and groups the findings, end to end.
func BenchmarkGateTensorIndex(b *testing.B) {
	dir := b.TempDir()
	repo, err := gitrepo.Init(dir)
	if err != nil {
		b.Fatal(err)
	}
	const layers = 68
	base, n := deepSeekIndex(layers, nil, nil)
	moved := 0
	head, m := deepSeekIndex(layers, func(add func(string)) {
		for l := 10; l < 20; l++ {
			for e := 256; e < 258; e++ {
				for _, w := range []string{"gate_proj", "up_proj", "down_proj"} {
					add(fmt.Sprintf("model.layers.%d.mlp.experts.%d.%s.weight", l, e, w))
					add(fmt.Sprintf("model.layers.%d.mlp.experts.%d.%s.weight_scale_inv", l, e, w))
				}
			}
		}
	}, func(name, shard string) string {
		for l := 60; l < 68; l++ {
			if strings.HasPrefix(name, fmt.Sprintf("model.layers.%d.mlp.experts.255.", l)) {
				return ""
			}
		}
		if strings.HasPrefix(name, "model.layers.40.mlp.experts.") && moved < 400 {
			moved++
			return "model-00163-of-000163.safetensors"
		}
		return shard
	})
	b.Logf("base %d tensors (%d bytes), head %d tensors (%d bytes)", n, len(base), m, len(head))
	manifest := "model: deepseek-moe-v%s\narchitecture:\n  hidden_size: 7168\n  n_routed_experts: 256\ntensors: model.safetensors.index.json\n"
	if err := repo.Commit("release 1.0.0", map[string]string{"manifest.yaml": fmt.Sprintf(manifest, "1.0.0"), "model.safetensors.index.json": base}); err != nil {
		b.Fatal(err)
	}
	if err := repo.Tag("deepseek-moe-v1.0.0"); err != nil {
		b.Fatal(err)
	}
	if err := repo.Commit("experts", map[string]string{"manifest.yaml": fmt.Sprintf(manifest, "2.0.0"), "model.safetensors.index.json": head,
		"releases/v2.0.0.md": "Experts 256-257 in layers 10-19; expert 255 dropped from layers 60-67.\n\n## Migration\nRun migrations/drop_255.py.\n"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := Run(context.Background(), Options{Repo: dir})
		if err != nil {
			b.Fatal(err)
		}
		if got := r.Models[0].RequiredBump.String(); got != "major" || len(r.Models[0].Findings) != 2 {
			b.Fatalf("required %s with %d findings, want major with 2 (added, removed)", got, len(r.Models[0].Findings))
		}
	}
}
