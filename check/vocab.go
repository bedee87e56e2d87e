package check

import (
	"slices"
	"strings"
	"sync"
)

// The concept vocabulary (DESIGN §2.1, step 2): every format's keys, after
// normalisation, map to a concept with a class. The synonyms are the
// spellings of Hugging Face transformers, GPT-NeoX and Megatron, OLMo,
// MPT/llm-foundry, LitGPT, Levanter, nanoGPT, open_clip/timm, Detectron2,
// Ultralytics and the GGUF metadata keys of llama.cpp (gguf-py's
// constants.py and the find_hparam lists of convert_hf_to_gguf.py, which map
// the Hugging Face spellings to GGUF's). Sections (step 3) are in the same
// file: a section classifies the unknown keys below it.

// concept is one meaning a configuration key can have.
type concept struct {
	// id names the concept in reports, e.g. "hidden-width".
	id    string
	class keyClass
	// strong shape concepts keep their class inside a training section:
	// a layer count is a layer count wherever it is written.
	strong bool
	// table concepts size a position table when their class is shape,
	// although they read like behaviour: a relative-position bias window,
	// relative-attention buckets, a learned position or patch grid, a
	// context length with learned positions.
	table bool
	// subtree concepts classify every key below them (rope_scaling.factor).
	subtree bool
	// resolve, when set, decides the class from the configuration around
	// the key (a context length sizes a table only with learned positions).
	resolve func(*keyContext) keyClass
	keys    []string
}

// keyContext is what a conditional concept may look at: the change and
// both revisions of the configuration around it.
type keyContext struct {
	*Change
	tree *treeContext
}

// treeContext is what the classifier knows of both revisions of a model.
type treeContext struct {
	old, new *Node // the manifests with their files resolved
	// positions is how the architecture encodes positions (either side).
	positions positionScheme
	// neox and openCLIP say whether the architecture at the old [0] and
	// new [1] revision reads like a GPT-NeoX or an open_clip config.
	neox, openCLIP [2]bool
}

func newTreeContext(old, new *Node) *treeContext {
	a, b := old.Get("architecture"), new.Get("architecture")
	return &treeContext{old: old, new: new, positions: positionsOf(a, b),
		neox: [2]bool{isNeoX(a), isNeoX(b)}, openCLIP: [2]bool{isOpenCLIP(a), isOpenCLIP(b)}}
}

// valuesAt returns the old and new values of the key on the change's path
// whose normalised spelling is one of names (the whole attention_config of
// a change at attention_config[0][1]); nil when the path has no such key.
func (ctx *keyContext) valuesAt(names ...string) (old, new *Node, ok bool) {
	if ctx == nil || ctx.Change == nil || ctx.tree == nil {
		return nil, nil, false
	}
	for i, st := range ctx.Path {
		if st.Keyed || st.Key == "" || !slices.Contains(names, normKey(st.Key)) {
			continue
		}
		from := ctx.Path
		if ctx.From != nil {
			from = ctx.From
		}
		return nodeAt(ctx.tree.old, from[:min(i+1, len(from))]), nodeAt(ctx.tree.new, ctx.Path[:i+1]), true
	}
	return nil, nil, false
}

// nodeAt follows a path of map keys and list indices from root.
func nodeAt(root *Node, p Path) *Node {
	n := root
	for _, st := range p {
		switch {
		case n == nil:
			return nil
		case st.Keyed:
			return nil
		case st.Key != "":
			n = n.Get(st.Key)
		case n.Kind == KindList && st.Index < len(n.Items):
			n = n.Items[st.Index]
		default:
			return nil
		}
	}
	return n
}

// positionScheme is how a configuration encodes token positions.
type positionScheme int

const (
	positionsUnknown  positionScheme = iota
	positionsComputed                // rotary or ALiBi: no parameters per position
	positionsLearned                 // a learned table, one row per position
)

