package check

// hfConfig is what modelgate knows of a Hugging Face config.json, detected
// by its model_type or architectures key.
type hfConfig struct {
	modelType string
	old, new  *Node
}

// newHFConfig returns the Hugging Face view of two architecture trees, or nil
// when neither looks like a Hugging Face config.
func newHFConfig(old, new *Node) *hfConfig {
	is := func(n *Node) bool { return n.Get("model_type") != nil || n.Get("architectures") != nil }
	if (old == nil || !is(old)) && (new == nil || !is(new)) {
		return nil
	}
	h := &hfConfig{old: old, new: new}
	for _, n := range []*Node{new, old} {
		if t := n.Get("model_type"); t != nil && t.Kind == KindString {
			h.modelType = t.Str
			break
		}
	}
	return h
}

// Key lists for Hugging Face configs, by the effect of a change.
var (
	hfShapeKeys = set("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
		"head_dim", "vocab_size", "num_local_experts", "n_routed_experts", "n_shared_experts", "num_experts", "moe_intermediate_size",
		"shared_expert_intermediate_size", "tie_word_embeddings", "attention_bias", "mlp_bias", "qkv_bias", "use_bias", "bias",
		"n_embd", "n_layer", "n_head", "n_inner", "d_model", "d_ff", "d_kv", "num_layers", "num_heads", "encoder_layers",
		"decoder_layers", "encoder_attention_heads", "decoder_attention_heads", "encoder_ffn_dim", "decoder_ffn_dim", "ffn_dim",
		"kv_lora_rank", "q_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim", "first_k_dense_replace",
		"moe_layer_freq", "decoder_sparse_step", "mlp_only_layers", "num_channels", "patch_size", "image_size", "type_vocab_size",
		"embedding_size", "multi_query", "new_decoder_architecture", "parallel_attn", "num_kv_heads", "projection_dim",
		"quantization_config", "n_kv_heads", "ffn_hidden_size", "kv_channels", "rotary_emb_fraction", "num_labels", "id2label", "label2id")
	hfBehaviourKeys = set("rope_theta", "rope_scaling", "max_position_embeddings", "sliding_window", "use_sliding_window",
		"max_window_layers", "num_experts_per_tok", "rms_norm_eps", "layer_norm_eps", "layer_norm_epsilon", "hidden_act",
		"activation_function", "partial_rotary_factor", "rotary_pct", "rotary_emb_base", "rotary_dim", "attn_logit_softcapping",
		"final_logit_softcapping", "query_pre_attn_scalar", "bos_token_id", "eos_token_id", "pad_token_id", "norm_topk_prob",
		"routed_scaling_factor", "scoring_func", "topk_method", "n_group", "topk_group", "logit_scale", "scale_embedding",
		"attention_multiplier", "residual_multiplier", "embedding_multiplier", "logits_scaling", "layer_types", "rope_type",
		"attention_chunk_size", "no_rope_layers", "alibi", "use_alibi", "position_embedding_type", "seq_length", "task_specific_params")
	hfTrainingKeys = set("initializer_range", "attention_dropout", "hidden_dropout", "hidden_dropout_prob", "attention_probs_dropout_prob",
		"resid_pdrop", "embd_pdrop", "attn_pdrop", "summary_first_dropout", "router_aux_loss_coef", "output_router_logits",
		"router_jitter_noise", "router_z_loss_coef", "aux_loss_alpha", "seq_aux", "gradient_checkpointing", "classifier_dropout",
		"layerdrop", "encoder_layerdrop", "decoder_layerdrop", "init_std")
	hfRuntimeKeys  = set("pretraining_tp", "_attn_implementation", "attn_implementation", "use_flash_attn")
	hfMetadataKeys = set("transformers_version", "_name_or_path", "torch_dtype", "dtype", "_commit_hash", "model_name",
		"use_cache", "torchscript", "finetuning_task", "return_dict", "output_attentions", "output_hidden_states")
	// hfLearnedPositions are the model types whose position embeddings are a
	// learned table sized by max_position_embeddings (or n_positions).
	hfLearnedPositions = set("gpt2", "gpt_neo", "gpt_bigcode", "opt", "bert", "roberta", "xlm-roberta", "distilbert", "electra",
		"bart", "mbart", "whisper", "biogpt", "blenderbot", "marian", "camembert", "deberta", "ernie")
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// hfTableClass classifies a Hugging Face config key by the transformers
// tables alone (classUnknown for keys they do not list).
func hfTableClass(key string) keyClass {
	switch {
	case hfShapeKeys[key]:
		return classShape
	case hfBehaviourKeys[key]:
		return classBehaviour
	case hfTrainingKeys[key]:
		return classTraining
	case hfRuntimeKeys[key]:
		return classRuntime
	case hfMetadataKeys[key]:
		return classMetadata
	}
	return classUnknown
}

func (h *hfConfig) learnedPositions() bool { return hfLearnedPositions[h.modelType] }

// hfDefaults are the values transformers uses when a key is absent, per
// model type, and under "" the PretrainedConfig defaults that no model
// config overrides (tie_word_embeddings is not one of them: Llama-family
// configs default it to false, PretrainedConfig to true).
var hfDefaults = map[string]map[string]any{
	"": {"rope_scaling": nil, "attention_dropout": 0.0, "use_cache": true, "pretraining_tp": 1.0, "output_attentions": false,
		"output_hidden_states": false, "return_dict": true, "torchscript": false, "is_encoder_decoder": false,
		"add_cross_attention": false, "tie_encoder_decoder": false, "chunk_size_feed_forward": 0.0,
		"problem_type": nil, "tokenizer_class": nil, "prefix": nil, "task_specific_params": nil},
	"llama": {"tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false, "rope_theta": 10000.0, "hidden_act": "silu",
		"rms_norm_eps": 1e-6, "max_position_embeddings": 2048.0, "initializer_range": 0.02},
	"mistral": {"tie_word_embeddings": false, "rope_theta": 10000.0, "hidden_act": "silu", "rms_norm_eps": 1e-6,
		"sliding_window": 4096.0, "initializer_range": 0.02},
	"mixtral": {"tie_word_embeddings": false, "rope_theta": 1e6, "hidden_act": "silu", "rms_norm_eps": 1e-5,
		"num_experts_per_tok": 2.0, "num_local_experts": 8.0, "router_aux_loss_coef": 0.001, "output_router_logits": false, "sliding_window": nil},
	"qwen2": {"tie_word_embeddings": false, "rope_theta": 10000.0, "hidden_act": "silu", "rms_norm_eps": 1e-6,
		"use_sliding_window": false, "sliding_window": 4096.0, "max_window_layers": 28.0},
	"qwen3": {"tie_word_embeddings": false, "attention_bias": false, "hidden_act": "silu", "rms_norm_eps": 1e-6, "use_sliding_window": false},
	"gemma": {"tie_word_embeddings": true, "attention_bias": false, "rope_theta": 10000.0, "rms_norm_eps": 1e-6},
	"phi3":  {"tie_word_embeddings": false, "rope_theta": 10000.0, "hidden_act": "silu"},
	"gpt2":  {"tie_word_embeddings": true, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "n_inner": nil, "initializer_range": 0.02},
}

// isDefault reports whether a top-level key was added or removed with the
// value the library would use for it anyway.
func (h *hfConfig) isDefault(s *subject) bool {
	if len(s.Path) != 2 || (s.Kind != Added && s.Kind != Removed) {
		return false
	}
	key := s.Path[1].Key
	val, other := s.New, h.old
	if s.Kind == Removed {
		val, other = s.Old, h.new
	}
	if def, ok := h.computedDefault(key, other); ok {
		return NumberIs(val, def)
	}
	for _, t := range []string{h.modelType, ""} {
		if def, ok := hfDefaults[t][key]; ok {
			return matchesDefault(val, def)
		}
	}
	return false
}

// computedDefault returns the defaults transformers derives from other keys.
func (h *hfConfig) computedDefault(key string, cfg *Node) (float64, bool) {
	num := func(k string) (float64, bool) {
		n := cfg.Get(k)
		// Only whole numbers a float64 holds exactly: a default computed
		// from rounded values would not be exact.
		v, ok := n.Int64()
		if !ok || v > 1<<53 || v < -(1<<53) {
			return 0, false
		}
		return float64(v), true
	}
	switch key {
	case "head_dim":
		hs, ok1 := num("hidden_size")
		nh, ok2 := num("num_attention_heads")
		if ok1 && ok2 && nh != 0 {
			// Python's hidden_size // num_attention_heads, in integers.
			a, b := int64(hs), int64(nh)
			q := a / b
			if a%b != 0 && (a < 0) != (b < 0) {
				q--
			}
			return float64(q), true
		}
	case "num_key_value_heads":
		return num("num_attention_heads")
	}
	return 0, false
}

func matchesDefault(n *Node, def any) bool {
	switch d := def.(type) {
	case nil:
		return n.Kind == KindNull
	case bool:
		return n.Kind == KindBool && n.Bool == d
	case float64:
		return NumberIs(n, d)
	case string:
		return n.Kind == KindString && n.Str == d
	}
	return false
}
