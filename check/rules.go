package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/modelgate/modelgate/internal/abbrev"
)

// Level is how a gate rule's problem counts: an error fails the gate, a
// warning is reported only, off silences the rule.
type Level string

// The levels.
const (
	LevelError   Level = "error"
	LevelWarning Level = "warning"
	LevelOff     Level = "off"
)

// Rule is one entry of the rule catalogue. Finding rules classify a change
// and carry the bump it requires; gate rules (Gate true) name a reason the
// gate fails or warns and carry a level.
type Rule struct {
	ID   string
	Bump Bump
	// Effect is how the release notes group the rule's findings; empty means
	// by the finding's bump (see Finding.Effect).
	Effect      Effect
	Level       Level
	Gate        bool
	Description string
	// Reason ends each finding's message, e.g. "old checkpoints cannot be loaded".
	Reason string
	match  func(s *subject) bool
	// external rules classify evidence compared outside the tree diff
	// (tensor signatures, OpenAPI documents), so they have no matcher.
	external bool
	// basis is why the rule's findings get their bump; empty means the
	// rule's own (BasisRule), or the key classification it consulted.
	basis Basis
}

// Effect is what a finding's change does for a reader of the release notes,
// who sees the findings grouped by it.
type Effect string

// The effects.
const (
	EffectBreaking  Effect = "breaking"  // old checkpoints or clients break (a major bump)
	EffectAdded     Effect = "added"     // something new, nothing old changed (a minor bump)
	EffectBehaviour Effect = "behaviour" // outputs change, parameters stay compatible (a minor bump)
	EffectFixed     Effect = "fixed"     // a fix that keeps behaviour (a patch bump)
	EffectRecorded  Effect = "recorded"  // recorded, no version change
	EffectTraining  Effect = "training"  // a training setting: the notes' hyperparameter table
	EffectMetric    Effect = "metric"    // an evaluation metric: the notes' metrics table
)

// at returns the effect of a finding of effect e that requires bump b (after
// overrides in .modelgate.yaml): e where the bump allows it, else the bump's.
func (e Effect) at(b Bump) Effect {
	switch {
	case e == EffectTraining || e == EffectMetric:
		return e
	case b == BumpMajor:
		return EffectBreaking
	case b == BumpMinor && e == EffectAdded:
		return EffectAdded
	case b == BumpMinor:
		return EffectBehaviour
	case b == BumpPatch:
		return EffectFixed
	}
	return EffectRecorded
}

// subject is a change seen by the rule matchers.
type subject struct {
	*Change
	section string   // the manifest field the change is under
	keys    []string // map keys along the path below section, last first
	hf      *hfConfig
	// tree is what the classifier knows of both revisions.
	tree *treeContext
	// verdicts of the key classification, computed when first asked;
	// consulted is the one the matching rule used.
	kv, hv    *keyVerdict
	consulted *keyVerdict
}

func inSection(names ...string) func(*subject) bool {
	return func(s *subject) bool { return slices.Contains(names, s.section) }
}

func both(fs ...func(*subject) bool) func(*subject) bool {
	return func(s *subject) bool {
		for _, f := range fs {
			if !f(s) {
				return false
			}
		}
		return true
	}
}

func kind(k ChangeKind) func(*subject) bool { return func(s *subject) bool { return s.Kind == k } }

func depth(n int) func(*subject) bool { return func(s *subject) bool { return len(s.Path) == n } }

func lastKey(names ...string) func(*subject) bool {
	return func(s *subject) bool { return len(s.keys) > 0 && slices.Contains(names, s.keys[0]) }
}

func class(c keyClass) func(*subject) bool {
	return func(s *subject) bool { return s.consult(s.verdict(), c) }
}

func hfClass(c keyClass) func(*subject) bool {
	return func(s *subject) bool { return s.hf != nil && s.consult(s.hfVerdict(), c) }
}

// parentKey matches a change whose parent on the path is one of the keys.
func parentKey(names ...string) func(*subject) bool {
	return func(s *subject) bool {
		n := len(s.Path)
		return n >= 2 && !s.Path[n-2].Keyed && slices.Contains(names, s.Path[n-2].Key)
	}
}

// numbers matches a changed number whose new value compares with the old
// one as want says (+1 larger, -1 smaller), exactly at any size.
func numbers(want int) func(*subject) bool {
	return func(s *subject) bool {
		c, ok := CompareNumbers(s.New, s.Old)
		return s.Kind == Changed && ok && c == want
	}
}

func isArch(s *subject) bool { return s.section == "architecture" }
func isHF(s *subject) bool   { return s.section == "architecture" && s.hf != nil }

