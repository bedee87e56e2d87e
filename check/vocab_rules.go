package check

import "strings"

// Matchers of the vocabulary rules (DESIGN §2.1): renames, null values,
// tables that read like behaviour, settings of a feature that is off.

// sizesTable matches a change whose concept sizes a position table.
func sizesTable(s *subject) bool { v := s.verdict(); return v.concept != nil && v.concept.table }

// renamed matches a key renamed or moved with its value, or its value
// restated in another form.
func renamed(s *subject) bool { return s.From != nil && (s.restated || Equal(s.Old, s.New)) }

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
	if oldParent == nil || newParent == nil || oldParent.Kind != KindMap || newParent.Kind != KindMap || len(newParent.Keys) > maxSiblings {
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
