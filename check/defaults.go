package check

import "math"

// Library defaults outside Hugging Face (DESIGN §2.1, step 1): a key added
// or removed at the value its framework uses when the key is absent changes
// nothing. Tables are kept only where the framework's source says so.

// neoxDefaults are GPT-NeoX's defaults for keys whose default has not moved
// across releases, from megatron/neox_arguments/neox_args.py
// (NeoXArgsModel; EleutherAI/gpt-neox).
var neoxDefaults = map[string]any{
	"gpt_j_residual": false, "gpt_j_tied": false, "no_weight_tying": false, "norm": "layernorm", "pos_emb": "learned",
	"rotary_pct": 1.0, "rotary_emb_base": 10000.0, "rpe_num_buckets": 32.0, "rpe_max_distance": 128.0,
	"layernorm_epsilon": 1e-5, "rms_norm_epsilon": 1e-8, "scalenorm_epsilon": 1e-8, "activation": "gelu",
	"scaled_upper_triang_masked_softmax_fusion": false, "scaled_masked_softmax_fusion": false, "bias_gelu_fusion": false,
	"bias_dropout_fusion": false, "apply_query_key_layer_scaling": false, "attention_softmax_in_fp32": false,
	"init_method": "normal", "output_layer_init_method": "scaled_normal", "init_method_std": 0.02, "opt_pos_emb_offset": 0.0,
	"make_vocab_size_divisible_by": 128.0, "use_cpu_initialization": false, "fp16_lm_cross_entropy": false,
}

// neoxSignature are keys only GPT-NeoX configurations combine.
var neoxSignature = []string{"pipe_parallel_size", "model_parallel_size", "attention_config", "pos_emb", "gpt_j_residual",
	"no_weight_tying", "scaled_upper_triang_masked_softmax_fusion", "bias_gelu_fusion", "output_layer_parallelism",
	"train_micro_batch_size_per_gpu", "rotary_pct"}

// isNeoX reports whether a configuration reads like GPT-NeoX's: at least
// three of its signature keys at the top.
func isNeoX(n *Node) bool {
	if n == nil || n.Kind != KindMap {
		return false
	}
	have := map[string]bool{}
	for _, k := range n.Keys {
		have[normKey(k)] = true
	}
	hits := 0
	for _, k := range neoxSignature {
		if have[k] {
			hits++
		}
	}
	return hits >= 3
}

// maxSiblings bounds the map a default is derived in: defaults are settings
// of small config maps, and a large map (a vocabulary) is not scanned once
// per changed key.
const maxSiblings = 256

// madeExplicit matches a key added or removed at its framework default.
func madeExplicit(s *subject) bool {
	if s.Kind != Added && s.Kind != Removed || s.tree == nil || len(s.Path) < 2 {
		return false
	}
	v, root, side, p := s.New, s.tree.new, 1, s.Path
	if s.Kind == Removed {
		v, root, side = s.Old, s.tree.old, 0
	}
	parent := nodeAt(root, p[:len(p)-1])
	if parent == nil || parent.Kind != KindMap || len(parent.Keys) > maxSiblings {
		return false
	}
	key := normKey(p[len(p)-1].Key)
	if def, ok := derivedDefault(p[len(p)-1].Key, parent); ok {
		return v.Kind == KindNumber && v.Num == def
	}
	var def any
	var ok bool
	switch {
	case len(p) == 2 && s.tree.neox[side]:
		def, ok = neoxDefaults[key]
	case len(p) == 2 && s.tree.openCLIP[side]:
		def, ok = openCLIPDefaults[""][key]
	case len(p) == 3 && s.tree.openCLIP[side]:
		def, ok = openCLIPDefaults[p[1].Key][key]
	}
	return ok && matchesDefault(v, def)
}

// openCLIPDefaults are the defaults of open_clip's model configs, per tower
// ("" for the top), from CLIPVisionCfg, CLIPTextCfg and CLIP.__init__ in
// src/open_clip/model.py (mlfoundations/open_clip). proj and pooler_type
// are the earlier names of hf_proj_type and hf_pooler_type, with the same
// defaults.
var openCLIPDefaults = map[string]map[string]any{
	"": {"quick_gelu": false},
	"vision_cfg": {"ls_init_value": nil, "patch_dropout": 0.0, "attentional_pool": false, "no_ln_pre": false,
		"pos_embed_type": "learnable", "final_ln_after_pool": false, "pool_type": "tok", "output_tokens": false,
		"timm_model_pretrained": false, "timm_pool": "avg", "timm_proj": "linear", "timm_proj_bias": false, "timm_drop": 0.0,
		"timm_drop_path": nil},
	"text_cfg": {"hf_tokenizer_name": nil, "tokenizer_kwargs": nil, "ls_init_value": nil, "embed_cls": false, "pad_id": 0.0,
		"no_causal_mask": false, "final_ln_after_pool": false, "pool_type": "argmax", "proj_bias": false, "output_tokens": false,
		"hf_model_name": nil, "hf_model_pretrained": true, "hf_proj_type": "mlp", "proj": "mlp", "hf_pooler_type": "mean_pooler",
		"pooler_type": "mean_pooler"},
}

// isOpenCLIP reports whether an architecture reads like an open_clip model
// config: embed_dim with a vision and a text tower.
func isOpenCLIP(n *Node) bool {
	return n.Get("embed_dim") != nil && n.Get("vision_cfg") != nil && n.Get("text_cfg") != nil
}

// derivedDefault returns the value frameworks derive for a key from its
// siblings when it is absent: as many key/value heads as attention heads
// (Hugging Face, LitGPT, OLMo, Levanter, GPT-NeoX), and a head width of the
// hidden width over the heads.
func derivedDefault(key string, parent *Node) (float64, bool) {
	c := lookupConcept(key)
	if c == nil {
		return 0, false
	}
	sibling := func(id string) (float64, bool) {
		for _, k := range parent.Keys {
			if sc := lookupConcept(k); sc != nil && sc.id == id {
				if n := parent.Fields[k]; n.Kind == KindNumber {
					return n.Num, true
				}
			}
		}
		return 0, false
	}
	switch c.id {
	case "kv-head-count":
		return sibling("head-count")
	case "head-width":
		h, ok1 := sibling("hidden-width")
		n, ok2 := sibling("head-count")
		if ok1 && ok2 && n != 0 {
			return math.Floor(h / n), true
		}
	}
	return 0, false
}