// The built-in rules. Code refers to a rule by its variable, never by its
// ID; the IDs are stable and appear only here.
var (
	// Manifest sections with fixed meaning.
	ruleMetadataChanged = &Rule{ID: "metadata-changed", Bump: BumpNone, Description: "metadata changed: description, authors, release notes pointer, migrations folder",
		Reason: "metadata only", match: inSection("release_notes", "migrations", "description", "authors", "license", "homepage", "tags", "citation")}
	ruleHyperparameterChanged = &Rule{ID: "hyperparameter-changed", Effect: EffectTraining, Bump: BumpNone, Description: "a training hyperparameter changed (SPEC-040 §2.3): recorded in the notes, no version change",
		Reason: "training setting, recorded in the release notes", match: inSection("hyperparameters")}

	// Renames and null values (DESIGN §2.1).
	ruleKeyRenamed = &Rule{ID: "key-renamed", Bump: BumpNone, Description: "a key was renamed or moved with its value unchanged: another spelling (num-layers -> num_layers), a synonym (gas -> gradient_accumulation_steps), a block under a new parent",
		Reason: "the same setting under another name", basis: BasisVocabulary, match: renamed}
	ruleNullEqualsAbsent = &Rule{ID: "null-equals-absent", Bump: BumpNone, Description: "a key was added or removed with the value null (None), which configuration loaders read as absent",
		Reason: "null reads the same as no value", basis: BasisDefault, match: nullAddedOrRemoved}

	// Tier composition (SPEC-040 §2.1, SPEC-031 tier expansion).
	ruleTierAdded = &Rule{ID: "tier-added", Effect: EffectAdded, Bump: BumpMinor, Description: "a tier was added (tier expansion)",
		Reason: "old clients ignore unknown tiers", match: both(inSection("tiers"), depth(2), kind(Added))}
	ruleTierRemoved = &Rule{ID: "tier-removed", Bump: BumpMajor, Description: "a tier was removed",
		Reason: "checkpoints that hold the tier no longer load", match: both(inSection("tiers"), depth(2), kind(Removed))}
	ruleTierExpertsAdded = &Rule{ID: "tier-experts-added", Effect: EffectAdded, Bump: BumpMinor, Description: "experts were added to a tier",
		Reason: "existing experts keep their parameters", match: both(inSection("tiers"), lastKey("experts"), numbers(+1))}
	ruleTierExpertsRemoved = &Rule{ID: "tier-experts-removed", Bump: BumpMajor, Description: "experts were removed from a tier",
		Reason: "checkpoints with the removed experts no longer load", match: both(inSection("tiers"), lastKey("experts"), numbers(-1))}
	ruleTierSettingChanged = &Rule{ID: "tier-setting-changed", Bump: BumpMinor, Description: "a behaviour setting of a tier changed (capacity, top-k, ...)",
		Reason: "outputs change, parameters stay compatible", match: both(inSection("tiers"), class(classBehaviour))}
	ruleTierRestructured = &Rule{ID: "tier-restructured", Bump: BumpMajor, Description: "a tier was restructured (any other change inside a tier)",
		Reason: "the tier's parameters may no longer match old checkpoints", match: inSection("tiers")}

	// Routing: behaviour unless the key names a shape.
	ruleRoutingShapeChanged = &Rule{ID: "routing-shape-changed", Bump: BumpMajor, Description: "a routing key that sets a parameter shape changed (e.g. router dimension)",
		Reason: "the router's weights change shape", match: both(inSection("routing"), class(classShape))}
	ruleRoutingChanged = &Rule{ID: "routing-changed", Bump: BumpMinor, Description: "the routing strategy or its settings changed (top-k, capacity factor)",
		Reason: "outputs change, parameters stay compatible", match: inSection("routing")}

	// Determinism fingerprints.
	ruleFingerprintChanged = &Rule{ID: "fingerprint-changed", Bump: BumpMinor, Description: "a determinism fingerprint changed: the model's outputs changed, and a patch release may not change outputs",
		Reason: "the outputs changed and a patch release may not change outputs (SPEC-040), so release at least a minor version", match: both(inSection("fingerprints"), kind(Changed))}
	ruleFingerprintAdded = &Rule{ID: "fingerprint-added", Bump: BumpNone, Description: "a determinism fingerprint was added",
		Reason: "recorded, nothing to compare it with", match: both(inSection("fingerprints"), kind(Added))}
	ruleFingerprintRemoved = &Rule{ID: "fingerprint-removed", Bump: BumpNone, Description: "a determinism fingerprint was removed",
		Reason: "recorded, the outputs are no longer checked against it", match: inSection("fingerprints")}

	// Tensor signatures (the tensors pointer: a name -> {shape, dtype} map, a
	// Hugging Face index, a .safetensors header, or a Git LFS pointer to one).
	// They are compared name by name, not through the rule matchers.
	ruleTensorAdded = &Rule{ID: "tensor-added", Effect: EffectAdded, Bump: BumpMinor, Description: "parameter tensors were added (tier or expert expansion)",
		Reason: "old checkpoints still load and the new tensors start from their initialisation", external: true, basis: BasisEvidence}
	ruleTensorRemoved = &Rule{ID: "tensor-removed", Bump: BumpMajor, Description: "parameter tensors were removed",
		Reason: "old checkpoints hold tensors the model no longer has", external: true, basis: BasisEvidence}
	ruleTensorReshaped = &Rule{ID: "tensor-reshaped", Bump: BumpMajor, Description: "parameter tensors changed shape or dtype",
		Reason: "old checkpoints cannot be loaded", external: true, basis: BasisEvidence}

	// GGUF files (check/evidence/gguf): a requantised tensor, the tokenizer
	// arrays. The rest of a GGUF header is classified as a config, its keys
	// (general.name, llama.block_count) through the concept vocabulary.
	ruleTensorQuantizationChanged = &Rule{ID: "tensor-quantization-changed", Bump: BumpMinor, Description: "GGUF tensors changed quantisation type with the same shape (Q4_K -> Q8_0): old checkpoints still load (same shapes, runtimes read either type), but the weights' precision changes the outputs, which a patch release may not (SPEC-040 §1)",
		Reason: "same shapes, another precision: checkpoints stay compatible, outputs change", external: true, basis: BasisEvidence}
	ruleGgufTokensAdded = &Rule{ID: "gguf-tokens-added", Effect: EffectAdded, Bump: BumpMinor, Description: "tokens were appended to a GGUF vocabulary (tokenizer.ggml.tokens), every existing id kept",
		Reason: "existing token ids keep their meaning", external: true}
	ruleGgufTokensChanged = &Rule{ID: "gguf-tokens-changed", Bump: BumpMajor, Description: "existing ids of a GGUF vocabulary (tokenizer.ggml.tokens) were changed or removed",
		Reason: "the embedding rows no longer match their tokens", external: true}
	ruleGgufTokenizerChanged = &Rule{ID: "gguf-tokenizer-changed", Bump: BumpMinor, Description: "another tokenizer setting of a GGUF file changed: merges, scores, token types, special token ids, the tokenizer model, the chat template",
		Reason: "tokenisation or prompting changes, parameters stay compatible", external: true}

	// Evaluation metrics; regressions are the gate rule metric-regressed.
	ruleMetricChanged = &Rule{ID: "metric-changed", Effect: EffectMetric, Bump: BumpNone, Description: "an evaluation metric changed (regressions beyond the tolerance in .modelgate.yaml fail the gate as metric-regressed)",
		Reason: "recorded in the release notes", match: inSection("metrics")}

	// OpenAPI 3 documents, diffed by oasdiff; each finding names the oasdiff rule.
	ruleApiBreaking = &Rule{ID: "api-breaking", Bump: BumpMajor, Description: "oasdiff reports a breaking change of the OpenAPI document (level error)",
		Reason: "existing clients break", external: true}
	ruleApiPossiblyBreaking = &Rule{ID: "api-possibly-breaking", Bump: BumpMajor, Description: "oasdiff reports a change of the OpenAPI document that may break clients (level warning); counted as breaking until a rule in .modelgate.yaml says otherwise",
		Reason: "existing clients may break", external: true}
	ruleApiCompatible = &Rule{ID: "api-compatible", Bump: BumpMinor, Description: "oasdiff reports a backward-compatible change of the OpenAPI document: an endpoint, optional field or response added",
		Reason: "existing clients keep working", external: true}
	ruleApiDocChanged = &Rule{ID: "api-doc-changed", Bump: BumpPatch, Description: "the OpenAPI document changed in ways oasdiff does not count as API changes (descriptions, examples)",
		Reason: "the API contract is unchanged", external: true}

	// Other serving API schemas, diffed as trees.
	ruleApiFieldAdded = &Rule{ID: "api-field-added", Effect: EffectAdded, Bump: BumpMinor, Description: "the API schema gained a property, path, response or schema (backward-compatible addition)",
		Reason: "existing clients keep working", match: both(inSection("api"), kind(Added), parentKey("properties", "paths", "responses", "schemas", "examples"))}
	ruleApiChanged = &Rule{ID: "api-changed", Bump: BumpMajor, Description: "the API schema changed or lost a field (breaking for clients)",
		Reason: "existing clients may break", match: inSection("api")}

	// Model signatures: ONNX graph inputs, outputs and operator sets
	// (check/evidence/onnx), MLflow MLmodel signatures and flavors
	// (check/evidence/mlflow).
	ruleSignatureInputChanged = &Rule{ID: "signature-input-changed", Bump: BumpMajor, Description: "a model input was removed, renamed or retyped, a fixed dimension changed, an optional input became required, or an input schema appeared (ONNX graph inputs, MLflow signature inputs)",
		Reason: "existing requests no longer fit", external: true}
	ruleSignatureInputAdded = &Rule{ID: "signature-input-added", Bump: BumpMajor, Description: "a required model input was added (every ONNX graph input without a same-named initializer is required)",
		Reason: "existing requests lack it", external: true}
	ruleSignatureInputCompatible = &Rule{ID: "signature-input-compatible", Bump: BumpMinor, Description: "an input change existing requests survive: an optional input or one with a default added, a required input made optional, a fixed dimension made symbolic, the input schema dropped",
		Reason: "existing requests keep working", external: true}
	ruleSignatureOutputAdded = &Rule{ID: "signature-output-added", Effect: EffectAdded, Bump: BumpMinor, Description: "a model output was added",
		Reason: "existing clients ignore it", external: true}
	ruleSignatureOutputChanged = &Rule{ID: "signature-output-changed", Bump: BumpMajor, Description: "a model output was removed, renamed, retyped or reshaped",
		Reason: "clients that read it break", external: true}
	ruleSignatureParamAdded = &Rule{ID: "signature-param-added", Effect: EffectAdded, Bump: BumpMinor, Description: "an inference param was added to an MLflow signature",
		Reason: "it has a default: existing requests keep working", external: true}
	ruleSignatureParamDefaultChanged = &Rule{ID: "signature-param-default-changed", Bump: BumpMinor, Description: "the default of an MLflow inference param changed",
		Reason: "requests that omit it behave differently", external: true}
	ruleSignatureParamChanged = &Rule{ID: "signature-param-changed", Bump: BumpMajor, Description: "an MLflow inference param was removed, retyped or reshaped",
		Reason: "requests that set it break or lose their effect", external: true}
	ruleSignatureMetadataChanged = &Rule{ID: "signature-metadata-changed", Bump: BumpNone, Description: "metadata of a model changed, not its interface: the ONNX producer, doc strings, metadata_props, symbolic dimension names; MLflow's run_id, model_uuid, utc_time_created, model_size_bytes, tool versions",
		Reason: "metadata only", external: true}
	ruleOnnxOpsetRaised = &Rule{ID: "onnx-opset-raised", Bump: BumpMajor, Description: "an ONNX model needs newer runtimes: an operator set or the IR version was raised, or an operator domain imported",
		Reason: "runtimes that do not implement it cannot load the model", external: true}
	ruleOnnxOpsetLowered = &Rule{ID: "onnx-opset-lowered", Bump: BumpMinor, Description: "an ONNX model imports older operator sets, fewer domains, or an older IR version",
		Reason: "operators of another version may compute differently", external: true}
	ruleMlflowLoaderChanged = &Rule{ID: "mlflow-loader-changed", Bump: BumpPatch, Description: "how MLflow loads the model changed: a flavor's loader module, model path, code or environment, a flavor added, another MLmodel setting",
		Reason: "the model loads through other code; its interface is unchanged", external: true}
	ruleMlflowFlavorRemoved = &Rule{ID: "mlflow-flavor-removed", Bump: BumpMajor, Description: "an MLflow flavor was removed: code that loads the model with it (mlflow.sklearn.load_model) breaks",
		Reason: "clients that load the model through the flavor break", external: true}

	// Settings of a feature that is off; framework defaults (GPT-NeoX,
	// open_clip, derived values).
	ruleFeatureOffSettingChanged = &Rule{ID: "feature-off-setting-changed", Bump: BumpNone, Description: "a setting of a feature that is switched off at both revisions changed (sliding_window while use_sliding_window is false, attention_layer_norm_with_affine while attention_layer_norm is false)",
		Reason: "the feature is switched off, so the setting builds and changes nothing", match: both(isArch, featureOff)}
	ruleDefaultMadeExplicit = &Rule{ID: "default-made-explicit", Bump: BumpNone, Description: "an architecture key was added or removed at the value its framework uses anyway: a GPT-NeoX or open_clip default, or a value derived from others (key/value heads equal to the attention heads, head width equal to hidden width over heads)",
		Reason: "the framework already used this value", basis: BasisDefault, match: both(isArch, madeExplicit)}

	// Hugging Face config.json.
	ruleHfDefaultMadeExplicit = &Rule{ID: "hf-default-made-explicit", Bump: BumpNone, Description: "a Hugging Face config key was added or removed with the value the library defaults it to",
		Reason: "the library already used this value", match: func(s *subject) bool { return isHF(s) && s.hf.isDefault(s) }, basis: BasisDefault}
	ruleHfModelClassChanged = &Rule{ID: "hf-model-class-changed", Bump: BumpMajor, Description: "the model class changed (model_type, architectures)",
		Reason: "a different module tree loads the checkpoint", match: both(isHF, lastKey("model_type", "architectures"))}
	ruleHfPositionTableResized = &Rule{ID: "hf-position-table-resized", Bump: BumpMajor, Description: "the learned position-embedding table changed size (GPT-2, OPT, BERT, ...)",
		Reason: "the position embedding weights change shape", match: both(isHF, func(s *subject) bool { return s.hf.learnedPositions() }, lastKey("max_position_embeddings", "n_positions", "n_ctx"))}
	ruleHfShapeChanged = &Rule{ID: "hf-shape-changed", Bump: BumpMajor, Description: "a Hugging Face config key that sets parameter shapes changed (hidden_size, num_hidden_layers, num_key_value_heads, vocab_size, num_local_experts, tie_word_embeddings, bias flags, ...)",
		Reason: "old checkpoints cannot be loaded", match: hfClass(classShape)}
	ruleHfBehaviourChanged = &Rule{ID: "hf-behaviour-changed", Bump: BumpMinor, Description: "a Hugging Face config key that only changes behaviour changed (rope_theta, rope_scaling, max_position_embeddings, sliding_window, num_experts_per_tok, rms_norm_eps, ...)",
		Reason: "outputs change, parameters stay compatible", match: hfClass(classBehaviour)}
	ruleHfTrainingChanged = &Rule{ID: "hf-training-changed", Effect: EffectTraining, Bump: BumpNone, Description: "a Hugging Face config key used only in training changed (dropout, initializer_range, router loss)",
		Reason: "training setting, no effect on a loaded checkpoint", match: hfClass(classTraining)}
	ruleHfRuntimeChanged = &Rule{ID: "hf-runtime-changed", Bump: BumpPatch, Description: "a Hugging Face runtime setting changed (attention implementation, pretraining_tp)",
		Reason: "runtime setting; behaviour kept", match: hfClass(classRuntime)}
	ruleHfMetadataChanged = &Rule{ID: "hf-metadata-changed", Bump: BumpNone, Description: "Hugging Face metadata or inference default changed (transformers_version, _name_or_path, torch_dtype, use_cache)",
		Reason: "metadata only", match: hfClass(classMetadata)}

	// The other standard files of a Hugging Face model folder (huggingface:
	// <folder>, DESIGN §2.4). Their changes are under huggingface.<file>:
	// tokenizer (tokenizer.json), tokenizer_config, special_tokens_map,
	// chat_template, generation_config, preprocessor_config,
	// processor_config, adapter_config, model_card (README.md front matter).
	// The vocabulary, the merges and the chat templates are compared by
	// their readers, not through the rule matchers.
	ruleTokenizerTokenRenumbered = &Rule{ID: "tokenizer-token-renumbered", Bump: BumpMajor, Description: "tokens of the vocabulary changed id (tokenizer.json, or added_tokens_decoder in tokenizer_config.json)",
		Reason: "old embedding rows now mean other tokens", external: true}
	ruleTokenizerTokenRemoved = &Rule{ID: "tokenizer-token-removed", Bump: BumpMajor, Description: "tokens were removed from the vocabulary",
		Reason: "old checkpoints and token ids refer to tokens the tokenizer no longer has", external: true}
	ruleTokenizerTokenAdded = &Rule{ID: "tokenizer-token-added", Effect: EffectAdded, Bump: BumpMinor, Description: "tokens were added to the vocabulary with new ids",
		Reason: "old ids keep their meaning; the new tokens need embedding rows", external: true}
	ruleTokenizerMergesChanged = &Rule{ID: "tokenizer-merges-changed", Bump: BumpMinor, Description: "the BPE merges (or a Unigram model's piece scores) changed, counted in one finding",
		Reason: "text splits into tokens differently", external: true}
	ruleChatTemplateChanged = &Rule{ID: "chat-template-changed", Bump: BumpMinor, Description: "a chat template changed, was added or removed (chat_template.jinja, the chat_template key, named templates), with an excerpt of the change",
		Reason: "every chat is rendered into a different prompt", external: true}
	ruleHfFileMetadataChanged = &Rule{ID: "hf-file-metadata-changed", Bump: BumpNone, Description: "bookkeeping of a Hugging Face folder file changed (transformers_version, _from_model_config, name_or_path, the tokenizer.json format version)",
		Reason: "metadata only", match: both(hfFile(), hfKey("transformers_version", "_from_model_config", "_commit_hash", "name_or_path", "_name_or_path", "version"))}
	ruleTokenizerPipelineChanged = &Rule{ID: "tokenizer-pipeline-changed", Bump: BumpMinor, Description: "the tokenizer's pipeline changed: normalizer, pre-tokenizer, post-processor, decoder, padding, truncation, model options, added-token flags",
		Reason: "text is tokenized or decoded differently", match: hfFile("tokenizer")}
	ruleTokenizerConfigChanged = &Rule{ID: "tokenizer-config-changed", Bump: BumpMinor, Description: "tokenizer_config.json or special_tokens_map.json changed: special tokens, model_max_length, padding side, tokenizer class",
		Reason: "text is tokenized, padded or truncated differently", match: hfFile("tokenizer_config", "special_tokens_map")}
	ruleGenerationConfigChanged = &Rule{ID: "generation-config-changed", Bump: BumpMinor, Description: "generation_config.json changed: sampling defaults, max tokens, eos/bos/pad ids",
		Reason: "generation defaults change the outputs", match: hfFile("generation_config")}
	rulePreprocessorChanged = &Rule{ID: "preprocessor-changed", Bump: BumpMinor, Description: "preprocessor_config.json or processor_config.json changed: image size, normalisation, resampling",
		Reason: "inputs are prepared differently", match: hfFile("preprocessor_config", "processor_config")}
	ruleAdapterBaseModelChanged = &Rule{ID: "adapter-base-model-changed", Bump: BumpMajor, Description: "a PEFT adapter's base model changed (base_model_name_or_path, revision)",
		Reason: "an adapter for another base is another model", match: both(hfFile("adapter_config"), hfKey("base_model_name_or_path", "revision"))}
	ruleAdapterDefaultMadeExplicit = &Rule{ID: "adapter-default-made-explicit", Bump: BumpNone, Description: "a PEFT adapter option was added or removed as false or empty (newer PEFT versions write every option; one added as null is null-equals-absent)",
		Reason: "the option's default; nothing changes", match: both(hfFile("adapter_config"), depth(3), adapterDefault)}
	ruleAdapterShapeChanged = &Rule{ID: "adapter-shape-changed", Bump: BumpMajor, Description: "a PEFT adapter option that shapes its weights changed (r, target_modules, modules_to_save, peft_type, use_dora, rank_pattern, ...), or adapter_config.json was added or removed",
		Reason: "the adapter's weights no longer match the old ones", match: both(hfFile("adapter_config"), func(s *subject) bool { return len(s.Path) == 2 || hfKey(adapterShapeKeys...)(s) })}
	ruleAdapterScalingChanged = &Rule{ID: "adapter-scaling-changed", Bump: BumpMinor, Description: "a PEFT adapter's scaling changed (lora_alpha, alpha_pattern, use_rslora)",
		Reason: "outputs change, the adapter's weights stay compatible", match: both(hfFile("adapter_config"), hfKey("lora_alpha", "alpha_pattern", "use_rslora"))}
	ruleAdapterTrainingChanged = &Rule{ID: "adapter-training-changed", Effect: EffectTraining, Bump: BumpNone, Description: "a PEFT adapter option used only in training changed (lora_dropout, init_lora_weights, inference_mode, loftq_config)",
		Reason: "training setting, no effect on the saved adapter", match: both(hfFile("adapter_config"), hfKey("lora_dropout", "init_lora_weights", "inference_mode", "loftq_config", "megatron_config", "megatron_core", "auto_mapping"))}
	ruleAdapterUnclassified = &Rule{ID: "adapter-unclassified", Bump: BumpMajor, Description: "a PEFT adapter option that no rule classifies changed; counted as breaking until a rule in .modelgate.yaml says otherwise",
		Reason: "unclassified adapter option; add a rule to .modelgate.yaml", match: hfFile("adapter_config"), basis: BasisUnclassified}
	ruleModelCardBaseModelChanged = &Rule{ID: "model-card-base-model-changed", Bump: BumpMajor, Description: "the model card's base_model changed (README.md front matter): a fine-tune or adapter of another base",
		Reason: "a fine-tune of another base is another model", match: both(hfFile("model_card"), hfKey("base_model"), func(s *subject) bool { return len(s.Path) > 3 || s.Kind == Changed })}
	ruleModelCardChanged = &Rule{ID: "model-card-changed", Bump: BumpNone, Description: "the model card's metadata changed (README.md front matter: license, tags, datasets, base_model recorded); the prose is not read",
		Reason: "model card metadata only", match: hfFile("model_card")}

	// Architecture blocks and the key-name classifier, for any config.
	ruleArchBlockAdded = &Rule{ID: "arch-block-added", Bump: BumpMajor, Description: "a new block or layer type was added to the architecture",
		Reason: "old checkpoints have no weights for it", match: both(isArch, lastKey("blocks", "block_types"), func(s *subject) bool {
			return s.Kind == Added || s.Kind == Changed && len(setDiff(s.New, s.Old)) > 0
		})}
	ruleArchBlockRemoved = &Rule{ID: "arch-block-removed", Bump: BumpMajor, Description: "a block or layer type was removed from, or reordered in, the architecture",
		Reason: "old checkpoints no longer match the module tree", match: both(isArch, lastKey("blocks", "block_types"))}
	ruleArchPositionTableResized = &Rule{ID: "arch-position-table-resized", Bump: BumpMajor, Description: "an architecture key that sizes a position table changed: a relative-position window (Swin window_size), relative-attention buckets, a learned position or patch grid (image_size, patch_size, a context length with learned positions)",
		Reason: "the position table changes shape, so old checkpoints cannot be loaded", match: both(isArch, class(classShape), sizesTable)}
	ruleArchShapeChanged = &Rule{ID: "arch-shape-changed", Bump: BumpMajor, Description: "an architecture key that sets parameter shapes changed (layers, hidden, heads, dim, width, vocab, experts, intermediate, embedding)",
		Reason: "old checkpoints cannot be loaded", match: both(isArch, class(classShape))}
	ruleArchBehaviourChanged = &Rule{ID: "arch-behaviour-changed", Bump: BumpMinor, Description: "an architecture key that only changes behaviour changed (rope, theta, window, max_position, seq_len, eps, top_k, capacity)",
		Reason: "outputs change, parameters stay compatible", match: both(isArch, class(classBehaviour))}
	ruleTrainingSettingChanged = &Rule{ID: "training-setting-changed", Effect: EffectTraining, Bump: BumpNone, Description: "a training setting changed (lr, batch, optimizer, warmup, dropout, save, checkpoint interval, seed, data path)",
		Reason: "training setting, recorded in the release notes", match: class(classTraining)}
	ruleRuntimeSettingChanged = &Rule{ID: "runtime-setting-changed", Bump: BumpPatch, Description: "a runtime or kernel setting changed (fusion, flash attention, cache)",
		Reason: "performance setting; behaviour kept", match: class(classRuntime)}
	ruleArchMetadataChanged = &Rule{ID: "arch-metadata-changed", Bump: BumpNone, Description: "metadata inside an architecture file changed (library version, source name, author, license, hub settings, a tokenizer's name)",
		Reason: "metadata only", match: both(isArch, class(classMetadata))}
	ruleArchUnclassified = &Rule{ID: "arch-unclassified", Bump: BumpMajor, Description: "an architecture key that no rule classifies changed; counted as breaking until a rule in .modelgate.yaml says otherwise",
		Reason: "unclassified key; add a rule to .modelgate.yaml", match: isArch, basis: BasisUnclassified}

	// Anything else in the manifest.
	ruleBehaviourChanged = &Rule{ID: "behaviour-changed", Bump: BumpMinor, Description: "a manifest key that changes behaviour changed (rope, window, context, top_k, ...)",
		Reason: "outputs change, parameters stay compatible", match: class(classBehaviour)}
	ruleManifestMetadataChanged = &Rule{ID: "manifest-metadata-changed", Bump: BumpNone, Description: "a metadata key of the manifest changed",
		Reason: "metadata only", match: class(classMetadata)}
	ruleManifestChanged = &Rule{ID: "manifest-changed", Bump: BumpPatch, Description: "any other manifest key changed (shape keys outside the architecture count as major)",
		Reason: "a file of the model changed", match: func(s *subject) bool { return s.verdict().class != classShape }}
	ruleManifestShapeChanged = &Rule{ID: "manifest-shape-changed", Bump: BumpMajor, Description: "a shape key outside the architecture section changed",
		Reason: "parameter shapes may change", match: func(*subject) bool { return true }}

	// Files.
	ruleFileChanged = &Rule{ID: FileRule, Bump: BumpPatch, Description: "another file of the model changed (code, weights, data): a fix that keeps behaviour (SPEC-040 §2.4)",
		Reason: "a file of the model changed"}

	// Gate rules: why the gate fails or warns.
	ruleVersionTooSmall           = &Rule{ID: "version-too-small", Gate: true, Level: LevelError, Description: "the declared version is lower than the changes require"}
	ruleVersionNotBumped          = &Rule{ID: "version-not-bumped", Gate: true, Level: LevelError, Description: "the declared version equals the baseline although the changes require a bump"}
	ruleVersionDecreased          = &Rule{ID: "version-decreased", Gate: true, Level: LevelError, Description: "the declared version is lower than the baseline"}
	ruleVersionExists             = &Rule{ID: "version-exists", Gate: true, Level: LevelError, Description: "the declared version is already tagged at another commit"}
	ruleVersionMismatch           = &Rule{ID: "version-mismatch", Gate: true, Level: LevelError, Description: "--version or the pushed tag disagrees with the manifest's model identifier"}
	ruleVersionSkips              = &Rule{ID: "version-skips", Gate: true, Level: LevelWarning, Description: "the declared version skips ahead of the next version"}
	ruleModelRenamed              = &Rule{ID: "model-renamed", Gate: true, Level: LevelError, Description: "the model's name differs from the baseline's"}
	ruleConfigChanged             = &Rule{ID: "config-changed", Gate: true, Level: LevelWarning, Description: ".modelgate.yaml changed since the baseline: its rules, suppressions and ignores now decide the verdict; review them (level error makes such changes need a separate, reviewed release)"}
	ruleReleaseNotesMissing       = &Rule{ID: "release-notes-missing", Gate: true, Level: LevelError, Description: "no release notes for the declared version (manifest pointer, releases/v<V>.md, or a CHANGELOG.md section)"}
	ruleReleaseNotesEmpty         = &Rule{ID: "release-notes-empty", Gate: true, Level: LevelError, Description: "the release notes are empty"}
	ruleReleaseNotesTemplate      = &Rule{ID: "release-notes-template", Gate: true, Level: LevelError, Description: "the release notes still hold template placeholders"}
	ruleReleaseNotesNoMigration   = &Rule{ID: "release-notes-no-migration", Gate: true, Level: LevelError, Description: "a major release's notes lack migration steps (a 'Migration' heading or a pointer to a migration tool in the repository)"}
	ruleMetricRegressed           = &Rule{ID: "metric-regressed", Gate: true, Level: LevelError, Description: "an evaluation metric regressed beyond its tolerance in .modelgate.yaml and the release notes do not acknowledge it under a 'Known regressions' heading"}
	ruleHfEvidenceUnavailable     = &Rule{ID: "hf-evidence-unavailable", Gate: true, Level: LevelWarning, Description: "a file of the Hugging Face folder could not be read at a revision (a Git LFS object not fetched, the huggingface field dropped): it counted as a changed file only"}
	ruleTensorEvidenceUnavailable = &Rule{ID: "tensor-evidence-unavailable", Gate: true, Level: LevelWarning, Description: "evidence could not be read at a revision (a Git LFS object not fetched behind tensors, a GGUF architecture or an ONNX api; the tensors field dropped): its diff was skipped and the other rules decide"}
)

