package check

import "strings"

// Rules of the concept vocabulary (DESIGN §2.1): renames, null values, tables
// that read like behaviour, and metadata inside an architecture file.
var (
	ruleKeyRenamed = &Rule{ID: "key-renamed", Bump: BumpNone,
		Description: "a key was renamed or moved with its value unchanged: another spelling (num-layers -> num_layers), a synonym (gas -> gradient_accumulation_steps), a block under a new parent",
		Reason:      "the same setting under another name", basis: BasisVocabulary,
		match: func(s *subject) bool { return s.From != nil && (s.restated || Equal(s.Old, s.New)) }}
	ruleNullEqualsAbsent = &Rule{ID: "null-equals-absent", Bump: BumpNone,
		Description: "a key was added or removed with the value null (None), which configuration loaders read as absent",
		Reason:      "null reads the same as no value", basis: BasisDefault, match: nullAddedOrRemoved}
	ruleArchPositionTableResized = &Rule{ID: "arch-position-table-resized", Bump: BumpMajor,
		Description: "an architecture key that sizes a position table changed: a relative-position window (Swin window_size), relative-attention buckets, a learned position or patch grid (image_size, patch_size, a context length with learned positions)",
		Reason:      "the position table changes shape, so old checkpoints cannot be loaded",
		match:       both(isArch, class(classShape), func(s *subject) bool { return s.verdict().sizesTable() })}
	ruleArchMetadataChanged = &Rule{ID: "arch-metadata-changed", Bump: BumpNone,
		Description: "metadata inside an architecture file changed (library version, source name, author, license, hub settings)",
		Reason:      "metadata only", match: both(isArch, class(classMetadata))}
)

// sizesTable reports whether a verdict is about a position table.
func (v *keyVerdict) sizesTable() bool { return v.concept != nil && v.concept.table }

// nullAddedOrRemoved matches a key added or removed with the value null,
// except a Hugging Face key whose library default is not null (there null
// switches the feature off: sliding_window: null).
func nullAddedOrRemoved(s *subject) bool {
	var v *Node
	switch s.Kind {
	case Added:
		v = s.New
	case Removed:
		v = s.Old
	default:
		return false
	}
	if v == nil || v.Kind != KindNull || len(s.Path) < 2 || s.From != nil {
		return false
	}
	if isHF(s) && len(s.Path) == 2 {
		for _, t := range []string{s.hf.modelType, ""} {
			if def, ok := hfDefaults[t][s.Path[1].Key]; ok {
				return def == nil
			}
		}
	}
	return true
}

var ruleFeatureOffSettingChanged = &Rule{ID: "feature-off-setting-changed", Bump: BumpNone,
	Description: "a setting of a feature that is switched off at both revisions changed (sliding_window while use_sliding_window is false, attention_layer_norm_with_affine while attention_layer_norm is false)",
	Reason:      "the feature is switched off, so the setting builds and changes nothing", match: both(isArch, featureOff)}

// featureOff matches a change of a key whose feature a sibling switch turns
// off at both revisions: the switch is a boolean false on both sides and
// its name, without use_, enable_, with_ or apply_, begins the key's name
// (sliding_window under use_sliding_window). Negative switches (no_bias,
// disable_*) turn features on when false, so they do not count.
func featureOff(s *subject) bool {
	n := len(s.Path)
	if n < 2 || s.tree == nil || s.Path[n-1].Keyed || s.Path[n-1].Key == "" {
		return false
	}
	key := normKey(s.Path[n-1].Key)
	oldParent := nodeAt(s.tree.old, s.Path[:n-1])
	if s.From != nil {
		oldParent = nodeAt(s.tree.old, s.From[:len(s.From)-1])
	}
	newParent := nodeAt(s.tree.new, s.Path[:n-1])
	if oldParent == nil || newParent == nil || oldParent.Kind != KindMap || newParent.Kind != KindMap {
		return false
	}
	for _, sw := range newParent.Keys {
		stem := normKey(sw)
		if stem == key || strings.HasPrefix(stem, "no_") || strings.HasPrefix(stem, "disable_") {
			continue
		}
		for _, p := range []string{"use_", "enable_", "with_", "apply_"} {
			stem = strings.TrimPrefix(stem, p)
		}
		if len(stem) < 3 || key != stem && !strings.HasPrefix(key, stem+"_") {
			continue
		}
		off := func(parent *Node) bool {
			v := parent.Get(sw)
			return v != nil && v.Kind == KindBool && !v.Bool
		}
		if off(newParent) && off(oldParent) {
			return true
		}
	}
	return false
}
