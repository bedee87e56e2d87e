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
		if !ruleIDRE.MatchString(r.ID) {
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
		if !r.Gate && r.match == nil && r.ID != FileRule {
			t.Errorf("finding rule %q never matches", r.ID)
		}
	}
}