// Rules is the built-in rule catalogue. The finding rules are tried in
// order and the first that matches classifies a change; the order is part of
// the contract (specific rules before the key-name classifier).
var Rules = []*Rule{
	ruleMetadataChanged,
	ruleHyperparameterChanged,
	ruleKeyRenamed,
	ruleNullEqualsAbsent,
	ruleTierAdded,
	ruleTierRemoved,
	ruleTierExpertsAdded,
	ruleTierExpertsRemoved,
	ruleTierSettingChanged,
	ruleTierRestructured,
	ruleRoutingShapeChanged,
	ruleRoutingChanged,
	ruleFingerprintChanged,
	ruleFingerprintAdded,
	ruleFingerprintRemoved,
	ruleTensorAdded,
	ruleTensorRemoved,
	ruleTensorReshaped,
	ruleTensorQuantizationChanged,
	ruleGgufTokensAdded,
	ruleGgufTokensChanged,
	ruleGgufTokenizerChanged,
	ruleMetricChanged,
	ruleApiBreaking,
	ruleApiPossiblyBreaking,
	ruleApiCompatible,
	ruleApiDocChanged,
	ruleApiFieldAdded,
	ruleApiChanged,
	ruleSignatureInputChanged,
	ruleSignatureInputAdded,
	ruleSignatureInputCompatible,
	ruleSignatureOutputAdded,
	ruleSignatureOutputChanged,
	ruleSignatureParamAdded,
	ruleSignatureParamDefaultChanged,
	ruleSignatureParamChanged,
	ruleSignatureMetadataChanged,
	ruleOnnxOpsetRaised,
	ruleOnnxOpsetLowered,
	ruleMlflowLoaderChanged,
	ruleMlflowFlavorRemoved,
	ruleFeatureOffSettingChanged,
	ruleDefaultMadeExplicit,
	ruleHfDefaultMadeExplicit,
	ruleHfModelClassChanged,
	ruleHfPositionTableResized,
	ruleHfShapeChanged,
	ruleHfBehaviourChanged,
	ruleHfTrainingChanged,
	ruleHfRuntimeChanged,
	ruleHfMetadataChanged,
	ruleTokenizerTokenRenumbered,
	ruleTokenizerTokenRemoved,
	ruleTokenizerTokenAdded,
	ruleTokenizerMergesChanged,
	ruleChatTemplateChanged,
	ruleHfFileMetadataChanged,
	ruleTokenizerPipelineChanged,
	ruleTokenizerConfigChanged,
	ruleGenerationConfigChanged,
	rulePreprocessorChanged,
	ruleAdapterBaseModelChanged,
	ruleAdapterDefaultMadeExplicit,
	ruleAdapterShapeChanged,
	ruleAdapterScalingChanged,
	ruleAdapterTrainingChanged,
	ruleAdapterUnclassified,
	ruleModelCardBaseModelChanged,
	ruleModelCardChanged,
	ruleArchBlockAdded,
	ruleArchBlockRemoved,
	ruleArchPositionTableResized,
	ruleArchShapeChanged,
	ruleArchBehaviourChanged,
	ruleTrainingSettingChanged,
	ruleRuntimeSettingChanged,
	ruleArchMetadataChanged,
	ruleArchUnclassified,
	ruleBehaviourChanged,
	ruleManifestMetadataChanged,
	ruleManifestChanged,
	ruleManifestShapeChanged,
	ruleFileChanged,
	ruleVersionTooSmall,
	ruleVersionNotBumped,
	ruleVersionDecreased,
	ruleVersionExists,
	ruleVersionMismatch,
	ruleVersionSkips,
	ruleModelRenamed,
	ruleConfigChanged,
	ruleReleaseNotesMissing,
	ruleReleaseNotesEmpty,
	ruleReleaseNotesTemplate,
	ruleReleaseNotesNoMigration,
	ruleMetricRegressed,
	ruleTensorEvidenceUnavailable,
	ruleHfEvidenceUnavailable,
}

