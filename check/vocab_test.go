package check

import (
	"slices"
	"testing"
)

func TestNormKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{"hidden_size", "hidden_size"},
		{"hidden-size", "hidden_size"},
		{"hiddenSize", "hidden_size"},
		{"HIDDEN_SIZE", "hidden_size"},
		{"hidden.size", "hidden_size"},
		{"Hidden Size", "hidden_size"},
		{"num-attention-heads", "num_attention_heads"},
		{"n_embd", "n_embd"},
		{"_name_or_path", "name_or_path"},
	}
	for _, tt := range tests {
		if got := normKey(tt.key); got != tt.want {
			t.Errorf("normKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestSplitWordsCompound(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"timm_drop_path", []string{"timm", "drop", "path"}},
		{"hiddenSize", []string{"hidden", "size"}},
		{"MAX_SIZE_TRAIN", []string{"max", "size", "train"}},
		{"llama.attention.head_count_kv", []string{"llama", "attention", "head", "count", "kv"}},
		{"rope-scaling.factor", []string{"rope", "scaling", "factor"}},
	}
	for _, tt := range tests {
		if got := splitWords(tt.key); !slices.Equal(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestConceptSynonyms: the spellings of one meaning across frameworks map
// to one concept; related but different settings do not.
func TestConceptSynonyms(t *testing.T) {
	tests := []struct {
		concept string
		keys    []string
	}{
		{"hidden-width", []string{"hidden_size", "hidden-size", "hiddenSize", "n_embd", "d_model", "dim", "width", "embedding_length",
			"llama.embedding_length", "hidden_dim", "embed_dim"}},
		{"layer-count", []string{"num_hidden_layers", "num-layers", "n_layer", "n_layers", "layers", "depth", "block_count",
			"qwen2.block_count"}},
		{"head-count", []string{"num_attention_heads", "n_head", "n_heads", "heads", "llama.attention.head_count"}},
		{"kv-head-count", []string{"num_key_value_heads", "n_kv_heads", "num_kv_heads", "num_query_groups", "n_query_groups",
			"llama.attention.head_count_kv"}},
		{"ffn-width", []string{"intermediate_size", "n_inner", "ffn_hidden_size", "mlp_hidden_size", "d_ff",
			"llama.feed_forward_length"}},
		{"vocabulary", []string{"vocab_size", "n_vocab", "llama.vocab_size"}},
		{"expert-count", []string{"num_experts", "num_local_experts", "n_routed_experts", "moe_num_experts", "n_expert",
			"llama.expert_count"}},
		{"experts-per-token", []string{"num_experts_per_tok", "moe_top_k", "top_k", "n_expert_per_token", "llama.expert_used_count"}},
		{"context-length", []string{"max_position_embeddings", "n_positions", "n_ctx", "max_seq_len", "max_sequence_length",
			"block_size", "context_length", "llama.context_length"}},
		{"rope-base", []string{"rope_theta", "rotary_emb_base", "rotary-emb-base", "rope_base", "llama.rope.freq_base"}},
		{"norm-eps", []string{"rms_norm_eps", "layer_norm_eps", "layernorm-epsilon", "norm_eps",
			"llama.attention.layer_norm_rms_epsilon"}},
		{"gradient-accumulation", []string{"gradient_accumulation_steps", "gas", "device_train_grad_accum"}},
		{"learning-rate", []string{"lr", "learning_rate", "base_lr", "BASE_LR"}},
		{"drop-path", []string{"drop_path_rate", "timm_drop_path"}},
		{"relative-buckets", []string{"relative_attention_num_buckets", "rpe-num-buckets", "t5.attention.relative_buckets_count"}},
	}
	for _, tt := range tests {
		for _, k := range tt.keys {
			c := lookupConcept(k)
			if c == nil || c.id != tt.concept {
				got := "nothing"
				if c != nil {
					got = c.id
				}
				t.Errorf("lookupConcept(%q) = %s, want %s", k, got, tt.concept)
			}
		}
	}
	// Alike but not the same: never synonyms.
	for _, pair := range [][2]string{{"encoder_layers", "decoder_layers"}, {"num_layers", "encoder_layers"}, {"num_heads", "num_kv_heads"},
		{"intermediate_size", "mlp_ratio"}, {"lr", "min_lr"}, {"batch_size", "micro_batch_size"}, {"sliding_window", "window_size"}} {
		if identity(pair[0]) == identity(pair[1]) {
			t.Errorf("%s and %s read as one concept", pair[0], pair[1])
		}
	}
	for _, k := range []string{"gpt_j_foo", "frobnicate", "scale_fmt"} {
		if c := lookupConcept(k); c != nil {
			t.Errorf("lookupConcept(%q) = %s, want nothing", k, c.id)
		}
	}
}

// TestClassifyKeys covers the four steps: the key's concept, the nearest
// section, the key's words, unknown.
func TestClassifyKeys(t *testing.T) {
	computed := &keyContext{tree: &treeContext{positions: positionsComputed}}
	learned := &keyContext{tree: &treeContext{positions: positionsUnknown}}
	tests := []struct {
		name  string
		keys  []string // leaf first
		ctx   *keyContext
		class keyClass
		basis Basis
	}{
		{"concept", []string{"d_model", "model"}, nil, classShape, BasisVocabulary},
		{"concept at the top", []string{"num-layers"}, nil, classShape, BasisVocabulary},
		{"training concept", []string{"lr", "params", "optimizer"}, nil, classTraining, BasisVocabulary},
		{"optimizer eps is the optimizer's", []string{"eps", "params", "optimizer"}, nil, classTraining, BasisVocabulary},
		{"unknown key in a data section", []string{"instance_filter_weird", "data"}, nil, classTraining, BasisSection},
		{"behaviour concept in a training section", []string{"max_seq_len", "dataset", "train_loader"}, nil, classTraining, BasisSection},
		{"window of a logging callback", []string{"window_size", "speed_monitor", "callbacks"}, nil, classTraining, BasisVocabulary},
		{"strong shape concept in a training section", []string{"tie_embeddings", "train"}, nil, classShape, BasisVocabulary},
		{"unknown key under the model", []string{"gpt_j_foo", "model"}, nil, classUnknown, ""},
		{"model section stops the search", []string{"gpt_j_foo", "model", "trainer"}, nil, classUnknown, ""},
		{"compound words", []string{"some_drop_path_rate", "vision_cfg"}, nil, classTraining, BasisVocabulary},
		{"metadata words do not count under the architecture", []string{"backbone_label", "model"}, nil, classUnknown, ""},
		{"metadata concept", []string{"transformers_version"}, nil, classMetadata, BasisVocabulary},
		{"tokenizer name nested", []string{"identifier", "tokenizer"}, nil, classMetadata, BasisVocabulary},
		{"tokenizer kwargs", []string{"clean", "tokenizer_kwargs", "text_cfg"}, nil, classBehaviour, BasisVocabulary},
		{"subtree concept", []string{"factor", "rope_scaling"}, nil, classBehaviour, BasisVocabulary},
		{"whole section added", []string{"DATALOADER"}, nil, classTraining, BasisSection},
		{"training word in a behaviour section", []string{"MAX_SIZE_TRAIN", "INPUT"}, nil, classTraining, BasisVocabulary},
		{"behaviour section", []string{"FORMAT", "INPUT"}, nil, classBehaviour, BasisSection},
		{"Swin window", []string{"window_size"}, nil, classShape, BasisVocabulary},
		{"sliding window", []string{"sliding_window"}, nil, classBehaviour, BasisVocabulary},
		{"relative buckets", []string{"relative_attention_num_buckets"}, nil, classShape, BasisVocabulary},
		{"learned grid", []string{"image_size", "vision_cfg"}, nil, classShape, BasisVocabulary},
		{"context with rotary positions", []string{"max_position_embeddings"}, computed, classBehaviour, BasisVocabulary},
		{"context with learned positions", []string{"block_size"}, learned, classShape, BasisVocabulary},
		{"GGUF key", []string{"llama.attention.head_count_kv"}, nil, classShape, BasisVocabulary},
		{"variables are used where referred to", []string{"d_model", "variables"}, nil, classMetadata, BasisSection},
		{"strong shape concept in a metadata section", []string{"architecture", "general"}, nil, classShape, BasisVocabulary},
		{"metadata section", []string{"quantized_by", "general"}, nil, classMetadata, BasisSection},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classifyKeys(tt.keys, tt.ctx, true)
			if v.class != tt.class || v.basis != tt.basis {
				t.Errorf("classifyKeys(%q) = class %d basis %q, want class %d basis %q", tt.keys, v.class, v.basis, tt.class, tt.basis)
			}
		})
	}
}

func TestPositionsOf(t *testing.T) {
	tests := []struct {
		config string
		want   positionScheme
	}{
		{"pos-emb: rotary\nnum-layers: 2\n", positionsComputed},
		{"rope_theta: 10000\n", positionsComputed},
		{"model:\n  alibi: true\n", positionsComputed},
		{"model:\n  type: llama\n  seq_len: 4096\n", positionsComputed},
		{"n_layer: 12\nblock_size: 1024\n", positionsUnknown},
		{"model:\n  type: gpt2\n", positionsLearned},
		{"name: mpt_causal_lm\nattn_config:\n  alibi: true\n", positionsLearned},
		{"name: mpt_causal_lm\nlearned_pos_emb: false\nattn_config:\n  alibi: true\n", positionsComputed},
		{"pos_emb: rotary\nlearned_pos_emb: true\n", positionsLearned},
	}
	for _, tt := range tests {
		n, err := Parse("c.yaml", []byte(tt.config))
		if err != nil {
			t.Fatal(err)
		}
		if got := positionsOf(n); got != tt.want {
			t.Errorf("positionsOf(%q) = %d, want %d", tt.config, got, tt.want)
		}
	}
}

func TestVocabularyWellFormed(t *testing.T) {
	ids := map[string]bool{}
	for _, c := range concepts {
		if !ruleIDRE().MatchString(c.id) || ids[c.id] {
			t.Errorf("concept id %q is not kebab-case or appears twice", c.id)
		}
		ids[c.id] = true
		for _, k := range c.keys {
			if normKey(k) != k {
				t.Errorf("concept %s: key %q is not normalised (%q)", c.id, k, normKey(k))
			}
		}
	}
	for s := range sections() {
		if normKey(s) != s {
			t.Errorf("section %q is not normalised", s)
		}
	}
}
