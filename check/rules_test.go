package check

import "testing"

func TestClassifyKey(t *testing.T) {
	tests := []struct {
		key  string
		want keyClass
	}{
		{"hidden_size", classShape},
		{"hidden-size", classShape},
		{"hiddenSize", classShape},
		{"num-layers", classShape},
		{"n_embd", classShape},
		{"vocab_size", classShape},
		{"num_experts", classShape},
		{"intermediate_size", classShape},
		{"rope_theta", classBehaviour},
		{"max_position_embeddings", classBehaviour},
		{"seq_length", classBehaviour},
		{"layer_norm_eps", classBehaviour},
		{"num_experts_per_tok", classBehaviour},
		{"top_k", classBehaviour},
		{"capacity_factor", classBehaviour},
		{"sliding_window", classBehaviour},
		{"lr", classTraining},
		{"learning_rate", classTraining},
		{"train_micro_batch_size_per_gpu", classTraining},
		{"hidden_dropout", classTraining},
		{"warmup", classTraining},
		{"save-interval", classTraining},
		{"seed", classTraining},
		{"data_path", classTraining},
		{"scaled_masked_softmax_fusion", classRuntime},
		{"transformers_version", classMetadata},
		{"description", classMetadata},
		{"gpt_j_residual", classUnknown},
		{"context_length", classUnknown},
	}
	for _, tt := range tests {
		if got := classifyKey(tt.key); got != tt.want {
			t.Errorf("classifyKey(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestRuleCatalogue(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules {
		if !ruleIDRE().MatchString(r.ID) {
			t.Errorf("rule ID %q is not kebab-case", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule ID %q appears twice", r.ID)
		}
		seen[r.ID] = true
		if r.Description == "" {
			t.Errorf("rule %q has no description", r.ID)
		}
		if r.Gate == (r.Level == "") {
			t.Errorf("rule %q: gate rules need a level, finding rules none", r.ID)
		}
		if !r.Gate && r.match == nil && r.ID != FileRule && !r.external {
			t.Errorf("finding rule %q never matches", r.ID)
		}
	}
}

// TestArchitectureNeverUnderAsks holds keys from real configs that name parts
// of the network although they contain training or metadata words.
func TestArchitectureNeverUnderAsks(t *testing.T) {
	for _, key := range []string{"use_parallel_residual", "parallel_attn", "num_aux_heads", "init_layers",
		"zero_centered_gamma", "timm_model_name", "hf_model_name", "clip_qkv", "num_steps"} {
		base, _ := model(t, "model: m-v1.0.0\narchitecture:\n  "+key+": 1\n")
		head, _ := model(t, "model: m-v1.0.0\narchitecture:\n  "+key+": 2\n")
		for _, hf := range []string{"", "  model_type: gpt_neox\n"} {
			if hf != "" {
				base, _ = model(t, "model: m-v1.0.0\narchitecture:\n"+hf+"  "+key+": 1\n")
				head, _ = model(t, "model: m-v1.0.0\narchitecture:\n"+hf+"  "+key+": 2\n")
			}
			for _, f := range mustClassify(t, base, head) {
				if f.Bump < BumpMinor {
					t.Errorf("%s (hf=%v): %s %s, want at least minor", key, hf != "", f.Rule, f.Bump)
				}
			}
		}
	}
}