// Concepts. Each is one meaning, and its keys are the spellings frameworks
// use for it, written normalised: lower case, words joined by "_" (normKey),
// so hidden-size, hiddenSize and HIDDEN_SIZE all read hidden_size. Two keys
// of one concept are synonyms: renaming one into the other is no change.
var concepts = []*concept{
	// Shapes: old checkpoints cannot be loaded when these change.
	{id: "hidden-width", class: classShape, strong: true, keys: []string{"hidden_size", "n_embd", "n_embed", "d_model", "dim",
		"embed_dim", "embedding_length", "hidden_dim", "model_dim", "emb_dim", "width", "d_hidden", "n_state"}},
	{id: "embedding-width", class: classShape, strong: true, keys: []string{"embedding_dim", "word_embed_proj_dim"}},
	{id: "layer-count", class: classShape, strong: true, keys: []string{"num_hidden_layers", "num_layers", "n_layer", "n_layers",
		"block_count", "layer_count", "depth", "layers", "num_blocks", "n_blocks", "nlayers", "num_transformer_layers"}},
	{id: "layers-per-stage", class: classShape, strong: true, keys: []string{"depths", "stage_depths", "block_counts"}},
	{id: "encoder-layer-count", class: classShape, strong: true, keys: []string{"encoder_layers", "num_encoder_layers"}},
	{id: "decoder-layer-count", class: classShape, strong: true, keys: []string{"decoder_layers", "num_decoder_layers"}},
	{id: "dense-layer-count", class: classShape, strong: true, keys: []string{"first_k_dense_replace", "leading_dense_block_count",
		"n_dense_layers"}},
	{id: "head-count", class: classShape, strong: true, keys: []string{"num_attention_heads", "n_head", "n_heads", "num_heads",
		"head_count", "attention_head_count", "heads", "nhead", "num_head"}},
	{id: "encoder-head-count", class: classShape, strong: true, keys: []string{"encoder_attention_heads"}},
	{id: "decoder-head-count", class: classShape, strong: true, keys: []string{"decoder_attention_heads"}},
	{id: "pooler-head-count", class: classShape, strong: true, keys: []string{"attn_pooler_heads", "n_queries"}},
	{id: "kv-head-count", class: classShape, strong: true, keys: []string{"num_key_value_heads", "n_kv_heads", "num_kv_heads",
		"n_kv_head", "head_count_kv", "attention_head_count_kv", "n_head_kv", "num_query_groups", "n_query_groups",
		"multi_query_group_num", "kv_heads", "num_kv_groups", "effective_n_kv_heads"}},
	{id: "multi-query", class: classShape, strong: true, keys: []string{"multi_query", "multi_query_attention",
		"group_query_attention"}},
	{id: "head-width", class: classShape, strong: true, keys: []string{"head_dim", "head_size", "kv_channels", "d_kv",
		"head_width", "attention_key_length", "key_length"}},
	{id: "value-head-width", class: classShape, strong: true, keys: []string{"v_head_dim", "attention_value_length", "value_length"}},
	{id: "rope-head-width", class: classShape, strong: true, keys: []string{"qk_rope_head_dim"}},
	{id: "nope-head-width", class: classShape, strong: true, keys: []string{"qk_nope_head_dim"}},
	{id: "kv-lora-rank", class: classShape, strong: true, keys: []string{"kv_lora_rank", "attention_kv_lora_rank"}},
	{id: "q-lora-rank", class: classShape, strong: true, keys: []string{"q_lora_rank", "attention_q_lora_rank"}},
	{id: "ffn-width", class: classShape, strong: true, keys: []string{"intermediate_size", "n_inner", "ffn_dim", "d_ff",
		"feed_forward_length", "ffn_hidden_size", "mlp_hidden_size", "mlp_dim", "intermediate_dim", "dim_feedforward", "ff_dim"}},
	{id: "ffn-ratio", class: classShape, strong: true, keys: []string{"mlp_ratio", "expansion_ratio", "mlp_mult", "ff_mult",
		"ffn_mult"}},
	{id: "ffn-multiplier", class: classShape, strong: true, keys: []string{"ffn_dim_multiplier"}},
	{id: "ffn-multiple-of", class: classShape, strong: true, keys: []string{"multiple_of"}},
	{id: "encoder-ffn-width", class: classShape, strong: true, keys: []string{"encoder_ffn_dim"}},
	{id: "decoder-ffn-width", class: classShape, strong: true, keys: []string{"decoder_ffn_dim"}},
	{id: "expert-ffn-width", class: classShape, strong: true, keys: []string{"moe_intermediate_size", "expert_feed_forward_length",
		"moe_ffn_hidden_size", "expert_intermediate_size"}},
	{id: "shared-expert-ffn-width", class: classShape, strong: true, keys: []string{"shared_expert_intermediate_size",
		"expert_shared_feed_forward_length"}},
	{id: "vocabulary", class: classShape, strong: true, keys: []string{"vocab_size", "n_vocab", "num_embeddings", "ntokens"}},
	{id: "padded-vocabulary", class: classShape, strong: true, keys: []string{"padded_vocab_size", "embedding_size"}},
	{id: "vocabulary-padding", class: classShape, strong: true, keys: []string{"make_vocab_size_divisible_by", "padding_multiple",
		"pad_vocab_size_multiple"}},
	{id: "token-type-vocabulary", class: classShape, strong: true, keys: []string{"type_vocab_size", "token_type_count"}},
	{id: "expert-count", class: classShape, strong: true, keys: []string{"num_experts", "num_local_experts", "n_routed_experts",
		"moe_num_experts", "expert_count", "n_experts", "n_expert"}},
	{id: "shared-expert-count", class: classShape, strong: true, keys: []string{"num_shared_experts", "n_shared_experts",
		"expert_shared_count"}},
	{id: "moe-layer-placement", class: classShape, strong: true, keys: []string{"moe_layer_freq", "moe_every_k_layers",
		"expert_interval", "decoder_sparse_step", "mlp_only_layers", "moe_layers"}},
	{id: "class-count", class: classShape, strong: true, keys: []string{"num_classes", "nc", "num_labels", "n_classes"}},
	{id: "labels", class: classShape, strong: true, keys: []string{"id2label", "label2id"}},
	{id: "tied-embeddings", class: classShape, strong: true, keys: []string{"tie_word_embeddings", "weight_tying",
		"tie_embeddings", "tied_embeddings", "share_embeddings", "tie_word_embedding", "share_input_output_embed"}},
	{id: "untied-embeddings", class: classShape, strong: true, keys: []string{"no_weight_tying",
		"untie_embeddings_and_output_weights"}},
	{id: "bias", class: classShape, strong: true, keys: []string{"bias", "use_bias", "include_bias", "add_bias_linear"}},
	{id: "no-bias", class: classShape, strong: true, keys: []string{"no_bias", "disable_bias_linear"}},
	{id: "attention-bias", class: classShape, strong: true, keys: []string{"attention_bias", "qkv_bias", "add_qkv_bias",
		"use_qkv_bias", "use_bias_in_attn_linear"}},
	{id: "mlp-bias", class: classShape, strong: true, keys: []string{"mlp_bias", "use_bias_in_mlp"}},
	{id: "head-bias", class: classShape, strong: true, keys: []string{"lm_head_bias"}},
	{id: "projection-bias", class: classShape, strong: true, keys: []string{"proj_bias"}},
	{id: "norm-bias", class: classShape, strong: true, keys: []string{"bias_for_layer_norm", "layer_norm_with_affine"}},
	{id: "qk-norm", class: classShape, keys: []string{"qk_layernorm", "qk_norm", "norm_qk", "attention_layer_norm", "use_qk_norm"}},
	{id: "patch-size", class: classShape, strong: true, table: true, keys: []string{"patch_size", "patch_sizes"}},
	{id: "image-size", class: classShape, table: true, keys: []string{"image_size", "img_size", "image_resolution",
		"input_resolution"}},
	{id: "channels", class: classShape, strong: true, keys: []string{"num_channels", "in_channels", "in_chans"}},
	{id: "projection-width", class: classShape, strong: true, keys: []string{"projection_dim", "proj_dim", "embed_dim_proj"}},
	{id: "relative-window", class: classShape, table: true, keys: []string{"window_size", "window_sizes"}},
	{id: "relative-buckets", class: classShape, strong: true, table: true, keys: []string{"relative_attention_num_buckets",
		"num_buckets", "rpe_num_buckets", "relative_buckets_count", "attention_relative_buckets_count", "rel_pos_bins"}},
	{id: "position-buckets", class: classShape, strong: true, table: true, keys: []string{"position_buckets"}},
	{id: "relative-positions-max", class: classShape, strong: true, table: true, keys: []string{"max_relative_positions"}},
	{id: "relative-positions", class: classShape, table: true, keys: []string{"rpe", "use_relative_position_bias",
		"relative_position_bias", "rel_pos", "use_rel_pos", "relative_attention"}},
	{id: "shared-relative-positions", class: classShape, table: true, keys: []string{"use_shared_relative_position_bias"}},
	{id: "learned-positions", class: classShape, table: true, keys: []string{"learned_pos_emb", "use_absolute_embeddings",
		"use_absolute_position_embeddings", "use_abs_pos"}},
	{id: "position-type", class: classShape, table: true, keys: []string{"pos_embed_type", "position_embedding_type", "pos_emb",
		"positional_embedding_type", "position_embedding", "positional_encoding"}},
	{id: "rotary-positions", class: classShape, table: true, keys: []string{"rope", "use_rotary_position_embeddings", "use_rope"}},
	{id: "alibi", class: classShape, table: true, keys: []string{"alibi", "use_alibi"}},
	{id: "model-class", class: classShape, strong: true, keys: []string{"model_type", "architectures", "hf_config",
		"general_architecture"}},
	{id: "backbone-class", class: classShape, strong: true, keys: []string{"timm_model_name", "backbone_name"}},
	{id: "text-model-class", class: classShape, strong: true, keys: []string{"hf_model_name"}},
	{id: "custom-text", class: classShape, strong: true, keys: []string{"custom_text"}},
	// open_clip renamed its Hugging Face text tower settings (CLIPTextCfg in
	// src/open_clip/model.py): proj -> hf_proj_type, pooler_type ->
	// hf_pooler_type.
	{id: "hf-text-projection", class: classShape, strong: true, keys: []string{"proj", "hf_proj_type"}},
	{id: "hf-text-pooler", class: classBehaviour, keys: []string{"pooler_type", "hf_pooler_type"}},
	{id: "mlp-class", class: classShape, strong: true, keys: []string{"mlp_class_name", "mlp_type", "ffn_type"}},
	{id: "norm-class", class: classShape, strong: true, resolve: normClass, keys: []string{"norm_class_name", "norm_type", "layer_norm_type",
		"normalization"}},
	{id: "block-class", class: classShape, strong: true, keys: []string{"block_type"}},
	{id: "quantization", class: classShape, subtree: true, keys: []string{"quantization_config", "quantization", "quant_config"}},
	// GGUF's general.file_type is the quantisation most tensors have
	// (15 = Q4_K_M): the same shapes at another precision, as
	// tensor-quantization-changed judges the tensors themselves.
	{id: "weight-quantization-type", class: classBehaviour, keys: []string{"general_file_type"}},

	// Behaviour: parameters stay compatible, outputs change.
	{id: "context-length", class: classBehaviour, table: true, resolve: contextClass, keys: []string{"max_position_embeddings", "n_positions",
		"n_ctx", "max_seq_len", "max_seq_length", "max_sequence_length", "context_length", "context_len", "block_size",
		"ctx_len", "n_ctx_train", "context_window"}},
	{id: "sequence-length", class: classBehaviour, table: true, resolve: contextClass, keys: []string{"seq_len", "seq_length",
		"sequence_length"}},
	{id: "source-positions", class: classBehaviour, table: true, resolve: contextClass, keys: []string{"max_source_positions"}},
	{id: "target-positions", class: classBehaviour, table: true, resolve: contextClass, keys: []string{"max_target_positions"}},
	{id: "rope-base", class: classBehaviour, keys: []string{"rope_theta", "rotary_emb_base", "rope_freq_base", "rotary_base",
		"rope_base", "rope_frequency_base", "base_theta"}},
	{id: "global-rope-base", class: classBehaviour, keys: []string{"global_rope_theta"}},
	{id: "local-rope-base", class: classBehaviour, keys: []string{"rope_local_base_freq", "local_rope_theta"}},
	{id: "rope-scaling", class: classBehaviour, subtree: true, keys: []string{"rope_scaling", "rotary_scaling", "rope_parameters",
		"rope_adjustments"}},
	{id: "rope-scaling-factor", class: classBehaviour, keys: []string{"rope_scaling_factor", "rope_scale", "rope_condense_ratio",
		"rotary_scaling_factor"}},
	{id: "rope-scaling-type", class: classBehaviour, keys: []string{"rope_scaling_type", "rope_type"}},
	{id: "rope-fraction", class: classBehaviour, keys: []string{"rotary_pct", "partial_rotary_factor", "rotary_percentage",
		"rotary_percent", "rotary_emb_fraction"}},
	{id: "rope-dimensions", class: classBehaviour, keys: []string{"rotary_dim", "rope_dimension_count", "rotary_ndims"}},
	{id: "norm-eps", class: classBehaviour, keys: []string{"layer_norm_eps", "rms_norm_eps", "layer_norm_epsilon", "norm_eps",
		"layernorm_epsilon", "layernorm_eps", "norm_epsilon", "rms_norm_epsilon", "attention_layer_norm_epsilon",
		"attention_layer_norm_rms_epsilon", "ln_eps", "rmsnorm_epsilon"}},
	{id: "activation", class: classBehaviour, resolve: activationClass, keys: []string{"hidden_act", "activation_function",
		"activation", "activation_type", "act_fn", "act", "act_layer", "hidden_activation", "mlp_activation", "nonlinearity"}},
	{id: "quick-gelu", class: classBehaviour, keys: []string{"quick_gelu"}},
	{id: "gelu-approximation", class: classBehaviour, keys: []string{"gelu_approximate"}},
	{id: "gated-activation", class: classShape, keys: []string{"swiglu", "gated_mlp", "geglu"}},
	{id: "sliding-window", class: classBehaviour, keys: []string{"sliding_window", "sliding_window_size", "attention_window",
		"attention_sliding_window", "sliding_window_width", "local_window_size"}},
	{id: "sliding-window-enabled", class: classBehaviour, keys: []string{"use_sliding_window"}},
	{id: "sliding-window-layers", class: classBehaviour, keys: []string{"max_window_layers", "sliding_window_layer_placing",
		"sliding_window_pattern", "window_layers"}},
	{id: "experts-per-token", class: classBehaviour, keys: []string{"num_experts_per_tok", "moe_top_k", "top_k",
		"expert_used_count", "n_experts_per_tok", "n_expert_per_token", "num_selected_experts", "router_top_k", "moe_k", "topk",
		"num_experts_per_token", "experts_per_token", "moe_router_topk"}},
	{id: "capacity-factor", class: classBehaviour, keys: []string{"capacity_factor", "moe_capacity_factor"}},
	{id: "eval-capacity-factor", class: classBehaviour, keys: []string{"eval_capacity_factor"}},
	{id: "routing", class: classBehaviour, keys: []string{"norm_topk_prob", "routed_scaling_factor", "scoring_func", "topk_method",
		"n_group", "topk_group", "router_type", "moe_normalize_expert_weights", "expert_weights_scale", "expert_weights_norm",
		"expert_weights_func", "moe_token_dropping", "moe_min_capacity", "drop_tokens", "moe_router_score_function", "moe_type"}},
	{id: "logit-softcap", class: classBehaviour, keys: []string{"final_logit_softcapping", "logit_softcapping"}},
	{id: "attention-softcap", class: classBehaviour, keys: []string{"attn_logit_softcapping", "attention_logit_softcapping",
		"softcap"}},
	{id: "qkv-clip", class: classBehaviour, keys: []string{"clip_qkv"}},
	{id: "attention-scale", class: classBehaviour, keys: []string{"query_pre_attn_scalar", "attention_scores_scalar",
		"softmax_scale", "attention_scale", "attention_temperature", "attention_multiplier"}},
	{id: "attention-softmax", class: classBehaviour, keys: []string{"attention_softmax_in_fp32", "apply_query_key_layer_scaling",
		"scale_attn_by_inverse_layer_idx", "scale_attn_weights"}},
	{id: "embedding-scale", class: classBehaviour, keys: []string{"scale_embeddings", "scale_embedding", "embedding_multiplier",
		"embedding_scale", "scale_emb"}},
	{id: "residual-scale", class: classBehaviour, keys: []string{"residual_multiplier", "residual_scale"}},
	{id: "logit-scale", class: classBehaviour, keys: []string{"logits_scaling", "logit_scale", "scale_logits",
		"output_multiplier_scale"}},
	{id: "bos-token", class: classBehaviour, keys: []string{"bos_token_id", "bos_id"}},
	{id: "eos-token", class: classBehaviour, keys: []string{"eos_token_id", "eos_id", "eot_token_id"}},
	{id: "pad-token", class: classBehaviour, keys: []string{"pad_token_id", "pad_id"}},
	{id: "special-tokens", class: classBehaviour, keys: []string{"unk_token_id", "sep_token_id", "decoder_start_token_id",
		"mask_token_id"}},
	{id: "tokenizer-type", class: classBehaviour, keys: []string{"tokenizer_type", "tokenizer_class"}},
	{id: "tokenizer-kwargs", class: classBehaviour, subtree: true, keys: []string{"tokenizer_kwargs", "tokenizer_args"}},
	{id: "tokenizer-max-length", class: classBehaviour, keys: []string{"model_max_length"}},
	{id: "generation", class: classBehaviour, subtree: true, keys: []string{"generation_config", "task_specific_params",
		"chat_template"}},
	{id: "generation-max-tokens", class: classBehaviour, keys: []string{"max_new_tokens", "max_tokens", "maximum_tokens"}},
	{id: "generation-max-length", class: classBehaviour, keys: []string{"max_length"}},
	{id: "generation-min-length", class: classBehaviour, keys: []string{"min_length"}},
	{id: "temperature", class: classBehaviour, keys: []string{"temperature"}},
	{id: "top-p", class: classBehaviour, keys: []string{"top_p"}},
	{id: "sampling", class: classBehaviour, keys: []string{"do_sample"}},
	{id: "repetition-penalty", class: classBehaviour, keys: []string{"repetition_penalty"}},
	{id: "beams", class: classBehaviour, keys: []string{"num_beams"}},
	{id: "generation-io", class: classBehaviour, keys: []string{"sample_input_file", "sample_output_file", "text_gen_type",
		"recompute", "return_logits"}},
	{id: "score-threshold", class: classBehaviour, keys: []string{"score_thr", "score_threshold", "conf_thres"}},
	{id: "nms-threshold", class: classBehaviour, keys: []string{"nms_thresh", "nms_threshold", "iou_threshold", "iou_thres"}},
	{id: "detections-per-image", class: classBehaviour, keys: []string{"max_per_img", "detections_per_img", "max_det"}},
	{id: "attention-layout", class: classBehaviour, resolve: attentionLayoutClass, keys: []string{"attention_config", "attention_types", "attention_type",
		"layer_types", "attention_pattern", "global_attn_layers"}},
	{id: "sparsity-layout", class: classBehaviour, subtree: true, keys: []string{"sparsity_config"}},
	{id: "no-rope-layers", class: classBehaviour, keys: []string{"no_rope_layers"}},
	{id: "attention-chunk", class: classBehaviour, keys: []string{"attention_chunk_size"}},
	{id: "parallel-residual", class: classBehaviour, keys: []string{"gpt_j_residual", "use_parallel_residual",
		"parallel_residual"}},
	{id: "tied-residual-norm", class: classBehaviour, keys: []string{"gpt_j_tied", "shared_attention_norm"}},

	// Runtime: the same computation, run differently (patch).
	{id: "attention-kernel", class: classRuntime, keys: []string{"attn_impl", "attn_implementation",
		"attention_kernel", "attention_impl"}},
	{id: "flash-attention", class: classRuntime, keys: []string{"use_flash_attn", "use_flash_attention", "flash_attention",
		"flash_attn"}},
	{id: "fusion", class: classRuntime, keys: []string{"fused_mlp", "fused_bias_fc", "fused_dropout_add_ln",
		"scaled_upper_triang_masked_softmax_fusion", "scaled_masked_softmax_fusion", "bias_gelu_fusion", "bias_dropout_fusion",
		"masked_softmax_fusion", "rope_fusion", "use_fused_rope", "use_kernels", "use_triton", "fused_ce"}},
	{id: "flash-block-size", class: classRuntime, keys: []string{"flash_attention_block_size"}},
	{id: "tensor-parallel-slices", class: classRuntime, keys: []string{"pretraining_tp"}},
	// GGUF's general.alignment pads the tensor data in the file: loaders
	// read any alignment, the weights are the same.
	{id: "file-alignment", class: classRuntime, keys: []string{"general_alignment"}},
	{id: "rope-precision", class: classRuntime, keys: []string{"rope_full_precision"}},
	{id: "scan-layers", class: classRuntime, keys: []string{"use_scan", "scan_layers"}},

	// Training: recorded, no bump.
	{id: "learning-rate", class: classTraining, keys: []string{"lr", "learning_rate", "base_lr", "peak_lr", "max_lr"}},
	{id: "min-learning-rate", class: classTraining, keys: []string{"min_lr", "lr_min", "final_lr"}},
	{id: "min-learning-rate-ratio", class: classTraining, keys: []string{"min_lr_ratio", "alpha_f"}},
	{id: "lr-schedule", class: classTraining, keys: []string{"lr_decay_style", "lr_schedule", "lr_scheduler_type"}},
	{id: "lr-decay-length", class: classTraining, keys: []string{"lr_decay_iters", "lr_decay_steps", "decay_steps", "t_max",
		"lr_decay_samples"}},
	{id: "warmup", class: classTraining, keys: []string{"warmup", "warmup_steps", "warmup_iters", "lr_warmup_steps",
		"lr_warmup_iters", "t_warmup"}},
	{id: "warmup-fraction", class: classTraining, keys: []string{"warmup_ratio", "lr_warmup_fraction"}},
	{id: "cooldown", class: classTraining, keys: []string{"cooldown", "cooldown_steps", "decay_ratio"}},
	{id: "batch-size", class: classTraining, keys: []string{"batch_size", "global_batch_size", "train_batch_size",
		"global_train_batch_size", "ims_per_batch", "batch"}},
	{id: "micro-batch-size", class: classTraining, keys: []string{"micro_batch_size", "device_train_batch_size",
		"device_train_microbatch_size", "train_micro_batch_size_per_gpu", "per_device_train_batch_size", "train_microbatch_size",
		"per_device_parallelism"}},
	{id: "eval-batch-size", class: classTraining, keys: []string{"device_eval_batch_size", "per_device_eval_batch_size",
		"eval_batch_size"}},
	{id: "gradient-accumulation", class: classTraining, keys: []string{"gradient_accumulation_steps", "gas", "grad_accum",
		"gradient_accumulation", "device_train_grad_accum", "accumulate_grad_batches"}},
	{id: "dropout", class: classTraining, keys: []string{"dropout", "drop_rate", "dropout_rate", "dropout_prob", "p_dropout"}},
	{id: "attention-dropout", class: classTraining, keys: []string{"attention_dropout", "attn_pdrop", "attn_dropout",
		"attention_probs_dropout_prob", "attn_drop_rate"}},
	{id: "hidden-dropout", class: classTraining, keys: []string{"hidden_dropout", "resid_pdrop", "residual_dropout",
		"hidden_dropout_prob", "proj_drop_rate"}},
	{id: "embedding-dropout", class: classTraining, keys: []string{"embd_pdrop", "embedding_dropout", "emb_pdrop"}},
	{id: "drop-path", class: classTraining, keys: []string{"drop_path_rate", "drop_path", "timm_drop_path", "stochastic_depth"}},
	{id: "backbone-dropout", class: classTraining, keys: []string{"timm_drop"}},
	{id: "patch-dropout", class: classTraining, keys: []string{"patch_dropout"}},
	{id: "classifier-dropout", class: classTraining, keys: []string{"classifier_dropout", "summary_first_dropout"}},
	{id: "layer-drop", class: classTraining, keys: []string{"layerdrop", "encoder_layerdrop", "decoder_layerdrop"}},
	{id: "init-std", class: classTraining, keys: []string{"init_std", "initializer_range", "init_method_std", "emb_init_std"}},
	{id: "init-method", class: classTraining, keys: []string{"init_fn", "init_method", "init_weights"}},
	{id: "output-init-method", class: classTraining, keys: []string{"output_layer_init_method"}},
	{id: "init-scale", class: classTraining, keys: []string{"init_cutoff_factor", "init_gain", "initializer_factor", "init_scale",
		"scale_emb_init", "mup", "use_mup"}},
	{id: "init-device", class: classTraining, keys: []string{"init_device", "use_cpu_initialization"}},
	{id: "layer-scale-init", class: classTraining, keys: []string{"ls_init_value", "init_values", "layer_scale_init_value"}},
	{id: "logit-scale-init", class: classTraining, keys: []string{"init_logit_scale"}},
	{id: "logit-bias-init", class: classTraining, keys: []string{"init_logit_bias"}},
	{id: "init-config", class: classTraining, subtree: true, keys: []string{"init_config"}},
	{id: "pretrained-weights", class: classTraining, keys: []string{"timm_model_pretrained", "hf_model_pretrained", "pretrained",
		"weights", "pretrained_weights", "init_checkpoint", "initial_checkpoint_dir", "load_path", "load", "finetune",
		"from_pretrained", "resume", "resume_from_checkpoint", "load_from", "finetuned", "load_finetuned", "from_finetuned",
		"load_pretrained"}},
	{id: "freezing", class: classTraining, keys: []string{"freeze", "freeze_vit", "freeze_backbone", "freeze_at", "frozen_stages",
		"lock_image", "lock_text", "freeze_llm", "tune_mm_mlp_adapter", "freeze_mm_mlp_adapter"}},
	{id: "distillation", class: classTraining, keys: []string{"use_distill", "distill", "distillation", "alpha_distill"}},
	{id: "optimizer", class: classTraining, subtree: true, keys: []string{"optimizer", "optim"}},
	{id: "weight-decay", class: classTraining, keys: []string{"weight_decay", "wd"}},
	{id: "adam-betas", class: classTraining, keys: []string{"betas"}},
	{id: "adam-beta1", class: classTraining, keys: []string{"adam_beta1", "beta1"}},
	{id: "adam-beta2", class: classTraining, keys: []string{"adam_beta2", "beta2"}},
	{id: "adam-eps", class: classTraining, keys: []string{"adam_eps", "adam_epsilon"}},
	{id: "momentum", class: classTraining, keys: []string{"momentum"}},
	{id: "gradient-clipping", class: classTraining, keys: []string{"gradient_clipping", "max_grad_norm", "clip_grad", "grad_clip",
		"max_norm", "clip_grad_norm", "clip_grad_norm_max_norm"}},
	{id: "gradient-clipping-ratio", class: classTraining, keys: []string{"max_grad_norm_ratio"}},
	{id: "zero-optimization", class: classTraining, subtree: true, keys: []string{"zero_optimization"}},
	{id: "zero-stage", class: classTraining, keys: []string{"zero_stage"}},
	{id: "loss-scaling", class: classTraining, keys: []string{"loss_scale", "initial_scale_power", "loss_scale_window",
		"hysteresis", "min_loss_scale"}},
	{id: "train-iterations", class: classTraining, keys: []string{"train_iters", "max_steps", "num_train_steps", "train_steps",
		"max_iters", "max_iter", "max_train_steps"}},
	{id: "train-duration", class: classTraining, keys: []string{"max_duration", "train_samples", "train_tokens", "max_tokens_train",
		"time_limit"}},
	{id: "epochs", class: classTraining, keys: []string{"epochs", "num_epochs", "max_epochs", "epoch", "num_train_epochs"}},
	{id: "stopping", class: classTraining, keys: []string{"stop_at", "stop_after", "early_stopping", "early_stopping_factor",
		"patience", "extra_steps_after_cancel"}},
	{id: "precision", class: classTraining, keys: []string{"precision", "mixed_precision", "mp", "dtype_policy", "autocast",
		"half_precision", "amp"}},
	{id: "fp16", class: classTraining, subtree: true, keys: []string{"fp16"}},
	{id: "bf16", class: classTraining, subtree: true, keys: []string{"bf16"}},
	{id: "parameter-dtype", class: classTraining, keys: []string{"param_dtype", "params_dtype"}},
	{id: "compute-dtype", class: classTraining, keys: []string{"compute_dtype"}},
	{id: "pipeline-parallel", class: classTraining, keys: []string{"pipe_parallel_size", "pipeline_model_parallel_size",
		"pipeline_parallel_size"}},
	{id: "model-parallel", class: classTraining, keys: []string{"model_parallel_size", "tensor_model_parallel_size",
		"tensor_parallel_size", "model_axis_size"}},
	{id: "data-parallel", class: classTraining, keys: []string{"data_parallel_size"}},
	{id: "expert-parallel", class: classTraining, keys: []string{"expert_parallel_size", "moe_expert_parallel_size"}},
	{id: "sequence-parallel", class: classTraining, keys: []string{"sequence_parallel"}},
	{id: "output-layer-parallelism", class: classTraining, keys: []string{"output_layer_parallelism"}},
	{id: "cluster", class: classTraining, keys: []string{"num_nodes", "devices", "num_gpus", "world_size", "hostfile", "include",
		"master_port", "launcher", "deepspeed_slurm", "slurm_comment", "comment"}},
	{id: "distributed-strategy", class: classTraining, subtree: true, keys: []string{"fsdp", "ddp", "distributed_strategy",
		"sharding_strategy", "fsdp_config", "deepspeed", "deepspeed_config"}},
	{id: "data-workers", class: classTraining, keys: []string{"num_workers", "workers", "num_proc", "prefetch_factor",
		"persistent_workers", "pin_memory"}},
	{id: "activation-checkpointing", class: classTraining, keys: []string{"activation_checkpointing", "checkpoint_activations",
		"gradient_checkpointing", "use_gradient_checkpointing", "contiguous_checkpointing"}},
	{id: "activation-checkpoint-layers", class: classTraining, keys: []string{"checkpoint_num_layers"}},
	{id: "activation-partitioning", class: classTraining, keys: []string{"partition_activations", "synchronize_each_layer",
		"cpu_offload", "block_group_size"}},
	{id: "data-path", class: classTraining, keys: []string{"data_path", "data_paths", "data_dir", "data_local", "data_remote",
		"paths", "train_file", "dataset_name", "data_name"}},
	{id: "train-data", class: classTraining, keys: []string{"train_data_paths", "train_data", "train_dataset"}},
	{id: "valid-data", class: classTraining, keys: []string{"valid_data_paths", "valid_data", "eval_dataset", "validation_file"}},
	{id: "test-data", class: classTraining, keys: []string{"test_data_paths", "test_data"}},
	{id: "data-weights", class: classTraining, keys: []string{"train_data_weights", "valid_data_weights", "test_data_weights"}},
	{id: "data-format", class: classTraining, keys: []string{"data_impl", "memmap_dtype", "pack_sequences", "pad_direction",
		"generate_attention_mask", "label_mask_paths", "instance_filter", "drop_last", "weighted_sampler", "dataset", "datasets"}},
	{id: "data-split", class: classTraining, keys: []string{"split"}},
	{id: "shuffle", class: classTraining, keys: []string{"shuffle", "shuffle_seed"}},
	{id: "cache-dir", class: classTraining, keys: []string{"cache_dir", "hf_datasets_cache_dir"}},
	{id: "loss", class: classTraining, subtree: true, keys: []string{"loss", "loss_fn"}},
	{id: "router-aux-loss", class: classTraining, keys: []string{"router_aux_loss_coef", "aux_loss_alpha", "moe_loss_coeff",
		"moe_aux_loss_coeff"}},
	{id: "router-z-loss", class: classTraining, keys: []string{"router_z_loss_coef", "moe_z_loss_coeff"}},
	{id: "router-jitter", class: classTraining, keys: []string{"router_jitter_noise", "moe_jitter_eps"}},
	{id: "router-logits-output", class: classTraining, keys: []string{"output_router_logits"}},
	{id: "z-loss", class: classTraining, keys: []string{"z_loss", "z_loss_multiplier", "softmax_auxiliary_loss",
		"auxiliary_loss_multiplier"}},
	{id: "label-smoothing", class: classTraining, keys: []string{"label_smoothing"}},
	{id: "sequence-aux-loss", class: classTraining, keys: []string{"seq_aux"}},
	{id: "save-interval", class: classTraining, keys: []string{"save_interval", "save_steps", "checkpoint_period",
		"save_interval_unsharded", "save_interval_ephemeral"}},
	{id: "save-schedule", class: classTraining, keys: []string{"checkpoint_factor", "extra_save_iters", "save_strategy"}},
	{id: "save-folder", class: classTraining, keys: []string{"save", "save_folder", "save_dir", "checkpoint_dir", "output_dir",
		"out_dir", "remote_save_folder"}},
	{id: "checkpoints-kept", class: classTraining, keys: []string{"save_num_checkpoints_to_keep", "keep_last_n_checkpoints",
		"save_total_limit", "save_num_unsharded_checkpoints_to_keep"}},
	{id: "checkpoint-format", class: classTraining, keys: []string{"save_overwrite", "checkpointer", "sharded_checkpointer",
		"no_pre_train_checkpoint", "force_save_unsharded"}},
	{id: "eval-interval", class: classTraining, keys: []string{"eval_interval", "eval_steps", "eval_period", "validation_interval",
		"val_check_interval"}},
	{id: "eval-iterations", class: classTraining, keys: []string{"eval_iters", "eval_subset_num_batches"}},
	{id: "eval-schedule", class: classTraining, keys: []string{"eval_first", "eval_on_load", "do_eval", "evaluation_strategy",
		"eval_strategy"}},
	{id: "eval-tasks", class: classTraining, keys: []string{"evaluators", "eval_tasks"}},
	{id: "log-interval", class: classTraining, keys: []string{"log_interval", "logging_steps", "console_log_interval",
		"log_every_n_steps", "metrics_log_interval"}},
	{id: "log-dir", class: classTraining, keys: []string{"log_dir", "logging_dir", "tensorboard_dir"}},
	{id: "log-console", class: classTraining, keys: []string{"log_to_console", "progress_bar"}},
	{id: "log-content", class: classTraining, keys: []string{"log_grad_norm", "log_param_norm", "log_optimizer_states",
		"log_gradient_noise_scale"}},
	{id: "wandb", class: classTraining, subtree: true, keys: []string{"wandb", "use_wandb"}},
	{id: "wandb-project", class: classTraining, keys: []string{"wandb_project"}},
	{id: "wandb-group", class: classTraining, keys: []string{"wandb_group"}},
	{id: "wandb-team", class: classTraining, keys: []string{"wandb_team", "wandb_entity"}},
	{id: "wandb-host", class: classTraining, keys: []string{"wandb_host"}},
	{id: "run-name", class: classTraining, keys: []string{"run_name", "wandb_run_name", "experiment_name"}},
	{id: "tracker", class: classTraining, subtree: true, keys: []string{"tracker", "loggers", "logger", "report_to", "mlflow",
		"tensorboard", "speed_monitor"}},
	{id: "logger-name", class: classTraining, keys: []string{"logger_name"}},
	{id: "seed", class: classTraining, keys: []string{"seed", "global_seed", "random_seed"}},
	{id: "data-seed", class: classTraining, keys: []string{"data_seed"}},

	// Metadata: recorded, no bump.
	{id: "library-version", class: classMetadata, keys: []string{"transformers_version"}},
	{id: "source-name", class: classMetadata, keys: []string{"name_or_path"}},
	{id: "commit-hash", class: classMetadata, keys: []string{"commit_hash"}},
	{id: "storage-dtype", class: classMetadata, keys: []string{"torch_dtype"}},
	{id: "kv-cache", class: classMetadata, keys: []string{"use_cache"}},
	{id: "output-flags", class: classMetadata, keys: []string{"torchscript", "return_dict", "output_attentions",
		"output_hidden_states"}},
	{id: "finetuning-task", class: classMetadata, keys: []string{"finetuning_task"}},
	{id: "description", class: classMetadata, keys: []string{"description", "general_description"}},
	{id: "author", class: classMetadata, keys: []string{"author", "authors", "general_author", "general_organization",
		"general_quantized_by"}},
	{id: "license", class: classMetadata, keys: []string{"license", "general_license", "general_license_name", "general_license_link"}},
	{id: "homepage", class: classMetadata, keys: []string{"homepage", "general_url", "general_source_url", "general_repo_url",
		"general_source_huggingface_repository", "general_source_repo_url"}},
	// GGUF provenance: the models and data sets a file derives from, listed
	// as general.base_model.0.name (lookupConcept drops the index).
	{id: "provenance", class: classMetadata, keys: []string{"general_uuid", "general_base_model_count", "general_base_model_name",
		"general_base_model_author", "general_base_model_version", "general_base_model_organization", "general_base_model_description",
		"general_base_model_url", "general_base_model_doi", "general_base_model_uuid", "general_base_model_repo_url",
		"general_dataset_count", "general_dataset_name", "general_dataset_author", "general_dataset_version",
		"general_dataset_organization", "general_dataset_description", "general_dataset_url", "general_dataset_doi",
		"general_dataset_uuid", "general_dataset_repo_url"}},
	{id: "citation", class: classMetadata, keys: []string{"citation", "doi", "paper"}},
	{id: "model-card", class: classMetadata, keys: []string{"model_card", "general_tags", "general_languages", "general_size_label",
		"general_basename", "general_finetune", "general_name"}},
	{id: "hub", class: classMetadata, keys: []string{"hub_model_id", "push_to_hub", "hub_strategy", "hub_private_repo"}},
	{id: "auth", class: classMetadata, keys: []string{"hub_token", "auth_token", "use_auth_token", "token"}},
	{id: "remote-code", class: classMetadata, keys: []string{"trust_remote_code"}},
	{id: "cast-dtype", class: classMetadata, keys: []string{"cast_dtype"}},
	{id: "config-version", class: classMetadata, keys: []string{"version", "config_version", "format_version"}},
	// A tokenizer's name or location names the tokenizer that goes with the
	// model; what the tokenizer holds is judged from its own files and from
	// the vocabulary size.
	{id: "tokenizer-name", class: classMetadata, keys: []string{"tokenizer_name", "tokenizer_identifier", "hf_tokenizer_name",
		"tokenizer_name_or_path", "tokenizer_path", "tokenizer_dir", "tokenizer_model", "tokenizer_file", "tokenizer_id"}},
	{id: "vocab-file", class: classMetadata, keys: []string{"vocab_file"}},
	{id: "merge-file", class: classMetadata, keys: []string{"merge_file", "merges_file"}},
}