// FileRule is the ID of the rule for a changed file outside the manifest's
// parsed files.
const FileRule = "file-changed"

// LookupRule returns the built-in rule with the given ID, or nil.
func LookupRule(id string) *Rule {
	for _, r := range Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

var ruleIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`) })

// setDiff returns the scalar items of a that b lacks.
func setDiff(a, b *Node) []string {
	if a == nil || a.Kind != KindList {
		return nil
	}
	have := map[string]bool{}
	if b != nil {
		for _, it := range b.Items {
			have[it.Text()] = true
		}
	}
	var out []string
	for _, it := range a.Items {
		if !have[it.Text()] {
			out = append(out, it.Text())
		}
	}
	return out
}

// keyClass is what a key name says about a change.
type keyClass int

const (
	classUnknown keyClass = iota
	classShape
	classBehaviour
	classTraining
	classRuntime
	classMetadata
)

// Word lists of the key-name classifier (DESIGN §2). An entry with spaces
// is a phrase of consecutive words; a trailing * matches a prefix.
var (
	// Training words are specific on purpose: a word that also names a part
	// of the network (parallel residual, init layers, aux heads) must not
	// turn an architecture change into "no bump".
	trainingWords = []string{"lr", "learning rate", "batch", "optimizer", "optim", "warmup", "dropout*", "save", "checkpoint*",
		"interval", "seed", "data path*", "data impl", "dataset*", "train*", "iters", "iter", "iteration*", "epoch*",
		"weight decay", "lr decay*", "momentum", "adam*", "grad*", "clip grad*", "schedul*", "log", "logging", "eval*",
		"init method", "init std", "initializer*", "fp16", "bf16", "precision", "zero optimization", "zero stage", "wandb",
		"tensorboard", "parallel size", "model parallel*", "pipe parallel*", "tensor parallel*", "distributed", "workers",
		"pdrop", "aux loss*", "loss coef*", "jitter", "accumulation", "micro", "deepspeed", "beta1", "beta2", "betas",
		"loss*", "freeze*", "frozen", "distill*", "alpha", "augment*", "finetuned", "pretrained", "drop", "droppath"}
	runtimeWords   = []string{"fusion", "fused", "fuse", "flash", "cache", "impl", "implementation", "compile", "torchscript", "pretraining tp", "upcast*"}
	behaviourWords = []string{"rope", "rotary", "theta", "window", "sliding", "max position", "seq len*", "sequence len*", "eps", "epsilon",
		"top k", "topk", "capacity", "per tok", "temperature", "scaling", "act", "activation", "gelu", "quick", "silu", "softcap*",
		"bos", "eos", "pad", "routing", "strategy", "scoring", "stride", "threshold*", "thresh", "nms"}
	shapeWords = []string{"layer*", "hidden", "head*", "dim*", "width", "vocab*", "expert*", "intermediate", "embed*", "embd", "emb",
		"ffn", "mlp", "size", "patch", "channels", "kv", "bias", "tie", "block*", "depth", "rank", "mult*", "ratio", "conv*",
		"kernel", "shared", "dense", "moe", "lora", "proj*", "positions", "ctx", "tokenizer", "shape", "dtype", "quant*", "bits"}
	metadataWords = []string{"description", "author*", "license", "homepage", "url", "citation", "version", "name", "path",
		"comment*", "notes", "tags", "doi", "paper", "contact", "created", "date", "commit", "hash"}
)

// message writes a finding's one-line explanation.
func message(r *Rule, c *Change) string {
	name := "value"
	if len(c.Path) > 0 {
		last := c.Path[len(c.Path)-1]
		switch {
		case last.Keyed && len(c.Path) > 1:
			name = c.Path[len(c.Path)-2].Key + " " + last.Key
		case last.Key != "":
			name = last.Key
		default:
			name = c.Path.String()
		}
	}
	var what string
	switch c.Kind {
	case Added:
		what = fmt.Sprintf("%s added", name)
	case Removed:
		what = fmt.Sprintf("%s removed", name)
	default:
		if added, removed := setDiff(c.New, c.Old), setDiff(c.Old, c.New); c.New.Kind == KindList && c.Old.Kind == KindList && len(added)+len(removed) > 0 && len(added)+len(removed) <= 4 {
			var parts []string
			if len(added) > 0 {
				parts = append(parts, "added "+strings.Join(added, ", "))
			}
			if len(removed) > 0 {
				parts = append(parts, "removed "+strings.Join(removed, ", "))
			}
			what = fmt.Sprintf("%s: %s", name, strings.Join(parts, "; "))
		} else {
			what = fmt.Sprintf("%s changed %s -> %s", name, abbrev.Value(c.Old.Text()), abbrev.Value(c.New.Text()))
		}
	}
	if r.Reason == "" {
		return what
	}
	return what + ": " + r.Reason
}