// Sections are the map keys that classify the unknown keys below them
// (DESIGN §2.1, step 3): training configurations keep their data loaders,
// optimizers, loggers and checkpointing next to the model. An architecture
// section (model, encoder, vision_cfg) classifies nothing itself: it stops
// the search, so an unknown key under it stays unclassified.
var sections = sync.OnceValue(func() map[string]keyClass {
	m := map[string]keyClass{}
	add := func(c keyClass, names ...string) {
		for _, n := range names {
			m[n] = c
		}
	}
	add(classTraining, "data", "dataset", "datasets", "data_loader", "dataloader", "train_loader", "eval_loader", "val_loader",
		"test_loader", "train_dataloader", "val_dataloader", "test_dataloader", "train_data", "valid_data", "eval_data",
		"data_args", "datamodule", "data_module", "train_dataset", "eval_dataset", "optimizer", "optimizers", "optim",
		"optim_wrapper", "optimizer_config", "scheduler", "schedulers", "lr_scheduler", "lr_config", "param_scheduler", "trainer",
		"training", "train", "training_args", "train_args", "train_cfg", "solver", "wandb", "logging", "logger", "loggers",
		"log", "log_config", "tensorboard", "tracker", "monitor", "monitors", "callbacks", "callback", "hooks", "default_hooks",
		"custom_hooks", "eval", "evaluation", "evaluators", "evaluator", "val_evaluator", "test_evaluator", "eval_config",
		"save", "checkpoint", "checkpointing", "checkpointer", "checkpoint_config", "fsdp", "fsdp_config", "distributed", "ddp",
		"deepspeed", "deepspeed_config", "zero_optimization", "parallelism", "speed_monitor", "profiler", "profiling",
		"runner", "env_cfg", "launcher", "slurm", "init_config", "fp16", "bf16", "amp", "mixed_precision", "precision",
		"comms_logger", "flops_profiler", "autotuning", "dataloader_config", "train_pipeline", "sampler", "collator",
		"augmentation", "augmentations", "paths", "io", "visualizer", "vis_backends", "resources", "cluster",
		"compile", "loss", "losses", "metrics", "experiment", "dataloaders", "validation", "test_data")
	// Reference sections (referenceSections) read as metadata.
	add(classMetadata, "metadata", "info", "card", "model_card", "about", "hub", "hf_hub", "huggingface_hub", "general",
		"variables", "vars")
	add(classBehaviour, "generation", "generation_config", "generate", "sampling", "inference", "text_generation",
		"postprocess", "post_process", "test_cfg", "tokenizer", "tokenizer_kwargs", "tokenizer_config", "input")
	add(classUnknown, "model", "model_config", "model_args", "modelargs", "architecture", "arch", "network", "net", "encoder",
		"decoder", "vision_cfg", "text_cfg", "vision_config", "text_config", "audio_config", "backbone", "neck", "head", "heads",
		"bbox_head", "roi_head", "roi_heads", "rpn_head", "mask_head", "transformer", "attn_config", "attention", "ffn_config",
		"mlp", "ffn", "moe", "moe_config", "embeddings", "vision_tower", "projector", "mm_projector", "language_model",
		"llm_config", "encoder_config", "decoder_config", "model_kwargs", "resnets", "fpn", "rpn", "anchor_generator", "layers_cfg",
		"vision", "text", "visual", "image_encoder", "text_encoder", "blocks")
	return m
})

// referenceSections hold values that the rest of the file refers to
// (llm-foundry's variables: ${variables.max_seq_len}); references are
// resolved before the diff, so a value there counts where it is used and
// nothing in the section counts by itself, whatever its name.
var referenceSections = map[string]bool{"variables": true, "vars": true}

// conceptIndex maps every normalised synonym to its concept.
var conceptIndex = sync.OnceValue(func() map[string]*concept {
	m := map[string]*concept{}
	for _, c := range concepts {
		for _, k := range c.keys {
			if prev, ok := m[k]; ok {
				panic("vocabulary: " + k + " is both " + prev.id + " and " + c.id)
			}
			m[k] = c
		}
	}
	return m
})

// normKey normalises a key: lower case, its words joined by "_". hidden-size,
// hiddenSize, HIDDEN_SIZE and hidden.size all read hidden_size.
func normKey(key string) string { return joinedWords(key) }

// lookupConcept returns the concept a key names, or nil. A dotted GGUF key
// (llama.attention.head_count) is also tried without its leading parts, the
// architecture prefix first, and without the indexes GGUF numbers list
// entries with (general.base_model.0.name reads general.base_model.name).
func lookupConcept(key string) *concept {
	if c := conceptIndex()[normKey(key)]; c != nil {
		return c
	}
	if strings.Contains(key, ".") {
		words := splitWords(key)
		for i := 1; i < len(words); i++ {
			if c := conceptIndex()[strings.Join(words[i:], "_")]; c != nil {
				return c
			}
		}
		if kept := slices.DeleteFunc(slices.Clone(words), isIndex); len(kept) < len(words) && len(kept) > 0 {
			return lookupConcept(strings.Join(kept, "."))
		}
	}
	return nil
}

// isIndex reports whether a word of a key is a list index (0, 12).
func isIndex(w string) bool {
	return w != "" && strings.Trim(w, "0123456789") == ""
}

// lookupSection reports the class of a section name and whether the
// vocabulary knows it; classUnknown with true is an architecture section.
func lookupSection(key string) (keyClass, bool) {
	c, ok := sections()[normKey(key)]
	return c, ok
}

// identity is what a key means for rename detection: its concept, or its
// normalised spelling when the vocabulary does not know it.
func identity(key string) string {
	if c := lookupConcept(key); c != nil {
		return "concept:" + c.id
	}
	return normKey(key)
}
